//! What a simulation did, read back from the contexts' own logs and published messages, and
//! the cross-context invariants checked against them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use anyhow::anyhow;
use inventory::ports::{InventoryAnswer, InventoryQuery};
use inventory::InventoryContext;
use kernel::message::Envelope;
use kernel::store::OutboxSeq;
use serde_json::Value;

use super::SimulationConfig;
use crate::runtime::RuntimeHandle;

/// One checked invariant: its name, and what broke it (empty when it holds).
#[derive(Debug, Clone)]
pub struct Invariant {
    pub name: &'static str,
    pub violations: Vec<String>,
}

impl Invariant {
    pub fn holds(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The simulation's report.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub subscribers: u32,
    pub months: u32,
    pub commands: u64,
    pub events: u64,
    pub elapsed: Duration,
    /// Published messages by kind, and by type.
    pub messages_by_kind: BTreeMap<String, u64>,
    pub messages_by_type: BTreeMap<String, u64>,
    pub boxes_due: u64,
    pub boxes_curated: u64,
    pub curation_failures: BTreeMap<String, u64>,
    pub invariants: Vec<Invariant>,
}

impl Report {
    pub fn all_invariants_hold(&self) -> bool {
        self.invariants.iter().all(Invariant::holds)
    }
}

fn data(envelope: &Envelope) -> Value {
    envelope.data.as_ref().and_then(|d| serde_json::from_str(d.get()).ok()).unwrap_or(Value::Null)
}

fn text(value: &Value, field: &str) -> String {
    value.get(field).and_then(Value::as_str).unwrap_or_default().to_owned()
}

pub(super) fn gather(
    runtime: &RuntimeHandle,
    config: &SimulationConfig,
    commands: u64,
    elapsed: Duration,
) -> anyhow::Result<Report> {
    let mut report =
        Report { subscribers: config.subscribers, months: config.months, commands, elapsed, ..Report::default() };
    let mut published: Vec<Envelope> = Vec::new();
    let mut store_problems = Vec::new();
    for descriptor in runtime.descriptors() {
        let store = runtime.store(descriptor.name).map_err(|e| anyhow!("{e}"))?;
        report.events += store.last_position()?.get();
        let outbox = store.read_outbox(OutboxSeq(0), usize::MAX)?;
        published.extend(outbox.into_iter().map(|e| e.envelope));
        let findings = crate::cli::check_store(store.as_ref());
        store_problems.extend(findings.problems.into_iter().map(|p| format!("{}: {p}", descriptor.name)));
    }
    let mut due = BTreeSet::new();
    let mut outcomes: BTreeMap<(String, String), u32> = BTreeMap::new();
    let mut received: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut repeats = Vec::new();
    for envelope in &published {
        *report.messages_by_kind.entry(envelope.kind.as_str().to_owned()).or_default() += 1;
        *report.messages_by_type.entry(envelope.message_type.clone()).or_default() += 1;
        let data = data(envelope);
        let key = || (text(&data, "subscription_id"), text(&data, "month"));
        match envelope.message_type.as_str() {
            "bookbox.subscriptions.box-due.v1" => {
                report.boxes_due += 1;
                due.insert(key());
            }
            "bookbox.curation.box-curated.v1" => {
                report.boxes_curated += 1;
                *outcomes.entry(key()).or_default() += 1;
                let customer = text(&data, "customer_id");
                for book in data.get("books").and_then(Value::as_array).into_iter().flatten() {
                    let isbn = text(book, "isbn");
                    if !received.entry(customer.clone()).or_default().insert(isbn.clone()) {
                        repeats.push(format!("customer {customer} received {isbn} twice"));
                    }
                }
            }
            "bookbox.curation.box-curation-failed.v1" => {
                *report.curation_failures.entry(text(&data, "reason")).or_default() += 1;
                *outcomes.entry(key()).or_default() += 1;
            }
            _ => {}
        }
    }
    let mut unanswered = Vec::new();
    for key in &due {
        match outcomes.get(key).copied().unwrap_or(0) {
            1 => {}
            n => unanswered.push(format!("box of subscription {} for {} has {n} outcomes", key.0, key.1)),
        }
    }
    report.invariants.push(Invariant { name: "every due box was curated or failed, once", violations: unanswered });
    report.invariants.push(Invariant { name: "no subscriber received a book twice", violations: repeats });
    report.invariants.push(Invariant {
        name: "stock is conserved in every warehouse",
        violations: stock_violations(runtime, config)?,
    });
    report
        .invariants
        .push(Invariant { name: "every store is intact (checksums, versions, positions)", violations: store_problems });
    Ok(report)
}

/// For every book: received + transferred in = on hand + shipped + damaged + lost + in
/// transit + transferred out, in each warehouse.
fn stock_violations(runtime: &RuntimeHandle, config: &SimulationConfig) -> anyhow::Result<Vec<String>> {
    let mut violations = Vec::new();
    for n in 0..config.catalog as u64 {
        let isbn = super::data::isbn13(n);
        let answer = runtime.query_blocking::<InventoryContext>(InventoryQuery::Stock { isbn: isbn.clone() })?;
        let InventoryAnswer::Stock(report) = answer else { continue };
        for w in &report.warehouses {
            let inflow = w.received + w.transferred_in;
            let outflow = w.on_hand + w.shipped + w.damaged + w.lost + w.in_transit + w.transferred_out;
            if inflow != outflow || w.reserved > w.on_hand {
                violations.push(format!(
                    "{isbn} in {}: in {inflow}, accounted {outflow}, reserved {}",
                    w.warehouse, w.reserved
                ));
            }
        }
    }
    Ok(violations)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        writeln!(f, "Bookbox simulation: {} subscribers, {} months, in {:.1} s", self.subscribers, self.months, secs)?;
        writeln!(f)?;
        writeln!(f, "Boxes")?;
        writeln!(f, "  due            {:>8}", self.boxes_due)?;
        writeln!(f, "  curated        {:>8}", self.boxes_curated)?;
        for (reason, n) in &self.curation_failures {
            writeln!(f, "  not curated    {n:>8}  ({reason})")?;
        }
        writeln!(f)?;
        writeln!(f, "Messages by kind")?;
        for (kind, n) in &self.messages_by_kind {
            writeln!(f, "  {kind:<15}{n:>8}")?;
        }
        writeln!(f)?;
        writeln!(f, "Throughput")?;
        writeln!(f, "  commands       {:>8}  ({:.0}/s)", self.commands, self.commands as f64 / secs)?;
        writeln!(f, "  events         {:>8}  ({:.0}/s)", self.events, self.events as f64 / secs)?;
        let messages: u64 = self.messages_by_kind.values().sum();
        writeln!(f, "  messages       {:>8}  ({:.0}/s)", messages, messages as f64 / secs)?;
        writeln!(f)?;
        writeln!(f, "Invariants")?;
        for invariant in &self.invariants {
            let verdict = if invariant.holds() { "ok  " } else { "FAIL" };
            writeln!(f, "  {verdict} {}", invariant.name)?;
            for violation in invariant.violations.iter().take(5) {
                writeln!(f, "       - {violation}")?;
            }
            if invariant.violations.len() > 5 {
                writeln!(f, "       … and {} more", invariant.violations.len() - 5)?;
            }
        }
        Ok(())
    }
}
