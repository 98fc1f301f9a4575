//! The runtime: hosts every bounded context as an actix actor on its own arbiter (its own
//! thread, where blocking store I/O is fine), with its own storage, and connects them
//! through the in-process bus.
//!
//! ```text
//! caller ──Execute──▶ context actor ──append(events + outbox)──▶ its store (group commit)
//!                                                                   │ durable
//!   ◀──────────────── reply (with position) ◀───────────────────────┘
//! store outbox ──relay──▶ bus (bounded) ──router──▶ consumer actor ──append(effects + inbox mark)
//! ```
//!
//! Contexts never see actix, crossbeam or sled: they are `kernel::context::BoundedContext`s.

mod actor;
mod bus;
mod cache;
pub mod storage;

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use actix::{Actor, Addr, ArbiterHandle, Recipient};
use kernel::context::{Answers, BoundedContext, Caller, Command, ContextDescriptor, Handles, Query, QueryError};
use kernel::ids::{IdSource, Position};
use kernel::message::{Envelope, MessageId, MessageKind};
use kernel::store::{EventStore, InboxMark, OutboxSeq, StoreError};
use kernel::time::Clock;
use kernel::unit_of_work::StoreRepository;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use actor::{Ask, ContextActor, Deliver, Execute, Stop, Tick};
use cache::AggregateCache;
use storage::{ContextStorage, DeadLetter, Storage};

/// How the runtime behaves; the defaults suit a laptop and the test suite.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Hot aggregates kept in memory per context.
    pub cache_capacity: usize,
    /// A snapshot is taken after this many events since the last one.
    pub snapshot_every: u64,
    /// Delivery attempts before a message is dead-lettered.
    pub max_attempts: u32,
    /// The first retry's delay; each further retry doubles it, up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// A delivery with no outcome after this long is sent again.
    pub delivery_timeout: Duration,
    /// Payloads larger than this many bytes travel by claim check.
    pub claim_check_threshold: usize,
    /// Messages the bus holds before relays wait (backpressure).
    pub bus_capacity: usize,
    /// How often a background ticker fires due deadlines (`None`: only when
    /// `RuntimeHandle::fire_deadlines` is called, as simulations do).
    pub tick_every: Option<Duration>,
    /// How many times the router hands each message to each subscriber. More than 1 only
    /// to show, in tests and drills, that consumers are idempotent.
    pub deliveries_per_message: u32,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            cache_capacity: 10_000,
            snapshot_every: 100,
            max_attempts: 5,
            retry_base: Duration::from_millis(20),
            retry_max: Duration::from_secs(5),
            delivery_timeout: Duration::from_secs(30),
            claim_check_threshold: 64 * 1024,
            bus_capacity: 4_096,
            deliveries_per_message: 1,
            tick_every: Some(Duration::from_secs(1)),
        }
    }
}

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

