//! The published language holds together: every message has a schema and examples; every
//! example decodes into inventory's own DTO, loses nothing on the way, and satisfies the
//! schema; every command inventory accepts is consumed by a handler of its own; shipping's
//! `shipment-damaged` is read as the published language agrees; and what the context actually
//! publishes satisfies the schemas too.

use inventory::ports::{
    AddBook, MarkBookUnavailable, ReceiveShipment, ReleaseReservation, ReserveStock, ShipReservation, StockLine,
};
use inventory::published::{
    BookAvailabilityV1, ReleaseReservationV1, ReservationReleasedV1, ReserveStockV1, ReservedStockShippedV1,
    ShipReservationV1, StockReservationRejectedV1, StockReservedV1,
};
use inventory::InventoryContext;
use inventory::CONTEXT;
use kernel::context::{PublishedMessage, Relationship};
use kernel::message::Envelope;
use kernel::testing::schema::{check_context, check_published_as, violations};
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::MessageKind;
use serde_json::Value;

fn message(name: &str) -> &'static PublishedMessage {
    CONTEXT.publishes.iter().find(|m| m.name == name).copied().unwrap_or_else(|| panic!("{name} is not published"))
}

#[test]
fn every_example_decodes_into_its_dto_without_loss() {
    assert_eq!(check_published_as::<BookAvailabilityV1>(message("book-availability")), Ok(()));
    assert_eq!(check_published_as::<ReserveStockV1>(message("reserve-stock")), Ok(()));
    assert_eq!(check_published_as::<ReleaseReservationV1>(message("release-reservation")), Ok(()));
    assert_eq!(check_published_as::<ShipReservationV1>(message("ship-reservation")), Ok(()));
    assert_eq!(check_published_as::<StockReservedV1>(message("stock-reserved")), Ok(()));
    assert_eq!(check_published_as::<StockReservationRejectedV1>(message("stock-reservation-rejected")), Ok(()));
    assert_eq!(check_published_as::<ReservationReleasedV1>(message("reservation-released")), Ok(()));
    assert_eq!(check_published_as::<ReservedStockShippedV1>(message("reserved-stock-shipped")), Ok(()));
    assert_eq!(CONTEXT.publishes.len(), 8, "a new message needs its DTO checked here");
}

#[test]
fn every_example_satisfies_its_schema() {
    // Each schema is JSON whose $id names the context and the message; each example satisfies it.
    assert_eq!(check_context(&CONTEXT), Ok(()));
}

#[test]
fn the_commands_inventory_accepts_are_consumed_by_its_own_handlers() {
    let commands: Vec<_> = CONTEXT.publishes.iter().filter(|m| m.kind == MessageKind::Command).collect();
    assert_eq!(commands.len(), 3);
    for command in commands {
        let message_type = command.message_type(CONTEXT.name);
        let subscription = CONTEXT
            .consumes
            .iter()
            .find(|s| s.message_type == message_type)
            .unwrap_or_else(|| panic!("nobody consumes {message_type}"));
        assert_eq!(subscription.kind, MessageKind::Command);
        for example in command.examples {
            let raw = serde_json::value::RawValue::from_string(example.to_string()).unwrap();
            assert_eq!((subscription.decode)(&raw), Ok(()), "{message_type} example");
        }
    }
    let handler_ids: Vec<_> = CONTEXT.consumes.iter().map(|s| s.handler_id).collect();
    assert_eq!(
        handler_ids,
        [
            "inventory.on-reserve-stock",
            "inventory.on-release-reservation",
            "inventory.on-ship-reservation",
            "inventory.on-shipment-damaged"
        ],
        "handler ids are recorded in inboxes: never change them"
    );
    assert!(CONTEXT.sends.is_empty());
}

