//! Calling the carrier: the one place shipping talks to the outside world, always in the same
//! four steps. Ask the `Shipment` which call is due; if it is due now, make it through the
//! [`Carrier`] port; record the answer (the aggregate checks it is the answer to the call due
//! and decides what follows); publish what the events promise, and ask to be woken when the
//! next call is due.
//!
//! Wake-ups are durable deadlines, one per scheduled call, keyed by the shipment, the call and
//! the try (`shipment/<id>/delivery-attempt-2/try-1`): a key is never reused, so the
//! handler of a firing deadline never moves or cancels the deadline being fired, and a
//! deadline that finds its call no longer due (stale) does nothing. Firing commits
//! atomically with what the call recorded, so each answer is recorded once; a crash between
//! the call and the commit repeats the call, which the carrier port answers the same way.

use kernel::context::HandleError;
use kernel::unit_of_work::{ExecuteError, Repository, UnitOfWork};
use serde::{Deserialize, Serialize};

use super::{execute, shipment_refusal, views, Outcome};
use crate::domain::carrier::{CarrierFault, CarrierName, Handover, TrackingNumber};
use crate::domain::delivery::{AttemptOutcome, CarrierCall};
use crate::domain::ids::ShipmentId;
use crate::domain::shipment::{DueCall, Shipment, ShipmentCommand, ShipmentEvent};
use crate::domain::stalled::{self, StalledShipments, StalledShipmentsCommand};
use crate::ports::{Carrier, DeliveryAttemptRequest, DeliveryOutcome, Dispatched, ShippingError};
use crate::published::{DELIVERY_FAILED, SHIPMENT_DAMAGED, SHIPMENT_DELIVERED, SHIPMENT_DISPATCHED, SHIPMENT_RETURNED};

/// What a shipment's deadline carries: which call, and which try of it, it was set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Wakeup {
    pub shipment_id: ShipmentId,
    pub call: CarrierCall,
    /// Tries of the call that had failed when the deadline was set.
    pub failures: u32,
}

impl Wakeup {
    fn of(shipment_id: ShipmentId, due: DueCall) -> Self {
        Self { shipment_id, call: due.call, failures: due.failures }
    }

    pub(super) fn key(&self) -> String {
        let call = match self.call {
            CarrierCall::Dispatch => "dispatch".to_owned(),
            CarrierCall::DeliveryAttempt(attempt) => format!("delivery-attempt-{attempt}"),
        };
        format!("shipment/{}/{call}/try-{}", self.shipment_id, self.failures + 1)
    }
}

/// Makes the shipment's due call if it is due now; otherwise makes sure a deadline wakes the
/// context when it is.
pub(super) fn advance<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    carrier: &dyn Carrier,
    shipment_id: ShipmentId,
) -> Outcome<()> {
    let (shipment, _) = uow.load::<Shipment>(&shipment_id)?;
    let Some(due) = shipment.due_call() else { return Ok(()) };
    if due.at > uow.now() {
        return wake(uow, Wakeup::of(shipment_id, due), due);
    }
    let command = ask(carrier, &shipment, due).map_err(|detail| disagreement(shipment_id, detail))?;
    let events = execute::<Shipment, R>(uow, &shipment_id, &command, |e| shipment_refusal(shipment_id, e))?;
    announce(uow, shipment_id, &events)?;
    let (shipment, _) = uow.load::<Shipment>(&shipment_id)?;
    match shipment.due_call() {
        Some(next) => wake(uow, Wakeup::of(shipment_id, next), next),
        None => Ok(()),
    }
}

/// A deadline fired: makes the call it was set for, unless that call is no longer due.
pub(super) fn woken<R: Repository>(uow: &mut UnitOfWork<'_, R>, carrier: &dyn Carrier, wakeup: Wakeup) -> Outcome<()> {
    let (shipment, _) = uow.load::<Shipment>(&wakeup.shipment_id)?;
    match shipment.due_call() {
        Some(due) if Wakeup::of(wakeup.shipment_id, due) == wakeup => advance(uow, carrier, wakeup.shipment_id),
        _ => Ok(()),
    }
}

fn wake<R: Repository>(uow: &mut UnitOfWork<'_, R>, wakeup: Wakeup, due: DueCall) -> Outcome<()> {
    uow.schedule(&wakeup.key(), due.at, &wakeup).map_err(|error| match error {
        ExecuteError::Rejected(refused) => {
            disagreement(wakeup.shipment_id, format!("the deadline could not be set: {refused}")).into()
        }
        ExecuteError::Infrastructure(error) => HandleError::Infrastructure(error),
    })
}

