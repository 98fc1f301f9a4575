//! Crash test of the whole runtime: a child process runs a producer (ledger) and consumers
//! (auditing, snooper) under load on sled storage and is killed with SIGKILL at random
//! moments. After each kill the parent restarts the runtime on the same data and checks
//! that every acknowledged command's events exist, that every published message is
//! eventually processed by each consumer exactly once, and that none is lost.
//!
//! The child is this test binary run again with `BOOKBOX_RUNTIME_CRASH_CHILD` set.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bookbox::adapters::{RandomIds, SystemClock};
use bookbox::runtime::storage::SledStorage;
use bookbox::runtime::{Runtime, RuntimeHandle};
use bookbox::store::StoreConfig;
use kernel::store::StreamBound;
use kernel::{Position, StreamId, Version};
use support::contexts::{AuditTrailOf, Auditing, Ledger, LedgerAccount, LedgerCommand, Snooper, SnooperTrail};

const CHILD_DIR: &str = "BOOKBOX_RUNTIME_CRASH_CHILD";
const CHILD_ROUND: &str = "BOOKBOX_RUNTIME_CRASH_ROUND";
const ROUNDS: u64 = 20;
/// Commands a round's child has in flight at once.
const WINDOW: usize = 32;

fn start(dir: &Path) -> RuntimeHandle {
    let clock = Arc::new(SystemClock);
    let storage = Arc::new(SledStorage::new(dir, clock.clone(), StoreConfig::default()));
    Runtime::new(storage, clock, Arc::new(RandomIds), support::fast_config())
        .host(Ledger)
        .host(Auditing)
        .host(Snooper)
        .start()
        .expect("the runtime starts")
}

/// The n-th command of a round: every tenth opens an account, the rest deposit 1 into it.
fn command(round: u64, n: u64) -> (u64, LedgerCommand) {
    let account = round * 100_000 + n / 10;
    if n.is_multiple_of(10) {
        (account, LedgerCommand::Open { account, owner: format!("owner-{account}") })
    } else {
        (account, LedgerCommand::Deposit { account, amount: 1 })
    }
}

/// The child: sends commands until killed, printing one line per acknowledged command.
#[test]
fn runtime_crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else { return };
    let round: u64 = std::env::var(CHILD_ROUND).ok().and_then(|r| r.parse().ok()).unwrap_or(0);
    let runtime = start(Path::new(&dir));
    let mut in_flight = std::collections::VecDeque::new();
    for n in 0.. {
        let (account, cmd) = command(round, n);
        let kind = if matches!(cmd, LedgerCommand::Open { .. }) { "open" } else { "deposit" };
        in_flight.push_back((account, kind, runtime.execute_detached(cmd).expect("ledger is hosted")));
        if in_flight.len() < WINDOW {
            continue;
        }
        let (account, kind, answer) = in_flight.pop_front().expect("window is full");
        // A deposit may race its account's opening in the window; only acknowledged
        // commands are reported, and only they are checked.
        if let Ok(Ok(_)) = answer.blocking_recv() {
            let mut out = std::io::stdout().lock();
            if writeln!(out, "ack {kind} {account}").and_then(|()| out.flush()).is_err() {
                return;
            }
        }
    }
}

#[derive(Default, Debug)]
struct Acked {
    opened: bool,
    deposits: u64,
}

fn verify(runtime: &RuntimeHandle, acked: &BTreeMap<u64, Acked>, round: u64) {
    runtime.settle(Duration::from_secs(60)).unwrap_or_else(|e| panic!("round {round}: {e}"));
    let ledger = runtime.store("ledger").unwrap();
    // Count what ledger committed (acknowledged or not: a kill may land after the commit
    // and before the answer).
    let mut deposited: BTreeMap<u64, u64> = BTreeMap::new();
    let mut after = Position::START;
    loop {
        let page = ledger.read_all(after, 4096).unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        for event in &page {
            if event.event_type == "deposited" {
                let account: u64 = event.stream.as_str().trim_start_matches("account-").parse().unwrap();
                *deposited.entry(account).or_default() += 1;
            }
        }
    }
    for (account, acked) in acked {
        let stream = StreamId::parse(format!("account-{account}")).unwrap();
        let events = ledger.read_stream(&stream, Version::INITIAL, StreamBound::End).unwrap();
        assert!(!acked.opened || !events.is_empty(), "round {round}: acknowledged opening of {account} lost");
        let committed = deposited.get(account).copied().unwrap_or(0);
        assert!(committed >= acked.deposits, "round {round}: account {account} lost acknowledged deposits");
    }
    // Every message was processed by each consumer exactly once: one statement entry per
    // deposit ledger committed, one opening, and a replica equal to the balance.
    for (account, deposits) in &deposited {
        let balance = runtime.query_blocking(LedgerAccount(*account)).unwrap().balance;
        assert_eq!(balance, *deposits, "account {account}");
        let audit = runtime.query_blocking(AuditTrailOf(*account)).unwrap();
        let opened = audit.entries.iter().filter(|e| e.starts_with("opened by")).count();
        let statements = audit.entries.iter().filter(|e| e.starts_with("statement")).count() as u64;
        assert_eq!((opened, statements), (1, *deposits), "round {round}: account {account}: {:?}", audit.entries);
        assert_eq!(audit.replica_balance, Some(balance), "round {round}: account {account}");
        let snooped = runtime.query_blocking(SnooperTrail(*account)).unwrap().entries.len() as u64;
        assert_eq!(snooped, *deposits, "round {round}: snooper on account {account}");
    }
}

#[test]
fn every_acknowledged_command_and_every_message_survive_sigkill() {
    if std::env::var_os(CHILD_DIR).is_some() {
        return;
    }
    let mut seed = SystemTime::now().duration_since(UNIX_EPOCH).map_or(7, |d| d.as_nanos() as u64) | 1;
    eprintln!("runtime crash test seed: {seed}");
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut acked: BTreeMap<u64, Acked> = BTreeMap::new();
    let mut rounds_with_acks = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args(["runtime_crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_ROUND, round.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the child starts");
        let stdout = child.stdout.take().unwrap();
        let reader =
            std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>());
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(150 + seed % 450));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let lines = reader.join().unwrap();
        if !lines.is_empty() {
            rounds_with_acks += 1;
        }
        for line in lines {
            let parts: Vec<&str> = line.split_whitespace().collect();
            let ["ack", kind, account] = parts.as_slice() else { continue };
            let entry = acked.entry(account.parse().unwrap()).or_default();
            match *kind {
                "open" => entry.opened = true,
                _ => entry.deposits += 1,
            }
        }
        let runtime = start(dir.path());
        verify(&runtime, &acked, round);
        runtime.shutdown();
    }
    eprintln!("{ROUNDS} kills; {rounds_with_acks} rounds acknowledged commands; {} accounts verified", acked.len());
    assert!(rounds_with_acks >= ROUNDS / 2, "most kills land while the child is working");
}
