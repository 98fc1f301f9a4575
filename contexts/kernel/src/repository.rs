//! Loading an aggregate from its stream: from a snapshot (if one of the current shape
//! exists and is not past the bound) plus the tail of events after it.
//!
//! Snapshots are derived data: one that does not decode is ignored and the state is
//! rebuilt from the events, never mis-decoded. The snapshot's byte format is the adapter's
//! business, behind [`SnapshotCodec`].

use crate::aggregate::Aggregate;
use crate::event::{CodecError, EventCodec};
use crate::ids::{StreamId, Version};
use crate::store::{EventStore, Snapshot, StoreError, StreamBound};

/// How an aggregate's state becomes snapshot bytes and back.
pub trait SnapshotCodec<A>: Send + Sync {
    /// A hash of the state's shape; snapshots of another shape are ignored.
    fn schema(&self) -> u64;
    fn encode(&self, state: &A) -> Result<Vec<u8>, String>;
    fn decode(&self, bytes: &[u8]) -> Result<A, String>;
}

/// An aggregate's state and the version of its stream it reflects.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded<A> {
    pub state: A,
    pub version: Version,
    /// How many events were applied after the snapshot (or from the start).
    pub replayed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("event {version} of stream `{stream}` does not decode: {source}")]
    Decode { stream: StreamId, version: Version, source: CodecError },
}

/// Loads `stream` up to `until`.
pub fn load<A: Aggregate>(
    store: &dyn EventStore,
    codec: &EventCodec<A::Event>,
    snapshots: Option<&dyn SnapshotCodec<A>>,
    stream: &StreamId,
    until: StreamBound,
) -> Result<Loaded<A>, LoadError> {
    let mut loaded = Loaded { state: A::default(), version: Version::INITIAL, replayed: 0 };
    if let Some(snapshot_codec) = snapshots {
        if let Some(snapshot) = store.load_snapshot(stream, snapshot_codec.schema())? {
            let usable = match until {
                StreamBound::End => true,
                StreamBound::Version(v) => snapshot.version <= v,
                // A snapshot does not record when its last event happened.
                StreamBound::Time(_) => false,
            };
            if usable {
                if let Ok(state) = snapshot_codec.decode(&snapshot.state) {
                    loaded.state = state;
                    loaded.version = snapshot.version;
                }
            }
        }
    }
    apply_tail(store, codec, stream, until, &mut loaded)?;
    Ok(loaded)
}

/// Reads the events after `loaded.version` up to `until` and applies them.
pub fn apply_tail<A: Aggregate>(
    store: &dyn EventStore,
    codec: &EventCodec<A::Event>,
    stream: &StreamId,
    until: StreamBound,
    loaded: &mut Loaded<A>,
) -> Result<(), LoadError> {
    for recorded in store.read_stream(stream, loaded.version, until)? {
        let event = codec
            .decode(&recorded.event_type, recorded.schema_version, &recorded.payload)
            .map_err(|source| LoadError::Decode { stream: stream.clone(), version: recorded.version, source })?;
        loaded.state.evolve(&event);
        loaded.version = recorded.version;
        loaded.replayed += 1;
    }
    Ok(())
}

/// Takes a snapshot of a loaded aggregate.
pub fn snapshot_of<A: Aggregate>(
    codec: &dyn SnapshotCodec<A>,
    stream: &StreamId,
    loaded: &Loaded<A>,
) -> Result<Snapshot, String> {
    Ok(Snapshot {
        stream: stream.clone(),
        version: loaded.version,
        schema: codec.schema(),
        state: codec.encode(&loaded.state)?,
    })
}
