//! The conformance suite of the [`EventStore`] port. Every adapter runs it, through
//! [`crate::event_store_conformance!`], so that the in-memory store the contexts are tested
//! against and the durable store they run on cannot drift apart.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::value::RawValue;

use super::sample::{Counter, CounterCommand, CounterEvent, CORPUS};
use crate::aggregate::{Aggregate, Env};
use crate::event::EventCodec;
use crate::ids::{
    CausationId, CorrelationId, EventId, ExpectedVersion, IdSource, Position, SequentialIds, StreamId, Version,
};
use crate::message::{message_type, Envelope, MessageId, MessageKind};
use crate::repository::{load, snapshot_of, SnapshotCodec};
use crate::store::{
    AppendError, AppendReceipt, AppendRequest, EventStore, InboxMark, NewEvent, OutboxSeq, RecordedEvent, StoreError,
    StreamBound, StreamWrite,
};
use crate::time::{ManualClock, Timestamp};

/// How the suite opens, reopens and damages an adapter's store.
pub trait Harness {
    type Store: EventStore;
    /// Opens a new, empty store whose clock is [`Harness::clock`].
    fn open(&mut self) -> Self::Store;
    /// Closes `store` (as a process exit would) and opens the same data again.
    fn reopen(&mut self, store: Self::Store) -> Self::Store;
    /// The clock the store stamps events with.
    fn clock(&self) -> Arc<ManualClock>;
    /// Damages the stored record holding the event at `position`, as a disk might.
    fn corrupt(&mut self, store: &Self::Store, position: Position);
}

/// Generates one `#[test]` per conformance case for a harness expression.
#[macro_export]
macro_rules! event_store_conformance {
    ($harness:expr) => {
        $crate::event_store_conformance!(@cases $harness;
            expected_version_conflicts_are_rejected_and_named,
            concurrent_appenders_keep_streams_contiguous,
            the_global_log_is_a_total_order_without_gaps,
            events_outbox_and_inbox_commit_atomically,
            the_inbox_makes_a_consumer_idempotent,
            invalid_requests_write_nothing,
            reopening_keeps_everything_acknowledged,
            snapshots_are_kept_per_schema,
            snapshot_plus_tail_equals_full_replay,
            streams_can_be_read_as_of_a_version_or_a_time,
            the_old_corpus_is_upcast_on_read,
            corruption_is_detected_and_named,
            the_outbox_is_read_in_order_and_delivery_is_remembered,
        );
    };
    (@cases $harness:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let mut harness = $harness;
                $crate::testing::conformance::$case(&mut harness);
            }
        )*
    };
}

fn ids() -> SequentialIds {
    SequentialIds::new(42)
}

fn stream(name: &str) -> StreamId {
    StreamId::parse(name).expect("valid test stream id")
}

