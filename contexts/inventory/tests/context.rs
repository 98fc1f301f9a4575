//! Inventory as the runtime hosts it, driven through the in-memory harness: commands and
//! messages in, published envelopes, replies and query answers out.

use std::fmt::Debug;

use inventory::ports::queries::{CatalogEntry, Reservation, Stock};
use inventory::ports::{
    AddBook, DispatchTransfer, InventoryError, MarkBookAvailable, MarkBookUnavailable, ReceiveShipment,
    ReceiveTransfer, RecordDamagedCopies, RecordLostCopies, ReleaseReservation, ReservationStatus, ReservationView,
    ReserveStock, ReviseBook, ShipReservation, StockLine, WarehouseStock,
};
use inventory::InventoryContext;
use kernel::context::{HandleError, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::MessageKind;
use serde_json::Value;

const DUNE: &str = "9780306406157";
const EMMA: &str = "9780804429573";
const ORDER: &str = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
const OTHER_ORDER: &str = "0b7e6a52-9d1c-4f3e-b2a8-5c4d3e2f1a0b";

type Harness = ContextHarness<InventoryContext>;

/// A harness with Dune (3 copies in Dallas) and Emma (2 in Dallas) in stock.
fn stocked() -> Harness {
    let mut harness = ContextHarness::new(InventoryContext);
    add_book(&harness, DUNE, "Dune", &["science-fiction"]);
    add_book(&harness, EMMA, "Emma", &["romance", "literary-fiction"]);
    receive(&harness, DUNE, "dallas", 3);
    receive(&harness, EMMA, "dallas", 2);
    harness.take_published();
    harness
}

fn add_book(harness: &Harness, isbn: &str, title: &str, genres: &[&str]) {
    let genres = genres.iter().map(|g| g.to_string()).collect();
    harness.execute(AddBook { isbn: isbn.into(), title: title.into(), genres }).unwrap();
}

fn receive(harness: &Harness, isbn: &str, warehouse: &str, quantity: u32) -> WarehouseStock {
    harness.execute(ReceiveShipment { isbn: isbn.into(), warehouse: warehouse.into(), quantity }).unwrap()
}

/// A command message as orders would send it: typed in inventory's published language.
fn command(harness: &Harness, name: &str, order: &str, data: Value) -> Envelope {
    let mut message = incoming(&harness.ids, "inventory", name, 1, MessageKind::Command, order, &data.to_string());
    message.source = Envelope::source_of("orders");
    message.recipient = Some("inventory".into());
    message
}

fn reserve_stock(harness: &Harness, order: &str, lines: &[(&str, u32)]) -> Envelope {
    let lines: Vec<Value> = lines.iter().map(|(isbn, n)| serde_json::json!({ "isbn": isbn, "quantity": n })).collect();
    command(
        harness,
        "reserve-stock",
        order,
        serde_json::json!({ "order_id": order, "warehouse": "dallas", "lines": lines }),
    )
}

fn stock(harness: &Harness, isbn: &str, warehouse: &str) -> WarehouseStock {
    let report = harness.query(Stock { isbn: isbn.into() }).expect("a cataloged book has a stock report");
    report.warehouses.into_iter().find(|w| w.warehouse == warehouse).unwrap()
}

fn reservation(harness: &Harness, order: &str) -> ReservationView {
    harness
        .query(Reservation { order_id: order.into() })
        .expect("every well-formed order id has a reservation (`unrequested` if none was asked)")
}

fn names(published: &[Envelope]) -> Vec<String> {
    published.iter().map(|e| format!("{} {}", e.message_type, e.subject.as_deref().unwrap_or(""))).collect()
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
fn adding_a_book_publishes_its_availability() {
    let mut harness = ContextHarness::new(InventoryContext);
    let entry = harness
        .execute(AddBook {
            isbn: "0-306-40615-2".into(),
            title: " Dune ".into(),
            genres: vec!["science-fiction".into(), "fantasy".into()],
        })
        .unwrap();
    assert_eq!((entry.isbn.as_str(), entry.title.as_str()), (DUNE, "Dune"), "an ISBN-10 becomes its ISBN-13");
    let published = harness.take_published();
    assert_eq!(names(&published), [format!("bookbox.inventory.book-availability.v1 {DUNE}")]);
    assert_envelope_snapshot!(published[0]);
}

#[test]
fn a_publishers_shipment_raises_availability_at_its_warehouse() {
    let mut harness = stocked();
    let ledger = receive(&harness, DUNE, "chicago", 4);
    assert_eq!((ledger.warehouse.as_str(), ledger.on_hand, ledger.received), ("chicago", 4, 4));
    let published = harness.take_published();
    assert_envelope_snapshot!(published[0]);
}

#[test]
fn stock_is_only_kept_for_books_in_the_catalog() {
    let mut harness = ContextHarness::new(InventoryContext);
    let refused = harness.execute(ReceiveShipment { isbn: DUNE.into(), warehouse: "dallas".into(), quantity: 1 });
    assert_eq!(refused, Err(HandleError::Rejected(InventoryError::UnknownBook { isbn: DUNE.into() })));
    assert!(harness.take_published().is_empty());
    assert_eq!(
        harness.query(Stock { isbn: DUNE.into() }),
        Err(QueryError::NotFound(format!("book {DUNE} is not in the catalog")))
    );
}

/// Any of inventory's commands, so that one table can list a case of each.
#[derive(Debug, Clone)]
enum AnyCommand {
    AddBook(AddBook),
    ReviseBook(ReviseBook),
    MarkBookUnavailable(MarkBookUnavailable),
    MarkBookAvailable(MarkBookAvailable),
    ReceiveShipment(ReceiveShipment),
    RecordDamagedCopies(RecordDamagedCopies),
    RecordLostCopies(RecordLostCopies),
    DispatchTransfer(DispatchTransfer),
    ReceiveTransfer(ReceiveTransfer),
    ReserveStock(ReserveStock),
    ReleaseReservation(ReleaseReservation),
    ShipReservation(ShipReservation),
}

impl AnyCommand {
    /// Executes the command; an accepted one answers its reply, as `Debug` shows it.
    fn execute(self, harness: &Harness) -> Result<String, HandleError<InventoryError>> {
        fn shown(reply: impl Debug) -> String {
            format!("{reply:?}")
        }
        match self {
            Self::AddBook(command) => harness.execute(command).map(shown),
            Self::ReviseBook(command) => harness.execute(command).map(shown),
            Self::MarkBookUnavailable(command) => harness.execute(command).map(shown),
            Self::MarkBookAvailable(command) => harness.execute(command).map(shown),
            Self::ReceiveShipment(command) => harness.execute(command).map(shown),
            Self::RecordDamagedCopies(command) => harness.execute(command).map(shown),
            Self::RecordLostCopies(command) => harness.execute(command).map(shown),
            Self::DispatchTransfer(command) => harness.execute(command).map(shown),
            Self::ReceiveTransfer(command) => harness.execute(command).map(shown),
            Self::ReserveStock(command) => harness.execute(command).map(shown),
            Self::ReleaseReservation(command) => harness.execute(command).map(shown),
            Self::ShipReservation(command) => harness.execute(command).map(shown),
        }
    }
}

#[test]
fn bad_input_at_every_command_is_refused_naming_the_field() {
    let harness = stocked();
    let line = |isbn: &str, quantity| vec![StockLine { isbn: isbn.into(), quantity }];
    let cases: Vec<(AnyCommand, &str)> = vec![
        (AnyCommand::AddBook(AddBook { isbn: "978".into(), title: "X".into(), genres: vec!["poetry".into()] }), "isbn"),
        (AnyCommand::AddBook(AddBook { isbn: EMMA.into(), title: "".into(), genres: vec!["poetry".into()] }), "title"),
        (
            AnyCommand::AddBook(AddBook { isbn: EMMA.into(), title: "X".into(), genres: vec!["cookbooks".into()] }),
            "genres",
        ),
        (AnyCommand::AddBook(AddBook { isbn: EMMA.into(), title: "X".into(), genres: vec![] }), "genres"),
        (
            AnyCommand::ReviseBook(ReviseBook {
                isbn: DUNE.into(),
                title: "\u{0}".into(),
                genres: vec!["poetry".into()],
            }),
            "title",
        ),
        (AnyCommand::MarkBookUnavailable(MarkBookUnavailable { isbn: "x".into() }), "isbn"),
        (AnyCommand::MarkBookAvailable(MarkBookAvailable { isbn: "".into() }), "isbn"),
        (
            AnyCommand::ReceiveShipment(ReceiveShipment {
                isbn: DUNE.into(),
                warehouse: "houston".into(),
                quantity: 1,
            }),
            "warehouse",
        ),
        (
            AnyCommand::ReceiveShipment(ReceiveShipment { isbn: DUNE.into(), warehouse: "dallas".into(), quantity: 0 }),
            "quantity",
        ),
        (
            AnyCommand::RecordDamagedCopies(RecordDamagedCopies {
                isbn: DUNE.into(),
                warehouse: "dallas".into(),
                quantity: 200_000,
            }),
            "quantity",
        ),
        (
            AnyCommand::RecordLostCopies(RecordLostCopies { isbn: DUNE.into(), warehouse: "".into(), quantity: 1 }),
            "warehouse",
        ),
        (
            AnyCommand::DispatchTransfer(DispatchTransfer {
                isbn: DUNE.into(),
                from: "dallas".into(),
                to: "dallas".into(),
                quantity: 1,
            }),
            "to",
        ),
        (
            AnyCommand::DispatchTransfer(DispatchTransfer {
                isbn: DUNE.into(),
                from: "paris".into(),
                to: "dallas".into(),
                quantity: 1,
            }),
            "from",
        ),
        (
            AnyCommand::ReceiveTransfer(ReceiveTransfer {
                isbn: DUNE.into(),
                from: "dallas".into(),
                transfer_id: "t-1".into(),
            }),
            "transfer_id",
        ),
        (
            AnyCommand::ReserveStock(ReserveStock {
                order_id: "o-1".into(),
                warehouse: "dallas".into(),
                lines: line(DUNE, 1),
            }),
            "order_id",
        ),
        (
            AnyCommand::ReserveStock(ReserveStock {
                order_id: ORDER.into(),
                warehouse: "dallas".into(),
                lines: vec![],
            }),
            "lines",
        ),
        (
            AnyCommand::ReserveStock(ReserveStock {
                order_id: ORDER.into(),
                warehouse: "dallas".into(),
                lines: line("97", 1),
            }),
            "lines[0].isbn",
        ),
        (
            AnyCommand::ReserveStock(ReserveStock {
                order_id: ORDER.into(),
                warehouse: "dallas".into(),
                lines: line(DUNE, 0),
            }),
            "lines[0].quantity",
        ),
        (AnyCommand::ReleaseReservation(ReleaseReservation { order_id: "".into() }), "order_id"),
        (AnyCommand::ShipReservation(ShipReservation { order_id: "42".into() }), "order_id"),
    ];
    for (command, field) in cases {
        match command.clone().execute(&harness) {
            Err(HandleError::Rejected(InventoryError::InvalidInput { field: named, reason })) => {
                assert_eq!(named, field, "{command:?} was refused for {named}: {reason}");
                assert!(!reason.is_empty());
            }
            other => panic!("{command:?} should be refused for its {field}, got {other:?}"),
        }
    }
}

#[test]
fn a_reservation_arriving_as_a_message_is_answered_and_holds_the_copies() {
    let mut harness = stocked();
    let message = reserve_stock(&harness, ORDER, &[(EMMA, 1), (DUNE, 2)]);
    assert_eq!(harness.deliver(&message).unwrap(), Delivery::Processed);
    let published = harness.take_published();
    assert_eq!(
        names(&published),
        [
            format!("bookbox.inventory.stock-reserved.v1 {ORDER}"),
            format!("bookbox.inventory.book-availability.v1 {DUNE}"),
            format!("bookbox.inventory.book-availability.v1 {EMMA}"),
        ]
    );
    assert_envelope_snapshot!(published[0]);
    assert_eq!(published[0].correlationid, message.correlationid, "the answer belongs to the request's flow");
    let dune = stock(&harness, DUNE, "dallas");
    assert_eq!((dune.on_hand, dune.reserved, dune.free), (3, 2, 1));
    assert_eq!(reservation(&harness, ORDER).status, ReservationStatus::Held);
}

#[test]
fn a_redelivered_or_repeated_reservation_has_no_second_effect() {
    let mut harness = stocked();
    let message = reserve_stock(&harness, ORDER, &[(DUNE, 2)]);
    harness.deliver(&message).unwrap();
    harness.take_published();
    // The same message again: the inbox stops it.
    assert_eq!(harness.deliver(&message).unwrap(), Delivery::Duplicate);
    // The same request under a new message id: the reservation stops it.
    let again = reserve_stock(&harness, ORDER, &[(DUNE, 2)]);
    assert_eq!(harness.deliver(&again).unwrap(), Delivery::Processed);
    assert!(harness.take_published().is_empty());
    assert_eq!(stock(&harness, DUNE, "dallas").reserved, 2);
}

#[test]
fn a_reservation_one_line_cannot_serve_is_rejected_whole() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 1), (EMMA, 5)])).unwrap();
    let published = harness.take_published();
    assert_eq!(names(&published), [format!("bookbox.inventory.stock-reservation-rejected.v1 {ORDER}")]);
    assert_envelope_snapshot!(published[0]);
    assert_eq!(stock(&harness, DUNE, "dallas").reserved, 0, "all or nothing: the line that fitted holds nothing");
    let view = reservation(&harness, ORDER);
    assert_eq!(view.status, ReservationStatus::Rejected);
    assert_eq!(view.rejection.unwrap().reason, "insufficient-stock");
    // Nothing is held, so the order may ask again once the stock is there.
    receive(&harness, EMMA, "dallas", 3);
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 1), (EMMA, 5)])).unwrap();
    assert_eq!(reservation(&harness, ORDER).status, ReservationStatus::Held);
}

