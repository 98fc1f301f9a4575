//! The published language of the subscriptions context: the messages it emits, as
//! serializable DTOs, each declared as a [`PublishedMessage`] with its committed JSON schema
//! and examples.
//!
//! **API boundary.** Other contexts read these shapes for years: change them only by adding
//! optional fields, or by publishing a new version beside the old one. They depend on nothing
//! but serde; the application maps the domain onto them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kernel::context::PublishedMessage;
use kernel::MessageKind;

/// `box-due` v1: a subscription's box fell due for a month (a domain event, with every fact
/// a consumer needs: who receives it, who pays, which plan at which price, which month),
/// subject = subscription id. At most one is published per subscription and month.
pub static BOX_DUE: PublishedMessage = PublishedMessage {
    name: "box-due",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/box-due.v1.json"),
    examples: &[
        include_str!("../examples/box-due.v1/subscription.json"),
        include_str!("../examples/box-due.v1/gift.json"),
    ],
    personal_data: &[],
};

/// The payload of `box-due` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoxDueV1 {
    pub subscription_id: Uuid,
    /// Who receives the box.
    pub customer_id: Uuid,
    /// Who pays for it: the giver of a gift, else the customer.
    pub payer_id: Uuid,
    pub plan: PlanV1,
    /// `YYYY-MM`.
    pub month: String,
    pub gift: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanV1 {
    /// 1, 2 or 3.
    pub books_per_month: u8,
    /// The price agreed when the subscription started.
    pub monthly_price: MoneyV1,
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
