//! The durable [`EventStore`] adapter, on sled `=0.34.7`.
//!
//! # Layout
//!
//! One sled `Db` per context directory, opened once, in `Mode::LowSpace` with a bounded
//! cache. Two trees:
//!
//! - `log`: commit records, their indexes, the outbox, the inbox and the delivery cursor,
//!   under one-byte key prefixes (the layout is in `keys.rs`). They share one tree because
//!   sled's `apply_batch` is atomic for one tree only: a commit's events, outbox messages and
//!   inbox mark land together or not at all.
//! - `snapshots`: derived, rebuildable state; outside the atomic batch on purpose.
//!
//! Every commit is stored once, as a checksummed frame (`kernel::record`), and the indexes
//! point into it: one entry per *group* in the global log (`P`) and in the outbox (`O`),
//! each spanning the group's commits that hold events (or messages), one per stream per
//! commit (`S`, not one per event), and one per inbox mark (`I`). sled spends several
//! microseconds of CPU per key written, so a group of 256 one-event commits costs about 256
//! `S` keys and a few record chunks rather than three keys per commit. Stream heads, the last
//! position and the last outbox sequence are read back from the last index entries, so
//! nothing but the records and their indexes has to agree.
//!
//! # Writing: one writer thread, group commit, one sync thread
//!
//! `append` hands its request to the store's writer thread and blocks until the answer. The
//! writer takes every request waiting (up to `max_batch`), plans each with
//! [`kernel::store::plan_commit`] against heads that include the earlier requests of the same
//! group (a rejected request does not affect the others), writes the whole group in one
//! `apply_batch` and hands it to the store's sync thread, which makes it durable and only then
//! publishes it to readers and answers each request, group after group in order. The writer
//! writes the next group meanwhile (at most one group waits for the syncer), so the sync's
//! wait overlaps the next group's CPU work. Concurrent appenders thereby share one sync.
//! `append_async` queues a request the same way but returns at once; the sync thread calls
//! its callback when the group is durable, so a single caller can keep many commits in
//! flight. [`Durability::PerCommit`] writes and syncs each request alone.
//!
//! The writer is the only one to write index entries, so it keeps the stream heads it has
//! read or written in memory (bounded), and reads a stream's last index entry only on a miss.
//!
//! If a write or a sync fails, every request of that group and of any group written after it
//! is answered with an error, and all later writes are refused: after a failed fsync the state of the file is unknown, and
//! reusing the positions it may or may not hold would be worse than stopping. Reopen the
//! store to recover.
//!
//! # Durability: what is guaranteed
//!
//! When `append` (or `mark_outbox_delivered`) returns `Ok`, the group was written with
//! `apply_batch`, then `Db::flush` wrote sled's log buffers and called `sync_file_range` on
//! them, then the store called `fdatasync` on sled's data file `<dir>/db`. The
//! `sync_file_range` alone does not flush the device's write cache, nor the file size, so
//! it does not survive a power cut (sled issue #1452); the `fdatasync` does, on a device
//! that honours flushes.
//!
//! What else sled writes, and why the guarantee still holds:
//!
//! - `blobs/<lsn>`: sled moves any log item larger than a quarter of a 512 KiB segment to a
//!   file of its own and never fsyncs it. The store keeps every value it writes at or under
//!   4 KiB (records are split into chunks), so with 17-entry leaves no item reaches that size
//!   and nothing this store writes goes to `blobs/`. A test checks the directory stays empty.
//! - `conf`: written once when the directory is created, without a sync; `open` syncs it and
//!   the directories.
//! - `snap.<lsn>`: sled's own page-table snapshots, for recovery; sled syncs their contents
//!   before renaming them into place, but not the directory after the rename. This layer
//!   adds nothing there: their crash safety is sled's.
//!
//! After a crash, recovery yields every acknowledged group, whole (sled seals each batch so
//! that it is recovered entirely or not at all), and possibly groups that were written but
//! not yet acknowledged when the process died; those are whole too.
//!
//! Not guaranteed: snapshots (`save_snapshot` does not sync; they are rebuilt from events if
//! lost), and anything sled itself gets wrong below this layer. A group is visible to
//! readers only once it is durable, so no reader sees (or publishes from the outbox) a
//! commit that a crash could take back.
//!
//! # Reads and corruption
//!
//! Reads go through the indexes and decode the framed commit, verifying its checksum. A bad
//! checksum, a truncated record, a missing chunk or an undecodable body is returned as
//! [`StoreError::Corrupt`] naming the context and the stream and version (or the global
//! position, or the outbox sequence); bytes from disk are never trusted to be well formed,
//! and nothing here panics on them.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use kernel::memory::within;
use kernel::record::{read_frame, write_frame, HEADER_LEN};
use kernel::store::{
    plan_commit, AppendCallback, AppendError, AppendReceipt, AppendRequest, Commit, EventStore, Heads, InboxMark,
    OutboxEntry, OutboxSeq, RecordedEvent, Snapshot, StoreError, StreamBound,
};
use kernel::{Clock, Position, StreamId, Version};

use super::keys::{self, Locator, CHUNK};

/// A stored [`kernel::store::Commit`] as a reader of events decodes it: the outbox and inbox mark are skipped,
/// not built (a rebuild reading outboxes would otherwise parse every event, and vice versa).
#[derive(serde::Deserialize)]
struct EventsOf {
    events: Vec<RecordedEvent>,
}

/// A stored [`kernel::store::Commit`] as a reader of the outbox decodes it.
#[derive(serde::Deserialize)]
struct OutboxOf {
    #[serde(default)]
    outbox: Vec<OutboxEntry>,
}

/// When `append` may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Each request is written and synced on its own.
    PerCommit,
    /// Requests waiting together share one write and one sync, up to `max_batch` of them.
    Group { max_batch: usize },
}

impl Default for Durability {
    fn default() -> Self {
        Self::Group { max_batch: 256 }
    }
}

/// How a [`SledEventStore`] is opened.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub durability: Durability,
    /// sled's page cache, in bytes. Bounded because sled 0.34 otherwise grows to 1 GiB.
    pub cache_capacity: u64,
    /// Requests that may wait for the writer before `append` blocks (backpressure).
    pub queue_capacity: usize,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self { durability: Durability::default(), cache_capacity: 64 * 1024 * 1024, queue_capacity: 1024 }
    }
}

