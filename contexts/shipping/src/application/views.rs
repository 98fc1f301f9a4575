//! From the domain to the ports' views, the carrier's requests and the published messages:
//! the one place that knows both shapes, so the domain can change without changing what
//! callers, the carrier adapter and consumers read.

use uuid::Uuid;

use crate::domain::address::Address;
use crate::domain::carrier::Handover;
use crate::domain::consignment::{Consignment, OrderIds};
use crate::domain::delivery::{AttemptNumber, CarrierCall, DeliveryFailure};
use crate::domain::money::Money;
use crate::domain::parcel::Parcel;
use crate::domain::shipment::{Shipment, Stage, Status};
use crate::ports::{
    Amount, BookLine, CarrierCallView, DispatchRequest, PostalAddress, ShipmentStatus, ShipmentView, StallView,
};
use crate::published::{
    AmountV1, DeliveryFailedV1, ShipmentDamagedV1, ShipmentDeliveredV1, ShipmentDispatchedV1, ShipmentReturnedV1,
};

/// Published amounts are signed (so that a consumer can reject a negative one by name); a
/// shipping amount is never negative, and never near `i64::MAX` cents.
fn cents(money: Money) -> i64 {
    i64::try_from(money.amount_cents()).unwrap_or(i64::MAX)
}

fn amount(money: Money) -> Amount {
    Amount { amount_cents: cents(money), currency: money.currency().as_str().to_owned() }
}

fn amount_v1(money: Money) -> AmountV1 {
    AmountV1 { amount_cents: cents(money), currency: money.currency().as_str().to_owned() }
}

fn postal_address(address: &Address) -> PostalAddress {
    PostalAddress {
        line1: address.line1().to_owned(),
        line2: address.line2().map(str::to_owned),
        city: address.city().to_owned(),
        state: address.state().to_owned(),
        postal_code: address.postal_code().to_owned(),
        country: address.country().as_str().to_owned(),
    }
}

fn book_lines(parcel: &Parcel) -> Vec<BookLine> {
    parcel
        .books()
        .iter()
        .map(|book| BookLine { isbn: book.isbn.to_string(), title: book.title.as_str().to_owned() })
        .collect()
}

fn uuids(order_ids: &OrderIds) -> Vec<Uuid> {
    order_ids.iter().map(|id| id.as_uuid()).collect()
}

fn status(status: Status) -> ShipmentStatus {
    match status {
        Status::AwaitingDispatch => ShipmentStatus::AwaitingDispatch,
        Status::InTransit => ShipmentStatus::InTransit,
        Status::Delivered => ShipmentStatus::Delivered,
        Status::Returned => ShipmentStatus::Returned,
        Status::Lost => ShipmentStatus::Lost,
    }
}

/// A carrier call as the views name it: `dispatch`, or `delivery-attempt` and its number.
fn call(call: CarrierCall) -> (String, Option<u8>) {
    match call {
        CarrierCall::Dispatch => ("dispatch".to_owned(), None),
        CarrierCall::DeliveryAttempt(attempt) => ("delivery-attempt".to_owned(), Some(attempt.get())),
    }
}

/// The view of a requested shipment; `None` for one never requested.
pub(super) fn shipment(shipment: &Shipment) -> Option<ShipmentView> {
    let consignment = shipment.consignment()?;
    let handover = shipment.handover();
    Some(ShipmentView {
        shipment_id: consignment.shipment_id.to_string(),
        order_ids: consignment.order_ids.iter().map(|id| id.to_string()).collect(),
        status: status(shipment.status()?),
        requested_at: shipment.requested_at()?,
        warehouse: consignment.warehouse.to_string(),
        address: postal_address(&consignment.address),
        books: book_lines(&consignment.parcel),
        insured_value: amount(consignment.insurance.insured_value),
        carrier: handover.map(|h| h.carrier.to_string()),
        tracking_number: handover.map(|h| h.tracking_number.to_string()),
        attempts: shipment.attempts_made(),
        next_call: shipment.due_call().map(|due| {
            let (call, attempt) = call(due.call);
            CarrierCallView { call, attempt, due_at: due.at, failed_tries: due.failures }
        }),
        stalled: shipment.stall().map(|(stalled_call, failures, fault)| {
            let (call, attempt) = call(stalled_call);
            StallView { call, attempt, failed_tries: failures, last_fault: fault.to_string() }
        }),
        insurance_claim: match shipment.stage()? {
            Stage::Lost { insurance_claim, .. } => Some(amount(*insurance_claim)),
            _ => None,
        },
    })
}

pub(super) fn dispatch_request(consignment: &Consignment, retry: u32) -> DispatchRequest {
    DispatchRequest {
        shipment_id: consignment.shipment_id.as_uuid(),
        warehouse: consignment.warehouse.to_string(),
        address: postal_address(&consignment.address),
        books: book_lines(&consignment.parcel),
        insured_value_cents: consignment.insurance.insured_value.amount_cents(),
        retry,
    }
}

pub(super) fn shipment_dispatched(consignment: &Consignment, handover: &Handover) -> ShipmentDispatchedV1 {
    ShipmentDispatchedV1 {
        shipment_id: consignment.shipment_id.as_uuid(),
        order_ids: uuids(&consignment.order_ids),
        carrier: handover.carrier.to_string(),
        tracking_number: handover.tracking_number.to_string(),
    }
}

pub(super) fn delivery_failed(
    consignment: &Consignment,
    attempt: AttemptNumber,
    failure: DeliveryFailure,
) -> DeliveryFailedV1 {
    DeliveryFailedV1 {
        shipment_id: consignment.shipment_id.as_uuid(),
        order_ids: uuids(&consignment.order_ids),
        attempt: attempt.get(),
        reason: failure.as_str().to_owned(),
    }
}

pub(super) fn shipment_delivered(consignment: &Consignment, attempts: AttemptNumber) -> ShipmentDeliveredV1 {
    ShipmentDeliveredV1 {
        shipment_id: consignment.shipment_id.as_uuid(),
        order_ids: uuids(&consignment.order_ids),
        attempts: attempts.get(),
    }
}

pub(super) fn shipment_returned(consignment: &Consignment, attempts: AttemptNumber) -> ShipmentReturnedV1 {
    ShipmentReturnedV1 {
        shipment_id: consignment.shipment_id.as_uuid(),
        order_ids: uuids(&consignment.order_ids),
        attempts: attempts.get(),
    }
}

pub(super) fn shipment_damaged(consignment: &Consignment, insurance_claim: Money) -> ShipmentDamagedV1 {
    ShipmentDamagedV1 {
        shipment_id: consignment.shipment_id.as_uuid(),
        order_ids: uuids(&consignment.order_ids),
        insurance_claim: amount_v1(insurance_claim),
    }
}
