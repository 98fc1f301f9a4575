//! Snapshots, kept in their own tree outside the atomic commit batch: derived state, saved
//! without a sync and rebuilt from events when lost or damaged (see the parent module's
//! "Durability"). A snapshot is one checksummed frame (schema, version, state), in chunks.

use std::sync::Mutex;

use kernel::record::{read_frame, write_frame, HEADER_LEN};
use kernel::store::{Snapshot, StoreError};
use kernel::{StreamId, Version};

use super::{sled_error, MAX_COMMIT_BYTES};
use crate::store::keys::{self, CHUNK};

/// The snapshots of one store.
pub(super) struct Snapshots<'a> {
    pub(super) context: &'a str,
    pub(super) tree: &'a ::sled::Tree,
    /// Serializes `save`: each computes which chunks of the old snapshot to remove.
    pub(super) saving: &'a Mutex<()>,
}

impl Snapshots<'_> {
    fn prefix(stream: &StreamId) -> Vec<u8> {
        // Same shape as a stream's index prefix, minus the tag: the length keeps streams apart.
        keys::stream_prefix(stream)[1..].to_vec()
    }

    fn key(stream: &StreamId, chunk: u32) -> Vec<u8> {
        let mut key = Self::prefix(stream);
        key.extend_from_slice(&chunk.to_be_bytes());
        key
    }

    /// A damaged snapshot is not an error: snapshots are derived, so it is reported and
    /// ignored, and the aggregate is rebuilt from its events.
    fn ignore_damaged(&self, stream: &StreamId, reason: &str) -> Result<Option<Snapshot>, StoreError> {
        tracing::warn!(context = %self.context, %stream, reason, "ignoring a damaged snapshot");
        Ok(None)
    }

    /// The snapshot of `stream` if it is stored, whole, and of `schema`.
    pub(super) fn load(&self, stream: &StreamId, schema: u64) -> Result<Option<Snapshot>, StoreError> {
        let mut framed = Vec::new();
        let mut expected = 0u32;
        for entry in self.tree.scan_prefix(Self::prefix(stream)) {
            let (key, value) = entry.map_err(|e| sled_error(self.context, e))?;
            let index = key.len().checked_sub(4).and_then(|at| key[at..].try_into().ok()).map(u32::from_be_bytes);
            if index != Some(expected) {
                return self.ignore_damaged(stream, &format!("chunk {expected} is missing"));
            }
            framed.extend_from_slice(&value);
            expected = expected.saturating_add(1);
        }
        if framed.is_empty() {
            return Ok(None);
        }
        let body = match read_frame(&framed) {
            Ok((body, used)) if used == framed.len() => body,
            Ok((_, used)) => {
                return self.ignore_damaged(stream, &format!("{} stray bytes", framed.len() - used));
            }
            Err(e) => return self.ignore_damaged(stream, &e.to_string()),
        };
        let (Some(stored_schema), Some(version)) = (body.get(..8), body.get(8..16)) else {
            return self.ignore_damaged(stream, "the header is truncated");
        };
        let stored_schema = u64::from_be_bytes(stored_schema.try_into().unwrap_or_default());
        let version = u64::from_be_bytes(version.try_into().unwrap_or_default());
        if stored_schema != schema {
            return Ok(None);
        }
        Ok(Some(Snapshot {
            stream: stream.clone(),
            version: Version::new(version),
            schema,
            state: body[16..].to_vec(),
        }))
    }

    /// Replaces the snapshot of its stream.
    pub(super) fn save(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut body = Vec::with_capacity(16 + snapshot.state.len());
        body.extend_from_slice(&snapshot.schema.to_be_bytes());
        body.extend_from_slice(&snapshot.version.get().to_be_bytes());
        body.extend_from_slice(&snapshot.state);
        if body.len() > MAX_COMMIT_BYTES {
            return Err(StoreError::Io {
                context: self.context.to_string(),
                reason: format!(
                    "a snapshot of stream `{}` is {} bytes; the limit is 1 GiB",
                    snapshot.stream,
                    body.len()
                ),
            });
        }
        let mut framed = Vec::with_capacity(HEADER_LEN + body.len());
        write_frame(&mut framed, &body);
        let chunks = framed.chunks(CHUNK).count();
        let _saving = self.saving.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut batch = ::sled::Batch::default();
        // Chunks beyond the new snapshot's end belong to an older, larger one.
        for entry in self.tree.scan_prefix(Self::prefix(&snapshot.stream)).keys() {
            let key = entry.map_err(|e| sled_error(self.context, e))?;
            let index = key.len().checked_sub(4).and_then(|at| key[at..].try_into().ok()).map(u32::from_be_bytes);
            if index.is_none_or(|i| i as usize >= chunks) {
                batch.remove(key);
            }
        }
        for (index, chunk) in (0u32..).zip(framed.chunks(CHUNK)) {
            batch.insert(Self::key(&snapshot.stream, index), chunk);
        }
        self.tree.apply_batch(batch).map_err(|e| sled_error(self.context, e))
    }
}