/// A commit's frame larger than this is refused: it keeps offsets within a group in `u32`.
const MAX_COMMIT_BYTES: usize = 1 << 30;
/// A group stops taking requests once its record is this large (the rest go in the next).
const GROUP_SOFT_LIMIT: usize = 64 << 20;

/// The durable event store of one context. Clones share the same store; the writer thread
/// stops and the database closes when the last clone is dropped.
#[derive(Clone)]
pub struct SledEventStore {
    shared: Arc<Shared>,
}

struct Shared {
    context: Arc<str>,
    path: PathBuf,
    db: ::sled::Db,
    log: ::sled::Tree,
    snapshots: ::sled::Tree,
    jobs: Sender<Job>,
    writer: Option<JoinHandle<()>>,
    /// Makes each written group durable and answers its requests (see [`Syncer`]).
    syncer: Option<JoinHandle<()>>,
    durable: Arc<Mutex<Durable>>,
    /// Serializes `save_snapshot`: each computes which chunks of the old snapshot to remove.
    saving: Mutex<()>,
}

/// What readers may see: the state after the last group that is durable.
#[derive(Debug, Clone, Copy, Default)]
struct Durable {
    group: u64,
    position: Position,
    outbox: OutboxSeq,
    delivered: OutboxSeq,
}

enum Job {
    Append { request: AppendRequest, reply: AppendReply },
    MarkDelivered { upto: OutboxSeq, reply: Sender<Result<(), StoreError>> },
    Shutdown,
}

fn lock(durable: &Mutex<Durable>) -> MutexGuard<'_, Durable> {
    // Only plain `Copy` data is behind the lock; a panic elsewhere cannot leave it half set.
    durable.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn sled_error(context: &str, error: ::sled::Error) -> StoreError {
    match error {
        ::sled::Error::Corruption { at, .. } => StoreError::Corrupt {
            context: context.to_owned(),
            location: format!("sled storage ({at:?})"),
            reason: "sled found a damaged page".into(),
        },
        other => StoreError::Io { context: context.to_owned(), reason: other.to_string() },
    }
}

fn io_error(context: &str, what: String, error: std::io::Error) -> StoreError {
    StoreError::Io { context: context.to_owned(), reason: format!("{what}: {error}") }
}

/// Syncs a directory's entries (new files, renames).
fn sync_dir(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}

impl SledEventStore {
    /// Opens (or creates) the store of `context` in the directory `path`.
    ///
    /// Only one store may have a directory open at a time: sled locks it. `open` waits up to
    /// 5 s for a handle that is closing to let go, then fails.
    pub fn open(
        path: impl AsRef<Path>,
        context: &str,
        clock: Arc<dyn Clock>,
        config: StoreConfig,
    ) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let db = open_db(&path, config.cache_capacity).map_err(|e| match sled_error(context, e) {
            StoreError::Io { context, reason } => {
                StoreError::Io { context, reason: format!("opening the database in {}: {reason}", path.display()) }
            }
            other => other,
        })?;
        let log = db.open_tree("log").map_err(|e| sled_error(context, e))?;
        let snapshots = db.open_tree("snapshots").map_err(|e| sled_error(context, e))?;
        let data_path = path.join("db");
        let data_file = File::open(&data_path)
            .map_err(|e| io_error(context, format!("opening sled's data file {}", data_path.display()), e))?;
        // sled writes `conf` and creates the directories without syncing them.
        let synced = File::open(path.join("conf"))
            .and_then(|f| f.sync_all())
            .and_then(|()| data_file.sync_all())
            .and_then(|()| sync_dir(&path.join("blobs")))
            .and_then(|()| sync_dir(&path))
            .and_then(|()| path.parent().filter(|p| !p.as_os_str().is_empty()).map_or(Ok(()), sync_dir));
        synced.map_err(|e| io_error(context, format!("syncing {}", path.display()), e))?;

