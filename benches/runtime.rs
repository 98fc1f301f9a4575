//! Benchmark of the runtime (a plain bench binary, not a timed test), on sled storage in a
//! temporary directory, with the production clock and ids. Every figure is printed beside a
//! baseline measured in the same run, and the two take turns so that whatever else the
//! machine does slows both alike.
//!
//! - (a) Durable commands/s through the runtime, 10k aggregates x 10 commands each, one event
//!   per command, many commands in flight (`execute_detached`), beside the `cqrs-es` crate's
//!   `CqrsFramework` over its in-memory `MemStore` on the same workload (its `MemStore` prints
//!   two lines per command: stdout goes to /dev/null while it runs).
//! - (b) Commands/s on one aggregate whose stream already holds 100k events, beside the same
//!   on one holding 10 events; plus the cold load of the long stream without and with a
//!   snapshot.
//! - (c) Messages/s through outbox -> bus -> router -> consumer -> durable inbox, beside the
//!   durable appends/s (one event + one outbox message each) that produced them.
//! - (d) Resident memory while distinct aggregates are touched through the runtime.
//!
//! `cargo bench --bench runtime` runs 3 rounds of (a)-(c) and touches 1M aggregates for (d)
//! (a few minutes in all). `BOOKBOX_BENCH_ROUNDS=N` (or `-- --rounds N`) sets the rounds,
//! `BOOKBOX_BENCH_TOUCH=N` (or `-- --touch N`) the aggregates of (d). An unoptimized build
//! (`cargo test --all-targets`) does a smoke run on a tiny workload.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bookbox::adapters::{RandomIds, SystemClock};
use bookbox::runtime::storage::{MemoryStorage, SledStorage};
use bookbox::runtime::{PendingAnswer, Runtime, RuntimeConfig, RuntimeHandle};
use bookbox::store::{SledEventStore, StoreConfig};
use kernel::context::{
    Answers, BoundedContext, Command, ContextDescriptor, HandleError, Handles, MessageError, PublishedMessage, Query,
    QueryError,
};
use kernel::event::DomainEvent;
use kernel::ids::{CausationId, CorrelationId};
use kernel::inbox::{AsIs, Inbox};
use kernel::message::{Envelope, MessageKind};
use kernel::store::NewEvent;
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::{Aggregate, AppendRequest, Env, EventCodec, EventId, EventStore, ExpectedVersion, StreamId};
use serde::{Deserialize, Serialize};

// ------------------------------------------------------------------ the bench's contexts

/// A counter: one small event per command, a state of constant size.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Counter {
    total: u64,
    bumps: u64,
}

#[derive(Debug, Clone)]
struct Add(u64);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum CounterEvent {
    Added { by: u64 },
}

impl DomainEvent for CounterEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum CounterError {
    #[error("an increment must be positive")]
    Zero,
}

impl Aggregate for Counter {
    const CATEGORY: &'static str = "counter";
    type Command = Add;
    type Event = CounterEvent;
    type Error = CounterError;

    fn decide(&self, command: &Add, _: &Env<'_>) -> Result<Vec<CounterEvent>, CounterError> {
        match command.0 {
            0 => Err(CounterError::Zero),
            by => Ok(vec![CounterEvent::Added { by }]),
        }
    }

    fn evolve(&mut self, event: &CounterEvent) {
        let CounterEvent::Added { by } = event;
        self.total += by;
        self.bumps += 1;
    }
}

/// `counters`: commands bump counters; nothing is published.
struct Counters;

/// Adds one to a counter of `counters`.
#[derive(Debug)]
struct Bump {
    counter: u64,
}

impl Command for Bump {
    type Context = Counters;
    type Reply = ();
}

/// The value of a counter of `counters`.
#[derive(Debug)]
struct CounterValue(u64);

impl Query for CounterValue {
    type Context = Counters;
    type Answer = Counter;
}

static COUNTERS: ContextDescriptor = ContextDescriptor {
    name: "counters",
    purpose: "Counters (a bench context).",
    publishes: &[],
    consumes: &[],
    sends: &[],
    upstreams: &[],
};

