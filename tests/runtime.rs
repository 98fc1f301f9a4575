//! End-to-end tests of the runtime with three small test contexts: every message kind, a
//! command between contexts, a claim-checked payload, exactly-once effects under duplicate
//! delivery and restarts, dead letters, panics, and access policies.

mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bookbox::runtime::storage::MemoryStorage;
use bookbox::runtime::{CommandError, RuntimeConfig, RuntimeHandle, WaitError};
use kernel::context::{Caller, QueryError};
use kernel::ids::Position;
use kernel::store::OutboxSeq;
use kernel::time::{ManualClock, Timestamp};
use support::contexts::{
    AccountError, AuditTrailOf, AuditingCommand, LedgerAccount, LedgerCommand, SnooperTrail, POISONED,
};

const SETTLE: Duration = Duration::from_secs(20);

fn memory() -> Arc<MemoryStorage> {
    Arc::new(MemoryStorage::new(Arc::new(ManualClock::new(Timestamp::parse("2026-11-01T00:00:00Z").unwrap()))))
}

fn trail(runtime: &RuntimeHandle, account: u64) -> Vec<String> {
    runtime.query_blocking(AuditTrailOf(account)).unwrap().entries
}

#[test]
fn every_message_kind_a_command_between_contexts_and_a_claim_check() {
    let runtime = support::start(memory(), support::fast_config(), 1);
    runtime.execute_blocking(LedgerCommand::Open { account: 1, owner: "ada".into() }).unwrap();
    let deposit = runtime.execute_blocking(LedgerCommand::Deposit { account: 1, amount: 500 }).unwrap();
    assert_eq!(deposit.reply, 500);
    assert!(deposit.position.is_some(), "a command's answer carries the position it wrote");
    runtime.execute_blocking(LedgerCommand::PublishReport { account: 1, size: 5_000 }).unwrap();
    runtime.settle(SETTLE).unwrap();
    // Crossing the limit makes auditing send `freeze-account` to ledger, which answers with
    // `account-frozen`.
    runtime.execute_blocking(LedgerCommand::Deposit { account: 1, amount: 600 }).unwrap();
    runtime.settle(SETTLE).unwrap();

    let audit = runtime.query_blocking(AuditTrailOf(1)).unwrap();
    assert_eq!(audit.entries[0], "opened by ada", "domain event");
    assert_eq!(audit.entries.iter().filter(|e| e.starts_with("statement ")).count(), 2, "notifications: {audit:?}");
    assert!(audit.entries.contains(&"report of 5000 bytes".to_owned()), "claim-checked payload: {audit:?}");
    assert!(audit.entries.contains(&"frozen: over the audit limit".to_owned()), "command answered: {audit:?}");
    assert_eq!(audit.replica_balance, Some(1_100), "state transfer replica");
    assert!(runtime.query_blocking(LedgerAccount(1)).unwrap().frozen);
    let refused = runtime.execute_blocking(LedgerCommand::Deposit { account: 1, amount: 1 });
    assert_eq!(refused, Err(CommandError::Rejected(AccountError::Frozen)));

    // The large payload went by claim check: the message carries a reference, not the data.
    let ledger_outbox = runtime.store("ledger").unwrap().read_outbox(OutboxSeq(0), usize::MAX).unwrap();
    let report =
        ledger_outbox.iter().find(|e| e.envelope.message_type == "bookbox.ledger.report-published.v1").unwrap();
    assert!(report.envelope.data.is_none());
    assert!(report.envelope.dataref.as_deref().unwrap().starts_with("/bookbox/ledger/blobs/"));

    // The command auditing sent is caused by the balance message it reacted to, in the same
    // correlation as the deposit that started it all.
    let auditing_outbox = runtime.store("auditing").unwrap().read_outbox(OutboxSeq(0), usize::MAX).unwrap();
    let freeze = &auditing_outbox
        .iter()
        .find(|e| e.envelope.message_type == "bookbox.ledger.freeze-account.v1")
        .unwrap()
        .envelope;
    assert_eq!(freeze.recipient.as_deref(), Some("ledger"));
    let cause = ledger_outbox.iter().find(|e| e.envelope.id.as_uuid() == freeze.causationid.as_uuid()).unwrap();
    assert_eq!(cause.envelope.message_type, "bookbox.ledger.account-balance.v1");
    assert_eq!(cause.envelope.correlationid, freeze.correlationid);
    let frozen = ledger_outbox.iter().find(|e| e.envelope.message_type == "bookbox.ledger.account-frozen.v1").unwrap();
    assert_eq!(frozen.envelope.correlationid, freeze.correlationid);
    assert_eq!(frozen.envelope.causationid.as_uuid(), freeze.id.as_uuid());
    runtime.shutdown();
}

