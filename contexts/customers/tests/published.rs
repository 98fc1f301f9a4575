//! The published language of customers, checked three ways: the envelopes the context
//! really publishes (insta snapshots, ids and times redacted), the committed examples, and
//! the committed schema, which both must satisfy.

use customers::ports::{CustomersCommand, PostalAddress, Registration};
use customers::published::{CustomerProfileV1, CUSTOMER_PROFILE};
use customers::Customers;
use customers::CONTEXT;
use kernel::testing::schema::{check_context, check_published_as, violations};
use kernel::testing::ContextHarness;
use kernel::{Envelope, MessageKind};
use serde_json::Value;

fn schema() -> Value {
    serde_json::from_str(CUSTOMER_PROFILE.schema).expect("the committed schema is JSON")
}

/// Registers Ada, moves her to Chicago and records her tastes: one message per change.
fn published_profiles() -> Vec<Envelope> {
    let mut harness = ContextHarness::new(Customers);
    let registration = Registration {
        name: "Ada Lovelace".into(),
        email: "Ada.Lovelace@Example.com".into(),
        shipping_address: PostalAddress {
            line1: "12 Analytical Way".into(),
            line2: None,
            city: "Dallas".into(),
            state: "TX".into(),
            postal_code: "75201".into(),
            country: "US".into(),
        },
    };
    let ada = harness.execute(CustomersCommand::Register(registration)).unwrap().customer_id;
    let chicago = PostalAddress {
        line1: "400 N Michigan Ave".into(),
        line2: Some("Suite 1200".into()),
        city: "Chicago".into(),
        state: "IL".into(),
        postal_code: "60611-4100".into(),
        country: "US".into(),
    };
    harness.execute(CustomersCommand::ChangeShippingAddress { customer_id: ada, shipping_address: chicago }).unwrap();
    let genres = vec!["science-fiction".into(), "mystery".into()];
    harness.execute(CustomersCommand::UpdateGenrePreferences { customer_id: ada, genres }).unwrap();
    harness.execute(CustomersCommand::ChangeEmail { customer_id: ada, email: "countess@example.org".into() }).unwrap();
    harness.take_published()
}

fn as_json(envelope: &Envelope) -> Value {
    serde_json::to_value(envelope).expect("an envelope serializes")
}

#[test]
fn the_profile_message_on_registration() {
    let published = published_profiles();
    insta::assert_json_snapshot!("customer-profile.v1.registered", as_json(&published[0]), {
        ".id" => "[message-id]",
        ".time" => "[time]",
        ".subject" => "[customer-id]",
        ".correlationid" => "[correlation-id]",
        ".causationid" => "[causation-id]",
        ".data.customer_id" => "[customer-id]",
    });
}

#[test]
fn the_profile_message_after_every_kind_of_change() {
    let published = published_profiles();
    assert_eq!(published.len(), 4, "one message per change: register, address, preferences, email");
    insta::assert_json_snapshot!("customer-profile.v1.after-changes", as_json(&published[3]), {
        ".id" => "[message-id]",
        ".time" => "[time]",
        ".subject" => "[customer-id]",
        ".correlationid" => "[correlation-id]",
        ".causationid" => "[causation-id]",
        ".data.customer_id" => "[customer-id]",
    });
}

#[test]
fn every_published_message_satisfies_the_schema_and_decodes_as_the_dto() {
    let schema = schema();
    for envelope in published_profiles() {
        assert_eq!(envelope.message_type, "bookbox.customers.customer-profile.v1");
        assert_eq!(envelope.kind, MessageKind::StateTransfer);
        let data: Value = serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap();
        assert_eq!(violations(&schema, &data), Vec::<String>::new(), "{data}");
        let dto: CustomerProfileV1 = serde_json::from_value(data).unwrap();
        assert_eq!(envelope.subject.as_deref(), Some(dto.customer_id.to_string().as_str()), "subject = customer id");
    }
}

#[test]
fn every_example_satisfies_the_schema_and_decodes_as_the_dto() {
    // At least one example; each satisfies the schema, decodes as the DTO and loses nothing.
    assert_eq!(check_published_as::<CustomerProfileV1>(&CUSTOMER_PROFILE), Ok(()));
    assert_eq!(check_context(&CONTEXT), Ok(()), "every schema's $id names the context and the message");
}

#[test]
fn the_declaration_matches_the_published_language() {
    assert_eq!(CONTEXT.name, "customers");
    assert!(CONTEXT.consumes.is_empty() && CONTEXT.upstreams.is_empty() && CONTEXT.sends.is_empty());
    let message = CONTEXT.published("bookbox.customers.customer-profile.v1").expect("customer-profile v1 is declared");
    assert_eq!(message.kind, MessageKind::StateTransfer);
    let schema = schema();
    for field in message.personal_data {
        assert!(schema["properties"].get(*field).is_some(), "personal-data field `{field}` is not in the schema");
    }
    assert_eq!(message.personal_data, ["name", "email", "shipping_address"]);
}