impl BoundedContext for Counters {
    const CONTEXT: &'static ContextDescriptor = &COUNTERS;
    type Error = CounterError;
}

kernel::inbox!(Counters {});

impl Handles<Bump> for Counters {
    fn handle<R: Repository>(&self, bump: Bump, uow: &mut UnitOfWork<'_, R>) -> Result<(), HandleError<CounterError>> {
        uow.execute::<Counter>(&bump.counter, &Add(1))?;
        Ok(())
    }
}

impl Answers<CounterValue> for Counters {
    fn answer<R: Repository>(
        &self,
        CounterValue(counter): CounterValue,
        repository: &mut R,
    ) -> Result<Counter, QueryError> {
        Ok(repository.load::<Counter>(&StreamId::for_aggregate(Counter::CATEGORY, counter))?.state)
    }
}

/// `sender`: each command bumps a counter and publishes a `ping` about it.
struct Sender;

static PING: PublishedMessage = PublishedMessage {
    name: "ping",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: r#"{"type":"object","required":["counter"]}"#,
    examples: &[r#"{"counter":1}"#],
    personal_data: &[],
};

static SENDER: ContextDescriptor = ContextDescriptor {
    name: "sender",
    purpose: "Publishes a message per command (a bench context).",
    publishes: &[&PING],
    consumes: &[],
    sends: &[],
    upstreams: &[],
};

#[derive(Debug, Serialize, Deserialize)]
struct Ping {
    counter: u64,
}

/// Adds one to a counter of `sender` and publishes a `ping` about it.
#[derive(Debug)]
struct BumpAndPing {
    counter: u64,
}

impl Command for BumpAndPing {
    type Context = Sender;
    type Reply = ();
}

impl BoundedContext for Sender {
    const CONTEXT: &'static ContextDescriptor = &SENDER;
    type Error = CounterError;
}

kernel::inbox!(Sender {});

impl Handles<BumpAndPing> for Sender {
    fn handle<R: Repository>(
        &self,
        bump: BumpAndPing,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), HandleError<CounterError>> {
        uow.execute::<Counter>(&bump.counter, &Add(1))?;
        uow.publish(&PING, &bump.counter, &Ping { counter: bump.counter })?;
        Ok(())
    }
}

/// `receiver`: counts the pings per counter (one event and the inbox mark per message).
struct Receiver;

static RECEIVER: ContextDescriptor = ContextDescriptor {
    name: "receiver",
    purpose: "Counts the pings it receives (a bench context).",
    publishes: &[],
    consumes: <Receiver as Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[],
};

impl BoundedContext for Receiver {
    const CONTEXT: &'static ContextDescriptor = &RECEIVER;
    type Error = CounterError;
}

kernel::inbox! {
    Receiver {
        "receiver.on-ping": DomainEvent "bookbox.sender.ping.v1" => AsIs<Ping> => count_ping,
    }
}

fn count_ping<R: Repository>(
    _: &Receiver,
    ping: Ping,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    uow.execute::<Counter>(&ping.counter, &Add(1)).map_err(|e| MessageError::Failed(e.to_string()))?;
    Ok(())
}

// ------------------------------------------------------------------ driving the runtime

/// The runtime's defaults, without the background deadline ticker (it would put its timer
/// streams into the aggregate cache in the middle of a measurement).
fn config() -> RuntimeConfig {
    RuntimeConfig { tick_every: None, ..RuntimeConfig::default() }
}

fn start(dir: &Path, host: impl FnOnce(Runtime) -> Runtime) -> RuntimeHandle {
    let clock = Arc::new(SystemClock);
    let storage = Arc::new(SledStorage::new(dir, clock.clone(), StoreConfig::default()));
    host(Runtime::new(storage, clock, Arc::new(RandomIds), config())).start().expect("the runtime starts")
}

/// Commands in flight at once: enough to fill several group commits.
const WINDOW: usize = 2_048;

fn answered<K: Command>(answer: PendingAnswer<K>) {
    answer.blocking_recv().expect("an answer").expect("the command is accepted");
}

/// Sends `commands` with up to [`WINDOW`] of them in flight; returns once all are durable.
fn drive<K>(runtime: &RuntimeHandle, commands: impl IntoIterator<Item = K>) -> u64
where
    K: Command,
    K::Context: Handles<K>,
{
    let mut in_flight = VecDeque::with_capacity(WINDOW);
    let mut sent = 0;
    for command in commands {
        if in_flight.len() == WINDOW {
            answered::<K>(in_flight.pop_front().expect("full"));
        }
        in_flight.push_back(runtime.execute_detached(command).expect("the context is hosted"));
        sent += 1;
    }
    in_flight.into_iter().for_each(answered::<K>);
    sent
}

#[derive(Default, Clone, Copy)]
struct Rate {
    count: u64,
    elapsed: Duration,
}

impl Rate {
    fn per_sec(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn add(&mut self, count: u64, elapsed: Duration) {
        self.count += count;
        self.elapsed += elapsed;
    }
}

/// CPU time the whole process has used (user + system, all threads), from
/// `/proc/self/stat`, in clock ticks of 10 ms.
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th of them.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = after.split_whitespace().skip(11).take(2).filter_map(|f| f.parse::<u64>().ok()).sum();
    Duration::from_millis(ticks * 10)
}

fn timed(run: impl FnOnce() -> u64) -> (u64, Duration) {
    let start = Instant::now();
    let count = run();
    (count, start.elapsed())
}

// ------------------------------------------------------------------ (a) many aggregates

/// The (a) workload: round `r` sends one command to each aggregate in turn.
fn workload(aggregates: u64, each: u64) -> impl Iterator<Item = u64> {
    (0..each).flat_map(move |_| 0..aggregates)
}

/// Where (a) keeps its events: sled (durable, the figure the goal is about), or the
/// in-memory store, which tells the runtime's own cost apart from the store's.
#[derive(Clone, Copy, PartialEq)]
enum Kept {
    OnSled,
    InMemory,
}

fn runtime_many(aggregates: u64, each: u64, kept: Kept) -> (u64, Duration) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = match kept {
        Kept::OnSled => start(dir.path(), |r| r.host(Counters)),
        Kept::InMemory => {
            let clock = Arc::new(SystemClock);
            let storage = Arc::new(MemoryStorage::new(clock.clone()));
            Runtime::new(storage, clock, Arc::new(RandomIds), config())
                .host(Counters)
                .start()
                .expect("the runtime starts")
        }
    };
    let before = cpu();
    let measured = timed(|| drive(&runtime, workload(aggregates, each).map(|counter| Bump { counter })));
    if kept == Kept::OnSled {
        CPU_MANY.with(|c| c.set(c.get() + (cpu() - before)));
    }
    let check = runtime.query_blocking(CounterValue(aggregates - 1)).expect("a counter");
    assert_eq!(check.bumps, each, "every command counted once");
    runtime.shutdown();
    measured
}

