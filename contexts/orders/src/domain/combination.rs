//! Two boxes to the same door in the same month travel in one parcel (seed: "Can we combine
//! these two orders to save on shipping?"). A domain service over two box orders: whether
//! they may be combined, and, once they are, what the pair does next.
//!
//! The rule is kept simple so it is always correct. A parcel leaves from one warehouse, so
//! both orders must already hold their books, in the same warehouse; and neither may have
//! requested its shipment, so both must still be waiting for their payment. From then on
//! each order goes on by itself (its own payment, its own deadlines), and the shipment is
//! requested once both are charged: by the second to be charged, for both, in one
//! `request-shipment` (the first waits). If either drops out (cancelled, failed) the other
//! ships alone, under the same shipment id: shipping has never heard of it.

use crate::domain::box_order::{BoxOrder, Order, Stage, Status};
use crate::domain::ids::OrderId;
use crate::domain::month::Month;
use crate::domain::warehouse::Warehouse;

/// Why two orders cannot be combined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CombinationError {
    #[error("an order cannot be combined with itself")]
    SameOrder,
    #[error("order {0} does not exist")]
    UnknownOrder(OrderId),
    #[error("the orders are for different months ({0} and {1}): only boxes of the same month travel together")]
    DifferentMonths(Month, Month),
    #[error("the orders go to different addresses: a parcel goes to one door")]
    DifferentAddresses,
    #[error(
        "order {order_id} is {status}: orders can be combined only while they hold their books and their payment is \
         pending (before a shipment is requested)"
    )]
    NotCombinable { order_id: OrderId, status: Status },
    #[error("the orders hold their books in {0} and {1}: a parcel leaves from one warehouse")]
    DifferentWarehouses(Warehouse, Warehouse),
    #[error("order {order_id} is already combined with order {partner}")]
    AlreadyCombined { order_id: OrderId, partner: OrderId },
}

/// Checks that `first` and `second` may share one parcel.
pub fn check(first: (OrderId, &BoxOrder), second: (OrderId, &BoxOrder)) -> Result<(), CombinationError> {
    if first.0 == second.0 {
        return Err(CombinationError::SameOrder);
    }
    let a = first.1.placed().ok_or(CombinationError::UnknownOrder(first.0))?;
    let b = second.1.placed().ok_or(CombinationError::UnknownOrder(second.0))?;
    for order in [a, b] {
        if let Some(combination) = order.combination() {
            return Err(CombinationError::AlreadyCombined { order_id: order.id(), partner: combination.partner });
        }
    }
    if a.terms().month != b.terms().month {
        return Err(CombinationError::DifferentMonths(a.terms().month, b.terms().month));
    }
    if !a.terms().address.same_destination(&b.terms().address) {
        return Err(CombinationError::DifferentAddresses);
    }
    let (wa, wb) = (held_while_charging(a)?, held_while_charging(b)?);
    if wa != wb {
        return Err(CombinationError::DifferentWarehouses(wa, wb));
    }
    Ok(())
}

/// The warehouse holding the books of an order waiting for its payment.
fn held_while_charging(order: &Order) -> Result<Warehouse, CombinationError> {
    let not_combinable = CombinationError::NotCombinable { order_id: order.id(), status: order.status() };
    match order.stage() {
        Stage::Charging { .. } => order.warehouse().ok_or(not_combinable),
        _ => Err(not_combinable),
    }
}

/// What a combined pair does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coordination {
    /// Both are charged: `lead` requests the shared parcel, and `joiner` joins it.
    ShipTogether { lead: OrderId, joiner: OrderId },
    /// The other order dropped out: this one ships alone.
    ShipAlone(OrderId),
}

/// What `order` and its partner do next, now that `order` changed.
pub fn next_step(order: &Order, partner: &Order) -> Option<Coordination> {
    let paired = order.combination()?.partner == partner.id() && partner.combination()?.partner == order.id();
    if !paired {
        return None;
    }
    let charged = |o: &Order| matches!(o.stage(), Stage::Charged);
    let dropped_out = |o: &Order| o.outcome().is_some();
    match (charged(order), charged(partner)) {
        (true, true) => Some(Coordination::ShipTogether { lead: order.id(), joiner: partner.id() }),
        (true, false) if dropped_out(partner) => Some(Coordination::ShipAlone(order.id())),
        (false, true) if dropped_out(order) => Some(Coordination::ShipAlone(partner.id())),
        _ => None,
    }
}
