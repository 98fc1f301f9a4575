//! The anticorruption layer: curation's own models of the messages it consumes, and their
//! translation into its domain. No producer's crate is involved: each model is written from
//! the published language, as a tolerant reader (it requires only what curation uses and
//! ignores every other field), so producers can add fields without breaking curation.
//!
//! What curation takes, and what it leaves:
//! - `customers.customer-profile` v1: the genre preferences and the shipping address, with the
//!   version. Not the name, not the email: curation does not need them, so it does not keep
//!   them. A genre this list does not know is skipped (it matches nothing here).
//! - `inventory.book-availability` v1: title, genres, copies available, and the version where
//!   present. Not the per-warehouse split: where copies are is not curation's concern.
//! - `subscriptions.box-due` v1: who receives the box, who pays, the plan, the month. Not the
//!   gift flag, which changes nothing about which books to pick.
//!
//! A message that lacks what curation uses, or carries it malformed, is refused as a decode
//! error naming the field: the runtime dead-letters it, where an operator can see it.

use kernel::inbox::ConsumerModel;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::address::{AddressFields, ShippingAddress};
use crate::domain::book_replica::BookFacts;
use crate::domain::curated_box::DueBox;
use crate::domain::customer_replica::Subscriber;
use crate::domain::genre::Genres;
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::isbn::Isbn;
use crate::domain::month::Month;
use crate::domain::plan::{BooksPerMonth, MonthlyPrice, Plan};
use crate::domain::title::Title;

/// `bookbox.customers.customer-profile.v1`, as curation reads it.
#[derive(Debug, Deserialize)]
pub(super) struct CustomerProfile {
    customer_id: Uuid,
    shipping_address: Address,
    #[serde(default)]
    genres: Vec<String>,
    #[serde(default)]
    version: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Address {
    line1: String,
    #[serde(default)]
    line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    country: String,
}

/// `bookbox.inventory.book-availability.v1`, as curation reads it.
#[derive(Debug, Deserialize)]
pub(super) struct BookAvailability {
    isbn: String,
    title: String,
    #[serde(default)]
    genres: Vec<String>,
    available: u64,
    #[serde(default)]
    version: Option<u64>,
}

/// `bookbox.subscriptions.box-due.v1`, as curation reads it.
#[derive(Debug, Deserialize)]
pub(super) struct BoxDue {
    subscription_id: Uuid,
    customer_id: Uuid,
    payer_id: Uuid,
    plan: DuePlan,
    month: String,
}

#[derive(Debug, Deserialize)]
struct DuePlan {
    books_per_month: u64,
    monthly_price: DuePrice,
}

#[derive(Debug, Deserialize)]
struct DuePrice {
    amount_cents: u64,
    currency: String,
}

/// A customer's profile, in curation's words.
#[derive(Debug)]
pub(super) struct ProfileUpdate {
    pub customer_id: CustomerId,
    pub subscriber: Subscriber,
    pub version: Option<u64>,
}

/// A book's availability, in curation's words.
#[derive(Debug)]
pub(super) struct BookUpdate {
    pub isbn: Isbn,
    pub facts: BookFacts,
    pub version: Option<u64>,
}

impl ConsumerModel for CustomerProfile {
    type Read = ProfileUpdate;

    fn read(self) -> Result<ProfileUpdate, String> {
        translate_profile(self)
    }
}

impl ConsumerModel for BookAvailability {
    type Read = BookUpdate;

    fn read(self) -> Result<BookUpdate, String> {
        translate_book(self)
    }
}

impl ConsumerModel for BoxDue {
    type Read = DueBox;

