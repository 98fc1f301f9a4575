//! The `StockItem` aggregate: the ledger of one book at one warehouse (stream
//! `stock-item-<isbn>-<warehouse>`).
//!
//! Why this boundary: every rule about copies ("on hand never negative", "reserved never above
//! on hand", "a reservation for the same order is idempotent") is about one book in one
//! building, so one small stream per (ISBN, warehouse) enforces them all without locking the
//! catalog entry or the other warehouse. A multi-line reservation touches several of these
//! streams in one unit of work, which commits atomically.
//!
//! The ledger balances at all times:
//!
//! ```text
//! received + transferred_in = on_hand + shipped + damaged + lost + in_transit + transferred_out
//! ```
//!
//! `in_transit` counts copies this warehouse dispatched that the destination has not yet
//! received. The dispatching ledger keeps them until the destination signs for them; the
//! receipt moves them, in one unit of work, from this `in_transit` to `transferred_out` here
//! and to `on_hand` there. So a copy in transit is counted exactly once, here, and summed over
//! every warehouse of a book the transfer terms cancel out:
//! `received = on_hand + shipped + damaged + lost + in_transit`.
//!
//! `shipped` counts the copies that left with an order and are still taken to have reached
//! it. When shipping reports the parcel damaged in transit, the order's copies move from
//! `shipped` to `lost` (`shipped-copies-lost`), and `lost_in_shipment` remembers how many of
//! the `lost` copies were lost that way rather than missing from the shelves. The ledger does
//! not know which orders shipped from it (it forgets a reservation once shipped), so it only
//! refuses to lose more than it shipped; that an order's copies are lost at most once is the
//! `Reservation`'s rule, decided in the same unit of work.

use std::collections::BTreeMap;
use std::fmt;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{OrderId, TransferId};
use crate::domain::isbn::Isbn;
use crate::domain::quantity::Quantity;
use crate::domain::warehouse::Warehouse;

/// Which ledger: one book at one warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockItemId {
    pub isbn: Isbn,
    pub warehouse: Warehouse,
}

impl StockItemId {
    pub fn new(isbn: Isbn, warehouse: Warehouse) -> Self {
        Self { isbn, warehouse }
    }
}

impl fmt::Display for StockItemId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.isbn, self.warehouse)
    }
}

/// The ledger. Counters only grow, except `on_hand`, which every outflow draws from, and
/// `shipped`, which a shipment lost in transit draws from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StockItem {
    /// Copies received from publishers.
    received: u64,
    /// Copies received from other warehouses.
    transferred_in: u64,
    on_hand: u64,
    shipped: u64,
    damaged: u64,
    lost: u64,
    /// Of `lost`: copies shipped with an order whose parcel was damaged in transit.
    lost_in_shipment: u64,
    /// Copies of completed transfers to other warehouses.
    transferred_out: u64,
    /// Open reservations (not yet shipped or released), by order. Bounded by the open orders.
    reservations: BTreeMap<OrderId, Quantity>,
    /// Transfers dispatched from here and not yet received.
    outgoing: BTreeMap<TransferId, OutgoingTransfer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingTransfer {
    pub to: Warehouse,
    pub quantity: Quantity,
}

