//! The sled store against the `EventStore` conformance suite, plus what only a durable store
//! has: snapshots through the bincode codec, group commit, the on-disk layout's limits, and
//! damaged bytes on disk.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bookbox::store::{BincodeSnapshots, Durability, SledEventStore, StoreConfig};
use kernel::ids::SequentialIds;
use kernel::repository::{load, snapshot_of, SnapshotCodec};
use kernel::store::{InboxMark, NewEvent, OutboxSeq, StreamBound};
use kernel::testing::conformance::{self, event, message, Harness};
use kernel::testing::sample::{Counter, CounterCommand, CounterError, CounterEvent};
use kernel::time::{ManualClock, Timestamp};
use kernel::{
    Aggregate, AppendError, AppendRequest, Env, EventCodec, EventStore, ExpectedVersion, MessageId, Position,
    StoreError, StreamId, Version,
};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tempfile::TempDir;

struct Sled {
    dir: TempDir,
    clock: Arc<ManualClock>,
    config: StoreConfig,
}

fn harness() -> Sled {
    Sled {
        dir: tempfile::tempdir().expect("a temporary directory"),
        clock: Arc::new(ManualClock::new(Timestamp::from_micros(0))),
        config: StoreConfig::default(),
    }
}

impl Sled {
    fn path(&self) -> PathBuf {
        self.dir.path().join("store")
    }
}

impl Harness for Sled {
    type Store = SledEventStore;

    fn open(&mut self) -> SledEventStore {
        SledEventStore::open(self.path(), "sled", self.clock.clone(), self.config.clone()).expect("the store opens")
    }

    fn reopen(&mut self, store: SledEventStore) -> SledEventStore {
        // Dropping the last handle joins the writer and closes the database.
        drop(store);
        self.open()
    }

    fn clock(&self) -> Arc<ManualClock> {
        self.clock.clone()
    }

    fn corrupt(&mut self, store: &SledEventStore, position: Position) {
        assert!(store.corrupt_commit_at(position).expect("the hook works"), "no commit holds position {position}");
    }
}

kernel::event_store_conformance!(harness());

mod per_commit {
    use super::*;

    fn harness() -> Sled {
        Sled { config: StoreConfig { durability: Durability::PerCommit, ..StoreConfig::default() }, ..super::harness() }
    }

    kernel::event_store_conformance!(@cases harness();
        concurrent_appenders_keep_streams_contiguous,
        events_outbox_and_inbox_commit_atomically,
        reopening_keeps_everything_acknowledged,
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]
    #[test]
    fn random_interleavings_keep_streams_contiguous_and_survive_reopening(steps in conformance::steps()) {
        conformance::interleaving(&mut harness(), &steps).map_err(TestCaseError::fail)?;
    }
}

fn stream(name: &str) -> StreamId {
    StreamId::parse(name).unwrap()
}

/// Appends counter events as the repository would, one append per event.
fn append_counter(store: &dyn EventStore, s: &StreamId, events: &[CounterEvent]) {
    let codec = EventCodec::<CounterEvent>::new();
    let ids = SequentialIds::new(9);
    for e in events {
        let encoded = codec.encode(e).unwrap();
        let new = NewEvent {
            event_type: encoded.event_type,
            schema_version: encoded.schema_version,
            payload: encoded.payload,
            ..event(&ids, 0)
        };
        store.append(AppendRequest::events(s.clone(), ExpectedVersion::Any, vec![new])).unwrap();
    }
}

fn counter_events(n: u64) -> Vec<CounterEvent> {
    (0..n)
        .map(|i| {
            if i % 9 == 8 {
                CounterEvent::Reset
            } else {
                CounterEvent::Incremented { by: i % 5 + 1, note: String::new() }
            }
        })
        .collect()
}

#[test]
fn bincode_snapshot_plus_tail_equals_full_replay_across_a_reopen() {
    let mut h = harness();
    let store = h.open();
    let codec = EventCodec::<CounterEvent>::new();
    let snapshots = BincodeSnapshots::<Counter>::new();
    let s = stream("counter-snap");
    append_counter(&store, &s, &counter_events(25));
    let at_25 = load::<Counter>(&store, &codec, None, &s, StreamBound::End).unwrap();
    store.save_snapshot(&snapshot_of(&snapshots, &s, &at_25).unwrap()).unwrap();
    append_counter(&store, &s, &counter_events(40)[25..]);

    let store = h.reopen(store);
    let full = load::<Counter>(&store, &codec, None, &s, StreamBound::End).unwrap();
    let fast = load::<Counter>(&store, &codec, Some(&snapshots), &s, StreamBound::End).unwrap();
    assert_eq!(fast.state, full.state);
    assert_eq!(fast.version, Version::new(40));
    assert_eq!(fast.replayed, 15, "the snapshot was not used");
    assert_eq!(full.state, Counter::replay(&counter_events(40)));
}

