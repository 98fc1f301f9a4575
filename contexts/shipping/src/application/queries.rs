//! Answers to queries, read straight from the aggregates' streams: a shipment is small, an
//! order's shipment is one lookup away, and the stalled list is kept as it changes, so no
//! separate read model is needed.

use std::fmt::Display;

use kernel::context::QueryError;
use kernel::ids::StreamId;
use kernel::unit_of_work::Repository;
use kernel::Aggregate;

use super::views;
use crate::domain::ids::{OrderId, ShipmentId};
use crate::domain::order_shipment::OrderShipment;
use crate::domain::shipment::Shipment;
use crate::domain::stalled::{self, StalledShipments};
use crate::ports::ShipmentView;

fn load<A: Aggregate, R: Repository>(repository: &mut R, id: &impl Display) -> Result<A, QueryError> {
    Ok(repository.load::<A>(&StreamId::for_aggregate(A::CATEGORY, id))?.state)
}

fn view<R: Repository>(repository: &mut R, shipment_id: ShipmentId) -> Result<Option<ShipmentView>, QueryError> {
    Ok(views::shipment(&load::<Shipment, R>(repository, &shipment_id)?))
}

pub(super) fn shipment<R: Repository>(repository: &mut R, raw_shipment_id: &str) -> Result<ShipmentView, QueryError> {
    let shipment_id: ShipmentId =
        raw_shipment_id.trim().parse().map_err(|e| QueryError::Invalid(format!("shipment_id: {e}")))?;
    view(repository, shipment_id)?.ok_or_else(|| QueryError::NotFound(format!("no shipment {shipment_id}")))
}

/// An order no shipment carries (yet) has no shipments: an empty answer, not an error.
pub(super) fn shipments_of_order<R: Repository>(
    repository: &mut R,
    raw_order_id: &str,
) -> Result<Vec<ShipmentView>, QueryError> {
    let order_id: OrderId = raw_order_id.trim().parse().map_err(|e| QueryError::Invalid(format!("order_id: {e}")))?;
    let Some(shipment_id) = load::<OrderShipment, R>(repository, &order_id)?.shipment_id() else {
        return Ok(Vec::new());
    };
    Ok(view(repository, shipment_id)?.into_iter().collect())
}

pub(super) fn stalled<R: Repository>(repository: &mut R) -> Result<Vec<ShipmentView>, QueryError> {
    let list = load::<StalledShipments, R>(repository, &stalled::ALL)?;
    let mut shipments = Vec::new();
    for shipment_id in list.iter() {
        shipments.extend(view(repository, shipment_id)?);
    }
    Ok(shipments)
}
