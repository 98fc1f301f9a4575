//! The published language holds together: every message has a schema and examples; every
//! example decodes into billing's own DTO, loses nothing on the way, and satisfies the schema;
//! every command billing accepts is consumed by a handler of its own; and what the context
//! actually publishes, and the receipt document its links resolve to, satisfy the schemas too.

mod support;

use billing::ports::{Amount, BillingCommand};
use billing::published::{
    ChargePaymentV1, DisputeOpenedV1, DisputeResolvedV1, PaymentCapturedV1, PaymentDeclinedV1, PaymentFailedV1,
    PaymentRefundedV1, ReceiptDocumentV1, ReceiptIssuedV1, RefundPaymentV1, RECEIPT_DOCUMENT_EXAMPLES,
    RECEIPT_DOCUMENT_SCHEMA,
};
use billing::{Billing, CONTEXT};
use kernel::context::{Caller, PublishedMessage};
use kernel::message::Envelope;
use kernel::testing::schema::{check_context, check_examples, check_published_as, check_round_trip, violations};
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::{MessageKind, Timestamp};
use serde_json::value::RawValue;
use serde_json::Value;

use support::gateway::ScriptedGateway;

fn message(name: &str) -> &'static PublishedMessage {
    CONTEXT.publishes.iter().find(|m| m.name == name).copied().unwrap_or_else(|| panic!("{name} is not published"))
}

#[test]
fn every_example_decodes_into_its_dto_without_loss() {
    assert_eq!(check_published_as::<ChargePaymentV1>(message("charge-payment")), Ok(()));
    assert_eq!(check_published_as::<RefundPaymentV1>(message("refund-payment")), Ok(()));
    assert_eq!(check_published_as::<PaymentCapturedV1>(message("payment-captured")), Ok(()));
    assert_eq!(check_published_as::<PaymentDeclinedV1>(message("payment-declined")), Ok(()));
    assert_eq!(check_published_as::<PaymentFailedV1>(message("payment-failed")), Ok(()));
    assert_eq!(check_published_as::<PaymentRefundedV1>(message("payment-refunded")), Ok(()));
    assert_eq!(check_published_as::<DisputeOpenedV1>(message("dispute-opened")), Ok(()));
    assert_eq!(check_published_as::<DisputeResolvedV1>(message("dispute-resolved")), Ok(()));
    assert_eq!(check_published_as::<ReceiptIssuedV1>(message("receipt-issued")), Ok(()));
    assert_eq!(check_round_trip::<ReceiptDocumentV1>("receipt-document", RECEIPT_DOCUMENT_EXAMPLES), Ok(()));
    assert_eq!(CONTEXT.publishes.len(), 9, "a new message needs its DTO checked here");
}

#[test]
fn every_example_satisfies_its_schema() {
    // Each schema is JSON whose $id names the context and the message; each example satisfies it.
    assert_eq!(check_context(&CONTEXT), Ok(()));
    // The receipt document a receipt link resolves to is no message, but is committed alike.
    let document: Value = serde_json::from_str(RECEIPT_DOCUMENT_SCHEMA).expect("schemas are JSON");
    assert_eq!(document["$id"], "/schemas/billing/receipt-document.v1.json");
    assert_eq!(check_examples("receipt-document", RECEIPT_DOCUMENT_SCHEMA, RECEIPT_DOCUMENT_EXAMPLES), Ok(()));
}

#[test]
fn the_kinds_are_as_agreed() {
    let kinds: Vec<(&str, MessageKind)> = CONTEXT.publishes.iter().map(|m| (m.name, m.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("charge-payment", MessageKind::Command),
            ("refund-payment", MessageKind::Command),
            ("payment-captured", MessageKind::DomainEvent),
            ("payment-declined", MessageKind::DomainEvent),
            ("payment-failed", MessageKind::DomainEvent),
            ("payment-refunded", MessageKind::DomainEvent),
            ("dispute-opened", MessageKind::DomainEvent),
            ("dispute-resolved", MessageKind::DomainEvent),
            ("receipt-issued", MessageKind::Notification),
        ]
    );
}

#[test]
fn the_commands_billing_accepts_are_consumed_by_its_own_handlers() {
    let commands: Vec<_> = CONTEXT.publishes.iter().filter(|m| m.kind == MessageKind::Command).collect();
    assert_eq!(commands.len(), 2);
    for command in commands {
        let message_type = command.message_type(CONTEXT.name);
        let subscription = CONTEXT
            .consumes
            .iter()
            .find(|s| s.message_type == message_type)
            .unwrap_or_else(|| panic!("nobody consumes {message_type}"));
        assert_eq!(subscription.kind, MessageKind::Command);
        for example in command.examples {
            let raw = RawValue::from_string(example.to_string()).unwrap();
            assert_eq!((subscription.decode)(&raw), Ok(()), "{message_type} example");
        }
    }
    let handler_ids: Vec<_> = CONTEXT.consumes.iter().map(|s| s.handler_id).collect();
    assert_eq!(
        handler_ids,
        ["billing.on-charge-payment", "billing.on-refund-payment", "billing.on-shipment-damaged"],
        "handler ids are recorded in inboxes: never change them"
    );
}

