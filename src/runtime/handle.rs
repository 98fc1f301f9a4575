//! The handle on a running runtime: commands and queries (each answered with its own type),
//! links, stopping and starting contexts, dead letters, deadlines, settling and shutdown.
//! Read-your-writes waits are in [`super::waits`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kernel::context::{Answers, BoundedContext, Caller, Command, ContextDescriptor, Handles, Query, QueryError};
use kernel::ids::Position;
use kernel::message::MessageId;
use kernel::store::EventStore;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use super::actor::{self, Ask, Execute, Tick};
use super::hosting::{HostedContext, Threads};
use super::storage::DeadLetter;
use super::{CommandError, RouterEvent, RuntimeError, Shared};

/// An accepted, durable command's answer, with the context that wrote it and the last
/// position it wrote there (for read-your-writes).
#[derive(Debug, Clone, PartialEq)]
pub struct Executed<R> {
    pub reply: R,
    pub context: &'static str,
    pub position: Option<Position>,
}

/// Why the context of command `K` refuses it.
pub type RefusalOf<K> = <<K as Command>::Context as BoundedContext>::Error;

/// What command `K` comes to: its own reply, or why not.
pub type CommandResult<K> = Result<Executed<<K as Command>::Reply>, CommandError<RefusalOf<K>>>;

/// Where the answer to a command sent with [`RuntimeHandle::execute_detached`] arrives.
pub type PendingAnswer<K> = oneshot::Receiver<CommandResult<K>>;

/// A running runtime. Cheap to clone; every clone drives the same runtime.
#[derive(Clone)]
pub struct RuntimeHandle {
    pub(crate) shared: Arc<Shared>,
    pub(crate) inner: Arc<Mutex<Option<Threads>>>,
    pub(crate) pending: Arc<AtomicUsize>,
}

impl RuntimeHandle {
    fn host_of<C: BoundedContext>(&self) -> Option<Arc<HostedContext>> {
        self.shared.host(C::CONTEXT.name)
    }

    fn send_execute<K>(&self, command: K) -> Result<PendingAnswer<K>, CommandError<RefusalOf<K>>>
    where
        K: Command,
        K::Context: Handles<K>,
    {
        let host = self.host_of::<K::Context>().ok_or(CommandError::NotHosted)?;
        let addr = host.typed::<K::Context>().ok_or(CommandError::Unavailable(host.descriptor.name))?;
        let (reply, rx) = oneshot::channel();
        addr.do_send(Execute { command, reply });
        Ok(rx)
    }

    /// Executes a command; the answer comes once its events are durable.
    pub async fn execute<K>(&self, command: K) -> CommandResult<K>
    where
        K: Command,
        K::Context: Handles<K>,
    {
        let rx = self.send_execute(command)?;
        rx.await.unwrap_or(Err(CommandError::Unavailable(K::Context::CONTEXT.name)))
    }

    /// Executes a command from a thread that is not running async code.
    pub fn execute_blocking<K>(&self, command: K) -> CommandResult<K>
    where
        K: Command,
        K::Context: Handles<K>,
    {
        let rx = self.send_execute(command)?;
        rx.blocking_recv().unwrap_or(Err(CommandError::Unavailable(K::Context::CONTEXT.name)))
    }

    /// Sends a command without waiting; the returned receiver yields the answer.
    pub fn execute_detached<K>(&self, command: K) -> Result<PendingAnswer<K>, CommandError<RefusalOf<K>>>
    where
        K: Command,
        K::Context: Handles<K>,
    {
        self.send_execute(command)
    }

    fn send_query<Q>(&self, query: Q) -> Result<oneshot::Receiver<Result<Q::Answer, QueryError>>, QueryError>
    where
        Q: Query,
        Q::Context: Answers<Q>,
    {
        let host = self.host_of::<Q::Context>().ok_or_else(|| QueryError::NotFound("context not hosted".into()))?;
        let addr = host
            .typed::<Q::Context>()
            .ok_or_else(|| QueryError::NotFound(format!("context `{}` is stopped", host.descriptor.name)))?;
        let (reply, rx) = oneshot::channel();
        addr.do_send(Ask { query, reply });
        Ok(rx)
    }

    /// Asks a context a question; the answer is the query's own answer type.
    pub async fn query<Q>(&self, query: Q) -> Result<Q::Answer, QueryError>
    where
        Q: Query,
        Q::Context: Answers<Q>,
    {
        let rx = self.send_query(query)?;
        rx.await.unwrap_or_else(|_| Err(QueryError::NotFound("the context stopped before answering".into())))
    }

    pub fn query_blocking<Q>(&self, query: Q) -> Result<Q::Answer, QueryError>
    where
        Q: Query,
        Q::Context: Answers<Q>,
    {
        let rx = self.send_query(query)?;
        rx.blocking_recv().unwrap_or_else(|_| Err(QueryError::NotFound("the context stopped before answering".into())))
    }

    /// Resolves a notification link as `caller`, through the owning context's query port.
    pub fn resolve(&self, caller: &Caller, link: &str) -> Result<Box<RawValue>, QueryError> {
        kernel::unit_of_work::LinkResolver::resolve(&actor::Links(&self.shared), caller, link)
    }

