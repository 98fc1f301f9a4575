//! Shipping's published language: the command it accepts from other contexts and the events
//! it publishes, each with its schema and examples committed beside the code.
//!
//! **API boundary.** These types are the wire format, nothing else: plain data, no domain
//! types, so that the domain can change without changing what others read. The application
//! maps the domain to them. Changing a field's meaning or shape means a new message version.
//!
//! - `request-shipment` v1, command (subject = shipment id): ship a parcel carrying one or
//!   several orders (combined by the orders context, which chooses the shipment id; a second
//!   request with the same id and terms changes nothing);
//! - `shipment-dispatched`, `delivery-failed`, `shipment-delivered`, `shipment-returned`,
//!   `shipment-damaged` v1, domain events, subject = shipment id. Each carries the order ids,
//!   so the orders process manager, and inventory and billing reacting to a damage by
//!   choreography, need not ask shipping anything. The address, personal data, is in no event.

use kernel::context::PublishedMessage;
use kernel::MessageKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub static REQUEST_SHIPMENT: PublishedMessage = PublishedMessage {
    name: "request-shipment",
    kind: MessageKind::Command,
    version: 1,
    schema: include_str!("../schemas/request-shipment.v1.json"),
    examples: &[
        include_str!("../examples/request-shipment.v1/one-order.json"),
        include_str!("../examples/request-shipment.v1/combined-orders.json"),
    ],
    personal_data: &["address"],
};

pub static SHIPMENT_DISPATCHED: PublishedMessage = PublishedMessage {
    name: "shipment-dispatched",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/shipment-dispatched.v1.json"),
    examples: &[include_str!("../examples/shipment-dispatched.v1/combined-orders.json")],
    personal_data: &[],
};

pub static DELIVERY_FAILED: PublishedMessage = PublishedMessage {
    name: "delivery-failed",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/delivery-failed.v1.json"),
    examples: &[include_str!("../examples/delivery-failed.v1/no-one-home.json")],
    personal_data: &[],
};

pub static SHIPMENT_DELIVERED: PublishedMessage = PublishedMessage {
    name: "shipment-delivered",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/shipment-delivered.v1.json"),
    examples: &[include_str!("../examples/shipment-delivered.v1/second-attempt.json")],
    personal_data: &[],
};

pub static SHIPMENT_RETURNED: PublishedMessage = PublishedMessage {
    name: "shipment-returned",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/shipment-returned.v1.json"),
    examples: &[include_str!("../examples/shipment-returned.v1/three-attempts.json")],
    personal_data: &[],
};

pub static SHIPMENT_DAMAGED: PublishedMessage = PublishedMessage {
    name: "shipment-damaged",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/shipment-damaged.v1.json"),
    examples: &[include_str!("../examples/shipment-damaged.v1/insured.json")],
    personal_data: &[],
};

/// Money: integer cents and a currency code (`USD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountV1 {
    pub amount_cents: i64,
    pub currency: String,
}

/// A US postal address, as in `customer-profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressV1 {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    /// Two-letter USPS code.
    pub state: String,
    pub postal_code: String,
    /// `US`.
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookV1 {
    /// ISBN-13, digits only.
    pub isbn: String,
    pub title: String,
}

/// `request-shipment` v1 (command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestShipmentV1 {
    pub shipment_id: Uuid,
    pub order_ids: Vec<Uuid>,
    /// `dallas` or `chicago`: where the books are packed.
    pub warehouse: String,
    pub address: AddressV1,
    /// One entry per copy.
    pub books: Vec<BookV1>,
    pub insured_value: AmountV1,
}

/// `shipment-dispatched` v1: the carrier took the parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDispatchedV1 {
    pub shipment_id: Uuid,
    pub order_ids: Vec<Uuid>,
    pub carrier: String,
    pub tracking_number: String,
}

/// `delivery-failed` v1: an attempt failed and another is scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryFailedV1 {
    pub shipment_id: Uuid,
    pub order_ids: Vec<Uuid>,
    /// 1 or 2 (a failed third attempt is `shipment-returned`).
    pub attempt: u8,
    /// `no one home`.
    pub reason: String,
}

/// `shipment-delivered` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDeliveredV1 {
    pub shipment_id: Uuid,
    pub order_ids: Vec<Uuid>,
    /// Attempts it took: 1 to 3.
    pub attempts: u8,
}

/// `shipment-returned` v1: the third attempt failed too; the parcel goes back to the warehouse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentReturnedV1 {
    pub shipment_id: Uuid,
    pub order_ids: Vec<Uuid>,
    pub attempts: u8,
}

/// `shipment-damaged` v1: damaged in transit, recorded as lost; the insured value is claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentDamagedV1 {
    pub shipment_id: Uuid,
    pub order_ids: Vec<Uuid>,
    pub insurance_claim: AmountV1,
}