#[test]
fn a_book_outside_the_catalog_or_withdrawn_cannot_be_reserved() {
    let mut harness = stocked();
    harness.execute(MarkBookUnavailable { isbn: DUNE.into() }).unwrap();
    let published = harness.take_published();
    assert_eq!(data(&published[0])["available"], 0);
    assert_eq!(data(&published[0])["by_warehouse"]["dallas"], 3, "the copies are still there");
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 1), ("9791090636071", 1)])).unwrap();
    let rejected = data(&harness.take_published()[0]);
    assert_eq!(rejected["reason"], "unknown-book", "the most fundamental reason wins");
    assert_eq!(rejected["shortages"].as_array().unwrap().len(), 2);
}

#[test]
fn a_release_returns_the_copies_and_is_answered() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2)])).unwrap();
    harness.take_published();
    let release = command(&harness, "release-reservation", ORDER, serde_json::json!({ "order_id": ORDER }));
    assert_eq!(harness.deliver(&release).unwrap(), Delivery::Processed);
    let published = harness.take_published();
    assert_eq!(
        names(&published),
        [
            format!("bookbox.inventory.reservation-released.v1 {ORDER}"),
            format!("bookbox.inventory.book-availability.v1 {DUNE}")
        ]
    );
    assert_envelope_snapshot!(published[0]);
    assert_eq!(data(&published[1])["available"], 3);
    // Releasing again, or releasing an order that holds nothing, has reached its goal already.
    let again = command(&harness, "release-reservation", ORDER, serde_json::json!({ "order_id": ORDER }));
    assert_eq!(harness.deliver(&again).unwrap(), Delivery::Processed);
    let never = command(&harness, "release-reservation", OTHER_ORDER, serde_json::json!({ "order_id": OTHER_ORDER }));
    assert_eq!(harness.deliver(&never).unwrap(), Delivery::Processed);
    assert!(harness.take_published().is_empty());
}

