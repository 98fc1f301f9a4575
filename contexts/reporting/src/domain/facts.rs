//! What reporting learns from other contexts' messages, in its own words. The tolerant
//! readers (`ports::incoming`) turn each message into one [`Fact`]; the projection
//! (`domain::projection`) routes it to the aggregates it concerns. A fact carries only what a
//! read model uses: no names, no emails, no books of an order.

use std::collections::BTreeMap;

use crate::domain::end_state::EndState;
use crate::domain::ids::{CustomerId, OrderId};
use crate::domain::isbn::Isbn;
use crate::domain::money::Cents;
use crate::domain::month::Month;
use crate::domain::title::Title;
use crate::domain::us_state::UsState;
use crate::domain::warehouse::Warehouse;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// An order, as orders showed it (`box-order`, `order-ended`); with its end once it ended.
    Order { sighting: OrderSighting, end: Option<OrderEnd> },
    /// Billing captured an order's payment (`payment-captured`): the payer's money came in.
    PaymentCaptured { order_id: OrderId, payer_id: CustomerId, amount: Cents },
    /// Billing refunded some of an order's payment (`payment-refunded`): `refunded_total` is
    /// everything refunded for the order so far.
    PaymentRefunded { order_id: OrderId, refunded_total: Cents },
    /// Inventory's latest word on a book's stock (`book-availability`).
    StockPublished { isbn: Isbn, level: StockLevel, version: u64 },
}

/// The aggregate a fact is recorded on first, which decides what else it changes: the order's
/// record for a fact about an order, the book's stock for a fact about stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Home<'a> {
    Order(OrderId),
    Book(&'a Isbn),
}

impl Fact {
    /// Where this fact is recorded first. Facts with different homes touch different order
    /// records and book stocks, and meet only in counters that add up
    /// ([`crate::domain::models::Combine`]); so facts split by home, each part recorded in its
    /// own order, combine into what recording them all in order gives. That is what lets a
    /// rebuild use every core.
    pub fn home(&self) -> Home<'_> {
        match self {
            Fact::Order { sighting, .. } => Home::Order(sighting.order_id),
            Fact::PaymentCaptured { order_id, .. } | Fact::PaymentRefunded { order_id, .. } => Home::Order(*order_id),
            Fact::StockPublished { isbn, .. } => Home::Book(isbn),
        }
    }
}

/// What every message about an order says of it: which order, which month's box, and where it
/// goes. These never change over an order's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderSighting {
    pub order_id: OrderId,
    pub month: Month,
    pub shipping_state: UsState,
}

/// How an order ended, and its money as orders settled it: final, by orders' contract (an order
/// still settling money has not ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderEnd {
    end_state: EndState,
    captured: Cents,
    refunded: Cents,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refunded ({refunded}) is more than captured ({captured})")]
pub struct OrderEndError {
    pub captured: Cents,
    pub refunded: Cents,
}

impl OrderEnd {
    /// Invariant: never more refunded than captured.
    pub fn new(end_state: EndState, captured: Cents, refunded: Cents) -> Result<Self, OrderEndError> {
        if refunded > captured {
            return Err(OrderEndError { captured, refunded });
        }
        Ok(Self { end_state, captured, refunded })
    }

    pub fn end_state(&self) -> EndState {
        self.end_state
    }

    pub fn captured(&self) -> Cents {
        self.captured
    }

    pub fn refunded(&self) -> Cents {
        self.refunded
    }
}

/// A book's stock as inventory last published it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    pub title: Title,
    /// Copies that can still be reserved, over all warehouses (inventory's own figure: 0 when
    /// the book is unavailable).
    pub available: u64,
    /// Free copies (on hand minus reserved) per warehouse, whether or not the book is unavailable.
    pub by_warehouse: BTreeMap<Warehouse, u64>,
    /// Withdrawn from sale.
    pub unavailable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_never_ends_with_more_refunded_than_captured() {
        let end = OrderEnd::new(EndState::Refunded, Cents::new(2999), Cents::new(2999)).unwrap();
        assert_eq!(
            (end.end_state(), end.captured(), end.refunded()),
            (EndState::Refunded, Cents::new(2999), end.captured())
        );
        assert_eq!(
            OrderEnd::new(EndState::Cancelled, Cents::new(1), Cents::new(2)),
            Err(OrderEndError { captured: Cents::new(1), refunded: Cents::new(2) })
        );
    }
}
