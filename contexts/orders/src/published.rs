//! The published language of orders: the messages it emits, as serializable DTOs, each
//! declared as a [`PublishedMessage`] with its committed JSON schema and examples.
//!
//! **API boundary.** Other contexts read these shapes for years: change them only by adding
//! optional fields, or by publishing a new version beside the old one. They depend on nothing
//! but serde; the application maps the domain onto them field by field.
//!
//! The commands orders sends (to inventory, billing, shipping) are not here: they belong to
//! their recipients' published languages. Orders writes its own model of each
//! (`application::outgoing`) and lists their types in [`crate::CONTEXT`]'s `sends`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kernel::context::PublishedMessage;
use kernel::MessageKind;

/// `box-order` v1: the full state of a box order, after every change (state transfer),
/// subject = order id. A consumer keeps the latest per order.
pub static BOX_ORDER: PublishedMessage = PublishedMessage {
    name: "box-order",
    kind: MessageKind::StateTransfer,
    version: 1,
    schema: include_str!("../schemas/box-order.v1.json"),
    examples: &[
        include_str!("../examples/box-order.v1/placed.json"),
        include_str!("../examples/box-order.v1/shipped-combined.json"),
        include_str!("../examples/box-order.v1/cancelled-refunded.json"),
    ],
    personal_data: &[],
};

/// `order-ended` v1: a box order reached its end state (a domain event, once per order),
/// subject = order id.
pub static ORDER_ENDED: PublishedMessage = PublishedMessage {
    name: "order-ended",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/order-ended.v1.json"),
    examples: &[
        include_str!("../examples/order-ended.v1/delivered.json"),
        include_str!("../examples/order-ended.v1/failed.json"),
        include_str!("../examples/order-ended.v1/refunded.json"),
    ],
    personal_data: &[],
};

/// The payload of `box-order` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxOrderV1 {
    pub order_id: Uuid,
    /// Who receives the box.
    pub customer_id: Uuid,
    /// Who pays for it.
    pub payer_id: Uuid,
    pub subscription_id: Uuid,
    /// `YYYY-MM`.
    pub month: String,
    pub status: StatusV1,
    /// Whether the order's process is over. An order whose outcome is decided but whose money
    /// is still being settled has the outcome's status and `ended: false`.
    pub ended: bool,
    /// The two-letter code of the state the box goes to.
    pub shipping_state: String,
    /// What the payer is charged: the plan's monthly price.
    pub amount: MoneyV1,
    pub captured: MoneyV1,
    pub refunded: MoneyV1,
    /// The warehouse holding (or that shipped) the books; null while none does.
    pub warehouse: Option<WarehouseV1>,
    /// The parcel the order travels (or will travel) in; shared by combined orders.
    pub shipment_id: Option<Uuid>,
    pub books: Vec<BookV1>,
}

/// The payload of `order-ended` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderEndedV1 {
    pub order_id: Uuid,
    pub customer_id: Uuid,
    pub month: String,
    pub end_state: EndStateV1,
    /// Why, for an order that did not end delivered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub captured: MoneyV1,
    pub refunded: MoneyV1,
    pub shipping_state: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusV1 {
    Placed,
    Reserved,
    Charged,
    Shipping,
    Shipped,
    Delivered,
    Cancelled,
    Failed,
    Refunded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndStateV1 {
    Delivered,
    Cancelled,
    Failed,
    Refunded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarehouseV1 {
    Dallas,
    Chicago,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyV1 {
    pub amount_cents: u64,
    pub currency: CurrencyV1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CurrencyV1 {
    #[serde(rename = "USD")]
    Usd,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookV1 {
    pub isbn: String,
    pub title: String,
}
