//! The published language of subscriptions, checked three ways: the envelopes the context
//! really publishes (insta snapshots, ids and times redacted), the committed examples, and
//! the committed schema, which both must satisfy.

use kernel::testing::schema::{check_context, check_published_as, violations};
use kernel::testing::ContextHarness;
use kernel::{Envelope, MessageKind, Timestamp};
use serde_json::Value;
use subscriptions::ports::{CustomerId, StartCycle, SubscriptionsCommand};
use subscriptions::published::{BoxDueV1, BOX_DUE};
use subscriptions::Subscriptions;
use subscriptions::CONTEXT;

fn schema() -> Value {
    serde_json::from_str(BOX_DUE.schema).expect("the committed schema is JSON")
}

/// March 2026 starts with one paid subscription and one gift: two boxes fall due.
fn published_boxes() -> Vec<Envelope> {
    let mut harness = ContextHarness::new(Subscriptions);
    harness.clock.set(Timestamp::parse("2026-03-01T00:00:00Z").unwrap());
    let customer = |n| CustomerId::from_uuid(uuid::Uuid::from_u128(n));
    harness.execute(SubscriptionsCommand::Subscribe { customer_id: customer(1), books_per_month: 2 }).unwrap();
    let gift =
        SubscriptionsCommand::Gift { payer_id: customer(2), recipient_id: customer(3), books_per_month: 1, months: 6 };
    harness.execute(gift).unwrap();
    harness.execute(StartCycle { month: "2026-03".into() }).unwrap();
    let mut published = harness.take_published();
    // The cycle walks subscriptions in id order; sort so the snapshots do not depend on it.
    published.sort_by_key(|m| m.data.as_ref().unwrap().get().contains(r#""gift":true"#));
    published
}

fn as_json(envelope: &Envelope) -> Value {
    serde_json::to_value(envelope).expect("an envelope serializes")
}

#[test]
fn the_box_due_message_of_a_paid_subscription() {
    let published = published_boxes();
    insta::assert_json_snapshot!("box-due.v1.subscription", as_json(&published[0]), {
        ".id" => "[message-id]",
        ".time" => "[time]",
        ".subject" => "[subscription-id]",
        ".correlationid" => "[correlation-id]",
        ".causationid" => "[causation-id]",
        ".data.subscription_id" => "[subscription-id]",
    });
}

#[test]
fn the_box_due_message_of_a_gift() {
    let published = published_boxes();
    insta::assert_json_snapshot!("box-due.v1.gift", as_json(&published[1]), {
        ".id" => "[message-id]",
        ".time" => "[time]",
        ".subject" => "[subscription-id]",
        ".correlationid" => "[correlation-id]",
        ".causationid" => "[causation-id]",
        ".data.subscription_id" => "[subscription-id]",
    });
}

#[test]
fn every_published_message_satisfies_the_schema_and_decodes_as_the_dto() {
    let schema = schema();
    let published = published_boxes();
    assert_eq!(published.len(), 2);
    for envelope in published {
        assert_eq!(envelope.message_type, "bookbox.subscriptions.box-due.v1");
        assert_eq!(envelope.kind, MessageKind::DomainEvent);
        let data: Value = serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap();
        assert_eq!(violations(&schema, &data), Vec::<String>::new(), "{data}");
        let dto: BoxDueV1 = serde_json::from_value(data).unwrap();
        assert_eq!(
            envelope.subject.as_deref(),
            Some(dto.subscription_id.to_string().as_str()),
            "subject = subscription id"
        );
    }
}

#[test]
fn every_example_satisfies_the_schema_and_decodes_as_the_dto() {
    // At least one example; each satisfies the schema, decodes as the DTO and loses nothing.
    assert_eq!(check_published_as::<BoxDueV1>(&BOX_DUE), Ok(()));
    assert_eq!(check_context(&CONTEXT), Ok(()), "every schema's $id names the context and the message");
}

#[test]
fn the_declaration_matches_the_published_language() {
    assert_eq!(CONTEXT.name, "subscriptions");
    assert!(CONTEXT.consumes.is_empty(), "subscriptions consumes nothing");
    assert!(CONTEXT.upstreams.is_empty(), "so it declares no upstream");
    assert!(CONTEXT.sends.is_empty());
    let message = CONTEXT.published("bookbox.subscriptions.box-due.v1").expect("box-due v1 is declared");
    assert_eq!(message.kind, MessageKind::DomainEvent);
    assert!(message.personal_data.is_empty(), "ids and a plan identify no one by themselves");
}
