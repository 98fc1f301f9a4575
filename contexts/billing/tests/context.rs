//! Billing as the runtime hosts it, driven through the in-memory harness with a scripted
//! gateway: messages and commands in, gateway calls, published envelopes, deadlines fired by
//! moving the clock, replies, query answers and resolved receipt links out.

mod support;

use std::sync::Arc;

use billing::ports::queries::{Payment, Receipt};
use billing::ports::{Amount, BillingCommand, BillingError, GatewayError, PaymentStatus, PaymentView};
use billing::Billing;
use kernel::context::{Caller, HandleError, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::{Clock, MessageKind, Timestamp};
use serde_json::{json, Value};

use support::gateway::ScriptedGateway;

const ORDER: &str = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
const OTHER_ORDER: &str = "0b7e6a52-9d1c-4f3e-b2a8-5c4d3e2f1a0b";
const PAYER: &str = "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a";
const SHIPMENT: &str = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";

type Harness = ContextHarness<Billing>;

fn harness() -> (Harness, Arc<ScriptedGateway>) {
    let gateway = ScriptedGateway::new();
    (ContextHarness::new(Billing::new(gateway.clone())), gateway)
}

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// A command message as orders would send it: typed in billing's published language.
fn command(harness: &Harness, name: &str, order: &str, data: Value) -> Envelope {
    let mut message = incoming(&harness.ids, "billing", name, 1, MessageKind::Command, order, &data.to_string());
    message.source = Envelope::source_of("orders");
    message.recipient = Some("billing".into());
    message
}

fn charge_payment(harness: &Harness, order: &str, cents: u64) -> Envelope {
    let amount = json!({ "amount_cents": cents, "currency": "USD" });
    command(harness, "charge-payment", order, json!({ "order_id": order, "payer_id": PAYER, "amount": amount }))
}

fn refund_payment(harness: &Harness, order: &str, cents: u64, refund_id: Option<&str>) -> Envelope {
    let mut data = json!({
        "order_id": order,
        "amount": { "amount_cents": cents, "currency": "USD" },
        "reason": "cancelled before shipment",
    });
    if let Some(id) = refund_id {
        data["refund_id"] = json!(id);
    }
    command(harness, "refund-payment", order, data)
}

/// Charges `order` and lets the scripted gateway approve it.
fn captured(harness: &mut Harness, order: &str) {
    assert_eq!(harness.deliver(&charge_payment(harness, order, 3499)).unwrap(), Delivery::Processed);
    assert_eq!(payment(harness, order).status, PaymentStatus::Captured);
    harness.take_published();
}

fn payment(harness: &Harness, order: &str) -> PaymentView {
    harness.query(Payment { order_id: order.into() }).expect("the order has a payment")
}

fn execute(harness: &Harness, command: BillingCommand) -> Result<PaymentView, HandleError<BillingError>> {
    harness.execute(command)
}

fn names(published: &[Envelope]) -> Vec<String> {
    published.iter().map(|e| e.message_type.trim_start_matches("bookbox.billing.").to_owned()).collect()
}

fn data(envelope: &Envelope) -> Value {
    serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap()
}

/// Moves the clock to the payment's next gateway call and fires what is due.
fn advance_to_next_call(harness: &Harness, order: &str) -> Vec<String> {
    let next = payment(harness, order).next_call_at.expect("a call is scheduled");
    harness.advance_to(next).unwrap()
}

/// Snapshots an envelope as JSON (through `Value`, so its raw `data` shows as JSON), with the
/// envelope's ids and time and the ids billing draws redacted.
macro_rules! assert_envelope_snapshot {
    ($envelope:expr) => {
        let envelope: Value = serde_json::to_value(&$envelope).expect("an envelope is JSON");
        insta::assert_json_snapshot!(envelope, {
            ".id" => "[message id]",
            ".time" => "[time]",
            ".correlationid" => "[correlation id]",
            ".causationid" => "[causation id]",
            ".data.payment_id" => "[payment id]",
            ".data.receipt_id" => "[receipt id]",
            ".data.link" => "[receipt link]",
        })
    };
}

#[test]
fn a_charge_that_goes_through_is_captured_and_announced_with_a_receipt() {
    let (mut harness, gateway) = harness();
    assert_eq!(harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap(), Delivery::Processed);

    let calls = gateway.calls();
    assert_eq!(calls.len(), 1);
    let view = payment(&harness, ORDER);
    assert_eq!(calls[0].idempotency_key, format!("{}-1", view.payment_id));
    assert_eq!((calls[0].attempt, calls[0].amount.clone()), (1, Amount::usd(3499)));
    assert_eq!((view.status, view.attempts, view.captured.amount_cents), (PaymentStatus::Captured, 1, 3499));
    assert_eq!(view.authorization_id.as_deref(), Some("auth-1"));

    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-captured.v1", "receipt-issued.v1"]);
    assert_eq!(published[1].kind, MessageKind::Notification);
    assert_eq!(data(&published[1])["link"], view.receipt.unwrap().link.as_str(), "the notification carries the link");
    assert_envelope_snapshot!(published[0]);
    assert_envelope_snapshot!(published[1]);
}

#[test]
fn an_order_is_never_charged_twice() {
    let (mut harness, gateway) = harness();
    let first = charge_payment(&harness, ORDER, 3499);
    harness.deliver(&first).unwrap();
    harness.take_published();
    // A redelivery is stopped by the inbox; the same request in a new message by the payment.
    assert_eq!(harness.deliver(&first).unwrap(), Delivery::Duplicate);
    assert_eq!(harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap(), Delivery::Processed);
    let view = execute(
        &harness,
        BillingCommand::ChargePayment { order_id: ORDER.into(), payer_id: PAYER.into(), amount: Amount::usd(3499) },
    )
    .unwrap();
    assert_eq!((view.status, view.attempts), (PaymentStatus::Captured, 1));
    assert_eq!(gateway.calls().len(), 1, "one gateway call in all");
    assert!(harness.take_published().is_empty());
    // A different charge for the order is a mistake of the sender's, not a second charge.
    let other = harness.deliver(&charge_payment(&harness, ORDER, 1999)).unwrap_err();
    assert_eq!(
        other,
        MessageError::Failed(format!(
            "order {ORDER} is already being charged 34.99 USD to payer {PAYER}; a different charge is refused"
        ))
    );
}

#[test]
fn a_declined_card_is_charged_again_on_day_one_and_day_three() {
    let (mut harness, gateway) = harness();
    gateway.then_decline("insufficient-funds").then_decline("insufficient-funds");
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-declined.v1"]);
    assert_eq!(data(&published[0])["retry_at"], "2026-01-02T00:00:00Z");
    assert_envelope_snapshot!(published[0]);

    assert!(harness.advance_to(at("2026-01-01T23:59:59Z")).unwrap().is_empty(), "not before day 1");
    assert_eq!(harness.advance_to(at("2026-01-02T00:00:00Z")).unwrap().len(), 1, "a durable deadline fired");
    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-declined.v1"]);
    assert_eq!(
        (data(&published[0])["attempt"].clone(), data(&published[0])["retry_at"].clone()),
        (json!(2), json!("2026-01-04T00:00:00Z"))
    );

    harness.advance_to(at("2026-01-04T00:00:00Z")).unwrap();
    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-captured.v1", "receipt-issued.v1"]);
    assert_eq!(data(&published[0])["attempt"], 3);
    let keys: Vec<String> = gateway.calls().into_iter().map(|c| c.idempotency_key).collect();
    let payment_id = payment(&harness, ORDER).payment_id;
    assert_eq!(keys, [1, 2, 3].map(|n| format!("{payment_id}-{n}")), "one idempotency key per try");
}

#[test]
fn after_three_declines_the_payment_fails_for_good() {
    let (mut harness, gateway) = harness();
    for _ in 0..3 {
        gateway.then_decline("card-expired");
    }
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    harness.advance_to(at("2026-01-02T00:00:00Z")).unwrap();
    harness.advance_to(at("2026-01-04T00:00:00Z")).unwrap();
    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-declined.v1", "payment-declined.v1", "payment-failed.v1"]);
    assert_envelope_snapshot!(published[2]);
    let view = payment(&harness, ORDER);
    assert_eq!((view.status, view.attempts, view.captured.amount_cents), (PaymentStatus::Failed, 3, 0));
    assert_eq!(view.failure_reason.as_deref(), Some("card-expired"));
    assert!(harness.advance_to(at("2026-03-01T00:00:00Z")).unwrap().is_empty());
    assert_eq!(gateway.calls().len(), 3, "no try after the last");
    // A new request for the failed order changes nothing either.
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    assert_eq!(gateway.calls().len(), 3);
}

#[test]
fn gateway_errors_are_retried_within_minutes_without_counting_as_tries() {
    let (mut harness, gateway) = harness();
    gateway
        .then_fail(GatewayError::Unavailable("503".into()))
        .then_fail(GatewayError::TimedOut { after_ms: 2_000 })
        .then_fail(GatewayError::CircuitOpen);
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    let view = payment(&harness, ORDER);
    assert_eq!((view.status, view.attempts), (PaymentStatus::Charging, 0), "an error is not a try");
    let next = view.next_call_at.unwrap();
    assert!(next > at("2026-01-01T00:01:00Z") && next <= at("2026-01-01T00:01:30Z"), "{next}");
    while payment(&harness, ORDER).status == PaymentStatus::Charging {
        assert_eq!(advance_to_next_call(&harness, ORDER).len(), 1);
    }
    let view = payment(&harness, ORDER);
    assert_eq!((view.status, view.attempts), (PaymentStatus::Captured, 1));
    let keys: Vec<String> = gateway.calls().into_iter().map(|c| c.idempotency_key).collect();
    assert_eq!(keys, vec![format!("{}-1", view.payment_id); 4], "every call of one try has the try's key");
    assert_eq!(
        names(&harness.take_published()),
        ["payment-captured.v1", "receipt-issued.v1"],
        "errors are not published"
    );
}

#[test]
fn an_outage_is_bounded_every_payment_ends_within_its_tries() {
    let (mut harness, gateway) = harness();
    for _ in 0..100 {
        gateway.then_fail(GatewayError::CircuitOpen);
    }
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    while payment(&harness, ORDER).status == PaymentStatus::Charging {
        advance_to_next_call(&harness, ORDER);
    }
    let view = payment(&harness, ORDER);
    assert_eq!((view.status, view.attempts), (PaymentStatus::Failed, 3));
    assert_eq!(gateway.calls().len(), 15, "three tries of five calls each");
    assert!(harness.clock.now() < at("2026-01-04T01:00:00Z"), "over by {}", harness.clock.now());
    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-declined.v1", "payment-declined.v1", "payment-failed.v1"]);
    assert_eq!(data(&published[0])["reason"], "gateway-unavailable (5 failed calls)");
    assert_eq!(data(&published[2])["reason"], "gateway-unavailable (5 failed calls)");
}

#[test]
fn a_new_request_does_not_hurry_a_scheduled_retry() {
    let (harness, gateway) = harness();
    gateway.then_decline("insufficient-funds");
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    assert_eq!(gateway.calls().len(), 1);
    assert_eq!(payment(&harness, ORDER).next_call_at, Some(at("2026-01-02T00:00:00Z")));
}

#[test]
fn a_refund_from_orders_is_announced_and_never_exceeds_what_was_captured() {
    let (mut harness, _) = harness();
    captured(&mut harness, ORDER);
    harness.deliver(&refund_payment(&harness, ORDER, 1000, None)).unwrap();
    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-refunded.v1"]);
    assert_envelope_snapshot!(published[0]);
    let too_much = harness.deliver(&refund_payment(&harness, ORDER, 2500, None)).unwrap_err();
    assert_eq!(
        too_much,
        MessageError::Failed(format!(
            "a refund of 25.00 USD for order {ORDER} is more than the 24.99 USD that can still be refunded"
        ))
    );
    let view = payment(&harness, ORDER);
    assert_eq!((view.refunded.amount_cents, view.refundable.amount_cents), (1000, 2499));
}

#[test]
fn a_refund_sent_twice_with_its_id_is_made_once() {
    let (mut harness, _) = harness();
    captured(&mut harness, ORDER);
    let refund_id = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b";
    harness.deliver(&refund_payment(&harness, ORDER, 3499, Some(refund_id))).unwrap();
    assert_eq!(harness.deliver(&refund_payment(&harness, ORDER, 3499, Some(refund_id))).unwrap(), Delivery::Processed);
    assert_eq!(names(&harness.take_published()), ["payment-refunded.v1"]);
    let view = payment(&harness, ORDER);
    assert_eq!((view.refunded.amount_cents, view.refunds.len()), (3499, 1));
    assert_eq!(view.refunds[0].refund_id, refund_id);
}

#[test]
fn damaged_books_are_refunded_when_shipping_reports_the_damage() {
    let (mut harness, _) = harness();
    captured(&mut harness, ORDER);
    captured(&mut harness, OTHER_ORDER);
    harness.deliver(&refund_payment(&harness, ORDER, 1000, None)).unwrap();
    harness.take_published();
    let never_charged = "00000000-0000-0000-0000-000000000009";
    let damaged = json!({
        "shipment_id": SHIPMENT,
        "order_ids": [ORDER, OTHER_ORDER, never_charged],
        "insurance_claim": { "amount_cents": 6998, "currency": "USD" },
    });
    let message = incoming(
        &harness.ids,
        "shipping",
        "shipment-damaged",
        1,
        MessageKind::DomainEvent,
        SHIPMENT,
        &damaged.to_string(),
    );
    assert_eq!(harness.deliver(&message).unwrap(), Delivery::Processed);
    let published = harness.take_published();
    assert_eq!(names(&published), ["payment-refunded.v1", "payment-refunded.v1"]);
    assert_eq!(
        (
            data(&published[0])["amount"]["amount_cents"].clone(),
            data(&published[0])["refunded_total"]["amount_cents"].clone()
        ),
        (json!(2499), json!(3499))
    );
    for order in [ORDER, OTHER_ORDER] {
        let view = payment(&harness, order);
        assert_eq!((view.refunded.amount_cents, view.refundable.amount_cents), (3499, 0), "{order}");
        assert!(view.refunds.last().unwrap().reason.starts_with("damaged in transit"));
    }
    assert_eq!(harness.deliver(&message).unwrap(), Delivery::Duplicate);
}

#[test]
fn a_dispute_holds_the_money_until_it_is_won_or_lost() {
    let (mut harness, _) = harness();
    captured(&mut harness, ORDER);
    let view = execute(
        &harness,
        BillingCommand::OpenDispute {
            order_id: ORDER.into(),
            amount: Amount::usd(3000),
            reason: "not received".into(),
        },
    )
    .unwrap();
    assert_eq!(view.refundable.amount_cents, 499, "the disputed amount cannot also be refunded");
    let refund = BillingCommand::RefundPayment {
        order_id: ORDER.into(),
        amount: Amount::usd(500),
        reason: "goodwill".into(),
        refund_id: None,
    };
    assert!(matches!(
        execute(&harness, refund),
        Err(HandleError::Rejected(BillingError::RefundExceedsRefundable { .. }))
    ));
    let respond =
        BillingCommand::RespondToDispute { order_id: ORDER.into(), evidence: "delivered, signed\ntracking 1Z".into() };
    execute(&harness, respond.clone()).unwrap();
    assert!(matches!(execute(&harness, respond), Err(HandleError::Rejected(BillingError::DisputeClosed { .. }))));
    let view =
        execute(&harness, BillingCommand::ResolveDispute { order_id: ORDER.into(), outcome: "lost".into() }).unwrap();
    assert_eq!((view.charged_back.amount_cents, view.refundable.amount_cents), (3000, 499));
    let dispute = view.dispute.unwrap();
    assert_eq!(
        (dispute.status.as_str(), dispute.evidence.as_deref()),
        ("lost", Some("delivered, signed\ntracking 1Z"))
    );
    let published = harness.take_published();
    assert_eq!(names(&published), ["dispute-opened.v1", "dispute-resolved.v1"]);
    assert_envelope_snapshot!(published[0]);
    assert_envelope_snapshot!(published[1]);
}

#[test]
fn a_receipt_link_resolves_only_for_the_contexts_the_policy_allows() {
    let (mut harness, _) = harness();
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    let published = harness.take_published();
    let link = data(&published[1])["link"].as_str().unwrap().to_owned();

    for refused in ["orders", "shipping", "marketing"] {
        let caller = Caller::Context(refused.into());
        assert_eq!(
            harness.resolve(&caller, &link).unwrap_err(),
            QueryError::Forbidden { caller: caller.to_string(), resource: link.clone() },
            "{refused}"
        );
    }
    let document: Value =
        serde_json::from_str(harness.resolve(&Caller::Context("customers".into()), &link).unwrap().get()).unwrap();
    for allowed in [Caller::Context("reporting".into()), Caller::Operator] {
        let again: Value = serde_json::from_str(harness.resolve(&allowed, &link).unwrap().get()).unwrap();
        assert_eq!(again, document);
    }
    let receipt_id = link.rsplit('/').next().unwrap();
    let answer = harness.query(Receipt { receipt_id: receipt_id.into() }).expect("a receipt query answers a receipt");
    assert_eq!(serde_json::to_value(&answer).unwrap(), document);
    insta::assert_json_snapshot!(document, {
        ".receipt_id" => "[receipt id]",
        ".payment_id" => "[payment id]",
    });
}

#[test]
fn a_refused_caller_learns_nothing_and_a_bad_link_is_named() {
    let (harness, _) = harness();
    let unknown = "/bookbox/billing/receipts/00000000-0000-0000-0000-000000000001";
    assert!(matches!(harness.resolve(&Caller::Context("orders".into()), unknown), Err(QueryError::Forbidden { .. })));
    assert_eq!(
        harness.resolve(&Caller::Context("customers".into()), unknown).unwrap_err(),
        QueryError::NotFound("no receipt 00000000-0000-0000-0000-000000000001".into())
    );
    assert!(matches!(
        harness.resolve(&Caller::Context("customers".into()), "/bookbox/billing/receipts/last-month"),
        Err(QueryError::Invalid(reason)) if reason.contains("receipt_id")
    ));
    assert!(matches!(harness.resolve(&Caller::Operator, "/bookbox/billing/payments/1"), Err(QueryError::NotFound(_))));
}

#[test]
fn queries_name_what_they_cannot_answer() {
    let (harness, _) = harness();
    assert_eq!(
        harness.query(Payment { order_id: ORDER.into() }),
        Err(QueryError::NotFound(format!("order {ORDER} has no payment")))
    );
    assert!(matches!(harness.query(Payment { order_id: "42".into() }), Err(QueryError::Invalid(_))));
    assert!(matches!(harness.query(Receipt { receipt_id: ORDER.into() }), Err(QueryError::NotFound(_))));
}

#[test]
fn bad_input_at_every_command_is_refused_naming_the_problem() {
    let (mut harness, gateway) = harness();
    let refused = |command| kernel::testing::refusal(execute(&harness, command)).to_string();
    let charge = |order: &str, payer: &str, amount| BillingCommand::ChargePayment {
        order_id: order.into(),
        payer_id: payer.into(),
        amount,
    };
    assert_eq!(
        refused(charge("x", PAYER, Amount::usd(1))),
        "invalid order_id: `x` is not a valid OrderId (expected a UUID)"
    );
    assert_eq!(
        refused(charge(ORDER, "", Amount::usd(1))),
        "invalid payer_id: `` is not a valid PayerId (expected a UUID)"
    );
    assert_eq!(refused(charge(ORDER, PAYER, Amount::usd(0))), "invalid amount.amount_cents: must be more than zero");
    assert_eq!(
        refused(charge(ORDER, PAYER, Amount::usd(100_000_001))),
        "invalid amount.amount_cents: 100000001 cents is more than the 100000000 one amount may be"
    );
    let refund = |order: &str, reason: &str, refund_id: Option<&str>| BillingCommand::RefundPayment {
        order_id: order.into(),
        amount: Amount::usd(100),
        reason: reason.into(),
        refund_id: refund_id.map(Into::into),
    };
    assert_eq!(refused(refund(ORDER, "late", None)), format!("order {ORDER} has no payment"));
    assert_eq!(refused(refund(ORDER, " ", None)), "invalid reason: is empty");
    assert_eq!(
        refused(refund(ORDER, "late", Some("r-1"))),
        "invalid refund_id: `r-1` is not a valid RefundId (expected a UUID)"
    );
    gateway.then_decline("insufficient-funds");
    harness.deliver(&charge_payment(&harness, ORDER, 3499)).unwrap();
    assert_eq!(refused(refund(ORDER, "late", None)), format!("order {ORDER}'s payment is charging, not captured"));
    let open = BillingCommand::OpenDispute { order_id: ORDER.into(), amount: Amount::usd(1), reason: "fraud".into() };
    assert_eq!(refused(open), format!("order {ORDER}'s payment is charging, not captured"));
    let respond = BillingCommand::RespondToDispute { order_id: ORDER.into(), evidence: "".into() };
    assert_eq!(refused(respond), "invalid evidence: is empty");
    let resolve = BillingCommand::ResolveDispute { order_id: ORDER.into(), outcome: "draw".into() };
    assert_eq!(refused(resolve), "invalid outcome: `draw` is neither `won` nor `lost`");
    let resolve = BillingCommand::ResolveDispute { order_id: ORDER.into(), outcome: "won".into() };
    assert_eq!(refused(resolve), format!("order {ORDER}'s payment is not disputed"));
    assert_eq!(names(&harness.take_published()), ["payment-declined.v1"], "refusals publish nothing");
}

#[test]
fn a_payload_that_breaks_the_schema_is_a_decode_error_naming_the_field() {
    let (harness, gateway) = harness();
    let zero = command(
        &harness,
        "charge-payment",
        ORDER,
        json!({ "order_id": ORDER, "payer_id": PAYER, "amount": { "amount_cents": 0, "currency": "USD" } }),
    );
    assert_eq!(
        harness.deliver(&zero),
        Err(MessageError::Decode("charge-payment: invalid amount.amount_cents: must be more than zero".into()))
    );
    let no_payer = command(
        &harness,
        "charge-payment",
        ORDER,
        json!({ "order_id": ORDER, "amount": { "amount_cents": 1, "currency": "USD" } }),
    );
    assert!(matches!(harness.deliver(&no_payer), Err(MessageError::Decode(reason)) if reason.contains("payer_id")));
    assert!(gateway.calls().is_empty());
}
