//! The key layout of a context's `log` tree.
//!
//! Everything that must commit together (a commit's record, its index entries, the outbox
//! and the inbox) lives in this one tree under one-byte prefixes, because sled's
//! `apply_batch` is atomic for one tree only. Integers are big-endian so that sled's
//! lexicographic key order is numeric order.
//!
//! ```text
//! L group:u64 chunk:u32                 -> up to CHUNK bytes of the group's record
//! P first_position:u64                  -> Locator spanning a group's commits with events
//!                                          (last = the group's last position)
//! S len:u8 stream first_version:u64     -> Locator (last = last version in the commit)
//! O first_outbox_seq:u64                -> Locator spanning a group's commits with messages
//!                                          (last = the group's last outbox seq)
//! I len:u32 consumer message_id:[u8;16] -> Locator of the commit that recorded the mark
//! M "delivered"                         -> u64, the outbox delivery cursor
//! ```
//!
//! A *group* is what one group commit writes: the framed commits of every request it
//! accepted, concatenated (`kernel::record`), numbered from 1. Groups are numbered apart from
//! positions so that a group whose commits carry only outbox messages or inbox marks still
//! has a key of its own; each such commit stays reachable through its `O` or `I` entry.
//!
//! The record is split into chunks of at most [`CHUNK`] bytes so that no value sled writes is
//! large enough to go to a separate blob file (see the durability notes in `sled/mod.rs`).

use kernel::store::InboxMark;
use kernel::StreamId;

/// The largest value written to sled. sled 0.34 moves any log item larger than a quarter of
/// its 512 KiB segment to a file under `blobs/`, which it never fsyncs; a leaf node holds at
/// most 17 entries before it splits, so 4 KiB values keep every node (about 70 KiB at most)
/// inline in the `db` file that the store syncs.
pub(crate) const CHUNK: usize = 4096;

pub(crate) const LOG: u8 = b'L';
pub(crate) const POSITION: u8 = b'P';
pub(crate) const STREAM: u8 = b'S';
pub(crate) const OUTBOX: u8 = b'O';
pub(crate) const INBOX: u8 = b'I';

/// The outbox delivery cursor.
pub(crate) const DELIVERED: &[u8] = b"Mdelivered";

fn prefixed(tag: u8, n: u64) -> [u8; 9] {
    let mut key = [0u8; 9];
    key[0] = tag;
    key[1..].copy_from_slice(&n.to_be_bytes());
    key
}

/// The key of one chunk of a group's record.
pub(crate) fn chunk(group: u64, chunk: u32) -> [u8; 13] {
    let mut key = [0u8; 13];
    key[..9].copy_from_slice(&prefixed(LOG, group));
    key[9..].copy_from_slice(&chunk.to_be_bytes());
    key
}

pub(crate) fn position(first: u64) -> [u8; 9] {
    prefixed(POSITION, first)
}

pub(crate) fn outbox(first: u64) -> [u8; 9] {
    prefixed(OUTBOX, first)
}

/// The prefix of a stream's index entries. The length byte keeps `ab` from being a prefix
/// of `abc`'s entries.
pub(crate) fn stream_prefix(stream: &StreamId) -> Vec<u8> {
    let bytes = stream.as_str().as_bytes();
    // Invariant of `StreamId`: 1 to 255 bytes.
    let len = u8::try_from(bytes.len()).expect("a stream id is at most 255 bytes");
    let mut key = Vec::with_capacity(2 + bytes.len() + 8);
    key.push(STREAM);
    key.push(len);
    key.extend_from_slice(bytes);
    key
}

pub(crate) fn stream(stream: &StreamId, first_version: u64) -> Vec<u8> {
    let mut key = stream_prefix(stream);
    key.extend_from_slice(&first_version.to_be_bytes());
    key
}

pub(crate) fn inbox(mark: &InboxMark) -> Vec<u8> {
    let consumer = mark.consumer.as_bytes();
    let len = u32::try_from(consumer.len()).unwrap_or(u32::MAX);
    let mut key = Vec::with_capacity(1 + 4 + consumer.len() + 16);
    key.push(INBOX);
    key.extend_from_slice(&len.to_be_bytes());
    key.extend_from_slice(consumer);
    key.extend_from_slice(mark.message_id.as_uuid().as_bytes());
    key
}

/// The big-endian `u64` that ends a key (a version, a position or a sequence number).
pub(crate) fn trailing_u64(key: &[u8]) -> Option<u64> {
    let tail = key.len().checked_sub(8).map(|start| &key[start..])?;
    Some(u64::from_be_bytes(tail.try_into().ok()?))
}

/// Where a commit's frame sits (or, for the global log and the outbox, the frames of a
/// group's commits, back to back): in which group, at which byte range of the group's
/// record, and the last version, position or sequence number they hold for the index that
/// points to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Locator {
    pub group: u64,
    pub offset: u32,
    pub len: u32,
    pub last: u64,
}

impl Locator {
    pub const LEN: usize = 24;

    pub fn encode(&self) -> [u8; Self::LEN] {
        let mut out = [0u8; Self::LEN];
        out[..8].copy_from_slice(&self.group.to_be_bytes());
        out[8..12].copy_from_slice(&self.offset.to_be_bytes());
        out[12..16].copy_from_slice(&self.len.to_be_bytes());
        out[16..].copy_from_slice(&self.last.to_be_bytes());
        out
    }

    /// `None` when the bytes are not a locator (a damaged index entry).
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let bytes: &[u8; Self::LEN] = bytes.try_into().ok()?;
        let (group, rest) = bytes.split_at(8);
        let (offset, rest) = rest.split_at(4);
        let (len, last) = rest.split_at(4);
        Some(Self {
            group: u64::from_be_bytes(group.try_into().ok()?),
            offset: u32::from_be_bytes(offset.try_into().ok()?),
            len: u32::from_be_bytes(len.try_into().ok()?),
            last: u64::from_be_bytes(last.try_into().ok()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_numerically_and_streams_do_not_overlap() {
        assert!(chunk(1, u32::MAX) < chunk(2, 0));
        assert!(position(255) < position(256));
        let (ab, abc) = (StreamId::parse("ab").unwrap(), StreamId::parse("abc").unwrap());
        assert!(!stream(&abc, 1).starts_with(&stream_prefix(&ab)));
        assert!(stream(&ab, 9) < stream(&ab, 10));
        assert_eq!(trailing_u64(&stream(&ab, 77)), Some(77));
        assert_eq!(trailing_u64(b"short"), None);
    }

    #[test]
    fn locators_round_trip_and_reject_other_lengths() {
        let loc = Locator { group: 7, offset: 4000, len: 300, last: u64::MAX };
        assert_eq!(Locator::decode(&loc.encode()), Some(loc));
        assert_eq!(Locator::decode(&loc.encode()[..23]), None);
        assert_eq!(Locator::decode(&[]), None);
    }
}