/// A new event with a small JSON payload.
pub fn event(ids: &dyn IdSource, n: u64) -> NewEvent {
    NewEvent {
        id: EventId::generate(ids),
        event_type: "incremented".into(),
        schema_version: 2,
        payload: RawValue::from_string(format!(r#"{{"by":{n}}}"#)).expect("valid JSON"),
        correlation_id: CorrelationId::generate(ids),
        causation_id: CausationId::generate(ids),
    }
}

/// A message for the outbox.
pub fn message(ids: &dyn IdSource, n: u64) -> Envelope {
    Envelope {
        specversion: Envelope::SPEC_VERSION.into(),
        id: MessageId::generate(ids),
        source: Envelope::source_of("conformance"),
        message_type: message_type("conformance", "counted", 1),
        subject: Some(format!("counter-{n}")),
        time: Timestamp::from_micros(0),
        datacontenttype: Envelope::JSON.into(),
        dataschema: None,
        kind: MessageKind::DomainEvent,
        schemaversion: 1,
        correlationid: CorrelationId::generate(ids),
        causationid: CausationId::generate(ids),
        traceparent: None,
        recipient: None,
        dataref: None,
        data: Some(RawValue::from_string(format!(r#"{{"n":{n}}}"#)).expect("valid JSON")),
    }
}

fn append_n(
    store: &dyn EventStore,
    ids: &dyn IdSource,
    s: &StreamId,
    expected: ExpectedVersion,
    n: u64,
) -> AppendReceipt {
    let events = (0..n).map(|i| event(ids, i)).collect();
    store.append(AppendRequest::events(s.clone(), expected, events)).expect("append accepted")
}

fn versions(events: &[RecordedEvent]) -> Vec<u64> {
    events.iter().map(|e| e.version.get()).collect()
}

pub fn expected_version_conflicts_are_rejected_and_named(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    let s = stream("order-1");
    append_n(&store, &ids, &s, ExpectedVersion::NoStream, 2);
    let again = store.append(AppendRequest::events(s.clone(), ExpectedVersion::NoStream, vec![event(&ids, 9)]));
    assert_eq!(
        again,
        Err(AppendError::Conflict { stream: s.clone(), expected: ExpectedVersion::NoStream, actual: Version::new(2) })
    );
    let stale = store
        .append(AppendRequest::events(s.clone(), ExpectedVersion::Exact(Version::new(1)), vec![event(&ids, 9)]))
        .unwrap_err();
    assert_eq!(stale.to_string(), "concurrency conflict on stream `order-1`: expected version 1, actual version 2");
    append_n(&store, &ids, &s, ExpectedVersion::Exact(Version::new(2)), 1);
    append_n(&store, &ids, &s, ExpectedVersion::Any, 1);
    assert_eq!(store.stream_version(&s).unwrap(), Version::new(4));
    assert_eq!(versions(&store.read_stream(&s, Version::INITIAL, StreamBound::End).unwrap()), [1, 2, 3, 4]);
}

pub fn concurrent_appenders_keep_streams_contiguous(h: &mut impl Harness) {
    let store = h.open();
    let streams: Vec<StreamId> = (0..3).map(|i| stream(&format!("hot-{i}"))).collect();
    let acknowledged = std::sync::Mutex::new(BTreeMap::<StreamId, u64>::new());
    std::thread::scope(|scope| {
        for writer in 0..4u64 {
            let (store, streams, acknowledged) = (&store, &streams, &acknowledged);
            scope.spawn(move || {
                let ids = SequentialIds::new(100 + writer);
                for i in 0..40u64 {
                    let s = &streams[((writer + i) % 3) as usize];
                    // Read, then append with the version seen; retry on conflict.
                    loop {
                        let seen = store.stream_version(s).unwrap();
                        let n = 1 + (i % 3);
                        let events = (0..n).map(|k| event(&ids, k)).collect();
                        match store.append(AppendRequest::events(s.clone(), ExpectedVersion::from_seen(seen), events)) {
                            Ok(_) => {
                                *acknowledged.lock().unwrap().entry(s.clone()).or_default() += n;
                                break;
                            }
                            Err(AppendError::Conflict { .. }) => continue,
                            Err(e) => panic!("unexpected append error: {e}"),
                        }
                    }
                }
            });
        }
    });
    for (s, count) in acknowledged.into_inner().unwrap() {
        let events = store.read_stream(&s, Version::INITIAL, StreamBound::End).unwrap();
        assert_eq!(versions(&events), (1..=count).collect::<Vec<_>>(), "stream {s} has a gap");
    }
    let all = store.read_all(Position::START, usize::MAX).unwrap();
    assert_eq!(all.len() as u64, store.last_position().unwrap().get());
}

pub fn the_global_log_is_a_total_order_without_gaps(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    for i in 0..30u64 {
        let s = stream(&format!("s-{}", i % 4));
        append_n(&store, &ids, &s, ExpectedVersion::Any, 1 + i % 5);
    }
    let all = store.read_all(Position::START, usize::MAX).unwrap();
    let positions: Vec<u64> = all.iter().map(|e| e.position.get()).collect();
    assert_eq!(positions, (1..=all.len() as u64).collect::<Vec<_>>());
    assert_eq!(store.last_position().unwrap(), all.last().unwrap().position);
    // Paging from any position continues exactly where it left off.
    let mut paged = Vec::new();
    let mut after = Position::START;
    loop {
        let page = store.read_all(after, 7).unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        paged.extend(page);
    }
    assert_eq!(paged, all);
    // Each stream's events appear in the log in version order.
    let mut last_seen = BTreeMap::new();
    for e in &all {
        let prev = last_seen.insert(e.stream.clone(), e.version.get()).unwrap_or(0);
        assert_eq!(e.version.get(), prev + 1);
    }
}

pub fn events_outbox_and_inbox_commit_atomically(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    let (a, b) = (stream("a"), stream("b"));
    append_n(&store, &ids, &b, ExpectedVersion::NoStream, 1);
    let mark = InboxMark { consumer: "test-consumer".into(), message_id: MessageId::generate(&ids) };
    // The second write conflicts: neither write, nor the outbox, nor the inbox mark lands.
    let request = AppendRequest {
        writes: vec![
            StreamWrite { stream: a.clone(), expected: ExpectedVersion::NoStream, events: vec![event(&ids, 1)] },
            StreamWrite { stream: b.clone(), expected: ExpectedVersion::NoStream, events: vec![event(&ids, 2)] },
        ],
        outbox: vec![message(&ids, 1)],
        inbox: Some(mark.clone()),
    };
    assert!(matches!(store.append(request), Err(AppendError::Conflict { .. })));
    assert_eq!(store.stream_version(&a).unwrap(), Version::INITIAL);
    assert!(store.read_outbox(OutboxSeq(0), 10).unwrap().is_empty());
    assert!(!store.is_processed(&mark).unwrap());
    assert_eq!(store.last_position().unwrap(), Position::new(1));
    // Accepted: all of it lands together.
    let request = AppendRequest {
        writes: vec![
            StreamWrite { stream: a.clone(), expected: ExpectedVersion::NoStream, events: vec![event(&ids, 1)] },
            StreamWrite {
                stream: b.clone(),
                expected: ExpectedVersion::Exact(Version::new(1)),
                events: vec![event(&ids, 2), event(&ids, 3)],
            },
        ],
        outbox: vec![message(&ids, 1), message(&ids, 2)],
        inbox: Some(mark.clone()),
    };
    let receipt = store.append(request).unwrap();
    assert_eq!(receipt.positions, Some((Position::new(2), Position::new(4))));
    assert_eq!(receipt.versions, vec![(a.clone(), Version::new(1)), (b.clone(), Version::new(3))]);
    assert_eq!(receipt.outbox, Some((OutboxSeq(1), OutboxSeq(2))));
    assert_eq!(store.read_outbox(OutboxSeq(0), 10).unwrap().len(), 2);
    assert!(store.is_processed(&mark).unwrap());
}

pub fn the_inbox_makes_a_consumer_idempotent(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    let s = stream("replica-1");
    let mark = InboxMark { consumer: "replicator".into(), message_id: MessageId::generate(&ids) };
    let request =
        || AppendRequest::events(s.clone(), ExpectedVersion::Any, vec![event(&ids, 1)]).with_inbox(mark.clone());
    store.append(request()).unwrap();
    assert_eq!(
        store.append(request()),
        Err(AppendError::AlreadyProcessed { consumer: "replicator".into(), message_id: mark.message_id })
    );
    assert_eq!(store.stream_version(&s).unwrap(), Version::new(1));
    // The same message is new to another consumer.
    let other = InboxMark { consumer: "auditor".into(), ..mark.clone() };
    assert!(!store.is_processed(&other).unwrap());
    // A mark alone (a message with no effect) is recorded too.
    store.append(AppendRequest { inbox: Some(other.clone()), ..AppendRequest::default() }).unwrap();
    assert!(store.is_processed(&other).unwrap());
}

pub fn invalid_requests_write_nothing(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    let s = stream("x");
    let empty = store.append(AppendRequest::default());
    assert!(matches!(empty, Err(AppendError::Invalid(_))), "{empty:?}");
    let no_events = store.append(AppendRequest::events(s.clone(), ExpectedVersion::Any, vec![]));
    assert!(matches!(no_events, Err(AppendError::Invalid(_))), "{no_events:?}");
    let twice = AppendRequest {
        writes: vec![
            StreamWrite { stream: s.clone(), expected: ExpectedVersion::Any, events: vec![event(&ids, 1)] },
            StreamWrite { stream: s.clone(), expected: ExpectedVersion::Any, events: vec![event(&ids, 2)] },
        ],
        ..AppendRequest::default()
    };
    let twice = store.append(twice).unwrap_err();
    assert_eq!(twice.to_string(), "invalid append: stream `x` appears twice in one request");
    assert_eq!(store.last_position().unwrap(), Position::START);
}

pub fn reopening_keeps_everything_acknowledged(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    let mark = InboxMark { consumer: "c".into(), message_id: MessageId::generate(&ids) };
    for i in 0..20u64 {
        let s = stream(&format!("r-{}", i % 3));
        let mut request = AppendRequest::events(s, ExpectedVersion::Any, vec![event(&ids, i)]);
        if i % 4 == 0 {
            request.outbox.push(message(&ids, i));
        }
        store.append(request).unwrap();
    }
    store.append(AppendRequest { inbox: Some(mark.clone()), ..AppendRequest::default() }).unwrap();
    store.mark_outbox_delivered(OutboxSeq(2)).unwrap();
    let snapshot =
        crate::store::Snapshot { stream: stream("r-0"), version: Version::new(3), schema: 7, state: vec![1, 2, 3] };
    store.save_snapshot(&snapshot).unwrap();
    let before_log = store.read_all(Position::START, usize::MAX).unwrap();
    let before_outbox = store.read_outbox(OutboxSeq(0), usize::MAX).unwrap();

    let store = h.reopen(store);
    assert_eq!(store.read_all(Position::START, usize::MAX).unwrap(), before_log);
    let after_outbox = store.read_outbox(OutboxSeq(0), usize::MAX).unwrap();
    assert_eq!(serde_json::to_string(&after_outbox).unwrap(), serde_json::to_string(&before_outbox).unwrap());
    assert_eq!(store.outbox_delivered().unwrap(), OutboxSeq(2));
    assert!(store.is_processed(&mark).unwrap());
    assert_eq!(store.load_snapshot(&stream("r-0"), 7).unwrap(), Some(snapshot));
    assert_eq!(store.stream_version(&stream("r-1")).unwrap(), Version::new(7));
    // Appending continues from where it was: versions, positions and outbox sequence.
    let receipt = store
        .append(
            AppendRequest::events(stream("r-1"), ExpectedVersion::Exact(Version::new(7)), vec![event(&ids, 99)])
                .with_outbox(vec![message(&ids, 99)]),
        )
        .unwrap();
    assert_eq!(receipt.positions, Some((Position::new(21), Position::new(21))));
    assert_eq!(receipt.outbox, Some((OutboxSeq(6), OutboxSeq(6))));
}

pub fn snapshots_are_kept_per_schema(h: &mut impl Harness) {
    let store = h.open();
    let s = stream("snap");
    assert_eq!(store.load_snapshot(&s, 1).unwrap(), None);
    let v1 = crate::store::Snapshot { stream: s.clone(), version: Version::new(5), schema: 1, state: b"five".to_vec() };
    store.save_snapshot(&v1).unwrap();
    assert_eq!(store.load_snapshot(&s, 1).unwrap(), Some(v1));
    // Another shape: the old snapshot is not handed out.
    assert_eq!(store.load_snapshot(&s, 2).unwrap(), None);
    let v2 = crate::store::Snapshot { stream: s.clone(), version: Version::new(9), schema: 2, state: b"nine".to_vec() };
    store.save_snapshot(&v2).unwrap();
    assert_eq!(store.load_snapshot(&s, 2).unwrap(), Some(v2));
}

/// A JSON snapshot codec, enough to test the loading rule; adapters bring their own.
struct JsonSnapshots;

impl SnapshotCodec<Counter> for JsonSnapshots {
    fn schema(&self) -> u64 {
        1
    }
    fn encode(&self, state: &Counter) -> Result<Vec<u8>, String> {
        serde_json::to_vec(state).map_err(|e| e.to_string())
    }
    fn decode(&self, bytes: &[u8]) -> Result<Counter, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

/// Executes counter commands against a store, for tests of loading.
fn run_counter(store: &dyn EventStore, s: &StreamId, commands: &[CounterCommand]) {
    let codec = EventCodec::<CounterEvent>::new();
    let ids = ids();
    for command in commands {
        let loaded = load::<Counter>(store, &codec, None, s, StreamBound::End).unwrap();
        let env = Env { now: Timestamp::from_micros(0), ids: &ids };
        let Ok(events) = loaded.state.decide(command, &env) else { continue };
        let events = events
            .iter()
            .map(|e| {
                let enc = codec.encode(e).unwrap();
                NewEvent {
                    event_type: enc.event_type,
                    schema_version: enc.schema_version,
                    payload: enc.payload,
                    ..event(&ids, 0)
                }
            })
            .collect();
        store.append(AppendRequest::events(s.clone(), ExpectedVersion::from_seen(loaded.version), events)).unwrap();
    }
}

pub fn snapshot_plus_tail_equals_full_replay(h: &mut impl Harness) {
    let store = h.open();
    let codec = EventCodec::<CounterEvent>::new();
    let s = stream("counter-1");
    let commands: Vec<CounterCommand> =
        (0..40).map(|i| if i % 11 == 10 { CounterCommand::Reset } else { CounterCommand::Increment(i % 7) }).collect();
    run_counter(&store, &s, &commands[..25]);
    let at_25 = load::<Counter>(&store, &codec, None, &s, StreamBound::End).unwrap();
    store.save_snapshot(&snapshot_of(&JsonSnapshots, &s, &at_25).unwrap()).unwrap();
    run_counter(&store, &s, &commands[25..]);
    let full = load::<Counter>(&store, &codec, None, &s, StreamBound::End).unwrap();
    let from_snapshot = load::<Counter>(&store, &codec, Some(&JsonSnapshots), &s, StreamBound::End).unwrap();
    assert_eq!(from_snapshot.state, full.state);
    assert_eq!(from_snapshot.version, full.version);
    assert_eq!(from_snapshot.replayed, full.version.get() - at_25.version.get(), "the snapshot was not used");
    // A snapshot past an as-of bound is not used for that read.
    let old = load::<Counter>(&store, &codec, Some(&JsonSnapshots), &s, StreamBound::Version(Version::new(3))).unwrap();
    assert_eq!(old, load::<Counter>(&store, &codec, None, &s, StreamBound::Version(Version::new(3))).unwrap());
    // A snapshot that does not decode is ignored, and the state rebuilt from events.
    store
        .save_snapshot(&crate::store::Snapshot {
            stream: s.clone(),
            version: at_25.version,
            schema: 1,
            state: b"{".to_vec(),
        })
        .unwrap();
    let rebuilt = load::<Counter>(&store, &codec, Some(&JsonSnapshots), &s, StreamBound::End).unwrap();
    assert_eq!(rebuilt.state, full.state);
}

pub fn streams_can_be_read_as_of_a_version_or_a_time(h: &mut impl Harness) {
    let clock = h.clock();
    let store = h.open();
    let ids = ids();
    let s = stream("travel");
    clock.set(Timestamp::parse("2026-01-01T00:00:00Z").unwrap());
    append_n(&store, &ids, &s, ExpectedVersion::Any, 2);
    clock.set(Timestamp::parse("2026-02-01T00:00:00Z").unwrap());
    append_n(&store, &ids, &s, ExpectedVersion::Any, 3);
    clock.set(Timestamp::parse("2026-03-01T00:00:00Z").unwrap());
    append_n(&store, &ids, &s, ExpectedVersion::Any, 1);
    let upto = |bound| versions(&store.read_stream(&s, Version::INITIAL, bound).unwrap());
    assert_eq!(upto(StreamBound::Version(Version::new(3))), [1, 2, 3]);
    assert_eq!(upto(StreamBound::Version(Version::new(0))), Vec::<u64>::new());
    assert_eq!(upto(StreamBound::Time(Timestamp::parse("2026-01-15T00:00:00Z").unwrap())), [1, 2]);
    assert_eq!(upto(StreamBound::Time(Timestamp::parse("2026-02-01T00:00:00Z").unwrap())), [1, 2, 3, 4, 5]);
    assert_eq!(upto(StreamBound::Time(Timestamp::parse("2025-12-31T00:00:00Z").unwrap())), Vec::<u64>::new());
    assert_eq!(
        versions(&store.read_stream(&s, Version::new(4), StreamBound::End).unwrap()),
        [5, 6],
        "reading after a version skips what came before"
    );
    let first = &store.read_stream(&s, Version::INITIAL, StreamBound::End).unwrap()[0];
    assert_eq!(first.recorded_at, Timestamp::parse("2026-01-01T00:00:00Z").unwrap());
}

pub fn the_old_corpus_is_upcast_on_read(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    let codec = EventCodec::<CounterEvent>::new();
    let s = stream("counter-corpus");
    // Written as an older build would have: the corpus payloads at their own versions.
    let events = CORPUS
        .iter()
        .map(|(event_type, version, json)| NewEvent {
            event_type: (*event_type).into(),
            schema_version: *version,
            payload: RawValue::from_string(json.trim().to_owned()).expect("corpus is JSON"),
            ..event(&ids, 0)
        })
        .collect();
    store.append(AppendRequest::events(s.clone(), ExpectedVersion::NoStream, events)).unwrap();
    let decoded: Vec<CounterEvent> = store
        .read_stream(&s, Version::INITIAL, StreamBound::End)
        .unwrap()
        .iter()
        .map(|r| codec.decode(&r.event_type, r.schema_version, &r.payload).expect("corpus decodes"))
        .collect();
    assert_eq!(
        decoded,
        [
            CounterEvent::Incremented { by: 3, note: "upcast from v1".into() },
            CounterEvent::Incremented { by: 5, note: "from the corpus".into() },
            CounterEvent::Reset,
        ]
    );
}

pub fn corruption_is_detected_and_named(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    let s = stream("fragile");
    append_n(&store, &ids, &s, ExpectedVersion::NoStream, 2);
    append_n(&store, &ids, &stream("sturdy"), ExpectedVersion::NoStream, 1);
    h.corrupt(&store, Position::new(1));
    let err = store.read_stream(&s, Version::INITIAL, StreamBound::End).unwrap_err();
    let StoreError::Corrupt { context, location, .. } = &err else { panic!("expected corruption, got {err:?}") };
    assert_eq!(context, store.context());
    assert!(location.contains("stream `fragile`") && location.contains("version 1"), "location: {location}");
    assert!(matches!(store.read_all(Position::START, 10), Err(StoreError::Corrupt { .. })));
    // Undamaged records still read.
    assert_eq!(store.read_stream(&stream("sturdy"), Version::INITIAL, StreamBound::End).unwrap().len(), 1);
}

pub fn the_outbox_is_read_in_order_and_delivery_is_remembered(h: &mut impl Harness) {
    let store = h.open();
    let ids = ids();
    for i in 0..10u64 {
        let request = AppendRequest::events(stream("o"), ExpectedVersion::Any, vec![event(&ids, i)])
            .with_outbox((0..(i % 3)).map(|k| message(&ids, k)).collect());
        store.append(request).unwrap();
    }
    let all = store.read_outbox(OutboxSeq(0), usize::MAX).unwrap();
    let seqs: Vec<u64> = all.iter().map(|e| e.seq.0).collect();
    assert_eq!(seqs, (1..=all.len() as u64).collect::<Vec<_>>());
    assert_eq!(store.read_outbox(OutboxSeq(3), 2).unwrap().iter().map(|e| e.seq.0).collect::<Vec<_>>(), [4, 5]);
    assert_eq!(store.outbox_delivered().unwrap(), OutboxSeq(0));
    store.mark_outbox_delivered(OutboxSeq(4)).unwrap();
    store.mark_outbox_delivered(OutboxSeq(2)).unwrap();
    assert_eq!(store.outbox_delivered().unwrap(), OutboxSeq(4), "the delivery cursor never moves back");
}

/// One step of a random interleaving: a writer appends to a stream with the version it last
/// saw (which may be stale), or refreshes what it saw.
#[derive(Debug, Clone)]
pub enum Step {
    Append { writer: usize, stream: usize, events: u64 },
    Refresh { writer: usize, stream: usize },
}

/// Runs an interleaving of writers against a store and a reference model: every stream
/// stays contiguous, and after a reopen the store holds exactly what was acknowledged.
pub fn interleaving<H: Harness>(h: &mut H, steps: &[Step]) -> Result<(), String> {
    let store = h.open();
    let ids = ids();
    let mut seen: BTreeMap<(usize, usize), Version> = BTreeMap::new();
    let mut model: BTreeMap<usize, Vec<EventId>> = BTreeMap::new();
    let mut log: Vec<EventId> = Vec::new();
    for step in steps {
        match *step {
            Step::Refresh { writer, stream: k } => {
                let v = store.stream_version(&stream(&format!("p-{k}"))).map_err(|e| e.to_string())?;
                seen.insert((writer, k), v);
            }
            Step::Append { writer, stream: k, events: n } => {
                let version = seen.get(&(writer, k)).copied().unwrap_or(Version::INITIAL);
                let events: Vec<NewEvent> = (0..n).map(|i| event(&ids, i)).collect();
                let event_ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
                let actual = model.get(&k).map_or(0, Vec::len) as u64;
                let request =
                    AppendRequest::events(stream(&format!("p-{k}")), ExpectedVersion::from_seen(version), events);
                match store.append(request) {
                    Ok(receipt) => {
                        if version.get() != actual {
                            return Err(format!("append at stale version {version} accepted (actual {actual})"));
                        }
                        let new_version = Version::new(actual + n);
                        if receipt.versions != [(stream(&format!("p-{k}")), new_version)] {
                            return Err(format!("receipt {receipt:?}, expected version {new_version}"));
                        }
                        seen.insert((writer, k), new_version);
                        model.entry(k).or_default().extend(&event_ids);
                        log.extend(event_ids);
                    }
                    Err(AppendError::Conflict { actual: a, .. }) => {
                        if version.get() == actual || a.get() != actual {
                            return Err(format!("conflict at version {version}, model says {actual}, store says {a}"));
                        }
                    }
                    Err(e) => return Err(e.to_string()),
                }
            }
        }
    }
    let store = h.reopen(store);
    for (k, expected) in &model {
        let events = store
            .read_stream(&stream(&format!("p-{k}")), Version::INITIAL, StreamBound::End)
            .map_err(|e| e.to_string())?;
        let got: Vec<EventId> = events.iter().map(|e| e.id).collect();
        if &got != expected || versions(&events) != (1..=expected.len() as u64).collect::<Vec<_>>() {
            return Err(format!("stream p-{k}: expected {} events in order, got {}", expected.len(), got.len()));
        }
    }
    let all: Vec<EventId> =
        store.read_all(Position::START, usize::MAX).map_err(|e| e.to_string())?.iter().map(|e| e.id).collect();
    if all != log {
        return Err(format!("global log holds {} events, {} were acknowledged", all.len(), log.len()));
    }
    Ok(())
}

/// A proptest strategy for interleavings of 3 writers over 3 streams.
pub fn steps() -> impl proptest::strategy::Strategy<Value = Vec<Step>> {
    use proptest::prelude::*;
    let step = prop_oneof![
        3 => (0..3usize, 0..3usize, 1..4u64).prop_map(|(writer, stream, events)| Step::Append { writer, stream, events }),
        1 => (0..3usize, 0..3usize).prop_map(|(writer, stream)| Step::Refresh { writer, stream }),
    ];
    proptest::collection::vec(step, 1..40)
}