#[test]
fn shipping_takes_the_reserved_copies_off_hand_and_is_answered() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2), (EMMA, 1)])).unwrap();
    harness.take_published();
    let ship = command(&harness, "ship-reservation", ORDER, serde_json::json!({ "order_id": ORDER }));
    assert_eq!(harness.deliver(&ship).unwrap(), Delivery::Processed);
    let published = harness.take_published();
    assert_eq!(
        names(&published),
        [format!("bookbox.inventory.reserved-stock-shipped.v1 {ORDER}")],
        "the free stock did not change, so availability is not republished"
    );
    assert_envelope_snapshot!(published[0]);
    let dune = stock(&harness, DUNE, "dallas");
    assert_eq!((dune.on_hand, dune.reserved, dune.shipped, dune.free), (1, 0, 2, 1));
}

#[test]
fn a_request_that_contradicts_the_order_fails_and_changes_nothing() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2)])).unwrap();
    let release = command(&harness, "release-reservation", ORDER, serde_json::json!({ "order_id": ORDER }));
    harness.deliver(&release).unwrap();
    harness.take_published();
    let ship = command(&harness, "ship-reservation", ORDER, serde_json::json!({ "order_id": ORDER }));
    assert_eq!(
        harness.deliver(&ship),
        Err(MessageError::Failed(format!("order {ORDER}'s reservation was already released")))
    );
    let different = reserve_stock(&harness, ORDER, &[(DUNE, 1)]);
    assert_eq!(
        harness.deliver(&different),
        Err(MessageError::Failed(format!("order {ORDER} already holds a different reservation (at dallas)")))
    );
    assert!(harness.take_published().is_empty());
    assert_eq!(stock(&harness, DUNE, "dallas").shipped, 0);
}

