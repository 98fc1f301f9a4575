//! The published language holds together: every message has a schema and examples; every
//! example decodes into shipping's own DTO, loses nothing on the way, and satisfies the
//! schema; the command shipping accepts is consumed by its own handler; and what the context
//! actually publishes, along every path of a shipment's life, satisfies the schemas too.

mod support;

use std::sync::Arc;

use kernel::context::PublishedMessage;
use kernel::message::Envelope;
use kernel::testing::schema::{check_context, check_published_as, violations};
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::{MessageKind, Timestamp};
use serde_json::Value;
use shipping::ports::DeliveryOutcome;
use shipping::published::{
    DeliveryFailedV1, RequestShipmentV1, ShipmentDamagedV1, ShipmentDeliveredV1, ShipmentDispatchedV1,
    ShipmentReturnedV1,
};
use shipping::{Shipping, CONTEXT};

use support::carrier::ScriptedCarrier;

fn message(name: &str) -> &'static PublishedMessage {
    CONTEXT.publishes.iter().find(|m| m.name == name).copied().unwrap_or_else(|| panic!("{name} is not published"))
}

#[test]
fn every_example_decodes_into_its_dto_without_loss() {
    assert_eq!(check_published_as::<RequestShipmentV1>(message("request-shipment")), Ok(()));
    assert_eq!(check_published_as::<ShipmentDispatchedV1>(message("shipment-dispatched")), Ok(()));
    assert_eq!(check_published_as::<DeliveryFailedV1>(message("delivery-failed")), Ok(()));
    assert_eq!(check_published_as::<ShipmentDeliveredV1>(message("shipment-delivered")), Ok(()));
    assert_eq!(check_published_as::<ShipmentReturnedV1>(message("shipment-returned")), Ok(()));
    assert_eq!(check_published_as::<ShipmentDamagedV1>(message("shipment-damaged")), Ok(()));
    assert_eq!(CONTEXT.publishes.len(), 6, "a new message needs its DTO checked here");
}

#[test]
fn every_example_satisfies_its_schema() {
    // Each schema is JSON whose $id names the context and the message; each example satisfies it.
    assert_eq!(check_context(&CONTEXT), Ok(()));
}

#[test]
fn the_command_shipping_accepts_is_consumed_by_its_own_handler() {
    let commands: Vec<_> = CONTEXT.publishes.iter().filter(|m| m.kind == MessageKind::Command).collect();
    assert_eq!(commands.len(), 1);
    let message_type = commands[0].message_type(CONTEXT.name);
    assert_eq!(message_type, "bookbox.shipping.request-shipment.v1");
    let subscription = CONTEXT.consumes.iter().find(|s| s.message_type == message_type).expect("consumed");
    assert_eq!(subscription.kind, MessageKind::Command);
    for example in commands[0].examples {
        let raw = serde_json::value::RawValue::from_string(example.to_string()).unwrap();
        assert_eq!((subscription.decode)(&raw), Ok(()), "{message_type} example");
    }
    let handler_ids: Vec<_> = CONTEXT.consumes.iter().map(|s| s.handler_id).collect();
    assert_eq!(handler_ids, ["shipping.on-request-shipment"], "handler ids are recorded in inboxes: never change them");
    assert!(CONTEXT.upstreams.is_empty() && CONTEXT.sends.is_empty());
    let personal: Vec<_> = CONTEXT.publishes.iter().filter(|m| !m.personal_data.is_empty()).map(|m| m.name).collect();
    assert_eq!(personal, ["request-shipment"], "only the request carries the address");
}

#[test]
fn a_payload_that_breaks_the_schema_is_refused_by_the_consumer_naming_the_field() {
    let decode = CONTEXT.consumes[0].decode;
    let mut request: Value = serde_json::from_str(message("request-shipment").examples[0]).unwrap();
    request["books"][1]["isbn"] = "123".into();
    let raw = serde_json::value::RawValue::from_string(request.to_string()).unwrap();
    assert_eq!(
        decode(&raw),
        Err("message does not decode: request-shipment: invalid books[1].isbn: `123` is not an ISBN-13 (13 digits starting 978 or 979)".into())
    );
    let raw = serde_json::value::RawValue::from_string(r#"{"order_ids":[]}"#.into()).unwrap();
    assert!(decode(&raw).unwrap_err().contains("shipment_id"));
}

/// Walks every path of a shipment's life, one shipment at a time, and checks each published
/// message against its schema and kind.
#[test]
fn what_the_context_publishes_satisfies_the_schemas() {
    use DeliveryOutcome::{DamagedInTransit, Delivered, NoOneHome};
    let carrier = Arc::new(ScriptedCarrier::default());
    let mut harness = ContextHarness::new(Shipping::new(carrier.clone()));
    let examples = message("request-shipment").examples;
    let lives: [(&str, &[DeliveryOutcome]); 3] = [
        (examples[0], &[NoOneHome, NoOneHome, NoOneHome]),
        (examples[1], &[NoOneHome, Delivered]),
        (examples[1], &[DamagedInTransit]),
    ];
    let mut now = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    for (n, (example, outcomes)) in lives.into_iter().enumerate() {
        outcomes.iter().for_each(|outcome| {
            carrier.answer_attempt(Ok(*outcome));
        });
        let mut request: Value = serde_json::from_str(example).unwrap();
        request["shipment_id"] = format!("a0000000-0000-4000-8000-00000000000{n}").into();
        for (k, order) in request["order_ids"].as_array_mut().unwrap().iter_mut().enumerate() {
            *order = format!("b0000000-0000-4000-8000-0000000000{n}{k}").into();
        }
        let subject = request["shipment_id"].as_str().unwrap().to_owned();
        let mut command = incoming(
            &harness.ids,
            "shipping",
            "request-shipment",
            1,
            MessageKind::Command,
            &subject,
            &request.to_string(),
        );
        command.source = Envelope::source_of("orders");
        assert_eq!(harness.deliver(&command).unwrap(), Delivery::Processed);
        for _ in 0..4 {
            now = now.plus_days(2);
            harness.advance_to(now).unwrap();
        }
    }
    let published = harness.take_published();
    let mut seen: Vec<&str> = Vec::new();
    for envelope in &published {
        let name = envelope.message_type.trim_start_matches("bookbox.shipping.").trim_end_matches(".v1");
        let schema: Value = serde_json::from_str(message(name).schema).unwrap();
        let data: Value = serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap();
        let found = violations(&schema, &data);
        assert!(found.is_empty(), "{name} as published breaks its schema: {found:#?}\n{data}");
        assert_eq!(envelope.kind, message(name).kind);
        assert_eq!(envelope.subject.as_deref(), data["shipment_id"].as_str(), "the subject is the shipment id");
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        ["delivery-failed", "shipment-damaged", "shipment-delivered", "shipment-dispatched", "shipment-returned"]
    );
}
