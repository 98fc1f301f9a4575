//! The messages inventory handles, each with a stable handler id (recorded in the inbox, so a
//! redelivered message has no second effect):
//!
//! - the commands other contexts send inventory: `reserve-stock`, `release-reservation`,
//!   `ship-reservation`, each running the same use case as the direct command;
//! - shipping's `shipment-damaged` (choreography: shipping knows nothing of inventory): the
//!   copies of every order the parcel carried were lost in transit, and each order's ledgers
//!   move them from shipped to lost. The order's `Reservation` makes this once per order,
//!   whatever message names it again.
//!
//! What counts as what:
//! - a payload that breaks the schema (no order id, an unknown warehouse, a bad ISBN, zero
//!   copies) is a defect of the sender: a decode error, which the runtime dead-letters, naming
//!   the field;
//! - stock that cannot be had is a business outcome: recorded, and answered with
//!   `stock-reservation-rejected`;
//! - a request that contradicts what the order already did (shipping a released order, a
//!   second, different reservation for an order) cannot be answered truthfully by any event:
//!   the handler fails, the message is dead-lettered, and an operator sees why;
//! - releasing an order that holds nothing has already reached its goal: no effect;
//! - a damaged shipment naming an order inventory never shipped from (unknown here, rejected,
//!   or released) has nothing of inventory's to lose: that order is skipped, no effect, and
//!   the message's other orders are recorded. Shipping's report is a fact inventory cannot
//!   refuse, and dead-lettering it would only stall the orders that did ship. (An order
//!   still held is not skipped: the report proves its copies left, see `Reservation`.)

use kernel::context::{HandleError, MessageError};
use kernel::inbox::{AsIs, ConsumerModel};
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};
use serde::Deserialize;
use uuid::Uuid;

use super::input::{self, ReservationRequest};
use super::{reservations, InventoryContext};
use crate::domain::ids::{OrderId, ShipmentId};
use crate::ports::InventoryError;
use crate::published::{ReleaseReservationV1, ReserveStockV1, ShipReservationV1};

kernel::inbox! {
    InventoryContext {
        "inventory.on-reserve-stock": Command "bookbox.inventory.reserve-stock.v1" => ReserveStock => reserve,
        "inventory.on-release-reservation": Command "bookbox.inventory.release-reservation.v1"
            => AsIs<ReleaseReservationV1> => release,
        "inventory.on-ship-reservation": Command "bookbox.inventory.ship-reservation.v1"
            => AsIs<ShipReservationV1> => ship,
        "inventory.on-shipment-damaged": DomainEvent "bookbox.shipping.shipment-damaged.v1"
            => ShipmentDamaged => lose_in_transit,
    }
}

/// Orders one `shipment-damaged` may name: far above any combined shipment (shipping's schema
/// allows 20), and a bound on the work one message causes.
const DAMAGED_ORDERS_MAX: usize = 50;

/// Inventory's reading of shipping's `shipment-damaged` v1 (a tolerant reader: only what
/// inventory uses; the insurance claim is shipping's business).
#[derive(Debug, Deserialize)]
struct ShipmentDamaged {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
}

/// Inventory's own `reserve-stock` v1, read as a request to reserve: every field parsed.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct ReserveStock(ReserveStockV1);

impl ConsumerModel for ReserveStock {
    type Read = ReservationRequest;

    fn read(self) -> Result<ReservationRequest, String> {
        let Self(command) = self;
        input::reservation_request(
            OrderId::from_uuid(command.order_id),
            &command.warehouse,
            command.lines.iter().map(|line| (line.isbn.as_str(), line.quantity)),
        )
        .map_err(|e| format!("reserve-stock: {e}"))
    }
}

/// A damaged shipment, within the bound on the orders it may name.
impl ConsumerModel for ShipmentDamaged {
    type Read = Self;

    fn read(self) -> Result<Self, String> {
        if self.order_ids.len() > DAMAGED_ORDERS_MAX {
            return Err(format!(
                "shipment-damaged: {} order_ids is more than the {DAMAGED_ORDERS_MAX} one shipment may carry",
                self.order_ids.len()
            ));
        }
        Ok(self)
    }
}

fn reserve<R: Repository>(
    _: &InventoryContext,
    request: ReservationRequest,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    reservations::reserve(uow, request)?;
    Ok(())
}

fn release<R: Repository>(
    _: &InventoryContext,
    command: ReleaseReservationV1,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    match reservations::release(uow, OrderId::from_uuid(command.order_id)) {
        Ok(_) | Err(HandleError::Rejected(InventoryError::NoReservation { .. })) => Ok(()),
        Err(error) => Err(error.into()),
    }
}

fn ship<R: Repository>(
    _: &InventoryContext,
    command: ShipReservationV1,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    reservations::ship(uow, OrderId::from_uuid(command.order_id))?;
    Ok(())
}

fn lose_in_transit<R: Repository>(
    _: &InventoryContext,
    damaged: ShipmentDamaged,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    let shipment_id = ShipmentId::from_uuid(damaged.shipment_id);
    for order_id in &damaged.order_ids {
        match reservations::record_loss_in_transit(uow, OrderId::from_uuid(*order_id), shipment_id) {
            Ok(_)
            | Err(HandleError::Rejected(
                InventoryError::NoReservation { .. } | InventoryError::AlreadyReleased { .. },
            )) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}
