//! The published language of orders, checked four ways: the envelopes the context really
//! publishes and sends (insta snapshots, ids and times redacted), the committed examples, the
//! committed schemas, which both must satisfy, and the declaration. And the other way round:
//! every message orders consumes, shaped as the published language describes it, reads.

mod support;

use kernel::testing::incoming;
use kernel::MessageKind;
use orders::ports::CombineOrders;
use orders::published::{BoxOrderV1, OrderEndedV1, BOX_ORDER, ORDER_ENDED};
use orders::CONTEXT;
use serde_json::{json, Value};

use kernel::testing::schema::{check_context, check_published_as, violations};
use support::*;

fn schema(message: &kernel::context::PublishedMessage) -> Value {
    serde_json::from_str(message.schema).expect("the committed schema is JSON")
}

/// Everything a delivered box makes orders publish and send, from curation to delivery.
fn a_delivered_box() -> Vec<Sent> {
    let mut shop = Shop::new();
    let order = shop.curate(illinois_box(1)).order_id;
    let o = order.to_string();
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    shop.shipping("shipment-dispatched", &o, dispatched(&o, &[order]));
    shop.shipping("shipment-delivered", &o, shipment_news(&o, &[order]));
    shop.take()
}

/// A box whose payment billing never confirms, captured after the order failed.
fn a_failed_box() -> Vec<Sent> {
    let mut shop = Shop::new();
    let order = shop.curate(illinois_box(1)).order_id;
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.billing("payment-failed", order, payment_failed(order));
    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    shop.take()
}

/// Two combined boxes, both charged.
fn a_combined_shipment() -> Vec<Sent> {
    let mut shop = Shop::new();
    let a = shop.curate(curated_box(1, 1, "12 Elm Street", "IL", "2026-03")).order_id;
    let b = shop.curate(curated_box(2, 2, "12 Elm Street", "IL", "2026-03")).order_id;
    for order in [a, b] {
        shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    }
    shop.harness.execute(CombineOrders { first: a, second: b }).expect("combined");
    shop.billing("payment-captured", a, payment_captured(a, 1, 2999));
    shop.billing("payment-captured", b, payment_captured(b, 2, 2999));
    shop.take()
}

fn first<'a>(sent: &'a [Sent], name: &str) -> &'a Sent {
    sent.iter().find(|s| s.name() == name).unwrap_or_else(|| panic!("no {name} in {sent:?}"))
}

fn last<'a>(sent: &'a [Sent], name: &str) -> &'a Sent {
    sent.iter().rev().find(|s| s.name() == name).unwrap_or_else(|| panic!("no {name} in {sent:?}"))
}

macro_rules! snapshot {
    ($name:expr, $sent:expr) => {
        insta::assert_json_snapshot!($name, $sent.envelope, {
            ".id" => "[message-id]",
            ".time" => "[time]",
            ".correlationid" => "[correlation-id]",
            ".causationid" => "[causation-id]",
            ".subject" => "[order-or-shipment-id]",
            ".data.order_id" => "[order-id]",
            ".data.shipment_id" => "[shipment-id]",
            ".data.order_ids[]" => "[order-id]",
            ".data.refund_id" => "[refund-id]",
        })
    };
}

#[test]
fn the_box_order_message_of_a_new_order() {
    snapshot!("box-order.v1.placed", first(&a_delivered_box(), "box-order"));
}

#[test]
fn the_box_order_message_of_a_delivered_order() {
    snapshot!("box-order.v1.delivered", last(&a_delivered_box(), "box-order"));
}

#[test]
fn the_order_ended_message_of_a_delivered_order() {
    snapshot!("order-ended.v1.delivered", first(&a_delivered_box(), "order-ended"));
}

#[test]
fn the_order_ended_message_of_a_failed_order() {
    snapshot!("order-ended.v1.failed", first(&a_failed_box(), "order-ended"));
}

#[test]
fn the_commands_sent_to_inventory() {
    let sent = a_delivered_box();
    snapshot!("sent.reserve-stock.v1", first(&sent, "reserve-stock"));
    snapshot!("sent.ship-reservation.v1", first(&sent, "ship-reservation"));
    snapshot!("sent.release-reservation.v1", first(&a_failed_box(), "release-reservation"));
}

