//! The `EventStore` port: append-only streams with optimistic concurrency, a global log with
//! a total order, an outbox that commits atomically with the events, an inbox that makes a
//! consumer idempotent, and snapshots.
//!
//! Every adapter (in memory here, sled in the `bookbox` crate) plans its commits with
//! [`plan_commit`], so the rules of what may be appended live in one place, and passes the
//! conformance suite in `kernel::testing::conformance`.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::ids::{CausationId, CorrelationId, EventId, ExpectedVersion, Position, StreamId, Version};
use crate::message::{Envelope, MessageId};
use crate::time::Timestamp;

/// An event about to be appended.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: EventId,
    pub event_type: String,
    pub schema_version: u32,
    pub payload: Box<RawValue>,
    pub correlation_id: CorrelationId,
    pub causation_id: CausationId,
}

/// Events for one stream, with the version the writer expects the stream to be at.
#[derive(Debug, Clone)]
pub struct StreamWrite {
    pub stream: StreamId,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// A consumer's record that it processed a message: committed with what the message caused,
/// so a redelivered message has no second effect.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct InboxMark {
    /// The stable id of the handler that processed the message (not a type name).
    pub consumer: String,
    pub message_id: MessageId,
}

/// One atomic unit of work: all of it commits, or none of it.
#[derive(Debug, Clone, Default)]
pub struct AppendRequest {
    pub writes: Vec<StreamWrite>,
    /// Messages to publish once this commits (the outbox).
    pub outbox: Vec<Envelope>,
    pub inbox: Option<InboxMark>,
}

impl AppendRequest {
    /// Events for one stream and nothing else.
    pub fn events(stream: StreamId, expected: ExpectedVersion, events: Vec<NewEvent>) -> Self {
        Self { writes: vec![StreamWrite { stream, expected, events }], ..Self::default() }
    }

    pub fn with_outbox(mut self, outbox: Vec<Envelope>) -> Self {
        self.outbox = outbox;
        self
    }

    pub fn with_inbox(mut self, inbox: InboxMark) -> Self {
        self.inbox = Some(inbox);
        self
    }

    pub fn event_count(&self) -> usize {
        self.writes.iter().map(|w| w.events.len()).sum()
    }
}

/// An event as recorded: its at-rest form, with everything the store assigned.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub id: EventId,
    pub stream: StreamId,
    pub version: Version,
    pub position: Position,
    pub recorded_at: Timestamp,
    #[serde(rename = "type")]
    pub event_type: String,
    pub schema_version: u32,
    /// How the payload is encoded; always `json` today.
    pub codec: Codec,
    pub correlation_id: CorrelationId,
    pub causation_id: CausationId,
    pub payload: Box<RawValue>,
}

impl PartialEq for RecordedEvent {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && self.stream == other.stream
            && self.version == other.version
            && self.position == other.position
            && self.recorded_at == other.recorded_at
            && self.event_type == other.event_type
            && self.schema_version == other.schema_version
            && self.codec == other.codec
            && self.correlation_id == other.correlation_id
            && self.causation_id == other.causation_id
            && self.payload.get() == other.payload.get()
    }
}

/// The payload codec named in a record's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Codec {
    Json,
}

/// The place of a message in its context's outbox: a total order, from 1, with no gaps.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OutboxSeq(pub u64);

/// A message waiting in (or delivered from) the outbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: OutboxSeq,
    pub envelope: Envelope,
}

/// What an accepted append did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendReceipt {
    /// The global positions of the appended events, if any: `first..=last`.
    pub positions: Option<(Position, Position)>,
    /// Each written stream's version after the append.
    pub versions: Vec<(StreamId, Version)>,
    /// The outbox sequence numbers given to the messages, if any: `first..=last`.
    pub outbox: Option<(OutboxSeq, OutboxSeq)>,
}

impl AppendReceipt {
    /// The last position written, or `None` when the request had no events.
    pub fn last_position(&self) -> Option<Position> {
        self.positions.map(|(_, last)| last)
    }
}

/// Where a stream read stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamBound {
    /// Read to the end.
    End,
    /// Read up to and including this version (time travel by version).
    Version(Version),
    /// Read the events recorded at or before this time (time travel by time).
    Time(Timestamp),
}

/// A rebuildable copy of an aggregate's state at a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub stream: StreamId,
    pub version: Version,
    /// A hash of the state's shape: a snapshot of another shape is ignored, not mis-decoded.
    pub schema: u64,
    pub state: Vec<u8>,
}

/// The store could not do what was asked, for a reason other than the request itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("corrupt record in context `{context}` at {location}: {reason}")]
    Corrupt { context: String, location: String, reason: String },
    #[error("storage failure in context `{context}`: {reason}")]
    Io { context: String, reason: String },
    #[error("the store of context `{context}` is closed")]
    Closed { context: String },
}

/// Why an append was refused. Nothing of a refused append is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    #[error("concurrency conflict on stream `{stream}`: expected version {expected}, actual version {actual}")]
    Conflict { stream: StreamId, expected: ExpectedVersion, actual: Version },
    #[error("message {message_id} was already processed by `{consumer}`")]
    AlreadyProcessed { consumer: String, message_id: MessageId },
    #[error("invalid append: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Called with the outcome of an [`EventStore::append_async`].
pub type AppendCallback = Box<dyn FnOnce(Result<AppendReceipt, AppendError>) + Send>;

/// The port every context's events go through.
///
/// All methods block until done; `append` returns only once the commit is durable to the
/// degree the adapter documents. Adapters are shared between threads.
pub trait EventStore: Send + Sync {
    /// The context that owns this store (named in errors).
    fn context(&self) -> &str;

