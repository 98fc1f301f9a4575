//! Reporting's inbound port, implemented by the context itself: answering each of its queries
//! ([`ReadModelQuery`]) from whatever holds the read
//! models (a [`Shelf`]): parse the question, read the domain, shape the view. The live context
//! and [`super::ReadModels`] both answer through here, so a rebuilt model and the live one
//! cannot answer differently.

use kernel::context::{Query, QueryError};
use serde::Serialize;

use crate::domain::book_stock::BookStock;
use crate::domain::customer_value::CustomerValue;
use crate::domain::end_state::EndState;
use crate::domain::ids::CustomerId;
use crate::domain::isbn::Isbn;
use crate::domain::ledger::Shelf;
use crate::domain::money::Cents;
use crate::domain::month::Month;
use crate::domain::monthly_outcomes::MonthlyOutcomes;
use crate::domain::reading;
use crate::domain::state_sales::StateSales;
use crate::domain::us_state::UsState;
use crate::ports::queries::{
    BookStockView, CustomerLifetimeValue, CustomerValueView, CustomersOver, CustomersOverView, MoneyView,
    MonthOutcomesView, OrdersByEndState, OutcomeCountsView, OutcomesView, SalesByState, SalesByStateView, SalesView,
    StateSalesView, StockByBook, StockView, CUSTOMERS_LISTED_MAX,
};

/// A question reporting answers from its read models, wherever they are held: live, from its
/// store (the context's [`Answers`](kernel::context::Answers), as the runtime asks), or rebuilt
/// in memory ([`ReadModels::answer`](super::ReadModels::answer), e.g. as of a past time). Both
/// answer through the same code, so a rebuilt model and the live one cannot answer
/// differently. Every query in [`super::queries`] is one; no other type can be.
///
/// Each answer can be cloned, compared and serialized. Code generic over reporting's queries
/// that also asks the live context (through the harness or the runtime) adds
/// `where ReportingContext: Answers<Q>`: every reporting query meets it (one `Answers` impl per
/// query type). The bound names no context here: the port does not depend on the application
/// that answers it, and [`Answering`] already admits reporting's own queries only.
pub trait ReadModelQuery: Query<Answer: Clone + PartialEq + Serialize> + Clone + Answering {}

impl<Q> ReadModelQuery for Q where Q: Query<Answer: Clone + PartialEq + Serialize> + Clone + Answering {}

/// How each query is answered from a [`Shelf`]: parse the question, read the domain, shape the
/// view. Public only in name (it is not reachable outside the crate), so only reporting's own
/// queries are [`ReadModelQuery`].
pub trait Answering: Query {
    fn answer_from(&self, shelf: &mut impl Shelf) -> Result<Self::Answer, QueryError>;
}

impl Answering for SalesByState {
    fn answer_from(&self, shelf: &mut impl Shelf) -> Result<SalesByStateView, QueryError> {
        let only = self.state.as_deref().map(UsState::parse).transpose().map_err(|e| invalid("state", e))?;
        let rows = reading::sales_by_state(shelf, only)?;
        Ok(sales_by_state(&rows))
    }
}

impl Answering for CustomersOver {
    fn answer_from(&self, shelf: &mut impl Shelf) -> Result<CustomersOverView, QueryError> {
        let limit = self.limit.unwrap_or(CUSTOMERS_LISTED_MAX);
        if limit > CUSTOMERS_LISTED_MAX {
            let reason = format!("{limit} is over the most one answer lists, {CUSTOMERS_LISTED_MAX}");
            return Err(invalid("limit", reason));
        }
        let over = reading::customers_over(shelf, self.amount_cents)?;
        Ok(CustomersOverView {
            over: money(Cents::new(self.amount_cents)),
            matching: over.len() as u64,
            customers: over.iter().take(limit as usize).map(|(id, value)| customer_value(*id, value)).collect(),
        })
    }
}