#[test]
fn a_link_resolves_only_for_callers_an_access_policy_allows() {
    let runtime = support::start(memory(), support::fast_config(), 2);
    runtime.execute_blocking(LedgerCommand::Open { account: 3, owner: "bo".into() }).unwrap();
    runtime.execute_blocking(LedgerCommand::Deposit { account: 3, amount: 42 }).unwrap();
    runtime.settle(SETTLE).unwrap();
    let link = "/bookbox/ledger/statements/3";
    let refused = runtime.resolve(&Caller::Context("snooper".into()), link).unwrap_err();
    assert_eq!(refused, QueryError::Forbidden { caller: "context `snooper`".into(), resource: link.into() },);
    let allowed = runtime.resolve(&Caller::Context("auditing".into()), link).unwrap();
    assert_eq!(allowed.get(), r#"{"account":3,"balance":42}"#);
    // The snooper met the same refusal when it tried on its own.
    let snooped = runtime.query_blocking(SnooperTrail(3)).unwrap().entries;
    assert_eq!(snooped, [format!("forbidden: context `snooper` may not read `{link}` (no access policy allows it)")]);
    runtime.shutdown();
}

#[test]
fn a_replica_keeps_answering_while_its_producer_is_stopped() {
    let runtime = support::start(memory(), support::fast_config(), 3);
    runtime.execute_blocking(LedgerCommand::Open { account: 4, owner: "cy".into() }).unwrap();
    runtime.execute_blocking(LedgerCommand::Deposit { account: 4, amount: 70 }).unwrap();
    runtime.settle(SETTLE).unwrap();
    runtime.stop_context("ledger").unwrap();
    let stopped = runtime.execute_blocking(LedgerCommand::Deposit { account: 4, amount: 1 });
    assert_eq!(stopped, Err(CommandError::Unavailable("ledger")));
    assert_eq!(runtime.query_blocking(AuditTrailOf(4)).unwrap().replica_balance, Some(70));
    runtime.start_context("ledger").unwrap();
    runtime.execute_blocking(LedgerCommand::Deposit { account: 4, amount: 5 }).unwrap();
    runtime.settle(SETTLE).unwrap();
    assert_eq!(runtime.query_blocking(AuditTrailOf(4)).unwrap().replica_balance, Some(75));
    runtime.shutdown();
}

#[test]
fn messages_for_a_stopped_consumer_wait_for_it() {
    let runtime = support::start(memory(), support::fast_config(), 4);
    runtime.stop_context("auditing").unwrap();
    runtime.execute_blocking(LedgerCommand::Open { account: 5, owner: "di".into() }).unwrap();
    assert!(runtime.settle(Duration::from_millis(200)).is_err(), "nothing can be delivered to a stopped consumer");
    runtime.start_context("auditing").unwrap();
    runtime.settle(SETTLE).unwrap();
    assert_eq!(trail(&runtime, 5), ["opened by di"]);
    runtime.shutdown();
}

/// Opens accounts and deposits into them; returns what each account's trail must hold.
fn business(runtime: &RuntimeHandle, accounts: std::ops::Range<u64>) {
    let mut answers = Vec::new();
    for account in accounts.clone() {
        answers.push(runtime.execute_detached(LedgerCommand::Open { account, owner: format!("o{account}") }).unwrap());
        answers.push(runtime.execute_detached(LedgerCommand::Deposit { account, amount: 10 }).unwrap());
        answers.push(runtime.execute_detached(LedgerCommand::Deposit { account, amount: 20 }).unwrap());
    }
    for answer in answers {
        answer.blocking_recv().unwrap().unwrap();
    }
}

fn assert_effects_once(runtime: &RuntimeHandle, accounts: std::ops::Range<u64>) {
    for account in accounts {
        let audit = runtime.query_blocking(AuditTrailOf(account)).unwrap();
        let opened = audit.entries.iter().filter(|e| e.starts_with("opened by")).count();
        let statements = audit.entries.iter().filter(|e| e.starts_with("statement")).count();
        assert_eq!((opened, statements), (1, 2), "account {account}: {:?}", audit.entries);
        assert_eq!(audit.replica_balance, Some(30));
    }
}

#[test]
fn every_message_delivered_twice_has_its_effect_once() {
    let config = RuntimeConfig { deliveries_per_message: 2, ..support::fast_config() };
    let runtime = support::start(memory(), config, 5);
    business(&runtime, 100..140);
    runtime.settle(SETTLE).unwrap();
    assert_effects_once(&runtime, 100..140);
    runtime.shutdown();
}

#[test]
fn a_runtime_restarted_mid_stream_has_every_effect_once() {
    let storage = memory();
    let first = support::start(storage.clone(), support::fast_config(), 6);
    business(&first, 200..260);
    // Stop at once, with messages still undelivered or unacknowledged.
    first.shutdown();
    let second = support::start(storage, support::fast_config(), 7);
    second.settle(SETTLE).unwrap();
    assert_effects_once(&second, 200..260);
    second.shutdown();
}

#[test]
fn a_poison_message_is_dead_lettered_then_replayed_once_fixed() {
    let runtime = support::start(memory(), support::fast_config(), 8);
    POISONED.store(true, Ordering::SeqCst);
    runtime.execute_blocking(LedgerCommand::Open { account: 9, owner: "poison".into() }).unwrap();
    runtime.settle(SETTLE).unwrap();
    let letters = runtime.dead_letters("auditing").unwrap();
    assert_eq!(letters.len(), 1, "trail: {:?}", trail(&runtime, 9));
    assert_eq!(letters[0].attempts, 3);
    assert_eq!(letters[0].handler_id, "auditing.on-account-opened");
    assert!(letters[0].error.contains("cannot audit a poisoned account"), "{}", letters[0].error);
    assert!(!trail(&runtime, 9).iter().any(|e| e.starts_with("opened")));

    POISONED.store(false, Ordering::SeqCst);
    let letter = &letters[0];
    assert!(runtime.replay_dead_letter("auditing", letter.envelope.id, &letter.handler_id).unwrap());
    runtime.settle(SETTLE).unwrap();
    assert!(!runtime.replay_dead_letter("auditing", letter.envelope.id, &letter.handler_id).unwrap());
    assert_eq!(trail(&runtime, 9).iter().filter(|e| *e == "opened by poison").count(), 1);
    assert!(runtime.dead_letters("auditing").unwrap().is_empty());
    runtime.shutdown();
}

#[test]
fn a_panicking_handler_does_not_stop_the_system() {
    let runtime = support::start(memory(), support::fast_config(), 9);
    let panicked = runtime.execute_blocking(LedgerCommand::Panic);
    assert!(matches!(panicked, Err(CommandError::Panicked { context: "ledger", .. })), "{panicked:?}");
    runtime.execute_blocking(LedgerCommand::Open { account: 10, owner: "ed".into() }).unwrap();
    runtime.settle(SETTLE).unwrap();
    let panicked = runtime.execute_blocking(AuditingCommand::Panic);
    assert!(matches!(panicked, Err(CommandError::Panicked { context: "auditing", .. })), "{panicked:?}");
    runtime.execute_blocking(AuditingCommand::Note { account: 10, text: "still here".into() }).unwrap();
    runtime.settle(SETTLE).unwrap();
    assert_eq!(trail(&runtime, 10), ["opened by ed", "still here"]);
    runtime.shutdown();
}

#[test]
fn a_durable_deadline_fires_once_when_the_clock_passes_it() {
    let storage = memory();
    let clock = Arc::new(ManualClock::new(Timestamp::parse("2026-11-01T00:00:00Z").unwrap()));
    let runtime = support::start_with_clock(storage.clone(), support::fast_config(), 10, clock.clone());
    runtime.execute_blocking(LedgerCommand::Open { account: 11, owner: "fi".into() }).unwrap();
    let due = Timestamp::parse("2026-11-03T00:00:00Z").unwrap();
    runtime.execute_blocking(LedgerCommand::PayInterestAt { account: 11, at: due }).unwrap();
    assert_eq!(runtime.fire_deadlines(), 0, "not due yet");
    // The deadline survives a restart.
    runtime.shutdown();
    let runtime = support::start_with_clock(storage, support::fast_config(), 11, clock.clone());
    clock.set(due);
    assert_eq!(runtime.fire_deadlines(), 1);
    assert_eq!(runtime.fire_deadlines(), 0, "a deadline fires once");
    assert_eq!(runtime.query_blocking(LedgerAccount(11)).unwrap().balance, 1);
    runtime.settle(SETTLE).unwrap();
    assert_eq!(runtime.query_blocking(AuditTrailOf(11)).unwrap().replica_balance, Some(1));
    runtime.shutdown();
}

#[test]
fn a_reader_can_wait_until_its_write_has_reached_the_consumers() {
    let runtime = support::start(memory(), support::fast_config(), 12);
    runtime.execute_blocking(LedgerCommand::Open { account: 12, owner: "gu".into() }).unwrap();
    let deposit = runtime.execute_blocking(LedgerCommand::Deposit { account: 12, amount: 9 }).unwrap();
    let position = deposit.position.unwrap();
    // No settle: waiting for this one write is enough to read it downstream.
    runtime.wait_for_delivery("ledger", position, SETTLE).unwrap();
    assert_eq!(runtime.query_blocking(AuditTrailOf(12)).unwrap().replica_balance, Some(9));

    runtime.stop_context("auditing").unwrap();
    let deposit = runtime.execute_blocking(LedgerCommand::Deposit { account: 12, amount: 1 }).unwrap();
    let waited = runtime.wait_for_delivery("ledger", deposit.position.unwrap(), Duration::from_millis(200));
    let message = waited.unwrap_err().to_string();
    assert!(message.contains("not all processed"), "{message}");
    assert!(message.starts_with("the runtime did not settle within 200ms"), "{message}");
    runtime.start_context("auditing").unwrap();
    runtime.wait_for_delivery("ledger", deposit.position.unwrap(), SETTLE).unwrap();
    assert_eq!(runtime.query_blocking(AuditTrailOf(12)).unwrap().replica_balance, Some(10));
    runtime.shutdown();
}

#[test]
fn a_reader_can_wait_for_one_consumer_without_waiting_for_the_others() {
    let runtime = support::start(memory(), support::fast_config(), 13);
    runtime.execute_blocking(LedgerCommand::Open { account: 13, owner: "hu".into() }).unwrap();
    // Snooper (another consumer of ledger's deposits) is down: waiting for every consumer
    // times out, waiting for auditing does not.
    runtime.stop_context("snooper").unwrap();
    let deposit = runtime.execute_blocking(LedgerCommand::Deposit { account: 13, amount: 4 }).unwrap();
    let position = deposit.position.unwrap();
    runtime.wait_for_consumer("auditing", "ledger", position, SETTLE).unwrap();
    assert_eq!(runtime.query_blocking(AuditTrailOf(13)).unwrap().replica_balance, Some(4));
    let everyone = runtime.wait_for_delivery("ledger", position, Duration::from_millis(200));
    assert!(everyone.is_err(), "snooper is stopped: {everyone:?}");
    runtime.start_context("snooper").unwrap();

    // Auditing down: the wait ends after the timeout, saying how far auditing got.
    runtime.stop_context("auditing").unwrap();
    let deposit = runtime.execute_blocking(LedgerCommand::Deposit { account: 13, amount: 1 }).unwrap();
    let waited = runtime.wait_for_consumer("auditing", "ledger", deposit.position.unwrap(), Duration::from_millis(200));
    assert!(
        matches!(waited, Err(WaitError::NotProcessed { ref consumer, .. }) if consumer == "auditing"),
        "{waited:?}"
    );
    runtime.start_context("auditing").unwrap();
    runtime.wait_for_consumer("auditing", "ledger", deposit.position.unwrap(), SETTLE).unwrap();
    assert_eq!(runtime.query_blocking(AuditTrailOf(13)).unwrap().replica_balance, Some(5));

    // A position ledger has not written: the wait still ends, after the timeout.
    let started = std::time::Instant::now();
    let never = runtime.wait_for_consumer("auditing", "ledger", Position::new(u64::MAX), Duration::from_millis(100));
    assert!(matches!(never, Err(WaitError::NotCommitted { ref producer, .. }) if producer == "ledger"), "{never:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(never.unwrap_err().to_string().contains("has not committed position 18446744073709551615"));

    // Nothing to wait for between contexts that do not talk; no such context.
    let unrelated = runtime.wait_for_consumer("snooper", "auditing", Position::new(1), SETTLE);
    assert!(matches!(unrelated, Err(WaitError::NotAConsumer { .. })), "{unrelated:?}");
    let unknown = runtime.wait_for_consumer("auditing", "nobody", Position::new(1), SETTLE);
    assert_eq!(unknown, Err(WaitError::UnknownContext("nobody".into())));
    runtime.shutdown();
}
