//! Benchmark of a projection rebuild (issue 8, goal 4): reporting's read models rebuilt from
//! the other contexts' published logs, beside a raw sled scan + JSON decode of the same records.
//!
//! - The logs come from a real run: `bookbox simulate` writes every context's store to a
//!   temporary directory first (1,000 subscribers × 6 months by default; `--subscribers N`,
//!   `--months M` or `BOOKBOX_BENCH_SUBSCRIBERS` / `BOOKBOX_BENCH_MONTHS` change it).
//! - The baseline holds the same records, every published message of every producer, one sled
//!   value each (the envelope's JSON), and scans them, decoding each into an `Envelope`.
//! - The rebuild reads the same producers' outboxes through the `EventStore` port, reads each
//!   message reporting consumes as its fact, and applies it: once in one part (one thread), and
//!   once split into a part per core ([`reporting::ports::ReadMessage::part`]).
//!
//! Rates count every published message read, in both. Each figure is the best of 3 rounds,
//! taken in turns (rebuilds are CPU-bound; other load only slows them). An unoptimized build
//! (`cargo test --all-targets`) runs a tiny smoke pass.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bookbox::rebuild::{rebuild_reporting, Rebuild};
use bookbox::store::{SledEventStore, StoreConfig};
use kernel::message::Envelope;
use kernel::store::{EventStore, OutboxSeq};
use kernel::time::{ManualClock, Timestamp};

fn setting(flag: &str, env: &str) -> Option<u64> {
    let from_args = std::env::args().skip_while(|a| a != flag).nth(1);
    from_args.or_else(|| std::env::var(env).ok()).and_then(|s| s.parse().ok())
}

/// Runs the business to fill the logs.
fn simulate(dir: &Path, subscribers: u64, months: u64) {
    let status = Command::new(env!("CARGO_BIN_EXE_bookbox"))
        .args(["simulate", "--quiet", "--seed", "7", "--subscribers", &subscribers.to_string()])
        .args(["--months", &months.to_string(), "--data-dir"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("bookbox runs");
    assert!(status.success(), "the simulation failed: {status}");
}

fn open_producers(dir: &Path) -> Vec<(String, SledEventStore)> {
    let clock = Arc::new(ManualClock::new(Timestamp::from_micros(0)));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the data directory")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name != reporting::CONTEXT.name)
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let store = SledEventStore::open(dir.join(&name), &name, clock.clone(), StoreConfig::default())
                .expect("the store opens");
            (name, store)
        })
        .collect()
}

/// Copies every published message into one raw sled tree, one value (its JSON) per message.
fn raw_copy(producers: &[(String, SledEventStore)], dir: &Path) -> (sled::Db, sled::Tree) {
    let db = sled::Config::new()
        .path(dir)
        .mode(sled::Mode::LowSpace)
        .cache_capacity(StoreConfig::default().cache_capacity)
        .open()
        .expect("sled opens");
    let tree = db.open_tree("raw").expect("a tree");
    let mut key = 0u64;
    for (_, store) in producers {
        for entry in store.read_outbox(OutboxSeq(0), usize::MAX).expect("the outbox reads") {
            key += 1;
            let json = serde_json::to_vec(&entry.envelope).expect("serializes");
            tree.insert(key.to_be_bytes(), json).expect("insert");
        }
    }
    db.flush().expect("flush");
    (db, tree)
}

struct Rate {
    messages: u64,
    elapsed: Duration,
}

impl Rate {
    fn per_sec(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64()
    }
}

fn raw_scan(tree: &sled::Tree) -> Rate {
    let start = Instant::now();
    let mut messages = 0;
    for entry in tree.iter() {
        let (_, value) = entry.expect("scan");
        let envelope: Envelope = serde_json::from_slice(&value).expect("decodes");
        std::hint::black_box(&envelope);
        messages += 1;
    }
    Rate { messages, elapsed: start.elapsed() }
}

fn rebuild(producers: &[(String, SledEventStore)], parts: usize) -> (Rate, u64) {
    let logs = producers.iter().map(|(name, store)| (name.as_str(), store as &dyn EventStore));
    let start = Instant::now();
    let rebuilt = rebuild_reporting(logs, Rebuild { as_of: None, parts }, |_| {}).expect("the rebuild runs");
    let elapsed = start.elapsed();
    std::hint::black_box(&rebuilt.models);
    (Rate { messages: rebuilt.read, elapsed }, rebuilt.messages)
}

fn best(rates: Vec<Rate>) -> Rate {
    rates.into_iter().max_by(|a, b| a.per_sec().total_cmp(&b.per_sec())).expect("at least one round")
}

fn main() {
    let smoke = cfg!(debug_assertions);
    let subscribers = setting("--subscribers", "BOOKBOX_BENCH_SUBSCRIBERS").unwrap_or(if smoke { 10 } else { 1_000 });
    let months = setting("--months", "BOOKBOX_BENCH_MONTHS").unwrap_or(if smoke { 1 } else { 6 });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data = dir.path().join("data");
    let started = Instant::now();
    simulate(&data, subscribers, months);
    println!("simulated {subscribers} subscribers x {months} months in {:.1} s", started.elapsed().as_secs_f64());
    let producers = open_producers(&data);
    let (_db, tree) = raw_copy(&producers, &dir.path().join("raw"));

    let (mut raw, mut one, mut all) = (Vec::new(), Vec::new(), Vec::new());
    let mut applied = 0;
    for _ in 0..3 {
        raw.push(raw_scan(&tree));
        let (rate, n) = rebuild(&producers, 1);
        one.push(rate);
        all.push(rebuild(&producers, cores).0);
        applied = n;
    }
    let (raw, one, all) = (best(raw), best(one), best(all));
    assert_eq!(raw.messages, one.messages, "both read every published message");
    println!("{} published messages, of which reporting consumes {applied}", raw.messages);
    println!("raw sled scan + serde_json decode of the same records: {:.0} messages/s", raw.per_sec());
    println!("rebuild in one part:   {:.0} messages/s, ratio {:.2}", one.per_sec(), one.per_sec() / raw.per_sec());
    println!(
        "rebuild in {cores} parts ({cores} cores): {:.0} messages/s, ratio {:.2} (goal >= 0.5)",
        all.per_sec(),
        all.per_sec() / raw.per_sec()
    );
}
