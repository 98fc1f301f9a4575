//! The actor that hosts one bounded context: it runs the context's pure code for commands,
//! incoming messages and queries on the context's own thread, and commits each unit of work
//! as one atomic append.
//!
//! Commands are pipelined: the actor decides the next command while earlier commits are
//! still waiting for their group commit, and answers each caller only once its commit is
//! durable. A panic in context code is caught here: the actor forgets its cache (the store is
//! the truth), answers with an error and keeps serving.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix::{Actor, ActorContext, AsyncContext, Context, Handler, Message};
use kernel::context::{Answers, BoundedContext, Caller, Command, HandleError, Handles, QueryError};
use kernel::deadline::{self, TimerCommand, Timers};
use kernel::ids::{CausationId, StreamId};
use kernel::message::Envelope;
use kernel::store::{AppendError, AppendReceipt, AppendRequest, InboxMark};
use kernel::unit_of_work::{Finished, LinkResolver, UnitOfWork};
use kernel::Aggregate;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use super::cache::{AggregateCache, CachedRepository, QueryRepository};
use super::storage::ContextStorage;
use super::{CommandError, CommandResult, Executed, RouterEvent, Shared};

pub(crate) struct ContextActor<C: BoundedContext> {
    pub context: Arc<C>,
    pub name: &'static str,
    pub storage: ContextStorage,
    pub cache: AggregateCache,
    pub shared: Arc<Shared>,
    /// Wakes this context's outbox relay after a commit that published something.
    pub wake: crossbeam_channel::Sender<()>,
    /// Commits that settled since the actor last looked (filled on the store's thread).
    pub settled: Arc<SettledQueue>,
}

/// Commits of the actor that settled, in the order they did: the store's thread pushes, the
/// actor drains them before each message it handles. One actix message wakes the actor
/// when the queue fills from empty, rather than one per commit.
#[derive(Default)]
pub(crate) struct SettledQueue(Mutex<Vec<(Vec<StreamId>, bool)>>);

impl SettledQueue {
    /// Records a settled commit; true if the actor must be woken to drain the queue.
    fn push(&self, streams: Vec<StreamId>, committed: bool) -> bool {
        let mut queue = self.0.lock().unwrap_or_else(|p| p.into_inner());
        queue.push((streams, committed));
        queue.len() == 1
    }

    fn take(&self) -> Vec<(Vec<StreamId>, bool)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl<C: BoundedContext> Actor for ContextActor<C> {
    type Context = Context<Self>;
}

/// A command for the context, answered once durable.
pub(crate) struct Execute<K: Command> {
    pub command: K,
    pub reply: oneshot::Sender<CommandResult<K>>,
}

impl<K: Command> Message for Execute<K> {
    type Result = ();
}

/// A query, answered from durable state.
pub(crate) struct Ask<Q: kernel::context::Query> {
    pub query: Q,
    pub reply: oneshot::Sender<Result<Q::Answer, QueryError>>,
}

impl<Q: kernel::context::Query> Message for Ask<Q> {
    type Result = ();
}

/// A message from the bus for one of the context's handlers; the outcome goes to the router.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Deliver {
    pub envelope: Arc<Envelope>,
    pub handler_id: &'static str,
    pub token: u64,
}

/// Commits settled: drain the [`SettledQueue`].
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Settled;

#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Stop;

/// Fires every deadline of the context due by the clock's now; answers with how many fired
/// once their commits are durable.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Tick {
    pub reply: Option<oneshot::Sender<usize>>,
}

type Done = Box<dyn FnOnce(Result<Option<AppendReceipt>, AppendError>) + Send>;

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Resolves notification links through the owning context's query port.
pub(crate) struct Links<'a>(pub &'a Shared);

impl LinkResolver for Links<'_> {
    fn resolve(&self, caller: &Caller, link: &str) -> Result<Box<RawValue>, QueryError> {
        let owner = link.strip_prefix("/bookbox/").and_then(|rest| rest.split('/').next()).unwrap_or_default();
        let Some(host) = self.0.host(owner) else {
            return Err(QueryError::NotFound(format!("no context `{owner}` owns the link `{link}`")));
        };
        host.resolve(caller, link)
    }
}

