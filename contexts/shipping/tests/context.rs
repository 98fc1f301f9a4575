//! Shipping as the runtime hosts it, driven through the in-memory harness with a scripted
//! carrier: the request in (as a message or a command), the clock moved to fire the delivery
//! deadlines, and the published envelopes, replies and query answers out.

mod support;

use std::sync::Arc;

use kernel::context::{Answers, HandleError, MessageError, Query, QueryError};
use kernel::message::Envelope;
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::{MessageKind, Timestamp};
use serde_json::{json, Value};
use shipping::ports::queries::{Shipment, ShipmentsOfOrder, StalledShipments};
use shipping::ports::{
    Amount, BookLine, DeliveryOutcome, Dispatched, PostalAddress, ShipmentRequest, ShipmentStatus, ShipmentView,
    ShippingCommand, ShippingError,
};
use shipping::Shipping;

use support::carrier::{outage, Asked, ScriptedCarrier};

const SHIPMENT: &str = "3d6f0a9e-8c1b-4b7a-9e2f-5a4c3b2d1e0f";
const OTHER_SHIPMENT: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const ORDER: &str = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
const OTHER_ORDER: &str = "0b7e6a52-9d1c-4f3e-b2a8-5c4d3e2f1a0b";

type Harness = ContextHarness<Shipping>;

fn harness() -> (Harness, Arc<ScriptedCarrier>) {
    let carrier = Arc::new(ScriptedCarrier::default());
    (ContextHarness::new(Shipping::new(carrier.clone())), carrier)
}

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// The harness's clock starts here.
fn start() -> Timestamp {
    at("2026-01-01T00:00:00Z")
}

fn request_data(shipment: &str, orders: &[&str]) -> Value {
    json!({
        "shipment_id": shipment,
        "order_ids": orders,
        "warehouse": "dallas",
        "address": { "line1": "12 Elm Street", "city": "Austin", "state": "TX", "postal_code": "73301", "country": "US" },
        "books": [ { "isbn": "9780306406157", "title": "Dune" }, { "isbn": "9780804429573", "title": "Emma" } ],
        "insured_value": { "amount_cents": 2999, "currency": "USD" }
    })
}

/// A `request-shipment` message as orders would send it.
fn request_message(harness: &Harness, data: &Value) -> Envelope {
    let subject = data["shipment_id"].as_str().unwrap_or_default();
    let mut message =
        incoming(&harness.ids, "shipping", "request-shipment", 1, MessageKind::Command, subject, &data.to_string());
    message.source = Envelope::source_of("orders");
    message.recipient = Some("shipping".into());
    message
}

fn request_command(shipment: &str, orders: &[&str]) -> ShippingCommand {
    ShippingCommand::RequestShipment(Box::new(ShipmentRequest {
        shipment_id: shipment.into(),
        order_ids: orders.iter().map(|o| o.to_string()).collect(),
        warehouse: "chicago".into(),
        address: PostalAddress {
            line1: "400 Lake Shore Drive".into(),
            line2: Some("Apt 12B".into()),
            city: "Chicago".into(),
            state: "IL".into(),
            postal_code: "60611".into(),
            country: "US".into(),
        },
        books: vec![BookLine { isbn: "9780141439518".into(), title: "Pride and Prejudice".into() }],
        insured_value: Amount { amount_cents: 1_499, currency: "USD".into() },
    }))
}

/// Delivers the standard request for `SHIPMENT` carrying `ORDER`.
fn requested(harness: &Harness) {
    let message = request_message(harness, &request_data(SHIPMENT, &[ORDER]));
    assert_eq!(harness.deliver(&message).unwrap(), Delivery::Processed);
}

fn shipment(harness: &Harness, shipment: &str) -> ShipmentView {
    harness.query(Shipment { shipment_id: shipment.into() }).expect("the shipment was requested")
}

/// The ids of the shipments a query listing shipments answers.
fn shipments<Q>(harness: &Harness, query: Q) -> Vec<String>
where
    Q: Query<Context = Shipping, Answer = Vec<ShipmentView>>,
    Shipping: Answers<Q>,
{
    harness.query(query).expect("a well-formed query answers a list").into_iter().map(|s| s.shipment_id).collect()
}

fn names(published: &[Envelope]) -> Vec<String> {
    published.iter().map(|e| e.message_type.trim_start_matches("bookbox.shipping.").to_owned()).collect()
}

fn data(envelope: &Envelope) -> Value {
    serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap()
}

