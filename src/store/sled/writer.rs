//! The store's writer thread: it takes the requests waiting, plans them into one group
//! against the heads it knows (group commit), writes the group in one sled batch and hands
//! it to the [`Syncer`](super::syncer::Syncer), which makes it durable and answers. See the
//! parent module's "Writing".

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use kernel::store::{plan_commit, AppendError, AppendReceipt, AppendRequest, Heads, InboxMark, OutboxSeq, StoreError};
use kernel::{Clock, StreamId, Version};

use super::frames::frame_commit;
use super::reader::Reader;
use super::syncer::{AppendReply, Reply, Written};
use super::{io_error, sled_error, Durable, MAX_COMMIT_BYTES};
use crate::store::keys::{self, Locator, CHUNK};

/// A group stops taking requests once its record is this large (the rest go in the next).
const GROUP_SOFT_LIMIT: usize = 64 << 20;

/// What the store's handles ask of the writer.
pub(super) enum Job {
    Append { request: AppendRequest, reply: AppendReply },
    MarkDelivered { upto: OutboxSeq, reply: Sender<Result<(), StoreError>> },
    Shutdown,
}

/// The one thread that writes a store. It plans and writes a group, hands it to the
/// [`Syncer`](super::syncer::Syncer) and goes on with the next group while that one is being
/// made durable.
pub(super) struct Writer {
    pub(super) context: Arc<str>,
    pub(super) log: ::sled::Tree,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) queue: Receiver<Job>,
    pub(super) max_batch: usize,
    /// Written groups, to the syncer.
    pub(super) written: Sender<Written>,
    /// Set by either thread after a failed write or sync.
    pub(super) failure: Arc<Mutex<Option<StoreError>>>,
    /// The state after the last group written (ahead of what is durable by the groups the
    /// syncer has not finished).
    pub(super) state: Durable,
    /// Set after a failed write or sync; every later write is refused with it.
    pub(super) failed: Option<StoreError>,
    pub(super) overlay: Overlay,
}

/// The group being built: what it will write, and the answers it owes.
struct Group {
    number: u64,
    /// The state once the group is durable.
    next: Durable,
    record: Vec<u8>,
    batch: ::sled::Batch,
    overlay: Overlay,
    positions: Span,
    outbox: Span,
    delivered_changed: bool,
    replies: Vec<Reply>,
}

/// The heads the writer knows beyond what is stored.
#[derive(Default)]
pub(super) struct Overlay {
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

impl Writer {
    /// Starts the writer thread of `context`.
    pub(super) fn spawn(self, context: &str) -> Result<JoinHandle<()>, StoreError> {
        std::thread::Builder::new()
            .name(format!("store-{context}"))
            .spawn(move || self.run())
            .map_err(|e| io_error(context, "starting the writer thread".into(), e))
    }

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
        let mut group = self.start_group();
        self.plan_jobs(&mut group, jobs);
        group.add_indexes();
        let wrote = self.write(&mut group);
        let Group { number, next, overlay, replies, .. } = group;
        self.overlay = overlay;
        // Answered by the syncer once durable, after every earlier group. If it is gone (it
        // panicked), nothing can be made durable: the replies are dropped, which their
        // waiters see as the writer having stopped.
        let _ = self.written.send(Written { group: number, state: next, wrote, replies });
    }

    /// An empty group after the last one written, planned against the heads kept so far.
    fn start_group(&mut self) -> Group {
        let mut overlay = std::mem::take(&mut self.overlay);
        overlay.inbox.clear();
        if overlay.heads.len() > HEADS_CACHED {
            overlay.heads.clear();
        }
        Group {
            number: self.state.group + 1,
            next: self.state,
            record: Vec::new(),
            batch: ::sled::Batch::default(),
            overlay,
            positions: Span::default(),
            outbox: Span::default(),
            delivered_changed: false,
            replies: Vec::new(),
        }
    }

    /// Plans jobs into `group` until they run out or its record is large.
    fn plan_jobs(&self, group: &mut Group, jobs: &mut impl Iterator<Item = Job>) {
        for job in jobs.by_ref() {
            match job {
                Job::Append { request, reply } => {
                    let result = match &self.failed {
                        Some(error) => Err(AppendError::Store(error.clone())),
                        None => self.plan(request, group),
                    };
                    group.replies.push(Reply::Append(reply, result));
                }
                Job::MarkDelivered { upto, reply } => {
                    let next = &mut group.next;
                    let target = next.delivered.max(upto.min(next.outbox));
                    group.delivered_changed |= target != next.delivered;
                    next.delivered = target;
                    group.replies.push(Reply::Mark(reply, self.failed.clone().map_or(Ok(()), Err)));
                }
                Job::Shutdown => {}
            }
            if group.record.len() >= GROUP_SOFT_LIMIT {
                break;
            }
        }
    }

    /// Writes the group's batch, unless the store already failed or there is nothing to
    /// write; returns whether it wrote. A failed write fails the group's answers and every
    /// later write.
    fn write(&mut self, group: &mut Group) -> bool {
        if self.failed.is_some() || (group.record.is_empty() && !group.delivered_changed) {
            return false;
        }
        match self.log.apply_batch(std::mem::take(&mut group.batch)) {
            Ok(()) => {
                self.state = group.next;
                true
            }
            Err(error) => {
                let error = sled_error(&self.context, error);
                let number = group.number;
                tracing::error!(context = %self.context, %error, group = number, "a group commit failed; the store refuses further writes");
                for reply in &mut group.replies {
                    reply.fail(&error);
                }
                *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                self.failed = Some(error);
                false
            }
        }
    }

    /// Plans one request into the group; on success its record and index entries are added.
    fn plan(&self, request: AppendRequest, into: &mut Group) -> Result<AppendReceipt, AppendError> {
        let Group { number: group, next, record, batch, overlay, positions, outbox, .. } = into;
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

impl Group {
    /// Adds the group's index entries and record chunks to its batch: one global-log entry
    /// and one outbox entry for the whole group, spanning the commits that hold events (or
    /// messages), not one sled key per commit.
    fn add_indexes(&mut self) {
        let Self { number: group, next, record, batch, positions, outbox, delivered_changed, .. } = self;
        let group = *group;
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
        if *delivered_changed {
            batch.insert(keys::DELIVERED, &next.delivered.0.to_be_bytes()[..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use kernel::ids::SequentialIds;
    use kernel::message::MessageId;
    use kernel::store::{AppendRequest, EventStore, InboxMark, OutboxSeq, StoreError, StreamBound};
    use kernel::testing::conformance::{event, message};
    use kernel::time::{ManualClock, Timestamp};
    use kernel::ExpectedVersion as Expected;
    use kernel::{Position, StreamId, Version};

    use crate::store::{SledEventStore, StoreConfig};

    /// Many requests queued at once share groups; each group has one global-log entry and
    /// one outbox entry spanning its commits, with commits that hold neither in between.
    /// Every way of reading them back sees each event and message once, in order.
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
