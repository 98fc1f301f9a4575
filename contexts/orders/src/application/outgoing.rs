//! The commands orders sends, in orders' own model of its recipients' published language
//! (written from `docs/published-language.md`, not from their crates): `reserve-stock`,
//! `release-reservation` and `ship-reservation` to inventory; `charge-payment` and
//! `refund-payment` to billing; `request-shipment` to shipping.
//!
//! Each corresponds to one `…Requested` event of the box order and is sent in the same commit
//! as the event: the outbox delivers it at least once, and every recipient is idempotent by
//! order id, shipment id or (for refunds) refund id, so asking again after a deadline never
//! does a thing twice. `refund_id` is billing's optional addition to the agreed
//! `refund-payment`; without it a repeated refund would be refused as more than is left.

use serde::Serialize;
use uuid::Uuid;

use crate::domain::box_order::events::BoxOrderEvent;
use crate::domain::box_order::shipment::ShipmentRequest;
use crate::domain::box_order::{Order, RefundAsked};
use crate::domain::money::Money;

/// A command type orders sends: its recipient, name and version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CommandType {
    pub recipient: &'static str,
    pub name: &'static str,
    pub version: u32,
}

pub(crate) const RESERVE_STOCK: CommandType = CommandType { recipient: "inventory", name: "reserve-stock", version: 1 };
pub(crate) const RELEASE_RESERVATION: CommandType =
    CommandType { recipient: "inventory", name: "release-reservation", version: 1 };
pub(crate) const SHIP_RESERVATION: CommandType =
    CommandType { recipient: "inventory", name: "ship-reservation", version: 1 };
pub(crate) const CHARGE_PAYMENT: CommandType = CommandType { recipient: "billing", name: "charge-payment", version: 1 };
pub(crate) const REFUND_PAYMENT: CommandType = CommandType { recipient: "billing", name: "refund-payment", version: 1 };
pub(crate) const REQUEST_SHIPMENT: CommandType =
    CommandType { recipient: "shipping", name: "request-shipment", version: 1 };

/// A command to send: its type, its subject, its payload.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub command: CommandType,
    pub subject: Uuid,
    pub data: Payload,
}

/// The payload of a command, serialized as the command's own fields.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum Payload {
    ReserveStock(ReserveStock),
    ReleaseReservation(ReleaseReservation),
    ShipReservation(ShipReservation),
    ChargePayment(ChargePayment),
    RefundPayment(RefundPayment),
    RequestShipment(RequestShipment),
}

/// The commands `event` asks to send: one for a request, none for anything else (and every
/// refund asked so far for a repeated refund request).
pub(crate) fn commands_of(order: &Order, event: &BoxOrderEvent) -> Vec<Outgoing> {
    let order_id = order.id().as_uuid();
    let by_order = |command, data| vec![Outgoing { command, subject: order_id, data }];
    let refund = |asked: &RefundAsked| Outgoing {
        command: REFUND_PAYMENT,
        subject: order_id,
        data: Payload::RefundPayment(RefundPayment {
            order_id,
            amount: asked.amount.into(),
            reason: asked.reason.to_string(),
            refund_id: asked.refund_id.as_uuid(),
        }),
    };
    match event {
        BoxOrderEvent::StockReservationRequested { warehouse, .. } => {
            let lines = order.terms().books.iter().map(|b| Line { isbn: b.isbn.to_string(), quantity: 1 }).collect();
            let warehouse = warehouse.as_str().to_owned();
            by_order(RESERVE_STOCK, Payload::ReserveStock(ReserveStock { order_id, warehouse, lines }))
        }
        BoxOrderEvent::ReservationReleaseRequested => {
            by_order(RELEASE_RESERVATION, Payload::ReleaseReservation(ReleaseReservation { order_id }))
        }
        BoxOrderEvent::StockShipmentRequested => {
            by_order(SHIP_RESERVATION, Payload::ShipReservation(ShipReservation { order_id }))
        }
        BoxOrderEvent::PaymentRequested { amount, .. } => {
            let payer_id = order.terms().payer_id.as_uuid();
            let charge = ChargePayment { order_id, payer_id, amount: (*amount).into() };
            by_order(CHARGE_PAYMENT, Payload::ChargePayment(charge))
        }
        BoxOrderEvent::RefundRequested { refund_id, amount, reason, .. } => {
            vec![refund(&RefundAsked { refund_id: *refund_id, amount: *amount, reason: reason.clone() })]
        }
        BoxOrderEvent::RefundRequestRepeated { .. } => order.ledger().refunds_asked().iter().map(refund).collect(),
        BoxOrderEvent::ShipmentRequested { request, .. } => vec![Outgoing {
            command: REQUEST_SHIPMENT,
            subject: request.shipment_id().as_uuid(),
            data: Payload::RequestShipment(RequestShipment::from(request)),
        }],
        _ => Vec::new(),
    }
}

// The payloads, field for field as the published language names them.

#[derive(Debug, Serialize)]
pub(crate) struct ReserveStock {
    order_id: Uuid,
    warehouse: String,
    lines: Vec<Line>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Line {
    isbn: String,
    quantity: u32,
}

#[derive(Debug, Serialize)]
pub(crate) struct ReleaseReservation {
    order_id: Uuid,
}

#[derive(Debug, Serialize)]
pub(crate) struct ShipReservation {
    order_id: Uuid,
}

#[derive(Debug, Serialize)]
pub(crate) struct ChargePayment {
    order_id: Uuid,
    payer_id: Uuid,
    amount: Amount,
}

/// `refund_id` is billing's optional addition to the agreed shape: the same id asked again
/// refunds once.
#[derive(Debug, Serialize)]
pub(crate) struct RefundPayment {
    order_id: Uuid,
    amount: Amount,
    reason: String,
    refund_id: Uuid,
}

#[derive(Debug, Serialize)]
pub(crate) struct RequestShipment {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
    warehouse: String,
    address: Address,
    books: Vec<Book>,
    insured_value: Amount,
}

#[derive(Debug, Serialize)]
pub(crate) struct Address {
    line1: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    country: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Book {
    isbn: String,
    title: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Amount {
    amount_cents: u64,
    currency: &'static str,
}

impl From<Money> for Amount {
    fn from(money: Money) -> Self {
        Amount { amount_cents: money.amount_cents(), currency: money.currency().code() }
    }
}

impl From<&ShipmentRequest> for RequestShipment {
    fn from(request: &ShipmentRequest) -> Self {
        let address = request.address().fields();
        RequestShipment {
            shipment_id: request.shipment_id().as_uuid(),
            order_ids: request.order_ids().iter().map(|id| id.as_uuid()).collect(),
            warehouse: request.warehouse().as_str().to_owned(),
            address: Address {
                line1: address.line1.clone(),
                line2: address.line2.clone(),
                city: address.city.clone(),
                state: address.state.clone(),
                postal_code: address.postal_code.clone(),
                country: address.country.clone(),
            },
            books: request
                .books()
                .iter()
                .map(|b| Book { isbn: b.isbn.to_string(), title: b.title.as_str().to_owned() })
                .collect(),
            insured_value: request.insured_value().into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_sent_is_declared_in_the_descriptor() {
        let all =
            [RESERVE_STOCK, RELEASE_RESERVATION, SHIP_RESERVATION, CHARGE_PAYMENT, REFUND_PAYMENT, REQUEST_SHIPMENT];
        let types: Vec<String> =
            all.iter().map(|c| kernel::message::message_type(c.recipient, c.name, c.version)).collect();
        assert_eq!(types, crate::CONTEXT.sends);
    }
}
