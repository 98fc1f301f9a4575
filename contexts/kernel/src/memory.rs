//! An in-memory [`EventStore`]: the reference adapter for tests of contexts and of the
//! runtime. It keeps commits in the same checksummed record format as the durable store, so
//! the conformance suite (corruption included) holds for it too.
//!
//! Clones share the same data: dropping one clone and using another is a "reopen".

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::ids::{Position, StreamId, Version};
use crate::record::{decode_commit, encode_commit};
use crate::store::{
    plan_commit, AppendError, AppendReceipt, AppendRequest, Commit, EventStore, Heads, InboxMark, OutboxEntry,
    OutboxSeq, RecordedEvent, Snapshot, StoreError, StreamBound,
};
use crate::time::Clock;

#[derive(Clone)]
pub struct InMemoryEventStore {
    context: Arc<str>,
    clock: Arc<dyn Clock>,
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    /// Framed commit records, in commit order.
    commits: Vec<Vec<u8>>,
    /// First position of each commit with events -> commit index.
    by_position: BTreeMap<u64, usize>,
    /// Per stream: first version of each commit touching it -> commit index.
    by_stream: HashMap<StreamId, BTreeMap<u64, usize>>,
    heads: HashMap<StreamId, Version>,
    /// First outbox sequence of each commit with messages -> commit index.
    by_outbox: BTreeMap<u64, usize>,
    last_position: Position,
    last_outbox: OutboxSeq,
    delivered: OutboxSeq,
    inbox: HashSet<InboxMark>,
    snapshots: HashMap<StreamId, Snapshot>,
}

struct InnerHeads<'a>(&'a Inner);

impl Heads for InnerHeads<'_> {
    fn stream_version(&mut self, stream: &StreamId) -> Result<Version, StoreError> {
        Ok(self.0.heads.get(stream).copied().unwrap_or(Version::INITIAL))
    }
    fn is_processed(&mut self, mark: &InboxMark) -> Result<bool, StoreError> {
        Ok(self.0.inbox.contains(mark))
    }
}

impl InMemoryEventStore {
    pub fn new(context: &str, clock: Arc<dyn Clock>) -> Self {
        Self { context: context.into(), clock, inner: Arc::default() }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-applied commit (commits are
        // applied after all checks), so a poisoned lock is still consistent.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn decode(&self, inner: &Inner, idx: usize, location: impl FnOnce() -> String) -> Result<Commit, StoreError> {
        decode_commit(&inner.commits[idx]).map_err(|e| StoreError::Corrupt {
            context: self.context.to_string(),
            location: format!("{} (commit #{idx})", location()),
            reason: e.to_string(),
        })
    }

    /// Test hook: flips one byte of the commit holding `position`, as a disk might.
    pub fn corrupt_commit_at(&self, position: Position) -> bool {
        let mut inner = self.lock();
        let Some((_, &idx)) = inner.by_position.range(..=position.get()).next_back() else {
            return false;
        };
        let record = &mut inner.commits[idx];
        let last = record.len() - 1;
        record[last] ^= 0x5A;
        true
    }
}

impl EventStore for InMemoryEventStore {
    fn context(&self) -> &str {
        &self.context
    }

    fn append(&self, request: AppendRequest) -> Result<AppendReceipt, AppendError> {
        let now = self.clock.now();
        let mut inner = self.lock();
        let commit = plan_commit(request, &mut InnerHeads(&inner), inner.last_position, inner.last_outbox, now)?;
        let mut bytes = Vec::new();
        encode_commit(&mut bytes, &commit);
        let idx = inner.commits.len();
        inner.commits.push(bytes);
        if let Some(first) = commit.events.first() {
            inner.by_position.insert(first.position.get(), idx);
        }
        for event in &commit.events {
            let index = inner.by_stream.entry(event.stream.clone()).or_default();
            if index.values().next_back().is_none_or(|&i| i != idx) {
                index.insert(event.version.get(), idx);
            }
            inner.heads.insert(event.stream.clone(), event.version);
            inner.last_position = event.position;
        }
        if let Some(first) = commit.outbox.first() {
            inner.by_outbox.insert(first.seq.0, idx);
        }
        if let Some(last) = commit.outbox.last() {
            inner.last_outbox = last.seq;
        }
        if let Some(mark) = &commit.inbox {
            inner.inbox.insert(mark.clone());
        }
        Ok(commit.receipt())
    }

