//! The published language of the customers context: the messages it emits, as serializable
//! DTOs, each declared as a [`PublishedMessage`] with its committed JSON schema and examples.
//!
//! **API boundary.** These shapes are read by other contexts for years: change them only by
//! adding optional fields, or by publishing a new version beside the old one. They depend on
//! nothing but serde; the application maps the domain onto them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use kernel::context::PublishedMessage;
use kernel::MessageKind;

/// `customer-profile` v1: the full profile, published on every change (event-carried state
/// transfer), subject = customer id. Consumers keep a replica and keep the highest
/// `version` they have seen, so a late redelivery never rolls a replica back.
pub static CUSTOMER_PROFILE: PublishedMessage = PublishedMessage {
    name: "customer-profile",
    kind: MessageKind::StateTransfer,
    version: 1,
    schema: include_str!("../schemas/customer-profile.v1.json"),
    examples: &[
        include_str!("../examples/customer-profile.v1/registered.json"),
        include_str!("../examples/customer-profile.v1/with-preferences.json"),
    ],
    personal_data: &["name", "email", "shipping_address"],
};

/// The payload of `customer-profile` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerProfileV1 {
    pub customer_id: Uuid,
    /// Personal data.
    pub name: String,
    /// Personal data. Normalized: trimmed, domain lowercased.
    pub email: String,
    /// Personal data.
    pub shipping_address: ShippingAddressV1,
    /// The customer's genre preferences, each once, in the order of the fixed list; empty
    /// means no preference.
    pub genres: Vec<GenreV1>,
    /// The version of the customer's profile: it grows with every change.
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingAddressV1 {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    /// A USPS two-letter code.
    pub state: String,
    /// `12345` or `12345-6789`.
    pub postal_code: String,
    /// Always `US`.
    pub country: String,
}

/// The fixed list of genres, as published (kebab-case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GenreV1 {
    Mystery,
    Thriller,
    Romance,
    ScienceFiction,
    Fantasy,
    HistoricalFiction,
    LiteraryFiction,
    Horror,
    Biography,
    History,
    Science,
    SelfHelp,
    Poetry,
    YoungAdult,
    Childrens,
    GraphicNovel,
}
