//! A unit of work: what one command or one incoming message does to a context, gathered in
//! memory and committed by the runtime as one atomic append (the aggregates' events, the
//! messages they publish, and the inbox mark of the message that caused them).
//!
//! Context code runs against it without any I/O: aggregates come through the
//! [`Repository`] port, time and ids through the unit of work itself.

use std::any::Any;
use std::fmt::Display;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::aggregate::{Aggregate, Env};
use crate::context::PublishedMessage;
use crate::event::{CodecError, EventCodec};
use crate::ids::{CausationId, CorrelationId, EventId, ExpectedVersion, IdSource, StreamId, Version};
use crate::message::{Envelope, MessageId, MessageKind};
use crate::repository::{LoadError, Loaded};
use crate::store::{NewEvent, StreamWrite};
use crate::time::Timestamp;

/// The port through which a unit of work loads aggregates. The runtime's implementation
/// caches hot aggregates and uses snapshots; [`StoreRepository`] simply replays.
pub trait Repository {
    fn load<A: Aggregate>(&mut self, stream: &StreamId) -> Result<Loaded<A>, LoadError>;
}

/// Reads aggregates straight from an event store, with no cache and no snapshots.
pub struct StoreRepository<'s>(pub &'s dyn crate::store::EventStore);

impl Repository for StoreRepository<'_> {
    fn load<A: Aggregate>(&mut self, stream: &StreamId) -> Result<Loaded<A>, LoadError> {
        crate::repository::load::<A>(self.0, &EventCodec::new(), None, stream, crate::store::StreamBound::End)
    }
}

/// Why [`UnitOfWork::execute`] did not produce events.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExecuteError<E> {
    /// The aggregate refused the command.
    #[error(transparent)]
    Rejected(E),
    /// The aggregate could not be loaded or its events encoded.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}

/// A failure that is not the caller's fault: the store, a corrupt record, a codec.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InfrastructureError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("event does not encode: {0}")]
    Encode(#[from] CodecError),
    #[error("message `{message}` does not serialize: {reason}")]
    Publish { message: String, reason: String },
}

/// One aggregate touched by the unit of work.
pub struct Touched {
    pub stream: StreamId,
    /// The version it was loaded at: the expected version of the append.
    pub loaded_version: Version,
    /// Its version after the new events.
    pub version: Version,
    /// Its state after the new events (an `A` for some `A: Aggregate`).
    pub state: Box<dyn Any + Send>,
    pub events: Vec<NewEvent>,
}

/// The port through which a consumer resolves the link of a notification: the runtime asks
/// the owning context's query port, which checks the caller against its access policy.
pub trait LinkResolver {
    fn resolve(&self, caller: &crate::context::Caller, link: &str)
        -> Result<Box<RawValue>, crate::context::QueryError>;
}

pub struct UnitOfWork<'r, R> {
    repository: &'r mut R,
    links: Option<&'r dyn LinkResolver>,
    context: &'static str,
    now: Timestamp,
    ids: &'r dyn IdSource,
    correlation_id: CorrelationId,
    causation_id: CausationId,
    touched: Vec<Touched>,
    outbox: Vec<Envelope>,
}

impl<'r, R: Repository> UnitOfWork<'r, R> {
    /// A unit of work for `context`, caused by `causation_id` within `correlation_id`.
    pub fn new(
        repository: &'r mut R,
        context: &'static str,
        now: Timestamp,
        ids: &'r dyn IdSource,
        correlation_id: CorrelationId,
        causation_id: CausationId,
    ) -> Self {
        Self {
            repository,
            links: None,
            context,
            now,
            ids,
            correlation_id,
            causation_id,
            touched: Vec::new(),
            outbox: Vec::new(),
        }
    }

    /// Lets handlers resolve notification links.
    pub fn with_links(mut self, links: &'r dyn LinkResolver) -> Self {
        self.links = Some(links);
        self
    }

