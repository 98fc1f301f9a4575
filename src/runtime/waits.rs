//! Read-your-writes: waiting until what a command wrote has reached the readers downstream.
//! [`RuntimeHandle::wait_for_delivery`] waits for every consumer, [`RuntimeHandle::wait_for_consumer`]
//! for one (through its inbox marks), by the same routing rule the router delivers by
//! ([`super::routing::receives`]).

use std::time::{Duration, Instant};

use kernel::context::Subscription;
use kernel::ids::Position;
use kernel::message::{Envelope, MessageKind};
use kernel::store::{EventStore, InboxMark, OutboxSeq, StoreError};

use super::routing::receives;
use super::{HostedContext, RuntimeError, RuntimeHandle};

/// Why [`RuntimeHandle::wait_for_consumer`] did not see a consumer catch up with a write.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WaitError {
    #[error("no context named `{0}` is hosted")]
    UnknownContext(String),
    /// The consumer subscribes to nothing the producer publishes: no write of the producer
    /// ever reaches it, so there is nothing to wait for.
    #[error("`{consumer}` consumes nothing `{producer}` publishes")]
    NotAConsumer { consumer: String, producer: String },
    /// The producer's log has not reached the position (yet, or ever).
    #[error(
        "`{producer}` has not committed position {position} (its log is at {reached}); waited {} ms",
        waited.as_millis()
    )]
    NotCommitted { producer: String, position: Position, reached: Position, waited: Duration },
    /// The position is committed, but the consumer has not processed all it published.
    #[error(
        "`{consumer}` has not processed every message `{producer}` published up to position {position} \
         (it is done up to outbox entry {processed_up_to} of {target}); waited {} ms",
        waited.as_millis()
    )]
    NotProcessed {
        consumer: String,
        producer: String,
        position: Position,
        /// The producer's outbox entries the consumer is done with: `1..=processed_up_to`.
        processed_up_to: u64,
        /// The last outbox entry to wait for.
        target: u64,
        waited: Duration,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RuntimeHandle {
    /// Read-your-writes: waits until every message `producer` published in commits up to
    /// `position` (a command's `Executed::position`) has been processed by every consumer,
    /// so a read model downstream reflects that write. Fails with a clear error after
    /// `timeout`. A producer whose messages no one consumes is caught up as soon as the write
    /// is committed and its relay has passed it.
    pub fn wait_for_delivery(&self, producer: &str, position: Position, timeout: Duration) -> Result<(), RuntimeError> {
        let host = self.host(producer)?;
        let store = &host.storage.events;
        let deadline = Instant::now() + timeout;
        let target = match committed_outbox(store.as_ref(), position, deadline)? {
            Ok(target) => target,
            Err(reached) => {
                return Err(RuntimeError::NotSettled(
                    timeout,
                    format!("`{producer}` has not committed position {position} (it is at {reached})"),
                ))
            }
        };
        loop {
            let delivered = store.outbox_delivered()?;
            if delivered >= target {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(RuntimeError::NotSettled(
                    timeout,
                    format!(
                        "the messages `{producer}` published up to position {position} are not all processed \
                         (delivered {} of {})",
                        delivered.0, target.0
                    ),
                ));
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Read-your-writes for one reader: waits until `consumer` has processed (committed the
    /// effects of) every message `producer` published in commits up to `position`, so the
    /// consumer's read models reflect that write. Unlike [`Self::wait_for_delivery`] it does
    /// not wait for the producer's other consumers (a stopped one does not hold it up).
    ///
    /// Blocks (polling the stores) for at most `timeout`, also when the producer has not even
    /// reached `position`. A message the consumer dead-lettered counts as processed once every
    /// other consumer is done with it too (the producer's delivery cursor has passed it).
    ///
    /// Fails with [`WaitError::NotAConsumer`] when `consumer` subscribes to none of the
    /// messages `producer` publishes: no write of the producer ever reaches it.
    pub fn wait_for_consumer(
        &self,
        consumer: &str,
        producer: &str,
        position: Position,
        timeout: Duration,
    ) -> Result<(), WaitError> {
        let unknown = |name: &str| WaitError::UnknownContext(name.to_owned());
        let producer = self.shared.host(producer).ok_or_else(|| unknown(producer))?;
        let consumer = self.shared.host(consumer).ok_or_else(|| unknown(consumer))?;
        let reader = Reader::of(&consumer, &producer)?;
        if position == Position::START {
            return Ok(());
        }
        let started = Instant::now();
        let deadline = started + timeout;
        let store = producer.storage.events.as_ref();
        let target = committed_outbox(store, position, deadline)?.map_err(|reached| WaitError::NotCommitted {
            producer: reader.producer.to_owned(),
            position,
            reached,
            waited: started.elapsed(),
        })?;
        // Everything at or below `done` is processed by the consumer.
        let mut done = OutboxSeq(0);
        loop {
            done = reader.processed_from(
                done.max(store.outbox_delivered()?),
                target,
                store,
                consumer.storage.events.as_ref(),
            )?;
            if done >= target {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(WaitError::NotProcessed {
                    consumer: reader.consumer.to_owned(),
                    producer: reader.producer.to_owned(),
                    position,
                    processed_up_to: done.0,
                    target: target.0,
                    waited: started.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// One consumer reading one producer: the subscriptions through which the producer's
/// messages reach it.
struct Reader {
    consumer: &'static str,
    producer: &'static str,
    subscriptions: Vec<&'static Subscription>,
}

impl Reader {
    fn of(consumer: &HostedContext, producer: &HostedContext) -> Result<Self, WaitError> {
        let (consumer, producer) = (consumer.descriptor, producer.descriptor);
        let published: Vec<String> = producer.publishes.iter().map(|m| m.message_type(producer.name)).collect();
        let subscriptions: Vec<&'static Subscription> = consumer
            .consumes
            .iter()
            .filter(|s| published.iter().any(|t| t == s.message_type))
            // A context receives its own messages only when they are commands.
            .filter(|s| consumer.name != producer.name || s.kind == MessageKind::Command)
            .collect();
        if subscriptions.is_empty() {
            let (consumer, producer) = (consumer.name.to_owned(), producer.name.to_owned());
            return Err(WaitError::NotAConsumer { consumer, producer });
        }
        Ok(Self { consumer: consumer.name, producer: producer.name, subscriptions })
    }

    /// The handlers of the consumer the router hands `envelope` to.
    fn handlers<'e>(&'e self, envelope: &'e Envelope) -> impl Iterator<Item = &'static str> + 'e {
        self.subscriptions
            .iter()
            .filter(move |s| s.message_type == envelope.message_type)
            .filter(move |_| receives(self.consumer, self.producer, envelope))
            .map(|s| s.handler_id)
    }

    /// Scans the producer's outbox after `done` (up to `target`) while the consumer's inbox
    /// holds every delivery of each entry; answers the last entry so processed.
    fn processed_from(
        &self,
        mut done: OutboxSeq,
        target: OutboxSeq,
        outbox: &dyn EventStore,
        inbox: &dyn EventStore,
    ) -> Result<OutboxSeq, StoreError> {
        while done < target {
            let batch = outbox.read_outbox(done, 256)?;
            if batch.is_empty() {
                return Ok(done);
            }
            for entry in batch {
                if entry.seq > target {
                    return Ok(target);
                }
                for handler_id in self.handlers(&entry.envelope) {
                    let mark = InboxMark { consumer: handler_id.to_owned(), message_id: entry.envelope.id };
                    if !inbox.is_processed(&mark)? {
                        return Ok(done);
                    }
                }
                done = entry.seq;
            }
        }
        Ok(done)
    }
}

/// Waits (until `deadline`) for `store`'s log to reach `position`; then answers the last
/// outbox sequence number committed so far, an upper bound of what the commits up to
/// `position` published (outbox sequence numbers and positions grow in commit order). Answers
/// `Err(where the log is)` if the deadline passes first.
fn committed_outbox(
    store: &dyn EventStore,
    position: Position,
    deadline: Instant,
) -> Result<Result<OutboxSeq, Position>, StoreError> {
    loop {
        let reached = store.last_position()?;
        if reached >= position {
            let mut last = store.outbox_delivered()?;
            loop {
                let batch = store.read_outbox(last, 4096)?;
                match batch.last() {
                    Some(entry) => last = entry.seq,
                    None => return Ok(Ok(last)),
                }
            }
        }
        if Instant::now() >= deadline {
            return Ok(Err(reached));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
