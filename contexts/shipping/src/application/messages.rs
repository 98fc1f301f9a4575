//! The command other contexts send shipping, as a message: `request-shipment`, handled by
//! `shipping.on-request-shipment` (a stable id, recorded in the inbox, so a redelivered
//! message has no second effect). It runs the same use case as the direct command.
//!
//! What counts as what:
//! - a payload that breaks the schema (no shipment id, an unknown warehouse, a bad ISBN, a
//!   negative insured value) is a defect of the sender: a decode error, which the runtime
//!   dead-letters, naming the field;
//! - a request that contradicts what shipping already did (other terms under a known
//!   shipment id, an order another shipment carries) cannot be answered truthfully by any
//!   event: the handler fails, the message is dead-lettered, and an operator sees why;
//! - the same request under a new message id (the orders process manager asking again after
//!   its own deadline) is answered by what already happened: nothing new.

use kernel::context::{HandleError, MessageError};
use kernel::message::Envelope;
use kernel::unit_of_work::{decode_data, decode_raw, Repository, UnitOfWork};
use serde_json::value::RawValue;

use super::{input, shipments};
use crate::domain::consignment::Consignment;
use crate::ports::{Carrier, ShippingError};
use crate::published::RequestShipmentV1;

pub(crate) const ON_REQUEST_SHIPMENT: &str = "shipping.on-request-shipment";

pub(super) fn handle<R: Repository>(
    carrier: &dyn Carrier,
    handler_id: &str,
    message: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    match handler_id {
        ON_REQUEST_SHIPMENT => {
            let consignment = request_shipment(&decode_data(message).map_err(MessageError::Decode)?)?;
            shipments::request(uow, carrier, consignment).map_err(failure)?;
            Ok(())
        }
        unknown => Err(MessageError::UnknownHandler(unknown.to_owned())),
    }
}

fn request_shipment(message: &RequestShipmentV1) -> Result<Consignment, MessageError> {
    input::request_shipment(message).map_err(|e| MessageError::Decode(format!("request-shipment: {e}")))
}

pub(super) fn failure(error: HandleError<ShippingError>) -> MessageError {
    match error {
        HandleError::Rejected(error) => MessageError::Failed(error.to_string()),
        HandleError::Infrastructure(error) => MessageError::Infrastructure(error),
    }
}

/// The consumer's check of a `request-shipment` payload: it decodes, and every field parses.
pub(crate) fn decode_request_shipment(raw: &RawValue) -> Result<(), String> {
    let message: RequestShipmentV1 = decode_raw(raw)?;
    request_shipment(&message).map(|_| ()).map_err(|e| e.to_string())
}