#[test]
fn the_commands_sent_to_billing() {
    snapshot!("sent.charge-payment.v1", first(&a_delivered_box(), "charge-payment"));
    snapshot!("sent.refund-payment.v1", first(&a_failed_box(), "refund-payment"));
}

#[test]
fn the_command_sent_to_shipping_for_two_combined_orders() {
    snapshot!("sent.request-shipment.v1.combined", first(&a_combined_shipment(), "request-shipment"));
}

#[test]
fn every_published_message_satisfies_its_schema_and_decodes_as_the_dto() {
    let mut all = a_delivered_box();
    all.extend(a_failed_box());
    all.extend(a_combined_shipment());
    let (box_order, order_ended) = (schema(&BOX_ORDER), schema(&ORDER_ENDED));
    let mut seen = (0, 0);
    for sent in all.iter().filter(|s| s.recipient.is_none()) {
        let (schema, kind) = match sent.message_type.as_str() {
            "bookbox.orders.box-order.v1" => {
                seen.0 += 1;
                let dto: BoxOrderV1 = serde_json::from_value(sent.data.clone()).unwrap();
                assert_eq!(sent.subject, dto.order_id.to_string(), "subject = order id");
                assert!(dto.refunded.amount_cents <= dto.captured.amount_cents);
                (&box_order, MessageKind::StateTransfer)
            }
            "bookbox.orders.order-ended.v1" => {
                seen.1 += 1;
                let dto: OrderEndedV1 = serde_json::from_value(sent.data.clone()).unwrap();
                assert_eq!(sent.subject, dto.order_id.to_string(), "subject = order id");
                (&order_ended, MessageKind::DomainEvent)
            }
            other => panic!("orders published an undeclared message {other}"),
        };
        assert_eq!(sent.kind, kind);
        assert_eq!(violations(schema, &sent.data), Vec::<String>::new(), "{}", sent.data);
    }
    assert!(seen.0 >= 10 && seen.1 >= 2, "{seen:?}");
}

