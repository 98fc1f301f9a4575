//! Rule 10: events say what happened (past tense), commands say what to do (imperative).
//!
//! Checked: the variants of every domain-event enum (`impl DomainEvent for E`, and the
//! `type Event` of every `impl Aggregate`); the variants of every command enum (the
//! `type Command` of every `impl Aggregate` and `impl BoundedContext`); the names of
//! published messages: notifications and domain events past tense, commands imperative
//! (state transfer names an entity, `customer-profile`, and is not checked). A variant
//! that only wraps another enum of the crate (`Customer(CustomerEvent)`) is checked through
//! that enum.
//!
//! A word is past tense when it ends in -ed (but not -eed: need, seed, proceed...) or is an
//! irregular past participle (paid, sent, lost...), or names a state reached (due,
//! overdue). A name is past tense when one of its words is. A command is not imperative
//! when it starts with a past-tense word, or has one anywhere without starting with a
//! common verb (`ConfirmTransferDelivered` and `MarkDamaged` are fine, `StockReserved` is
//! not).
//!
//! What it cannot see: enums implemented by a macro, event or command types reached only
//! through a type alias, and whether an `-ed` word is really a verb (the heuristic is
//! English spelling, not grammar). Names live only in the source and the descriptors: the
//! crate graph has nothing to add here.

use std::collections::{BTreeMap, BTreeSet};

use kernel::MessageKind;

use crate::code::{TypeDef, TypeKind};
use crate::model::{Role, UnitKind, Workspace};
use crate::violation::{Rule, Violation};

#[rustfmt::skip]
const IRREGULAR: &[&str] = &[
    "begun", "bent", "bid", "bitten", "bought", "bound", "broken", "brought", "built", "burnt", "caught", "chosen",
    "come", "cut", "dealt", "done", "drawn", "driven", "dug", "eaten", "fallen", "fed", "felt", "fought", "found",
    "frozen", "given", "gone", "got", "gotten", "grown", "held", "hidden", "hit", "hung", "hurt", "kept", "known",
    "laid", "led", "left", "lent", "let", "lit", "lost", "made", "meant", "met", "overdue", "due", "paid", "put",
    "quit", "read", "rebuilt", "redone", "reset", "rewritten", "ridden", "risen", "run", "said", "seen", "sent",
    "set", "shaken", "shed", "shot", "shown", "shrunk", "shut", "sold", "split", "spent", "spread", "stolen",
    "stood", "struck", "stuck", "sung", "sunk", "swept", "taken", "taught", "thrown", "told", "torn", "understood",
    "undone", "upheld", "upset", "withdrawn", "won", "worn", "wound", "written", "overpaid", "underpaid", "prepaid",
    "repaid", "resold", "mislaid", "outgrown", "overdrawn", "overtaken", "forgotten", "forgiven", "begotten",
];

#[rustfmt::skip]
const NOT_PAST: &[&str] = &[
    "need", "feed", "seed", "speed", "bleed", "breed", "proceed", "succeed", "exceed", "embed", "bed", "red", "wed",
    "shred", "hundred", "sacred", "kindred", "steed", "weed", "greed", "deed",
];

/// Verbs a command starts with (`ConfirmTransferDelivered`, `MarkDamaged`): a command that
/// starts with one may carry a participle later. Words that are mostly nouns in Bookbox's
/// language (order, stock, book, box, transfer, charge...) are deliberately absent, so
/// `StockReserved` is not taken for an imperative.
#[rustfmt::skip]
const VERBS: &[&str] = &[
    "accept", "activate", "add", "adjust", "allocate", "apply", "approve", "archive", "assign", "attach",
    "authorize", "begin", "block", "calculate", "cancel", "capture", "change", "check", "choose", "clear", "close",
    "collect", "combine", "complete", "confirm", "correct", "create", "curate", "deactivate", "decline", "decrease",
    "defer", "delete", "deliver", "deny", "detach", "disable", "discard", "dispatch", "dispute", "enable", "end",
    "enroll", "erase", "escalate", "expire", "export", "extend", "finalize", "finish", "flag", "forget", "freeze",
    "fulfil", "fulfill", "generate", "get", "give", "grant", "hold", "import", "increase", "initiate", "insure",
    "invite", "issue", "join", "keep", "launch", "leave", "link", "load", "lock", "log", "make", "mark", "merge",
    "move", "note", "notify", "nudge", "offer", "open", "override", "pack", "pause", "pay", "pick", "place", "post",
    "prepare", "process", "promote", "propose", "publish", "purchase", "put", "queue", "rate", "reactivate",
    "rebuild", "receive", "recalculate", "reconcile", "record", "redeem", "refund", "register", "reject", "release",
    "reload", "remind", "remove", "rename", "renew", "reopen", "replace", "replay", "report", "request", "require",
    "reschedule", "reserve", "reset", "resolve", "restart", "restock", "restore", "resume", "retry", "return",
    "revoke", "run", "save", "schedule", "score", "select", "send", "set", "settle", "ship", "show", "sign", "skip",
    "split", "start", "stop", "submit", "subscribe", "suspend", "swap", "switch", "sync", "take", "tag",
    "terminate", "track", "unlock", "unsubscribe", "update", "upgrade", "validate", "verify", "void", "waive",
    "withdraw", "write",
];