#[test]
fn a_malformed_command_message_is_a_decode_error_naming_the_field() {
    let harness = stocked();
    let bad = reserve_stock(&harness, ORDER, &[(DUNE, 0)]);
    assert_eq!(
        harness.deliver(&bad),
        Err(MessageError::Decode("reserve-stock: invalid lines[0].quantity: must be at least 1 copy".into()))
    );
    let no_order = command(&harness, "ship-reservation", ORDER, serde_json::json!({ "order": ORDER }));
    assert!(matches!(harness.deliver(&no_order), Err(MessageError::Decode(why)) if why.contains("order_id")));
}

#[test]
fn direct_commands_reserve_release_and_ship_like_the_messages() {
    let mut harness = stocked();
    let reserve = ReserveStock {
        order_id: ORDER.into(),
        warehouse: "Dallas".into(),
        lines: vec![StockLine { isbn: DUNE.into(), quantity: 4 }],
    };
    let view = harness.execute(reserve).unwrap();
    assert_eq!(view.status, ReservationStatus::Rejected, "a shortage is an answer, not an error");
    let reserve = ReserveStock {
        order_id: ORDER.into(),
        warehouse: "dallas".into(),
        lines: vec![StockLine { isbn: DUNE.into(), quantity: 3 }],
    };
    let view = harness.execute(reserve).unwrap();
    assert_eq!((view.status, view.lines.len()), (ReservationStatus::Held, 1));
    let view = harness.execute(ShipReservation { order_id: ORDER.into() }).unwrap();
    assert_eq!(view.status, ReservationStatus::Shipped);
    assert_eq!(
        harness.execute(ReleaseReservation { order_id: ORDER.into() }),
        Err(HandleError::Rejected(InventoryError::AlreadyShipped { order_id: ORDER.into() }))
    );
    assert_eq!(
        harness.execute(ShipReservation { order_id: OTHER_ORDER.into() }),
        Err(HandleError::Rejected(InventoryError::NoReservation { order_id: OTHER_ORDER.into() }))
    );
    let types: Vec<_> = harness.take_published().into_iter().map(|e| e.message_type).collect();
    assert!(types.contains(&"bookbox.inventory.stock-reservation-rejected.v1".to_owned()));
    assert!(types.contains(&"bookbox.inventory.reserved-stock-shipped.v1".to_owned()));
}

