//! Rebuilding reporting's read models from the other contexts' published logs (kappa: the log
//! that feeds the live models feeds the rebuild), optionally as of a past time.
//!
//! [`rebuild_reporting`] is the one implementation, used by `bookbox replay reporting` (over
//! the stores of a data directory) and by the HTTP report queries' `as_of` (over the running
//! server's stores). It is self-contained: it reads only the stores it is given, through the
//! `EventStore` port, and builds a fresh [`ReadModels`] in memory; it never touches
//! reporting's own store or the live models.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use kernel::store::{EventStore, OutboxSeq, StoreError};
use kernel::Timestamp;
use reporting::ports::{Overlap, ReadMessage, ReadModels};

/// How many outbox entries are read from a store at once.
const OUTBOX_BATCH: usize = 4_096;

/// Where a rebuild is, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Every log is read: this many messages are to be applied.
    Gathered(u64),
    /// This many messages are applied so far, over every part (reported as they go, and once
    /// at the end with the total).
    Applied(u64),
}

/// What to rebuild, and with how many threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebuild {
    /// Only the messages published at or before this time; `None` for every message.
    pub as_of: Option<Timestamp>,
    /// The logs are read, and the messages applied, in this many parts at once, each on its own
    /// thread (0 counts as 1). The result does not depend on it.
    pub parts: usize,
}

impl Rebuild {
    /// Every message, a part per core.
    pub fn everything() -> Self {
        Self { as_of: None, parts: cores() }
    }