impl Answering for CustomerLifetimeValue {
    fn answer_from(&self, shelf: &mut impl Shelf) -> Result<CustomerValueView, QueryError> {
        let id: CustomerId = self.customer_id.parse().map_err(|e| invalid("customer_id", e))?;
        let value = reading::customer_value(shelf, id)?;
        Ok(customer_value(id, &value))
    }
}

impl Answering for StockByBook {
    fn answer_from(&self, shelf: &mut impl Shelf) -> Result<StockView, QueryError> {
        let only = self.isbn.as_deref().map(Isbn::parse).transpose().map_err(|e| invalid("isbn", e))?;
        let books = reading::stock(shelf, only.clone())?;
        if let (Some(isbn), true) = (only, books.is_empty()) {
            return Err(QueryError::NotFound(format!("inventory has not reported the stock of book {isbn}")));
        }
        Ok(StockView { books: books.iter().map(|(isbn, stock)| book(isbn, stock)).collect() })
    }
}

impl Answering for OrdersByEndState {
    fn answer_from(&self, shelf: &mut impl Shelf) -> Result<OutcomesView, QueryError> {
        let only = self.month.as_deref().map(Month::parse).transpose().map_err(|e| invalid("month", e))?;
        let months = reading::outcomes(shelf, only)?;
        Ok(outcomes(&months))
    }
}

fn invalid(field: &str, reason: impl std::fmt::Display) -> QueryError {
    QueryError::Invalid(format!("{field}: {reason}"))
}

fn money(cents: Cents) -> MoneyView {
    MoneyView::usd(cents.signed())
}

fn sales(row: &StateSales) -> SalesView {
    SalesView {
        orders: row.orders(),
        open: row.orders().saturating_sub(row.ended()),
        ended: row.ended(),
        captured: money(row.captured()),
        refunded: money(row.refunded()),
        revenue: MoneyView::usd(row.revenue()),
    }
}

fn sales_by_state(rows: &[(UsState, StateSales)]) -> SalesByStateView {
    let mut total = StateSales::default();
    for (_, row) in rows {
        total = total.plus(row);
    }
    SalesByStateView {
        states: rows
            .iter()
            .map(|(state, row)| StateSalesView { state: state.to_string(), sales: sales(row) })
            .collect(),
        total: sales(&total),
    }
}

fn customer_value(id: CustomerId, value: &CustomerValue) -> CustomerValueView {
    CustomerValueView {
        customer_id: id.to_string(),
        orders: value.orders(),
        captured: money(value.captured()),
        refunded: money(value.refunded()),
        lifetime_value: MoneyView::usd(value.lifetime_value()),
    }
}

fn book(isbn: &Isbn, stock: &BookStock) -> BookStockView {
    BookStockView {
        isbn: isbn.to_string(),
        title: stock.title().map(ToString::to_string).unwrap_or_default(),
        available: stock.available(),
        by_warehouse: stock.by_warehouse().map(|(warehouse, copies)| (warehouse.to_string(), copies)).collect(),
        unavailable: stock.unavailable(),
        version: stock.version().unwrap_or(0),
    }
}

fn counts(month: &MonthlyOutcomes) -> OutcomeCountsView {
    OutcomeCountsView {
        delivered: month.count(EndState::Delivered),
        cancelled: month.count(EndState::Cancelled),
        failed: month.count(EndState::Failed),
        refunded: month.count(EndState::Refunded),
        total: month.total(),
    }
}

fn outcomes(months: &[(Month, MonthlyOutcomes)]) -> OutcomesView {
    let mut total = OutcomeCountsView::default();
    for (_, month) in months {
        let row = counts(month);
        total.delivered = total.delivered.saturating_add(row.delivered);
        total.cancelled = total.cancelled.saturating_add(row.cancelled);
        total.failed = total.failed.saturating_add(row.failed);
        total.refunded = total.refunded.saturating_add(row.refunded);
        total.total = total.total.saturating_add(row.total);
    }
    OutcomesView {
        months: months
            .iter()
            .map(|(month, outcomes)| MonthOutcomesView { month: month.to_string(), counts: counts(outcomes) })
            .collect(),
        total,
    }
}