/// The baseline: `cqrs-es` 0.5 with its in-memory store, on the same workload.
mod cqrs {
    use cqrs_es::event_sink::EventSink;
    use cqrs_es::mem_store::MemStore;
    use cqrs_es::CqrsFramework;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, Serialize, Deserialize)]
    pub struct Counter {
        total: u64,
        bumps: u64,
    }

    pub struct Add(pub u64);

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub enum CounterEvent {
        Added { by: u64 },
    }

    impl cqrs_es::DomainEvent for CounterEvent {
        fn event_type(&self) -> String {
            "added".to_owned()
        }
        fn event_version(&self) -> String {
            "1".to_owned()
        }
    }

    #[derive(Debug, thiserror::Error)]
    #[error("an increment must be positive")]
    pub struct Zero;

    impl cqrs_es::Aggregate for Counter {
        const TYPE: &'static str = "counter";
        type Command = Add;
        type Event = CounterEvent;
        type Error = Zero;
        type Services = ();

        async fn handle(&mut self, command: Add, _: &(), sink: &EventSink<Self>) -> Result<(), Zero> {
            match command.0 {
                0 => Err(Zero),
                by => {
                    sink.write(CounterEvent::Added { by }, self).await;
                    Ok(())
                }
            }
        }

        fn apply(&mut self, event: CounterEvent) {
            let CounterEvent::Added { by } = event;
            self.total += by;
            self.bumps += 1;
        }
    }

    /// Runs the workload with stdout sent to /dev/null (`MemStore` prints two lines per
    /// command); only the commands are timed.
    pub fn run(aggregates: u64, each: u64) -> (u64, std::time::Duration) {
        let ids: Vec<String> = (0..aggregates).map(|i| format!("counter-{i}")).collect();
        let framework = CqrsFramework::new(MemStore::<Counter>::default(), vec![], ());
        let executor = tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime");
        std::io::Write::flush(&mut std::io::stdout()).expect("stdout flushes");
        let gag = gag::Gag::stdout().expect("stdout can be redirected to /dev/null");
        let measured = super::timed(|| {
            executor.block_on(async {
                let mut sent = 0;
                for i in super::workload(aggregates, each) {
                    framework.execute(&ids[i as usize], Add(1)).await.expect("the command is accepted");
                    sent += 1;
                }
                sent
            })
        });
        std::io::Write::flush(&mut std::io::stdout()).expect("stdout flushes");
        drop(gag);
        measured
    }
}

