//! Use cases of reservations: reserve, release, ship, and the loss in transit of what shipped.
//! The first three are the same for a command from the HTTP API and for a message from
//! another context; both answer with the published events. The loss is recorded only when
//! shipping reports a parcel damaged (`shipment-damaged`); it publishes nothing, since the
//! copies had already left the free stock.
//!
//! Each is one unit of work: the `Reservation` decides for the whole order, then every line's
//! `StockItem` records its share. If a ledger refuses a share the reservation decided from
//! that very ledger's state, the use case fails and nothing at all commits.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::input::ReservationRequest;
use super::stock::disagreement;
use super::{availability, execute, views, Outcome};
use crate::domain::availability::shelf;
use crate::domain::book::Book;
use crate::domain::ids::{OrderId, ShipmentId};
use crate::domain::reservation::{
    Reservation, ReservationCommand, ReservationError, ReservationEvent, ReservationLines, StockCheck,
};
use crate::domain::stock_item::{StockCommand, StockItem, StockItemId};
use crate::domain::warehouse::Warehouse;
use crate::ports::{InventoryError, ReservationView};
use crate::published::{RESERVATION_RELEASED, RESERVED_STOCK_SHIPPED, STOCK_RESERVATION_REJECTED, STOCK_RESERVED};

pub(super) fn reserve<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    request: ReservationRequest,
) -> Outcome<ReservationView> {
    let ReservationRequest { order_id, warehouse, lines } = request;
    // The facts the decision needs, read in the unit of work that will commit it.
    let mut stock = StockCheck::default();
    for (isbn, _) in lines.iter() {
        let (book, _) = uow.load::<Book>(isbn)?;
        let (item, _) = uow.load::<StockItem>(&StockItemId::new(isbn.clone(), warehouse))?;
        stock.insert(isbn.clone(), shelf(&book, &item));
    }
    let command = ReservationCommand::Reserve { order_id, warehouse, lines, stock };
    for event in execute::<Reservation, R>(uow, &order_id, &command, refusal)? {
        match event {
            ReservationEvent::StockReserved { order_id, warehouse, lines } => {
                for (isbn, quantity) in lines.iter() {
                    let ledger = StockItemId::new(isbn.clone(), warehouse);
                    let share = StockCommand::Reserve { order_id, quantity };
                    execute::<StockItem, R>(uow, &ledger, &share, |e| disagreement(&ledger, e))?;
                }
                uow.publish(&STOCK_RESERVED, &order_id, &views::stock_reserved(order_id, warehouse, &lines))?;
                publish_availability(uow, &lines)?;
            }
            ReservationEvent::StockReservationRejected { order_id, warehouse, reason, shortages } => {
                let rejected = views::stock_reservation_rejected(order_id, warehouse, reason, &shortages);
                uow.publish(&STOCK_RESERVATION_REJECTED, &order_id, &rejected)?;
            }
            ReservationEvent::ReservationReleased { .. }
            | ReservationEvent::ReservedStockShipped { .. }
            | ReservationEvent::ShippedStockLost { .. } => {}
        }
    }
    view(uow, order_id)
}

pub(super) fn release<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId) -> Outcome<ReservationView> {
    for event in execute::<Reservation, R>(uow, &order_id, &ReservationCommand::Release { order_id }, refusal)? {
        if let ReservationEvent::ReservationReleased { order_id, warehouse, lines } = event {
            settle_ledgers(uow, order_id, warehouse, &lines, |order_id| StockCommand::Release { order_id })?;
            uow.publish(&RESERVATION_RELEASED, &order_id, &views::reservation_released(order_id, warehouse))?;
            publish_availability(uow, &lines)?;
        }
    }
    view(uow, order_id)
}

/// Shipping takes reserved copies off hand: the free stock, hence availability, is unchanged.
pub(super) fn ship<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId) -> Outcome<ReservationView> {
    for event in execute::<Reservation, R>(uow, &order_id, &ReservationCommand::Ship { order_id }, refusal)? {
        if let ReservationEvent::ReservedStockShipped { order_id, warehouse, lines } = event {
            shipped(uow, order_id, warehouse, &lines)?;
        }
    }
    view(uow, order_id)
}

/// The order's copies were lost with a parcel damaged in transit: each line's ledger moves
/// them from shipped to lost. A reservation still held is shipped first (and answered, as
/// `ship-reservation` would have been): see `Reservation`. Reported again, nothing happens.
pub(super) fn record_loss_in_transit<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    shipment_id: ShipmentId,
) -> Outcome<ReservationView> {
    let command = ReservationCommand::RecordLossInTransit { order_id, shipment_id };
    for event in execute::<Reservation, R>(uow, &order_id, &command, refusal)? {
        match event {
            ReservationEvent::ReservedStockShipped { order_id, warehouse, lines } => {
                shipped(uow, order_id, warehouse, &lines)?;
            }
            ReservationEvent::ShippedStockLost { order_id, warehouse, lines, .. } => {
                for (isbn, quantity) in lines.iter() {
                    let ledger = StockItemId::new(isbn.clone(), warehouse);
                    let share = StockCommand::RecordLossInTransit { order_id, quantity };
                    execute::<StockItem, R>(uow, &ledger, &share, |e| disagreement(&ledger, e))?;
                }
            }
            ReservationEvent::StockReserved { .. }
            | ReservationEvent::StockReservationRejected { .. }
            | ReservationEvent::ReservationReleased { .. } => {}
        }
    }
    view(uow, order_id)
}

fn shipped<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    warehouse: Warehouse,
    lines: &ReservationLines,
) -> Outcome<()> {
    settle_ledgers(uow, order_id, warehouse, lines, |order_id| StockCommand::Ship { order_id })?;
    uow.publish(&RESERVED_STOCK_SHIPPED, &order_id, &views::reserved_stock_shipped(order_id, warehouse, lines))?;
    Ok(())
}

fn settle_ledgers<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    warehouse: Warehouse,
    lines: &ReservationLines,
    settle: fn(OrderId) -> StockCommand,
) -> Outcome<()> {
    for (isbn, _) in lines.iter() {
        let ledger = StockItemId::new(isbn.clone(), warehouse);
        execute::<StockItem, R>(uow, &ledger, &settle(order_id), |e| disagreement(&ledger, e))?;
    }
    Ok(())
}

fn publish_availability<R: Repository>(uow: &mut UnitOfWork<'_, R>, lines: &ReservationLines) -> Outcome<()> {
    for (isbn, _) in lines.iter() {
        availability::publish(uow, isbn)?;
    }
    Ok(())
}

fn view<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId) -> Outcome<ReservationView> {
    let (reservation, _) = uow.load::<Reservation>(&order_id)?;
    Ok(views::reservation(order_id, &reservation))
}

fn refusal(error: ReservationError) -> InventoryError {
    match error {
        ReservationError::OrderAlreadyReserved { order_id, warehouse } => {
            InventoryError::OrderAlreadyReserved { order_id: order_id.to_string(), warehouse: warehouse.to_string() }
        }
        ReservationError::NotReserved { order_id } => InventoryError::NoReservation { order_id: order_id.to_string() },
        ReservationError::AlreadyShipped { order_id } => {
            InventoryError::AlreadyShipped { order_id: order_id.to_string() }
        }
        ReservationError::AlreadyReleased { order_id } => {
            InventoryError::AlreadyReleased { order_id: order_id.to_string() }
        }
    }
}