    /// The models as of `time` (`None`: now), a part per core.
    pub fn as_of(time: Option<Timestamp>) -> Self {
        Self { as_of: time, parts: cores() }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Rebuilt read models, and what went into them.
#[derive(Debug, Clone)]
pub struct Rebuilt {
    pub models: ReadModels,
    /// Every published message read, whether reporting consumes it or not.
    pub read: u64,
    /// Messages applied: those reporting consumes, published at or before the time asked.
    pub messages: u64,
    /// Of them, those the models refused (that do not read; the live context would have
    /// dead-lettered them). The models are as if they had never been published.
    pub refused: u64,
}

/// Why a rebuild failed.
#[derive(Debug, thiserror::Error)]
pub enum RebuildError {
    #[error("reading a published log: {0}")]
    Store(#[from] StoreError),
    /// A bug, not bad data: the parts of a split rebuild shared an order or a book.
    #[error(transparent)]
    Split(#[from] Overlap),
}

/// A message of a log, read as the fact it tells (or refused), with where it sorts.
struct Gathered<'a> {
    time: Timestamp,
    producer: &'a str,
    seq: OutboxSeq,
    read: Option<ReadMessage>,
}

/// Rebuilds reporting's read models from the published messages (the outboxes) of `logs`,
/// given as `(context name, its store)`; reporting's own store, if among them, is skipped (it
/// publishes nothing). With `as_of`, only the messages published at or before that time count
/// (their CloudEvents `time`), which gives the models as they were then; without it, every
/// message, which gives what the live models answer once every message is delivered.
///
/// Order: the messages reporting consumes are applied in publication time; messages published
/// at the same time in producer name order, and each producer's in its outbox order. (Every
/// reporting rule holds whatever order different producers' messages arrive in, so this only
/// makes a rebuild reproducible.)
///
/// Parallel, in two steps, each on `parts` threads:
/// 1. the logs are read, and each message read as its fact, a store at a time per thread;
/// 2. the messages, in the order above, are split by [`ReadMessage::part`] (every message about
///    one order, or one book, in the same part), each part is applied to models of its own, and
///    the parts are combined. Models rebuilt in parts and combined equal models rebuilt in one
///    (a property test in `contexts/reporting/tests/rebuild.rs` holds reporting to that).
///
/// `progress` hears [`Progress::Gathered`] once the logs are read, then [`Progress::Applied`]
/// as messages are applied. Reading a store fails the whole rebuild.
pub fn rebuild_reporting<'a>(
    logs: impl IntoIterator<Item = (&'a str, &'a dyn EventStore)>,
    rebuild: Rebuild,
    mut progress: impl FnMut(Progress),
) -> Result<Rebuilt, RebuildError> {
    let parts = rebuild.parts.max(1);
    let logs: Vec<(&str, &dyn EventStore)> =
        logs.into_iter().filter(|(name, _)| *name != reporting::CONTEXT.name).collect();
    let (mut gathered, read) = gather(&logs, rebuild.as_of, parts)?;
    gathered.sort_by(|a, b| (a.time, a.producer, a.seq).cmp(&(b.time, b.producer, b.seq)));
    let messages = gathered.len() as u64;
    progress(Progress::Gathered(messages));

    let mut split: Vec<Vec<&ReadMessage>> = vec![Vec::new(); parts];
    let mut refused = 0;
    for message in &gathered {
        match &message.read {
            Some(read) => split[read.part(parts)].push(read),
            None => refused += 1,
        }
    }
    let applied = AtomicU64::new(refused);
    let refused_on_apply = AtomicU64::new(0);
    let apply = |part: &[&ReadMessage], report: &mut dyn FnMut(u64)| {
        let mut models = ReadModels::new();
        for read in part {
            if models.apply_read(read).is_err() {
                refused_on_apply.fetch_add(1, Ordering::Relaxed);
            }
            report(applied.fetch_add(1, Ordering::Relaxed) + 1);
        }
        models
    };
    let mut split = split.into_iter();
    let first = split.next().unwrap_or_default();
    let mut reported = 0;
    let (mut models, others) = std::thread::scope(|scope| {
        let handles: Vec<_> = split.map(|part| scope.spawn(move || apply(&part, &mut |_| {}))).collect();
        // This thread applies the first part, and reports for all of them meanwhile.
        let mine = apply(&first, &mut |n| {
            reported = n;
            progress(Progress::Applied(n));
        });
        let others: Vec<ReadModels> = handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect();
        (mine, others)
    });
    for other in others {
        models.combine(other)?;
    }
    if reported != messages {
        progress(Progress::Applied(messages));
    }
    Ok(Rebuilt { models, read, messages, refused: refused + refused_on_apply.into_inner() })
}

/// Reads every log, a store at a time on each of `threads` threads, keeping the messages
/// reporting consumes up to `as_of`, each read as its fact (`None`: it does not read). Also
/// returns how many messages were read in all.
fn gather<'a>(
    logs: &[(&'a str, &'a dyn EventStore)],
    as_of: Option<Timestamp>,
    threads: usize,
) -> Result<(Vec<Gathered<'a>>, u64), StoreError> {
    let next = AtomicUsize::new(0);
    let read_logs = || -> Result<(Vec<Gathered<'a>>, u64), StoreError> {
        let (mut kept, mut read) = (Vec::new(), 0);
        while let Some(&(producer, store)) = logs.get(next.fetch_add(1, Ordering::Relaxed)) {
            let mut after = OutboxSeq(0);
            loop {
                let batch = store.read_outbox(after, OUTBOX_BATCH)?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                read += batch.len() as u64;
                for entry in batch {
                    let envelope = &entry.envelope;
                    if as_of.is_some_and(|t| envelope.time > t) || !ReadModels::consumes(&envelope.message_type) {
                        continue;
                    }
                    let time = envelope.time;
                    let read = ReadModels::read(envelope).ok().flatten();
                    if read.is_none() {
                        tracing::debug!(id = %envelope.id, producer, "a message does not read; the rebuild leaves it out");
                    }
                    kept.push(Gathered { time, producer, seq: entry.seq, read });
                }
            }
        }
        Ok((kept, read))
    };
    let results: Vec<Result<(Vec<Gathered<'a>>, u64), StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads.min(logs.len().max(1))).map(|_| scope.spawn(read_logs)).collect();
        let mut results = vec![read_logs()];
        results.extend(
            handles.into_iter().map(|handle| handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))),
        );
        results
    });
    let (mut all, mut read) = (Vec::new(), 0);
    for result in results {
        let (kept, n) = result?;
        all.extend(kept);
        read += n;
    }
    Ok((all, read))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::ids::SequentialIds;
    use kernel::message::{Envelope, MessageKind};
    use kernel::store::AppendRequest;
    use kernel::testing::incoming;
    use kernel::time::ManualClock;
    use kernel::InMemoryEventStore;
    use reporting::ports::queries::SalesByState;

    const TEXAS: &str = r#"{"order_id":"0d4c3b2a-1f0e-4d9c-8b7a-695847362514","customer_id":"b1eece00-5678-4abc-9def-665544332211",
      "month":"2026-04","end_state":"delivered","captured":{"amount_cents":1499,"currency":"USD"},
      "refunded":{"amount_cents":0,"currency":"USD"},"shipping_state":"TX"}"#;
    const OHIO: &str = r#"{"order_id":"1d4c3b2a-1f0e-4d9c-8b7a-695847362514","customer_id":"b1eece00-5678-4abc-9def-665544332211",
      "month":"2026-04","end_state":"delivered","captured":{"amount_cents":2000,"currency":"USD"},
      "refunded":{"amount_cents":0,"currency":"USD"},"shipping_state":"OH"}"#;

    fn ended(ids: &SequentialIds, data: &str, at: &str) -> Envelope {
        let mut envelope = incoming(ids, "orders", "order-ended", 1, MessageKind::DomainEvent, "order", data);
        envelope.time = Timestamp::parse(at).unwrap();
        envelope
    }

    fn ended_orders(models: &ReadModels) -> u64 {
        models.answer(SalesByState { state: None }).expect("sales by state answers").total.ended
    }

    #[test]
    fn a_rebuild_as_of_a_time_applies_what_was_published_by_then() {
        // Arrange: orders published two ended orders, a day apart.
        let ids = SequentialIds::new(7);
        let clock = std::sync::Arc::new(ManualClock::new(Timestamp::parse("2026-05-03T00:00:00Z").unwrap()));
        let orders = InMemoryEventStore::new("orders", clock);
        let outbox = vec![ended(&ids, TEXAS, "2026-05-01T00:00:00Z"), ended(&ids, OHIO, "2026-05-02T00:00:00Z")];
        orders.append(AppendRequest::default().with_outbox(outbox)).unwrap();
        let logs = || [("orders", &orders as &dyn EventStore)];

        // Act.
        let mut heard = Vec::new();
        let at = |time: &str| Rebuild::as_of(Some(Timestamp::parse(time).unwrap()));
        let before = rebuild_reporting(logs(), at("2026-04-30T00:00:00Z"), |_| {});
        let between = rebuild_reporting(logs(), at("2026-05-01T12:00:00Z"), |p| heard.push(p));
        let now = rebuild_reporting(logs(), Rebuild::everything(), |_| {});

        // Assert.
        let (before, between, now) = (before.unwrap(), between.unwrap(), now.unwrap());
        assert_eq!((before.messages, between.messages, now.messages), (0, 1, 2));
        assert_eq!(ended_orders(&before.models), 0);
        assert_eq!(ended_orders(&between.models), 1);
        assert_eq!(ended_orders(&now.models), 2);
        assert_eq!(heard, [Progress::Gathered(1), Progress::Applied(1)]);
        assert_eq!(now.refused, 0);
    }

    /// An order ended in `state`, numbered `n`, paid by one of three customers.
    fn numbered_end(n: u32, state: &str) -> String {
        format!(
            r#"{{"order_id":"{n:08x}-1f0e-4d9c-8b7a-695847362514","customer_id":"b1eece00-5678-4abc-9def-66554433221{}",
              "month":"2026-04","end_state":"delivered","captured":{{"amount_cents":{},"currency":"USD"}},
              "refunded":{{"amount_cents":0,"currency":"USD"}},"shipping_state":"{state}"}}"#,
            n % 3,
            1000 + n
        )
    }

    #[test]
    fn a_rebuild_in_parts_equals_the_rebuild_in_one_whatever_the_number_of_parts() {
        // Arrange: two producers' logs (orders twice, to have more stores than threads), with
        // orders to three states and a message reporting does not consume.
        let ids = SequentialIds::new(11);
        let clock = std::sync::Arc::new(ManualClock::new(Timestamp::parse("2026-05-03T00:00:00Z").unwrap()));
        let (first, second) =
            (InMemoryEventStore::new("orders", clock.clone()), InMemoryEventStore::new("other", clock));
        for n in 0..60u32 {
            let state = ["TX", "OH", "CA"][n as usize % 3];
            let at = Timestamp::parse("2026-05-01T00:00:00Z").unwrap().plus_micros(i64::from(n));
            let mut message = ended(&ids, &numbered_end(n, state), "2026-05-01T00:00:00Z");
            message.time = at;
            let store = if n % 2 == 0 { &first } else { &second };
            store.append(AppendRequest::default().with_outbox(vec![message])).unwrap();
        }
        let unrelated = incoming(&ids, "shipping", "shipment-delivered", 1, MessageKind::DomainEvent, "s", "{}");
        first.append(AppendRequest::default().with_outbox(vec![unrelated])).unwrap();
        let logs = || [("orders", &first as &dyn EventStore), ("other", &second as &dyn EventStore)];

        // Act.
        let rebuild = |parts| rebuild_reporting(logs(), Rebuild { as_of: None, parts }, |_| {}).unwrap();
        let (one, many) = (rebuild(1), rebuild(3));

        // Assert.
        assert_eq!((one.read, one.messages, one.refused), (61, 60, 0));
        assert_eq!((many.read, many.messages, many.refused), (61, 60, 0));
        assert_eq!(ended_orders(&one.models), 60);
        assert_eq!(one.models, many.models, "the same models, the same events");
    }
}
