//! Hosting contexts: the [`Runtime`] builder, and what the runtime keeps of each context it
//! hosts ([`HostedContext`]). A context's type is known only where it is hosted; past that,
//! the runtime holds it as an [`AnyContext`], the one trait object that can start its actor
//! and resolve its links.

use std::any::Any;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

use actix::{Actor, Addr, ArbiterHandle, Recipient};
use kernel::context::{BoundedContext, Caller, ContextDescriptor, QueryError};
use kernel::ids::IdSource;
use kernel::store::OutboxSeq;
use kernel::time::Clock;
use kernel::unit_of_work::StoreRepository;
use serde_json::value::RawValue;

use super::actor::{ContextActor, Deliver, Stop, Tick};
use super::cache::AggregateCache;
use super::router::Router;
use super::storage::{ContextStorage, Storage};
use super::{bus, RouterEvent, RuntimeConfig, RuntimeError, RuntimeHandle, Shared};

/// A bounded context of any type, as the runtime holds it once hosted.
pub(crate) trait AnyContext: Send + Sync {
    fn descriptor(&self) -> &'static ContextDescriptor;

    /// Starts the context's actor on `arbiter`, over its storage.
    fn start(&self, shared: &Arc<Shared>, host: &HostedContext) -> RunningActor;

    /// Resolves a link of the context's notifications for `caller`, from its store.
    fn resolve(&self, caller: &Caller, link: &str, storage: &ContextStorage) -> Result<Box<RawValue>, QueryError>;
}

/// A context of type `C`, before its type is forgotten.
struct Typed<C>(Arc<C>);

impl<C: BoundedContext> AnyContext for Typed<C> {
    fn descriptor(&self) -> &'static ContextDescriptor {
        C::CONTEXT
    }

    fn start(&self, shared: &Arc<Shared>, host: &HostedContext) -> RunningActor {
        let actor = ContextActor {
            context: self.0.clone(),
            name: C::CONTEXT.name,
            storage: host.storage.clone(),
            cache: AggregateCache::new(shared.config.cache_capacity, shared.config.snapshot_every),
            shared: shared.clone(),
            wake: host.wake.clone(),
            settled: Arc::default(),
        };
        let addr = ContextActor::start_in_arbiter(&host.arbiter, move |_| actor);
        RunningActor {
            deliver: addr.clone().recipient(),
            stop: addr.clone().recipient(),
            tick: addr.clone().recipient(),
            typed: Box::new(addr),
        }
    }

    fn resolve(&self, caller: &Caller, link: &str, storage: &ContextStorage) -> Result<Box<RawValue>, QueryError> {
        self.0.resolve(caller, link, &mut StoreRepository(storage.events.as_ref()))
    }
}

/// The addresses of a context's running actor.
pub(crate) struct RunningActor {
    pub deliver: Recipient<Deliver>,
    pub stop: Recipient<Stop>,
    pub tick: Recipient<Tick>,
    /// The typed `Addr<ContextActor<C>>`, for commands and queries.
    typed: Box<dyn Any + Send + Sync>,
}

/// One hosted context: its declaration, its storage, its actor while it runs.
pub(crate) struct HostedContext {
    pub descriptor: &'static ContextDescriptor,
    pub storage: ContextStorage,
    context: Box<dyn AnyContext>,
    arbiter: ArbiterHandle,
    /// Wakes the context's outbox relay.
    wake: crossbeam_channel::Sender<()>,
    pub(crate) actor: RwLock<Option<RunningActor>>,
    /// Whether the context is up: its relay publishes only then.
    pub(crate) running: Arc<AtomicBool>,
    delivered: crossbeam_channel::Sender<OutboxSeq>,
}

impl HostedContext {
    pub fn deliver_to(&self) -> Option<Recipient<Deliver>> {
        self.actor.read().unwrap_or_else(|p| p.into_inner()).as_ref().map(|a| a.deliver.clone())
    }

    /// Tells the relay that outbox entry `seq` is delivered to every consumer.
    pub fn delivered(&self, seq: OutboxSeq) {
        let _ = self.delivered.send(seq);
    }

    pub fn resolve(&self, caller: &Caller, link: &str) -> Result<Box<RawValue>, QueryError> {
        self.context.resolve(caller, link, &self.storage)
    }

    pub fn typed<C: BoundedContext>(&self) -> Option<Addr<ContextActor<C>>> {
        let actor = self.actor.read().unwrap_or_else(|p| p.into_inner());
        actor.as_ref().and_then(|a| a.typed.downcast_ref::<Addr<ContextActor<C>>>().cloned())
    }

    /// Starts the actor if it is not running.
    pub fn start(&self, shared: &Arc<Shared>) {
        let mut actor = self.actor.write().unwrap_or_else(|p| p.into_inner());
        if actor.is_none() {
            *actor = Some(self.context.start(shared, self));
        }
    }

