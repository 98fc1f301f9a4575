//! Rebuilding reporting's read models from the other contexts' published logs (kappa: the log
//! that feeds the live models feeds the rebuild), optionally as of a past time.
//!
//! [`rebuild_reporting`] is the one implementation, used by `bookbox replay reporting` (over
//! the stores of a data directory) and by the HTTP report queries' `as_of` (over the running
//! server's stores). It is self-contained: it reads only the stores it is given, through the
//! `EventStore` port, and builds a fresh [`ReadModels`] in memory; it never touches
//! reporting's own store or the live models.

use kernel::store::{EventStore, OutboxSeq, StoreError};
use kernel::Timestamp;
use reporting::ports::ReadModels;

/// How many outbox entries are read from a store at once.
const OUTBOX_BATCH: usize = 4_096;

/// Where a rebuild is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Every log is read: this many messages are to be applied.
    Gathered(u64),
    /// This many messages are applied so far (reported after each one).
    Applied(u64),
}

/// Rebuilt read models, and what went into them.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    pub models: ReadModels,
    /// Messages applied: those reporting consumes, published at or before the time asked.
    pub messages: u64,
    /// Of them, those the models refused (that do not read; the live context would have
    /// dead-lettered them). The models are as if they had never been published.
    pub refused: u64,
}

/// Rebuilds reporting's read models from the published messages (the outboxes) of `logs`,
/// given as `(context name, its store)`; reporting's own store, if among them, is skipped (it
/// publishes nothing). With `as_of`, only the messages published at or before that time count
/// (their CloudEvents `time`), which gives the models as they were then; without it, every
/// message, which gives what the live models answer once every message is delivered.
///
/// Order: the messages reporting consumes are applied in publication time; messages published
/// at the same time in producer name order, and each producer's in its outbox order. (Every
/// reporting rule holds whatever order different producers' messages arrive in, so this only
/// makes a rebuild reproducible.)
///
/// `progress` hears [`Progress::Gathered`] once the logs are read, then [`Progress::Applied`]
/// after each message. Reading a store fails the whole rebuild.
pub fn rebuild_reporting<'a>(
    logs: impl IntoIterator<Item = (&'a str, &'a dyn EventStore)>,
    as_of: Option<Timestamp>,
    mut progress: impl FnMut(Progress),
) -> Result<Rebuilt, StoreError> {
    let mut messages = Vec::new();
    for (name, store) in logs {
        if name == reporting::CONTEXT.name {
            continue;
        }
        let mut after = OutboxSeq(0);
        loop {
            let batch = store.read_outbox(after, OUTBOX_BATCH)?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for entry in batch {
                let envelope = entry.envelope;
                if ReadModels::consumes(&envelope.message_type) && as_of.is_none_or(|t| envelope.time <= t) {
                    messages.push((envelope.time, name, entry.seq, envelope));
                }
            }
        }
    }
    messages.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    progress(Progress::Gathered(messages.len() as u64));
    let mut models = ReadModels::new();
    let (mut applied, mut refused) = (0, 0);
    for (_, _, _, envelope) in &messages {
        if models.apply(envelope).is_err() {
            refused += 1;
        }
        applied += 1;
        progress(Progress::Applied(applied));
    }
    Ok(Rebuilt { models, messages: applied, refused })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::ids::SequentialIds;
    use kernel::message::{Envelope, MessageKind};
    use kernel::store::AppendRequest;
    use kernel::testing::incoming;
    use kernel::time::ManualClock;
    use kernel::InMemoryEventStore;
    use reporting::ports::{ReportingAnswer, ReportingQuery};

    const TEXAS: &str = r#"{"order_id":"0d4c3b2a-1f0e-4d9c-8b7a-695847362514","customer_id":"b1eece00-5678-4abc-9def-665544332211",
      "month":"2026-04","end_state":"delivered","captured":{"amount_cents":1499,"currency":"USD"},
      "refunded":{"amount_cents":0,"currency":"USD"},"shipping_state":"TX"}"#;
    const OHIO: &str = r#"{"order_id":"1d4c3b2a-1f0e-4d9c-8b7a-695847362514","customer_id":"b1eece00-5678-4abc-9def-665544332211",
      "month":"2026-04","end_state":"delivered","captured":{"amount_cents":2000,"currency":"USD"},
      "refunded":{"amount_cents":0,"currency":"USD"},"shipping_state":"OH"}"#;

    fn ended(ids: &SequentialIds, data: &str, at: &str) -> Envelope {
        let mut envelope = incoming(ids, "orders", "order-ended", 1, MessageKind::DomainEvent, "order", data);
        envelope.time = Timestamp::parse(at).unwrap();
        envelope
    }

    fn ended_orders(models: &ReadModels) -> u64 {
        match models.query(&ReportingQuery::SalesByState { state: None }) {
            Ok(ReportingAnswer::SalesByState(view)) => view.total.ended,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_rebuild_as_of_a_time_applies_what_was_published_by_then() {
        // Arrange: orders published two ended orders, a day apart.
        let ids = SequentialIds::new(7);
        let clock = std::sync::Arc::new(ManualClock::new(Timestamp::parse("2026-05-03T00:00:00Z").unwrap()));
        let orders = InMemoryEventStore::new("orders", clock);
        let outbox = vec![ended(&ids, TEXAS, "2026-05-01T00:00:00Z"), ended(&ids, OHIO, "2026-05-02T00:00:00Z")];
        orders.append(AppendRequest::default().with_outbox(outbox)).unwrap();
        let logs = || [("orders", &orders as &dyn EventStore)];

        // Act.
        let mut heard = Vec::new();
        let before = rebuild_reporting(logs(), Some(Timestamp::parse("2026-04-30T00:00:00Z").unwrap()), |_| {});
        let between =
            rebuild_reporting(logs(), Some(Timestamp::parse("2026-05-01T12:00:00Z").unwrap()), |p| heard.push(p));
        let now = rebuild_reporting(logs(), None, |_| {});

        // Assert.
        let (before, between, now) = (before.unwrap(), between.unwrap(), now.unwrap());
        assert_eq!((before.messages, between.messages, now.messages), (0, 1, 2));
        assert_eq!(ended_orders(&before.models), 0);
        assert_eq!(ended_orders(&between.models), 1);
        assert_eq!(ended_orders(&now.models), 2);
        assert_eq!(heard, [Progress::Gathered(1), Progress::Applied(1)]);
        assert_eq!(now.refused, 0);
    }
}
