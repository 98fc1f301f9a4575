//! The `Reservation` aggregate: the copies one order holds (stream `reservation-<order id>`).
//!
//! Why a separate aggregate: a reservation spans several books (lines) in one warehouse and
//! must be all-or-nothing, and an order's requests must be idempotent whatever happened since
//! (held, released, shipped). Those are rules about the order, not about any one ledger. The
//! `Reservation` makes the decision from the free stock of each line, which the application
//! reads from the `StockItem`s in the same unit of work and passes in the command; then each
//! `StockItem` records its share. The unit of work commits the reservation and every ledger
//! together, or nothing: if a ledger disagreed with the facts it was read from, the whole
//! unit of work fails and nothing is held.
//!
//! The reservation also remembers whether the order's copies were lost in transit (shipping's
//! `shipment-damaged`), so that however often, and in however many messages, the damage is
//! reported, the ledgers record the loss once.

use std::collections::BTreeMap;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{OrderId, ShipmentId};
use crate::domain::isbn::Isbn;
use crate::domain::quantity::Quantity;
use crate::domain::warehouse::Warehouse;

/// What an order asks for. Invariant: 1 to 50 lines, each book once. Ordered by ISBN, so
/// that two requests for the same copies compare equal whatever order they listed them in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<ReservationLine>", into = "Vec<ReservationLine>")]
pub struct ReservationLines(BTreeMap<Isbn, Quantity>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationLine {
    pub isbn: Isbn,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReservationLinesError {
    #[error("a reservation needs at least one line")]
    NoLines,
    #[error("{lines} lines is more than the {max} one reservation may hold", max = ReservationLines::LINES_MAX)]
    TooManyLines { lines: usize },
    #[error("book {isbn} appears on two lines; ask for all its copies on one")]
    DuplicateIsbn { isbn: Isbn },
}

impl ReservationLines {
    pub const LINES_MAX: usize = 50;

    pub fn new(lines: impl IntoIterator<Item = ReservationLine>) -> Result<Self, ReservationLinesError> {
        let mut by_isbn = BTreeMap::new();
        for line in lines {
            if by_isbn.len() == Self::LINES_MAX {
                return Err(ReservationLinesError::TooManyLines { lines: Self::LINES_MAX + 1 });
            }
            if by_isbn.insert(line.isbn.clone(), line.quantity).is_some() {
                return Err(ReservationLinesError::DuplicateIsbn { isbn: line.isbn });
            }
        }
        if by_isbn.is_empty() {
            return Err(ReservationLinesError::NoLines);
        }
        Ok(Self(by_isbn))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Isbn, Quantity)> + '_ {
        self.0.iter().map(|(isbn, quantity)| (isbn, *quantity))
    }
}

impl TryFrom<Vec<ReservationLine>> for ReservationLines {
    type Error = ReservationLinesError;
    fn try_from(lines: Vec<ReservationLine>) -> Result<Self, Self::Error> {
        Self::new(lines)
    }
}

impl From<ReservationLines> for Vec<ReservationLine> {
    fn from(lines: ReservationLines) -> Self {
        lines.0.into_iter().map(|(isbn, quantity)| ReservationLine { isbn, quantity }).collect()
    }
}

/// What the shelf holds for one line's book when the reservation is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    NotCataloged,
    Unavailable,
    Listed { free: u64 },
}

/// The shelf of every line's book, read in the unit of work that decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockCheck(BTreeMap<Isbn, Shelf>);

impl StockCheck {
    pub fn insert(&mut self, isbn: Isbn, shelf: Shelf) {
        self.0.insert(isbn, shelf);
    }

    /// A book nobody looked up counts as unknown: deciding on a missing fact must not reserve.
    fn shelf(&self, isbn: &Isbn) -> Shelf {
        self.0.get(isbn).copied().unwrap_or(Shelf::NotCataloged)
    }
}