#[test]
fn a_transfer_is_in_transit_at_its_source_until_the_destination_receives_it() {
    let mut harness = stocked();
    let dispatch = DispatchTransfer { isbn: DUNE.into(), from: "dallas".into(), to: "chicago".into(), quantity: 2 };
    let transfer = harness.execute(dispatch).unwrap();
    let dallas = stock(&harness, DUNE, "dallas");
    assert_eq!((dallas.on_hand, dallas.in_transit, dallas.transfers_in_transit.len()), (1, 2, 1));
    assert_eq!(stock(&harness, DUNE, "chicago").on_hand, 0);
    let receipt =
        ReceiveTransfer { isbn: DUNE.into(), from: "dallas".into(), transfer_id: transfer.transfer_id.clone() };
    let received = harness.execute(receipt.clone()).unwrap();
    assert_eq!((received.to.as_str(), received.quantity), ("chicago", 2));
    let (dallas, chicago) = (stock(&harness, DUNE, "dallas"), stock(&harness, DUNE, "chicago"));
    assert_eq!((dallas.on_hand, dallas.in_transit, dallas.transferred_out), (1, 0, 2));
    assert_eq!((chicago.on_hand, chicago.transferred_in, chicago.received), (2, 2, 0));
    // A transfer is received once.
    assert_eq!(
        harness.execute(receipt),
        Err(HandleError::Rejected(InventoryError::UnknownTransfer {
            isbn: DUNE.into(),
            from: "dallas".into(),
            transfer_id: transfer.transfer_id
        }))
    );
    let availability: Vec<Value> = harness.take_published().iter().map(data).collect();
    assert_eq!(availability.len(), 2, "dispatch and receipt each change what can be reserved");
    assert_eq!(availability[0]["by_warehouse"], serde_json::json!({ "dallas": 1, "chicago": 0 }));
    assert_eq!(availability[1]["by_warehouse"], serde_json::json!({ "dallas": 1, "chicago": 2 }));
}

