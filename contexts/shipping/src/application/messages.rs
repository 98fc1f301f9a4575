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
use kernel::inbox::ConsumerModel;
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};
use serde::Deserialize;

use super::{input, shipments, Shipping};
use crate::domain::consignment::Consignment;
use crate::ports::ShippingError;
use crate::published::RequestShipmentV1;

kernel::inbox! {
    Shipping {
        "shipping.on-request-shipment": Command "bookbox.shipping.request-shipment.v1" => RequestShipment => request,
    }
}

/// Shipping's own `request-shipment` v1, read as a consignment: every field parsed.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct RequestShipment(RequestShipmentV1);

impl ConsumerModel for RequestShipment {
    type Read = Consignment;

    fn read(self) -> Result<Consignment, String> {
        input::request_shipment(&self.0).map_err(|e| format!("request-shipment: {e}"))
    }
}

fn request<R: Repository>(
    shipping: &Shipping,
    consignment: Consignment,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    shipments::request(uow, shipping.carrier.as_ref(), consignment).map_err(failure)?;
    Ok(())
}

pub(super) fn failure(error: HandleError<ShippingError>) -> MessageError {
    match error {
        HandleError::Rejected(error) => MessageError::Failed(error.to_string()),
        HandleError::Infrastructure(error) => MessageError::Infrastructure(error),
    }
}