pub fn is_past_word(word: &str) -> bool {
    let w = word.to_ascii_lowercase();
    if NOT_PAST.contains(&w.as_str()) {
        return false;
    }
    IRREGULAR.contains(&w.as_str()) || (w.len() > 3 && w.ends_with("ed") && !w.ends_with("eed"))
}

/// `CustomerRegistered` -> customer, registered; `box-due` -> box, due.
pub fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == '_' || c == ' ' {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

pub fn is_past_tense(name: &str) -> bool {
    words(name).iter().any(|w| is_past_word(w))
}

/// Irregular verbs whose base form is their past participle: imperative when they come first.
#[rustfmt::skip]
const SAME_IN_BOTH: &[&str] = &[
    "bid", "cut", "hit", "hurt", "let", "put", "quit", "read", "reset", "set", "shed", "shut", "split", "spread",
    "upset", "run", "come",
];

pub fn is_imperative(name: &str) -> bool {
    let w = words(name);
    match (w.first(), w.last()) {
        (Some(first), _) if SAME_IN_BOTH.contains(&first.as_str()) => true,
        (Some(first), _) if is_past_word(first) => false,
        (Some(first), _) if w.iter().any(|w| is_past_word(w)) => VERBS.contains(&first.as_str()),
        _ => true,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Event,
    Command,
}

pub fn names_say_what_happened(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::NamesSayWhatHappened;
    let code = &ws.code;
    let mut out = Vec::new();
    // package -> (type name -> kind, declared at)
    let mut wanted: BTreeMap<String, BTreeMap<String, Kind>> = BTreeMap::new();
    for i in &code.impls {
        if i.test || code.unit_of(i.module).kind != UnitKind::Lib {
            continue;
        }
        let package = code.package_of(i.module);
        if !ws.package(package).is_some_and(|p| matches!(p.role, Role::Context(_))) {
            continue;
        }
        let entry = wanted.entry(package.to_owned()).or_default();
        match i.trait_name() {
            Some("DomainEvent") => {
                entry.insert(i.self_name.clone(), Kind::Event);
            }
            Some("Aggregate" | "BoundedContext") => {
                for a in &i.assoc {
                    match a.name.as_str() {
                        "Event" => {
                            entry.insert(a.type_name.clone(), Kind::Event);
                        }
                        "Command" => {
                            entry.insert(a.type_name.clone(), Kind::Command);
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    for (package, types) in &wanted {
        let defs: Vec<&TypeDef> = code
            .types
            .iter()
            .filter(|t| !t.test && t.kind != TypeKind::Trait && code.package_of(t.module) == package)
            .collect();
        let mut checked = BTreeSet::new();
        for (name, kind) in types {
            check_type(name, *kind, &defs, &mut checked, &mut out);
        }
    }
    for c in &ws.messages {
        for p in &c.publishes {
            let kind = match p.kind {
                MessageKind::Notification | MessageKind::DomainEvent => Kind::Event,
                MessageKind::Command => Kind::Command,
                MessageKind::StateTransfer => continue,
            };
            let ok = match kind {
                Kind::Event => is_past_tense(&p.name),
                Kind::Command => is_imperative(&p.name),
            };
            if ok {
                continue;
            }
            let (file, line) = crate::rules::locate_string(ws, &c.name, &p.name);
            let (found, why, fix) = describe(kind, &format!("the published {} `{}` of `{}`", p.kind, p.name, c.name));
            out.push(Violation::at(rule, file, line).found(found).why(why).fix(fix));
        }
    }
    out
}

fn describe(kind: Kind, what: &str) -> (String, &'static str, &'static str) {
    match kind {
        Kind::Event => (
            format!("{what} is not in the past tense"),
            "an event is a fact that already happened and cannot be refused; a present-tense or imperative name reads \
             as a request and invites consumers to treat it as one",
            "name what happened, in the past tense: `CustomerRegistered`, `StockReserved`, `box-curated` (not \
             `RegisterCustomer`, `ReserveStock`)",
        ),
        Kind::Command => (
            format!("{what} is not in the imperative"),
            "a command asks for something that may still be refused; a past-tense name reads as a fact and hides that \
             it can fail",
            "name what to do, in the imperative: `RegisterCustomer`, `reserve-stock` (not `CustomerRegistered`)",
        ),
    }
}

fn check_type(name: &str, kind: Kind, defs: &[&TypeDef], checked: &mut BTreeSet<String>, out: &mut Vec<Violation>) {
    if !checked.insert(name.to_owned()) {
        return;
    }
    let rule = Rule::NamesSayWhatHappened;
    let label = match kind {
        Kind::Event => "event",
        Kind::Command => "command",
    };
    for t in defs.iter().filter(|t| t.name == name) {
        match t.kind {
            TypeKind::Enum => {
                for v in &t.variants {
                    // A wrapper of another enum of the crate is checked through that enum.
                    if let [only] = v.fields.as_slice() {
                        let wrapped = only.type_names.last().map(String::as_str).unwrap_or_default();
                        if only.name == "0" && defs.iter().any(|d| d.name == wrapped && d.kind == TypeKind::Enum) {
                            check_type(wrapped, kind, defs, checked, out);
                            continue;
                        }
                    }
                    let ok = match kind {
                        Kind::Event => is_past_tense(&v.name),
                        Kind::Command => is_imperative(&v.name),
                    };
                    if !ok {
                        let (found, why, fix) = describe(kind, &format!("the {label} `{}::{}`", t.name, v.name));
                        out.push(Violation::at(rule, t.file.clone(), v.line).found(found).why(why).fix(fix));
                    }
                }
            }
            TypeKind::Struct => {
                let stem = t.name.trim_end_matches("Event").trim_end_matches("Command");
                let ok = match kind {
                    Kind::Event => is_past_tense(stem),
                    Kind::Command => is_imperative(stem),
                };
                if !ok {
                    let (found, why, fix) = describe(kind, &format!("the {label} `{}`", t.name));
                    out.push(Violation::at(rule, t.file.clone(), t.line).found(found).why(why).fix(fix));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_split_pascal_and_kebab_case() {
        assert_eq!(words("CustomerRegistered"), ["customer", "registered"]);
        assert_eq!(words("ISBNValidated"), ["isbn", "validated"]);
        assert_eq!(words("box-curation-failed"), ["box", "curation", "failed"]);
    }

    #[test]
    fn past_tense_is_recognised() {
        for name in [
            "CustomerRegistered",
            "StockReserved",
            "PaymentPaid",
            "box-due",
            "ShipmentLost",
            "Sent",
            "box-curation-failed",
        ] {
            assert!(is_past_tense(name), "{name}");
        }
        for name in ["RegisterCustomer", "ReserveStock", "SeedCatalog", "Proceed", "Customer", "reserve-stock"] {
            assert!(!is_past_tense(name), "{name}");
        }
    }

    #[test]
    fn imperatives_are_recognised() {
        for name in
            ["RegisterCustomer", "Pause", "MarkDamaged", "reserve-stock", "ShipReserved", "SeedCatalog", "Reset"]
        {
            assert!(is_imperative(name), "{name}");
        }
        for name in
            ["CustomerRegistered", "Registered", "stock-reserved", "EmailChanged", "StockReserved", "OrderShipped"]
        {
            assert!(!is_imperative(name), "{name}");
        }
    }
}