/// Why a command was not carried out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError<E> {
    #[error(transparent)]
    Rejected(E),
    #[error("context `{context}` failed: {message}")]
    Infrastructure { context: &'static str, message: String },
    #[error("context `{context}` panicked while handling the command: {message}")]
    Panicked { context: &'static str, message: String },
    #[error("context `{0}` is stopped")]
    Unavailable(&'static str),
    #[error("this runtime does not host the context")]
    NotHosted,
}

/// Runtime operations that are not commands.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    #[error("no context named `{0}` is hosted")]
    UnknownContext(String),
    #[error("context `{0}` is hosted twice")]
    HostedTwice(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the runtime did not settle within {0:?}: {1}")]
    NotSettled(Duration, String),
    #[error("the actix system could not start: {0}")]
    System(String),
}

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

pub(crate) enum RouterEvent {
    Published { source: &'static str, seq: OutboxSeq, envelope: Arc<Envelope> },
    Outcome { token: u64, result: Result<(), String> },
    Started(&'static str),
    Replay { letter: Box<DeadLetter> },
    Shutdown,
}

type Resolve = Box<dyn Fn(&Caller, &str) -> Result<Box<RawValue>, QueryError> + Send + Sync>;
type Start = Box<dyn Fn(&Arc<Shared>) -> Live + Send + Sync>;

struct Live {
    deliver: Recipient<Deliver>,
    stop: Recipient<Stop>,
    tick: Recipient<Tick>,
    /// The typed `Addr<ContextActor<C>>`.
    typed: Box<dyn Any + Send + Sync>,
}

/// One hosted context.
pub(crate) struct Host {
    pub descriptor: &'static ContextDescriptor,
    pub storage: ContextStorage,
    pub resolve: Resolve,
    live: RwLock<Option<Live>>,
    running: Arc<AtomicBool>,
    delivered: crossbeam_channel::Sender<OutboxSeq>,
    start: Start,
}

impl Host {
    fn deliver_to(&self) -> Option<Recipient<Deliver>> {
        self.live.read().unwrap_or_else(|p| p.into_inner()).as_ref().map(|l| l.deliver.clone())
    }

    fn delivered(&self, seq: OutboxSeq) {
        let _ = self.delivered.send(seq);
    }

    fn typed<C: BoundedContext>(&self) -> Option<Addr<ContextActor<C>>> {
        let live = self.live.read().unwrap_or_else(|p| p.into_inner());
        live.as_ref().and_then(|l| l.typed.downcast_ref::<Addr<ContextActor<C>>>().cloned())
    }
}

/// What every actor, relay and the router share.
pub(crate) struct Shared {
    pub config: RuntimeConfig,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    hosts: RwLock<HashMap<&'static str, Arc<Host>>>,
    pub router: crossbeam_channel::Sender<RouterEvent>,
}

impl Shared {
    pub fn host(&self, name: &str) -> Option<Arc<Host>> {
        self.hosts.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    pub fn hosts(&self) -> Vec<Arc<Host>> {
        self.hosts.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }
}

type Hosting =
    Box<dyn FnOnce(&ContextStorage, ArbiterHandle, crossbeam_channel::Sender<()>) -> (Resolve, Start) + Send>;

/// Builds a runtime: choose storage, time and ids, host contexts, start.
pub struct Runtime {
    config: RuntimeConfig,
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    contexts: Vec<(&'static ContextDescriptor, Hosting)>,
}

impl Runtime {
    pub fn new(
        storage: Arc<dyn Storage>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        config: RuntimeConfig,
    ) -> Self {
        Self { config, storage, clock, ids, contexts: Vec::new() }
    }

    /// Hosts a context.
    pub fn host<C: BoundedContext>(mut self, context: C) -> Self {
        let descriptor = C::CONTEXT;
        let context = Arc::new(context);
        let config = self.config.clone();
        let hosting: Hosting = Box::new(move |storage, arbiter, wake| {
            let (for_resolve, store) = (context.clone(), storage.events.clone());
            let resolve: Resolve = Box::new(move |caller: &Caller, link: &str| {
                for_resolve.resolve(caller, link, &mut StoreRepository(store.as_ref()))
            });
            let storage = storage.clone();
            let start: Start = Box::new(move |shared: &Arc<Shared>| {
                let actor = ContextActor {
                    context: context.clone(),
                    name: descriptor.name,
                    storage: storage.clone(),
                    cache: AggregateCache::new(config.cache_capacity, config.snapshot_every),
                    shared: shared.clone(),
                    wake: wake.clone(),
                    settled: Arc::default(),
                };
                let addr = ContextActor::start_in_arbiter(&arbiter, move |_| actor);
                Live {
                    deliver: addr.clone().recipient(),
                    stop: addr.clone().recipient(),
                    tick: addr.clone().recipient(),
                    typed: Box::new(addr),
                }
            });
            (resolve, start)
        });
        self.contexts.push((descriptor, hosting));
        self
    }

    /// Opens every context's storage and starts actors, relays and the router. Uses the
    /// current actix System if there is one, else starts its own on a background thread.
    pub fn start(self) -> Result<RuntimeHandle, RuntimeError> {
        let system = match actix::System::try_current() {
            Some(_) => None,
            None => Some(spawn_system()?),
        };
        if let Some((sys, _)) = &system {
            actix::System::set_current(sys.clone());
        }
        let (bus_tx, bus_rx) = crossbeam_channel::bounded(self.config.bus_capacity);
        let (control_tx, control_rx) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            config: self.config.clone(),
            clock: self.clock.clone(),
            ids: self.ids.clone(),
            hosts: RwLock::default(),
            router: control_tx,
        });
        let stop = Arc::new(AtomicBool::new(false));
        let mut arbiters = Vec::new();
        let mut relays = Vec::new();
        for (descriptor, hosting) in self.contexts {
            if shared.host(descriptor.name).is_some() {
                return Err(RuntimeError::HostedTwice(descriptor.name.to_owned()));
            }
            let storage = self.storage.open(descriptor.name)?;
            let arbiter = actix::Arbiter::new();
            let (wake_tx, wake_rx) = crossbeam_channel::bounded(1);
            let (delivered_tx, delivered_rx) = crossbeam_channel::unbounded();
            let (resolve, start) = hosting(&storage, arbiter.handle(), wake_tx);
            let running = Arc::new(AtomicBool::new(true));
            let host = Arc::new(Host {
                descriptor,
                storage: storage.clone(),
                resolve,
                live: RwLock::new(None),
                running: running.clone(),
                delivered: delivered_tx,
                start,
            });
            shared.hosts.write().unwrap_or_else(|p| p.into_inner()).insert(descriptor.name, host);
            arbiters.push(arbiter);
            let relay = bus::Relay {
                context: descriptor.name,
                store: storage.events.clone(),
                bus: bus_tx.clone(),
                wake: wake_rx,
                delivered: delivered_rx,
                running,
                stop: stop.clone(),
            };
            relays.push(
                std::thread::Builder::new()
                    .name(format!("relay-{}", descriptor.name))
                    .spawn(move || relay.run())
                    .map_err(|e| RuntimeError::System(e.to_string()))?,
            );
        }
        for host in shared.hosts() {
            let live = (host.start)(&shared);
            *host.live.write().unwrap_or_else(|p| p.into_inner()) = Some(live);
        }
        let pending = Arc::new(AtomicUsize::new(0));
        let router = bus::Router { shared: shared.clone(), bus: bus_rx, control: control_rx, pending: pending.clone() };
        let router = std::thread::Builder::new()
            .name("bus-router".into())
            .spawn(move || router.run())
            .map_err(|e| RuntimeError::System(e.to_string()))?;
        let ticker = match self.config.tick_every {
            Some(every) => {
                let (shared, stop) = (shared.clone(), stop.clone());
                let ticker = move || {
                    while !stop.load(Ordering::Acquire) {
                        std::thread::sleep(every);
                        for host in shared.hosts() {
                            if let Some(live) = host.live.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
                                live.tick.do_send(Tick { reply: None });
                            }
                        }
                    }
                };
                let thread = std::thread::Builder::new().name("deadline-ticker".into()).spawn(ticker);
                Some(thread.map_err(|e| RuntimeError::System(e.to_string()))?)
            }
            None => None,
        };
        Ok(RuntimeHandle {
            shared,
            inner: Arc::new(Mutex::new(Some(Threads { relays, router, ticker, arbiters, system, stop }))),
            pending,
        })
    }
}

fn spawn_system() -> Result<(actix::System, JoinHandle<()>), RuntimeError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("actix-system".into())
        .spawn(move || {
            let runner = actix::System::new();
            let _ = tx.send(actix::System::current());
            let _ = runner.run();
        })
        .map_err(|e| RuntimeError::System(e.to_string()))?;
    let system = rx.recv().map_err(|e| RuntimeError::System(e.to_string()))?;
    Ok((system, thread))
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

struct Threads {
    relays: Vec<JoinHandle<()>>,
    router: JoinHandle<()>,
    ticker: Option<JoinHandle<()>>,
    arbiters: Vec<actix::Arbiter>,
    system: Option<(actix::System, JoinHandle<()>)>,
    stop: Arc<AtomicBool>,
}

/// A running runtime. Cheap to clone; every clone drives the same runtime.
#[derive(Clone)]
pub struct RuntimeHandle {
    shared: Arc<Shared>,
    inner: Arc<Mutex<Option<Threads>>>,
    pending: Arc<AtomicUsize>,
}

impl RuntimeHandle {
    fn host_of<C: BoundedContext>(&self) -> Option<Arc<Host>> {
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

    fn host(&self, name: &str) -> Result<Arc<Host>, RuntimeError> {
        self.shared.host(name).ok_or_else(|| RuntimeError::UnknownContext(name.to_owned()))
    }

    /// Stops a context's actor and its relay, as if its process were down. Messages for it
    /// wait until it starts again.
    pub fn stop_context(&self, name: &str) -> Result<(), RuntimeError> {
        let host = self.host(name)?;
        host.running.store(false, Ordering::Release);
        if let Some(live) = host.live.write().unwrap_or_else(|p| p.into_inner()).take() {
            live.stop.do_send(Stop);
        }
        Ok(())
    }

    /// Starts a stopped context again, with a cold cache, from its store.
    pub fn start_context(&self, name: &str) -> Result<(), RuntimeError> {
        let host = self.host(name)?;
        {
            let mut live = host.live.write().unwrap_or_else(|p| p.into_inner());
            if live.is_none() {
                *live = Some((host.start)(&self.shared));
            }
        }
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
        let running = host.live.read().unwrap_or_else(|p| p.into_inner()).is_some();
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
            let live = host.live.read().unwrap_or_else(|p| p.into_inner());
            if let Some(live) = live.as_ref() {
                let (reply, rx) = oneshot::channel();
                live.tick.do_send(Tick { reply: Some(reply) });
                replies.push(rx);
            }
        }
        replies.into_iter().filter_map(|rx| rx.blocking_recv().ok()).sum()
    }

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
        let producer_host = self.shared.host(producer).ok_or_else(|| unknown(producer))?;
        let consumer_host = self.shared.host(consumer).ok_or_else(|| unknown(consumer))?;
        let producer_name = producer_host.descriptor.name;
        let consumer_name = consumer_host.descriptor.name;
        // The subscriptions through which the producer's messages reach the consumer.
        let published: Vec<String> =
            producer_host.descriptor.publishes.iter().map(|m| m.message_type(producer_name)).collect();
        let subscriptions: Vec<_> = consumer_host
            .descriptor
            .consumes
            .iter()
            .filter(|s| published.iter().any(|t| t == s.message_type))
            // The router hands a context its own messages only when they are commands.
            .filter(|s| consumer_name != producer_name || s.kind == MessageKind::Command)
            .collect();
        if subscriptions.is_empty() {
            let (consumer, producer) = (consumer_name.to_owned(), producer_name.to_owned());
            return Err(WaitError::NotAConsumer { consumer, producer });
        }
        if position == Position::START {
            return Ok(());
        }
        let started = Instant::now();
        let deadline = started + timeout;
        let store = producer_host.storage.events.as_ref();
        let inbox = consumer_host.storage.events.as_ref();
        let target = committed_outbox(store, position, deadline)?.map_err(|reached| WaitError::NotCommitted {
            producer: producer_name.to_owned(),
            position,
            reached,
            waited: started.elapsed(),
        })?;
        // The handlers of the consumer the router hands `envelope` to (its routing rules).
        let handlers = |envelope: &Envelope| -> Vec<&'static str> {
            subscriptions
                .iter()
                .filter(|s| s.message_type == envelope.message_type)
                .filter(|_| match envelope.kind {
                    MessageKind::Command => envelope.recipient.as_deref() == Some(consumer_name),
                    _ => consumer_name != producer_name,
                })
                .map(|s| s.handler_id)
                .collect()
        };
        // Everything at or below `done` is processed by the consumer.
        let mut done = OutboxSeq(0);
        loop {
            done = done.max(store.outbox_delivered()?);
            'scan: while done < target {
                let batch = store.read_outbox(done, 256)?;
                if batch.is_empty() {
                    break;
                }
                for entry in batch {
                    if entry.seq > target {
                        done = target;
                        break 'scan;
                    }
                    for handler_id in handlers(&entry.envelope) {
                        let mark = InboxMark { consumer: handler_id.to_owned(), message_id: entry.envelope.id };
                        if !inbox.is_processed(&mark)? {
                            break 'scan;
                        }
                    }
                    done = entry.seq;
                }
            }
            if done >= target {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(WaitError::NotProcessed {
                    consumer: consumer_name.to_owned(),
                    producer: producer_name.to_owned(),
                    position,
                    processed_up_to: done.0,
                    target: target.0,
                    waited: started.elapsed(),
                });
            }
            std::thread::sleep(Duration::from_millis(2));
        }
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
            if let Some(live) = host.live.write().unwrap_or_else(|p| p.into_inner()).take() {
                live.stop.do_send(Stop);
            }
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