/// Makes the call and turns the answer into the command that records it. A carrier error,
/// and an answer that does not hold up (a tracking number no label could print), are both
/// the carrier's fault: retried, never taken for a fact.
fn ask(carrier: &dyn Carrier, shipment: &Shipment, due: DueCall) -> Result<ShipmentCommand, String> {
    let fault = |reason: &str| ShipmentCommand::RecordCarrierFault { call: due.call, fault: CarrierFault::new(reason) };
    match due.call {
        CarrierCall::Dispatch => {
            let consignment = shipment.consignment().ok_or("a due dispatch without a consignment")?;
            Ok(match carrier.dispatch(&views::dispatch_request(consignment, due.failures)) {
                Ok(dispatched) => match handover(&dispatched) {
                    Ok(handover) => ShipmentCommand::RecordDispatch { handover },
                    Err(invalid) => fault(&invalid),
                },
                Err(error) => fault(&error.reason),
            })
        }
        CarrierCall::DeliveryAttempt(attempt) => {
            let handover = shipment.handover().ok_or("a due delivery attempt without a tracking number")?;
            let request = DeliveryAttemptRequest {
                tracking_number: handover.tracking_number.to_string(),
                attempt: attempt.get(),
                retry: due.failures,
            };
            Ok(match carrier.attempt_delivery(&request) {
                Ok(outcome) => ShipmentCommand::RecordDeliveryAttempt { attempt, outcome: attempt_outcome(outcome) },
                Err(error) => fault(&error.reason),
            })
        }
    }
}

fn handover(dispatched: &Dispatched) -> Result<Handover, String> {
    let carrier = CarrierName::parse(&dispatched.carrier)
        .map_err(|e| format!("the carrier answered an invalid carrier name: it {e}"))?;
    let tracking_number = TrackingNumber::parse(&dispatched.tracking_number)
        .map_err(|e| format!("the carrier answered an invalid tracking number: {e}"))?;
    Ok(Handover { carrier, tracking_number })
}

fn attempt_outcome(outcome: DeliveryOutcome) -> AttemptOutcome {
    match outcome {
        DeliveryOutcome::Delivered => AttemptOutcome::Delivered,
        DeliveryOutcome::NoOneHome => AttemptOutcome::NoOneHome,
        DeliveryOutcome::DamagedInTransit => AttemptOutcome::DamagedInTransit,
    }
}

/// Publishes what each event promises others, and keeps the list of stalled shipments.
pub(super) fn announce<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    shipment_id: ShipmentId,
    events: &[ShipmentEvent],
) -> Outcome<()> {
    let (shipment, _) = uow.load::<Shipment>(&shipment_id)?;
    let consignment = shipment.consignment().ok_or_else(|| disagreement(shipment_id, "events without a request"))?;
    for event in events {
        match event {
            ShipmentEvent::ShipmentDispatched { carrier, tracking_number, .. } => {
                let handover = Handover { carrier: carrier.clone(), tracking_number: tracking_number.clone() };
                uow.publish(&SHIPMENT_DISPATCHED, &shipment_id, &views::shipment_dispatched(consignment, &handover))?;
            }
            ShipmentEvent::DeliveryFailed { attempt, failure, .. } => {
                uow.publish(&DELIVERY_FAILED, &shipment_id, &views::delivery_failed(consignment, *attempt, *failure))?;
            }
            ShipmentEvent::ShipmentDelivered { attempts } => {
                uow.publish(&SHIPMENT_DELIVERED, &shipment_id, &views::shipment_delivered(consignment, *attempts))?;
            }
            ShipmentEvent::ShipmentReturned { attempts, .. } => {
                uow.publish(&SHIPMENT_RETURNED, &shipment_id, &views::shipment_returned(consignment, *attempts))?;
            }
            ShipmentEvent::ShipmentDamaged { insurance_claim, .. } => {
                uow.publish(&SHIPMENT_DAMAGED, &shipment_id, &views::shipment_damaged(consignment, *insurance_claim))?;
            }
            ShipmentEvent::ShipmentStalled { .. } => {
                let command = StalledShipmentsCommand::Add { shipment_id };
                execute::<StalledShipments, R>(uow, &stalled::ALL, &command, |never| match never {})?;
            }
            ShipmentEvent::ShipmentResumed { .. } => {
                let command = StalledShipmentsCommand::Remove { shipment_id };
                execute::<StalledShipments, R>(uow, &stalled::ALL, &command, |never| match never {})?;
            }
            ShipmentEvent::ShipmentRequested { .. } | ShipmentEvent::CarrierCallFailed { .. } => {}
        }
    }
    Ok(())
}

fn disagreement(shipment_id: ShipmentId, detail: impl std::fmt::Display) -> ShippingError {
    ShippingError::ShipmentDisagrees { shipment_id: shipment_id.to_string(), detail: detail.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::delivery::AttemptNumber;

    /// Deadlines live in the store for days: their key and payload are an at-rest format.
    #[test]
    fn wakeups_have_a_stable_key_and_payload() {
        let shipment_id = ShipmentId::from_uuid(uuid::Uuid::from_u128(7));
        let wakeup = Wakeup { shipment_id, call: CarrierCall::DeliveryAttempt(AttemptNumber::LAST), failures: 2 };
        assert_eq!(wakeup.key(), "shipment/00000000-0000-0000-0000-000000000007/delivery-attempt-3/try-3");
        let payload = serde_json::to_value(wakeup).unwrap();
        assert_eq!(
            payload,
            serde_json::json!({
                "shipment_id": "00000000-0000-0000-0000-000000000007",
                "call": { "delivery-attempt": 3 },
                "failures": 2
            })
        );
        assert_eq!(serde_json::from_value::<Wakeup>(payload).unwrap(), wakeup);
        let dispatch = Wakeup { shipment_id, call: CarrierCall::Dispatch, failures: 0 };
        assert_eq!(dispatch.key(), "shipment/00000000-0000-0000-0000-000000000007/dispatch/try-1");
    }
}