        let state = Reader { context, log: &log }.recover()?;
        let durable = Arc::new(Mutex::new(state));
        let (jobs, queue) = crossbeam_channel::bounded(config.queue_capacity.max(1));
        let max_batch = match config.durability {
            Durability::PerCommit => 1,
            Durability::Group { max_batch } => max_batch.max(1),
        };
        let failure = Arc::new(Mutex::new(None));
        // One written group may wait while the previous one is being synced.
        let (written, to_sync) = crossbeam_channel::bounded(1);
        let syncer = Syncer {
            context: context.into(),
            db: db.clone(),
            data_file,
            durable: durable.clone(),
            failure: failure.clone(),
            failed: None,
            queue: to_sync,
        };
        let syncer = std::thread::Builder::new()
            .name(format!("sync-{context}"))
            .spawn(move || syncer.run())
            .map_err(|e| io_error(context, "starting the sync thread".into(), e))?;
        let writer = Writer {
            context: context.into(),
            log: log.clone(),
            clock,
            queue,
            max_batch,
            written,
            failure,
            state,
            failed: None,
            overlay: Overlay::default(),
        };
        let writer = std::thread::Builder::new()
            .name(format!("store-{context}"))
            .spawn(move || writer.run())
            .map_err(|e| io_error(context, "starting the writer thread".into(), e))?;
        Ok(Self {
            shared: Arc::new(Shared {
                context: context.into(),
                path,
                db,
                log,
                snapshots,
                jobs,
                writer: Some(writer),
                syncer: Some(syncer),
                durable,
                saving: Mutex::new(()),
            }),
        })
    }

    /// The directory the store lives in.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Another tree of this context's database, for the runtime's own data (blobs of
    /// claim-checked messages, dead letters). Values written there must stay at or under
    /// 4 KiB (see [`super::ChunkedTree`]) for the durability argument above to hold; they are
    /// made durable by the next `append` or by [`SledEventStore::flush`].
    pub fn open_tree(&self, name: &str) -> Result<::sled::Tree, StoreError> {
        self.shared.db.open_tree(name).map_err(|e| self.sled_error(e))
    }

    /// Flushes everything written to this database so far (sled's `flush`, which ends in
    /// `sync_file_range`; appends additionally `fdatasync`).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.shared.db.flush().map(|_| ()).map_err(|e| self.sled_error(e))
    }

    /// The space sled uses on disk, in bytes: sled 0.34 can use much more than the data, so
    /// the runtime watches it.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.shared.db.size_on_disk().map_err(|e| self.sled_error(e))
    }

    /// Test and diagnostic hook: flips one byte of the stored record of the commit holding
    /// the event at `position`, as a failing disk might, so that tests can check corruption
    /// is detected. Returns whether there was such a commit. Never call it on real data.
    pub fn corrupt_commit_at(&self, position: Position) -> Result<bool, StoreError> {
        let log = &self.shared.log;
        let found = log.range(keys::position(0)..=keys::position(position.get())).next_back();
        let Some(entry) = found else { return Ok(false) };
        let (_, value) = entry.map_err(|e| self.sled_error(e))?;
        let Some(loc) = Locator::decode(&value) else { return Ok(false) };
        // The index entry spans the group's commits; flip the last byte of the one holding
        // `position`.
        let commits: Vec<(usize, EventsOf)> = self.reader().commits(loc, || format!("global position {position}"))?;
        let span_end = loc.offset as usize + loc.len as usize;
        let ends = commits.iter().skip(1).map(|(offset, _)| *offset).chain([span_end]);
        let holding = commits.iter().zip(ends).find(|((_, c), _)| c.events.iter().any(|e| e.position == position));
        let Some((_, end)) = holding else { return Ok(false) };
        let last_byte = end.saturating_sub(1);
        let Ok(chunk) = u32::try_from(last_byte / CHUNK) else { return Ok(false) };
        let key = keys::chunk(loc.group, chunk);
        let Some(bytes) = log.get(key).map_err(|e| self.sled_error(e))? else { return Ok(false) };
        let mut bytes = bytes.to_vec();
        let Some(byte) = bytes.get_mut(last_byte % CHUNK) else { return Ok(false) };
        *byte ^= 0x5A;
        log.insert(key, bytes).map_err(|e| self.sled_error(e))?;
        self.shared.db.flush().map_err(|e| self.sled_error(e))?;
        Ok(true)
    }

    fn sled_error(&self, error: ::sled::Error) -> StoreError {
        sled_error(&self.shared.context, error)
    }

    fn reader(&self) -> Reader<'_> {
        Reader { context: &self.shared.context, log: &self.shared.log }
    }

    fn durable(&self) -> Durable {
        *lock(&self.shared.durable)
    }

    fn closed(&self) -> StoreError {
        StoreError::Closed { context: self.shared.context.to_string() }
    }

    /// A blocking write from an `append_async` callback would wait for its own thread.
    fn not_on_writer_thread(&self) -> Result<(), StoreError> {
        let here = std::thread::current().id();
        let store_threads = [&self.shared.writer, &self.shared.syncer];
        if store_threads.into_iter().flatten().any(|thread| thread.thread().id() == here) {
            return Err(StoreError::Io {
                context: self.shared.context.to_string(),
                reason: "a blocking write from an append_async callback would wait for itself".into(),
            });
        }
        Ok(())
    }

    fn writer_stopped(&self) -> StoreError {
        StoreError::Io { context: self.shared.context.to_string(), reason: "the store's writer thread stopped".into() }
    }

    fn snapshot_prefix(stream: &StreamId) -> Vec<u8> {
        // Same shape as a stream's index prefix, minus the tag: the length keeps streams apart.
        keys::stream_prefix(stream)[1..].to_vec()
    }

    fn snapshot_key(stream: &StreamId, chunk: u32) -> Vec<u8> {
        let mut key = Self::snapshot_prefix(stream);
        key.extend_from_slice(&chunk.to_be_bytes());
        key
    }

    /// A damaged snapshot is not an error: snapshots are derived, so it is reported and
    /// ignored, and the aggregate is rebuilt from its events.
    fn ignore_damaged_snapshot(&self, stream: &StreamId, reason: &str) -> Result<Option<Snapshot>, StoreError> {
        tracing::warn!(context = %self.shared.context, %stream, reason, "ignoring a damaged snapshot");
        Ok(None)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let (Some(writer), Some(syncer)) = (self.writer.take(), self.syncer.take()) else { return };
        let here = std::thread::current().id();
        if writer.thread().id() == here || syncer.thread().id() == here {
            // The last handle was dropped by an `append_async` callback, on the store's own
            // threads: they cannot wait for themselves. Once this returns, the queue's
            // sender is gone: the writer stops by itself after the jobs already queued, and
            // the syncer after the groups the writer handed it.
            return;
        }
        // No other handle exists, so nothing can be queued after this: the writer finishes
        // what is queued, then exits and drops its handles on the database; the syncer
        // makes durable and answers every group the writer wrote, then exits too.
        let _ = self.jobs.send(Job::Shutdown);
        if writer.join().is_err() {
            tracing::error!(context = %self.context, "the store's writer thread panicked");
        }
        if syncer.join().is_err() {
            tracing::error!(context = %self.context, "the store's sync thread panicked");
        }
        if let Err(error) = self.db.flush() {
            tracing::warn!(context = %self.context, %error, "flushing the store on close failed");
        }
    }
}

impl EventStore for SledEventStore {
    fn context(&self) -> &str {
        &self.shared.context
    }

    fn append(&self, request: AppendRequest) -> Result<AppendReceipt, AppendError> {
        self.not_on_writer_thread()?;
        let (reply, answer) = crossbeam_channel::bounded(1);
        let reply = AppendReply::Channel(reply);
        self.shared.jobs.send(Job::Append { request, reply }).map_err(|_| self.closed())?;
        answer.recv().map_err(|_| self.writer_stopped())?
    }

