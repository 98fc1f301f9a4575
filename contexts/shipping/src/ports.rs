//! Shipping's ports.
//!
//! **Outbound:** [`Carrier`], the one thing shipping needs from outside besides the kernel's
//! ports (clock, ids, store): a carrier that takes parcels and reports delivery attempts. The
//! runtime in `src/` plugs in an adapter (a simulated carrier for now); shipping's tests use
//! scripted fakes. Its types are plain data, the shape of a carrier's API rather than of
//! shipping's model: the application checks every answer before the domain records it.
//!
//! **Inbound:** the commands shipping handles ([`ShippingCommand`], each answering the
//! shipment as it now stands, a [`ShipmentView`]) and the questions it answers ([`queries`],
//! each with the type of its answer). Commands carry what a caller typed; the application
//! parses each field into a value object, and a field that does not parse is refused with
//! [`ShippingError::InvalidInput`] naming it.

use kernel::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A carrier, as shipping calls it. Both calls may be repeated with the same arguments (after
/// a crash between the call and the commit, the runtime runs the handler again), so an
/// adapter must answer a repeat as it answered the first:
/// - `dispatch` is idempotent per `shipment_id` (a real carrier's idempotency key): the same
///   shipment gets the same tracking number, and one parcel is picked up;
/// - `attempt_delivery` asks how attempt `attempt` went: a question about a fact, which has
///   one answer.
///
/// `retry` counts the earlier tries of the same call that failed with a [`CarrierError`]. A
/// real adapter may ignore it or send it as a retry header; a simulated one uses it so that a
/// transient failure is transient and yet reproducible from a seed.
pub trait Carrier: Send + Sync {
    fn dispatch(&self, request: &DispatchRequest) -> Result<Dispatched, CarrierError>;
    fn attempt_delivery(&self, request: &DeliveryAttemptRequest) -> Result<DeliveryOutcome, CarrierError>;
}

/// A parcel to pick up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchRequest {
    pub shipment_id: Uuid,
    /// Where to pick it up: `dallas` or `chicago`.
    pub warehouse: String,
    pub address: PostalAddress,
    pub books: Vec<BookLine>,
    /// What the carrier's insurance covers, in US cents.
    pub insured_value_cents: u64,
    pub retry: u32,
}

/// The carrier took the parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatched {
    pub carrier: String,
    pub tracking_number: String,
}

/// A question about one delivery attempt: 1, 2 or 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttemptRequest {
    pub tracking_number: String,
    pub attempt: u8,
    pub retry: u32,
}

/// How a delivery attempt went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryOutcome {
    Delivered,
    NoOneHome,
    DamagedInTransit,
}

/// The carrier's service failed (down, timed out, refused the request): transient, worth
/// retrying later. Business outcomes (no one home, damage) are [`DeliveryOutcome`]s, not errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("carrier unavailable: {reason}")]
pub struct CarrierError {
    pub reason: String,
}

/// A command to shipping from outside: the HTTP API, the CLI, a test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum ShippingCommand {
    /// Ship a parcel, as the `request-shipment` message does; the same request again (same
    /// shipment id, same terms) changes nothing.
    RequestShipment(Box<ShipmentRequest>),
    /// Give a stalled shipment a fresh round of carrier retries; the due call is made at once.
    ResumeShipment { shipment_id: String },
}

/// The terms of a shipment, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRequest {
    pub shipment_id: String,
    pub order_ids: Vec<String>,
    pub warehouse: String,
    pub address: PostalAddress,
    pub books: Vec<BookLine>,
    pub insured_value: Amount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookLine {
    pub isbn: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub amount_cents: i64,
    pub currency: String,
}

/// Questions to shipping, each with the type of its answer.
pub mod queries {

    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Shipment {
        pub shipment_id: String,
    }

    /// The shipments carrying an order (at most one: an order ships once).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ShipmentsOfOrder {
        pub order_id: String,
    }

    /// Shipments whose carrier retries ran out, waiting for an operator to resume them.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct StalledShipments;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentView {
    pub shipment_id: String,
    pub order_ids: Vec<String>,
    pub status: ShipmentStatus,
    pub requested_at: Timestamp,
    pub warehouse: String,
    pub address: PostalAddress,
    pub books: Vec<BookLine>,
    pub insured_value: Amount,
    /// Once dispatched.
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// Delivery attempts made: 0 to 3. A failed call to the carrier is not an attempt.
    pub attempts: u8,
    /// The carrier call scheduled next; none once ended or while stalled.
    pub next_call: Option<CarrierCallView>,
    /// Why the shipment waits for an operator, if it does.
    pub stalled: Option<StallView>,
    /// Only for a `lost` shipment: the claim filed under its insurance policy.
    pub insurance_claim: Option<Amount>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShipmentStatus {
    AwaitingDispatch,
    InTransit,
    Delivered,
    /// No one was home three times: back to the warehouse.
    Returned,
    /// Damaged in transit and recorded as lost.
    Lost,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarrierCallView {
    /// `dispatch` or `delivery-attempt`.
    pub call: String,
    /// For a delivery attempt: which one.
    pub attempt: Option<u8>,
    pub due_at: Timestamp,
    /// Earlier tries of this call that the carrier failed.
    pub failed_tries: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StallView {
    pub call: String,
    pub attempt: Option<u8>,
    pub failed_tries: u32,
    pub last_fault: String,
}

/// Why shipping refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShippingError {
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error("no shipment {shipment_id}")]
    UnknownShipment { shipment_id: String },
    #[error("shipment {shipment_id} was already requested with other terms")]
    ConflictingRequest { shipment_id: String },
    #[error("order {order_id} is already carried by shipment {shipment_id}")]
    OrderInAnotherShipment { order_id: String, shipment_id: String },
    #[error("shipment {shipment_id} is not stalled: its {call} is due at {due_at}")]
    NotStalled { shipment_id: String, call: String, due_at: Timestamp },
    #[error("shipment {shipment_id} has ended ({status}): it takes no further step")]
    ShipmentEnded { shipment_id: String, status: String },
    /// The shipment refused a step the application had decided from its own state: a defect,
    /// reported rather than committed.
    #[error("shipment {shipment_id} refused a step already decided: {detail}")]
    ShipmentDisagrees { shipment_id: String, detail: String },
}