thread_local! {
    /// CPU time the runtime passes of (a) used.
    static CPU_MANY: std::cell::Cell<Duration> = const { std::cell::Cell::new(Duration::ZERO) };
}

fn bench_many(rounds: u32, aggregates: u64, each: u64) {
    let (mut ours, mut theirs, mut in_memory) = (Rate::default(), Rate::default(), Rate::default());
    for _ in 0..rounds {
        let (n, t) = runtime_many(aggregates, each, Kept::OnSled);
        ours.add(n, t);
        let (n, t) = cqrs::run(aggregates, each);
        theirs.add(n, t);
        let (n, t) = runtime_many(aggregates, each, Kept::InMemory);
        in_memory.add(n, t);
    }
    println!(
        "(a) {aggregates} aggregates x {each} commands, 1 event each: runtime on sled (durable) {:.0} commands/s; \
         cqrs-es MemStore (in memory) {:.0} commands/s; ratio {:.2}",
        ours.per_sec(),
        theirs.per_sec(),
        ours.per_sec() / theirs.per_sec()
    );
    let cpu_per_command = CPU_MANY.with(|c| c.get()).as_secs_f64() / ours.count as f64;
    println!(
        "    the runtime used {:.1} us of CPU per command (all threads; the machine has {} cores)",
        cpu_per_command * 1e6,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "    for comparison, not the goal: the runtime on its in-memory store (not durable) {:.0} commands/s, {:.2}x cqrs-es",
        in_memory.per_sec(),
        in_memory.per_sec() / theirs.per_sec()
    );
}

// ------------------------------------------------------------------ (b) a long stream

/// Writes `events` events to counter 0's stream straight through the store, 1000 a request.
fn prefill(dir: &Path, events: u64) {
    let store = SledEventStore::open(dir.join("counters"), "counters", Arc::new(SystemClock), StoreConfig::default())
        .expect("the store opens");
    let ids = RandomIds;
    let stream = StreamId::for_aggregate(Counter::CATEGORY, 0);
    let encoded = EventCodec::<CounterEvent>::new().encode(&CounterEvent::Added { by: 1 }).expect("encodes");
    let mut left = events;
    while left > 0 {
        let n = left.min(1_000);
        let batch = (0..n)
            .map(|_| NewEvent {
                id: EventId::generate(&ids),
                event_type: encoded.event_type.clone(),
                schema_version: encoded.schema_version,
                payload: encoded.payload.clone(),
                correlation_id: CorrelationId::generate(&ids),
                causation_id: CausationId::generate(&ids),
            })
            .collect();
        store.append(AppendRequest::events(stream.clone(), ExpectedVersion::Any, batch)).expect("appended");
        left -= n;
    }
}