/// `Counter` after a change of shape: the same fields, in the other order. bincode would
/// decode the old bytes into it without complaint, swapping the values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct CounterV2 {
    resets: u32,
    value: u64,
}

impl Aggregate for CounterV2 {
    const CATEGORY: &'static str = "counter";
    type Command = CounterCommand;
    type Event = CounterEvent;
    type Error = CounterError;

    fn decide(&self, _: &CounterCommand, _: &Env<'_>) -> Result<Vec<CounterEvent>, CounterError> {
        Ok(Vec::new())
    }

    fn evolve(&mut self, event: &CounterEvent) {
        let mut counter = Counter { value: self.value, resets: self.resets };
        counter.evolve(event);
        *self = Self { resets: counter.resets, value: counter.value };
    }
}

#[test]
fn a_snapshot_of_another_shape_is_ignored_and_the_state_rebuilt() {
    let mut h = harness();
    let store = h.open();
    let codec = EventCodec::<CounterEvent>::new();
    // The same name and revision: only the traced shape tells the two apart.
    let old = BincodeSnapshots::<Counter>::custom("counter", 1);
    let new = BincodeSnapshots::<CounterV2>::custom("counter", 1);
    assert_ne!(old.schema(), new.schema());
    let s = stream("counter-reshaped");
    append_counter(&store, &s, &counter_events(20));
    let loaded = load::<Counter>(&store, &codec, None, &s, StreamBound::End).unwrap();
    let snapshot = snapshot_of(&old, &s, &loaded).unwrap();
    // The hazard the schema guards against: the new codec decodes the old bytes to garbage.
    let misread = new.decode(&snapshot.state).expect("bincode cannot tell");
    assert_ne!((misread.value, misread.resets), (loaded.state.value, loaded.state.resets));
    store.save_snapshot(&snapshot).unwrap();

    let store = h.reopen(store);
    let rebuilt = load::<CounterV2>(&store, &codec, Some(&new), &s, StreamBound::End).unwrap();
    assert_eq!(rebuilt.replayed, 20, "the old snapshot was used");
    assert_eq!(rebuilt.state, CounterV2 { value: loaded.state.value, resets: loaded.state.resets });
    // Once a snapshot of the new shape is saved, it is used.
    store.save_snapshot(&snapshot_of(&new, &s, &rebuilt).unwrap()).unwrap();
    assert_eq!(load::<CounterV2>(&store, &codec, Some(&new), &s, StreamBound::End).unwrap().replayed, 0);
}

#[test]
fn a_rejected_request_in_a_group_does_not_affect_the_others() {
    let mut h = harness();
    let store = h.open();
    let ids = SequentialIds::new(5);
    let (a, b) = (stream("group-a"), stream("group-b"));
    let (tx, rx) = std::sync::mpsc::channel();
    // Queued back to back, these usually share one group; the outcome must not depend on it.
    let requests = [
        AppendRequest::events(a.clone(), ExpectedVersion::NoStream, vec![event(&ids, 1)]),
        AppendRequest::events(a.clone(), ExpectedVersion::NoStream, vec![event(&ids, 2)]),
        AppendRequest::events(b.clone(), ExpectedVersion::NoStream, vec![event(&ids, 3), event(&ids, 4)])
            .with_outbox(vec![message(&ids, 1)]),
        AppendRequest::events(a.clone(), ExpectedVersion::Exact(Version::new(1)), vec![event(&ids, 5)]),
    ];
    for (i, request) in requests.into_iter().enumerate() {
        let tx = tx.clone();
        store.append_async(request, Box::new(move |result| tx.send((i, result)).unwrap()));
    }
    drop(tx);
    let mut results: Vec<_> = rx.iter().collect();
    results.sort_by_key(|(i, _)| *i);
    assert!(results[0].1.is_ok());
    assert_eq!(
        results[1].1,
        Err(AppendError::Conflict { stream: a.clone(), expected: ExpectedVersion::NoStream, actual: Version::new(1) })
    );
    assert_eq!(results[2].1.as_ref().unwrap().positions, Some((Position::new(2), Position::new(3))));
    assert_eq!(results[3].1.as_ref().unwrap().positions, Some((Position::new(4), Position::new(4))));
    let store = h.reopen(store);
    let ids_of = |s: &StreamId| -> Vec<u64> {
        store.read_stream(s, Version::INITIAL, StreamBound::End).unwrap().iter().map(|e| e.position.get()).collect()
    };
    assert_eq!(ids_of(&a), [1, 4]);
    assert_eq!(ids_of(&b), [2, 3]);
    assert_eq!(store.read_outbox(OutboxSeq(0), 10).unwrap().len(), 1);
}

