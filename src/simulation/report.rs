//! What a simulation did, read back from the contexts' own logs and published messages, and
//! the cross-context invariants checked against them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use anyhow::anyhow;
use inventory::ports::WarehouseStock;
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
    /// Orders by how they ended; orders still open.
    pub orders_by_end_state: BTreeMap<String, u64>,
    pub orders_open: u64,
    /// From reporting's read model: (state, orders, revenue in cents), largest first.
    pub revenue_by_state: Vec<(String, u64, i64)>,
    pub revenue_total_cents: i64,
    /// From reporting's read model: (customer, lifetime value in cents), highest first.
    pub top_lifetime_values: Vec<(String, i64)>,
    /// Orders whose card was declined at least once and then captured; orders whose
    /// payment finally failed.
    pub card_retries_recovered: u64,
    pub payments_failed: u64,
    pub refunds: u64,
    pub refunded_cents: i64,
    /// Parcels shipping reported damaged in transit, and the copies inventory recorded as lost
    /// with them (its ledgers' `lost_in_shipment`, over every book and warehouse).
    pub damaged_shipments: u64,
    pub copies_lost_in_shipment: u64,
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

fn cents(value: &Value, field: &str) -> i64 {
    value.get(field).and_then(|m| m.get("amount_cents")).and_then(Value::as_i64).unwrap_or_default()
}