    fn read(self) -> Result<DueBox, String> {
        translate_box_due(self)
    }
}

fn translate_profile(profile: CustomerProfile) -> Result<ProfileUpdate, String> {
    let address = &profile.shipping_address;
    let shipping_address = ShippingAddress::new(AddressFields {
        line1: &address.line1,
        line2: address.line2.as_deref(),
        city: &address.city,
        state: &address.state,
        postal_code: &address.postal_code,
        country: &address.country,
    })
    .map_err(|e| format!("customer-profile: {e}"))?;
    Ok(ProfileUpdate {
        customer_id: CustomerId::from_uuid(profile.customer_id),
        subscriber: Subscriber {
            preferences: Genres::read_leniently(profile.genres.iter().map(String::as_str)),
            shipping_address,
        },
        version: profile.version,
    })
}

fn translate_book(book: BookAvailability) -> Result<BookUpdate, String> {
    let isbn = Isbn::parse(&book.isbn).map_err(|e| format!("book-availability: isbn: {e}"))?;
    let title = Title::parse(&book.title).map_err(|e| format!("book-availability: title {e}"))?;
    let genres = Genres::read_leniently(book.genres.iter().map(String::as_str));
    Ok(BookUpdate { isbn, facts: BookFacts { title, genres, available: book.available }, version: book.version })
}

fn translate_box_due(due: BoxDue) -> Result<DueBox, String> {
    let books_per_month =
        BooksPerMonth::new(due.plan.books_per_month).map_err(|e| format!("box-due: plan.books_per_month: {e}"))?;
    let monthly_price = MonthlyPrice::new(due.plan.monthly_price.amount_cents, &due.plan.monthly_price.currency)
        .map_err(|e| format!("box-due: plan.monthly_price: {e}"))?;
    let month = Month::parse(&due.month).map_err(|e| format!("box-due: month: {e}"))?;
    Ok(DueBox {
        subscription_id: SubscriptionId::from_uuid(due.subscription_id),
        customer_id: CustomerId::from_uuid(due.customer_id),
        payer_id: CustomerId::from_uuid(due.payer_id),
        plan: Plan { books_per_month, monthly_price },
        month,
    })
}

#[cfg(test)]
mod tests {
    use kernel::context::MessageError;

    use super::*;

    /// Decodes and reads `json` as the inbox does, giving the reason of a refusal.
    fn read<M: ConsumerModel>(json: &str) -> Result<M::Read, String> {
        let raw = serde_json::value::RawValue::from_string(json.to_owned()).unwrap();
        kernel::inbox::read::<M>(&raw).map_err(|e| match e {
            MessageError::Decode(why) => why,
            other => other.to_string(),
        })
    }

    #[test]
    fn unknown_fields_and_genres_are_ignored_and_personal_data_not_kept() {
        let update = read::<CustomerProfile>(
            r#"{"customer_id":"c0ffee00-1234-4abc-9def-001122334455","name":"Ada","email":"ada@example.com",
                "shipping_address":{"line1":"1 Main St","city":"Austin","state":"TX","postal_code":"73301","country":"US","geo":[1,2]},
                "genres":["mystery","cozy-crime"],"version":4,"loyalty_tier":"gold"}"#,
        )
        .unwrap();
        assert_eq!(update.subscriber.preferences.iter().map(|g| g.as_str()).collect::<Vec<_>>(), ["mystery"]);
        assert_eq!(update.version, Some(4));
        let replica_json = serde_json::to_string(&update.subscriber).unwrap();
        assert!(!replica_json.contains("Ada") && !replica_json.contains("ada@example.com"));
    }

    #[test]
    fn what_curation_needs_must_be_there_and_well_formed() {
        let no_address = r#"{"customer_id":"c0ffee00-1234-4abc-9def-001122334455","genres":[],"version":1}"#;
        assert!(read::<CustomerProfile>(no_address).unwrap_err().contains("shipping_address"));
        let bad_state = r#"{"customer_id":"c0ffee00-1234-4abc-9def-001122334455","version":1,
            "shipping_address":{"line1":"1 Main St","city":"Austin","state":"Texas","postal_code":"73301","country":"US"}}"#;
        assert_eq!(
            read::<CustomerProfile>(bad_state).map(|_| ()),
            Err("customer-profile: shipping_address.state must be two capital letters".into())
        );
        let four_books = r#"{"subscription_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","customer_id":"c0ffee00-1234-4abc-9def-001122334455",
            "payer_id":"c0ffee00-1234-4abc-9def-001122334455","month":"2026-03",
            "plan":{"books_per_month":4,"monthly_price":{"amount_cents":1,"currency":"USD"}}}"#;
        assert_eq!(
            read::<BoxDue>(four_books).map(|_| ()),
            Err("box-due: plan.books_per_month: 4 books a month is not a plan; plans are 1, 2 or 3 books a month"
                .into())
        );
        let bad_isbn = r#"{"isbn":"978-0-306-40615-7","title":"Dune","genres":[],"available":1}"#;
        assert!(read::<BookAvailability>(bad_isbn).unwrap_err().starts_with("book-availability: isbn: "));
    }
}