fn payload_of(bytes: usize, n: u64) -> Box<RawValue> {
    RawValue::from_string(format!(r#"{{"n":{n},"pad":"{}"}}"#, "x".repeat(bytes))).unwrap()
}

fn blob_files(path: &Path) -> usize {
    std::fs::read_dir(path.join("blobs")).map(|d| d.count()).unwrap_or(0)
}

#[test]
fn large_commits_and_snapshots_read_back_and_never_go_to_unsynced_blob_files() {
    let mut h = harness();
    let store = h.open();
    let ids = SequentialIds::new(3);
    let s = stream("large");
    // A 300 KiB event, then 256 events of 1 KiB in one request: both far above sled's blob
    // threshold (128 KiB) if they were written as one value.
    let big = NewEvent { payload: payload_of(300 * 1024, 0), ..event(&ids, 0) };
    store.append(AppendRequest::events(s.clone(), ExpectedVersion::NoStream, vec![big])).unwrap();
    let many = (1..=256).map(|n| NewEvent { payload: payload_of(1024, n), ..event(&ids, n) }).collect();
    store.append(AppendRequest::events(s.clone(), ExpectedVersion::Exact(Version::new(1)), many)).unwrap();
    let state = vec![7u8; 1 << 20];
    let snapshot = kernel::store::Snapshot { stream: s.clone(), version: Version::new(257), schema: 1, state };
    store.save_snapshot(&snapshot).unwrap();
    // A smaller snapshot replaces it whole (no stale chunks of the larger one survive).
    let small = kernel::store::Snapshot { state: vec![1, 2, 3], ..snapshot.clone() };
    store.save_snapshot(&small).unwrap();
    assert_eq!(store.load_snapshot(&s, 1).unwrap(), Some(small));
    store.save_snapshot(&snapshot).unwrap();

    let store = h.reopen(store);
    let events = store.read_stream(&s, Version::INITIAL, StreamBound::End).unwrap();
    assert_eq!(events.len(), 257);
    assert_eq!(events[0].payload.get().len(), 300 * 1024 + 16);
    assert!(events[200].payload.get().starts_with(r#"{"n":200,"#));
    assert_eq!(store.read_stream(&s, Version::new(128), StreamBound::Version(Version::new(130))).unwrap().len(), 2);
    assert_eq!(store.load_snapshot(&s, 1).unwrap(), Some(snapshot));
    assert_eq!(blob_files(&h.path()), 0, "sled wrote a blob file, which it never fsyncs");
    assert!(store.size_on_disk().unwrap() > 0);
}

/// Opens the raw sled database of a closed store, to damage it as a disk or a bug might.
fn with_raw_log(path: &Path, damage: impl FnOnce(&sled::Tree, &sled::Tree)) {
    let db = sled::open(path).unwrap();
    damage(&db.open_tree("log").unwrap(), &db.open_tree("snapshots").unwrap());
    db.flush().unwrap();
}

#[test]
fn damaged_bytes_on_disk_are_reported_never_decoded_or_panicked_on() {
    let mut h = harness();
    let store = h.open();
    let ids = SequentialIds::new(4);
    // Three commits in three groups: 5 events (about 2 KiB) of stream `hurt`, 1 of `index`,
    // then 1 of `whole`.
    let events = (0..5).map(|n| NewEvent { payload: payload_of(300, n), ..event(&ids, n) }).collect();
    store.append(AppendRequest::events(stream("hurt"), ExpectedVersion::NoStream, events)).unwrap();
    store.append(AppendRequest::events(stream("index"), ExpectedVersion::NoStream, vec![event(&ids, 9)])).unwrap();
    store.append(AppendRequest::events(stream("whole"), ExpectedVersion::NoStream, vec![event(&ids, 9)])).unwrap();
    store
        .save_snapshot(&kernel::store::Snapshot {
            stream: stream("hurt"),
            version: Version::new(5),
            schema: 1,
            state: vec![5; 10_000],
        })
        .unwrap();
    let mark = InboxMark { consumer: "c".into(), message_id: MessageId::generate(&ids) };
    store.append(AppendRequest { inbox: Some(mark.clone()), ..AppendRequest::default() }).unwrap();
    drop(store);

    with_raw_log(&h.path(), |log, snapshots| {
        // The record of group 1 loses its first chunk; group 2's index entry is cut short;
        // the snapshot's middle chunk is flipped.
        let chunk = |group: u64, chunk: u32| [&[b'L'][..], &group.to_be_bytes(), &chunk.to_be_bytes()].concat();
        assert!(log.remove(chunk(1, 0)).unwrap().is_some());
        let index = [&[b'S', 5][..], b"index", &1u64.to_be_bytes()].concat();
        let value = log.get(&index).unwrap().unwrap();
        log.insert(&index, &value[..10]).unwrap();
        let key = [&[4u8][..], b"hurt", &1u32.to_be_bytes()].concat();
        let mut bytes = snapshots.get(&key).unwrap().unwrap().to_vec();
        bytes[100] ^= 0xFF;
        snapshots.insert(&key, bytes).unwrap();
    });

    let store = h.open();
    let err = store.read_stream(&stream("hurt"), Version::INITIAL, StreamBound::End).unwrap_err();
    let StoreError::Corrupt { context, location, reason } = &err else { panic!("expected corruption, got {err:?}") };
    assert_eq!(context, "sled");
    assert!(location.contains("stream `hurt` version 1"), "{location}");
    assert!(reason.contains("chunk 0"), "{reason}");
    let err = store.read_stream(&stream("index"), Version::INITIAL, StreamBound::End).unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt { location, .. } if location.contains("stream `index` version 1")),
        "{err:?}"
    );
    assert!(matches!(store.stream_version(&stream("index")), Err(StoreError::Corrupt { .. })));
    let err = store.read_all(Position::START, 10).unwrap_err();
    assert!(matches!(&err, StoreError::Corrupt { location, .. } if location.contains("global position 1")), "{err:?}");
    // What was not damaged still reads; the damaged snapshot is ignored, not decoded.
    assert_eq!(store.read_all(Position::new(6), 10).unwrap().len(), 1);
    assert_eq!(store.read_stream(&stream("whole"), Version::INITIAL, StreamBound::End).unwrap().len(), 1);
    assert_eq!(store.load_snapshot(&stream("hurt"), 1).unwrap(), None);
    assert!(store.is_processed(&mark).unwrap());
    // Appending goes on where the log left off.
    let receipt =
        store.append(AppendRequest::events(stream("whole"), ExpectedVersion::Any, vec![event(&ids, 1)])).unwrap();
    assert_eq!(receipt.positions, Some((Position::new(8), Position::new(8))));
}

#[test]
fn a_second_open_of_the_same_directory_is_refused_while_the_first_is_open() {
    let mut h = harness();
    let store = h.open();
    let second = SledEventStore::open(h.path(), "sled", h.clock.clone(), StoreConfig::default());
    assert!(matches!(second, Err(StoreError::Io { .. })), "a second writer on the same files");
    let clone = store.clone();
    drop(store);
    // A clone keeps the store open; the last one closes it.
    clone
        .append(AppendRequest::events(stream("x"), ExpectedVersion::Any, vec![event(&SequentialIds::new(1), 1)]))
        .unwrap();
    let store = h.reopen(clone);
    assert_eq!(store.last_position().unwrap(), Position::new(1));
}

#[test]
fn the_last_handle_may_be_dropped_by_an_append_async_callback() {
    let mut h = harness();
    let store = h.open();
    let keep = store.clone();
    let (go, wait) = std::sync::mpsc::channel::<()>();
    let (tx, rx) = std::sync::mpsc::channel();
    let request = AppendRequest::events(stream("last"), ExpectedVersion::Any, vec![event(&SequentialIds::new(2), 1)]);
    store.append_async(
        request,
        Box::new(move |result| {
            wait.recv().unwrap();
            // The last handle goes away on the writer thread, which must not wait for itself.
            drop(keep);
            tx.send(result.is_ok()).unwrap();
        }),
    );
    drop(store);
    go.send(()).unwrap();
    assert!(rx.recv_timeout(std::time::Duration::from_secs(10)).expect("the callback ran"));
    // The writer stops by itself and the database closes; then the directory opens again.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let store = loop {
        match SledEventStore::open(h.path(), "sled", h.clock.clone(), StoreConfig::default()) {
            Ok(store) => break store,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("the store never closed: {e}"),
        }
    };
    assert_eq!(store.last_position().unwrap(), Position::new(1));
}

#[test]
fn a_blocking_append_from_an_append_async_callback_is_refused_not_deadlocked() {
    let mut h = harness();
    let store = h.open();
    let inner = store.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let ids = SequentialIds::new(6);
    let request = AppendRequest::events(stream("nested"), ExpectedVersion::Any, vec![event(&ids, 1)]);
    let nested = AppendRequest::events(stream("nested"), ExpectedVersion::Any, vec![event(&ids, 2)]);
    store.append_async(
        request,
        Box::new(move |first| {
            let second = inner.append(nested);
            tx.send((first.is_ok(), second)).unwrap();
        }),
    );
    let (first, second) = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("no deadlock");
    assert!(first);
    assert!(matches!(second, Err(AppendError::Store(StoreError::Io { .. }))), "{second:?}");
    assert_eq!(store.stream_version(&stream("nested")).unwrap(), Version::new(1));
}
