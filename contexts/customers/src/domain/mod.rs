//! The customers domain: pure, no I/O, no clock, no randomness.
//!
//! - value objects: [`name`], [`email`], [`address`], [`genre`] (each parses its input and
//!   says which field is wrong and why);
//! - aggregates: [`customer::Customer`] (one profile) and [`email_claim::EmailClaim`] (one
//!   mailbox, so that no two customers share it).
//!
//! Value objects deserialize through their parsers, so a stored event can never hold an
//! invalid value; the other side of that coin is that tightening a rule needs an upcaster
//! for the old events it would refuse.

pub mod address;
pub mod customer;
pub mod email;
pub mod email_claim;
pub mod genre;
pub mod name;
mod text;

pub use text::TextProblem;

/// Stored payloads of every event type and version ever written, which must keep decoding
/// for as long as events live: (aggregate category, event type, schema version, JSON).
#[cfg(test)]
const CORPUS: &[(&str, &str, u32, &str)] = &[
    ("customer", "registered", 1, include_str!("../../corpus/customer/registered.v1.json")),
    ("customer", "email-changed", 1, include_str!("../../corpus/customer/email-changed.v1.json")),
    ("customer", "shipping-address-changed", 1, include_str!("../../corpus/customer/shipping-address-changed.v1.json")),
    (
        "customer",
        "genre-preferences-updated",
        1,
        include_str!("../../corpus/customer/genre-preferences-updated.v1.json"),
    ),
    ("email-claim", "claimed", 1, include_str!("../../corpus/email-claim/claimed.v1.json")),
    ("email-claim", "released", 1, include_str!("../../corpus/email-claim/released.v1.json")),
];

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use kernel::{Aggregate, DomainEvent, EventCodec};

    use super::customer::tests::{address, email, id};
    use super::customer::{Customer, CustomerEvent};
    use super::email_claim::{EmailClaim, EmailClaimEvent};
    use super::genre::GenrePreferences;
    use super::name::CustomerName;
    use super::CORPUS;

    fn decode_corpus<E: DomainEvent>(category: &str) -> Vec<(String, E)> {
        let codec = EventCodec::<E>::new();
        CORPUS
            .iter()
            .filter(|(c, ..)| *c == category)
            .map(|(_, event_type, version, json)| {
                let payload = RawValue::from_string(json.trim().to_owned()).expect("corpus files are JSON");
                let event = codec
                    .decode(event_type, *version, &payload)
                    .unwrap_or_else(|e| panic!("corpus {category}/{event_type}.v{version} no longer decodes: {e}"));
                (event_type.to_string(), event)
            })
            .collect()
    }

    /// Every event type the code can write has a corpus entry at its current version.
    fn assert_covered<E: DomainEvent>(category: &str, samples: &[E]) {
        let codec = EventCodec::<E>::new();
        for sample in samples {
            let encoded = codec.encode(sample).unwrap();
            let covered = CORPUS
                .iter()
                .any(|(c, t, v, _)| *c == category && *t == encoded.event_type && *v == encoded.schema_version);
            assert!(covered, "add corpus/{category}/{}.v{}.json", encoded.event_type, encoded.schema_version);
        }
    }

    #[test]
    fn the_corpus_still_decodes_and_covers_every_event_type() {
        let customer_events = decode_corpus::<CustomerEvent>(Customer::CATEGORY);
        let state = Customer::replay(customer_events.iter().map(|(_, e)| e));
        let profile = state.profile().expect("the corpus registers a customer");
        assert_eq!(profile.email().as_str(), "countess@example.org");
        assert_eq!(profile.shipping_address().city(), "Chicago");
        assert_covered(
            Customer::CATEGORY,
            &[
                CustomerEvent::Registered {
                    customer_id: id(1),
                    name: CustomerName::parse("Ada").unwrap(),
                    email: email("a@example.com"),
                    shipping_address: address("1 Main St"),
                },
                CustomerEvent::EmailChanged { previous: email("a@example.com"), email: email("b@example.com") },
                CustomerEvent::ShippingAddressChanged { shipping_address: address("1 Main St") },
                CustomerEvent::GenrePreferencesUpdated { genres: GenrePreferences::default() },
            ],
        );
        let claim_events = decode_corpus::<EmailClaimEvent>(EmailClaim::CATEGORY);
        assert_eq!(claim_events.len(), 2);
        assert_covered(
            EmailClaim::CATEGORY,
            &[EmailClaimEvent::Claimed { customer_id: id(1) }, EmailClaimEvent::Released { customer_id: id(1) }],
        );
    }
}
