//! The test contexts. `ledger` owns accounts and publishes one message of each kind;
//! `auditing` consumes them all (keeping a replica of balances, resolving statement links,
//! sending `freeze-account` back to ledger); `snooper` tries to resolve links it has no
//! right to.

use std::sync::atomic::{AtomicBool, Ordering};

use kernel::context::{
    authorize, AccessPolicy, Answers, BoundedContext, Caller, Command, ContextDescriptor, HandleError, Handles,
    MessageError, PublishedMessage, Query, QueryError, Relationship, Upstream,
};
use kernel::event::DomainEvent;
use kernel::ids::StreamId;
use kernel::inbox::{AsIs, Inbox};
use kernel::message::{Envelope, MessageKind};
use kernel::unit_of_work::{decode_raw, InfrastructureError, Repository, UnitOfWork};
use kernel::{Aggregate, Env};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// While set, auditing fails on accounts owned by "poison" (a message it cannot process).
pub static POISONED: AtomicBool = AtomicBool::new(false);

// ---------------------------------------------------------------- ledger

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub owner: Option<String>,
    pub balance: u64,
    pub frozen: bool,
}

#[derive(Debug, Clone)]
pub enum AccountCommand {
    Open { owner: String },
    Deposit { amount: u64 },
    Freeze { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountEvent {
    Opened { owner: String },
    Deposited { amount: u64 },
    Frozen { reason: String },
}

impl DomainEvent for AccountEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("account is already open")]
    AlreadyOpen,
    #[error("account is not open")]
    NotOpen,
    #[error("account is frozen")]
    Frozen,
    #[error("a deposit must be positive")]
    Zero,
}

impl Aggregate for Account {
    const CATEGORY: &'static str = "account";
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Error = AccountError;

    fn decide(&self, command: &AccountCommand, _: &Env<'_>) -> Result<Vec<AccountEvent>, AccountError> {
        match command {
            AccountCommand::Open { .. } if self.owner.is_some() => Err(AccountError::AlreadyOpen),
            AccountCommand::Open { owner } => Ok(vec![AccountEvent::Opened { owner: owner.clone() }]),
            _ if self.owner.is_none() => Err(AccountError::NotOpen),
            AccountCommand::Deposit { .. } if self.frozen => Err(AccountError::Frozen),
            AccountCommand::Deposit { amount: 0 } => Err(AccountError::Zero),
            AccountCommand::Deposit { amount } => Ok(vec![AccountEvent::Deposited { amount: *amount }]),
            AccountCommand::Freeze { .. } if self.frozen => Ok(vec![]),
            AccountCommand::Freeze { reason } => Ok(vec![AccountEvent::Frozen { reason: reason.clone() }]),
        }
    }

    fn evolve(&mut self, event: &AccountEvent) {
        match event {
            AccountEvent::Opened { owner } => self.owner = Some(owner.clone()),
            AccountEvent::Deposited { amount } => self.balance += amount,
            AccountEvent::Frozen { .. } => self.frozen = true,
        }
    }
}

pub struct Ledger;

#[derive(Debug)]
pub enum LedgerCommand {
    Open {
        account: u64,
        owner: String,
    },
    Deposit {
        account: u64,
        amount: u64,
    },
    /// Publishes a report of `size` bytes (to exercise the claim check).
    PublishReport {
        account: u64,
        size: usize,
    },
    /// Pays one unit of interest into the account at `at` (a durable deadline).
    PayInterestAt {
        account: u64,
        at: kernel::Timestamp,
    },
    Panic,
}

