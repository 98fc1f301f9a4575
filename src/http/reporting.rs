//! `/reports/...`: reporting's read models (the read side), each answered from reporting's own
//! store, so a report keeps answering while the contexts it listens to are stopped.
//!
//! Every report also takes the [`Freshness`] parameters: `after` and `wait_ms`
//! (read-your-writes: wait until the report reflects a command's `Bookbox-Position`), or
//! `as_of` (the report as it was at a past time, rebuilt from the published logs); see
//! [`crate::http::consistency`].

use std::collections::BTreeMap;

use actix_web::get;
use actix_web::web::{Json, Path};
use reporting::ports::{
    queries, BookStockView, Currency, CustomerValueView, CustomersOverView, MoneyView, MonthOutcomesView,
    OutcomeCountsView, OutcomesView, SalesByStateView, SalesView, StateSalesView, StockView,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::consistency::{self, Freshness, ReportQuery, ReportRefusals};
use crate::http::input::{Isbn, Month};
use crate::http::mirror::{mirror, FromView};
use crate::http::problem::{Kind, Problem};
use crate::http::reply::Answer;
use crate::http::state::State;

/// The reports' routes.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(sales_by_state)
        .service(lifetime_values_over)
        .service(customer_lifetime_value)
        .service(stock)
        .service(orders_by_end_state);
}

mirror! {
    /// Money, in signed cents (a net amount can be negative while refunds overtake captures).
    pub struct NetMoney from MoneyView {
        pub amount_cents: i64,
        /// `USD`.
        pub currency: String,
    }

    pub struct Sales from SalesView {
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

    pub struct StateSales from StateSalesView {
        /// The shipping address's state, e.g. `TX`.
        pub state: String,
        pub sales: Sales,
    }

    /// Orders and revenue by US state of the shipping address.
    pub struct SalesByState from SalesByStateView {
        pub states: Vec<StateSales>,
        pub total: Sales,
    }

    pub struct LifetimeValue from CustomerValueView {
        pub customer_id: String,
        /// Orders whose payment was captured from them.
        pub orders: u64,
        pub captured: NetMoney,
        pub refunded: NetMoney,
        /// Captured minus refunded.
        pub lifetime_value: NetMoney,
    }

    /// The customers whose lifetime value is over an amount.
    pub struct LifetimeValuesOver from CustomersOverView {
        pub over: NetMoney,
        /// How many customers are over it (even past the limit).
        pub matching: u64,
        /// Highest first.
        pub customers: Vec<LifetimeValue>,
    }

    pub struct BookStock from BookStockView {
        pub isbn: String,
        pub title: String,
        pub available: u64,
        /// Free copies per warehouse.
        pub by_warehouse: BTreeMap<String, u64>,
        pub unavailable: bool,
        pub version: u64,
    }

    pub struct StockReport from StockView {
        pub books: Vec<BookStock>,
    }

    pub struct OutcomeCounts from OutcomeCountsView {
        pub delivered: u64,
        pub cancelled: u64,
        pub failed: u64,
        pub refunded: u64,
        pub total: u64,
    }

    pub struct MonthOutcomes from MonthOutcomesView {
        /// The month of the box, `YYYY-MM`.
        pub month: String,
        pub counts: OutcomeCounts,
    }

    /// How orders ended, by the month of their box.
    pub struct Outcomes from OutcomesView {
        pub months: Vec<MonthOutcomes>,
        pub total: OutcomeCounts,
    }
}

impl FromView<Currency> for String {
    fn from_view(currency: Currency) -> Self {
        match currency {
            Currency::Usd => "USD".to_owned(),
        }
    }
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

/// The report with no parameters of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFilter {}

/// Orders and revenue by US state of the shipping address.
#[utoipa::path(
    params(StateFilter, Freshness),
    responses((status = 200, description = "The report", body = SalesByState), ReportRefusals)
)]
#[get("/reports/sales-by-state")]
pub async fn sales_by_state(state: State, query: ReportQuery<StateFilter>) -> Answer<SalesByState> {
    let question = queries::SalesByState { state: query.filter.state };
    Ok(Json(consistency::answer(&state, query.at, question).await?.into()))
}

/// The customers whose lifetime value (captured minus refunded, as payer) is over an amount.
#[utoipa::path(
    params(Over, Freshness),
    responses((status = 200, description = "The customers, highest first", body = LifetimeValuesOver), ReportRefusals)
)]
#[get("/reports/lifetime-values")]
pub async fn lifetime_values_over(state: State, query: ReportQuery<Over>) -> Answer<LifetimeValuesOver> {
    let Over { over_cents, limit } = query.filter;
    if limit.is_some_and(|l| !(1..=queries::CUSTOMERS_LISTED_MAX).contains(&l)) {
        return Err(Problem::new(Kind::InvalidQuery, "limit: from 1 to 1000"));
    }
    let question = queries::CustomersOver { amount_cents: over_cents, limit };
    Ok(Json(consistency::answer(&state, query.at, question).await?.into()))
}

/// One customer's lifetime value as payer (zero for someone who never paid).
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id"), Freshness),
    responses((status = 200, description = "The lifetime value", body = LifetimeValue), ReportRefusals)
)]
#[get("/reports/lifetime-values/{customer_id}")]
pub async fn customer_lifetime_value(
    state: State,
    path: Path<Uuid>,
    query: ReportQuery<NoFilter>,
) -> Answer<LifetimeValue> {
    let question = queries::CustomerLifetimeValue { customer_id: path.into_inner().to_string() };
    Ok(Json(consistency::answer(&state, query.at, question).await?.into()))
}

/// Free copies by book and warehouse, as inventory reported them.
#[utoipa::path(
    params(BookFilter, Freshness),
    responses(
        (status = 200, description = "The stock", body = StockReport),
        (status = 404, description = "With `isbn`: inventory has not reported that book's stock (by then, with `as_of`)"),
        ReportRefusals
    )
)]
#[get("/reports/stock")]
pub async fn stock(state: State, query: ReportQuery<BookFilter>) -> Answer<StockReport> {
    let question = queries::StockByBook { isbn: query.filter.isbn.map(String::from) };
    Ok(Json(consistency::answer(&state, query.at, question).await?.into()))
}

/// How orders ended, by the month of their box.
#[utoipa::path(
    params(MonthFilter, Freshness),
    responses((status = 200, description = "The counts", body = Outcomes), ReportRefusals)
)]
#[get("/reports/orders-by-end-state")]
pub async fn orders_by_end_state(state: State, query: ReportQuery<MonthFilter>) -> Answer<Outcomes> {
    let question = queries::OrdersByEndState { month: query.filter.month.map(String::from) };
    Ok(Json(consistency::answer(&state, query.at, question).await?.into()))
}
