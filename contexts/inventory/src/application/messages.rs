//! The commands other contexts send inventory, as messages: `reserve-stock`,
//! `release-reservation`, `ship-reservation`. Each has a handler with a stable id (recorded in
//! the inbox, so a redelivered message has no second effect) and runs the same use case as the
//! direct command.
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
//! - releasing an order that holds nothing has already reached its goal: no effect.

use kernel::context::{HandleError, MessageError};
use kernel::message::Envelope;
use kernel::unit_of_work::{decode_data, decode_raw, Repository, UnitOfWork};
use serde_json::value::RawValue;

use super::input::{self, ReservationRequest};
use super::reservations;
use crate::domain::ids::OrderId;
use crate::ports::InventoryError;
use crate::published::{ReleaseReservationV1, ReserveStockV1, ShipReservationV1};

pub(crate) const ON_RESERVE_STOCK: &str = "inventory.on-reserve-stock";
pub(crate) const ON_RELEASE_RESERVATION: &str = "inventory.on-release-reservation";
pub(crate) const ON_SHIP_RESERVATION: &str = "inventory.on-ship-reservation";

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
