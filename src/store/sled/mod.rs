//! The durable [`EventStore`] adapter, on sled `=0.34.7`.
//!
//! This module is the store's handle: its configuration, opening, closing and the port's
//! methods, which delegate to one submodule per job: `recovery` (opening a directory and
//! finding its durable state), `writer` (group commit), `syncer` (durability, then answers),
//! `frames` (how a commit is laid out in its group's record), `reader` (verified reads) and
//! `snapshots`. What is and is not guaranteed after a crash is said here, once.
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

mod frames;
mod reader;
mod recovery;
mod snapshots;
mod syncer;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crossbeam_channel::Sender;
use kernel::store::{
    AppendCallback, AppendError, AppendReceipt, AppendRequest, EventStore, InboxMark, OutboxEntry, OutboxSeq,
    RecordedEvent, Snapshot, StoreError, StreamBound,
};
use kernel::{Clock, Position, StreamId, Version};

use self::reader::{EventsOf, Reader};
use self::snapshots::Snapshots;
use self::syncer::{AppendReply, Syncer};
use self::writer::{Job, Overlay, Writer};
use super::keys::{self, Locator, CHUNK};

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
        let recovery::Opened { db, log, snapshots, data_file } =
            recovery::open_directory(&path, context, config.cache_capacity)?;
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
        }
        .spawn(context)?;
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
        }
        .spawn(context)?;
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

    fn snapshots(&self) -> Snapshots<'_> {
        Snapshots { context: &self.shared.context, tree: &self.shared.snapshots, saving: &self.shared.saving }
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
        self.reader().read_stream(stream, after, until, self.durable())
    }

    fn read_all(&self, after: Position, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.reader().read_all(after, max, self.durable())
    }

    fn last_position(&self) -> Result<Position, StoreError> {
        Ok(self.durable().position)
    }

    fn read_outbox(&self, after: OutboxSeq, max: usize) -> Result<Vec<OutboxEntry>, StoreError> {
        self.reader().read_outbox(after, max, self.durable())
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
        self.reader().is_processed(mark, self.durable())
    }

    fn load_snapshot(&self, stream: &StreamId, schema: u64) -> Result<Option<Snapshot>, StoreError> {
        self.snapshots().load(stream, schema)
    }

    fn save_snapshot(&self, snapshot: &Snapshot) -> Result<(), StoreError> {
        self.snapshots().save(snapshot)
    }
}