pub static ACCOUNT_OPENED: PublishedMessage = PublishedMessage {
    name: "account-opened",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: r#"{"type":"object","required":["account","owner"]}"#,
    examples: &[r#"{"account":1,"owner":"ada"}"#],
    personal_data: &["owner"],
};
pub static ACCOUNT_BALANCE: PublishedMessage = PublishedMessage {
    name: "account-balance",
    kind: MessageKind::StateTransfer,
    version: 1,
    schema: r#"{"type":"object","required":["account","balance","frozen"]}"#,
    examples: &[r#"{"account":1,"balance":10,"frozen":false}"#],
    personal_data: &[],
};
pub static STATEMENT_READY: PublishedMessage = PublishedMessage {
    name: "statement-ready",
    kind: MessageKind::Notification,
    version: 1,
    schema: r#"{"type":"object","required":["link"]}"#,
    examples: &[r#"{"link":"/bookbox/ledger/statements/1"}"#],
    personal_data: &[],
};
pub static REPORT_PUBLISHED: PublishedMessage = PublishedMessage {
    name: "report-published",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: r#"{"type":"object","required":["account","body"]}"#,
    examples: &[r#"{"account":1,"body":"..."}"#],
    personal_data: &[],
};
pub static FREEZE_ACCOUNT: PublishedMessage = PublishedMessage {
    name: "freeze-account",
    kind: MessageKind::Command,
    version: 1,
    schema: r#"{"type":"object","required":["account","reason"]}"#,
    examples: &[r#"{"account":1,"reason":"over the limit"}"#],
    personal_data: &[],
};
pub static ACCOUNT_FROZEN: PublishedMessage = PublishedMessage {
    name: "account-frozen",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: r#"{"type":"object","required":["account","reason"]}"#,
    examples: &[r#"{"account":1,"reason":"over the limit"}"#],
    personal_data: &[],
};

pub static LEDGER: ContextDescriptor = ContextDescriptor {
    name: "ledger",
    purpose: "Accounts and their balances (a test context).",
    publishes: &[
        &ACCOUNT_OPENED,
        &ACCOUNT_BALANCE,
        &STATEMENT_READY,
        &REPORT_PUBLISHED,
        &FREEZE_ACCOUNT,
        &ACCOUNT_FROZEN,
    ],
    consumes: <Ledger as Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[],
};

/// Only auditing may read statements.
const STATEMENT_POLICY: &[AccessPolicy] =
    &[AccessPolicy { prefix: "/bookbox/ledger/statements/", allowed: &["auditing"] }];

#[derive(Debug, Serialize, Deserialize)]
struct AccountBalance {
    account: u64,
    balance: u64,
    frozen: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct FreezeAccount {
    account: u64,
    reason: String,
}

fn publish_balance<R: Repository>(uow: &mut UnitOfWork<'_, R>, account: u64) -> Result<(), InfrastructureError> {
    let (state, _) = uow.load::<Account>(&account)?;
    let data = AccountBalance { account, balance: state.balance, frozen: state.frozen };
    uow.publish(&ACCOUNT_BALANCE, &account, &data)?;
    Ok(())
}

impl Command for LedgerCommand {
    type Context = Ledger;
    type Reply = u64;
}

/// Ledger's account `0`.
#[derive(Debug)]
pub struct LedgerAccount(pub u64);

impl Query for LedgerAccount {
    type Context = Ledger;
    type Answer = Account;
}

impl Answers<LedgerAccount> for Ledger {
    fn answer<R: Repository>(
        &self,
        LedgerAccount(account): LedgerAccount,
        repository: &mut R,
    ) -> Result<Account, QueryError> {
        Ok(repository.load::<Account>(&StreamId::for_aggregate(Account::CATEGORY, account))?.state)
    }
}

impl Handles<LedgerCommand> for Ledger {
    fn handle<R: Repository>(
        &self,
        command: LedgerCommand,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<u64, HandleError<AccountError>> {
        match command {
            LedgerCommand::Open { account, owner } => {
                uow.execute::<Account>(&account, &AccountCommand::Open { owner: owner.clone() })?;
                uow.publish(&ACCOUNT_OPENED, &account, &serde_json::json!({ "account": account, "owner": owner }))?;
                publish_balance(uow, account)?;
                Ok(account)
            }
            LedgerCommand::Deposit { account, amount } => {
                uow.execute::<Account>(&account, &AccountCommand::Deposit { amount })?;
                publish_balance(uow, account)?;
                let link = format!("/bookbox/ledger/statements/{account}");
                uow.publish(&STATEMENT_READY, &account, &serde_json::json!({ "link": link }))?;
                Ok(uow.load::<Account>(&account)?.0.balance)
            }
            LedgerCommand::PublishReport { account, size } => {
                let body = "x".repeat(size);
                uow.publish(&REPORT_PUBLISHED, &account, &serde_json::json!({ "account": account, "body": body }))?;
                Ok(size as u64)
            }
            LedgerCommand::PayInterestAt { account, at } => {
                uow.load::<Account>(&account)?.0.owner.ok_or(HandleError::Rejected(AccountError::NotOpen))?;
                uow.schedule(&format!("interest-{account}"), at, &account).map_err(|e| {
                    HandleError::Infrastructure(kernel::unit_of_work::InfrastructureError::Publish {
                        message: "interest".into(),
                        reason: e.to_string(),
                    })
                })?;
                Ok(account)
            }
            LedgerCommand::Panic => panic!("ledger was told to panic"),
        }
    }
}

impl BoundedContext for Ledger {
    const CONTEXT: &'static ContextDescriptor = &LEDGER;
    type Error = AccountError;

    fn on_deadline<R: Repository>(
        &self,
        _key: &str,
        payload: &serde_json::Value,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        let account: u64 = serde_json::from_value(payload.clone()).map_err(|e| MessageError::Decode(e.to_string()))?;
        uow.execute::<Account>(&account, &AccountCommand::Deposit { amount: 1 })
            .map_err(|e| MessageError::Failed(e.to_string()))?;
        publish_balance(uow, account)?;
        Ok(())
    }

    fn resolve<R: Repository>(
        &self,
        caller: &Caller,
        link: &str,
        repository: &mut R,
    ) -> Result<Box<RawValue>, QueryError> {
        authorize(STATEMENT_POLICY, caller, link)?;
        let account: u64 = link
            .strip_prefix("/bookbox/ledger/statements/")
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| QueryError::NotFound(link.to_owned()))?;
        let state = repository.load::<Account>(&StreamId::for_aggregate(Account::CATEGORY, account))?.state;
        let statement = serde_json::json!({ "account": account, "balance": state.balance });
        Ok(serde_json::value::to_raw_value(&statement).expect("JSON"))
    }
}

kernel::inbox! {
    Ledger {
        "ledger.on-freeze-account": Command "bookbox.ledger.freeze-account.v1" => AsIs<FreezeAccount> => freeze,
    }
}

fn freeze<R: Repository>(
    _: &Ledger,
    command: FreezeAccount,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    let events = uow
        .execute::<Account>(&command.account, &AccountCommand::Freeze { reason: command.reason.clone() })
        .map_err(|e| MessageError::Failed(e.to_string()))?;
    if !events.is_empty() {
        let data = serde_json::json!({ "account": command.account, "reason": command.reason });
        uow.publish(&ACCOUNT_FROZEN, &command.account, &data)?;
        publish_balance(uow, command.account)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- auditing

/// What auditing has seen of one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditTrail {
    pub entries: Vec<String>,
    pub replica_balance: Option<u64>,
    pub freeze_requested: bool,
}

#[derive(Debug, Clone)]
pub enum AuditCommand {
    Record(String),
    Replicate(u64),
    RequestFreeze,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditEvent {
    Recorded { entry: String },
    BalanceReplicated { balance: u64 },
    FreezeRequested,
}

impl DomainEvent for AuditEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    #[error("an entry cannot be empty")]
    Empty,
}

impl Aggregate for AuditTrail {
    const CATEGORY: &'static str = "audit";
    type Command = AuditCommand;
    type Event = AuditEvent;
    type Error = AuditError;

    fn decide(&self, command: &AuditCommand, _: &Env<'_>) -> Result<Vec<AuditEvent>, AuditError> {
        match command {
            AuditCommand::Record(entry) if entry.is_empty() => Err(AuditError::Empty),
            AuditCommand::Record(entry) => Ok(vec![AuditEvent::Recorded { entry: entry.clone() }]),
            AuditCommand::Replicate(balance) => Ok(vec![AuditEvent::BalanceReplicated { balance: *balance }]),
            AuditCommand::RequestFreeze if self.freeze_requested => Ok(vec![]),
            AuditCommand::RequestFreeze => Ok(vec![AuditEvent::FreezeRequested]),
        }
    }

    fn evolve(&mut self, event: &AuditEvent) {
        match event {
            AuditEvent::Recorded { entry } => self.entries.push(entry.clone()),
            AuditEvent::BalanceReplicated { balance } => self.replica_balance = Some(*balance),
            AuditEvent::FreezeRequested => self.freeze_requested = true,
        }
    }
}

pub struct Auditing;

/// Balances above this make auditing ask ledger to freeze the account.
pub const FREEZE_ABOVE: u64 = 1_000;

#[derive(Debug)]
pub enum AuditingCommand {
    Note { account: u64, text: String },
    Panic,
}

pub static AUDITING: ContextDescriptor = ContextDescriptor {
    name: "auditing",
    purpose: "Audits accounts from ledger's messages (a test context).",
    publishes: &[],
    consumes: <Auditing as Inbox>::SUBSCRIPTIONS,
    sends: &["bookbox.ledger.freeze-account.v1"],
    upstreams: &[Upstream { context: "ledger", relationship: Relationship::Conformist }],
};

#[derive(Debug, Deserialize)]
struct Opened {
    account: u64,
    owner: String,
}

#[derive(Debug, Deserialize)]
struct Notified {
    link: String,
}

#[derive(Debug, Deserialize)]
struct Report {
    account: u64,
    body: String,
}

#[derive(Debug, Deserialize)]
struct Statement {
    balance: u64,
}

fn record<R: Repository>(uow: &mut UnitOfWork<'_, R>, account: u64, entry: String) -> Result<(), MessageError> {
    uow.execute::<AuditTrail>(&account, &AuditCommand::Record(entry))
        .map_err(|e| MessageError::Failed(e.to_string()))?;
    Ok(())
}

impl Command for AuditingCommand {
    type Context = Auditing;
    type Reply = ();
}

/// Auditing's trail of account `0`.
#[derive(Debug)]
pub struct AuditTrailOf(pub u64);

impl Query for AuditTrailOf {
    type Context = Auditing;
    type Answer = AuditTrail;
}

impl Answers<AuditTrailOf> for Auditing {
    fn answer<R: Repository>(
        &self,
        AuditTrailOf(account): AuditTrailOf,
        repository: &mut R,
    ) -> Result<AuditTrail, QueryError> {
        trail(repository, account)
    }
}

fn trail<R: Repository>(repository: &mut R, account: u64) -> Result<AuditTrail, QueryError> {
    Ok(repository.load::<AuditTrail>(&StreamId::for_aggregate(AuditTrail::CATEGORY, account))?.state)
}

impl Handles<AuditingCommand> for Auditing {
    fn handle<R: Repository>(
        &self,
        command: AuditingCommand,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), HandleError<AuditError>> {
        match command {
            AuditingCommand::Note { account, text } => {
                uow.execute::<AuditTrail>(&account, &AuditCommand::Record(text))?;
                Ok(())
            }
            AuditingCommand::Panic => panic!("auditing was told to panic"),
        }
    }
}

impl BoundedContext for Auditing {
    const CONTEXT: &'static ContextDescriptor = &AUDITING;
    type Error = AuditError;
}

kernel::inbox! {
    Auditing {
        "auditing.on-account-opened": DomainEvent "bookbox.ledger.account-opened.v1" => AsIs<Opened> => opened,
        "auditing.on-account-balance": StateTransfer "bookbox.ledger.account-balance.v1"
            => AsIs<AccountBalance> => balance,
        "auditing.on-statement-ready": Notification "bookbox.ledger.statement-ready.v1"
            => AsIs<Notified> => statement_ready,
        "auditing.on-report-published": DomainEvent "bookbox.ledger.report-published.v1"
            => AsIs<Report> => report_published,
        "auditing.on-account-frozen": DomainEvent "bookbox.ledger.account-frozen.v1"
            => AsIs<FreezeAccount> => frozen,
    }
}

fn opened<R: Repository>(
    _: &Auditing,
    opened: Opened,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    if opened.owner == "poison" && POISONED.load(Ordering::SeqCst) {
        return Err(MessageError::Failed("cannot audit a poisoned account".into()));
    }
    record(uow, opened.account, format!("opened by {}", opened.owner))
}

fn balance<R: Repository>(
    _: &Auditing,
    balance: AccountBalance,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    uow.execute::<AuditTrail>(&balance.account, &AuditCommand::Replicate(balance.balance))
        .map_err(|e| MessageError::Failed(e.to_string()))?;
    if balance.balance > FREEZE_ABOVE && !balance.frozen {
        let events = uow
            .execute::<AuditTrail>(&balance.account, &AuditCommand::RequestFreeze)
            .map_err(|e| MessageError::Failed(e.to_string()))?;
        if !events.is_empty() {
            let command = FreezeAccount { account: balance.account, reason: "over the audit limit".into() };
            uow.send("ledger", "freeze-account", 1, &balance.account, &command)?;
        }
    }
    Ok(())
}

fn statement_ready<R: Repository>(
    _: &Auditing,
    notified: Notified,
    message: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    let account: u64 = message.subject.as_deref().and_then(|s| s.parse().ok()).unwrap_or_default();
    let statement = uow.resolve(&notified.link).map_err(|e| MessageError::Failed(e.to_string()))?;
    let statement: Statement = decode_raw(&statement).map_err(MessageError::Decode)?;
    record(uow, account, format!("statement {}", statement.balance))
}

fn report_published<R: Repository>(
    _: &Auditing,
    report: Report,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    record(uow, report.account, format!("report of {} bytes", report.body.len()))
}

fn frozen<R: Repository>(
    _: &Auditing,
    frozen: FreezeAccount,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    record(uow, frozen.account, format!("frozen: {}", frozen.reason))
}

// ---------------------------------------------------------------- snooper

/// Tries to read ledger's statements, which no policy lets it do.
pub struct Snooper;

pub static SNOOPER: ContextDescriptor = ContextDescriptor {
    name: "snooper",
    purpose: "Tries to read what it may not (a test context).",
    publishes: &[],
    consumes: <Snooper as Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[Upstream { context: "ledger", relationship: Relationship::Conformist }],
};

/// What snooper recorded of account `0`.
#[derive(Debug)]
pub struct SnooperTrail(pub u64);

impl Query for SnooperTrail {
    type Context = Snooper;
    type Answer = AuditTrail;
}

impl Answers<SnooperTrail> for Snooper {
    fn answer<R: Repository>(
        &self,
        SnooperTrail(account): SnooperTrail,
        repository: &mut R,
    ) -> Result<AuditTrail, QueryError> {
        trail(repository, account)
    }
}

impl BoundedContext for Snooper {
    const CONTEXT: &'static ContextDescriptor = &SNOOPER;
    type Error = AuditError;
}

kernel::inbox! {
    Snooper {
        "snooper.on-statement-ready": Notification "bookbox.ledger.statement-ready.v1"
            => AsIs<Notified> => snoop,
    }
}

fn snoop<R: Repository>(
    _: &Snooper,
    notified: Notified,
    message: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    let account: u64 = message.subject.as_deref().and_then(|s| s.parse().ok()).unwrap_or_default();
    // A refusal is an outcome, not a failure: record it.
    let entry = match uow.resolve(&notified.link) {
        Ok(_) => "read a statement".to_owned(),
        Err(e) => e.to_string(),
    };
    record(uow, account, entry)
}