/// Shipping's `shipment-damaged` v1, as the agreed published language describes it:
/// inventory's tolerant reader takes it, insurance claim and all, and shipping is declared the
/// upstream it is.
#[test]
fn inventory_reads_shippings_damage_report_as_agreed() {
    let subscription = CONTEXT.consumes.iter().find(|s| s.handler_id == "inventory.on-shipment-damaged").unwrap();
    assert_eq!(
        (subscription.message_type, subscription.kind),
        ("bookbox.shipping.shipment-damaged.v1", MessageKind::DomainEvent)
    );
    let raw = |s: &str| serde_json::value::RawValue::from_string(s.to_owned()).unwrap();
    let agreed = r#"{ "shipment_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "order_ids": ["0b7e6a52-9d1c-4f3e-b2a8-5c4d3e2f1a0b", "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b"],
        "insurance_claim": { "amount_cents": 5998, "currency": "USD" } }"#;
    assert_eq!((subscription.decode)(&raw(agreed)), Ok(()));
    assert!((subscription.decode)(&raw(r#"{ "order_ids": [] }"#)).unwrap_err().contains("shipment_id"));
    let too_many: Vec<String> = (0..51u128).map(|n| format!("\"{}\"", uuid::Uuid::from_u128(n))).collect();
    let crowded = format!(
        r#"{{ "shipment_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "order_ids": [{}] }}"#,
        too_many.join(",")
    );
    assert!((subscription.decode)(&raw(&crowded)).unwrap_err().contains("51 order_ids"));
    let upstreams: Vec<_> = CONTEXT.upstreams.iter().map(|u| (u.context, u.relationship)).collect();
    assert_eq!(upstreams, [("shipping", Relationship::AnticorruptionLayer)]);
}

#[test]
fn a_payload_that_breaks_the_schema_is_refused_by_the_consumer_naming_the_field() {
    let decode = CONTEXT.consumes[0].decode;
    let raw = |s: &str| serde_json::value::RawValue::from_string(s.to_owned()).unwrap();
    let bad_isbn = r#"{"order_id":"6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b","warehouse":"dallas","lines":[{"isbn":"123","quantity":1}]}"#;
    assert_eq!(
        decode(&raw(bad_isbn)),
        Err("message does not decode: reserve-stock: invalid lines[0].isbn: `123` has 3 digits: an ISBN-13 has 13, an ISBN-10 has 10".into())
    );
    assert!(decode(&raw(r#"{"warehouse":"dallas","lines":[]}"#)).unwrap_err().contains("order_id"));
}

/// Drives the context through every published message and checks each against its schema.
#[test]
fn what_the_context_publishes_satisfies_the_schemas() {
    let mut harness = ContextHarness::new(InventoryContext);
    harness
        .execute(AddBook { isbn: "9780306406157".into(), title: "Dune".into(), genres: vec!["science-fiction".into()] })
        .unwrap();
    harness.execute(ReceiveShipment { isbn: "9780306406157".into(), warehouse: "dallas".into(), quantity: 3 }).unwrap();
    let reserve = |order: &str, quantity| ReserveStock {
        order_id: order.into(),
        warehouse: "dallas".into(),
        lines: vec![StockLine { isbn: "9780306406157".into(), quantity }],
    };
    harness.execute(reserve("00000000-0000-0000-0000-000000000001", 1)).unwrap();
    harness.execute(reserve("00000000-0000-0000-0000-000000000002", 1)).unwrap();
    harness.execute(reserve("00000000-0000-0000-0000-000000000003", 9)).unwrap();
    harness.execute(ReleaseReservation { order_id: "00000000-0000-0000-0000-000000000001".into() }).unwrap();
    harness.execute(ShipReservation { order_id: "00000000-0000-0000-0000-000000000002".into() }).unwrap();
    harness.execute(MarkBookUnavailable { isbn: "9780306406157".into() }).unwrap();
    let published = harness.take_published();
    let mut seen: Vec<&str> = Vec::new();
    for envelope in &published {
        let name = envelope.message_type.trim_start_matches("bookbox.inventory.").trim_end_matches(".v1");
        let schema: Value = serde_json::from_str(message(name).schema).unwrap();
        let data: Value = serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap();
        let found = violations(&schema, &data);
        assert!(found.is_empty(), "{name} as published breaks its schema: {found:#?}\n{data}");
        assert_eq!(envelope.kind, message(name).kind);
        if !seen.contains(&name) {
            seen.push(name);
        }
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        [
            "book-availability",
            "reservation-released",
            "reserved-stock-shipped",
            "stock-reservation-rejected",
            "stock-reserved"
        ]
    );
}

/// The committed `reserve-stock` example, sent as orders would send it, is served.
#[test]
fn the_reserve_stock_example_is_served_end_to_end() {
    let harness = ContextHarness::new(InventoryContext);
    for (isbn, title) in [("9780306406157", "Dune"), ("9780804429573", "Emma")] {
        harness.execute(AddBook { isbn: isbn.into(), title: title.into(), genres: vec!["fantasy".into()] }).unwrap();
        harness.execute(ReceiveShipment { isbn: isbn.into(), warehouse: "dallas".into(), quantity: 2 }).unwrap();
    }
    let example = message("reserve-stock").examples[0];
    let mut command: Envelope =
        incoming(&harness.ids, "inventory", "reserve-stock", 1, MessageKind::Command, "order", example);
    command.source = Envelope::source_of("orders");
    command.recipient = Some("inventory".into());
    assert_eq!(harness.deliver(&command).unwrap(), Delivery::Processed);
}