impl<C: BoundedContext> ContextActor<C> {
    /// Unpins the cache entries of the commits that settled (evicting those that failed).
    fn drain_settled(&mut self) {
        for (streams, committed) in self.settled.take() {
            self.cache.settled(&streams, committed);
        }
    }

    /// Moves payloads over the claim-check threshold into the blob store; the message
    /// carries the reference (`dataref`) instead.
    fn claim_check(&self, outbox: &mut [Envelope]) -> Result<(), AppendError> {
        let threshold = self.shared.config.claim_check_threshold;
        for envelope in outbox {
            let Some(data) = envelope.data.as_ref() else { continue };
            if data.get().len() <= threshold {
                continue;
            }
            let key = envelope.id.to_string();
            self.storage.blobs.put(&key, data.get().as_bytes())?;
            envelope.dataref = Some(format!("/bookbox/{}/blobs/{key}", self.name));
            envelope.data = None;
        }
        Ok(())
    }

    /// Commits a finished unit of work (plus an inbox mark) and calls `done` once durable.
    fn commit(&mut self, ctx: &mut Context<Self>, finished: Finished, inbox: Option<InboxMark>, done: Done) {
        let Finished { writes, mut outbox, states } = finished;
        if let Err(e) = self.claim_check(&mut outbox) {
            return done(Err(e));
        }
        if writes.is_empty() && outbox.is_empty() && inbox.is_none() {
            return done(Ok(None));
        }
        let streams: Vec<StreamId> = states.iter().map(|(s, _, _)| s.clone()).collect();
        let snapshots: Vec<_> = states
            .into_iter()
            .filter_map(|(stream, version, state)| self.cache.decided(stream, version, state))
            .collect();
        let has_outbox = !outbox.is_empty();
        let addr = ctx.address();
        let settled = self.settled.clone();
        let store = self.storage.events.clone();
        let wake = self.wake.clone();
        let name = self.name;
        self.storage.events.append_async(
            AppendRequest { writes, outbox, inbox },
            Box::new(move |result| {
                let committed = result.is_ok();
                if committed {
                    // Snapshots are taken only of durable states: a snapshot of a commit
                    // that failed would resurrect it.
                    for snapshot in &snapshots {
                        if let Err(e) = store.save_snapshot(snapshot) {
                            tracing::warn!(context = name, stream = %snapshot.stream, error = %e, "snapshot not saved");
                        }
                    }
                    if has_outbox {
                        let _ = wake.try_send(());
                    }
                }
                if !streams.is_empty() && settled.push(streams, committed) {
                    addr.do_send(Settled);
                }
                done(result.map(Some));
            }),
        );
    }

    fn fetch_claim(&self, envelope: &Arc<Envelope>) -> Result<Arc<Envelope>, String> {
        let Some(dataref) = envelope.dataref.as_deref().filter(|_| envelope.data.is_none()) else {
            return Ok(envelope.clone());
        };
        let parts: Vec<&str> = dataref.trim_start_matches('/').split('/').collect();
        let ["bookbox", owner, "blobs", key] = parts.as_slice() else {
            return Err(format!("claim check `{dataref}` is not a Bookbox blob reference"));
        };
        let host = self.shared.host(owner).ok_or_else(|| format!("no context `{owner}` holds `{dataref}`"))?;
        let bytes = host
            .storage
            .blobs
            .get(key)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("claim check `{dataref}` points at nothing"))?;
        let json = String::from_utf8(bytes).map_err(|_| format!("claim check `{dataref}` is not UTF-8"))?;
        let data = RawValue::from_string(json).map_err(|e| format!("claim check `{dataref}` is not JSON: {e}"))?;
        let mut full = (**envelope).clone();
        full.data = Some(data);
        Ok(Arc::new(full))
    }
}