/// Snapshots an envelope as JSON (through `Value`, so its raw `data` shows as JSON), with the
/// ids and the time redacted.
macro_rules! assert_envelope_snapshot {
    ($envelope:expr) => {
        let envelope: Value = serde_json::to_value(&$envelope).expect("an envelope is JSON");
        insta::assert_json_snapshot!(envelope, {
            ".id" => "[message id]",
            ".time" => "[time]",
            ".correlationid" => "[correlation id]",
            ".causationid" => "[causation id]",
        })
    };
}

#[test]
fn a_requested_shipment_is_dispatched_at_once_and_its_first_attempt_scheduled() {
    let (mut harness, carrier) = harness();
    requested(&harness);
    let published = harness.take_published();
    assert_eq!(names(&published), ["shipment-dispatched.v1"]);
    assert_eq!(published[0].subject.as_deref(), Some(SHIPMENT));
    assert_envelope_snapshot!(published[0]);

    let view = shipment(&harness, SHIPMENT);
    assert_eq!(view.status, ShipmentStatus::InTransit);
    assert_eq!(
        view.tracking_number.as_deref(),
        Some("SP-3D6F0A9E8C1B"),
        "stored as the carrier's reference, uppercase"
    );
    assert_eq!(view.attempts, 0);
    let next = view.next_call.unwrap();
    assert_eq!((next.call.as_str(), next.attempt, next.due_at), ("delivery-attempt", Some(1), start().plus_days(2)));
    assert_eq!(carrier.dispatches_asked(), [0]);
    assert_eq!(shipments(&harness, ShipmentsOfOrder { order_id: ORDER.into() }), [SHIPMENT]);
}

#[test]
fn a_parcel_is_delivered_at_the_first_attempt_two_days_after_dispatch() {
    let (mut harness, carrier) = harness();
    requested(&harness);
    harness.take_published();
    assert!(harness.advance_to(start().plus_days(2).plus_micros(-1)).unwrap().is_empty(), "not due before two days");
    let fired = harness.advance_to(start().plus_days(2)).unwrap();
    assert_eq!(fired, [format!("shipment/{SHIPMENT}/delivery-attempt-1/try-1")]);
    let published = harness.take_published();
    assert_eq!(names(&published), ["shipment-delivered.v1"]);
    assert_envelope_snapshot!(published[0]);
    let view = shipment(&harness, SHIPMENT);
    assert_eq!((view.status, view.attempts, view.next_call), (ShipmentStatus::Delivered, 1, None));
    assert_eq!(carrier.attempts_asked(), [(1, 0)]);
    assert!(harness.advance_to(start().plus_days(30)).unwrap().is_empty(), "a delivered shipment is done");
}

#[test]
fn no_one_home_is_reattempted_the_next_day_twice_then_the_parcel_is_returned() {
    let (mut harness, carrier) = harness();
    for _ in 0..3 {
        carrier.answer_attempt(Ok(DeliveryOutcome::NoOneHome));
    }
    requested(&harness);
    harness.take_published();
    let mut published = Vec::new();
    for day in [2, 3, 4] {
        assert_eq!(harness.advance_to(start().plus_days(day)).unwrap().len(), 1, "one attempt on day {day}");
        published.extend(harness.take_published());
    }
    assert_eq!(names(&published), ["delivery-failed.v1", "delivery-failed.v1", "shipment-returned.v1"]);
    assert_eq!(data(&published[1])["attempt"], 2);
    assert_envelope_snapshot!(published[0]);
    assert_envelope_snapshot!(published[2]);
    let view = shipment(&harness, SHIPMENT);
    assert_eq!((view.status, view.attempts, view.next_call), (ShipmentStatus::Returned, 3, None));
    assert_eq!(carrier.attempts_asked(), [(1, 0), (2, 0), (3, 0)]);
    assert!(harness.advance_to(start().plus_days(30)).unwrap().is_empty(), "no fourth attempt");
}

#[test]
fn damage_in_transit_is_recorded_as_lost_and_the_insured_value_claimed() {
    let (mut harness, carrier) = harness();
    carrier.answer_attempt(Ok(DeliveryOutcome::NoOneHome)).answer_attempt(Ok(DeliveryOutcome::DamagedInTransit));
    requested(&harness);
    harness.advance_to(start().plus_days(2)).unwrap();
    harness.advance_to(start().plus_days(3)).unwrap();
    let published = harness.take_published();
    assert_eq!(names(&published), ["shipment-dispatched.v1", "delivery-failed.v1", "shipment-damaged.v1"]);
    assert_envelope_snapshot!(published[2]);
    let view = shipment(&harness, SHIPMENT);
    assert_eq!((view.status, view.attempts), (ShipmentStatus::Lost, 2));
    assert_eq!(view.insurance_claim, Some(Amount { amount_cents: 2_999, currency: "USD".into() }));
}

