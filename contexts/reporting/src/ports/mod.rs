//! Reporting's inbound ports: what it answers ([`queries`]), the messages it consumes
//! ([`incoming`], its tolerant readers), and [`ReadModels`], the pure in-memory form of its
//! read models for rebuilds (e.g. as of a past time).
//!
//! Reporting has no outbound port: it needs nothing from outside but the messages it is given.

mod answering;
pub mod incoming;
pub mod queries;
mod read_models;

pub(crate) use answering::answer;
pub use queries::{
    BookStockView, Currency, CustomerValueView, CustomersOverView, MoneyView, MonthOutcomesView, OutcomeCountsView,
    OutcomesView, ReportingAnswer, ReportingCommand, ReportingError, ReportingQuery, ReportingReply, SalesByStateView,
    SalesView, StateSalesView, StockView, CUSTOMERS_LISTED_MAX,
};
pub use read_models::{Applied, Overlap, ReadMessage, ReadModels};