/// Why copies left the ledger without being shipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WriteOffReason {
    Damaged,
    Lost,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StockCommand {
    /// A publisher's shipment arrived.
    ReceiveShipment { quantity: Quantity },
    /// Set copies aside for an order.
    Reserve { order_id: OrderId, quantity: Quantity },
    /// Return an order's reserved copies to the free stock.
    Release { order_id: OrderId },
    /// The order's reserved copies left the building.
    Ship { order_id: OrderId },
    /// Copies shipped with an order were lost: its parcel was damaged in transit. `quantity`
    /// is the order's line here, as its reservation held it.
    RecordLossInTransit { order_id: OrderId, quantity: Quantity },
    /// Copies found damaged or lost. Only free copies can be written off: a reserved copy
    /// belongs to an order, which must be released first (its owner decides what then).
    WriteOff { quantity: Quantity, reason: WriteOffReason },
    /// Send free copies to another warehouse.
    DispatchTransfer { transfer_id: TransferId, to: Warehouse, quantity: Quantity },
    /// The destination received a transfer dispatched from here.
    ConfirmTransferDelivered { transfer_id: TransferId },
    /// Copies of a transfer from another warehouse arrived here.
    ReceiveTransfer { transfer_id: TransferId, from: Warehouse, quantity: Quantity },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StockEvent {
    ShipmentReceived {
        quantity: Quantity,
    },
    CopiesReserved {
        order_id: OrderId,
        quantity: Quantity,
    },
    ReservedCopiesReleased {
        order_id: OrderId,
        quantity: Quantity,
    },
    ReservedCopiesShipped {
        order_id: OrderId,
        quantity: Quantity,
    },
    /// The copies shipped with the order were lost in transit: from `shipped` to `lost`.
    ShippedCopiesLost {
        order_id: OrderId,
        quantity: Quantity,
    },
    CopiesWrittenOff {
        quantity: Quantity,
        reason: WriteOffReason,
    },
    TransferDispatched {
        transfer_id: TransferId,
        to: Warehouse,
        quantity: Quantity,
    },
    TransferDelivered {
        transfer_id: TransferId,
        to: Warehouse,
        quantity: Quantity,
    },
    TransferReceived {
        transfer_id: TransferId,
        from: Warehouse,
        quantity: Quantity,
    },
}

impl DomainEvent for StockEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("only {free} free copies; {requested} requested")]
    NotEnoughFreeCopies { requested: u32, free: u64 },
    #[error("order {order_id} already holds {held} copies; it cannot hold {requested}")]
    ReservationMismatch { order_id: OrderId, held: u32, requested: u32 },
    #[error("order {order_id} holds no copies here")]
    NoReservation { order_id: OrderId },
    #[error("no transfer {transfer_id} is in transit from here")]
    UnknownTransfer { transfer_id: TransferId },
    #[error("transfer {transfer_id} is already in transit")]
    TransferIdReused { transfer_id: TransferId },
    #[error("order {order_id} cannot have lost {requested} copies: only {shipped} shipped copies are unaccounted for")]
    MoreLostThanShipped { order_id: OrderId, requested: u32, shipped: u64 },
}

impl StockItem {
    pub fn received(&self) -> u64 {
        self.received
    }
    pub fn transferred_in(&self) -> u64 {
        self.transferred_in
    }
    pub fn on_hand(&self) -> u64 {
        self.on_hand
    }
    pub fn shipped(&self) -> u64 {
        self.shipped
    }
    pub fn damaged(&self) -> u64 {
        self.damaged
    }
    pub fn lost(&self) -> u64 {
        self.lost
    }
    /// Of [`lost`](Self::lost): the copies lost with parcels damaged in transit.
    pub fn lost_in_shipment(&self) -> u64 {
        self.lost_in_shipment
    }
    pub fn transferred_out(&self) -> u64 {
        self.transferred_out
    }

    pub fn reserved(&self) -> u64 {
        self.reservations.values().map(|q| q.copies()).sum()
    }

    /// Copies on hand that no order holds: what may be reserved, written off or transferred.
    pub fn free(&self) -> u64 {
        self.on_hand.saturating_sub(self.reserved())
    }

    pub fn in_transit(&self) -> u64 {
        self.outgoing.values().map(|t| t.quantity.copies()).sum()
    }

    pub fn outgoing(&self) -> impl Iterator<Item = (TransferId, OutgoingTransfer)> + '_ {
        self.outgoing.iter().map(|(id, transfer)| (*id, *transfer))
    }

    pub fn outgoing_transfer(&self, transfer_id: TransferId) -> Option<OutgoingTransfer> {
        self.outgoing.get(&transfer_id).copied()
    }

    fn ensure_free(&self, quantity: Quantity) -> Result<(), StockError> {
        let free = self.free();
        if quantity.copies() > free {
            return Err(StockError::NotEnoughFreeCopies { requested: quantity.get(), free });
        }
        Ok(())
    }

    fn held_by(&self, order_id: OrderId) -> Result<Quantity, StockError> {
        self.reservations.get(&order_id).copied().ok_or(StockError::NoReservation { order_id })
    }
}

impl Aggregate for StockItem {
    const CATEGORY: &'static str = "stock-item";
    type Command = StockCommand;
    type Event = StockEvent;
    type Error = StockError;