impl<C, K> Handler<Execute<K>> for ContextActor<C>
where
    C: Handles<K>,
    K: Command<Context = C>,
{
    type Result = ();

    fn handle(&mut self, msg: Execute<K>, ctx: &mut Context<Self>) {
        self.drain_settled();
        let Execute { command, reply } = msg;
        let cause = CausationId::generate(self.shared.ids.as_ref());
        let correlation = cause.as_correlation();
        let span =
            tracing::info_span!("command", context = self.name, command_id = %cause, correlation_id = %correlation);
        let _entered = span.enter();
        let now = self.shared.clock.now();
        let shared = self.shared.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let links = Links(&shared);
            let mut repository = CachedRepository { cache: &mut self.cache, store: self.storage.events.as_ref() };
            let mut uow = UnitOfWork::new(&mut repository, self.name, now, shared.ids.as_ref(), correlation, cause)
                .with_links(&links);
            let result = self.context.handle(command, &mut uow);
            result.map(|r| (r, uow.finish()))
        }));
        match outcome {
            Err(panic) => {
                let why = panic_message(panic.as_ref());
                tracing::error!(context = self.name, panic = %why, "command handler panicked; cache rebuilt from the store");
                self.cache.clear();
                let _ = reply.send(Err(CommandError::Panicked { context: self.name, message: why }));
            }
            Ok(Err(HandleError::Rejected(e))) => {
                tracing::debug!(context = self.name, error = %e, "command rejected");
                let _ = reply.send(Err(CommandError::Rejected(e)));
            }
            Ok(Err(HandleError::Infrastructure(e))) => {
                let _ = reply.send(Err(CommandError::Infrastructure { context: self.name, message: e.to_string() }));
            }
            Ok(Ok((answer, finished))) => {
                let name = self.name;
                self.commit(
                    ctx,
                    finished,
                    None,
                    Box::new(move |result| {
                        let result = result
                            .map(|receipt| Executed {
                                reply: answer,
                                context: name,
                                position: receipt.and_then(|r| r.last_position()),
                            })
                            .map_err(|e| CommandError::Infrastructure { context: name, message: e.to_string() });
                        let _ = reply.send(result);
                    }),
                );
            }
        }
    }
}

impl<C: BoundedContext> Handler<Deliver> for ContextActor<C> {
    type Result = ();

    fn handle(&mut self, msg: Deliver, ctx: &mut Context<Self>) {
        self.drain_settled();
        let Deliver { envelope, handler_id, token } = msg;
        let router = self.shared.router.clone();
        let report = move |result: Result<(), String>| {
            let _ = router.send(RouterEvent::Outcome { token, result });
        };
        let span = tracing::info_span!(
            "message",
            context = self.name,
            handler = handler_id,
            message_id = %envelope.id,
            message_type = %envelope.message_type,
            correlation_id = %envelope.correlationid,
            causation_id = %envelope.causationid,
        );
        let _entered = span.enter();
        let mark = InboxMark { consumer: handler_id.to_owned(), message_id: envelope.id };
        match self.storage.events.is_processed(&mark) {
            Ok(true) => return report(Ok(())),
            Ok(false) => {}
            Err(e) => return report(Err(e.to_string())),
        }
        let envelope = match self.fetch_claim(&envelope) {
            Ok(envelope) => envelope,
            Err(e) => return report(Err(e)),
        };
        let now = self.shared.clock.now();
        let shared = self.shared.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let links = Links(&shared);
            let mut repository = CachedRepository { cache: &mut self.cache, store: self.storage.events.as_ref() };
            let mut uow = UnitOfWork::new(
                &mut repository,
                self.name,
                now,
                shared.ids.as_ref(),
                envelope.correlationid,
                CausationId::from_uuid(envelope.id.as_uuid()),
            )
            .with_links(&links);
            let result = self.context.on_message(handler_id, &envelope, &mut uow);
            result.map(|()| uow.finish())
        }));
        match outcome {
            Err(panic) => {
                let why = panic_message(panic.as_ref());
                tracing::error!(context = self.name, panic = %why, "message handler panicked; cache rebuilt from the store");
                self.cache.clear();
                report(Err(format!("handler panicked: {why}")));
            }
            Ok(Err(e)) => {
                tracing::warn!(context = self.name, error = %e, "message handling failed");
                report(Err(e.to_string()));
            }
            Ok(Ok(finished)) => self.commit(
                ctx,
                finished,
                Some(mark),
                Box::new(move |result| {
                    report(match result {
                        Ok(_) | Err(AppendError::AlreadyProcessed { .. }) => Ok(()),
                        Err(e) => Err(e.to_string()),
                    })
                }),
            ),
        }
    }
}

