//! Shipping's application layer: [`Shipping`], the context the runtime hosts. It turns
//! commands, the `request-shipment` message and due deadlines into units of work over the
//! aggregates, calls the carrier through its port, publishes what the published language
//! promises, and answers queries.
//!
//! Each use case reads the same way: parse the input into value objects (a bad field is
//! refused, naming it), let the aggregates decide, then publish and schedule. Everything a
//! use case does commits atomically or not at all, so a refusal half-way leaves nothing
//! behind.

mod calls;
mod input;
mod messages;
mod queries;
mod shipments;
mod views;

use std::fmt::Display;
use std::sync::Arc;

use kernel::context::{Answers, BoundedContext, ContextDescriptor, HandleError, Handles, MessageError, QueryError};
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Aggregate;

use crate::domain::ids::ShipmentId;
use crate::domain::shipment::{Shipment, ShipmentError};
use crate::ports::queries::{Shipment as ShipmentQuery, ShipmentsOfOrder, StalledShipments};
use crate::ports::{Carrier, ShipmentView, ShippingCommand, ShippingError};

/// The shipping context, as the runtime hosts it, with the carrier it ships through.
pub struct Shipping {
    carrier: Arc<dyn Carrier>,
}

impl Shipping {
    pub fn new(carrier: Arc<dyn Carrier>) -> Self {
        Self { carrier }
    }
}

impl std::fmt::Debug for Shipping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shipping").finish_non_exhaustive()
    }
}

/// What a use case answers: a value, or why not.
type Outcome<T> = Result<T, HandleError<ShippingError>>;

// A refusal in the port's language is a rejected command.
impl From<ShippingError> for HandleError<ShippingError> {
    fn from(error: ShippingError) -> Self {
        HandleError::Rejected(error)
    }
}

/// Executes `command` on the aggregate `id`, naming a refusal in the port's language.
fn execute<A: Aggregate, R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    id: &impl Display,
    command: &A::Command,
    refusal: impl FnOnce(A::Error) -> ShippingError,
) -> Outcome<Vec<A::Event>> {
    uow.execute::<A>(id, command).map_err(|error| error.refused_as(refusal))
}

/// A shipment's refusal, in the port's words.
fn shipment_refusal(shipment_id: ShipmentId, error: ShipmentError) -> ShippingError {
    let shipment_id = shipment_id.to_string();
    match error {
        ShipmentError::NotRequested => ShippingError::UnknownShipment { shipment_id },
        ShipmentError::ConflictingRequest { .. } => ShippingError::ConflictingRequest { shipment_id },
        ShipmentError::NotStalled { call, due_at } => {
            ShippingError::NotStalled { shipment_id, call: call.to_string(), due_at }
        }
        ShipmentError::Ended { status } => ShippingError::ShipmentEnded { shipment_id, status: status.to_string() },
        // The application records only answers to the call the shipment itself said was due.
        other @ (ShipmentError::Stalled | ShipmentError::NotTheDueCall { .. } | ShipmentError::NotDueYet { .. }) => {
            ShippingError::ShipmentDisagrees { shipment_id, detail: other.to_string() }
        }
    }
}

/// The shipment as it now stands in the unit of work.
fn reply<R: Repository>(uow: &mut UnitOfWork<'_, R>, shipment_id: ShipmentId) -> Outcome<ShipmentView> {
    let (shipment, _) = uow.load::<Shipment>(&shipment_id)?;
    let view =
        views::shipment(&shipment).ok_or(ShippingError::UnknownShipment { shipment_id: shipment_id.to_string() })?;
    Ok(view)
}

impl BoundedContext for Shipping {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = ShippingError;

    /// Every deadline shipping sets is a [`calls::Wakeup`] for one shipment's carrier call.
    fn on_deadline<R: Repository>(
        &self,
        key: &str,
        payload: &serde_json::Value,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        let wakeup: calls::Wakeup = serde_json::from_value(payload.clone())
            .map_err(|e| MessageError::Decode(format!("deadline `{key}`: {e}")))?;
        calls::woken(uow, self.carrier.as_ref(), wakeup).map_err(messages::failure)
    }
}

// Both commands answer the shipment as it now stands (for a new request: already dispatched,
// unless the carrier failed and a retry is scheduled), so they are one command type.
impl kernel::context::Command for ShippingCommand {
    type Context = crate::Shipping;
    type Reply = ShipmentView;
}

impl Handles<ShippingCommand> for Shipping {
    fn handle<R: Repository>(
        &self,
        command: ShippingCommand,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<ShipmentView, HandleError<ShippingError>> {
        let shipment_id = match command {
            ShippingCommand::RequestShipment(request) => {
                shipments::request(uow, self.carrier.as_ref(), input::shipment_request(&request)?)?
            }
            ShippingCommand::ResumeShipment { shipment_id } => {
                shipments::resume(uow, self.carrier.as_ref(), input::shipment_id(&shipment_id)?)?
            }
        };
        reply(uow, shipment_id)
    }
}

impl kernel::context::Query for ShipmentQuery {
    type Context = crate::Shipping;
    type Answer = ShipmentView;
}

impl Answers<ShipmentQuery> for Shipping {
    fn answer<R: Repository>(&self, query: ShipmentQuery, repository: &mut R) -> Result<ShipmentView, QueryError> {
        queries::shipment(repository, &query.shipment_id)
    }
}

impl kernel::context::Query for ShipmentsOfOrder {
    type Context = crate::Shipping;
    type Answer = Vec<ShipmentView>;
}

impl Answers<ShipmentsOfOrder> for Shipping {
    fn answer<R: Repository>(
        &self,
        query: ShipmentsOfOrder,
        repository: &mut R,
    ) -> Result<Vec<ShipmentView>, QueryError> {
        queries::shipments_of_order(repository, &query.order_id)
    }
}

impl kernel::context::Query for StalledShipments {
    type Context = crate::Shipping;
    type Answer = Vec<ShipmentView>;
}

impl Answers<StalledShipments> for Shipping {
    fn answer<R: Repository>(
        &self,
        _query: StalledShipments,
        repository: &mut R,
    ) -> Result<Vec<ShipmentView>, QueryError> {
        queries::stalled(repository)
    }
}