struct LongStream {
    steady: Rate,
    /// The first command after a start: replaying the stream, no snapshot yet.
    cold_replay: Duration,
    /// The first command after a restart: snapshot plus tail.
    cold_snapshot: Duration,
}

/// Prefills counter 0 with `events`, then: the first command (a cold load from events
/// alone), a restart, the first command again (a cold load from the snapshot the first
/// runtime took), then `commands` more, timed, many in flight.
fn long_stream(events: u64, commands: u64) -> LongStream {
    let dir = tempfile::tempdir().expect("a temporary directory");
    prefill(dir.path(), events);
    let first = |runtime: &RuntimeHandle| timed(|| drive(runtime, [Bump { counter: 0 }])).1;
    let runtime = start(dir.path(), |r| r.host(Counters));
    let cold_replay = first(&runtime);
    // A snapshot is due at the first command after a replay of more than `snapshot_every`
    // events; it is saved once that command is durable, before its answer.
    runtime.shutdown();
    let runtime = start(dir.path(), |r| r.host(Counters));
    let cold_snapshot = first(&runtime);
    let (n, t) = timed(|| drive(&runtime, (0..commands).map(|_| Bump { counter: 0 })));
    let state = runtime.query_blocking(CounterValue(0)).expect("the counter");
    assert_eq!(state.bumps, events + commands + 2, "every command counted once");
    runtime.shutdown();
    LongStream { steady: Rate { count: n, elapsed: t }, cold_replay, cold_snapshot }
}

fn bench_long(rounds: u32, long: u64, short: u64, commands: u64) {
    let (mut at_long, mut at_short) = (Rate::default(), Rate::default());
    let (mut replay, mut snapshot) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        let l = long_stream(long, commands);
        at_long.add(l.steady.count, l.steady.elapsed);
        replay = replay.min(l.cold_replay);
        snapshot = snapshot.min(l.cold_snapshot);
        let s = long_stream(short, commands);
        at_short.add(s.steady.count, s.steady.elapsed);
    }
    println!(
        "(b) one aggregate, {commands} commands in flight: at {long} events {:.0} commands/s; at {short} events \
         {:.0} commands/s; ratio {:.2}",
        at_long.per_sec(),
        at_short.per_sec(),
        at_long.per_sec() / at_short.per_sec()
    );
    println!(
        "    first command on the {long}-event stream (best of {rounds}): {:.1} ms replaying every event, \
         {:.1} ms from the snapshot",
        replay.as_secs_f64() * 1e3,
        snapshot.as_secs_f64() * 1e3
    );
}

// ------------------------------------------------------------------ (c) messages

struct Messages {
    appends: Rate,
    delivered: Rate,
}

/// Fills the sender's outbox with `n` messages (one command each, the receiver stopped, so
/// nothing is consumed), shuts down, then starts a new runtime on the same storage and times
/// until the receiver has durably processed every message: the relay reads the outbox from
/// the delivery cursor, publishes onto the bus, the router dispatches, the receiver commits
/// its event with the inbox mark.
fn messages(n: u64) -> Messages {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let both = |r: Runtime| r.host(Sender).host(Receiver);
    let first = start(dir.path(), both);
    first.stop_context("receiver").expect("hosted");
    let appends = timed(|| drive(&first, (0..n).map(|counter| BumpAndPing { counter })));
    first.shutdown();

    let began = Instant::now();
    let second = start(dir.path(), both);
    let inbox = second.store("receiver").expect("hosted");
    // Each message makes one event in the receiver: its last durable position counts them.
    while inbox.last_position().expect("readable").get() < n {
        std::thread::sleep(Duration::from_micros(200));
    }
    let delivered = (n, began.elapsed());
    assert_eq!(inbox.last_position().expect("readable").get(), n, "each message processed once");
    second.shutdown();
    Messages {
        appends: Rate { count: appends.0, elapsed: appends.1 },
        delivered: Rate { count: delivered.0, elapsed: delivered.1 },
    }
}

