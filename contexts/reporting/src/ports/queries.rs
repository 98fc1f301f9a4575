//! What reporting answers: its queries, each a type naming the type of its answer, and the
//! views it answers them with. Every answer is read from reporting's own store (its
//! materialized views), never from another context: a report keeps answering while orders,
//! billing or inventory are stopped, with what it last heard from them.
//!
//! Money in an answer is `{ "amount_cents", "currency": "USD" }` as in the published language,
//! with signed cents (a net amount can be negative while refunds overtake their capture).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Why a reporting command would be refused: reporting takes no commands (it only listens to
/// other contexts and answers questions), so there is no such reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportingError {}

/// The most customers one answer lists; `matching` still counts them all.
pub const CUSTOMERS_LISTED_MAX: u32 = 1_000;

/// Orders and revenue by US state of the shipping address: one state (`TX`), or every state
/// with an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesByState {
    #[serde(default)]
    pub state: Option<String>,
}

/// The customers whose lifetime value (captured minus refunded, as payer) is over
/// `amount_cents`, highest first; at most `limit` of them (default and maximum
/// [`CUSTOMERS_LISTED_MAX`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomersOver {
    pub amount_cents: u64,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One customer's lifetime value as payer (zero for someone who never paid).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerLifetimeValue {
    pub customer_id: String,
}

/// Free copies per warehouse: one book (ISBN-13), or every book inventory reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockByBook {
    #[serde(default)]
    pub isbn: Option<String>,
}

/// How orders ended, by the month of their box: one month (`YYYY-MM`), or every month with
/// an ended order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersByEndState {
    #[serde(default)]
    pub month: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyView {
    pub amount_cents: i64,
    /// Always `USD`.
    pub currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
}

impl MoneyView {
    pub fn usd(amount_cents: i64) -> Self {
        Self { amount_cents, currency: Currency::Usd }
    }
}

/// The seeds' "SELECT state, count(*) FROM orders GROUP BY state", with revenue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesByStateView {
    /// By state code.
    pub states: Vec<StateSalesView>,
    /// The sum of the rows above.
    pub total: SalesView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateSalesView {
    /// Two-letter code of the shipping address's state.
    pub state: String,
    #[serde(flatten)]
    pub sales: SalesView,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalesView {
    /// Orders seen (each counted once, when first seen).
    pub orders: u64,
    /// Orders not ended yet.
    pub open: u64,
    /// Orders ended, whatever their end state.
    pub ended: u64,
    /// Captured for the ended orders, as orders reported it when they ended.
    pub captured: MoneyView,
    /// Refunded for the ended orders.
    pub refunded: MoneyView,
    /// Captured minus refunded: revenue is recognized when an order ends.
    pub revenue: MoneyView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomersOverView {
    /// The amount their lifetime value is over.
    pub over: MoneyView,
    /// How many customers are over it (all of them, even past the limit).
    pub matching: u64,
    /// Highest lifetime value first (ties by customer id), at most the limit.
    pub customers: Vec<CustomerValueView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerValueView {
    pub customer_id: String,
    /// Orders whose payment was captured from them.
    pub orders: u64,
    pub captured: MoneyView,
    pub refunded: MoneyView,
    /// Captured minus refunded, as billing moved the money (ended or not).
    pub lifetime_value: MoneyView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockView {
    /// By ISBN.
    pub books: Vec<BookStockView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookStockView {
    pub isbn: String,
    pub title: String,
    /// Copies that can be reserved over all warehouses (0 when unavailable), as inventory said.
    pub available: u64,
    /// Free copies (on hand minus reserved) per warehouse.
    pub by_warehouse: BTreeMap<String, u64>,
    /// Withdrawn from sale.
    pub unavailable: bool,
    /// The version of inventory's state this shows.
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomesView {
    /// In time order.
    pub months: Vec<MonthOutcomesView>,
    /// The sum of the rows above.
    pub total: OutcomeCountsView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthOutcomesView {
    /// `YYYY-MM`: the month of the box.
    pub month: String,
    #[serde(flatten)]
    pub counts: OutcomeCountsView,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCountsView {
    pub delivered: u64,
    pub cancelled: u64,
    pub failed: u64,
    pub refunded: u64,
    pub total: u64,
}

impl Default for MoneyView {
    fn default() -> Self {
        Self::usd(0)
    }
}