/// Shipping's `shipment-damaged` v1, as the agreed published language describes it: billing's
/// tolerant reader takes it, insurance claim and all.
#[test]
fn billing_reads_shippings_damage_report_as_agreed() {
    let subscription = CONTEXT.consumes.iter().find(|s| s.handler_id == "billing.on-shipment-damaged").unwrap();
    assert_eq!(
        (subscription.message_type, subscription.kind),
        ("bookbox.shipping.shipment-damaged.v1", MessageKind::DomainEvent)
    );
    let agreed = r#"{ "shipment_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "order_ids": ["6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"],
        "insurance_claim": { "amount_cents": 3499, "currency": "USD" } }"#;
    assert_eq!((subscription.decode)(&RawValue::from_string(agreed.into()).unwrap()), Ok(()));
    let bad = RawValue::from_string(r#"{ "order_ids": [] }"#.into()).unwrap();
    assert!((subscription.decode)(&bad).unwrap_err().contains("shipment_id"));
    assert_eq!(CONTEXT.upstreams.len(), 1);
    assert_eq!(CONTEXT.upstreams[0].context, "shipping");
}

/// Drives the context through every published message and checks each against its schema,
/// and the receipt document a link resolves to against its own.
#[test]
fn what_the_context_publishes_satisfies_the_schemas() {
    let gateway = ScriptedGateway::new();
    let mut harness = ContextHarness::new(Billing::new(gateway.clone()));
    let order = |n: u128| uuid::Uuid::from_u128(n).to_string();
    let charge =
        |order_id: String| BillingCommand::ChargePayment { order_id, payer_id: order(99), amount: Amount::usd(3499) };
    // Order 1: captured, refunded, disputed and lost. Order 2: declined three times.
    harness.execute(charge(order(1))).unwrap();
    let refund = BillingCommand::RefundPayment {
        order_id: order(1),
        amount: Amount::usd(499),
        reason: "one book damaged".into(),
        refund_id: None,
    };
    harness.execute(refund).unwrap();
    let open = BillingCommand::OpenDispute { order_id: order(1), amount: Amount::usd(3000), reason: "fraud".into() };
    harness.execute(open).unwrap();
    harness.execute(BillingCommand::ResolveDispute { order_id: order(1), outcome: "lost".into() }).unwrap();
    for _ in 0..3 {
        gateway.then_decline("do-not-honor");
    }
    harness.execute(charge(order(2))).unwrap();
    harness.advance_to(Timestamp::parse("2026-02-01T00:00:00Z").unwrap()).unwrap();
    harness.advance_to(Timestamp::parse("2026-03-01T00:00:00Z").unwrap()).unwrap();

    let published = harness.take_published();
    let mut seen: Vec<&str> = Vec::new();
    for envelope in &published {
        let name = envelope.message_type.trim_start_matches("bookbox.billing.").trim_end_matches(".v1");
        let schema: Value = serde_json::from_str(message(name).schema).unwrap();
        let data: Value = serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap();
        let found = violations(&schema, &data);
        assert!(found.is_empty(), "{name} as published breaks its schema: {found:#?}\n{data}");
        assert_eq!(envelope.kind, message(name).kind);
        assert_eq!(envelope.subject.as_deref(), data["order_id"].as_str(), "the subject is the order id");
        if !seen.contains(&name) {
            seen.push(name);
        }
        if name == "receipt-issued" {
            let link = data["link"].as_str().unwrap();
            let document: Value =
                serde_json::from_str(harness.resolve(&Caller::Context("reporting".into()), link).unwrap().get())
                    .unwrap();
            let found = violations(&serde_json::from_str(RECEIPT_DOCUMENT_SCHEMA).unwrap(), &document);
            assert!(found.is_empty(), "the receipt document breaks its schema: {found:#?}\n{document}");
        }
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        [
            "dispute-opened",
            "dispute-resolved",
            "payment-captured",
            "payment-declined",
            "payment-failed",
            "payment-refunded",
            "receipt-issued"
        ]
    );
}

/// The committed `charge-payment` example, sent as orders would send it, is served.
#[test]
fn the_charge_payment_example_is_served_end_to_end() {
    let harness = ContextHarness::new(Billing::new(ScriptedGateway::new()));
    let example = message("charge-payment").examples[0];
    let mut command: Envelope =
        incoming(&harness.ids, "billing", "charge-payment", 1, MessageKind::Command, "order", example);
    command.source = Envelope::source_of("orders");
    command.recipient = Some("billing".into());
    assert_eq!(harness.deliver(&command).unwrap(), Delivery::Processed);
}