impl<C, Q> Handler<Ask<Q>> for ContextActor<C>
where
    C: Answers<Q>,
    Q: kernel::context::Query<Context = C>,
{
    type Result = ();

    fn handle(&mut self, msg: Ask<Q>, _: &mut Context<Self>) {
        self.drain_settled();
        let Ask { query, reply } = msg;
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut repository = QueryRepository { cache: &mut self.cache, store: self.storage.events.clone() };
            self.context.answer(query, &mut repository)
        }));
        let answer = outcome.unwrap_or_else(|panic| {
            self.cache.clear();
            Err(QueryError::Invalid(format!("the query panicked: {}", panic_message(panic.as_ref()))))
        });
        let _ = reply.send(answer);
    }
}

impl<C: BoundedContext> Handler<Tick> for ContextActor<C> {
    type Result = ();

    fn handle(&mut self, msg: Tick, ctx: &mut Context<Self>) {
        self.drain_settled();
        let now = self.shared.clock.now();
        let mut due = Vec::new();
        for shard in 0..deadline::SHARDS {
            let stream = StreamId::for_aggregate(Timers::CATEGORY, shard);
            match self.cache.load::<Timers>(self.storage.events.as_ref(), &stream) {
                Ok(loaded) => due.extend(loaded.state.due(now).into_iter().map(|(key, d)| (shard, key, d))),
                Err(e) => tracing::error!(context = self.name, error = %e, "deadlines unreadable"),
            }
        }
        // The reply goes out when the last firing's commit settles.
        let countdown = Arc::new(Countdown {
            left: AtomicUsize::new(due.len() + 1),
            fired: AtomicUsize::new(0),
            reply: Mutex::new(msg.reply),
        });
        for (shard, key, deadline) in due {
            // A firing starts its own chain: its id is the cause and the correlation of what it does.
            let cause = CausationId::generate(self.shared.ids.as_ref());
            let span = tracing::info_span!(
                "deadline", context = self.name, key = %key, causation_id = %cause, correlation_id = %cause.as_correlation()
            );
            let _entered = span.enter();
            let shared = self.shared.clone();
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let links = Links(&shared);
                let mut repository = CachedRepository { cache: &mut self.cache, store: self.storage.events.as_ref() };
                let mut uow = UnitOfWork::new(
                    &mut repository,
                    self.name,
                    now,
                    shared.ids.as_ref(),
                    cause.as_correlation(),
                    cause,
                )
                .with_links(&links);
                // Fired first, so a handler may schedule the same key again.
                uow.execute::<Timers>(&shard, &TimerCommand::Fire { key: key.clone() })
                    .map_err(|e| kernel::context::MessageError::Failed(e.to_string()))?;
                self.context.on_deadline(&key, &deadline.payload, &mut uow)?;
                Ok::<_, kernel::context::MessageError>(uow.finish())
            }));
            let finished = match outcome {
                Ok(Ok(finished)) => finished,
                Ok(Err(e)) => {
                    // Left pending: the next tick tries again.
                    tracing::warn!(context = self.name, key = %key, error = %e, "deadline handler failed; will retry");
                    countdown.done(false);
                    continue;
                }
                Err(panic) => {
                    tracing::error!(context = self.name, key = %key, panic = %panic_message(panic.as_ref()), "deadline handler panicked");
                    self.cache.clear();
                    countdown.done(false);
                    continue;
                }
            };
            let countdown = countdown.clone();
            self.commit(ctx, finished, None, Box::new(move |result| countdown.done(result.is_ok())));
        }
        countdown.done(false);
    }
}

/// Counts firings down to the reply.
struct Countdown {
    left: AtomicUsize,
    fired: AtomicUsize,
    reply: Mutex<Option<oneshot::Sender<usize>>>,
}

impl Countdown {
    fn done(&self, fired: bool) {
        if fired {
            self.fired.fetch_add(1, Ordering::AcqRel);
        }
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Some(reply) = self.reply.lock().unwrap_or_else(|p| p.into_inner()).take() {
                let _ = reply.send(self.fired.load(Ordering::Acquire));
            }
        }
    }
}

impl<C: BoundedContext> Handler<Settled> for ContextActor<C> {
    type Result = ();

    fn handle(&mut self, _: Settled, _: &mut Context<Self>) {
        self.drain_settled();
    }
}

impl<C: BoundedContext> Handler<Stop> for ContextActor<C> {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}