/// What billing said about one order's money.
#[derive(Default)]
struct Money {
    captures: u32,
    captured: i64,
    refunded: i64,
    declined: bool,
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
    let mut money: BTreeMap<String, Money> = BTreeMap::new();
    let mut orders_seen = BTreeSet::new();
    // What orders says each order holds (its latest state): the warehouse and the books, one
    // copy of each. And the orders of every parcel shipping reported damaged.
    let mut holdings: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    let mut damaged_orders: BTreeSet<String> = BTreeSet::new();
    let mut ended: BTreeMap<String, u32> = BTreeMap::new();
    let mut ended_net: i64 = 0;
    for envelope in &published {
        let data = data(envelope);
        let order = text(&data, "order_id");
        match envelope.message_type.as_str() {
            "bookbox.orders.box-order.v1" => {
                let books = data.get("books").and_then(Value::as_array).into_iter().flatten();
                holdings.insert(order.clone(), (text(&data, "warehouse"), books.map(|b| text(b, "isbn")).collect()));
                orders_seen.insert(order);
            }
            "bookbox.shipping.shipment-damaged.v1" => {
                report.damaged_shipments += 1;
                let orders = data.get("order_ids").and_then(Value::as_array).into_iter().flatten();
                damaged_orders.extend(orders.filter_map(Value::as_str).map(str::to_owned));
            }
            "bookbox.orders.order-ended.v1" => {
                *report.orders_by_end_state.entry(text(&data, "end_state")).or_default() += 1;
                *ended.entry(order).or_default() += 1;
                ended_net += cents(&data, "captured") - cents(&data, "refunded");
            }
            "bookbox.billing.payment-captured.v1" => {
                let m = money.entry(order).or_default();
                m.captures += 1;
                m.captured += cents(&data, "amount");
            }
            "bookbox.billing.payment-declined.v1" => money.entry(order).or_default().declined = true,
            "bookbox.billing.payment-failed.v1" => report.payments_failed += 1,
            "bookbox.billing.payment-refunded.v1" => {
                report.refunds += 1;
                report.refunded_cents += cents(&data, "amount");
                let m = money.entry(order).or_default();
                m.refunded = m.refunded.max(cents(&data, "refunded_total"));
            }
            _ => {}
        }
    }
    report.card_retries_recovered = money.values().filter(|m| m.declined && m.captures > 0).count() as u64;
    report.orders_open = orders_seen.iter().filter(|o| !ended.contains_key(*o)).count() as u64;
    let mut endings = Vec::new();
    for order in &orders_seen {
        match ended.get(order).copied().unwrap_or(0) {
            1 => {}
            0 => endings.push(format!("order {order} has not ended")),
            n => endings.push(format!("order {order} ended {n} times")),
        }
    }
    let mut charges = Vec::new();
    for (order, m) in &money {
        if m.captures > 1 {
            charges.push(format!("order {order} was charged {} times", m.captures));
        }
        if m.refunded > m.captured {
            charges.push(format!("order {order}: refunded {} of {} captured", m.refunded, m.captured));
        }
    }
    read_reporting(runtime, &mut report)?;
    let mut books = Vec::new();
    let billed: i64 = money.values().map(|m| m.captured - m.refunded).sum();
    if report.orders_open == 0 && billed != ended_net {
        books.push(format!("billing kept {billed} cents; the ended orders say {ended_net}"));
    }
    if report.orders_open == 0 && report.revenue_total_cents != billed {
        books.push(format!("reporting shows revenue of {} cents; billing kept {billed}", report.revenue_total_cents));
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
    report.invariants.push(Invariant { name: "every order reached one end state", violations: endings });
    report
        .invariants
        .push(Invariant { name: "no order was charged twice or refunded beyond its charge", violations: charges });
    report.invariants.push(Invariant { name: "money agrees across billing, orders and reporting", violations: books });
    let ledgers = ledgers(runtime, config)?;
    report.copies_lost_in_shipment = ledgers.iter().map(|(_, w)| w.lost_in_shipment).sum();
    report
        .invariants
        .push(Invariant { name: "stock is conserved in every warehouse", violations: stock_violations(&ledgers) });
    let mut expected_lost: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut unknown = Vec::new();
    for order in &damaged_orders {
        match holdings.get(order) {
            Some((warehouse, isbns)) => {
                for isbn in isbns {
                    *expected_lost.entry((isbn.clone(), warehouse.clone())).or_default() += 1;
                }
            }
            None => unknown.push(format!("shipping reported order {order} damaged; orders never published it")),
        }
    }
    report.invariants.push(Invariant {
        name: "inventory lost exactly the copies of every damaged parcel",
        violations: unknown.into_iter().chain(loss_violations(&ledgers, &expected_lost)).collect(),
    });
    report
        .invariants
        .push(Invariant { name: "every store is intact (checksums, versions, positions)", violations: store_problems });
    Ok(report)
}

/// Revenue by state and the highest lifetime values, as the read side (reporting) has them.
fn read_reporting(runtime: &RuntimeHandle, report: &mut Report) -> anyhow::Result<()> {
    use reporting::ports::queries::{CustomersOver, SalesByState};
    let sales = runtime.query_blocking(SalesByState { state: None })?;
    report.revenue_by_state =
        sales.states.iter().map(|s| (s.state.clone(), s.sales.orders, s.sales.revenue.amount_cents)).collect();
    report.revenue_by_state.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    report.revenue_total_cents = sales.total.revenue.amount_cents;
    let top = runtime.query_blocking(CustomersOver { amount_cents: 0, limit: Some(5) })?;
    report.top_lifetime_values =
        top.customers.iter().map(|c| (c.customer_id.clone(), c.lifetime_value.amount_cents)).collect();
    Ok(())
}

fn dollars(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, (cents % 100).abs())
}

/// Every ledger of every book in the catalog, as inventory answers it.
fn ledgers(runtime: &RuntimeHandle, config: &SimulationConfig) -> anyhow::Result<Vec<(String, WarehouseStock)>> {
    let mut ledgers = Vec::new();
    for n in 0..config.catalog as u64 {
        let isbn = super::data::isbn13(n);
        let report = runtime.query_blocking(inventory::ports::queries::Stock { isbn: isbn.clone() })?;
        ledgers.extend(report.warehouses.into_iter().map(|w| (isbn.clone(), w)));
    }
    Ok(ledgers)
}