    fn stream_version(&self, stream: &StreamId) -> Result<Version, StoreError> {
        Ok(self.lock().heads.get(stream).copied().unwrap_or(Version::INITIAL))
    }

    fn read_stream(
        &self,
        stream: &StreamId,
        after: Version,
        until: StreamBound,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let inner = self.lock();
        let Some(index) = inner.by_stream.get(stream) else {
            return Ok(Vec::new());
        };
        let start = index.range(..=after.get()).next_back().map(|(&v, _)| v).unwrap_or(0);
        let mut out = Vec::new();
        for (&first, &idx) in index.range(start..) {
            let location = || format!("stream `{stream}` version {first}");
            for event in self.decode(&inner, idx, location)?.events {
                if event.stream != *stream || event.version <= after {
                    continue;
                }
                if !within(&event, until) {
                    return Ok(out);
                }
                out.push(event);
            }
        }
        Ok(out)
    }

    fn read_all(&self, after: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let inner = self.lock();
        let start = inner.by_position.range(..=after.get()).next_back().map(|(&p, _)| p).unwrap_or(0);
        let mut out = Vec::new();
        for (&first, &idx) in inner.by_position.range(start..) {
            if out.len() == max {
                break;
            }
            for event in self.decode(&inner, idx, || format!("global position {first}"))?.events {
                if event.position <= after {
                    continue;
                }
                if out.len() == max {
                    return Ok(out);
                }
                out.push(event);
            }
        }
        Ok(out)
    }

    fn last_position(&self) -> Result<Position, StoreError> {
        Ok(self.lock().last_position)
    }

    fn read_outbox(&self, after: OutboxSeq, max: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let inner = self.lock();
        let start = inner.by_outbox.range(..=after.0).next_back().map(|(&s, _)| s).unwrap_or(0);
        let mut out = Vec::new();
        for (&first, &idx) in inner.by_outbox.range(start..) {
            if out.len() == max {
                break;
            }
            for entry in self.decode(&inner, idx, || format!("outbox message {first}"))?.outbox {
                if entry.seq <= after {
                    continue;
                }
                if out.len() == max {
                    return Ok(out);
                }
                out.push(entry);
            }
        }
        Ok(out)
    }

    fn outbox_delivered(&self) -> Result<OutboxSeq, StoreError> {
        Ok(self.lock().delivered)
    }

    fn mark_outbox_delivered(&self, upto: OutboxSeq) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.delivered = inner.delivered.max(upto.min(inner.last_outbox));
        Ok(())
    }

    fn is_processed(&self, mark: &InboxMark) -> Result<bool, StoreError> {
        Ok(self.lock().inbox.contains(mark))
    }

    fn load_snapshot(&self, stream: &StreamId, schema: u64) -> Result<Option<Snapshot>, StoreError> {
        Ok(self.lock().snapshots.get(stream).filter(|s| s.schema == schema).cloned())
    }

    fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.lock().snapshots.insert(snapshot.stream.clone(), snapshot.clone());
        Ok(())
    }
}

/// Whether an event falls within a read's upper bound.
pub fn within(event: &RecordedEvent, until: StreamBound) -> bool {
    match until {
        StreamBound::End => true,
        StreamBound::Version(v) => event.version <= v,
        StreamBound::Time(t) => event.recorded_at <= t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::conformance::{self, Harness};
    use crate::time::{ManualClock, Timestamp};

    struct Memory(Arc<ManualClock>);

    fn harness() -> Memory {
        Memory(Arc::new(ManualClock::new(Timestamp::from_micros(0))))
    }

    impl Harness for Memory {
        type Store = InMemoryEventStore;
        fn open(&mut self) -> InMemoryEventStore {
            InMemoryEventStore::new("memory", self.0.clone())
        }
        fn reopen(&mut self, store: InMemoryEventStore) -> InMemoryEventStore {
            store.clone()
        }
        fn clock(&self) -> Arc<ManualClock> {
            self.0.clone()
        }
        fn corrupt(&mut self, store: &InMemoryEventStore, position: Position) {
            assert!(store.corrupt_commit_at(position));
        }
    }

    crate::event_store_conformance!(harness());

    proptest::proptest! {
        #[test]
        fn random_interleavings_keep_streams_contiguous(steps in conformance::steps()) {
            conformance::interleaving(&mut harness(), &steps).map_err(proptest::test_runner::TestCaseError::fail)?;
        }
    }
}