#[test]
fn only_free_copies_can_be_written_off_or_transferred() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2)])).unwrap();
    let damaged = RecordDamagedCopies { isbn: DUNE.into(), warehouse: "dallas".into(), quantity: 1 };
    let ledger = harness.execute(damaged).unwrap();
    assert_eq!((ledger.on_hand, ledger.damaged, ledger.reserved), (2, 1, 2));
    let lost = RecordLostCopies { isbn: DUNE.into(), warehouse: "dallas".into(), quantity: 1 };
    let refusal =
        InventoryError::NotEnoughFreeCopies { isbn: DUNE.into(), warehouse: "dallas".into(), requested: 1, free: 0 };
    assert_eq!(harness.execute(lost), Err(HandleError::Rejected(refusal.clone())));
    let dispatch = DispatchTransfer { isbn: DUNE.into(), from: "dallas".into(), to: "chicago".into(), quantity: 1 };
    assert_eq!(harness.execute(dispatch), Err(HandleError::Rejected(refusal.clone())));
    assert_eq!(refusal.to_string(), "only 0 free copies of 9780306406157 at dallas; 1 requested");
    harness.take_published();
}

#[test]
fn the_availability_version_rises_with_every_change_to_the_book() {
    let mut harness = ContextHarness::new(InventoryContext);
    add_book(&harness, DUNE, "Dune", &["fantasy"]);
    receive(&harness, DUNE, "dallas", 3);
    receive(&harness, DUNE, "chicago", 3);
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2)])).unwrap();
    harness
        .execute(ReviseBook { isbn: DUNE.into(), title: "Dune".into(), genres: vec!["science-fiction".into()] })
        .unwrap();
    harness.execute(MarkBookUnavailable { isbn: DUNE.into() }).unwrap();
    let versions: Vec<u64> = harness
        .take_published()
        .iter()
        .filter(|e| e.message_type.ends_with("book-availability.v1"))
        .map(|e| data(e)["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions.len(), 6);
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

#[test]
fn catalog_changes_that_change_nothing_publish_nothing() {
    let mut harness = stocked();
    add_book(&harness, DUNE, "Dune", &["science-fiction"]);
    harness.execute(MarkBookAvailable { isbn: DUNE.into() }).unwrap();
    assert!(harness.take_published().is_empty());
    assert_eq!(
        harness.execute(AddBook { isbn: DUNE.into(), title: "Not Dune".into(), genres: vec!["poetry".into()] }),
        Err(HandleError::Rejected(InventoryError::AlreadyCataloged { isbn: DUNE.into() }))
    );
    assert_eq!(
        harness.execute(MarkBookUnavailable { isbn: "9791090636071".into() }),
        Err(HandleError::Rejected(InventoryError::UnknownBook { isbn: "9791090636071".into() }))
    );
}

#[test]
fn queries_answer_the_catalog_the_ledgers_and_reservations() {
    let harness = stocked();
    let entry = harness
        .query(CatalogEntry { isbn: "978-0-8044-2957-3".into() })
        .expect("a hyphenated ISBN finds the book it names");
    assert_eq!(entry.genres, ["romance", "literary-fiction"]);
    let report = harness.query(Stock { isbn: DUNE.into() }).expect("a cataloged book has a stock report");
    assert_eq!(report.available, 3);
    assert_eq!(report.warehouses.iter().map(|w| w.warehouse.as_str()).collect::<Vec<_>>(), ["dallas", "chicago"]);
    assert_eq!(reservation(&harness, ORDER).status, ReservationStatus::Unrequested);
    assert!(
        matches!(harness.query(Stock { isbn: "nope".into() }), Err(QueryError::Invalid(why)) if why.starts_with("isbn: "))
    );
    assert!(matches!(harness.query(Reservation { order_id: "nope".into() }), Err(QueryError::Invalid(_))));
    assert!(matches!(harness.query(CatalogEntry { isbn: "9791090636071".into() }), Err(QueryError::NotFound(_))));
}

const SHIPMENT: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

/// Shipping's `shipment-damaged`, as shipping publishes it (a domain event, subject the
/// shipment): inventory is not its recipient, only a subscriber.
fn shipment_damaged(harness: &Harness, orders: &[&str]) -> Envelope {
    let data = serde_json::json!({
        "shipment_id": SHIPMENT,
        "order_ids": orders,
        "insurance_claim": { "amount_cents": 5998, "currency": "USD" },
    });
    incoming(&harness.ids, "shipping", "shipment-damaged", 1, MessageKind::DomainEvent, SHIPMENT, &data.to_string())
}

fn ship(harness: &Harness, order: &str) {
    let ship = command(harness, "ship-reservation", order, serde_json::json!({ "order_id": order }));
    assert_eq!(harness.deliver(&ship).unwrap(), Delivery::Processed);
}

#[test]
fn a_damaged_shipment_moves_its_orders_shipped_copies_to_lost() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2), (EMMA, 1)])).unwrap();
    harness.deliver(&reserve_stock(&harness, OTHER_ORDER, &[(DUNE, 1)])).unwrap();
    ship(&harness, ORDER);
    ship(&harness, OTHER_ORDER);
    harness.take_published();
    let never_reserved = "00000000-0000-0000-0000-000000000009";
    let damaged = shipment_damaged(&harness, &[ORDER, OTHER_ORDER, never_reserved]);
    assert_eq!(harness.deliver(&damaged).unwrap(), Delivery::Processed);
    assert!(harness.take_published().is_empty(), "the free stock did not change: nothing to publish");
    let dune = stock(&harness, DUNE, "dallas");
    assert_eq!(
        (dune.on_hand, dune.free, dune.shipped, dune.lost, dune.lost_in_shipment),
        (0, 0, 0, 3, 3),
        "both orders' copies of Dune are lost: {dune:?}"
    );
    let emma = stock(&harness, EMMA, "dallas");
    assert_eq!((emma.on_hand, emma.shipped, emma.lost, emma.lost_in_shipment), (1, 0, 1, 1));
    assert_eq!(dune.received, dune.on_hand + dune.shipped + dune.damaged + dune.lost + dune.in_transit);
    let view = reservation(&harness, ORDER);
    assert_eq!((view.status, view.lines.len()), (ReservationStatus::Lost, 2), "the view still names the lines");
    assert_eq!(reservation(&harness, never_reserved).status, ReservationStatus::Unrequested);
}