#[test]
fn a_combined_shipment_carries_every_order_and_answers_for_each() {
    let (mut harness, carrier) = harness();
    let view = harness.execute(request_command(SHIPMENT, &[ORDER, OTHER_ORDER])).unwrap();
    assert_eq!(view.status, ShipmentStatus::InTransit, "the reply shows the dispatch made in the same unit of work");
    let published = harness.take_published();
    let mut orders: Vec<_> =
        data(&published[0])["order_ids"].as_array().unwrap().iter().map(|o| o.as_str().unwrap().to_owned()).collect();
    orders.sort();
    assert_eq!(orders, [OTHER_ORDER, ORDER]);
    for order in [ORDER, OTHER_ORDER] {
        assert_eq!(shipments(&harness, ShipmentsOfOrder { order_id: order.into() }), [SHIPMENT]);
    }
    let asked: [Asked; 1] = carrier.asked().try_into().unwrap();
    let [Asked::Dispatch(request)] = asked else { panic!("{asked:?}") };
    assert_eq!((request.warehouse.as_str(), request.insured_value_cents, request.books.len()), ("chicago", 1_499, 1));
}

#[test]
fn a_redelivered_or_repeated_request_has_no_second_effect() {
    let (mut harness, carrier) = harness();
    let message = request_message(&harness, &request_data(SHIPMENT, &[ORDER]));
    assert_eq!(harness.deliver(&message).unwrap(), Delivery::Processed);
    assert_eq!(harness.deliver(&message).unwrap(), Delivery::Duplicate, "stopped by the inbox");
    let again = request_message(&harness, &request_data(SHIPMENT, &[ORDER]));
    assert_eq!(harness.deliver(&again).unwrap(), Delivery::Processed, "a new message id passes the inbox");
    assert_eq!(names(&harness.take_published()), ["shipment-dispatched.v1"], "dispatched once");
    assert_eq!(carrier.dispatches_asked(), [0], "the carrier was asked once");
}

#[test]
fn other_terms_under_a_known_shipment_id_are_refused_and_write_nothing() {
    let (mut harness, _) = harness();
    requested(&harness);
    harness.take_published();
    let conflicting = harness.execute(request_command(SHIPMENT, &[ORDER]));
    assert_eq!(
        conflicting.unwrap_err(),
        HandleError::Rejected(ShippingError::ConflictingRequest { shipment_id: SHIPMENT.into() })
    );
    let mut data = request_data(SHIPMENT, &[ORDER, OTHER_ORDER]);
    data["warehouse"] = json!("chicago");
    let failed = harness.deliver(&request_message(&harness, &data)).unwrap_err();
    assert_eq!(failed, MessageError::Failed(format!("shipment {SHIPMENT} was already requested with other terms")));
    assert!(shipments(&harness, ShipmentsOfOrder { order_id: OTHER_ORDER.into() }).is_empty());
    assert!(harness.take_published().is_empty());
}

#[test]
fn an_order_ships_once_another_shipment_claiming_it_is_refused_whole() {
    let (mut harness, carrier) = harness();
    requested(&harness);
    harness.take_published();
    let refused = harness.execute(request_command(OTHER_SHIPMENT, &[OTHER_ORDER, ORDER])).unwrap_err();
    assert_eq!(
        refused,
        HandleError::Rejected(ShippingError::OrderInAnotherShipment {
            order_id: ORDER.into(),
            shipment_id: SHIPMENT.into()
        })
    );
    assert_eq!(refused.to_string(), format!("order {ORDER} is already carried by shipment {SHIPMENT}"));
    let unknown = harness.query(Shipment { shipment_id: OTHER_SHIPMENT.into() }).unwrap_err();
    assert_eq!(unknown, QueryError::NotFound(format!("no shipment {OTHER_SHIPMENT}")), "nothing of it was written");
    assert!(shipments(&harness, ShipmentsOfOrder { order_id: OTHER_ORDER.into() }).is_empty());
    assert_eq!(carrier.dispatches_asked(), [0], "the refused shipment was never handed to the carrier");
    assert!(harness.take_published().is_empty());
}