    /// Appends events to streams, messages to the outbox and a mark to the inbox, atomically.
    fn append(&self, request: AppendRequest) -> Result<AppendReceipt, AppendError>;

    /// Appends like [`EventStore::append`], calling `done` once the outcome is known (and, if
    /// accepted, durable), possibly on another thread. A writer that does not wait for each
    /// commit can keep many in flight, sharing group commits; adapters that cannot do better
    /// keep this default, which completes before returning.
    ///
    /// Commits are applied in the order `append_async` was called.
    fn append_async(&self, request: AppendRequest, done: AppendCallback) {
        done(self.append(request))
    }

    /// The version of a stream (`Version::INITIAL` if it has no events).
    fn stream_version(&self, stream: &StreamId) -> Result<Version, StoreError>;

    /// Events of a stream with version greater than `after`, up to `until`.
    fn read_stream(
        &self,
        stream: &StreamId,
        after: Version,
        until: StreamBound,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// Up to `max` events of the global log with position greater than `after`, in order.
    fn read_all(&self, after: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// The position of the last event in the global log (`Position::START` when empty).
    fn last_position(&self) -> Result<Position, StoreError>;

    /// Up to `max` outbox messages with sequence greater than `after`, in order.
    fn read_outbox(&self, after: OutboxSeq, max: usize) -> Result<Vec<OutboxEntry>, StoreError>;

    /// The last outbox sequence known delivered (`OutboxSeq(0)` if none).
    fn outbox_delivered(&self) -> Result<OutboxSeq, StoreError>;

    /// Records that every message up to `upto` was delivered. Never moves backwards.
    fn mark_outbox_delivered(&self, upto: OutboxSeq) -> Result<(), StoreError>;

    /// Whether a consumer already processed a message.
    fn is_processed(&self, mark: &InboxMark) -> Result<bool, StoreError>;

    /// The stream's snapshot, if there is one of this schema.
    fn load_snapshot(&self, stream: &StreamId, schema: u64) -> Result<Option<Snapshot>, StoreError>;

    /// Replaces the stream's snapshot.
    fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError>;
}

/// The heads a store knows when it plans a commit.
pub trait Heads {
    fn stream_version(&mut self, stream: &StreamId) -> Result<Version, StoreError>;
    fn is_processed(&mut self, mark: &InboxMark) -> Result<bool, StoreError>;
}

/// A commit about to be written: the request with versions, positions and sequence numbers
/// assigned. Its serialized form is the at-rest record (see [`crate::record`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Commit {
    pub events: Vec<RecordedEvent>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbox: Vec<OutboxEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inbox: Option<InboxMark>,
}

impl Commit {
    pub fn receipt(&self) -> AppendReceipt {
        let mut versions: Vec<(StreamId, Version)> = Vec::new();
        for e in &self.events {
            match versions.iter_mut().find(|(s, _)| *s == e.stream) {
                Some(entry) => entry.1 = e.version,
                None => versions.push((e.stream.clone(), e.version)),
            }
        }
        AppendReceipt {
            positions: self.events.first().zip(self.events.last()).map(|(f, l)| (f.position, l.position)),
            versions,
            outbox: self.outbox.first().zip(self.outbox.last()).map(|(f, l)| (f.seq, l.seq)),
        }
    }
}

/// Checks a request against the store's heads and assigns versions, positions and outbox
/// sequence numbers. Pure: the adapter writes the result (or not) atomically.
pub fn plan_commit(
    request: AppendRequest,
    heads: &mut dyn Heads,
    last_position: Position,
    last_outbox: OutboxSeq,
    now: Timestamp,
) -> Result<Commit, AppendError> {
    if request.writes.is_empty() && request.outbox.is_empty() && request.inbox.is_none() {
        return Err(AppendError::Invalid("the request has no events, no messages and no inbox mark".into()));
    }
    let mut seen = HashSet::new();
    for write in &request.writes {
        if !seen.insert(&write.stream) {
            return Err(AppendError::Invalid(format!("stream `{}` appears twice in one request", write.stream)));
        }
        if write.events.is_empty() {
            return Err(AppendError::Invalid(format!("the write to stream `{}` has no events", write.stream)));
        }
    }
    if let Some(mark) = &request.inbox {
        if heads.is_processed(mark)? {
            return Err(AppendError::AlreadyProcessed { consumer: mark.consumer.clone(), message_id: mark.message_id });
        }
    }
    let mut position = last_position;
    let mut events = Vec::with_capacity(request.event_count());
    for write in request.writes {
        let actual = heads.stream_version(&write.stream)?;
        if !write.expected.admits(actual) {
            return Err(AppendError::Conflict { stream: write.stream, expected: write.expected, actual });
        }
        let mut version = actual;
        for event in write.events {
            version = version.next();
            position = position.next();
            events.push(RecordedEvent {
                id: event.id,
                stream: write.stream.clone(),
                version,
                position,
                recorded_at: now,
                event_type: event.event_type,
                schema_version: event.schema_version,
                codec: Codec::Json,
                correlation_id: event.correlation_id,
                causation_id: event.causation_id,
                payload: event.payload,
            });
        }
    }
    let outbox = request
        .outbox
        .into_iter()
        .zip(last_outbox.0 + 1..)
        .map(|(envelope, seq)| OutboxEntry { seq: OutboxSeq(seq), envelope })
        .collect();
    Ok(Commit { events, outbox, inbox: request.inbox })
}