    /// Resolves a notification's link, as this context.
    pub fn resolve(&self, link: &str) -> Result<Box<RawValue>, crate::context::QueryError> {
        let caller = crate::context::Caller::Context(self.context.to_owned());
        match self.links {
            Some(links) => links.resolve(&caller, link),
            None => Err(crate::context::QueryError::NotFound(format!("no link resolver to resolve `{link}`"))),
        }
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn ids(&self) -> &dyn IdSource {
        self.ids
    }

    pub fn correlation_id(&self) -> CorrelationId {
        self.correlation_id
    }

    fn position_of<A: Aggregate>(&mut self, stream: &StreamId) -> Result<usize, LoadError> {
        if let Some(i) = self.touched.iter().position(|t| t.stream == *stream) {
            return Ok(i);
        }
        let loaded = self.repository.load::<A>(stream)?;
        self.touched.push(Touched {
            stream: stream.clone(),
            loaded_version: loaded.version,
            version: loaded.version,
            state: Box::new(loaded.state),
            events: Vec::new(),
        });
        Ok(self.touched.len() - 1)
    }

    /// The current state of an aggregate, including what this unit of work did to it.
    pub fn load<A: Aggregate>(&mut self, id: &impl Display) -> Result<(A, Version), LoadError> {
        let stream = StreamId::for_aggregate(A::CATEGORY, id);
        let i = self.position_of::<A>(&stream)?;
        let touched = &self.touched[i];
        let state = touched.state.downcast_ref::<A>().expect("a stream holds one aggregate type");
        Ok((state.clone(), touched.version))
    }

    /// Loads the aggregate `id`, lets it decide on `command`, and records the events.
    pub fn execute<A: Aggregate>(
        &mut self,
        id: &impl Display,
        command: &A::Command,
    ) -> Result<Vec<A::Event>, ExecuteError<A::Error>> {
        let stream = StreamId::for_aggregate(A::CATEGORY, id);
        let i = self.position_of::<A>(&stream).map_err(InfrastructureError::from)?;
        let env = Env { now: self.now, ids: self.ids };
        let codec = EventCodec::<A::Event>::new();
        let touched = &mut self.touched[i];
        let state = touched.state.downcast_mut::<A>().expect("a stream holds one aggregate type");
        let events = state.decide(command, &env).map_err(ExecuteError::Rejected)?;
        let mut encoded = Vec::with_capacity(events.len());
        for event in &events {
            let enc = codec.encode(event).map_err(InfrastructureError::from)?;
            encoded.push(NewEvent {
                id: EventId::generate(self.ids),
                event_type: enc.event_type,
                schema_version: enc.schema_version,
                payload: enc.payload,
                correlation_id: self.correlation_id,
                causation_id: self.causation_id,
            });
        }
        for event in &events {
            state.evolve(event);
        }
        touched.version = Version::new(touched.version.get() + events.len() as u64);
        touched.events.extend(encoded);
        Ok(events)
    }

    /// Publishes a message of this context's published language, about `subject`, once the
    /// unit of work commits.
    pub fn publish(
        &mut self,
        message: &'static PublishedMessage,
        subject: &impl Display,
        data: &impl Serialize,
    ) -> Result<MessageId, InfrastructureError> {
        let data = serde_json::value::to_raw_value(data)
            .map_err(|e| InfrastructureError::Publish { message: message.name.to_owned(), reason: e.to_string() })?;
        let id = MessageId::generate(self.ids);
        self.outbox.push(Envelope {
            specversion: Envelope::SPEC_VERSION.into(),
            id,
            source: Envelope::source_of(self.context),
            message_type: message.message_type(self.context),
            subject: Some(subject.to_string()),
            time: self.now,
            datacontenttype: Envelope::JSON.into(),
            dataschema: Some(format!("/schemas/{}/{}.v{}.json", self.context, message.name, message.version)),
            kind: message.kind,
            schemaversion: message.version,
            correlationid: self.correlation_id,
            causationid: self.causation_id,
            traceparent: None,
            recipient: None,
            dataref: None,
            data: Some(data),
        });
        Ok(id)
    }

    /// Sends a command to another context once the unit of work commits. The command's type
    /// is the recipient's (`bookbox.<recipient>.<name>.v<version>`); `data` is this
    /// context's own model of it. The recipient answers with events.
    pub fn send(
        &mut self,
        recipient: &str,
        name: &str,
        version: u32,
        subject: &impl Display,
        data: &impl Serialize,
    ) -> Result<MessageId, InfrastructureError> {
        let data = serde_json::value::to_raw_value(data)
            .map_err(|e| InfrastructureError::Publish { message: name.to_owned(), reason: e.to_string() })?;
        let id = MessageId::generate(self.ids);
        self.outbox.push(Envelope {
            specversion: Envelope::SPEC_VERSION.into(),
            id,
            source: Envelope::source_of(self.context),
            message_type: crate::message::message_type(recipient, name, version),
            subject: Some(subject.to_string()),
            time: self.now,
            datacontenttype: Envelope::JSON.into(),
            dataschema: Some(format!("/schemas/{recipient}/{name}.v{version}.json")),
            kind: MessageKind::Command,
            schemaversion: version,
            correlationid: self.correlation_id,
            causationid: self.causation_id,
            traceparent: None,
            recipient: Some(recipient.to_owned()),
            dataref: None,
            data: Some(data),
        });
        Ok(id)
    }

    /// Asks to be woken at `at` with `payload` (see [`crate::deadline`]): the runtime calls
    /// the context's `on_deadline` with them once the clock passes `at`. Scheduling the same
    /// key again moves the deadline.
    pub fn schedule(
        &mut self,
        key: &str,
        at: Timestamp,
        payload: &impl Serialize,
    ) -> Result<(), ExecuteError<crate::deadline::TimerError>> {
        let payload = serde_json::to_value(payload).map_err(|e| InfrastructureError::Publish {
            message: format!("deadline `{key}`"),
            reason: e.to_string(),
        })?;
        let command = crate::deadline::TimerCommand::Schedule { key: key.to_owned(), at, payload };
        self.execute::<crate::deadline::Timers>(&crate::deadline::shard_of(key), &command).map(|_| ())
    }

    /// Cancels the deadline `key`, if it is pending.
    pub fn cancel_deadline(&mut self, key: &str) -> Result<(), ExecuteError<crate::deadline::TimerError>> {
        let command = crate::deadline::TimerCommand::Cancel { key: key.to_owned() };
        self.execute::<crate::deadline::Timers>(&crate::deadline::shard_of(key), &command).map(|_| ())
    }

    /// Whether the unit of work did anything.
    pub fn is_empty(&self) -> bool {
        self.outbox.is_empty() && self.touched.iter().all(|t| t.events.is_empty())
    }

    /// What the runtime commits: the writes (with the versions they were loaded at as
    /// expected versions), the outbox, and every touched aggregate's new state.
    pub fn finish(self) -> Finished {
        let mut writes = Vec::new();
        let mut states = Vec::new();
        for t in self.touched {
            if !t.events.is_empty() {
                writes.push(StreamWrite {
                    stream: t.stream.clone(),
                    expected: ExpectedVersion::from_seen(t.loaded_version),
                    events: t.events,
                });
                states.push((t.stream, t.version, t.state));
            }
        }
        Finished { writes, outbox: self.outbox, states }
    }
}

/// A finished unit of work, ready to commit.
pub struct Finished {
    pub writes: Vec<StreamWrite>,
    pub outbox: Vec<Envelope>,
    /// Each written aggregate's state after the commit, for the runtime's cache.
    pub states: Vec<(StreamId, Version, Box<dyn Any + Send>)>,
}

/// Decodes a message payload into the consumer's own model, naming the message on failure.
pub fn decode_data<T: serde::de::DeserializeOwned>(envelope: &Envelope) -> Result<T, String> {
    let data = envelope.data.as_deref().ok_or_else(|| format!("message {} has no data", envelope.id))?;
    decode_raw(data)
}

/// Decodes a raw payload into the consumer's own model.
pub fn decode_raw<T: serde::de::DeserializeOwned>(data: &RawValue) -> Result<T, String> {
    serde_json::from_str(data.get()).map_err(|e| e.to_string())
}