#[test]
fn copies_are_lost_once_however_often_the_damage_is_reported() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2)])).unwrap();
    ship(&harness, ORDER);
    let damaged = shipment_damaged(&harness, &[ORDER]);
    harness.deliver(&damaged).unwrap();
    // The same message again: the inbox stops it.
    assert_eq!(harness.deliver(&damaged).unwrap(), Delivery::Duplicate);
    // Another message naming the order (a new message id): the reservation stops it.
    assert_eq!(harness.deliver(&shipment_damaged(&harness, &[ORDER, ORDER])).unwrap(), Delivery::Processed);
    // And shipping the lost order again changes nothing either.
    ship(&harness, ORDER);
    let dune = stock(&harness, DUNE, "dallas");
    assert_eq!((dune.on_hand, dune.shipped, dune.lost, dune.lost_in_shipment), (1, 0, 2, 2));
    harness.take_published();
}

#[test]
fn a_damage_report_overtaking_the_ship_request_ships_the_held_copies_then_loses_them() {
    let mut harness = stocked();
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2)])).unwrap();
    harness.take_published();
    // Shipping's report comes straight from shipping; orders' `ship-reservation` is still on
    // its way. The parcel left with the copies, so they are shipped (and that is answered).
    assert_eq!(harness.deliver(&shipment_damaged(&harness, &[ORDER])).unwrap(), Delivery::Processed);
    assert_eq!(names(&harness.take_published()), [format!("bookbox.inventory.reserved-stock-shipped.v1 {ORDER}")]);
    let dune = stock(&harness, DUNE, "dallas");
    assert_eq!((dune.on_hand, dune.reserved, dune.shipped, dune.lost, dune.lost_in_shipment), (1, 0, 0, 2, 2));
    // The `ship-reservation` that arrives afterwards has nothing left to do.
    ship(&harness, ORDER);
    assert!(harness.take_published().is_empty());
    assert_eq!(stock(&harness, DUNE, "dallas"), dune);
    assert_eq!(reservation(&harness, ORDER).status, ReservationStatus::Lost);
}