    pub(crate) fn host(&self, name: &str) -> Result<Arc<HostedContext>, RuntimeError> {
        self.shared.host(name).ok_or_else(|| RuntimeError::UnknownContext(name.to_owned()))
    }

    /// Stops a context's actor and its relay, as if its process were down. Messages for it
    /// wait until it starts again.
    pub fn stop_context(&self, name: &str) -> Result<(), RuntimeError> {
        let host = self.host(name)?;
        host.running.store(false, Ordering::Release);
        host.stop();
        Ok(())
    }

    /// Starts a stopped context again, with a cold cache, from its store.
    pub fn start_context(&self, name: &str) -> Result<(), RuntimeError> {
        let host = self.host(name)?;
        host.start(&self.shared);
        host.running.store(true, Ordering::Release);
        let _ = self.shared.router.send(RouterEvent::Started(host.descriptor.name));
        Ok(())
    }

    /// The event store of a context (for queries over its log, and checks).
    pub fn store(&self, name: &str) -> Result<Arc<dyn EventStore>, RuntimeError> {
        Ok(self.host(name)?.storage.events.clone())
    }

    pub fn descriptors(&self) -> Vec<&'static ContextDescriptor> {
        let mut all: Vec<_> = self.shared.hosts().iter().map(|h| h.descriptor).collect();
        all.sort_by_key(|d| d.name);
        all
    }

    /// Whether the named context's actor is running (`None`: no such context is hosted).
    pub fn context_running(&self, name: &str) -> Option<bool> {
        let host = self.shared.host(name)?;
        let running = host.actor.read().unwrap_or_else(|p| p.into_inner()).is_some();
        Some(running)
    }

    pub fn dead_letters(&self, context: &str) -> Result<Vec<DeadLetter>, RuntimeError> {
        Ok(self.host(context)?.storage.dead_letters.list()?)
    }

    /// Takes a dead letter out of the store and delivers it again. Returns whether there
    /// was one.
    pub fn replay_dead_letter(
        &self,
        context: &str,
        message_id: MessageId,
        handler_id: &str,
    ) -> Result<bool, RuntimeError> {
        let host = self.host(context)?;
        let Some(letter) = host.storage.dead_letters.take(message_id, handler_id)? else {
            return Ok(false);
        };
        self.pending.fetch_add(1, Ordering::AcqRel);
        if self.shared.router.send(RouterEvent::Replay { letter: Box::new(letter.clone()) }).is_err() {
            // The router is gone: put the letter back rather than lose it.
            self.pending.fetch_sub(1, Ordering::AcqRel);
            host.storage.dead_letters.put(&letter)?;
            return Ok(false);
        }
        Ok(true)
    }

    /// Fires every deadline due by the clock's now, in every running context; returns how
    /// many fired once their effects are durable. Simulations call it after moving the
    /// clock; a real run's ticker calls it periodically.
    pub fn fire_deadlines(&self) -> usize {
        let mut replies = Vec::new();
        for host in self.shared.hosts() {
            let actor = host.actor.read().unwrap_or_else(|p| p.into_inner());
            if let Some(actor) = actor.as_ref() {
                let (reply, rx) = oneshot::channel();
                actor.tick.do_send(Tick { reply: Some(reply) });
                replies.push(rx);
            }
        }
        replies.into_iter().filter_map(|rx| rx.blocking_recv().ok()).sum()
    }

    /// Waits until every committed message has been delivered and processed (or
    /// dead-lettered) and nothing is in flight.
    pub fn settle(&self, timeout: Duration) -> Result<(), RuntimeError> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut waiting = Vec::new();
            for host in self.shared.hosts() {
                if !host.running.load(Ordering::Acquire) {
                    continue;
                }
                let store = &host.storage.events;
                let delivered = store.outbox_delivered()?;
                if !store.read_outbox(delivered, 1)?.is_empty() {
                    waiting.push(host.descriptor.name);
                }
            }
            let pending = self.pending.load(Ordering::Acquire);
            if waiting.is_empty() && pending == 0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(RuntimeError::NotSettled(
                    timeout,
                    format!("outboxes not yet delivered: {waiting:?}; deliveries in flight: {pending}"),
                ));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Stops everything: actors, relays, the router and (if the runtime started it) the
    /// actix system. Commits already acknowledged are durable; nothing else is promised.
    pub fn shutdown(&self) {
        let Some(threads) = self.inner.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
        threads.stop.store(true, Ordering::Release);
        for host in self.shared.hosts() {
            host.stop();
        }
        for relay in threads.relays {
            let _ = relay.join();
        }
        let _ = self.shared.router.send(RouterEvent::Shutdown);
        let _ = threads.router.join();
        if let Some(ticker) = threads.ticker {
            let _ = ticker.join();
        }
        for arbiter in threads.arbiters {
            arbiter.stop();
            let _ = arbiter.join();
        }
        if let Some((system, thread)) = threads.system {
            system.stop();
            let _ = thread.join();
        }
        self.shared.hosts.write().unwrap_or_else(|p| p.into_inner()).clear();
    }
}
