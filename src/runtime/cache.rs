//! The hot-aggregate cache of a context actor, and the repository that reads through it.
//!
//! An entry may be ahead of the store by the commits still in flight (the actor decides the
//! next command before the previous group commit is durable); such entries are pinned, never
//! evicted, so no command is ever decided on a state older than one already decided. If a
//! commit fails, its streams are evicted and reloaded from the store.

use std::any::Any;
use std::sync::Arc;

use kernel::event::EventCodec;
use kernel::ids::{StreamId, Version};
use kernel::repository::{load, LoadError, Loaded, SnapshotCodec};
use kernel::store::{EventStore, Snapshot, StreamBound};
use kernel::unit_of_work::Repository;
use kernel::Aggregate;
use lru::LruCache;

/// Turns a cached state back into snapshot bytes (monomorphised per aggregate type).
type Encoder = fn(&dyn Any) -> Option<(u64, Vec<u8>)>;

pub struct Entry {
    state: Box<dyn Any + Send>,
    version: Version,
    /// Commits of this stream not yet durable.
    in_flight: u32,
    /// The version of the last snapshot taken (or loaded).
    snapshot_version: Version,
    encode: Encoder,
}

pub struct AggregateCache {
    entries: LruCache<StreamId, Entry>,
    capacity: usize,
    snapshot_every: u64,
}

/// The snapshot codec the runtime uses for every aggregate.
pub fn snapshot_codec<A: Aggregate>() -> crate::store::snapshot::BincodeSnapshots<A> {
    crate::store::snapshot::BincodeSnapshots::new()
}

fn encode<A: Aggregate>(state: &dyn Any) -> Option<(u64, Vec<u8>)> {
    let codec = snapshot_codec::<A>();
    let state = state.downcast_ref::<A>()?;
    codec.encode(state).ok().map(|bytes| (codec.schema(), bytes))
}

impl AggregateCache {
    pub fn new(capacity: usize, snapshot_every: u64) -> Self {
        Self { entries: LruCache::unbounded(), capacity: capacity.max(1), snapshot_every }
    }

    /// Forgets everything (after a panic: the store is the truth).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn evict_over_capacity(&mut self) {
        // Pinned entries are skipped by moving them to the front; bounded so a cache full of
        // pinned entries grows past capacity for a moment instead of spinning.
        let mut budget = self.entries.len();
        while self.entries.len() > self.capacity && budget > 0 {
            budget -= 1;
            let Some((_, entry)) = self.entries.peek_lru() else { break };
            if entry.in_flight == 0 {
                self.entries.pop_lru();
            } else if let Some((key, entry)) = self.entries.pop_lru() {
                self.entries.push(key, entry);
            }
        }
    }

    /// Loads through the cache: from the entry if hot, else snapshot + tail from the store.
    pub fn load<A: Aggregate>(&mut self, store: &dyn EventStore, stream: &StreamId) -> Result<Loaded<A>, LoadError> {
        if let Some(entry) = self.entries.get(stream) {
            if let Some(state) = entry.state.downcast_ref::<A>() {
                return Ok(Loaded { state: state.clone(), version: entry.version, replayed: 0 });
            }
        }
        let codec = snapshot_codec::<A>();
        let loaded = load::<A>(store, &EventCodec::new(), Some(&codec), stream, StreamBound::End)?;
        let entry = Entry {
            state: Box::new(loaded.state.clone()),
            version: loaded.version,
            in_flight: 0,
            snapshot_version: Version::new(loaded.version.get() - loaded.replayed),
            encode: encode::<A>,
        };
        self.entries.put(stream.clone(), entry);
        self.evict_over_capacity();
        Ok(loaded)
    }

    /// Reads a state only if it is durable (no commit in flight): for queries, which must not
    /// see what might still fail to commit.
    pub fn durable<A: Aggregate>(&mut self, stream: &StreamId) -> Option<Loaded<A>> {
        let entry = self.entries.get(stream)?;
        if entry.in_flight > 0 {
            return None;
        }
        let state = entry.state.downcast_ref::<A>()?;
        Some(Loaded { state: state.clone(), version: entry.version, replayed: 0 })
    }

    /// Records a state decided by the actor, whose commit is now in flight. Returns a
    /// snapshot to save once that commit is durable, if one is due.
    pub fn decided(&mut self, stream: StreamId, version: Version, state: Box<dyn Any + Send>) -> Option<Snapshot> {
        if !self.entries.contains(&stream) {
            // Evicted while its unit of work ran (a unit touching more aggregates than the
            // cache holds): pin it anyway, without a snapshot encoder.
            let entry = Entry { state, version, in_flight: 1, snapshot_version: version, encode: |_| None };
            self.entries.put(stream, entry);
            return None;
        }
        let entry = self.entries.get_mut(&stream)?;
        entry.state = state;
        entry.version = version;
        entry.in_flight += 1;
        if version.get() - entry.snapshot_version.get() < self.snapshot_every {
            return None;
        }
        let (schema, bytes) = (entry.encode)(entry.state.as_ref())?;
        entry.snapshot_version = version;
        Some(Snapshot { stream, version, schema, state: bytes })
    }

    /// A commit of these streams settled: unpin them, and forget them if it failed.
    pub fn settled(&mut self, streams: &[StreamId], committed: bool) {
        for stream in streams {
            if committed {
                if let Some(entry) = self.entries.get_mut(stream) {
                    entry.in_flight = entry.in_flight.saturating_sub(1);
                }
            } else {
                self.entries.pop(stream);
            }
        }
        self.evict_over_capacity();
    }
}

/// The repository a unit of work reads through on the actor's thread.
pub struct CachedRepository<'a> {
    pub cache: &'a mut AggregateCache,
    pub store: &'a dyn EventStore,
}

impl Repository for CachedRepository<'_> {
    fn load<A: Aggregate>(&mut self, stream: &StreamId) -> Result<Loaded<A>, LoadError> {
        self.cache.load::<A>(self.store, stream)
    }
}

/// The repository queries read through: cached state if durable, else the store.
pub struct QueryRepository<'a> {
    pub cache: &'a mut AggregateCache,
    pub store: Arc<dyn EventStore>,
}

impl Repository for QueryRepository<'_> {
    fn load<A: Aggregate>(&mut self, stream: &StreamId) -> Result<Loaded<A>, LoadError> {
        if let Some(loaded) = self.cache.durable::<A>(stream) {
            return Ok(loaded);
        }
        let codec = snapshot_codec::<A>();
        load::<A>(self.store.as_ref(), &EventCodec::new(), Some(&codec), stream, StreamBound::End)
    }
}