    /// Stops the actor if it runs.
    pub fn stop(&self) {
        if let Some(actor) = self.actor.write().unwrap_or_else(|p| p.into_inner()).take() {
            actor.stop.do_send(Stop);
        }
    }
}

/// Builds a runtime: choose storage, time and ids, host contexts, start.
pub struct Runtime {
    config: RuntimeConfig,
    storage: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    contexts: Vec<Box<dyn AnyContext>>,
}

/// The threads a runtime runs besides its actors, joined on shutdown.
pub(crate) struct Threads {
    pub relays: Vec<JoinHandle<()>>,
    pub router: JoinHandle<()>,
    pub ticker: Option<JoinHandle<()>>,
    pub arbiters: Vec<actix::Arbiter>,
    pub system: Option<(actix::System, JoinHandle<()>)>,
    pub stop: Arc<AtomicBool>,
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
        self.contexts.push(Box::new(Typed(Arc::new(context))));
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
        let (mut arbiters, mut relays) = (Vec::new(), Vec::new());
        for context in self.contexts {
            let (arbiter, relay) = host_one(&shared, self.storage.as_ref(), context, &bus_tx, &stop)?;
            arbiters.push(arbiter);
            relays.push(relay);
        }
        for host in shared.hosts() {
            host.start(&shared);
        }
        let pending = Arc::new(AtomicUsize::new(0));
        let router = Router { shared: shared.clone(), bus: bus_rx, control: control_rx, pending: pending.clone() };
        let router = spawn("bus-router", move || router.run())?;
        let ticker = match self.config.tick_every {
            Some(every) => Some(spawn_ticker(&shared, &stop, every)?),
            None => None,
        };
        let threads = Threads { relays, router, ticker, arbiters, system, stop };
        Ok(RuntimeHandle { shared, inner: Arc::new(Mutex::new(Some(threads))), pending })
    }
}

/// Opens one context's storage, registers it, and starts its relay; its actor starts once
/// every context is registered (so that the first messages find their consumers).
fn host_one(
    shared: &Arc<Shared>,
    storage: &dyn Storage,
    context: Box<dyn AnyContext>,
    bus: &crossbeam_channel::Sender<RouterEvent>,
    stop: &Arc<AtomicBool>,
) -> Result<(actix::Arbiter, JoinHandle<()>), RuntimeError> {
    let descriptor = context.descriptor();
    if shared.host(descriptor.name).is_some() {
        return Err(RuntimeError::HostedTwice(descriptor.name.to_owned()));
    }
    let storage = storage.open(descriptor.name)?;
    let arbiter = actix::Arbiter::new();
    let (wake_tx, wake_rx) = crossbeam_channel::bounded(1);
    let (delivered_tx, delivered_rx) = crossbeam_channel::unbounded();
    let running = Arc::new(AtomicBool::new(true));
    let host = Arc::new(HostedContext {
        descriptor,
        storage: storage.clone(),
        context,
        arbiter: arbiter.handle(),
        wake: wake_tx,
        actor: RwLock::new(None),
        running: running.clone(),
        delivered: delivered_tx,
    });
    shared.hosts.write().unwrap_or_else(|p| p.into_inner()).insert(descriptor.name, host);
    let relay = bus::Relay {
        context: descriptor.name,
        store: storage.events.clone(),
        bus: bus.clone(),
        wake: wake_rx,
        delivered: delivered_rx,
        running,
        stop: stop.clone(),
    };
    let relay = spawn(&format!("relay-{}", descriptor.name), move || relay.run())?;
    Ok((arbiter, relay))
}

/// The background ticker: fires due deadlines in every running context, every `every`.
fn spawn_ticker(shared: &Arc<Shared>, stop: &Arc<AtomicBool>, every: Duration) -> Result<JoinHandle<()>, RuntimeError> {
    let (shared, stop) = (shared.clone(), stop.clone());
    spawn("deadline-ticker", move || {
        while !stop.load(Ordering::Acquire) {
            std::thread::sleep(every);
            for host in shared.hosts() {
                if let Some(actor) = host.actor.read().unwrap_or_else(|p| p.into_inner()).as_ref() {
                    actor.tick.do_send(Tick { reply: None });
                }
            }
        }
    })
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, RuntimeError> {
    std::thread::Builder::new().name(name.to_owned()).spawn(work).map_err(|e| RuntimeError::System(e.to_string()))
}

fn spawn_system() -> Result<(actix::System, JoinHandle<()>), RuntimeError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = spawn("actix-system", move || {
        let runner = actix::System::new();
        let _ = tx.send(actix::System::current());
        let _ = runner.run();
    })?;
    let system = rx.recv().map_err(|e| RuntimeError::System(e.to_string()))?;
    Ok((system, thread))
}