#[test]
fn a_carrier_outage_is_retried_later_and_never_counts_as_an_attempt() {
    let (mut harness, carrier) = harness();
    carrier.answer_dispatch(Err(outage()));
    carrier.answer_attempt(Err(outage())).answer_attempt(Err(outage())).answer_attempt(Ok(DeliveryOutcome::NoOneHome));
    requested(&harness);
    assert!(harness.take_published().is_empty(), "not dispatched yet");
    let view = shipment(&harness, SHIPMENT);
    assert_eq!(view.status, ShipmentStatus::AwaitingDispatch);
    let retry = view.next_call.unwrap();
    assert_eq!((retry.call.as_str(), retry.failed_tries), ("dispatch", 1));
    assert!(retry.due_at > start() && retry.due_at <= start().plus_micros(12 * 60_000_000), "about ten minutes later");

    assert_eq!(harness.advance_to(retry.due_at).unwrap(), [format!("shipment/{SHIPMENT}/dispatch/try-2")]);
    assert_eq!(names(&harness.take_published()), ["shipment-dispatched.v1"]);
    let dispatched_at = retry.due_at;
    // Attempt 1: two outages, then no one home. Only the answer counts as an attempt.
    harness.advance_to(dispatched_at.plus_days(2)).unwrap();
    harness.advance_to(dispatched_at.plus_days(2).plus_micros(3_600_000_000)).unwrap();
    harness.advance_to(dispatched_at.plus_days(2).plus_micros(3 * 3_600_000_000)).unwrap();
    assert_eq!(names(&harness.take_published()), ["delivery-failed.v1"]);
    assert_eq!(carrier.dispatches_asked(), [0, 1]);
    assert_eq!(carrier.attempts_asked(), [(1, 0), (1, 1), (1, 2)]);
    let view = shipment(&harness, SHIPMENT);
    assert_eq!(view.attempts, 1);
    assert_eq!(view.next_call.map(|n| (n.attempt, n.failed_tries)), Some((Some(2), 0)));
}

#[test]
fn a_tracking_number_no_label_could_print_is_a_carrier_fault_not_a_fact() {
    let (mut harness, carrier) = harness();
    carrier
        .answer_dispatch(Ok(Dispatched { carrier: "Scripted Post".into(), tracking_number: "no such thing!".into() }));
    requested(&harness);
    assert!(harness.take_published().is_empty());
    let view = shipment(&harness, SHIPMENT);
    assert_eq!((view.status, view.tracking_number), (ShipmentStatus::AwaitingDispatch, None));
    assert_eq!(view.next_call.map(|n| n.failed_tries), Some(1));
}

#[test]
fn after_a_day_of_outage_a_shipment_stalls_until_an_operator_resumes_it() {
    let (mut harness, carrier) = harness();
    for _ in 0..9 {
        carrier.answer_dispatch(Err(outage()));
    }
    requested(&harness);
    let mut now = start();
    while let Some(next) = shipment(&harness, SHIPMENT).next_call {
        now = next.due_at;
        harness.advance_to(now).unwrap();
    }
    let view = shipment(&harness, SHIPMENT);
    let stall = view.stalled.expect("stalled");
    assert_eq!(
        (stall.call.as_str(), stall.failed_tries, stall.last_fault.as_str()),
        ("dispatch", 9, "503 Service Unavailable")
    );
    assert!(now < start().plus_days(2), "the retries took about a day: {now}");
    assert_eq!(carrier.dispatches_asked(), (0..9).collect::<Vec<_>>());
    assert_eq!(shipments(&harness, StalledShipments), [SHIPMENT]);
    assert!(harness.advance_to(now.plus_days(10)).unwrap().is_empty(), "a stalled shipment calls no one");
    assert!(harness.take_published().is_empty());

    let view = harness.execute(ShippingCommand::ResumeShipment { shipment_id: SHIPMENT.into() }).unwrap();
    assert_eq!((view.status, view.stalled), (ShipmentStatus::InTransit, None), "the call is made at once");
    assert_eq!(carrier.dispatches_asked().last(), Some(&9), "the carrier sees a new try");
    assert_eq!(names(&harness.take_published()), ["shipment-dispatched.v1"]);
    assert!(shipments(&harness, StalledShipments).is_empty());
    let not_stalled = harness.execute(ShippingCommand::ResumeShipment { shipment_id: SHIPMENT.into() }).unwrap_err();
    assert!(matches!(not_stalled, HandleError::Rejected(ShippingError::NotStalled { .. })), "{not_stalled}");
    assert!(not_stalled.to_string().contains("is not stalled: its delivery attempt 1 is due at"), "{not_stalled}");
}