    fn decide(&self, command: &StockCommand, _env: &Env<'_>) -> Result<Vec<StockEvent>, StockError> {
        let event = match *command {
            StockCommand::ReceiveShipment { quantity } => StockEvent::ShipmentReceived { quantity },
            StockCommand::Reserve { order_id, quantity } => match self.reservations.get(&order_id) {
                // The same order asking again for what it holds: already done.
                Some(held) if *held == quantity => return Ok(vec![]),
                Some(held) => {
                    return Err(StockError::ReservationMismatch {
                        order_id,
                        held: held.get(),
                        requested: quantity.get(),
                    })
                }
                None => {
                    self.ensure_free(quantity)?;
                    StockEvent::CopiesReserved { order_id, quantity }
                }
            },
            StockCommand::Release { order_id } => {
                StockEvent::ReservedCopiesReleased { order_id, quantity: self.held_by(order_id)? }
            }
            StockCommand::Ship { order_id } => {
                StockEvent::ReservedCopiesShipped { order_id, quantity: self.held_by(order_id)? }
            }
            StockCommand::RecordLossInTransit { order_id, quantity } => {
                if quantity.copies() > self.shipped {
                    return Err(StockError::MoreLostThanShipped {
                        order_id,
                        requested: quantity.get(),
                        shipped: self.shipped,
                    });
                }
                StockEvent::ShippedCopiesLost { order_id, quantity }
            }
            StockCommand::WriteOff { quantity, reason } => {
                self.ensure_free(quantity)?;
                StockEvent::CopiesWrittenOff { quantity, reason }
            }
            StockCommand::DispatchTransfer { transfer_id, to, quantity } => {
                if self.outgoing.contains_key(&transfer_id) {
                    return Err(StockError::TransferIdReused { transfer_id });
                }
                self.ensure_free(quantity)?;
                StockEvent::TransferDispatched { transfer_id, to, quantity }
            }
            StockCommand::ConfirmTransferDelivered { transfer_id } => {
                let transfer =
                    self.outgoing_transfer(transfer_id).ok_or(StockError::UnknownTransfer { transfer_id })?;
                StockEvent::TransferDelivered { transfer_id, to: transfer.to, quantity: transfer.quantity }
            }
            StockCommand::ReceiveTransfer { transfer_id, from, quantity } => {
                StockEvent::TransferReceived { transfer_id, from, quantity }
            }
        };
        Ok(vec![event])
    }