#[test]
fn a_damage_report_naming_orders_inventory_never_shipped_changes_nothing_and_fails_nothing() {
    let mut harness = stocked();
    // Released, rejected, and never heard of.
    harness.deliver(&reserve_stock(&harness, ORDER, &[(DUNE, 2)])).unwrap();
    let release = command(&harness, "release-reservation", ORDER, serde_json::json!({ "order_id": ORDER }));
    harness.deliver(&release).unwrap();
    harness.deliver(&reserve_stock(&harness, OTHER_ORDER, &[(DUNE, 9)])).unwrap();
    harness.take_published();
    let before = (stock(&harness, DUNE, "dallas"), stock(&harness, EMMA, "dallas"));
    let never = "00000000-0000-0000-0000-000000000009";
    let damaged = shipment_damaged(&harness, &[ORDER, OTHER_ORDER, never]);
    assert_eq!(harness.deliver(&damaged).unwrap(), Delivery::Processed, "no dead letter for a fact");
    assert!(harness.take_published().is_empty());
    assert_eq!((stock(&harness, DUNE, "dallas"), stock(&harness, EMMA, "dallas")), before);
    assert_eq!(reservation(&harness, ORDER).status, ReservationStatus::Released);
    assert_eq!(reservation(&harness, OTHER_ORDER).status, ReservationStatus::Rejected);
}

#[test]
fn a_malformed_damage_report_is_a_decode_error_naming_the_field() {
    let harness = stocked();
    let mut bad = shipment_damaged(&harness, &[ORDER]);
    bad.data = Some(serde_json::value::RawValue::from_string(r#"{ "order_ids": [] }"#.into()).unwrap());
    let refused = harness.deliver(&bad);
    assert!(matches!(&refused, Err(MessageError::Decode(why)) if why.contains("shipment_id")), "{refused:?}");
}
