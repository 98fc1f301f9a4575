//! [`ReadModels`]: reporting's read models in memory, built by applying messages one at a time.
//!
//! `apply` is a pure function of the models and one message: it runs the same tolerant reader,
//! the same projection and the same aggregates as the live handlers, only against maps in
//! memory instead of the event store. So replaying the producers' published logs up to a time
//! rebuilds the read models as of that time (kappa: one log serves live updates and
//! rebuilds), and `answer` answers the rebuilt models through the same code the live context
//! answers with.
//!
//! No inbox is needed: every message reporting consumes is idempotent by its content (an order
//! is seen once and ends once, money only moves up, stock only moves to a higher version), so
//! applying a message again, under its own id or another, changes nothing.

use std::hash::{Hash, Hasher};

use kernel::context::{MessageError, QueryError};
use kernel::message::Envelope;
use serde::{Deserialize, Serialize};

use crate::domain::facts::Fact;
use crate::domain::models::Models;
use crate::domain::projection;
use crate::ports::inbound::ReadModelQuery;

pub use crate::domain::models::Overlap;

/// Reporting's read models in memory. A rebuild as of a time applies, in log order, every
/// message the producers published up to it:
///
/// ```
/// use kernel::ids::SequentialIds;
/// use kernel::testing::incoming;
/// use kernel::{MessageKind, Timestamp};
/// use reporting::ports::queries::SalesByState;
/// use reporting::ports::{Applied, ReadModels};
///
/// # let ids = SequentialIds::new(1);
/// let ended = r#"{"order_id":"0d4c3b2a-1f0e-4d9c-8b7a-695847362514","customer_id":"b1eece00-5678-4abc-9def-665544332211",
///   "month":"2026-04","end_state":"delivered","captured":{"amount_cents":1499,"currency":"USD"},
///   "refunded":{"amount_cents":0,"currency":"USD"},"shipping_state":"TX"}"#;
/// let log = vec![incoming(&ids, "orders", "order-ended", 1, MessageKind::DomainEvent, "0d4c3b2a", ended)];
/// let as_of = Timestamp::parse("2026-05-01T00:00:00Z").unwrap();
///
/// let mut models = ReadModels::new();
/// for message in log.iter().filter(|m| m.time <= as_of) {
///     assert_eq!(models.apply(message), Ok(Applied::Recorded));
/// }
/// let texas = models.answer(SalesByState { state: Some("TX".into()) }).expect("TX is a state code");
/// assert_eq!((texas.total.ended, texas.total.revenue.amount_cents), (1, 1499));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadModels {
    models: Models,
}

/// A message reporting consumes, read as the fact it tells (see [`ReadModels::read`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadMessage {
    fact: Fact,
}

impl ReadMessage {
    /// Which of `parts` parts of a split rebuild this message belongs to: every message about
    /// one order (or one book) goes to the same part, so each part can be applied on its own
    /// thread, in log order, and the parts combined ([`ReadModels::combine`]). `parts` of 0
    /// counts as 1.
    pub fn part(&self, parts: usize) -> usize {
        let mut hasher = std::hash::DefaultHasher::new();
        self.fact.home().hash(&mut hasher);
        (hasher.finish() % parts.max(1) as u64) as usize
    }
}

/// What applying one message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applied {
    /// The read models recorded something new.
    Recorded,
    /// The message told nothing new (a repeat, a stale state, an order still under way with
    /// nothing more to count).
    Unchanged,
    /// Reporting does not consume this type of message.
    NotConsumed,
}

/// The handler of a message type reporting consumes, from its inbox's subscriptions (its
/// declaration's `consumes` is that list).
fn handler_of(message_type: &str) -> Option<&'static str> {
    crate::CONTEXT.consumes.iter().find(|s| s.message_type == message_type).map(|s| s.handler_id)
}

impl ReadModels {
    /// Empty read models: as of before any message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether reporting consumes messages of this CloudEvents type.
    pub fn consumes(message_type: &str) -> bool {
        handler_of(message_type).is_some()
    }

    /// Applies one message. A message of a type reporting does not consume is skipped; one
    /// that does not read (what the runtime would dead-letter) is an error and leaves the
    /// models as they were.
    pub fn apply(&mut self, message: &Envelope) -> Result<Applied, MessageError> {
        match Self::read(message)? {
            Some(read) => self.apply_read(&read),
            None => Ok(Applied::NotConsumed),
        }
    }

    /// Reads a message as the fact it tells, without applying it: `None` for a type reporting
    /// does not consume, an error for one that does not read. Reading is the costly half of
    /// [`ReadModels::apply`] and needs no models, so a rebuild can read on several threads.
    pub fn read(message: &Envelope) -> Result<Option<ReadMessage>, MessageError> {
        let Some(handler_id) = handler_of(&message.message_type) else {
            return Ok(None);
        };
        let Some(data) = message.data.as_deref() else {
            return Err(MessageError::Decode(format!(
                "message {} ({}) carries no data",
                message.id, message.message_type
            )));
        };
        Ok(Some(ReadMessage { fact: crate::read_fact(handler_id, data)? }))
    }

    /// Applies a message read by [`ReadModels::read`].
    pub fn apply_read(&mut self, message: &ReadMessage) -> Result<Applied, MessageError> {
        let before = self.models.events();
        projection::project(&mut self.models, &message.fact)?;
        Ok(if self.models.events() > before { Applied::Recorded } else { Applied::Unchanged })
    }

    /// Adds models rebuilt from another part of a split log (see [`ReadMessage::part`]):
    /// models rebuilt part by part and combined answer every query, and hold as many events,
    /// as models rebuilt from the whole log in order.
    pub fn combine(&mut self, other: ReadModels) -> Result<(), Overlap> {
        self.models.combine(other.models)
    }

    /// Answers a query from these models, exactly as the live context answers it from its store:
    /// any of [`crate::ports::queries`], with its own answer type.
    pub fn answer<Q: ReadModelQuery>(&self, query: Q) -> Result<Q::Answer, QueryError> {
        query.answer_from(&mut &self.models)
    }

    /// How many events these models recorded: as many as the live store holds after the same
    /// messages.
    pub fn events_recorded(&self) -> u64 {
        self.models.events()
    }
}
