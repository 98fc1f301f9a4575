//! Curation's published language: what it tells the rest of Bookbox, with schemas and
//! examples committed beside the code.
//!
//! **API boundary.** Plain data, no domain types; the application maps the domain to it.
//!
//! - `box-curated` v1, domain event, subject = subscription id: the books chosen for a box and
//!   where it goes (personal data: `shipping_address`).
//! - `box-curation-failed` v1, domain event, subject = subscription id: why a box could not be
//!   curated, as a code (`reason`) and in words (`detail`, an addition to the agreed shape).
//!
//! Curation consumes customers', inventory's and subscriptions' messages through its own
//! models of them (see `application::anticorruption`), never through their crates.

use kernel::context::PublishedMessage;
use kernel::MessageKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub static BOX_CURATED: PublishedMessage = PublishedMessage {
    name: "box-curated",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/box-curated.v1.json"),
    examples: &[
        include_str!("../examples/box-curated.v1/two-books.json"),
        include_str!("../examples/box-curated.v1/gift.json"),
    ],
    personal_data: &["shipping_address"],
};

pub static BOX_CURATION_FAILED: PublishedMessage = PublishedMessage {
    name: "box-curation-failed",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/box-curation-failed.v1.json"),
    examples: &[
        include_str!("../examples/box-curation-failed.v1/not-enough-books.json"),
        include_str!("../examples/box-curation-failed.v1/no-selection.json"),
    ],
    personal_data: &[],
};

/// `box-curated` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxCuratedV1 {
    pub box_id: Uuid,
    pub subscription_id: Uuid,
    /// Who receives the box.
    pub customer_id: Uuid,
    /// Who pays for it (differs for gifts).
    pub payer_id: Uuid,
    /// `YYYY-MM`.
    pub month: String,
    pub plan: PlanV1,
    /// As many as the plan says, best match first.
    pub books: Vec<CuratedBookV1>,
    pub shipping_address: ShippingAddressV1,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanV1 {
    pub books_per_month: u8,
    pub monthly_price: MoneyV1,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyV1 {
    pub amount_cents: u64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CuratedBookV1 {
    pub isbn: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingAddressV1 {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

/// `box-curation-failed` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoxCurationFailedV1 {
    pub subscription_id: Uuid,
    pub customer_id: Uuid,
    pub month: String,
    /// `no-finalized-selection`, `no-customer-profile` or `not-enough-suitable-books`.
    pub reason: String,
    pub detail: String,
}
