//! Runs one bounded context in memory, as the runtime would but without threads or a bus:
//! commands commit atomically, messages are delivered through the inbox (so redelivery has
//! no second effect), and what the context publishes is collected for assertions.

use std::sync::Arc;

use serde_json::value::RawValue;

use crate::aggregate::Aggregate;
use crate::context::{Answers, BoundedContext, Caller, Command, HandleError, Handles, MessageError, Query, QueryError};
use crate::ids::{CausationId, CorrelationId, SequentialIds};
use crate::memory::InMemoryEventStore;
use crate::message::Envelope;
use crate::store::{AppendError, AppendRequest, EventStore, InboxMark, OutboxSeq};
use crate::time::{Clock, ManualClock, Timestamp};
use crate::unit_of_work::{LinkResolver, Repository, StoreRepository, UnitOfWork};

pub struct ContextHarness<C: BoundedContext> {
    pub context: C,
    pub store: InMemoryEventStore,
    pub clock: Arc<ManualClock>,
    pub ids: SequentialIds,
    /// Outbox messages already returned by [`ContextHarness::take_published`].
    seen: OutboxSeq,
}

/// What delivering a message did.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    Processed,
    /// The inbox already held it: nothing happened.
    Duplicate,
    /// No handler of this context subscribes to the message's type.
    NotSubscribed,
}

impl<C: BoundedContext> ContextHarness<C> {
    /// Hosts `context`. Panics if its declaration does not consume exactly what its inbox
    /// handles, so every context's tests catch a second, drifting list.
    pub fn new(context: C) -> Self {
        if let Err(drift) = crate::inbox::declared_by_inbox::<C>() {
            panic!("{drift}");
        }
        let clock = Arc::new(ManualClock::new(Timestamp::parse("2026-01-01T00:00:00Z").expect("valid")));
        let store = InMemoryEventStore::new(C::CONTEXT.name, clock.clone());
        Self { context, store, clock, ids: SequentialIds::new(1), seen: OutboxSeq(0) }
    }

    fn commit(&self, finished: crate::unit_of_work::Finished, inbox: Option<InboxMark>) -> Result<(), AppendError> {
        if finished.writes.is_empty() && finished.outbox.is_empty() && inbox.is_none() {
            return Ok(());
        }
        self.store.append(AppendRequest { writes: finished.writes, outbox: finished.outbox, inbox }).map(|_| ())
    }

    /// Handles a command and commits what it did.
    pub fn execute<K>(&self, command: K) -> Result<K::Reply, HandleError<C::Error>>
    where
        K: Command,
        C: Handles<K>,
    {
        let cause = CausationId::generate(&self.ids);
        let mut repository = StoreRepository(&self.store);
        let mut uow = UnitOfWork::new(
            &mut repository,
            C::CONTEXT.name,
            self.clock.now(),
            &self.ids,
            cause.as_correlation(),
            cause,
        );
        let reply = self.context.handle(command, &mut uow)?;
        let finished = uow.finish();
        self.commit(finished, None).expect("a single-threaded harness commits without conflict");
        Ok(reply)
    }

    /// Delivers a message to every handler of this context that subscribes to its type.
    pub fn deliver(&self, message: &Envelope) -> Result<Delivery, MessageError> {
        self.deliver_with_links(message, None)
    }

    /// Delivers a message, resolving notification links through `links`.
    pub fn deliver_with_links(
        &self,
        message: &Envelope,
        links: Option<&dyn LinkResolver>,
    ) -> Result<Delivery, MessageError> {
        let handlers: Vec<_> = C::CONTEXT.consumes.iter().filter(|s| s.message_type == message.message_type).collect();
        if handlers.is_empty() {
            return Ok(Delivery::NotSubscribed);
        }
        let mut outcome = Delivery::Duplicate;
        for subscription in handlers {
            if self.deliver_to_handler(subscription.handler_id, message, links)? == Delivery::Processed {
                outcome = Delivery::Processed;
            }
        }
        Ok(outcome)
    }

    /// Delivers a message to one handler, by its id, as the runtime does once it has routed
    /// the message: through the inbox, whatever the message's type. An id the context's inbox
    /// does not declare is refused.
    pub fn deliver_to(&self, handler_id: &str, message: &Envelope) -> Result<Delivery, MessageError> {
        self.deliver_to_handler(handler_id, message, None)
    }

    fn deliver_to_handler(
        &self,
        handler_id: &str,
        message: &Envelope,
        links: Option<&dyn LinkResolver>,
    ) -> Result<Delivery, MessageError> {
        let mark = InboxMark { consumer: handler_id.to_owned(), message_id: message.id };
        if self.store.is_processed(&mark).map_err(crate::repository::LoadError::from)? {
            return Ok(Delivery::Duplicate);
        }
        let mut repository = StoreRepository(&self.store);
        let mut uow = UnitOfWork::new(
            &mut repository,
            C::CONTEXT.name,
            self.clock.now(),
            &self.ids,
            message.correlationid,
            CausationId::from_uuid(message.id.as_uuid()),
        );
        if let Some(links) = links {
            uow = uow.with_links(links);
        }
        self.context.on_message(handler_id, message, &mut uow)?;
        let finished = uow.finish();
        self.commit(finished, Some(mark)).expect("a single-threaded harness commits without conflict");
        Ok(Delivery::Processed)
    }

