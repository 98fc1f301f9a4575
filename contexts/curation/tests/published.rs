//! Curation's side of the published language: its own messages have schemas and examples that
//! agree with its DTOs and with what it actually publishes; and every example its upstreams
//! publish (copied into `tests/fixtures`) is understood by its tolerant readers.

use curation::ports::FinalizeSelection;
use curation::published::{BoxCuratedV1, BoxCurationFailedV1};
use curation::CurationContext;
use curation::CONTEXT;
use kernel::context::{PublishedMessage, Relationship};
use kernel::testing::schema::{check_context, check_published_as, violations};
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::MessageKind;
use serde_json::value::RawValue;
use serde_json::Value;

fn message(name: &str) -> &'static PublishedMessage {
    CONTEXT.publishes.iter().find(|m| m.name == name).copied().unwrap_or_else(|| panic!("{name} is not published"))
}

#[test]
fn every_example_decodes_into_its_dto_without_loss() {
    assert_eq!(check_published_as::<BoxCuratedV1>(message("box-curated")), Ok(()));
    assert_eq!(check_published_as::<BoxCurationFailedV1>(message("box-curation-failed")), Ok(()));
    assert_eq!(CONTEXT.publishes.len(), 2, "a new message needs its DTO checked here");
}

#[test]
fn every_example_satisfies_its_schema() {
    for published in CONTEXT.publishes {
        assert_eq!(published.kind, MessageKind::DomainEvent, "{}", published.name);
    }
    // Each schema is JSON whose $id names the context and the message; each example satisfies it.
    assert_eq!(check_context(&CONTEXT), Ok(()));
    assert_eq!(message("box-curated").personal_data, ["shipping_address"]);
}

/// The upstream examples, as the producers committed them (copied into `tests/fixtures`).
const UPSTREAM_EXAMPLES: &[(&str, &str)] = &[
    ("bookbox.customers.customer-profile.v1", include_str!("fixtures/customers/customer-profile.v1/registered.json")),
    (
        "bookbox.customers.customer-profile.v1",
        include_str!("fixtures/customers/customer-profile.v1/with-preferences.json"),
    ),
    ("bookbox.inventory.book-availability.v1", include_str!("fixtures/inventory/book-availability.v1/in-stock.json")),
    ("bookbox.inventory.book-availability.v1", include_str!("fixtures/inventory/book-availability.v1/withdrawn.json")),
    ("bookbox.subscriptions.box-due.v1", include_str!("fixtures/subscriptions/box-due.v1/subscription.json")),
    ("bookbox.subscriptions.box-due.v1", include_str!("fixtures/subscriptions/box-due.v1/gift.json")),
];

#[test]
fn every_upstream_example_is_understood_by_the_tolerant_readers() {
    for (message_type, example) in UPSTREAM_EXAMPLES {
        let subscription = CONTEXT
            .consumes
            .iter()
            .find(|s| s.message_type == *message_type)
            .unwrap_or_else(|| panic!("curation does not consume {message_type}"));
        let raw = RawValue::from_string(example.to_string()).unwrap();
        assert_eq!((subscription.decode)(&raw), Ok(()), "{message_type}: {example}");
    }
}

#[test]
fn handlers_kinds_and_upstreams_are_declared_honestly() {
    let consumed: Vec<_> = CONTEXT.consumes.iter().map(|s| (s.handler_id, s.message_type, s.kind)).collect();
    assert_eq!(
        consumed,
        [
            ("curation.on-customer-profile", "bookbox.customers.customer-profile.v1", MessageKind::StateTransfer),
            ("curation.on-book-availability", "bookbox.inventory.book-availability.v1", MessageKind::StateTransfer),
            ("curation.on-box-due", "bookbox.subscriptions.box-due.v1", MessageKind::DomainEvent),
        ],
        "handler ids are recorded in inboxes: never change them"
    );
    let upstreams: Vec<_> = CONTEXT.upstreams.iter().map(|u| (u.context, u.relationship)).collect();
    assert_eq!(
        upstreams,
        [
            ("customers", Relationship::AnticorruptionLayer),
            ("inventory", Relationship::AnticorruptionLayer),
            ("subscriptions", Relationship::AnticorruptionLayer),
        ]
    );
    assert!(CONTEXT.sends.is_empty());
}

/// Drives curation to publish each of its messages from the upstream examples, and checks
/// each against its schema.
#[test]
fn what_the_context_publishes_satisfies_the_schemas() {
    let mut harness = ContextHarness::new(CurationContext);
    let deliver = |(message_type, data): (&str, &str)| {
        let mut parts = message_type.split('.').skip(1);
        let (context, name) = (parts.next().unwrap(), parts.next().unwrap());
        let kind = CONTEXT.consumes.iter().find(|s| s.message_type == message_type).unwrap().kind;
        let message = incoming(&harness.ids, context, name, 1, kind, "subject", data);
        assert_eq!(harness.deliver(&message).unwrap(), Delivery::Processed);
    };
    for example in &UPSTREAM_EXAMPLES[..4] {
        deliver(*example);
    }
    harness
        .execute(FinalizeSelection {
            month: "2026-03".into(),
            isbns: vec!["9780306406157".into(), "9780804429573".into()],
        })
        .unwrap();
    // The subscription's subscriber has a profile, but only one book is available for two:
    // a failure. The gift's recipient has no profile: another failure. Then a one-book box.
    deliver(UPSTREAM_EXAMPLES[4]);
    deliver(UPSTREAM_EXAMPLES[5]);
    let mut one_book: Value = serde_json::from_str(UPSTREAM_EXAMPLES[4].1).unwrap();
    one_book["subscription_id"] = "7d1c2b3a-4e5f-4a6b-8c7d-000000000001".into();
    one_book["plan"]["books_per_month"] = 1.into();
    deliver(("bookbox.subscriptions.box-due.v1", &one_book.to_string()));
    let published = harness.take_published();
    let names: Vec<_> = published.iter().map(|e| e.message_type.as_str()).collect();
    assert_eq!(
        names,
        [
            "bookbox.curation.box-curation-failed.v1",
            "bookbox.curation.box-curation-failed.v1",
            "bookbox.curation.box-curated.v1"
        ]
    );
    for envelope in &published {
        let name = envelope.message_type.trim_start_matches("bookbox.curation.").trim_end_matches(".v1");
        let schema: Value = serde_json::from_str(message(name).schema).unwrap();
        let data: Value = serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap();
        let found = violations(&schema, &data);
        assert!(found.is_empty(), "{name} as published breaks its schema: {found:#?}\n{data}");
    }
}
