//! Reporting as the runtime hosts it, driven through the in-memory harness with messages built
//! from the upstream examples (`tests/fixtures`), as orders, billing and inventory would have
//! published them; every answer read back through the query port.

mod support;

use kernel::context::{Answers, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::testing::{ContextHarness, Delivery};
use reporting::ports::queries::{CustomerLifetimeValue, CustomersOver, OrdersByEndState, SalesByState, StockByBook};
use reporting::ports::{CustomerValueView, CustomersOverView, MoneyView, ReadModelQuery, SalesByStateView, StockView};
use reporting::ReportingContext;
use serde_json::json;

use support::{
    book_availability, box_order, capture, order_end, order_ended, order_state, payment_captured, payment_refunded,
    refund, stock, with, BOOK_IN_STOCK, BOOK_WITHDRAWN, BOX_ORDER_CANCELLED, BOX_ORDER_PLACED, BOX_ORDER_SHIPPED,
    ORDER_DELIVERED, ORDER_REFUNDED, PAYMENT_CAPTURED, PAYMENT_REFUNDED,
};

type Harness = ContextHarness<ReportingContext>;

/// Pays for herself and for a gift (`placed.json`, `shipped-combined.json`).
const ADA: &str = "c0ffee00-1234-4abc-9def-001122334455";
/// Receives Ada's gift (`shipped-combined.json`).
const GIFTEE: &str = "b1eece00-5678-4abc-9def-665544332211";
/// The payer of billing's examples.
const GRACE: &str = "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a";
/// Ada's own box, to Illinois, March (`placed.json`, `cancelled-refunded.json`).
const ADA_ORDER: &str = "5b8e2f1a-9c3d-4e7f-a1b2-c3d4e5f60718";
/// The gift, to Texas, April (`shipped-combined.json`, `delivered.json`).
const GIFT_ORDER: &str = "0d4c3b2a-1f0e-4d9c-8b7a-695847362514";
/// Grace's order (billing's examples).
const GRACE_ORDER: &str = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

const HOUND: &str = "9780306406157";
const PRIDE: &str = "9780804429573";

fn deliver(harness: &Harness, message: &Envelope) {
    assert_eq!(harness.deliver(message).unwrap(), Delivery::Processed, "{}", message.message_type);
}

fn sales(harness: &Harness, state: Option<&str>) -> SalesByStateView {
    harness.query(SalesByState { state: state.map(str::to_owned) }).expect("the states asked for are state codes")
}

fn value(harness: &Harness, customer: &str) -> CustomerValueView {
    harness.query(CustomerLifetimeValue { customer_id: customer.into() }).expect("the customers asked for are UUIDs")
}

fn over(harness: &Harness, amount_cents: u64, limit: Option<u32>) -> CustomersOverView {
    harness.query(CustomersOver { amount_cents, limit }).expect("the limits asked for are within the maximum")
}

fn stock_of(harness: &Harness, isbn: Option<&str>) -> Result<StockView, QueryError> {
    harness.query(StockByBook { isbn: isbn.map(str::to_owned) })
}

/// Three orders to three states: one still under way, one delivered, one ended twice over
/// (both `box-order` with `ended: true` and `order-ended`, as orders publishes them).
fn three_orders() -> Harness {
    let harness = ContextHarness::new(ReportingContext);
    // Ada's box to Illinois: placed, then cancelled and refunded (the box-order says so; no order-ended yet).
    deliver(&harness, &box_order(&harness.ids, BOX_ORDER_PLACED));
    // The gift to Texas: shipped, then delivered, told twice.
    deliver(&harness, &box_order(&harness.ids, BOX_ORDER_SHIPPED));
    let delivered = with(BOX_ORDER_SHIPPED, json!({ "status": "delivered", "ended": true }));
    deliver(&harness, &box_order(&harness.ids, &delivered));
    deliver(&harness, &order_ended(&harness.ids, ORDER_DELIVERED));
    // California: only its end was heard.
    deliver(&harness, &order_ended(&harness.ids, ORDER_REFUNDED));
    harness
}

#[test]
fn orders_and_revenue_by_state_count_each_order_once_and_its_revenue_when_it_ends() {
    let harness = three_orders();
    let view = sales(&harness, None);
    let row = |state: &str| view.states.iter().find(|r| r.state == state).unwrap().sales;
    // Texas: one order, ended delivered, told by two messages, counted once.
    assert_eq!((row("TX").orders, row("TX").ended, row("TX").revenue), (1, 1, MoneyView::usd(1499)));
    // Illinois: placed, not ended: an order without revenue yet.
    assert_eq!((row("IL").orders, row("IL").open, row("IL").revenue), (1, 1, MoneyView::usd(0)));
    // California: refunded in full: ended, no revenue.
    assert_eq!((row("CA").ended, row("CA").captured, row("CA").revenue), (1, MoneyView::usd(2999), MoneyView::usd(0)));
    insta::assert_json_snapshot!(view);

    // Illinois ends: cancelled, refunded; then its order-ended arrives too.
    deliver(&harness, &box_order(&harness.ids, BOX_ORDER_CANCELLED));
    let cancelled = order_end(ADA_ORDER, ADA, "2026-03", "IL", "cancelled", 2999, 2999);
    deliver(&harness, &order_ended(&harness.ids, &cancelled));
    let illinois = sales(&harness, Some("IL"));
    assert_eq!(illinois.states.len(), 1);
    assert_eq!((illinois.total.orders, illinois.total.ended, illinois.total.refunded), (1, 1, MoneyView::usd(2999)));
    // A state with no order yet is a row of zeros.
    assert_eq!(sales(&harness, Some("NY")).total.orders, 0);
}

#[test]
fn orders_by_end_state_are_counted_under_the_month_of_their_box() {
    let harness = three_orders();
    let failed = with(support::ORDER_FAILED, json!({ "order_id": "11111111-2222-4333-8444-555555555555" }));
    deliver(&harness, &order_ended(&harness.ids, &failed));
    let every_month = harness.query(OrdersByEndState { month: None }).expect("every month is a question");
    insta::assert_json_snapshot!(every_month);
    let june = harness.query(OrdersByEndState { month: Some("2026-06".into()) }).expect("2026-06 is a month");
    assert_eq!((june.months.len(), june.total.total), (1, 0));
}

#[test]
fn lifetime_value_is_what_the_payer_paid_less_refunds_for_own_boxes_and_gifts() {
    let harness = ContextHarness::new(ReportingContext);
    // Ada pays for her own box and for her gift; her own box is refunded.
    deliver(&harness, &payment_captured(&harness.ids, &capture(ADA_ORDER, ADA, 2999)));
    deliver(&harness, &payment_captured(&harness.ids, &capture(GIFT_ORDER, ADA, 1499)));
    deliver(&harness, &payment_refunded(&harness.ids, &refund(ADA_ORDER, 2999, 2999)));
    // Grace: billing's own examples, captured then refunded in full.
    deliver(&harness, &payment_captured(&harness.ids, PAYMENT_CAPTURED));
    deliver(&harness, &payment_refunded(&harness.ids, PAYMENT_REFUNDED));

    let ada = value(&harness, ADA);
    assert_eq!((ada.orders, ada.captured, ada.refunded), (2, MoneyView::usd(4498), MoneyView::usd(2999)));
    assert_eq!(ada.lifetime_value, MoneyView::usd(1499));
    assert_eq!(value(&harness, GRACE).lifetime_value, MoneyView::usd(0));
    // The giftee paid nothing: a lifetime value of zero, not an error.
    assert_eq!((value(&harness, GIFTEE).orders, value(&harness, GIFTEE).lifetime_value), (0, MoneyView::usd(0)));
    insta::assert_json_snapshot!(over(&harness, 0, None));
}

#[test]
fn customers_with_a_lifetime_value_of_over_800_dollars() {
    let harness = ContextHarness::new(ReportingContext);
    // Grace: 27 boxes at $29.99 ($809.73); Ada: 26 ($779.74).
    for (payer, boxes) in [(GRACE, 27u8), (ADA, 26)] {
        for n in 0..boxes {
            let order = format!("{}-0000-4000-8000-0000000000{n:02}", &payer[..8]);
            deliver(&harness, &payment_captured(&harness.ids, &capture(&order, payer, 2999)));
        }
    }
    let over_800 = over(&harness, 80_000, None);
    assert_eq!((over_800.matching, over_800.customers.len()), (1, 1));
    assert_eq!(over_800.customers[0].customer_id, GRACE);
    assert_eq!(over_800.customers[0].lifetime_value, MoneyView::usd(80_973));
    // Both are over $700, highest first; a limit lists fewer but still counts all.
    let over_700 = over(&harness, 70_000, Some(1));
    assert_eq!((over_700.matching, over_700.customers[0].customer_id.as_str()), (2, GRACE));
    // Ada's refund of one box takes her further from it; "over" is strict.
    let first = format!("{}-0000-4000-8000-000000000000", &ADA[..8]);
    deliver(&harness, &payment_refunded(&harness.ids, &refund(&first, 2999, 2999)));
    assert_eq!(over(&harness, 74_975, None).matching, 1);
    assert_eq!(over(&harness, 74_974, None).matching, 2);
}

#[test]
fn a_refund_that_overtakes_its_capture_counts_once_the_payer_is_known() {
    let harness = ContextHarness::new(ReportingContext);
    deliver(&harness, &payment_refunded(&harness.ids, &refund(GRACE_ORDER, 1000, 1000)));
    assert_eq!(over(&harness, 0, None).matching, 0, "no payer known yet");
    deliver(&harness, &payment_captured(&harness.ids, PAYMENT_CAPTURED));
    let grace = value(&harness, GRACE);
    assert_eq!((grace.orders, grace.lifetime_value), (1, MoneyView::usd(2499)));
    // The second refund, then the first again under a new id: only the total counts.
    deliver(&harness, &payment_refunded(&harness.ids, PAYMENT_REFUNDED));
    deliver(&harness, &payment_refunded(&harness.ids, &refund(GRACE_ORDER, 1000, 1000)));
    assert_eq!(value(&harness, GRACE).lifetime_value, MoneyView::usd(0));
}

#[test]
fn stock_by_book_is_inventorys_latest_word_per_warehouse() {
    let harness = ContextHarness::new(ReportingContext);
    deliver(&harness, &book_availability(&harness.ids, BOOK_IN_STOCK));
    deliver(&harness, &book_availability(&harness.ids, BOOK_WITHDRAWN));
    // An older state arriving late is ignored; a newer one, with a new warehouse, is taken.
    deliver(&harness, &book_availability(&harness.ids, &stock(HOUND, &[("dallas", 9), ("chicago", 9)], false, 5)));
    insta::assert_json_snapshot!(stock_of(&harness, None).unwrap());
    deliver(
        &harness,
        &book_availability(&harness.ids, &stock(HOUND, &[("dallas", 4), ("chicago", 2), ("reno", 1)], false, 7)),
    );
    let hound = stock_of(&harness, Some(HOUND)).unwrap();
    assert_eq!(hound.books.len(), 1);
    assert_eq!((hound.books[0].available, hound.books[0].version), (7, 7));
    assert_eq!(hound.books[0].by_warehouse.get("reno"), Some(&1));
    let pride = stock_of(&harness, Some(PRIDE)).unwrap();
    assert_eq!(
        (pride.books[0].unavailable, pride.books[0].available, pride.books[0].by_warehouse["dallas"]),
        (true, 0, 3)
    );
    assert_eq!(
        stock_of(&harness, Some("9780000000002")),
        Err(QueryError::NotFound("inventory has not reported the stock of book 9780000000002".into()))
    );
}

#[test]
fn a_state_transferred_again_under_a_new_id_counts_nothing_more() {
    let harness = three_orders();
    let before = sales(&harness, None);
    let events = harness.store_events();
    for data in [BOX_ORDER_PLACED, BOX_ORDER_SHIPPED] {
        // Processed (a new id), yet nothing new to record.
        deliver(&harness, &box_order(&harness.ids, data));
    }
    deliver(&harness, &order_ended(&harness.ids, ORDER_DELIVERED));
    assert_eq!(sales(&harness, None), before);
    assert_eq!(harness.store_events(), events, "nothing recorded");
    // The very same message again is stopped earlier, by the inbox.
    let again = order_ended(&harness.ids, ORDER_REFUNDED);
    deliver(&harness, &again);
    assert_eq!(harness.deliver(&again).unwrap(), Delivery::Duplicate);
}

#[test]
fn a_message_without_what_reporting_uses_is_refused_naming_it_and_records_nothing() {
    let harness = ContextHarness::new(ReportingContext);
    let texas = with(BOX_ORDER_PLACED, json!({ "shipping_state": "Texas" }));
    assert_eq!(
        harness.deliver(&box_order(&harness.ids, &texas)),
        Err(MessageError::Decode(
            "box-order: shipping_state: `Texas` is not a US state code (two capital letters, e.g. TX)".into()
        ))
    );
    let no_total =
        r#"{"order_id":"6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b","amount":{"amount_cents":1,"currency":"USD"}}"#;
    assert!(matches!(
        harness.deliver(&payment_refunded(&harness.ids, no_total)),
        Err(MessageError::Decode(why)) if why.contains("missing field `refunded_total`")
    ));
    assert_eq!(harness.store_events(), 0);
    assert_eq!(sales(&harness, None).states, vec![]);
}

#[test]
fn bad_questions_are_refused_naming_the_field() {
    let harness = ContextHarness::new(ReportingContext);
    // Generic, since each question is its own type: any of reporting's queries.
    fn refused<Q: ReadModelQuery>(harness: &Harness, query: Q) -> String
    where
        ReportingContext: Answers<Q>,
    {
        match harness.query(query) {
            Err(QueryError::Invalid(why)) => why,
            Err(other) => panic!("refused, but not as invalid: {other:?}"),
            Ok(answer) => panic!("answered: {answer:?}"),
        }
    }
    assert_eq!(
        refused(&harness, SalesByState { state: Some("tx".into()) }),
        "state: `tx` is not a US state code (two capital letters, e.g. TX)"
    );
    assert_eq!(
        refused(&harness, CustomerLifetimeValue { customer_id: "ada".into() }),
        "customer_id: `ada` is not a valid CustomerId (expected a UUID)"
    );
    assert_eq!(
        refused(&harness, StockByBook { isbn: Some("978-0-306-40615-7".into()) }),
        "isbn: `978-0-306-40615-7` is not an ISBN-13 (13 digits, starting 978 or 979, no separators)"
    );
    assert_eq!(
        refused(&harness, OrdersByEndState { month: Some("2026-13".into()) }),
        "month: `2026-13` has no month 13; months are 01 to 12"
    );
    assert_eq!(
        refused(&harness, CustomersOver { amount_cents: 0, limit: Some(5_000) }),
        "limit: 5000 is over the most one answer lists, 1000"
    );
}

#[test]
fn queries_read_as_json_as_the_http_api_will_send_them() {
    // Each query is its own type now; a sender naming which one it asks tags it, as here.
    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(tag = "query", rename_all = "kebab-case")]
    enum Question {
        CustomersOver(CustomersOver),
        SalesByState(SalesByState),
    }
    let query: Question = serde_json::from_str(r#"{"query":"customers-over","amount_cents":80000}"#).unwrap();
    assert_eq!(query, Question::CustomersOver(CustomersOver { amount_cents: 80_000, limit: None }));
    let query: Question = serde_json::from_str(r#"{"query":"sales-by-state"}"#).unwrap();
    assert_eq!(query, Question::SalesByState(SalesByState { state: None }));
}

#[test]
fn reporting_publishes_nothing() {
    let mut harness = three_orders();
    deliver(&harness, &payment_captured(&harness.ids, PAYMENT_CAPTURED));
    deliver(&harness, &book_availability(&harness.ids, BOOK_IN_STOCK));
    assert!(harness.take_published().is_empty());
}

/// How many events reporting's store holds.
trait StoreEvents {
    fn store_events(&self) -> u64;
}

impl StoreEvents for Harness {
    fn store_events(&self) -> u64 {
        use kernel::EventStore;
        self.store.last_position().unwrap().get()
    }
}

#[test]
fn an_order_state_built_by_hand_matches_orders_example() {
    // The support's builder writes what orders' own example says, field for field.
    let built: serde_json::Value =
        serde_json::from_str(&order_state(ADA_ORDER, ADA, "2026-03", "IL", "placed", 0, 0)).unwrap();
    let example: serde_json::Value = serde_json::from_str(BOX_ORDER_PLACED).unwrap();
    assert_eq!(built, example);
}