fn bench_messages(rounds: u32, n: u64) {
    let (mut appends, mut delivered) = (Rate::default(), Rate::default());
    for _ in 0..rounds {
        let m = messages(n);
        appends.add(m.appends.count, m.appends.elapsed);
        delivered.add(m.delivered.count, m.delivered.elapsed);
    }
    println!(
        "(c) {n} messages: outbox -> bus -> durable inbox {:.0} messages/s; durable appends (1 event + 1 outbox \
         message) {:.0}/s; ratio {:.2}",
        delivered.per_sec(),
        appends.per_sec(),
        delivered.per_sec() / appends.per_sec()
    );
}

// ------------------------------------------------------------------ (d) memory

/// Resident memory, from `/proc/self/statm` (its second field, in pages of 4 KiB).
fn rss_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    (pages * 4096) as f64 / (1024.0 * 1024.0)
}

fn dir_mib(path: &Path) -> f64 {
    fn walk(path: &Path) -> u64 {
        let Ok(entries) = std::fs::read_dir(path) else { return 0 };
        entries
            .flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    }
    walk(path) as f64 / (1024.0 * 1024.0)
}

fn bench_memory(touch: u64) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = start(dir.path(), |r| r.host(Counters));
    let capacity = config().cache_capacity;
    println!(
        "(d) resident memory while {touch} distinct aggregates are touched (cache capacity {capacity}): \
         {:.0} MiB before",
        rss_mib()
    );
    let checkpoints: Vec<u64> = [touch / 10, touch / 2, touch].into_iter().filter(|c| *c > 0).collect();
    let start = Instant::now();
    let mut done = 0;
    for checkpoint in checkpoints {
        done += drive(&runtime, (done..checkpoint).map(|counter| Bump { counter }));
        println!(
            "    after {done:>8} aggregates: RSS {:>6.0} MiB, {:>6.0} MiB on disk, {:.0} commands/s so far",
            rss_mib(),
            dir_mib(dir.path()),
            done as f64 / start.elapsed().as_secs_f64()
        );
    }
    runtime.shutdown();
}

// ------------------------------------------------------------------ main

fn setting(flag: &str, env: &str) -> Option<u64> {
    let mut args = std::env::args().skip_while(|a| a != flag).skip(1);
    args.next().or_else(|| std::env::var(env).ok()).and_then(|s| s.parse().ok())
}

fn main() {
    // An unoptimized build is `cargo test --all-targets` running this binary: a smoke run on
    // a tiny workload then, since its figures would mean nothing anyway.
    let smoke = cfg!(debug_assertions);
    let rounds = setting("--rounds", "BOOKBOX_BENCH_ROUNDS").unwrap_or(if smoke { 1 } else { 3 }).max(1) as u32;
    let touch = setting("--touch", "BOOKBOX_BENCH_TOUCH").unwrap_or(if smoke { 2_000 } else { 1_000_000 });
    let scale = |full: u64, tiny: u64| if smoke { tiny } else { full };
    // `--only abd` runs some of the parts (for profiling one).
    let only = std::env::args().skip_while(|a| a != "--only").nth(1).unwrap_or_else(|| "abcd".into());
    println!("runtime on sled, {rounds} round(s) per figure, {WINDOW} commands in flight");
    // Memory first, while the process has not yet grown for the other parts.
    if only.contains('d') {
        bench_memory(touch);
    }
    if only.contains('a') {
        bench_many(rounds, scale(10_000, 100), scale(10, 2));
    }
    if only.contains('b') {
        bench_long(rounds, scale(100_000, 1_000), 10, scale(50_000, 500));
    }
    if only.contains('c') {
        bench_messages(rounds, scale(50_000, 500));
    }
}