    /// Queues the request and returns; the sync thread calls `done` once the group holding
    /// it is durable (or refused). Keep `done` short: it runs on the sync thread, and the
    /// next group's answers wait for it. A panic in `done` is caught and logged. From `done`, use
    /// `append_async` again, not `append`, which would wait for the thread it runs on (it
    /// refuses to, with an error).
    fn append_async(&self, request: AppendRequest, done: AppendCallback) {
        let job = Job::Append { request, reply: AppendReply::Callback(done) };
        if let Err(crossbeam_channel::SendError(Job::Append { reply, .. })) = self.shared.jobs.send(job) {
            reply.send(Err(self.closed().into()), &self.shared.context);
        }
    }

    fn stream_version(&self, stream: &StreamId) -> Result<Version, StoreError> {
        self.reader().head(stream, self.durable().group)
    }

    fn read_stream(
        &self,
        stream: &StreamId,
        after: Version,
        until: StreamBound,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let durable = self.durable();
        let reader = self.reader();
        let wanted = after.get().saturating_add(1);
        let start = reader.start_key(&keys::stream(stream, 0), &keys::stream(stream, wanted))?;
        let mut out = Vec::new();
        for entry in self.shared.log.range(start..=keys::stream(stream, u64::MAX)) {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let first = keys::trailing_u64(&key).unwrap_or(0);
            let location = || format!("stream `{stream}` version {first}");
            let loc = reader.locator(&value, location)?;
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
            for event in reader.commits::<EventsOf>(loc, location)?.into_iter().flat_map(|(_, c)| c.events) {
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
        let durable = self.durable();
        let reader = self.reader();
        let mut out = Vec::new();
        if max == 0 {
            return Ok(out);
        }
        let wanted = after.get().saturating_add(1);
        let start = reader.start_key(&keys::position(0), &keys::position(wanted))?;
        for entry in self.shared.log.range(start.as_slice()..=&keys::position(u64::MAX)[..]) {
            if out.len() == max {
                break;
            }
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let first = keys::trailing_u64(&key).unwrap_or(0);
            let location = || format!("global position {first}");
            let loc = reader.locator(&value, location)?;
            if loc.group > durable.group {
                break;
            }
            if loc.last <= after.get() {
                continue;
            }
            for event in reader.commits::<EventsOf>(loc, location)?.into_iter().flat_map(|(_, c)| c.events) {
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
        Ok(self.durable().position)
    }

    fn read_outbox(&self, after: OutboxSeq, max: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        let durable = self.durable();
        let reader = self.reader();
        let mut out = Vec::new();
        if max == 0 {
            return Ok(out);
        }
        let wanted = after.0.saturating_add(1);
        let start = reader.start_key(&keys::outbox(0), &keys::outbox(wanted))?;
        for entry in self.shared.log.range(start.as_slice()..=&keys::outbox(u64::MAX)[..]) {
            if out.len() == max {
                break;
            }
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let first = keys::trailing_u64(&key).unwrap_or(0);
            let location = || format!("outbox message {first}");
            let loc = reader.locator(&value, location)?;
            if loc.group > durable.group {
                break;
            }
            if loc.last <= after.0 {
                continue;
            }
            for entry in reader.commits::<OutboxOf>(loc, location)?.into_iter().flat_map(|(_, c)| c.outbox) {
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
        Ok(self.durable().delivered)
    }

    fn mark_outbox_delivered(&self, upto: OutboxSeq) -> Result<(), StoreError> {
        self.not_on_writer_thread()?;
        let (reply, answer) = crossbeam_channel::bounded(1);
        self.shared.jobs.send(Job::MarkDelivered { upto, reply }).map_err(|_| self.closed())?;
        answer.recv().map_err(|_| self.writer_stopped())?
    }

    fn is_processed(&self, mark: &InboxMark) -> Result<bool, StoreError> {
        let durable = self.durable();
        let Some(value) = self.shared.log.get(keys::inbox(mark)).map_err(|e| self.sled_error(e))? else {
            return Ok(false);
        };
        let loc =
            self.reader().locator(&value, || format!("inbox mark of `{}` for {}", mark.consumer, mark.message_id))?;
        Ok(loc.group <= durable.group)
    }

    fn load_snapshot(&self, stream: &StreamId, schema: u64) -> Result<Option<Snapshot>, StoreError> {
        let mut framed = Vec::new();
        let mut expected = 0u32;
        for entry in self.shared.snapshots.scan_prefix(Self::snapshot_prefix(stream)) {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let index = key.len().checked_sub(4).and_then(|at| key[at..].try_into().ok()).map(u32::from_be_bytes);
            if index != Some(expected) {
                return self.ignore_damaged_snapshot(stream, &format!("chunk {expected} is missing"));
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
                return self.ignore_damaged_snapshot(stream, &format!("{} stray bytes", framed.len() - used));
            }
            Err(e) => return self.ignore_damaged_snapshot(stream, &e.to_string()),
        };
        let (Some(stored_schema), Some(version)) = (body.get(..8), body.get(8..16)) else {
            return self.ignore_damaged_snapshot(stream, "the header is truncated");
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

    fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        let mut body = Vec::with_capacity(16 + snapshot.state.len());
        body.extend_from_slice(&snapshot.schema.to_be_bytes());
        body.extend_from_slice(&snapshot.version.get().to_be_bytes());
        body.extend_from_slice(&snapshot.state);
        if body.len() > MAX_COMMIT_BYTES {
            return Err(StoreError::Io {
                context: self.shared.context.to_string(),
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
        let _saving = self.shared.saving.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut batch = ::sled::Batch::default();
        // Chunks beyond the new snapshot's end belong to an older, larger one.
        for entry in self.shared.snapshots.scan_prefix(Self::snapshot_prefix(&snapshot.stream)).keys() {
            let key = entry.map_err(|e| self.sled_error(e))?;
            let index = key.len().checked_sub(4).and_then(|at| key[at..].try_into().ok()).map(u32::from_be_bytes);
            if index.is_none_or(|i| i as usize >= chunks) {
                batch.remove(key);
            }
        }
        for (index, chunk) in (0u32..).zip(framed.chunks(CHUNK)) {
            batch.insert(Self::snapshot_key(&snapshot.stream, index), chunk);
        }
        self.shared.snapshots.apply_batch(batch).map_err(|e| self.sled_error(e))
    }
}

/// Reading records and index entries, for the store's readers and for the writer.
struct Reader<'a> {
    context: &'a str,
    log: &'a ::sled::Tree,
}

impl Reader<'_> {
    fn corrupt(&self, location: String, reason: String) -> StoreError {
        StoreError::Corrupt { context: self.context.to_owned(), location, reason }
    }

    fn sled_error(&self, error: ::sled::Error) -> StoreError {
        sled_error(self.context, error)
    }

    fn locator(&self, value: &[u8], location: impl FnOnce() -> String) -> Result<Locator, StoreError> {
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
    fn head(&self, stream: &StreamId, durable_group: u64) -> Result<Version, StoreError> {
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
    fn commits<T: serde::de::DeserializeOwned>(
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

    /// The state after the last group on disk: all of it is durable once sled recovered it.
    fn recover(&self) -> Result<Durable, StoreError> {
        let last = |tag: u8| -> Result<Option<(::sled::IVec, ::sled::IVec)>, StoreError> {
            self.log.scan_prefix([tag]).next_back().transpose().map_err(|e| self.sled_error(e))
        };
        let mut state = Durable::default();
        if let Some((key, _)) = last(keys::LOG)? {
            let group = key.get(1..9).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
            state.group = group.ok_or_else(|| self.corrupt("the record log".into(), "a malformed key".into()))?;
        }
        if let Some((_, value)) = last(keys::POSITION)? {
            state.position = Position::new(self.locator(&value, || "the global log index".into())?.last);
        }
        if let Some((_, value)) = last(keys::OUTBOX)? {
            state.outbox = OutboxSeq(self.locator(&value, || "the outbox index".into())?.last);
        }
        if let Some(value) = self.log.get(keys::DELIVERED).map_err(|e| self.sled_error(e))? {
            let bytes: [u8; 8] = value.as_ref().try_into().map_err(|_| {
                self.corrupt("the outbox delivery cursor".into(), format!("{} bytes, not 8", value.len()))
            })?;
            state.delivered = OutboxSeq(u64::from_be_bytes(bytes));
        }
        Ok(state)
    }
}

/// The heads the writer knows beyond what is stored.
#[derive(Default)]
struct Overlay {
    /// Stream heads: those read from the store, and those the groups planned since. The
    /// writer is the only one to write heads, so after a successful group this is exactly
    /// what is stored (after a failed one the writer refuses every later write anyway). A
    /// cache, bounded by [`HEADS_CACHED`]: a miss reads the last index entry of the stream.
    heads: HashMap<StreamId, Version>,
    /// Inbox marks planned in the current group, not yet stored.
    inbox: HashSet<InboxMark>,
}

/// How many stream heads the writer keeps before it forgets them all and starts over.
const HEADS_CACHED: usize = 50_000;

/// The heads the writer plans against: the stored ones, under the group's own changes.
struct GroupHeads<'a> {
    reader: Reader<'a>,
    overlay: &'a mut Overlay,
}

impl Heads for GroupHeads<'_> {
    fn stream_version(&mut self, stream: &StreamId) -> Result<Version, StoreError> {
        if let Some(version) = self.overlay.heads.get(stream) {
            return Ok(*version);
        }
        // Everything stored is durable or being written by this very writer.
        let version = self.reader.head(stream, u64::MAX)?;
        self.overlay.heads.insert(stream.clone(), version);
        Ok(version)
    }

    fn is_processed(&mut self, mark: &InboxMark) -> Result<bool, StoreError> {
        if self.overlay.inbox.contains(mark) {
            return Ok(true);
        }
        self.reader.log.contains_key(keys::inbox(mark)).map_err(|e| self.reader.sled_error(e))
    }
}

/// Where the outcome of an append goes.
enum AppendReply {
    /// A blocked `append`.
    Channel(Sender<Result<AppendReceipt, AppendError>>),
    /// An `append_async` callback.
    Callback(AppendCallback),
}

impl AppendReply {
    fn send(self, result: Result<AppendReceipt, AppendError>, context: &str) {
        match self {
            // The appender may have gone away (its thread ended); nothing is owed to it then.
            Self::Channel(reply) => drop(reply.send(result)),
            Self::Callback(done) => {
                // A panicking callback must not take the writer (and every later append) down.
                if catch_unwind(AssertUnwindSafe(|| done(result))).is_err() {
                    tracing::error!(context, "an append_async callback panicked");
                }
            }
        }
    }
}

/// An answer waiting for its group to be durable.
enum Reply {
    Append(AppendReply, Result<AppendReceipt, AppendError>),
    Mark(Sender<Result<(), StoreError>>, Result<(), StoreError>),
}

impl Reply {
    /// Turns a planned success into `error` (the group was not made durable).
    fn fail(&mut self, error: &StoreError) {
        match self {
            Self::Append(_, result @ Ok(_)) => *result = Err(AppendError::Store(error.clone())),
            Self::Mark(_, result @ Ok(_)) => *result = Err(error.clone()),
            _ => {}
        }
    }

    fn send(self, context: &str) {
        match self {
            Self::Append(reply, result) => reply.send(result, context),
            // The caller may have gone away (its thread ended); nothing is owed to it then.
            Self::Mark(reply, result) => drop(reply.send(result)),
        }
    }
}

/// Where a request is planned: the group being built.
struct Planned<'a> {
    group: u64,
    next: &'a mut Durable,
    record: &'a mut Vec<u8>,
    batch: &'a mut ::sled::Batch,
    overlay: &'a mut Overlay,
    positions: &'a mut Span,
    outbox: &'a mut Span,
}

/// The commits of a group that hold events (or outbox messages): numbered `first..=last`,
/// in the record's bytes `start..end` (with any commits between them that hold none).
#[derive(Default)]
struct Span {
    first: u64,
    last: u64,
    start: usize,
    end: usize,
    any: bool,
}

impl Span {
    fn add(&mut self, first: u64, last: u64, bytes: &std::ops::Range<usize>) {
        if !self.any {
            (self.any, self.first, self.start) = (true, first, bytes.start);
        }
        (self.last, self.end) = (last, bytes.end);
    }

    /// The index entry of the span, if it holds anything.
    fn locator(&self, group: u64) -> Option<[u8; Locator::LEN]> {
        // Every commit's offset and length fit in `u32` (checked when planned), and a group
        // stops growing past `GROUP_SOFT_LIMIT`, so the span's do too.
        let offset = u32::try_from(self.start).expect("a group's offsets fit in u32");
        let len = u32::try_from(self.end - self.start).expect("a group's spans fit in u32");
        self.any.then(|| Locator { group, offset, len, last: self.last }.encode())
    }
}

/// The one thread that writes a store. It plans and writes a group, hands it to the
/// [`Syncer`] and goes on with the next group while that one is being made durable.
struct Writer {
    context: Arc<str>,
    log: ::sled::Tree,
    clock: Arc<dyn Clock>,
    queue: Receiver<Job>,
    max_batch: usize,
    /// Written groups, to the syncer.
    written: Sender<Written>,
    /// Set by either thread after a failed write or sync.
    failure: Arc<Mutex<Option<StoreError>>>,
    /// The state after the last group written (ahead of what is durable by the groups the
    /// syncer has not finished).
    state: Durable,
    /// Set after a failed write or sync; every later write is refused with it.
    failed: Option<StoreError>,
    overlay: Overlay,
}

/// A group written to sled, waiting to be made durable and answered.
struct Written {
    group: u64,
    /// The state once it is durable.
    state: Durable,
    /// Whether anything was written (else it only answers, in order).
    wrote: bool,
    replies: Vec<Reply>,
}

/// The thread that makes written groups durable, in order, and only then publishes them to
/// readers and answers their requests. While it waits for a sync, the writer writes the next
/// group: a crash may then keep a group that was written but never acknowledged, which the
/// module docs already allow (every acknowledged group is durable, whole, and so is every
/// group before it).
struct Syncer {
    context: Arc<str>,
    db: ::sled::Db,
    data_file: File,
    durable: Arc<Mutex<Durable>>,
    failure: Arc<Mutex<Option<StoreError>>>,
    /// After a failed sync every later group is answered with this error: the state of the
    /// file is unknown.
    failed: Option<StoreError>,
    queue: Receiver<Written>,
}

impl Syncer {
    fn run(mut self) {
        for Written { group, state, wrote, mut replies } in self.queue.iter() {
            if wrote && self.failed.is_none() {
                match self.sync() {
                    Ok(()) => *lock(&self.durable) = state,
                    Err(error) => {
                        tracing::error!(context = %self.context, %error, group, "a group commit failed; the store refuses further writes");
                        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                        self.failed = Some(error);
                    }
                }
            }
            if let Some(error) = &self.failed {
                for reply in &mut replies {
                    reply.fail(error);
                }
            }
            for reply in replies {
                reply.send(&self.context);
            }
        }
    }

    /// Makes everything written so far durable (see the module docs).
    fn sync(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|e| sled_error(&self.context, e))?;
        self.data_file.sync_data().map_err(|e| io_error(&self.context, "fdatasync of sled's data file".into(), e))
    }
}

impl Writer {
    fn run(mut self) {
        let mut jobs = Vec::with_capacity(self.max_batch);
        loop {
            let Ok(job) = self.queue.recv() else { return };
            let mut stop = matches!(job, Job::Shutdown);
            if !stop {
                jobs.push(job);
            }
            while !stop && jobs.len() < self.max_batch {
                match self.queue.try_recv() {
                    Ok(Job::Shutdown) => stop = true,
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            let mut pending = jobs.drain(..).peekable();
            while pending.peek().is_some() {
                self.commit_group(&mut pending);
            }
            drop(pending);
            if stop {
                return;
            }
        }
    }

    /// Plans jobs into one group until they run out or the group is large, writes it, makes
    /// it durable and answers.
    fn commit_group(&mut self, jobs: &mut impl Iterator<Item = Job>) {
        if self.failed.is_none() {
            self.failed = self.failure.lock().unwrap_or_else(|p| p.into_inner()).clone();
        }
        let group = self.state.group + 1;
        let mut next = self.state;
        let mut record = Vec::new();
        let mut batch = ::sled::Batch::default();
        let mut overlay = std::mem::take(&mut self.overlay);
        overlay.inbox.clear();
        if overlay.heads.len() > HEADS_CACHED {
            overlay.heads.clear();
        }
        let mut delivered_changed = false;
        let mut replies = Vec::new();
        let (mut positions, mut outbox) = (Span::default(), Span::default());
        for job in jobs.by_ref() {
            match job {
                Job::Append { request, reply } => {
                    let result = match &self.failed {
                        Some(error) => Err(AppendError::Store(error.clone())),
                        None => {
                            let mut into = Planned {
                                group,
                                next: &mut next,
                                record: &mut record,
                                batch: &mut batch,
                                overlay: &mut overlay,
                                positions: &mut positions,
                                outbox: &mut outbox,
                            };
                            self.plan(request, &mut into)
                        }
                    };
                    replies.push(Reply::Append(reply, result));
                }
                Job::MarkDelivered { upto, reply } => {
                    let target = next.delivered.max(upto.min(next.outbox));
                    delivered_changed |= target != next.delivered;
                    next.delivered = target;
                    replies.push(Reply::Mark(reply, self.failed.clone().map_or(Ok(()), Err)));
                }
                Job::Shutdown => {}
            }
            if record.len() >= GROUP_SOFT_LIMIT {
                break;
            }
        }
        // One global-log entry and one outbox entry for the whole group, spanning the
        // commits that hold events (or messages): not one sled key per commit.
        if let Some(entry) = positions.locator(group) {
            batch.insert(&keys::position(positions.first)[..], &entry[..]);
        }
        if let Some(entry) = outbox.locator(group) {
            batch.insert(&keys::outbox(outbox.first)[..], &entry[..]);
        }
        if !record.is_empty() {
            for (index, chunk) in (0u32..).zip(record.chunks(CHUNK)) {
                batch.insert(&keys::chunk(group, index)[..], chunk);
            }
            next.group = group;
        }
        if delivered_changed {
            batch.insert(keys::DELIVERED, &next.delivered.0.to_be_bytes()[..]);
        }
        let mut wrote = false;
        if self.failed.is_none() && (!record.is_empty() || delivered_changed) {
            match self.log.apply_batch(batch) {
                Ok(()) => {
                    self.state = next;
                    wrote = true;
                }
                Err(error) => {
                    let error = sled_error(&self.context, error);
                    tracing::error!(context = %self.context, %error, group, "a group commit failed; the store refuses further writes");
                    for reply in &mut replies {
                        reply.fail(&error);
                    }
                    *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                    self.failed = Some(error);
                }
            }
        }
        self.overlay = overlay;
        // Answered by the syncer once durable, after every earlier group. If it is gone (it
        // panicked), nothing can be made durable: the replies are dropped, which their
        // waiters see as the writer having stopped.
        let _ = self.written.send(Written { group, state: next, wrote, replies });
    }

    /// Plans one request into the group; on success its record and index entries are added.
    fn plan(&self, request: AppendRequest, into: &mut Planned<'_>) -> Result<AppendReceipt, AppendError> {
        let Planned { group, next, record, batch, overlay, positions, outbox } = into;
        let group = *group;
        let now = self.clock.now();
        let reader = Reader { context: &self.context, log: &self.log };
        let commit = plan_commit(request, &mut GroupHeads { reader, overlay }, next.position, next.outbox, now)?;
        let start = record.len();
        let frames = frame_commit(record, &commit);
        let whole = start..record.len();
        if whole.len() > MAX_COMMIT_BYTES || u32::try_from(whole.end).is_err() {
            record.truncate(start);
            return Err(AppendError::Invalid(format!("the commit is {} bytes; the limit is 1 GiB", whole.len())));
        }
        // Every offset and length below fits in `u32`: they lie within `whole`, checked above.
        let at = |range: &std::ops::Range<usize>, last: u64| {
            Locator { group, offset: range.start as u32, len: range.len() as u32, last }.encode()
        };
        if let (Some(first), Some(last)) = (commit.events.first(), commit.events.last()) {
            positions.add(first.position.get(), last.position.get(), &whole);
            next.position = last.position;
        }
        // `plan_commit` keeps each stream's events together: one index entry per stream, at the
        // frame holding them.
        for (run, range) in commit.events.chunk_by(|a, b| a.stream == b.stream).zip(&frames.runs) {
            let (first, last) = (&run[0], &run[run.len() - 1]);
            batch.insert(keys::stream(&first.stream, first.version.get()), &at(range, last.version.get())[..]);
            overlay.heads.insert(first.stream.clone(), last.version);
        }
        if let (Some(first), Some(last)) = (commit.outbox.first(), commit.outbox.last()) {
            outbox.add(first.seq.0, last.seq.0, &frames.rest);
            next.outbox = last.seq;
        }
        if let Some(mark) = &commit.inbox {
            batch.insert(keys::inbox(mark), &at(&frames.rest, 0)[..]);
            overlay.inbox.insert(mark.clone());
        }
        Ok(commit.receipt())
    }
}

/// How long `open` waits for a directory another handle is still letting go of.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens sled's database, waiting up to [`LOCK_WAIT`] while its lock is held. Dropping the last
/// handle of a store does not release the lock at once: sled's own background threads hold
/// the database a moment longer. Reopening right after a close would otherwise fail now and
/// then with "could not acquire lock" (seen in the conformance suite under load).
fn open_db(path: &Path, cache_capacity: u64) -> ::sled::Result<::sled::Db> {
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        let opened =
            ::sled::Config::new().path(path).mode(::sled::Mode::LowSpace).cache_capacity(cache_capacity).open();
        match opened {
            Err(::sled::Error::Io(e))
                if e.kind() == std::io::ErrorKind::WouldBlock && started.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

/// Where [`frame_commit`] put a commit's parts in the group's record.
struct Frames {
    /// The frame holding each run of one stream's events, in order.
    runs: Vec<std::ops::Range<usize>>,
    /// The frame holding the outbox messages and the inbox mark.
    rest: std::ops::Range<usize>,
}

/// Frames a commit into the group's record. A commit to one stream is one frame. A commit to
/// several streams is a frame per stream, then one for its messages and inbox mark: a stream
/// read then decodes that stream's events only, not every event of a unit of work that touched
/// thousands of aggregates (which made such reads quadratic). Each frame reads as a commit of
/// its own part; atomicity is unchanged, since it comes from the group's one sled batch, and
/// the frames stay in position order.
fn frame_commit(record: &mut Vec<u8>, commit: &Commit) -> Frames {
    let streams = commit.events.chunk_by(|a, b| a.stream == b.stream).count();
    if streams <= 1 {
        let range = kernel::record::encode_commit(record, commit);
        return Frames { runs: vec![range.clone(); streams], rest: range };
    }
    let runs = commit
        .events
        .chunk_by(|a, b| a.stream == b.stream)
        .map(|run| kernel::record::encode_commit(record, &Commit { events: run.to_vec(), outbox: vec![], inbox: None }))
        .collect();
    let rest = if commit.outbox.is_empty() && commit.inbox.is_none() {
        record.len()..record.len()
    } else {
        let rest = Commit { events: vec![], outbox: commit.outbox.clone(), inbox: commit.inbox.clone() };
        kernel::record::encode_commit(record, &rest)
    };
    Frames { runs, rest }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::ids::SequentialIds;
    use kernel::message::MessageId;
    use kernel::store::AppendRequest;
    use kernel::testing::conformance::{event, message};
    use kernel::time::{ManualClock, Timestamp};
    use kernel::ExpectedVersion as Expected;

    /// Many requests queued at once share groups; each group has one global-log entry and
    /// one outbox entry spanning its commits, with commits that hold neither in between.
    /// Every way of reading them back sees each event and message once, in order.
    /// A unit of work touching many aggregates is stored as a frame per stream: each stream
    /// reads back its own events (without decoding the others: damage to one stream's frame
    /// leaves the others readable), the global log and the outbox read back whole and in
    /// order, and so after a reopen.
    #[test]
    fn a_commit_to_many_streams_reads_back_stream_by_stream() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)));
        let open = || SledEventStore::open(dir.path(), "wide", clock.clone(), StoreConfig::default()).unwrap();
        let store = open();
        let ids = SequentialIds::new(3);
        let streams: Vec<StreamId> = (0..50).map(|n| StreamId::for_aggregate("member", n)).collect();
        let writes = streams
            .iter()
            .enumerate()
            .map(|(n, stream)| kernel::store::StreamWrite {
                stream: stream.clone(),
                expected: Expected::NoStream,
                events: (0..=n as u64 % 3).map(|k| event(&ids, k)).collect(),
            })
            .collect();
        let mark = InboxMark { consumer: "c".into(), message_id: MessageId::generate(&ids) };
        let request =
            AppendRequest { writes, outbox: vec![message(&ids, 1), message(&ids, 2)], inbox: Some(mark.clone()) };
        store.append(request).unwrap();
        let store = {
            drop(store);
            open()
        };
        for (n, stream) in streams.iter().enumerate() {
            let events = store.read_stream(stream, Version::INITIAL, StreamBound::End).unwrap();
            assert_eq!(events.len(), n % 3 + 1, "{stream}");
            assert!(events.iter().all(|e| e.stream == *stream));
        }
        let all = store.read_all(Position::START, usize::MAX).unwrap();
        assert_eq!(all.len(), (0..50).map(|n| n % 3 + 1).sum::<usize>());
        assert!(all.windows(2).all(|w| w[0].position.get() + 1 == w[1].position.get()), "in position order");
        assert_eq!(store.read_outbox(OutboxSeq(0), usize::MAX).unwrap().len(), 2);
        assert!(store.is_processed(&mark).unwrap());

        // Damage the frame of the seventh stream's events: only that stream stops reading.
        let damaged = store.read_stream(&streams[7], Version::INITIAL, StreamBound::End).unwrap()[0].position;
        assert!(store.corrupt_commit_at(damaged).unwrap());
        assert!(matches!(
            store.read_stream(&streams[7], Version::INITIAL, StreamBound::End),
            Err(StoreError::Corrupt { .. })
        ));
        for stream in streams.iter().filter(|s| **s != streams[7]) {
            assert!(store.read_stream(stream, Version::INITIAL, StreamBound::End).is_ok(), "{stream}");
        }
    }

    #[test]
    fn commits_sharing_a_group_read_back_by_position_outbox_and_stream() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)));
        let open = || SledEventStore::open(dir.path(), "grouped", clock.clone(), StoreConfig::default()).unwrap();
        let store = open();
        let ids = SequentialIds::new(1);
        let (tx, rx) = crossbeam_channel::unbounded();
        let requests = 600u64;
        for n in 0..requests {
            let stream = StreamId::for_aggregate("s", n % 7);
            let mut request = match n % 5 {
                // Inbox marks alone, and messages alone, between commits with events.
                0 => AppendRequest {
                    inbox: Some(InboxMark { consumer: "c".into(), message_id: MessageId::generate(&ids) }),
                    ..AppendRequest::default()
                },
                1 => AppendRequest { outbox: vec![message(&ids, n)], ..AppendRequest::default() },
                _ => AppendRequest::events(stream, Expected::Any, vec![event(&ids, n), event(&ids, n + 1)]),
            };
            if n % 3 == 0 && n % 5 != 0 {
                request.outbox.push(message(&ids, n));
            }
            let tx = tx.clone();
            store.append_async(request, Box::new(move |r| tx.send(r.map(|_| ())).unwrap()));
        }
        for _ in 0..requests {
            rx.recv().unwrap().unwrap();
        }
        let groups = store.durable().group;
        assert!(groups < requests / 2, "requests shared groups ({groups} groups)");

        let check = |store: &SledEventStore| {
            let all = store.read_all(Position::START, usize::MAX).unwrap();
            let positions: Vec<u64> = all.iter().map(|e| e.position.get()).collect();
            assert_eq!(positions, (1..=all.len() as u64).collect::<Vec<_>>());
            assert_eq!(store.last_position().unwrap().get(), all.len() as u64);
            // Pages starting anywhere, of any size, continue exactly where they should.
            for (after, max) in [(0, 1), (1, 7), (13, 100), (200, 3), (all.len() as u64 - 1, 10)] {
                let page = store.read_all(Position::new(after), max).unwrap();
                let want: Vec<u64> = ((after + 1)..=all.len() as u64).take(max).collect();
                assert_eq!(page.iter().map(|e| e.position.get()).collect::<Vec<_>>(), want, "after {after}");
            }
            let outbox = store.read_outbox(OutboxSeq(0), usize::MAX).unwrap();
            let seqs: Vec<u64> = outbox.iter().map(|e| e.seq.0).collect();
            assert_eq!(seqs, (1..=outbox.len() as u64).collect::<Vec<_>>());
            for (after, max) in [(0, 5), (17, 256), (outbox.len() as u64 - 2, 9)] {
                let page = store.read_outbox(OutboxSeq(after), max).unwrap();
                let want: Vec<u64> = ((after + 1)..=outbox.len() as u64).take(max).collect();
                assert_eq!(page.iter().map(|e| e.seq.0).collect::<Vec<_>>(), want, "outbox after {after}");
            }
            for s in 0..7 {
                let stream = StreamId::for_aggregate("s", s);
                let events = store.read_stream(&stream, Version::INITIAL, StreamBound::End).unwrap();
                let versions: Vec<u64> = events.iter().map(|e| e.version.get()).collect();
                assert_eq!(versions, (1..=events.len() as u64).collect::<Vec<_>>());
                let from_log = all.iter().filter(|e| e.stream == stream).count();
                assert_eq!(events.len(), from_log);
                assert_eq!(store.stream_version(&stream).unwrap().get(), events.len() as u64);
            }
            (all.len(), outbox.len())
        };
        let counts = check(&store);
        drop(store);
        let store = open();
        assert_eq!(check(&store), counts, "the same after reopening");

        // Damage to one commit in the middle of a shared group is found, and named.
        let middle = Position::new(counts.0 as u64 / 2);
        assert!(store.corrupt_commit_at(middle).unwrap());
        let err = store.read_all(Position::new(middle.get() - 1), 1).unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    }
}
