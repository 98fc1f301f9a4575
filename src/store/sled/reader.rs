//! Reading the store: the indexes and the checksummed records they point into, verified on
//! every read, and the port's reads (a stream, the global log, the outbox, the inbox marks)
//! bounded by what is durable. See the parent module's "Reads and corruption".

use kernel::memory::within;
use kernel::record::{read_frame, HEADER_LEN};
use kernel::store::{InboxMark, OutboxEntry, OutboxSeq, RecordedEvent, StoreError, StreamBound};
use kernel::{Position, StreamId, Version};

use super::{sled_error, Durable};
use crate::store::keys::{self, Locator, CHUNK};

/// A stored [`kernel::store::Commit`] as a reader of events decodes it: the outbox and inbox mark are skipped,
/// not built (a rebuild reading outboxes would otherwise parse every event, and vice versa).
#[derive(serde::Deserialize)]
pub(super) struct EventsOf {
    pub(super) events: Vec<RecordedEvent>,
}

/// A stored [`kernel::store::Commit`] as a reader of the outbox decodes it.
#[derive(serde::Deserialize)]
struct OutboxOf {
    #[serde(default)]
    outbox: Vec<OutboxEntry>,
}

/// Reading records and index entries, for the store's readers and for the writer.
pub(super) struct Reader<'a> {
    pub(super) context: &'a str,
    pub(super) log: &'a ::sled::Tree,
}