    /// Moves the clock to `now` and fires every deadline due by then, each in its own unit
    /// of work with what the context did about it. Returns the keys fired, in order.
    pub fn advance_to(&self, now: Timestamp) -> Result<Vec<String>, MessageError> {
        self.clock.set(now);
        let mut fired = Vec::new();
        for shard in 0..crate::deadline::SHARDS {
            let stream = crate::ids::StreamId::for_aggregate(crate::deadline::Timers::CATEGORY, shard);
            let timers = StoreRepository(&self.store).load::<crate::deadline::Timers>(&stream)?.state;
            for (key, deadline) in timers.due(now) {
                let cause = CausationId::generate(&self.ids);
                let mut repository = StoreRepository(&self.store);
                let mut uow =
                    UnitOfWork::new(&mut repository, C::CONTEXT.name, now, &self.ids, cause.as_correlation(), cause);
                // Fired first, so a handler may schedule the same key again.
                uow.execute::<crate::deadline::Timers>(
                    &shard,
                    &crate::deadline::TimerCommand::Fire { key: key.clone() },
                )
                .map_err(|e| MessageError::Failed(e.to_string()))?;
                self.context.on_deadline(&key, &deadline.payload, &mut uow)?;
                self.commit(uow.finish(), None).expect("a single-threaded harness commits without conflict");
                fired.push(key);
            }
        }
        Ok(fired)
    }

    /// Answers a query.
    pub fn query<Q>(&self, query: Q) -> Result<Q::Answer, QueryError>
    where
        Q: Query,
        C: Answers<Q>,
    {
        self.context.answer(query, &mut StoreRepository(&self.store))
    }

    /// Resolves a link of this context's notifications for `caller`.
    pub fn resolve(&self, caller: &Caller, link: &str) -> Result<Box<RawValue>, QueryError> {
        self.context.resolve(caller, link, &mut StoreRepository(&self.store))
    }

    /// The messages published since the last call, in outbox order.
    pub fn take_published(&mut self) -> Vec<Envelope> {
        let entries = self.store.read_outbox(self.seen, usize::MAX).expect("in-memory outbox reads");
        if let Some(last) = entries.last() {
            self.seen = last.seq;
        }
        entries.into_iter().map(|e| e.envelope).collect()
    }

    /// A new correlation id, e.g. to build an incoming message by hand.
    pub fn new_correlation(&self) -> CorrelationId {
        CorrelationId::generate(&self.ids)
    }
}

/// The refusal in a command's result, for tests that expect one: panics, saying what came
/// instead, if the command was accepted or failed for another reason.
pub fn refusal<T: std::fmt::Debug, E: std::fmt::Debug>(result: Result<T, HandleError<E>>) -> E {
    match result {
        Err(HandleError::Rejected(error)) => error,
        Err(HandleError::Infrastructure(error)) => panic!("expected a refusal, but the system failed: {error}"),
        Ok(reply) => panic!("expected a refusal, but the command was accepted: {reply:?}"),
    }
}

/// Builds a message as another context would have published it: for consumer tests, which
/// must not depend on the producer's crate. `data` is JSON (typically a committed example).
pub fn incoming(
    ids: &dyn crate::ids::IdSource,
    source_context: &str,
    name: &str,
    version: u32,
    kind: crate::message::MessageKind,
    subject: &str,
    data: &str,
) -> Envelope {
    Envelope {
        specversion: Envelope::SPEC_VERSION.into(),
        id: crate::message::MessageId::generate(ids),
        source: Envelope::source_of(source_context),
        message_type: crate::message::message_type(source_context, name, version),
        subject: Some(subject.to_owned()),
        time: Timestamp::from_micros(0),
        datacontenttype: Envelope::JSON.into(),
        dataschema: None,
        kind,
        schemaversion: version,
        correlationid: CorrelationId::generate(ids),
        causationid: CausationId::generate(ids),
        traceparent: None,
        recipient: None,
        dataref: None,
        data: Some(RawValue::from_string(data.trim().to_owned()).expect("test message data is JSON")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::MessageKind;
    use crate::testing::sample::{CounterContext, Increment, ValueOf, COUNTER_CONTEXT};

    #[test]
    fn commands_commit_events_and_messages_together() {
        let mut harness = ContextHarness::new(CounterContext);
        let reply = harness.execute(Increment { counter: 7, by: 5 }).unwrap();
        assert_eq!(reply, 5);
        let published = harness.take_published();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].message_type, "bookbox.counting.counted.v1");
        assert_eq!(published[0].data.as_ref().unwrap().get(), r#"{"counter":7,"value":5}"#);
        let rejected = harness.execute(Increment { counter: 7, by: 0 });
        assert!(matches!(rejected, Err(HandleError::Rejected(_))));
        assert!(harness.take_published().is_empty(), "a rejected command publishes nothing");
    }

    #[test]
    fn a_redelivered_message_has_no_second_effect() {
        let harness = ContextHarness::new(CounterContext);
        let message =
            incoming(&harness.ids, "elsewhere", "thing-happened", 1, MessageKind::DomainEvent, "7", r#"{"counter":7}"#);
        assert_eq!(harness.deliver(&message).unwrap(), Delivery::Processed);
        assert_eq!(harness.deliver(&message).unwrap(), Delivery::Duplicate);
        assert_eq!(harness.query(ValueOf(7)).unwrap(), 1);
        let other = incoming(&harness.ids, "elsewhere", "other", 1, MessageKind::DomainEvent, "7", "{}");
        assert_eq!(harness.deliver(&other).unwrap(), Delivery::NotSubscribed);
        assert_eq!(COUNTER_CONTEXT.consumes[0].handler_id, "counting.on-thing-happened");
    }

    #[test]
    fn a_message_that_does_not_decode_is_an_error_and_leaves_no_mark() {
        let harness = ContextHarness::new(CounterContext);
        let message =
            incoming(&harness.ids, "elsewhere", "thing-happened", 1, MessageKind::DomainEvent, "7", r#"{"nope":1}"#);
        assert!(matches!(harness.deliver(&message), Err(MessageError::Decode(_))));
        assert_eq!(harness.query(ValueOf(7)).unwrap(), 0);
    }
}