/// Why a reservation was refused. Ordered from the least to the most fundamental: when lines
/// fail for different reasons, the most fundamental one is the reservation's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RejectionReason {
    InsufficientStock,
    BookUnavailable,
    UnknownBook,
}

impl RejectionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectionReason::InsufficientStock => "insufficient-stock",
            RejectionReason::BookUnavailable => "book-unavailable",
            RejectionReason::UnknownBook => "unknown-book",
        }
    }
}

/// A line that could not be served: how many copies were asked for, how many could have been.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortage {
    pub isbn: Isbn,
    pub requested: Quantity,
    pub available: u64,
}

/// Copies an order holds (or held) at one warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub order_id: OrderId,
    pub warehouse: Warehouse,
    pub lines: ReservationLines,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub order_id: OrderId,
    pub warehouse: Warehouse,
    pub reason: RejectionReason,
    pub shortages: Vec<Shortage>,
}

/// The life of an order's reservation. A rejected request holds nothing, so the order may ask
/// again (after a restock, or at the other warehouse); once copies are held, the order's
/// reservation is that one for good. Shipped copies may later be lost in transit, with the
/// shipment shipping reported damaged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReservationState {
    #[default]
    Unrequested,
    Rejected(Rejection),
    Held(Hold),
    Released(Hold),
    Shipped(Hold),
    Lost {
        hold: Hold,
        shipment_id: ShipmentId,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reservation {
    state: ReservationState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReservationCommand {
    Reserve {
        order_id: OrderId,
        warehouse: Warehouse,
        lines: ReservationLines,
        stock: StockCheck,
    },
    Release {
        order_id: OrderId,
    },
    Ship {
        order_id: OrderId,
    },
    /// Shipping reported the parcel carrying the order damaged in transit: its copies are lost.
    RecordLossInTransit {
        order_id: OrderId,
        shipment_id: ShipmentId,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReservationEvent {
    StockReserved {
        order_id: OrderId,
        warehouse: Warehouse,
        lines: ReservationLines,
    },
    StockReservationRejected {
        order_id: OrderId,
        warehouse: Warehouse,
        reason: RejectionReason,
        shortages: Vec<Shortage>,
    },
    ReservationReleased {
        order_id: OrderId,
        warehouse: Warehouse,
        lines: ReservationLines,
    },
    ReservedStockShipped {
        order_id: OrderId,
        warehouse: Warehouse,
        lines: ReservationLines,
    },
    /// The copies shipped with the order were lost: `shipment_id` was damaged in transit.
    ShippedStockLost {
        order_id: OrderId,
        warehouse: Warehouse,
        lines: ReservationLines,
        shipment_id: ShipmentId,
    },
}

impl DomainEvent for ReservationEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReservationError {
    #[error("order {order_id} already holds a different reservation (at {warehouse})")]
    OrderAlreadyReserved { order_id: OrderId, warehouse: Warehouse },
    #[error("order {order_id} holds no reservation")]
    NotReserved { order_id: OrderId },
    #[error("order {order_id} has already shipped")]
    AlreadyShipped { order_id: OrderId },
    #[error("order {order_id}'s reservation was already released")]
    AlreadyReleased { order_id: OrderId },
}

impl Reservation {
    pub fn state(&self) -> &ReservationState {
        &self.state
    }

    fn reserve(
        &self,
        order_id: OrderId,
        warehouse: Warehouse,
        lines: &ReservationLines,
        stock: &StockCheck,
    ) -> Result<Vec<ReservationEvent>, ReservationError> {
        match &self.state {
            ReservationState::Unrequested | ReservationState::Rejected(_) => {}
            ReservationState::Held(hold)
            | ReservationState::Released(hold)
            | ReservationState::Shipped(hold)
            | ReservationState::Lost { hold, .. } => {
                // The order has had its copies: the same request again is a duplicate; another
                // one is a mistake of the sender's, not a new reservation.
                if hold.warehouse == warehouse && hold.lines == *lines {
                    return Ok(vec![]);
                }
                return Err(ReservationError::OrderAlreadyReserved { order_id, warehouse: hold.warehouse });
            }
        }
        let event = match assess(lines, stock) {
            None => ReservationEvent::StockReserved { order_id, warehouse, lines: lines.clone() },
            Some((reason, shortages)) => {
                ReservationEvent::StockReservationRejected { order_id, warehouse, reason, shortages }
            }
        };
        Ok(vec![event])
    }

    /// The copies of a parcel damaged in transit are lost, once. Shipping's report proves the
    /// copies left the building, so a reservation still held (the order's `ship-reservation`
    /// has not arrived yet: it travels through orders, the report comes straight from
    /// shipping) is shipped first, in the same decision; the `ship-reservation` that follows
    /// then finds it shipped and has no second effect.
    fn record_loss_in_transit(
        &self,
        order_id: OrderId,
        shipment_id: ShipmentId,
    ) -> Result<Vec<ReservationEvent>, ReservationError> {
        let lost = |hold: &Hold| ReservationEvent::ShippedStockLost {
            order_id: hold.order_id,
            warehouse: hold.warehouse,
            lines: hold.lines.clone(),
            shipment_id,
        };
        match &self.state {
            ReservationState::Shipped(hold) => Ok(vec![lost(hold)]),
            ReservationState::Held(hold) => Ok(vec![
                ReservationEvent::ReservedStockShipped {
                    order_id: hold.order_id,
                    warehouse: hold.warehouse,
                    lines: hold.lines.clone(),
                },
                lost(hold),
            ]),
            // Reported again (a second message, or another shipment naming the order): the
            // copies are lost once.
            ReservationState::Lost { .. } => Ok(vec![]),
            ReservationState::Released(_) => Err(ReservationError::AlreadyReleased { order_id }),
            ReservationState::Unrequested | ReservationState::Rejected(_) => {
                Err(ReservationError::NotReserved { order_id })
            }
        }
    }
}

/// All or nothing: the reason and the shortages if any line cannot be served, else `None`.
fn assess(lines: &ReservationLines, stock: &StockCheck) -> Option<(RejectionReason, Vec<Shortage>)> {
    let mut reason: Option<RejectionReason> = None;
    let mut shortages = Vec::new();
    for (isbn, requested) in lines.iter() {
        let (line_reason, available) = match stock.shelf(isbn) {
            Shelf::NotCataloged => (RejectionReason::UnknownBook, 0),
            Shelf::Unavailable => (RejectionReason::BookUnavailable, 0),
            Shelf::Listed { free } if requested.copies() > free => (RejectionReason::InsufficientStock, free),
            Shelf::Listed { .. } => continue,
        };
        shortages.push(Shortage { isbn: isbn.clone(), requested, available });
        reason = Some(reason.map_or(line_reason, |r| r.max(line_reason)));
    }
    reason.map(|reason| (reason, shortages))
}

impl Aggregate for Reservation {
    const CATEGORY: &'static str = "reservation";
    type Command = ReservationCommand;
    type Event = ReservationEvent;
    type Error = ReservationError;

    fn decide(&self, command: &ReservationCommand, _env: &Env<'_>) -> Result<Vec<ReservationEvent>, ReservationError> {
        match command {
            ReservationCommand::Reserve { order_id, warehouse, lines, stock } => {
                self.reserve(*order_id, *warehouse, lines, stock)
            }
            ReservationCommand::Release { order_id } => match &self.state {
                ReservationState::Held(hold) => Ok(vec![ReservationEvent::ReservationReleased {
                    order_id: hold.order_id,
                    warehouse: hold.warehouse,
                    lines: hold.lines.clone(),
                }]),
                ReservationState::Released(_) => Ok(vec![]),
                ReservationState::Shipped(_) | ReservationState::Lost { .. } => {
                    Err(ReservationError::AlreadyShipped { order_id: *order_id })
                }
                ReservationState::Unrequested | ReservationState::Rejected(_) => {
                    Err(ReservationError::NotReserved { order_id: *order_id })
                }
            },
            ReservationCommand::Ship { order_id } => match &self.state {
                ReservationState::Held(hold) => Ok(vec![ReservationEvent::ReservedStockShipped {
                    order_id: hold.order_id,
                    warehouse: hold.warehouse,
                    lines: hold.lines.clone(),
                }]),
                ReservationState::Shipped(_) | ReservationState::Lost { .. } => Ok(vec![]),
                ReservationState::Released(_) => Err(ReservationError::AlreadyReleased { order_id: *order_id }),
                ReservationState::Unrequested | ReservationState::Rejected(_) => {
                    Err(ReservationError::NotReserved { order_id: *order_id })
                }
            },
            ReservationCommand::RecordLossInTransit { order_id, shipment_id } => {
                self.record_loss_in_transit(*order_id, *shipment_id)
            }
        }
    }

    fn evolve(&mut self, event: &ReservationEvent) {
        let hold = |order_id: &OrderId, warehouse: &Warehouse, lines: &ReservationLines| Hold {
            order_id: *order_id,
            warehouse: *warehouse,
            lines: lines.clone(),
        };
        self.state = match event {
            ReservationEvent::StockReserved { order_id, warehouse, lines } => {
                ReservationState::Held(hold(order_id, warehouse, lines))
            }
            ReservationEvent::StockReservationRejected { order_id, warehouse, reason, shortages } => {
                ReservationState::Rejected(Rejection {
                    order_id: *order_id,
                    warehouse: *warehouse,
                    reason: *reason,
                    shortages: shortages.clone(),
                })
            }
            ReservationEvent::ReservationReleased { order_id, warehouse, lines } => {
                ReservationState::Released(hold(order_id, warehouse, lines))
            }
            ReservationEvent::ReservedStockShipped { order_id, warehouse, lines } => {
                ReservationState::Shipped(hold(order_id, warehouse, lines))
            }
            ReservationEvent::ShippedStockLost { order_id, warehouse, lines, shipment_id } => {
                ReservationState::Lost { hold: hold(order_id, warehouse, lines), shipment_id: *shipment_id }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::collections::BTreeSet;

    use kernel::testing::{given, run_commands};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    const DUNE: &str = "9780306406157";
    const EMMA: &str = "9780804429573";

    fn isbn(s: &str) -> Isbn {
        Isbn::parse(s).unwrap()
    }

    fn order() -> OrderId {
        OrderId::from_uuid(uuid::Uuid::from_u128(1))
    }

    fn lines(items: &[(&str, u64)]) -> ReservationLines {
        ReservationLines::new(
            items.iter().map(|(i, n)| ReservationLine { isbn: isbn(i), quantity: Quantity::new(*n).unwrap() }),
        )
        .unwrap()
    }

    fn stock(shelves: &[(&str, Shelf)]) -> StockCheck {
        let mut check = StockCheck::default();
        for (i, shelf) in shelves {
            check.insert(isbn(i), *shelf);
        }
        check
    }

    fn reserve(items: &[(&str, u64)], shelves: &[(&str, Shelf)]) -> ReservationCommand {
        ReservationCommand::Reserve {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            lines: lines(items),
            stock: stock(shelves),
        }
    }

    fn reserved(items: &[(&str, u64)]) -> ReservationEvent {
        ReservationEvent::StockReserved { order_id: order(), warehouse: Warehouse::Dallas, lines: lines(items) }
    }

    fn shipment(n: u128) -> ShipmentId {
        ShipmentId::from_uuid(uuid::Uuid::from_u128(0x5000 + n))
    }

    fn shipped(items: &[(&str, u64)]) -> ReservationEvent {
        ReservationEvent::ReservedStockShipped { order_id: order(), warehouse: Warehouse::Dallas, lines: lines(items) }
    }

    fn lost(items: &[(&str, u64)], n: u128) -> ReservationEvent {
        ReservationEvent::ShippedStockLost {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            lines: lines(items),
            shipment_id: shipment(n),
        }
    }

    fn lose(n: u128) -> ReservationCommand {
        ReservationCommand::RecordLossInTransit { order_id: order(), shipment_id: shipment(n) }
    }

    #[test]
    fn lines_name_each_book_once() {
        let line = |i: &str| ReservationLine { isbn: isbn(i), quantity: Quantity::new(1).unwrap() };
        assert_eq!(ReservationLines::new([]), Err(ReservationLinesError::NoLines));
        assert_eq!(
            ReservationLines::new([line(DUNE), line(EMMA), line(DUNE)]),
            Err(ReservationLinesError::DuplicateIsbn { isbn: isbn(DUNE) })
        );
        assert_eq!(lines(&[(EMMA, 1), (DUNE, 2)]), lines(&[(DUNE, 2), (EMMA, 1)]));
    }

    #[test]
    fn copies_are_reserved_when_every_line_can_be_served() {
        given::<Reservation>([])
            .when(reserve(
                &[(DUNE, 2), (EMMA, 1)],
                &[(DUNE, Shelf::Listed { free: 2 }), (EMMA, Shelf::Listed { free: 9 })],
            ))
            .then([reserved(&[(DUNE, 2), (EMMA, 1)])]);
    }

    #[test]
    fn one_short_line_rejects_the_whole_reservation_naming_every_shortage() {
        given::<Reservation>([])
            .when(reserve(
                &[(DUNE, 3), (EMMA, 1)],
                &[(DUNE, Shelf::Listed { free: 2 }), (EMMA, Shelf::Listed { free: 9 })],
            ))
            .then([ReservationEvent::StockReservationRejected {
                order_id: order(),
                warehouse: Warehouse::Dallas,
                reason: RejectionReason::InsufficientStock,
                shortages: vec![Shortage { isbn: isbn(DUNE), requested: Quantity::new(3).unwrap(), available: 2 }],
            }]);
    }

    #[test]
    fn the_most_fundamental_reason_is_given() {
        given::<Reservation>([])
            .when(reserve(&[(DUNE, 3), (EMMA, 1)], &[(DUNE, Shelf::Listed { free: 2 }), (EMMA, Shelf::Unavailable)]))
            .then([ReservationEvent::StockReservationRejected {
                order_id: order(),
                warehouse: Warehouse::Dallas,
                reason: RejectionReason::BookUnavailable,
                shortages: vec![
                    Shortage { isbn: isbn(DUNE), requested: Quantity::new(3).unwrap(), available: 2 },
                    Shortage { isbn: isbn(EMMA), requested: Quantity::new(1).unwrap(), available: 0 },
                ],
            }]);
        // A book nobody looked up is unknown.
        given::<Reservation>([]).when(reserve(&[(DUNE, 1)], &[])).then([ReservationEvent::StockReservationRejected {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            reason: RejectionReason::UnknownBook,
            shortages: vec![Shortage { isbn: isbn(DUNE), requested: Quantity::new(1).unwrap(), available: 0 }],
        }]);
    }

    #[test]
    fn a_repeated_request_has_no_second_effect_whatever_happened_since() {
        let request = || reserve(&[(DUNE, 2)], &[(DUNE, Shelf::Listed { free: 0 })]);
        given::<Reservation>([reserved(&[(DUNE, 2)])]).when(request()).then([]);
        let released = ReservationEvent::ReservationReleased {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            lines: lines(&[(DUNE, 2)]),
        };
        given::<Reservation>([reserved(&[(DUNE, 2)]), released]).when(request()).then([]);
    }

    #[test]
    fn a_different_request_for_an_order_that_holds_copies_is_refused() {
        given::<Reservation>([reserved(&[(DUNE, 2)])])
            .when(reserve(&[(DUNE, 3)], &[(DUNE, Shelf::Listed { free: 10 })]))
            .then_rejected(ReservationError::OrderAlreadyReserved { order_id: order(), warehouse: Warehouse::Dallas });
    }

    #[test]
    fn after_a_rejection_the_order_may_ask_again() {
        let rejected = ReservationEvent::StockReservationRejected {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            reason: RejectionReason::InsufficientStock,
            shortages: vec![],
        };
        given::<Reservation>([rejected])
            .when(reserve(&[(DUNE, 2)], &[(DUNE, Shelf::Listed { free: 2 })]))
            .then([reserved(&[(DUNE, 2)])]);
    }

    #[test]
    fn held_copies_are_released_or_shipped_once() {
        let released = ReservationEvent::ReservationReleased {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            lines: lines(&[(DUNE, 2)]),
        };
        let shipped = ReservationEvent::ReservedStockShipped {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            lines: lines(&[(DUNE, 2)]),
        };
        given::<Reservation>([reserved(&[(DUNE, 2)])])
            .when(ReservationCommand::Release { order_id: order() })
            .then([released.clone()]);
        given::<Reservation>([reserved(&[(DUNE, 2)])])
            .when(ReservationCommand::Ship { order_id: order() })
            .then([shipped.clone()]);
        given::<Reservation>([reserved(&[(DUNE, 2)]), released.clone()])
            .when(ReservationCommand::Release { order_id: order() })
            .then([]);
        given::<Reservation>([reserved(&[(DUNE, 2)]), shipped.clone()])
            .when(ReservationCommand::Ship { order_id: order() })
            .then([]);
        given::<Reservation>([reserved(&[(DUNE, 2)]), shipped])
            .when(ReservationCommand::Release { order_id: order() })
            .then_rejected(ReservationError::AlreadyShipped { order_id: order() });
        given::<Reservation>([reserved(&[(DUNE, 2)]), released])
            .when(ReservationCommand::Ship { order_id: order() })
            .then_rejected(ReservationError::AlreadyReleased { order_id: order() });
        given::<Reservation>([])
            .when(ReservationCommand::Ship { order_id: order() })
            .then_rejected(ReservationError::NotReserved { order_id: order() });
    }

    #[test]
    fn shipped_copies_lost_in_transit_are_recorded_with_the_shipment() {
        let reservation = given::<Reservation>([reserved(&[(DUNE, 2), (EMMA, 1)]), shipped(&[(DUNE, 2), (EMMA, 1)])])
            .when(lose(1))
            .then([lost(&[(DUNE, 2), (EMMA, 1)], 1)]);
        assert!(
            matches!(reservation.state(), ReservationState::Lost { shipment_id, .. } if *shipment_id == shipment(1))
        );
    }

    #[test]
    fn copies_are_lost_in_transit_once_however_often_the_damage_is_reported() {
        let history = [reserved(&[(DUNE, 2)]), shipped(&[(DUNE, 2)]), lost(&[(DUNE, 2)], 1)];
        given::<Reservation>(history.clone()).when(lose(1)).then([]);
        // Another report naming the order (another message, even another shipment id).
        given::<Reservation>(history.clone()).when(lose(2)).then([]);
        // Lost copies had shipped: shipping again changes nothing, releasing is refused.
        given::<Reservation>(history.clone()).when(ReservationCommand::Ship { order_id: order() }).then([]);
        given::<Reservation>(history)
            .when(ReservationCommand::Release { order_id: order() })
            .then_rejected(ReservationError::AlreadyShipped { order_id: order() });
    }

    #[test]
    fn a_damage_report_overtaking_the_ship_request_ships_then_loses_the_held_copies() {
        given::<Reservation>([reserved(&[(DUNE, 2)])])
            .when(lose(1))
            .then([shipped(&[(DUNE, 2)]), lost(&[(DUNE, 2)], 1)]);
        // The `ship-reservation` that arrives afterwards has nothing left to do.
        given::<Reservation>([reserved(&[(DUNE, 2)]), shipped(&[(DUNE, 2)]), lost(&[(DUNE, 2)], 1)])
            .when(ReservationCommand::Ship { order_id: order() })
            .then([]);
    }

    #[test]
    fn an_order_that_never_shipped_from_here_cannot_lose_copies_in_transit() {
        given::<Reservation>([]).when(lose(1)).then_rejected(ReservationError::NotReserved { order_id: order() });
        let rejected = ReservationEvent::StockReservationRejected {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            reason: RejectionReason::InsufficientStock,
            shortages: vec![],
        };
        given::<Reservation>([rejected])
            .when(lose(1))
            .then_rejected(ReservationError::NotReserved { order_id: order() });
        let released = ReservationEvent::ReservationReleased {
            order_id: order(),
            warehouse: Warehouse::Dallas,
            lines: lines(&[(DUNE, 2)]),
        };
        given::<Reservation>([reserved(&[(DUNE, 2)]), released])
            .when(lose(1))
            .then_rejected(ReservationError::AlreadyReleased { order_id: order() });
    }

    fn commands() -> impl Strategy<Value = Vec<ReservationCommand>> {
        let shelf = prop_oneof![
            Just(Shelf::NotCataloged),
            Just(Shelf::Unavailable),
            (0u64..6).prop_map(|free| Shelf::Listed { free }),
        ];
        let warehouse = prop_oneof![Just(Warehouse::Dallas), Just(Warehouse::Chicago)];
        let reserve = (warehouse, 1u64..4, proptest::option::of(1u64..4), shelf.clone(), shelf).prop_map(
            |(warehouse, dune, emma, dune_shelf, emma_shelf)| {
                let mut items = vec![(DUNE, dune)];
                items.extend(emma.map(|n| (EMMA, n)));
                ReservationCommand::Reserve {
                    order_id: order(),
                    warehouse,
                    lines: lines(&items),
                    stock: stock(&[(DUNE, dune_shelf), (EMMA, emma_shelf)]),
                }
            },
        );
        let command = prop_oneof![
            3 => reserve,
            1 => Just(ReservationCommand::Release { order_id: order() }),
            1 => Just(ReservationCommand::Ship { order_id: order() }),
            1 => (1u128..3).prop_map(lose),
        ];
        proptest::collection::vec(command, 0..20)
    }

    /// The invariant, checked after each accepted command against the state before it: the
    /// state is well formed, and it only moves forward. (Compared with the state before, so
    /// one per run.)
    fn holds_once_and_settles_forward() -> impl Fn(&Reservation) -> Result<(), String> {
        let before = RefCell::new(Reservation::default());
        move |now| {
            let was = before.replace(now.clone());
            well_formed(&now.state)?;
            settles_forward(&was.state, &now.state)
        }
    }

    /// Once a command is accepted the order has asked; everything is about this order; a
    /// rejection names each short line once, and each is short.
    fn well_formed(state: &ReservationState) -> Result<(), String> {
        let order_id = match state {
            ReservationState::Unrequested => return Err("a command was accepted, yet nothing was asked".into()),
            ReservationState::Rejected(rejection) => {
                let mut short = BTreeSet::new();
                if rejection.shortages.is_empty() {
                    return Err(format!("rejected with no shortage: {rejection:?}"));
                }
                for s in &rejection.shortages {
                    if s.available >= s.requested.copies() || !short.insert(&s.isbn) {
                        return Err(format!("{s:?} is no shortage, or is named twice, in {rejection:?}"));
                    }
                }
                rejection.order_id
            }
            ReservationState::Held(hold)
            | ReservationState::Released(hold)
            | ReservationState::Shipped(hold)
            | ReservationState::Lost { hold, .. } => hold.order_id,
        };
        match order_id == order() {
            true => Ok(()),
            false => Err(format!("the reservation of {} is about {order_id}", order())),
        }
    }

    /// Until copies are held the order may ask again; once held, the hold never changes: it
    /// is released (for good), or shipped and then perhaps lost (for good, with the shipment
    /// first reported).
    fn settles_forward(was: &ReservationState, now: &ReservationState) -> Result<(), String> {
        use ReservationState::{Held, Lost, Rejected, Released, Shipped, Unrequested};
        let forward = match (was, now) {
            (Unrequested | Rejected(_), Rejected(_) | Held(_)) => true,
            (Held(a), Held(b) | Released(b) | Shipped(b) | Lost { hold: b, .. }) => a == b,
            (Released(a), Released(b)) => a == b,
            (Shipped(a), Shipped(b) | Lost { hold: b, .. }) => a == b,
            (Lost { .. }, _) => now == was,
            _ => false,
        };
        match forward {
            true => Ok(()),
            false => Err(format!("{was:?} became {now:?}")),
        }
    }

    /// Whatever the sequence of requests: copies are held at most once, an order's held
    /// copies are released or shipped at most once, never both, and lost in transit at most
    /// once, only after they shipped; copies are held only as asked, where the shelf had them.
    #[test]
    fn an_order_holds_copies_at_most_once_and_settles_at_most_once() {
        proptest!(|(commands in commands())| {
            let run = run_commands::<Reservation>(&commands, holds_once_and_settles_forward())?;
            for event in &run.events {
                if let ReservationEvent::StockReserved { warehouse, lines, .. } = event {
                    let asked_and_free = commands.iter().any(|c| matches!(c,
                        ReservationCommand::Reserve { warehouse: w, lines: l, stock, .. }
                            if w == warehouse && l == lines && l.iter().all(|(isbn, asked)| {
                                matches!(stock.shelf(isbn), Shelf::Listed { free } if free >= asked.copies())
                            })
                    ));
                    prop_assert!(asked_and_free, "{:?} held without a request the shelf could serve", event);
                }
            }
            let count = |f: fn(&ReservationEvent) -> bool| run.events.iter().filter(|e| f(e)).count();
            let held = count(|e| matches!(e, ReservationEvent::StockReserved { .. }));
            let settled = count(|e| {
                matches!(e, ReservationEvent::ReservationReleased { .. } | ReservationEvent::ReservedStockShipped { .. })
            });
            prop_assert!(held <= 1, "held {} times", held);
            prop_assert!(settled <= held, "settled {} times after holding {} times", settled, held);
            let lost = count(|e| matches!(e, ReservationEvent::ShippedStockLost { .. }));
            prop_assert!(lost <= 1, "lost {} times", lost);
            let shipped_at = run.events.iter().position(|e| matches!(e, ReservationEvent::ReservedStockShipped { .. }));
            let lost_at = run.events.iter().position(|e| matches!(e, ReservationEvent::ShippedStockLost { .. }));
            if let Some(lost_at) = lost_at {
                prop_assert!(shipped_at.is_some_and(|s| s < lost_at), "lost without shipping first: {:?}", run.events);
            }
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[
            reserved(&[(DUNE, 2), (EMMA, 1)]),
            ReservationEvent::StockReservationRejected {
                order_id: order(),
                warehouse: Warehouse::Chicago,
                reason: RejectionReason::InsufficientStock,
                shortages: vec![Shortage { isbn: isbn(DUNE), requested: Quantity::new(3).unwrap(), available: 1 }],
            },
            ReservationEvent::ReservationReleased {
                order_id: order(),
                warehouse: Warehouse::Dallas,
                lines: lines(&[(DUNE, 2)])
            },
            ReservationEvent::ReservedStockShipped {
                order_id: order(),
                warehouse: Warehouse::Dallas,
                lines: lines(&[(DUNE, 2)])
            },
            lost(&[(DUNE, 2)], 1),
        ]));
    }
}
