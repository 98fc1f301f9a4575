//! The use cases of a shipment's life that start from a request or an operator: accept a
//! shipment request (and dispatch it at once), resume a stalled shipment.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::{calls, execute, shipment_refusal, Outcome};
use crate::domain::consignment::Consignment;
use crate::domain::ids::ShipmentId;
use crate::domain::order_shipment::{OrderShipment, OrderShipmentCommand, OrderShipmentError};
use crate::domain::shipment::{Shipment, ShipmentCommand};
use crate::ports::{Carrier, ShippingError};

/// Accepts the terms of a shipment, claims each of its orders (an order ships once) and
/// hands the parcel to the carrier in the same unit of work, so the `shipment-dispatched`
/// answer leaves with the acceptance. If the carrier fails, the request is still accepted and
/// the dispatch retried later. The same request again changes nothing and calls no one.
pub(super) fn request<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    carrier: &dyn Carrier,
    consignment: Consignment,
) -> Outcome<ShipmentId> {
    let shipment_id = consignment.shipment_id;
    let order_ids: Vec<_> = consignment.order_ids.iter().collect();
    let command = ShipmentCommand::Request(consignment);
    let events = execute::<Shipment, R>(uow, &shipment_id, &command, |e| shipment_refusal(shipment_id, e))?;
    if events.is_empty() {
        return Ok(shipment_id);
    }
    for order_id in order_ids {
        let claim = OrderShipmentCommand::Assign { shipment_id };
        execute::<OrderShipment, R>(
            uow,
            &order_id,
            &claim,
            |OrderShipmentError::AlreadyInShipment { shipment_id: other }| ShippingError::OrderInAnotherShipment {
                order_id: order_id.to_string(),
                shipment_id: other.to_string(),
            },
        )?;
    }
    calls::announce(uow, shipment_id, &events)?;
    calls::advance(uow, carrier, shipment_id)?;
    Ok(shipment_id)
}

/// An operator gives a stalled shipment a fresh round of retries, and the due call is made at
/// once: the operator sees at once whether the carrier is back.
pub(super) fn resume<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    carrier: &dyn Carrier,
    shipment_id: ShipmentId,
) -> Outcome<ShipmentId> {
    let events =
        execute::<Shipment, R>(uow, &shipment_id, &ShipmentCommand::Resume, |e| shipment_refusal(shipment_id, e))?;
    calls::announce(uow, shipment_id, &events)?;
    calls::advance(uow, carrier, shipment_id)?;
    Ok(shipment_id)
}