/// For every book: received + transferred in = on hand + shipped + damaged + lost + in
/// transit + transferred out, in each warehouse; the copies lost in shipment are among the lost.
fn stock_violations(ledgers: &[(String, WarehouseStock)]) -> Vec<String> {
    let mut violations = Vec::new();
    for (isbn, w) in ledgers {
        let inflow = w.received + w.transferred_in;
        let outflow = w.on_hand + w.shipped + w.damaged + w.lost + w.in_transit + w.transferred_out;
        if inflow != outflow || w.reserved > w.on_hand || w.lost_in_shipment > w.lost {
            violations.push(format!(
                "{isbn} in {}: in {inflow}, accounted {outflow}, reserved {}, lost {} of which in shipment {}",
                w.warehouse, w.reserved, w.lost, w.lost_in_shipment
            ));
        }
    }
    violations
}

/// The choreography of a damaged parcel happened on inventory's side: every book and
/// warehouse lost in shipment exactly one copy per damaged order that held it there (each
/// order holds one copy of each of its books), no more (a report counted twice) and no less
/// (a report missed).
fn loss_violations(ledgers: &[(String, WarehouseStock)], expected: &BTreeMap<(String, String), u64>) -> Vec<String> {
    let mut violations = Vec::new();
    let mut seen = BTreeSet::new();
    for (isbn, w) in ledgers {
        let key = (isbn.clone(), w.warehouse.clone());
        let want = expected.get(&key).copied().unwrap_or(0);
        if w.lost_in_shipment != want {
            violations.push(format!(
                "{isbn} in {}: {} copies lost in shipment, the damaged orders held {want}",
                w.warehouse, w.lost_in_shipment
            ));
        }
        seen.insert(key);
    }
    for ((isbn, warehouse), want) in expected {
        if !seen.contains(&(isbn.clone(), warehouse.clone())) {
            violations.push(format!("{isbn} in {warehouse}: the damaged orders held {want}, inventory has no ledger"));
        }
    }
    violations
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
        writeln!(f, "Orders by end state")?;
        for (state, n) in &self.orders_by_end_state {
            writeln!(f, "  {state:<15}{n:>8}")?;
        }
        writeln!(f, "  still open     {:>8}", self.orders_open)?;
        writeln!(f)?;
        writeln!(f, "Money")?;
        writeln!(f, "  revenue                       {:>12}", dollars(self.revenue_total_cents))?;
        writeln!(f, "  card retries that recovered   {:>12}", self.card_retries_recovered)?;
        writeln!(f, "  payments that finally failed  {:>12}", self.payments_failed)?;
        writeln!(f, "  refunds                       {:>12}  ({})", self.refunds, dollars(self.refunded_cents))?;
        writeln!(f)?;
        writeln!(f, "Damage in transit")?;
        writeln!(f, "  parcels damaged               {:>12}", self.damaged_shipments)?;
        writeln!(f, "  copies lost in shipment       {:>12}", self.copies_lost_in_shipment)?;
        writeln!(f)?;
        writeln!(f, "Revenue by state (reporting's read model)")?;
        for (state, orders, revenue) in self.revenue_by_state.iter().take(8) {
            writeln!(f, "  {state:<4} {orders:>6} orders  {:>12}", dollars(*revenue))?;
        }
        writeln!(f)?;
        writeln!(f, "Top lifetime values")?;
        for (customer, value) in &self.top_lifetime_values {
            writeln!(f, "  {customer}  {:>10}", dollars(*value))?;
        }
        writeln!(f)?;
        writeln!(f, "Messages by kind")?;
        for (kind, n) in &self.messages_by_kind {
            writeln!(f, "  {kind:<15}{n:>8}")?;
        }
        writeln!(f)?;
        writeln!(f, "Throughput")?;
        // A box is the business's unit of work: curated, ordered, charged, shipped, ended.
        writeln!(f, "  boxes          {:>8}  ({:.1}/s)", self.boxes_curated, self.boxes_curated as f64 / secs)?;
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
