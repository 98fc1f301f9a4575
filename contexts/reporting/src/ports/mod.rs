//! Reporting's inbound ports: what it answers ([`queries`], each a type with its own answer;
//! [`ReadModelQuery`], any of them), the messages it consumes ([`incoming`], its tolerant
//! readers), and [`ReadModels`], the pure in-memory form of its read models for rebuilds (e.g.
//! as of a past time), which answer the same queries.
//!
//! Reporting has no outbound port: it needs nothing from outside but the messages it is given.

pub(crate) mod inbound;
pub mod incoming;
pub mod queries;
mod read_models;

pub use inbound::ReadModelQuery;
pub use queries::{
    BookStockView, Currency, CustomerValueView, CustomersOverView, MoneyView, MonthOutcomesView, OutcomeCountsView,
    OutcomesView, ReportingError, SalesByStateView, SalesView, StateSalesView, StockView, CUSTOMERS_LISTED_MAX,
};
pub use read_models::{Applied, Overlap, ReadMessage, ReadModels};