    // Subtractions saturate so that replaying a damaged history cannot panic; `decide` never
    // emits an event that would need them to, and the ledger invariant would show it if it did.
    fn evolve(&mut self, event: &StockEvent) {
        match *event {
            StockEvent::ShipmentReceived { quantity } => {
                self.received += quantity.copies();
                self.on_hand += quantity.copies();
            }
            StockEvent::CopiesReserved { order_id, quantity } => {
                self.reservations.insert(order_id, quantity);
            }
            StockEvent::ReservedCopiesReleased { order_id, .. } => {
                self.reservations.remove(&order_id);
            }
            StockEvent::ReservedCopiesShipped { order_id, quantity } => {
                self.reservations.remove(&order_id);
                self.on_hand = self.on_hand.saturating_sub(quantity.copies());
                self.shipped += quantity.copies();
            }
            StockEvent::ShippedCopiesLost { quantity, .. } => {
                self.shipped = self.shipped.saturating_sub(quantity.copies());
                self.lost += quantity.copies();
                self.lost_in_shipment += quantity.copies();
            }
            StockEvent::CopiesWrittenOff { quantity, reason } => {
                self.on_hand = self.on_hand.saturating_sub(quantity.copies());
                match reason {
                    WriteOffReason::Damaged => self.damaged += quantity.copies(),
                    WriteOffReason::Lost => self.lost += quantity.copies(),
                }
            }
            StockEvent::TransferDispatched { transfer_id, to, quantity } => {
                self.on_hand = self.on_hand.saturating_sub(quantity.copies());
                self.outgoing.insert(transfer_id, OutgoingTransfer { to, quantity });
            }
            StockEvent::TransferDelivered { transfer_id, quantity, .. } => {
                self.outgoing.remove(&transfer_id);
                self.transferred_out += quantity.copies();
            }
            StockEvent::TransferReceived { quantity, .. } => {
                self.transferred_in += quantity.copies();
                self.on_hand += quantity.copies();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::ids::SequentialIds;
    use kernel::testing::{check_aggregate, given};
    use kernel::Timestamp;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    fn q(n: u64) -> Quantity {
        Quantity::new(n).unwrap()
    }

    fn order(n: u128) -> OrderId {
        OrderId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn transfer(n: u128) -> TransferId {
        TransferId::from_uuid(uuid::Uuid::from_u128(0x7000 + n))
    }

    fn received(n: u64) -> StockEvent {
        StockEvent::ShipmentReceived { quantity: q(n) }
    }

    /// The ledger's invariants, checked after every accepted command by the proptest.
    fn ledger_balances(item: &StockItem) -> Result<(), String> {
        let inflow = item.received + item.transferred_in;
        let outflow = item.on_hand + item.shipped + item.damaged + item.lost + item.in_transit() + item.transferred_out;
        if inflow != outflow {
            return Err(format!("conservation broken: {inflow} copies came in, {outflow} are accounted for: {item:?}"));
        }
        if item.reserved() > item.on_hand {
            return Err(format!("{} copies reserved but only {} on hand", item.reserved(), item.on_hand));
        }
        if item.lost_in_shipment > item.lost {
            return Err(format!("{} copies lost in shipment but only {} lost", item.lost_in_shipment, item.lost));
        }
        Ok(())
    }

    /// Every open reservation, asked for again, has no effect.
    fn reservations_are_idempotent(item: &StockItem) -> Result<(), String> {
        let ids = SequentialIds::new(0);
        let env = Env { now: Timestamp::UNIX_EPOCH, ids: &ids };
        for (order_id, quantity) in &item.reservations {
            let again = item.decide(&StockCommand::Reserve { order_id: *order_id, quantity: *quantity }, &env);
            if again != Ok(vec![]) {
                return Err(format!("reserving again for {order_id} gave {again:?}"));
            }
        }
        Ok(())
    }

    #[test]
    fn a_shipment_from_a_publisher_adds_copies() {
        let item = given::<StockItem>([]).when(StockCommand::ReceiveShipment { quantity: q(10) }).then([received(10)]);
        assert_eq!((item.on_hand(), item.received(), item.free()), (10, 10, 10));
    }

    #[test]
    fn free_copies_can_be_reserved_for_an_order() {
        let item = given::<StockItem>([received(10)])
            .when(StockCommand::Reserve { order_id: order(1), quantity: q(4) })
            .then([StockEvent::CopiesReserved { order_id: order(1), quantity: q(4) }]);
        assert_eq!((item.on_hand(), item.reserved(), item.free()), (10, 4, 6));
    }

    #[test]
    fn no_more_than_the_free_copies_can_be_reserved() {
        given::<StockItem>([received(5), StockEvent::CopiesReserved { order_id: order(1), quantity: q(3) }])
            .when(StockCommand::Reserve { order_id: order(2), quantity: q(3) })
            .then_rejected(StockError::NotEnoughFreeCopies { requested: 3, free: 2 });
    }

    #[test]
    fn reserving_again_for_the_same_order_changes_nothing() {
        given::<StockItem>([received(5), StockEvent::CopiesReserved { order_id: order(1), quantity: q(3) }])
            .when(StockCommand::Reserve { order_id: order(1), quantity: q(3) })
            .then([]);
    }

    #[test]
    fn the_same_order_cannot_hold_two_different_quantities() {
        given::<StockItem>([received(5), StockEvent::CopiesReserved { order_id: order(1), quantity: q(3) }])
            .when(StockCommand::Reserve { order_id: order(1), quantity: q(2) })
            .then_rejected(StockError::ReservationMismatch { order_id: order(1), held: 3, requested: 2 });
    }

    #[test]
    fn releasing_returns_the_copies_to_the_free_stock() {
        let item = given::<StockItem>([received(5), StockEvent::CopiesReserved { order_id: order(1), quantity: q(3) }])
            .when(StockCommand::Release { order_id: order(1) })
            .then([StockEvent::ReservedCopiesReleased { order_id: order(1), quantity: q(3) }]);
        assert_eq!((item.on_hand(), item.free()), (5, 5));
        given::<StockItem>([received(5)])
            .when(StockCommand::Release { order_id: order(1) })
            .then_rejected(StockError::NoReservation { order_id: order(1) });
    }

    #[test]
    fn shipping_takes_the_reserved_copies_off_hand() {
        let item = given::<StockItem>([received(5), StockEvent::CopiesReserved { order_id: order(1), quantity: q(3) }])
            .when(StockCommand::Ship { order_id: order(1) })
            .then([StockEvent::ReservedCopiesShipped { order_id: order(1), quantity: q(3) }]);
        assert_eq!((item.on_hand(), item.reserved(), item.shipped()), (2, 0, 3));
        given::<StockItem>([received(5)])
            .when(StockCommand::Ship { order_id: order(2) })
            .then_rejected(StockError::NoReservation { order_id: order(2) });
    }

    #[test]
    fn copies_lost_in_transit_move_from_shipped_to_lost() {
        let history = [
            received(5),
            StockEvent::CopiesReserved { order_id: order(1), quantity: q(3) },
            StockEvent::ReservedCopiesShipped { order_id: order(1), quantity: q(3) },
        ];
        let item = given::<StockItem>(history)
            .when(StockCommand::RecordLossInTransit { order_id: order(1), quantity: q(3) })
            .then([StockEvent::ShippedCopiesLost { order_id: order(1), quantity: q(3) }]);
        assert_eq!((item.on_hand(), item.shipped(), item.lost(), item.lost_in_shipment()), (2, 0, 3, 3));
        assert_eq!((item.free(), item.received()), (2, 5), "the free stock is untouched: the copies had left");
    }

    #[test]
    fn no_more_copies_can_be_lost_in_transit_than_were_shipped() {
        let history = [
            received(5),
            StockEvent::CopiesReserved { order_id: order(1), quantity: q(2) },
            StockEvent::ReservedCopiesShipped { order_id: order(1), quantity: q(2) },
        ];
        given::<StockItem>(history)
            .when(StockCommand::RecordLossInTransit { order_id: order(2), quantity: q(3) })
            .then_rejected(StockError::MoreLostThanShipped { order_id: order(2), requested: 3, shipped: 2 });
        // Copies still reserved have not left: they cannot be lost in transit.
        given::<StockItem>([received(5), StockEvent::CopiesReserved { order_id: order(1), quantity: q(2) }])
            .when(StockCommand::RecordLossInTransit { order_id: order(1), quantity: q(2) })
            .then_rejected(StockError::MoreLostThanShipped { order_id: order(1), requested: 2, shipped: 0 });
    }

    #[test]
    fn damaged_and_lost_copies_are_written_off_from_free_stock_only() {
        let history = [received(5), StockEvent::CopiesReserved { order_id: order(1), quantity: q(3) }];
        let item = given::<StockItem>(history.clone())
            .when(StockCommand::WriteOff { quantity: q(2), reason: WriteOffReason::Damaged })
            .then([StockEvent::CopiesWrittenOff { quantity: q(2), reason: WriteOffReason::Damaged }]);
        assert_eq!((item.on_hand(), item.damaged(), item.lost()), (3, 2, 0));
        given::<StockItem>(history)
            .when(StockCommand::WriteOff { quantity: q(3), reason: WriteOffReason::Lost })
            .then_rejected(StockError::NotEnoughFreeCopies { requested: 3, free: 2 });
    }

    #[test]
    fn a_dispatched_transfer_is_in_transit_until_delivered() {
        let dispatched =
            StockEvent::TransferDispatched { transfer_id: transfer(1), to: Warehouse::Chicago, quantity: q(4) };
        let item = given::<StockItem>([received(5)])
            .when(StockCommand::DispatchTransfer { transfer_id: transfer(1), to: Warehouse::Chicago, quantity: q(4) })
            .then([dispatched.clone()]);
        assert_eq!((item.on_hand(), item.in_transit()), (1, 4));
        let item = given::<StockItem>([received(5), dispatched.clone()])
            .when(StockCommand::ConfirmTransferDelivered { transfer_id: transfer(1) })
            .then([StockEvent::TransferDelivered { transfer_id: transfer(1), to: Warehouse::Chicago, quantity: q(4) }]);
        assert_eq!((item.on_hand(), item.in_transit(), item.transferred_out()), (1, 0, 4));
        given::<StockItem>([received(5), dispatched])
            .when(StockCommand::DispatchTransfer { transfer_id: transfer(1), to: Warehouse::Chicago, quantity: q(1) })
            .then_rejected(StockError::TransferIdReused { transfer_id: transfer(1) });
    }

    #[test]
    fn only_free_copies_can_be_transferred_and_only_known_transfers_delivered() {
        given::<StockItem>([received(2)])
            .when(StockCommand::DispatchTransfer { transfer_id: transfer(1), to: Warehouse::Chicago, quantity: q(3) })
            .then_rejected(StockError::NotEnoughFreeCopies { requested: 3, free: 2 });
        given::<StockItem>([received(2)])
            .when(StockCommand::ConfirmTransferDelivered { transfer_id: transfer(9) })
            .then_rejected(StockError::UnknownTransfer { transfer_id: transfer(9) });
    }

    #[test]
    fn a_received_transfer_adds_copies_on_hand() {
        let item = given::<StockItem>([])
            .when(StockCommand::ReceiveTransfer { transfer_id: transfer(1), from: Warehouse::Dallas, quantity: q(4) })
            .then([StockEvent::TransferReceived { transfer_id: transfer(1), from: Warehouse::Dallas, quantity: q(4) }]);
        assert_eq!((item.on_hand(), item.transferred_in(), item.received()), (4, 4, 0));
    }

    fn commands() -> impl Strategy<Value = Vec<StockCommand>> {
        let quantity = (1u64..=12).prop_map(q);
        let order = (1u128..=3).prop_map(order);
        let transfer = (1u128..=3).prop_map(transfer);
        let warehouse = prop_oneof![Just(Warehouse::Dallas), Just(Warehouse::Chicago)];
        let reason = prop_oneof![Just(WriteOffReason::Damaged), Just(WriteOffReason::Lost)];
        let command = prop_oneof![
            3 => quantity.clone().prop_map(|quantity| StockCommand::ReceiveShipment { quantity }),
            4 => (order.clone(), quantity.clone()).prop_map(|(order_id, quantity)| StockCommand::Reserve { order_id, quantity }),
            2 => order.clone().prop_map(|order_id| StockCommand::Release { order_id }),
            2 => order.clone().prop_map(|order_id| StockCommand::Ship { order_id }),
            1 => (order, quantity.clone())
                .prop_map(|(order_id, quantity)| StockCommand::RecordLossInTransit { order_id, quantity }),
            1 => (quantity.clone(), reason).prop_map(|(quantity, reason)| StockCommand::WriteOff { quantity, reason }),
            2 => (transfer.clone(), warehouse.clone(), quantity.clone())
                .prop_map(|(transfer_id, to, quantity)| StockCommand::DispatchTransfer { transfer_id, to, quantity }),
            2 => transfer.clone().prop_map(|transfer_id| StockCommand::ConfirmTransferDelivered { transfer_id }),
            1 => (transfer, warehouse, quantity)
                .prop_map(|(transfer_id, from, quantity)| StockCommand::ReceiveTransfer { transfer_id, from, quantity }),
        ];
        proptest::collection::vec(command, 0..40)
    }

    /// The conservation law (see the module docs) and "reserved never above on hand" hold after
    /// every accepted command of any sequence; replay rebuilds the same ledger.
    #[test]
    fn the_ledger_always_balances() {
        check_aggregate::<StockItem>(commands(), ledger_balances);
    }

    #[test]
    fn every_open_reservation_is_idempotent() {
        check_aggregate::<StockItem>(commands(), reservations_are_idempotent);
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[
            received(10),
            StockEvent::CopiesReserved { order_id: order(1), quantity: q(2) },
            StockEvent::ReservedCopiesReleased { order_id: order(1), quantity: q(2) },
            StockEvent::ReservedCopiesShipped { order_id: order(1), quantity: q(2) },
            StockEvent::CopiesWrittenOff { quantity: q(1), reason: WriteOffReason::Damaged },
            StockEvent::TransferDispatched { transfer_id: transfer(1), to: Warehouse::Chicago, quantity: q(3) },
            StockEvent::TransferDelivered { transfer_id: transfer(1), to: Warehouse::Chicago, quantity: q(3) },
            StockEvent::TransferReceived { transfer_id: transfer(1), from: Warehouse::Dallas, quantity: q(3) },
            StockEvent::ShippedCopiesLost { order_id: order(1), quantity: q(2) },
        ]));
    }
}
