//! Reporting's side of the published language: what it declares (it publishes nothing, consumes
//! five messages with stable handler ids, conforms to three upstreams), and its contract with
//! each producer, checked against the schemas and examples they committed (copied into
//! `tests/fixtures`):
//!
//! - every example satisfies its producer's schema (the copies are consistent);
//! - every example is understood by reporting's tolerant reader;
//! - every field a reader requires is one the producer's schema requires, so no message the
//!   producer may legitimately send is refused for lacking it.

use kernel::context::{Relationship, Subscription};
use kernel::testing::schema::{check_context, violations};
use kernel::MessageKind;
use reporting::CONTEXT;
use serde_json::value::RawValue;
use serde_json::Value;

/// A message reporting consumes, its producer's schema, and the producer's examples.
struct Upstream {
    message_type: &'static str,
    schema: &'static str,
    examples: &'static [&'static str],
}

const UPSTREAMS: &[Upstream] = &[
    Upstream {
        message_type: "bookbox.orders.box-order.v1",
        schema: include_str!("fixtures/orders/box-order.v1.schema.json"),
        examples: &[
            include_str!("fixtures/orders/box-order.v1/placed.json"),
            include_str!("fixtures/orders/box-order.v1/shipped-combined.json"),
            include_str!("fixtures/orders/box-order.v1/cancelled-refunded.json"),
        ],
    },
    Upstream {
        message_type: "bookbox.orders.order-ended.v1",
        schema: include_str!("fixtures/orders/order-ended.v1.schema.json"),
        examples: &[
            include_str!("fixtures/orders/order-ended.v1/delivered.json"),
            include_str!("fixtures/orders/order-ended.v1/failed.json"),
            include_str!("fixtures/orders/order-ended.v1/refunded.json"),
        ],
    },
    Upstream {
        message_type: "bookbox.billing.payment-captured.v1",
        schema: include_str!("fixtures/billing/payment-captured.v1.schema.json"),
        examples: &[include_str!("fixtures/billing/payment-captured.v1/first-try.json")],
    },
    Upstream {
        message_type: "bookbox.billing.payment-refunded.v1",
        schema: include_str!("fixtures/billing/payment-refunded.v1.schema.json"),
        examples: &[include_str!("fixtures/billing/payment-refunded.v1/damaged-books.json")],
    },
    Upstream {
        message_type: "bookbox.inventory.book-availability.v1",
        schema: include_str!("fixtures/inventory/book-availability.v1.schema.json"),
        examples: &[
            include_str!("fixtures/inventory/book-availability.v1/in-stock.json"),
            include_str!("fixtures/inventory/book-availability.v1/withdrawn.json"),
        ],
    },
];

fn subscription(message_type: &str) -> &'static Subscription {
    CONTEXT
        .consumes
        .iter()
        .find(|s| s.message_type == message_type)
        .unwrap_or_else(|| panic!("reporting does not consume {message_type}"))
}

fn decodes(subscription: &Subscription, payload: &Value) -> Result<(), String> {
    (subscription.decode)(&RawValue::from_string(payload.to_string()).unwrap())
}

#[test]
fn reporting_publishes_nothing_and_consumes_with_stable_handler_ids() {
    assert_eq!(CONTEXT.name, "reporting");
    assert!(CONTEXT.publishes.is_empty() && CONTEXT.sends.is_empty());
    let consumed: Vec<_> = CONTEXT.consumes.iter().map(|s| (s.handler_id, s.message_type, s.kind)).collect();
    // Handler ids are recorded in the inbox: changing one makes every old message look new.
    assert_eq!(
        consumed,
        [
            ("reporting.on-box-order", "bookbox.orders.box-order.v1", MessageKind::StateTransfer),
            ("reporting.on-order-ended", "bookbox.orders.order-ended.v1", MessageKind::DomainEvent),
            ("reporting.on-payment-captured", "bookbox.billing.payment-captured.v1", MessageKind::DomainEvent),
            ("reporting.on-payment-refunded", "bookbox.billing.payment-refunded.v1", MessageKind::DomainEvent),
            ("reporting.on-book-availability", "bookbox.inventory.book-availability.v1", MessageKind::StateTransfer),
        ]
    );
    let upstreams: Vec<_> = CONTEXT.upstreams.iter().map(|u| (u.context, u.relationship)).collect();
    assert_eq!(
        upstreams,
        [
            ("orders", Relationship::Conformist),
            ("billing", Relationship::Conformist),
            ("inventory", Relationship::Conformist),
        ]
    );
    assert_eq!(check_context(&CONTEXT), Ok(()));
    assert_eq!(UPSTREAMS.len(), CONTEXT.consumes.len(), "each consumed message has its producer's fixtures");
}

#[test]
fn every_upstream_example_satisfies_its_producers_schema() {
    for upstream in UPSTREAMS {
        let schema: Value = serde_json::from_str(upstream.schema).unwrap();
        for example in upstream.examples {
            let example: Value = serde_json::from_str(example).unwrap();
            assert_eq!(violations(&schema, &example), Vec::<String>::new(), "{}: {example}", upstream.message_type);
        }
    }
}

#[test]
fn every_upstream_example_is_understood_by_the_tolerant_readers() {
    for upstream in UPSTREAMS {
        let subscription = subscription(upstream.message_type);
        for example in upstream.examples {
            let example: Value = serde_json::from_str(example).unwrap();
            assert_eq!(decodes(subscription, &example), Ok(()), "{}: {example}", upstream.message_type);
        }
    }
}

/// Each top-level field whose absence makes a reader refuse an example must be one the
/// producer's schema requires; and fields reporting does not use can go or come freely.
#[test]
fn readers_require_only_what_producers_must_send() {
    for upstream in UPSTREAMS {
        let subscription = subscription(upstream.message_type);
        let schema: Value = serde_json::from_str(upstream.schema).unwrap();
        let required: Vec<&str> = schema["required"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        for example in upstream.examples {
            let example: Value = serde_json::from_str(example).unwrap();
            for field in example.as_object().unwrap().keys() {
                let mut without = example.clone();
                without.as_object_mut().unwrap().remove(field);
                if decodes(subscription, &without).is_err() {
                    assert!(
                        required.contains(&field.as_str()),
                        "{}: reporting requires `{field}`, which the producer may leave out",
                        upstream.message_type
                    );
                }
            }
            let mut with_more = example.clone();
            with_more["added_in_a_later_version"] = Value::from("ignored");
            assert_eq!(decodes(subscription, &with_more), Ok(()), "{}", upstream.message_type);
        }
    }
}

#[test]
fn what_reporting_does_not_use_may_be_absent() {
    // An order under way: only its id, month and destination matter until it ends.
    let box_order = subscription("bookbox.orders.box-order.v1");
    let minimal = serde_json::json!({
        "order_id": "5b8e2f1a-9c3d-4e7f-a1b2-c3d4e5f60718", "month": "2026-03", "shipping_state": "IL", "ended": false
    });
    assert_eq!(decodes(box_order, &minimal), Ok(()));
}