#[test]
fn every_example_satisfies_its_schema_and_decodes_as_the_dto() {
    check_context(&CONTEXT).unwrap_or_else(|e| panic!("{e}"));
    check_published_as::<BoxOrderV1>(&BOX_ORDER).unwrap_or_else(|e| panic!("{e}"));
    check_published_as::<OrderEndedV1>(&ORDER_ENDED).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_declaration_matches_the_published_language() {
    assert_eq!(CONTEXT.name, "orders");
    let box_order = CONTEXT.published("bookbox.orders.box-order.v1").expect("box-order v1 is declared");
    assert_eq!(box_order.kind, MessageKind::StateTransfer);
    let ended = CONTEXT.published("bookbox.orders.order-ended.v1").expect("order-ended v1 is declared");
    assert_eq!(ended.kind, MessageKind::DomainEvent);
    let consumed: Vec<&str> = CONTEXT.consumes.iter().map(|s| s.message_type).collect();
    for (owner, names) in [
        ("curation", &["box-curated"][..]),
        (
            "inventory",
            &["stock-reserved", "stock-reservation-rejected", "reservation-released", "reserved-stock-shipped"],
        ),
        ("billing", &["payment-captured", "payment-failed", "payment-refunded"]),
        ("shipping", &["shipment-dispatched", "shipment-delivered", "shipment-returned", "shipment-damaged"]),
    ] {
        for name in names {
            assert!(consumed.contains(&format!("bookbox.{owner}.{name}.v1").as_str()), "{owner} {name}");
        }
        assert!(CONTEXT.upstreams.iter().any(|u| u.context == owner), "{owner} is an upstream");
    }
    assert_eq!(consumed.len(), 12);
    assert!(CONTEXT
        .consumes
        .iter()
        .all(|s| s.kind == MessageKind::DomainEvent && s.handler_id.starts_with("orders.on-")));
}

/// Every message orders consumes, as its producer's published language describes it (with a
/// field orders does not know, to prove the reader tolerant).
#[test]
fn every_consumed_message_shaped_like_the_published_language_decodes() {
    let order = uuid(1);
    let shipment = uuid(2);
    let amount = money(2999);
    let cases = [
        ("bookbox.curation.box-curated.v1", illinois_box(1)),
        (
            "bookbox.inventory.stock-reserved.v1",
            json!({ "order_id": order, "warehouse": "dallas", "lines": [ { "isbn": "9780306406157", "quantity": 1 } ] }),
        ),
        (
            "bookbox.inventory.stock-reservation-rejected.v1",
            json!({ "order_id": order, "warehouse": "chicago", "reason": "insufficient-stock", "shortages": [ { "isbn": "9780804429573", "requested": 2, "available": 1 } ] }),
        ),
        ("bookbox.inventory.reservation-released.v1", json!({ "order_id": order, "warehouse": "dallas" })),
        (
            "bookbox.inventory.reserved-stock-shipped.v1",
            json!({ "order_id": order, "warehouse": "dallas", "lines": [] }),
        ),
        (
            "bookbox.billing.payment-captured.v1",
            json!({ "order_id": order, "payment_id": uuid(3), "payer_id": uuid(4), "amount": amount, "attempt": 2 }),
        ),
        (
            "bookbox.billing.payment-failed.v1",
            json!({ "order_id": order, "payment_id": uuid(3), "attempts": 3, "reason": "card declined" }),
        ),
        (
            "bookbox.billing.payment-refunded.v1",
            json!({ "order_id": order, "payment_id": uuid(3), "amount": amount, "refunded_total": amount }),
        ),
        (
            "bookbox.shipping.shipment-dispatched.v1",
            json!({ "shipment_id": shipment, "order_ids": [order], "carrier": "UPS", "tracking_number": "1Z999" }),
        ),
        (
            "bookbox.shipping.shipment-delivered.v1",
            json!({ "shipment_id": shipment, "order_ids": [order], "attempts": 2 }),
        ),
        (
            "bookbox.shipping.shipment-returned.v1",
            json!({ "shipment_id": shipment, "order_ids": [order], "attempts": 3 }),
        ),
        (
            "bookbox.shipping.shipment-damaged.v1",
            json!({ "shipment_id": shipment, "order_ids": [order], "insurance_claim": amount }),
        ),
    ];
    assert_eq!(cases.len(), CONTEXT.consumes.len());
    for (message_type, mut data) in cases {
        data["added_in_a_later_version"] = json!(true);
        let subscription = CONTEXT.consumes.iter().find(|s| s.message_type == message_type).expect(message_type);
        let raw = serde_json::value::RawValue::from_string(data.to_string()).unwrap();
        (subscription.decode)(&raw).unwrap_or_else(|e| panic!("{message_type}: {e}"));
        // And through the context itself.
        let mut shop = Shop::new();
        let (source, name) = (message_type.split('.').nth(1).unwrap(), message_type.split('.').nth(2).unwrap());
        let envelope =
            incoming(&shop.harness.ids, source, name, 1, MessageKind::DomainEvent, "subject", &data.to_string());
        shop.deliver_envelope(&envelope);
    }
}

proptest::proptest! {
    /// Whatever another context sends, orders answers with a decode error or handles it: it
    /// never panics.
    #[test]
    fn no_payload_makes_a_handler_panic(pick in 0usize..12, json in any_json()) {
        let subscription = &CONTEXT.consumes[pick];
        let raw = serde_json::value::RawValue::from_string(json.to_string()).unwrap();
        let _ = (subscription.decode)(&raw);
        let shop = Shop::new();
        let (source, name) = (subscription.message_type.split('.').nth(1).unwrap(), subscription.message_type.split('.').nth(2).unwrap());
        let envelope = incoming(&shop.harness.ids, source, name, 1, MessageKind::DomainEvent, "subject", &json.to_string());
        let _ = shop.harness.deliver(&envelope);
    }
}

/// JSON shaped roughly like the messages orders reads: objects with the field names it knows,
/// holding anything.
fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[a-z0-9-]{0,12}".prop_map(Value::from),
        Just(json!(uuid(7))),
        Just(json!("dallas")),
        Just(json!({ "amount_cents": 1, "currency": "USD" })),
    ];
    let fields = [
        "order_id",
        "warehouse",
        "reason",
        "payment_id",
        "amount",
        "refunded_total",
        "shipment_id",
        "order_ids",
        "carrier",
        "tracking_number",
        "insurance_claim",
        "box_id",
        "month",
        "books",
        "shipping_address",
        "plan",
    ];
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::vec((proptest::sample::select(fields.to_vec()), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}