#[test]
fn bad_input_is_refused_naming_the_field_and_writes_nothing() {
    let (mut harness, _) = harness();
    let refused = |command| harness.execute(command).unwrap_err().to_string();
    assert_eq!(
        refused(request_command("nope", &[ORDER])),
        "invalid shipment_id: `nope` is not a valid ShipmentId (expected a UUID)"
    );
    assert_eq!(refused(request_command(SHIPMENT, &[])), "invalid order_ids: a shipment carries at least one order");
    assert_eq!(
        refused(request_command(SHIPMENT, &[ORDER, ORDER])),
        format!("invalid order_ids: order {ORDER} is listed twice")
    );
    assert_eq!(
        refused(ShippingCommand::ResumeShipment { shipment_id: SHIPMENT.into() }),
        format!("no shipment {SHIPMENT}")
    );
    let mut data = request_data(SHIPMENT, &[ORDER]);
    data["address"]["postal_code"] = json!("ABCDE");
    assert_eq!(
        harness.deliver(&request_message(&harness, &data)).unwrap_err(),
        MessageError::Decode(
            "request-shipment: invalid address.postal_code: is not a US ZIP code (12345 or 12345-6789)".into()
        )
    );
    let mut data = request_data(SHIPMENT, &[ORDER]);
    data.as_object_mut().unwrap().remove("insured_value");
    assert!(
        matches!(harness.deliver(&request_message(&harness, &data)), Err(MessageError::Decode(e)) if e.contains("insured_value"))
    );
    assert!(harness.take_published().is_empty());
    assert!(matches!(harness.query(Shipment { shipment_id: SHIPMENT.into() }), Err(QueryError::NotFound(_))));
    assert!(matches!(harness.query(Shipment { shipment_id: "x".into() }), Err(QueryError::Invalid(_))));
    assert!(matches!(harness.query(ShipmentsOfOrder { order_id: "x".into() }), Err(QueryError::Invalid(_))));
}

#[test]
fn the_shipment_view_is_what_an_operator_needs() {
    let (harness, _) = harness();
    harness.execute(request_command(SHIPMENT, &[ORDER])).unwrap();
    let view = serde_json::to_value(shipment(&harness, SHIPMENT)).unwrap();
    insta::assert_json_snapshot!(view);
}

/// Sets a deadline as if shipping had, bypassing its use cases: to show what a stale or
/// corrupt one does.
fn schedule_by_hand(harness: &Harness, key: &str, at: Timestamp, payload: Value) {
    use kernel::ids::CausationId;
    use kernel::store::AppendRequest;
    use kernel::unit_of_work::{StoreRepository, UnitOfWork};
    use kernel::{Clock, EventStore};
    let mut repository = StoreRepository(&harness.store);
    let cause = CausationId::generate(&harness.ids);
    let now = harness.clock.now();
    let mut uow = UnitOfWork::new(&mut repository, "shipping", now, &harness.ids, cause.as_correlation(), cause);
    uow.schedule(key, at, &payload).unwrap();
    let finished = uow.finish();
    harness.store.append(AppendRequest { writes: finished.writes, outbox: finished.outbox, inbox: None }).unwrap();
}

#[test]
fn a_deadline_for_a_call_no_longer_due_does_nothing_and_a_corrupt_one_is_reported() {
    let (mut harness, carrier) = harness();
    requested(&harness);
    harness.take_published();
    let stale = json!({ "shipment_id": SHIPMENT, "call": "dispatch", "failures": 0 });
    schedule_by_hand(&harness, "stale", start().plus_days(1), stale);
    assert_eq!(harness.advance_to(start().plus_days(1)).unwrap(), ["stale"], "fired, and done with");
    assert!(harness.take_published().is_empty());
    assert_eq!(carrier.dispatches_asked(), [0], "the dispatch was not repeated");
    assert_eq!(shipment(&harness, SHIPMENT).status, ShipmentStatus::InTransit);

    schedule_by_hand(&harness, "corrupt", start().plus_days(1), json!({ "shipment": "?" }));
    let error = harness.advance_to(start().plus_days(1)).unwrap_err();
    assert!(matches!(&error, MessageError::Decode(e) if e.starts_with("deadline `corrupt`: ")), "{error}");
}
