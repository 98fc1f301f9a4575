//! The hot-aggregate cache of a context actor, and the repository that reads through it.
//!
//! An entry may be ahead of the store by the commits still in flight (the actor decides the
//! next command before the previous group commit is durable); such entries are pinned, never
//! evicted, so no command is ever decided on a state older than one already decided. If a
//! commit fails, its streams are evicted and reloaded from the store.
//!
//! Pinned entries live apart from the LRU list, so eviction only ever looks at entries it may
//! drop: its cost stays constant however many commits are in flight.

use std::any::Any;
use std::collections::HashMap;
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
    /// Entries with no commit in flight, least recently used first out.
    entries: LruCache<StreamId, Entry>,
    /// Entries with commits in flight: never evicted until those settle.
    pinned: HashMap<StreamId, Entry>,
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
        Self { entries: LruCache::unbounded(), pinned: HashMap::new(), capacity: capacity.max(1), snapshot_every }
    }

    /// Forgets everything (after a panic: the store is the truth).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.pinned.clear();
    }

    /// Drops least recently used unpinned entries while there are more than `capacity` in
    /// all. Pinned entries count but are never dropped: a cache full of them grows past
    /// capacity until their commits settle.
    fn evict_over_capacity(&mut self) {
        while self.entries.len() + self.pinned.len() > self.capacity && self.entries.pop_lru().is_some() {}
    }

    fn entry(&mut self, stream: &StreamId) -> Option<&Entry> {
        match self.pinned.get(stream) {
            Some(entry) => Some(entry),
            None => self.entries.get(stream),
        }
    }

    /// Loads through the cache: from the entry if hot, else snapshot + tail from the store.
    pub fn load<A: Aggregate>(&mut self, store: &dyn EventStore, stream: &StreamId) -> Result<Loaded<A>, LoadError> {
        if let Some(entry) = self.entry(stream) {
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
        // A pinned entry of another type (a stream read as the wrong aggregate) stays: only
        // settling its commits may unpin it.
        if !self.pinned.contains_key(stream) {
            self.entries.put(stream.clone(), entry);
            self.evict_over_capacity();
        }
        Ok(loaded)
    }

    /// Reads a state only if it is durable (no commit in flight): for queries, which must not
    /// see what might still fail to commit.
    pub fn durable<A: Aggregate>(&mut self, stream: &StreamId) -> Option<Loaded<A>> {
        let entry = self.entries.get(stream)?;
        let state = entry.state.downcast_ref::<A>()?;
        Some(Loaded { state: state.clone(), version: entry.version, replayed: 0 })
    }

    /// Records a state decided by the actor, whose commit is now in flight. Returns a
    /// snapshot to save once that commit is durable, if one is due.
    pub fn decided(&mut self, stream: StreamId, version: Version, state: Box<dyn Any + Send>) -> Option<Snapshot> {
        if !self.pinned.contains_key(&stream) {
            let Some(entry) = self.entries.pop(&stream) else {
                // Evicted while its unit of work ran (a unit touching more aggregates than
                // the cache holds): pin it anyway, without a snapshot encoder.
                let entry = Entry { state, version, in_flight: 1, snapshot_version: version, encode: |_| None };
                self.pinned.insert(stream, entry);
                return None;
            };
            self.pinned.insert(stream.clone(), entry);
        }
        let entry = self.pinned.get_mut(&stream)?;
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
            if !committed {
                self.pinned.remove(stream);
                self.entries.pop(stream);
                continue;
            }
            let Some(entry) = self.pinned.get_mut(stream) else { continue };
            entry.in_flight = entry.in_flight.saturating_sub(1);
            if entry.in_flight == 0 {
                let (stream, entry) = self.pinned.remove_entry(stream).expect("present");
                self.entries.put(stream, entry);
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
