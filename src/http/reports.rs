//! `/reports/...`: reporting's read models (the read side), each answered from reporting's own
//! store, so a report keeps answering while the contexts it listens to are stopped.
//!
//! Every report also takes the [`Freshness`] parameters: `after` and `wait_ms`
//! (read-your-writes: wait until the report reflects a command's `Bookbox-Position`), or
//! `as_of` (the report as it was at a past time, rebuilt from the published logs); see
//! [`crate::http::consistency`].

use std::collections::BTreeMap;

use actix_web::{get, web};
use reporting::ports::{
    queries, BookStockView, CustomerValueView, CustomersOverView, MoneyView, OutcomeCountsView, OutcomesView,
    SalesByStateView, SalesView, StockView,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::consistency::{self, Freshness, ReportQuery, ReportRefusals};
use crate::http::input::{Isbn, Month};
use crate::http::problem::{Kind, Problem};
use crate::http::state::AppState;

/// Money, in signed cents (a net amount can be negative while refunds overtake captures).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NetMoney {
    pub amount_cents: i64,
    /// `USD`.
    pub currency: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Sales {
    /// Orders seen.
    pub orders: u64,
    /// Orders not ended yet.
    pub open: u64,
    pub ended: u64,
    /// Captured for the ended orders.
    pub captured: NetMoney,
    pub refunded: NetMoney,
    /// Captured minus refunded (recognized when an order ends).
    pub revenue: NetMoney,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StateSales {
    /// The shipping address's state, e.g. `TX`.
    pub state: String,
    pub sales: Sales,
}

/// Orders and revenue by US state of the shipping address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SalesByState {
    pub states: Vec<StateSales>,
    pub total: Sales,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LifetimeValue {
    pub customer_id: String,
    /// Orders whose payment was captured from them.
    pub orders: u64,
    pub captured: NetMoney,
    pub refunded: NetMoney,
    /// Captured minus refunded.
    pub lifetime_value: NetMoney,
}

/// The customers whose lifetime value is over an amount.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LifetimeValuesOver {
    pub over: NetMoney,
    /// How many customers are over it (even past the limit).
    pub matching: u64,
    /// Highest first.
    pub customers: Vec<LifetimeValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BookStock {
    pub isbn: String,
    pub title: String,
    pub available: u64,
    /// Free copies per warehouse.
    pub by_warehouse: BTreeMap<String, u64>,
    pub unavailable: bool,
    pub version: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StockReport {
    pub books: Vec<BookStock>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OutcomeCounts {
    pub delivered: u64,
    pub cancelled: u64,
    pub failed: u64,
    pub refunded: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MonthOutcomes {
    /// The month of the box, `YYYY-MM`.
    pub month: String,
    pub counts: OutcomeCounts,
}

/// How orders ended, by the month of their box.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Outcomes {
    pub months: Vec<MonthOutcomes>,
    pub total: OutcomeCounts,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StateFilter {
    /// One state (`TX`); all states with an order when absent.
    pub state: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Over {
    /// The lifetime value to exceed, in cents (e.g. 80000 for $800).
    pub over_cents: u64,
    /// At most this many customers (1 to 1000; 1000 when absent).
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BookFilter {
    /// One book; every book when absent.
    #[param(value_type = Option<String>)]
    pub isbn: Option<Isbn>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MonthFilter {
    /// One month (`YYYY-MM`); every month with an ended order when absent.
    #[param(value_type = Option<String>)]
    pub month: Option<Month>,
}

fn money(m: MoneyView) -> NetMoney {
    NetMoney { amount_cents: m.amount_cents, currency: "USD".to_owned() }
}

fn sales(s: SalesView) -> Sales {
    Sales {
        orders: s.orders,
        open: s.open,
        ended: s.ended,
        captured: money(s.captured),
        refunded: money(s.refunded),
        revenue: money(s.revenue),
    }
}

fn lifetime_value(v: CustomerValueView) -> LifetimeValue {
    LifetimeValue {
        customer_id: v.customer_id,
        orders: v.orders,
        captured: money(v.captured),
        refunded: money(v.refunded),
        lifetime_value: money(v.lifetime_value),
    }
}

fn counts(c: OutcomeCountsView) -> OutcomeCounts {
    OutcomeCounts {
        delivered: c.delivered,
        cancelled: c.cancelled,
        failed: c.failed,
        refunded: c.refunded,
        total: c.total,
    }
}

/// The report with no parameters of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFilter {}

/// Orders and revenue by US state of the shipping address.
#[utoipa::path(
    tag = "reports",
    params(StateFilter, Freshness),
    responses((status = 200, description = "The report", body = SalesByState), ReportRefusals)
)]
#[get("/reports/sales-by-state")]
pub async fn sales_by_state(
    state: web::Data<AppState>,
    query: ReportQuery<StateFilter>,
) -> Result<web::Json<SalesByState>, Problem> {
    let SalesByStateView { states, total } =
        consistency::answer(&state, query.at, queries::SalesByState { state: query.filter.state }).await?;
    Ok(web::Json(SalesByState {
        states: states.into_iter().map(|s| StateSales { state: s.state, sales: sales(s.sales) }).collect(),
        total: sales(total),
    }))
}

/// The customers whose lifetime value (captured minus refunded, as payer) is over an amount.
#[utoipa::path(
    tag = "reports",
    params(Over, Freshness),
    responses((status = 200, description = "The customers, highest first", body = LifetimeValuesOver), ReportRefusals)
)]
#[get("/reports/lifetime-values")]
pub async fn lifetime_values_over(
    state: web::Data<AppState>,
    query: ReportQuery<Over>,
) -> Result<web::Json<LifetimeValuesOver>, Problem> {
    let Over { over_cents, limit } = query.filter;
    if limit.is_some_and(|l| !(1..=queries::CUSTOMERS_LISTED_MAX).contains(&l)) {
        return Err(Problem::new(Kind::InvalidQuery, "limit: from 1 to 1000"));
    }
    let CustomersOverView { over, matching, customers } =
        consistency::answer(&state, query.at, queries::CustomersOver { amount_cents: over_cents, limit }).await?;
    Ok(web::Json(LifetimeValuesOver {
        over: money(over),
        matching,
        customers: customers.into_iter().map(lifetime_value).collect(),
    }))
}

/// One customer's lifetime value as payer (zero for someone who never paid).
#[utoipa::path(
    tag = "reports",
    params(("customer_id" = Uuid, Path, description = "The customer's id"), Freshness),
    responses((status = 200, description = "The lifetime value", body = LifetimeValue), ReportRefusals)
)]
#[get("/reports/lifetime-values/{customer_id}")]
pub async fn customer_lifetime_value(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: ReportQuery<NoFilter>,
) -> Result<web::Json<LifetimeValue>, Problem> {
    let question = queries::CustomerLifetimeValue { customer_id: path.into_inner().to_string() };
    let view = consistency::answer(&state, query.at, question).await?;
    Ok(web::Json(lifetime_value(view)))
}

/// Free copies by book and warehouse, as inventory reported them.
#[utoipa::path(
    tag = "reports",
    params(BookFilter, Freshness),
    responses(
        (status = 200, description = "The stock", body = StockReport),
        (status = 404, description = "With `isbn`: inventory has not reported that book's stock (by then, with `as_of`)"),
        ReportRefusals
    )
)]
#[get("/reports/stock")]
pub async fn stock(
    state: web::Data<AppState>,
    query: ReportQuery<BookFilter>,
) -> Result<web::Json<StockReport>, Problem> {
    let question = queries::StockByBook { isbn: query.filter.isbn.map(String::from) };
    let StockView { books } = consistency::answer(&state, query.at, question).await?;
    Ok(web::Json(StockReport {
        books: books
            .into_iter()
            .map(|b: BookStockView| BookStock {
                isbn: b.isbn,
                title: b.title,
                available: b.available,
                by_warehouse: b.by_warehouse,
                unavailable: b.unavailable,
                version: b.version,
            })
            .collect(),
    }))
}

/// How orders ended, by the month of their box.
#[utoipa::path(
    tag = "reports",
    params(MonthFilter, Freshness),
    responses((status = 200, description = "The counts", body = Outcomes), ReportRefusals)
)]
#[get("/reports/orders-by-end-state")]
pub async fn orders_by_end_state(
    state: web::Data<AppState>,
    query: ReportQuery<MonthFilter>,
) -> Result<web::Json<Outcomes>, Problem> {
    let question = queries::OrdersByEndState { month: query.filter.month.map(String::from) };
    let OutcomesView { months, total } = consistency::answer(&state, query.at, question).await?;
    Ok(web::Json(Outcomes {
        months: months.into_iter().map(|m| MonthOutcomes { month: m.month, counts: counts(m.counts) }).collect(),
        total: counts(total),
    }))
}
