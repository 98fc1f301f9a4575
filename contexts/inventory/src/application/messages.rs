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
use kernel::message::Envelope;
use kernel::unit_of_work::{decode_data, decode_raw, Repository, UnitOfWork};
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::input::{self, ReservationRequest};
use super::reservations;
use crate::domain::ids::{OrderId, ShipmentId};
use crate::ports::InventoryError;
use crate::published::{ReleaseReservationV1, ReserveStockV1, ShipReservationV1};

pub(crate) const ON_RESERVE_STOCK: &str = "inventory.on-reserve-stock";
pub(crate) const ON_RELEASE_RESERVATION: &str = "inventory.on-release-reservation";
pub(crate) const ON_SHIP_RESERVATION: &str = "inventory.on-ship-reservation";
pub(crate) const ON_SHIPMENT_DAMAGED: &str = "inventory.on-shipment-damaged";

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

pub(super) fn handle<R: Repository>(
    handler_id: &str,
    message: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    match handler_id {
        ON_RESERVE_STOCK => {
            let request = reserve_stock(&decode_data(message).map_err(MessageError::Decode)?)?;
            reservations::reserve(uow, request).map_err(failure)?;
        }
        ON_RELEASE_RESERVATION => {
            let command: ReleaseReservationV1 = decode_data(message).map_err(MessageError::Decode)?;
            match reservations::release(uow, OrderId::from_uuid(command.order_id)) {
                Ok(_) | Err(HandleError::Rejected(InventoryError::NoReservation { .. })) => {}
                Err(error) => return Err(failure(error)),
            }
        }
        ON_SHIP_RESERVATION => {
            let command: ShipReservationV1 = decode_data(message).map_err(MessageError::Decode)?;
            reservations::ship(uow, OrderId::from_uuid(command.order_id)).map_err(failure)?;
        }
        ON_SHIPMENT_DAMAGED => {
            let damaged: ShipmentDamaged = decode_data(message).map_err(MessageError::Decode)?;
            check_shipment_damaged(&damaged)?;
            let shipment_id = ShipmentId::from_uuid(damaged.shipment_id);
            for order_id in &damaged.order_ids {
                match reservations::record_loss_in_transit(uow, OrderId::from_uuid(*order_id), shipment_id) {
                    Ok(_)
                    | Err(HandleError::Rejected(
                        InventoryError::NoReservation { .. } | InventoryError::AlreadyReleased { .. },
                    )) => {}
                    Err(error) => return Err(failure(error)),
                }
            }
        }
        unknown => return Err(MessageError::UnknownHandler(unknown.to_owned())),
    }
    Ok(())
}

fn reserve_stock(command: &ReserveStockV1) -> Result<ReservationRequest, MessageError> {
    input::reservation_request(
        OrderId::from_uuid(command.order_id),
        &command.warehouse,
        command.lines.iter().map(|line| (line.isbn.as_str(), line.quantity)),
    )
    .map_err(|e| MessageError::Decode(format!("reserve-stock: {e}")))
}

fn check_shipment_damaged(message: &ShipmentDamaged) -> Result<(), MessageError> {
    if message.order_ids.len() > DAMAGED_ORDERS_MAX {
        return Err(MessageError::Decode(format!(
            "shipment-damaged: {} order_ids is more than the {DAMAGED_ORDERS_MAX} one shipment may carry",
            message.order_ids.len()
        )));
    }
    Ok(())
}

fn failure(error: HandleError<InventoryError>) -> MessageError {
    match error {
        HandleError::Rejected(error) => MessageError::Failed(error.to_string()),
        HandleError::Infrastructure(error) => MessageError::Infrastructure(error),
    }
}

/// The consumer's check of a `reserve-stock` payload: it decodes, and every field parses.
pub(crate) fn decode_reserve_stock(raw: &RawValue) -> Result<(), String> {
    let command: ReserveStockV1 = decode_raw(raw)?;
    reserve_stock(&command).map(|_| ()).map_err(|e| e.to_string())
}

pub(crate) fn decode_release_reservation(raw: &RawValue) -> Result<(), String> {
    decode_raw::<ReleaseReservationV1>(raw).map(|_| ())
}

pub(crate) fn decode_ship_reservation(raw: &RawValue) -> Result<(), String> {
    decode_raw::<ShipReservationV1>(raw).map(|_| ())
}

/// The consumer's check of shipping's `shipment-damaged` payload: it decodes, within bounds.
pub(crate) fn decode_shipment_damaged(raw: &RawValue) -> Result<(), String> {
    let damaged: ShipmentDamaged = decode_raw(raw)?;
    check_shipment_damaged(&damaged).map_err(|e| e.to_string())
}