impl Reader<'_> {
    pub(super) fn corrupt(&self, location: String, reason: String) -> StoreError {
        StoreError::Corrupt { context: self.context.to_owned(), location, reason }
    }

    pub(super) fn sled_error(&self, error: ::sled::Error) -> StoreError {
        sled_error(self.context, error)
    }

    pub(super) fn locator(&self, value: &[u8], location: impl FnOnce() -> String) -> Result<Locator, StoreError> {
        Locator::decode(value).ok_or_else(|| {
            self.corrupt(location(), format!("the index entry is {} bytes, not {}", value.len(), Locator::LEN))
        })
    }

    /// The key to start an index scan from so that it includes the entry holding `wanted`:
    /// the entry with the greatest first number at or below `wanted`, or `lowest`.
    fn start_key(&self, lowest: &[u8], wanted: &[u8]) -> Result<Vec<u8>, StoreError> {
        match self.log.range(lowest..=wanted).next_back() {
            Some(Ok((key, _))) => Ok(key.to_vec()),
            Some(Err(e)) => Err(self.sled_error(e)),
            None => Ok(lowest.to_vec()),
        }
    }

    /// The version of `stream` after the last group at or below `durable_group`.
    pub(super) fn head(&self, stream: &StreamId, durable_group: u64) -> Result<Version, StoreError> {
        for entry in self.log.scan_prefix(keys::stream_prefix(stream)).rev() {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let first = keys::trailing_u64(&key).unwrap_or(0);
            let loc = self.locator(&value, || format!("stream `{stream}` version {first}"))?;
            if loc.group <= durable_group {
                return Ok(Version::new(loc.last));
            }
        }
        Ok(Version::INITIAL)
    }

    /// Reads and verifies the commits a locator points to: one or more frames, back to back,
    /// with the offset of each in its group's record.
    pub(super) fn commits<T: serde::de::DeserializeOwned>(
        &self,
        loc: Locator,
        location: impl Fn() -> String,
    ) -> Result<Vec<(usize, T)>, StoreError> {
        let start = loc.offset as usize;
        let end = start + loc.len as usize;
        let corrupt = |reason: String| {
            self.corrupt(format!("{} (record group {}, bytes {start}..{end})", location(), loc.group), reason)
        };
        if (loc.len as usize) < HEADER_LEN {
            return Err(corrupt(format!("the index names a record of {} bytes", loc.len)));
        }
        let (first, last) = (start / CHUNK, (end - 1) / CHUNK);
        let (Ok(first_key), Ok(last_key)) = (u32::try_from(first), u32::try_from(last)) else {
            return Err(corrupt("the index points past any record".into()));
        };
        let mut bytes = Vec::with_capacity((last - first + 1) * CHUNK);
        let mut expected = first;
        for entry in self.log.range(keys::chunk(loc.group, first_key)..=keys::chunk(loc.group, last_key)) {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let index = key.get(9..13).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes);
            if index.map(|i| i as usize) != Some(expected) {
                return Err(corrupt(format!("chunk {expected} of the record is missing")));
            }
            if expected != last && value.len() != CHUNK {
                return Err(corrupt(format!("chunk {expected} is {} bytes, not {CHUNK}", value.len())));
            }
            bytes.extend_from_slice(&value);
            expected += 1;
        }
        if expected != last + 1 {
            return Err(corrupt(format!("chunk {expected} of the record is missing")));
        }
        let from = start - first * CHUNK;
        let Some(mut frames) = bytes.get(from..from + loc.len as usize) else {
            return Err(corrupt(format!("the record is truncated at {} bytes", bytes.len() + first * CHUNK)));
        };
        let mut commits = Vec::new();
        let mut offset = start;
        while !frames.is_empty() {
            let (body, used) = read_frame(frames).map_err(|e| corrupt(e.to_string()))?;
            let commit =
                serde_json::from_slice(body).map_err(|e| corrupt(format!("record body does not decode: {e}")))?;
            commits.push((offset, commit));
            frames = &frames[used..];
            offset += used;
        }
        Ok(commits)
    }

    /// The events of `stream` after `after`, up to `until`, in the groups that are durable.
    pub(super) fn read_stream(
        &self,
        stream: &StreamId,
        after: Version,
        until: StreamBound,
        durable: Durable,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let wanted = after.get().saturating_add(1);
        let start = self.start_key(&keys::stream(stream, 0), &keys::stream(stream, wanted))?;
        let mut out = Vec::new();
        for entry in self.log.range(start..=keys::stream(stream, u64::MAX)) {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let first = keys::trailing_u64(&key).unwrap_or(0);
            let location = || format!("stream `{stream}` version {first}");
            let loc = self.locator(&value, location)?;
            if loc.group > durable.group {
                break;
            }
            if loc.last <= after.get() {
                continue;
            }
            if let StreamBound::Version(v) = until {
                if first > v.get() {
                    break;
                }
            }
            for event in self.commits::<EventsOf>(loc, location)?.into_iter().flat_map(|(_, c)| c.events) {
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

    /// The events of the global log after `after`, `max` at most, in the groups that are durable.
    pub(super) fn read_all(
        &self,
        after: Position,
        max: usize,
        durable: Durable,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut out = Vec::new();
        if max == 0 {
            return Ok(out);
        }
        let wanted = after.get().saturating_add(1);
        let start = self.start_key(&keys::position(0), &keys::position(wanted))?;
        for entry in self.log.range(start.as_slice()..=&keys::position(u64::MAX)[..]) {
            if out.len() == max {
                break;
            }
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let first = keys::trailing_u64(&key).unwrap_or(0);
            let location = || format!("global position {first}");
            let loc = self.locator(&value, location)?;
            if loc.group > durable.group {
                break;
            }
            if loc.last <= after.get() {
                continue;
            }
            for event in self.commits::<EventsOf>(loc, location)?.into_iter().flat_map(|(_, c)| c.events) {
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

    /// The outbox messages after `after`, `max` at most, in the groups that are durable.
    pub(super) fn read_outbox(
        &self,
        after: OutboxSeq,
        max: usize,
        durable: Durable,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut out = Vec::new();
        if max == 0 {
            return Ok(out);
        }
        let wanted = after.0.saturating_add(1);
        let start = self.start_key(&keys::outbox(0), &keys::outbox(wanted))?;
        for entry in self.log.range(start.as_slice()..=&keys::outbox(u64::MAX)[..]) {
            if out.len() == max {
                break;
            }
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let first = keys::trailing_u64(&key).unwrap_or(0);
            let location = || format!("outbox message {first}");
            let loc = self.locator(&value, location)?;
            if loc.group > durable.group {
                break;
            }
            if loc.last <= after.0 {
                continue;
            }
            for entry in self.commits::<OutboxOf>(loc, location)?.into_iter().flat_map(|(_, c)| c.outbox) {
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

    /// Whether `mark` is stored in a group that is durable.
    pub(super) fn is_processed(&self, mark: &InboxMark, durable: Durable) -> Result<bool, StoreError> {
        let Some(value) = self.log.get(keys::inbox(mark)).map_err(|e| self.sled_error(e))? else {
            return Ok(false);
        };
        let loc = self.locator(&value, || format!("inbox mark of `{}` for {}", mark.consumer, mark.message_id))?;
        Ok(loc.group <= durable.group)
    }
}
