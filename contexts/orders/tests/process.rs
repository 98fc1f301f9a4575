//! The process manager through the whole context: messages in (built as the other contexts
//! would publish them), commands and messages out, deadlines fired by moving the clock, and
//! the queries an operator would ask. Each test opens with the story it tells.

mod support;

use kernel::context::HandleError;
use kernel::testing::Delivery;
use orders::ports::queries::{Order, OrdersOfCustomer};
use orders::ports::{
    BoxOrderError, CancelOrder, CancelRefusal, CombinationError, CombineOrders, CombinedOrders, CustomerId, OrderId,
    OrdersError, ReasonError, Status, Step, Warehouse,
};
use serde_json::{json, Value};

use support::*;

fn id(view: &orders::ports::OrderView) -> OrderId {
    view.order_id
}

/// The commands orders sent, with the recipient and subject, in order.
fn commands(sent: &[Sent]) -> Vec<(String, String)> {
    sent.iter().filter(|s| s.recipient.is_some()).map(|s| (s.name().to_owned(), s.subject.clone())).collect()
}

fn published<'a>(sent: &'a [Sent], name: &str) -> Vec<&'a Sent> {
    sent.iter().filter(|s| s.recipient.is_none() && s.name() == name).collect()
}

#[test]
fn a_curated_box_goes_from_reservation_to_delivery() {
    // A box for Illinois is curated; inventory reserves it in Chicago, billing captures the
    // price, shipping dispatches and delivers it. Each answer prompts the next request.
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    let sent = shop.take();
    let o = order.to_string();
    assert_eq!(commands(&sent), [("reserve-stock".to_owned(), o.clone())]);
    assert_eq!(sent[0].recipient.as_deref(), Some("inventory"));
    assert_eq!(sent[0].data["warehouse"], "chicago");
    assert_eq!(sent[0].data["lines"].as_array().map(Vec::len), Some(2));
    assert_eq!(published(&sent, "box-order")[0].data["status"], "placed");

    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("charge-payment".to_owned(), o.clone())]);
    assert_eq!(sent[0].data["amount"], money(2999));
    assert_eq!(sent[0].data["payer_id"], json!(uuid(0xc000_0001)));

    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("request-shipment".to_owned(), o.clone())], "a lone box ships under its order's id");
    let request = &sent[0].data;
    assert_eq!(request["order_ids"], json!([order]));
    assert_eq!((request["warehouse"].as_str(), request["insured_value"].clone()), (Some("chicago"), money(2999)));
    assert_eq!(request["address"]["state"], "IL");

    shop.shipping("shipment-dispatched", &o, dispatched(&o, &[order]));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("ship-reservation".to_owned(), o.clone())]);
    assert_eq!(published(&sent, "box-order")[0].data["status"], "shipped");

    shop.shipping("shipment-delivered", &o, shipment_news(&o, &[order]));
    let sent = shop.take();
    let ended = published(&sent, "order-ended");
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].data["end_state"], "delivered");
    assert_eq!(ended[0].data["captured"], money(2999));
    let view = shop.order(order);
    assert_eq!((view.status, view.ended, view.awaiting), (Status::Delivered, true, None));
    assert_eq!(view.tracking.map(|t| t.carrier), Some("UPS".to_owned()));

    // Inventory confirms the shipped copies: recorded, nothing to tell anyone.
    shop.inventory("reserved-stock-shipped", order, stock_reserved(order, "chicago"));
    assert!(shop.take().is_empty());
    assert_eq!(shop.order(order).stock.state, "shipped");
    let counts = shop.counts();
    assert_eq!((counts.by_status[&Status::Delivered], counts.total, counts.ended, counts.open), (1, 1, 1, 0));
}

#[test]
fn a_reservation_rejected_by_both_warehouses_fails_the_order_holding_nothing() {
    // Texas starts from Dallas; Dallas is short, so Chicago is asked; Chicago is short too.
    let mut shop = Shop::new();
    let order = id(&shop.curate(curated_box(1, 1, "1 Main St", "TX", "2026-03")));
    assert_eq!(shop.take()[0].data["warehouse"], "dallas");
    shop.inventory("stock-reservation-rejected", order, stock_rejected(order, "dallas"));
    let sent = shop.take();
    assert_eq!(sent[0].data["warehouse"], "chicago");
    shop.inventory("stock-reservation-rejected", order, stock_rejected(order, "chicago"));
    let sent = shop.take();
    assert!(commands(&sent).is_empty(), "nothing is held, so nothing is released: {sent:?}");
    let ended = published(&sent, "order-ended");
    assert_eq!(ended[0].data["end_state"], "failed");
    assert_eq!(
        ended[0].data["reason"],
        "no warehouse could serve the box (dallas: insufficient-stock (9780804429573); chicago: insufficient-stock \
         (9780804429573))"
    );
}

#[test]
fn an_order_nobody_answers_is_asked_again_then_released_and_failed() {
    // Inventory is down: the reservation is asked three times, an hour apart, then released
    // (in case it landed) and the order fails. Only time passes; no answer ever comes.
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    shop.take();
    assert_eq!(shop.order(order).awaiting.map(|a| (a.step, a.attempt)), Some((Step::Reservation, 1)));
    assert!(shop.wait_hours(0).is_empty(), "nothing is due yet");
    let fired = shop.wait_hours(1);
    assert_eq!(fired, [format!("box-order/{order}/reservation/1")]);
    assert_eq!(commands(&shop.take()), [("reserve-stock".to_owned(), order.to_string())]);
    shop.wait_hours(1);
    assert_eq!(shop.take_names(), ["reserve-stock"]);
    shop.wait_hours(1);
    let sent = shop.take();
    assert_eq!(commands(&sent), [("release-reservation".to_owned(), order.to_string())]);
    assert_eq!(
        published(&sent, "order-ended")[0].data["reason"],
        "inventory did not answer 3 reservation request(s) in time"
    );
    assert!(shop.wait_hours(24 * 60).is_empty(), "an ended order waits for nothing");
}

#[test]
fn a_charge_billing_never_answers_fails_the_order_and_a_late_capture_is_refunded() {
    // Billing is down for two weeks: the charge is asked three times, four days apart; the
    // books are released and the order fails. Then billing comes back and captures the
    // charge after all: the order refunds it, and records the refund when it is confirmed.
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.take();
    for _ in 0..2 {
        shop.wait_hours(96);
        assert_eq!(shop.take_names(), ["charge-payment"]);
    }
    shop.wait_hours(96);
    let sent = shop.take();
    assert_eq!(commands(&sent), [("release-reservation".to_owned(), order.to_string())]);
    assert_eq!(published(&sent, "order-ended")[0].data["end_state"], "failed");

    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("refund-payment".to_owned(), order.to_string())]);
    assert_eq!(sent[0].data["amount"], money(2999));
    assert!(published(&sent, "order-ended").is_empty(), "an order ends once");
    shop.billing("payment-refunded", order, payment_refunded(order, 2999, 2999));
    let view = shop.order(order);
    assert_eq!((view.status, view.captured.amount_cents, view.refunded.amount_cents), (Status::Failed, 2999, 2999));
}

#[test]
fn a_failed_payment_releases_the_books() {
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.take();
    shop.billing("payment-failed", order, payment_failed(order));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("release-reservation".to_owned(), order.to_string())]);
    assert_eq!(published(&sent, "order-ended")[0].data["reason"], "the payment failed: card declined");
}

#[test]
fn a_cancellation_during_the_charge_releases_and_refunds_what_billing_captures_after() {
    // The customer cancels while the card is being charged: the books are released at once;
    // the charge goes through anyway, so it is refunded; the order ends cancelled when the
    // refund is confirmed, with its money back.
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.take();
    let cancel = CancelOrder { order_id: order, reason: Some("moving house".into()) };
    let view = shop.harness.execute(cancel).expect("an order being charged may be cancelled");
    assert_eq!((view.status, view.ended), (Status::Cancelled, false));
    assert_eq!(view.awaiting.map(|a| a.step), Some(Step::Payment));
    assert_eq!(commands(&shop.take()), [("release-reservation".to_owned(), order.to_string())]);

    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("refund-payment".to_owned(), order.to_string())]);
    assert_eq!(sent[0].data["reason"], "moving house");
    shop.billing("payment-refunded", order, payment_refunded(order, 2999, 2999));
    let sent = shop.take();
    let ended = &published(&sent, "order-ended")[0].data;
    assert_eq!((ended["end_state"].as_str(), ended["reason"].as_str()), (Some("cancelled"), Some("moving house")));
    assert_eq!((ended["captured"].clone(), ended["refunded"].clone()), (money(2999), money(2999)));
}

#[test]
fn a_cancellation_after_the_shipment_was_requested_is_refused_with_the_reason() {
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    shop.take();
    let cancel = || CancelOrder { order_id: order, reason: None };
    let Err(HandleError::Rejected(refusal)) = shop.harness.execute(cancel()) else { panic!("cancelled a parcel") };
    assert_eq!(
        refusal.to_string(),
        format!(
            "order {order}: the order cannot be cancelled: shipment {order} was requested and the warehouse is \
             preparing it; once it arrives, return it for a refund"
        )
    );
    let o = order.to_string();
    shop.shipping("shipment-dispatched", &o, dispatched(&o, &[order]));
    let Err(HandleError::Rejected(OrdersError::Refused { error, .. })) = shop.harness.execute(cancel()) else {
        panic!("cancelled a parcel in transit")
    };
    assert!(matches!(error, BoxOrderError::CannotCancel(CancelRefusal::Shipped { .. })));
    assert!(error.to_string().contains("tracking number 1Z999AA10123456784"), "{error}");
    assert!(commands(&shop.take()).iter().all(|(name, _)| name == "ship-reservation"));
}

#[test]
fn bad_cancellations_are_refused_naming_the_problem() {
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    let blank = shop.harness.execute(CancelOrder { order_id: order, reason: Some("  ".into()) });
    let Err(HandleError::Rejected(error)) = blank else { panic!("a blank reason was accepted") };
    assert_eq!((error.field(), error.clone()), (Some("reason"), OrdersError::Reason(ReasonError::Empty)));
    let stranger = OrderId::from_uuid(uuid(404));
    let unknown = shop.harness.execute(CancelOrder { order_id: stranger, reason: None });
    assert!(matches!(unknown, Err(HandleError::Rejected(OrdersError::UnknownOrder(o))) if o == stranger));
    assert_eq!(shop.order(order).status, Status::Placed, "a refused command changes nothing");
}

#[test]
fn a_returned_parcel_is_refunded() {
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    let o = order.to_string();
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    shop.shipping("shipment-dispatched", &o, dispatched(&o, &[order]));
    shop.take();
    shop.shipping("shipment-returned", &o, shipment_news(&o, &[order]));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("refund-payment".to_owned(), o.clone())]);
    assert_eq!(shop.order(order).status, Status::Refunded);
    shop.billing("payment-refunded", order, payment_refunded(order, 2999, 2999));
    assert_eq!(published(&shop.take(), "order-ended")[0].data["end_state"], "refunded");
}

#[test]
fn a_damaged_parcel_is_refunded_by_billing_and_asked_for_only_if_that_does_not_come() {
    // Billing refunds damaged shipments on its own. The first order's refund comes; the
    // second's does not, so after two days the order asks for it.
    let mut shop = Shop::new();
    let mut orders = Vec::new();
    for n in 1..=2 {
        let order = id(&shop.curate(illinois_box(n)));
        let o = order.to_string();
        shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
        shop.billing("payment-captured", order, payment_captured(order, n, 2999));
        shop.shipping("shipment-dispatched", &o, dispatched(&o, &[order]));
        shop.shipping("shipment-damaged", &o, damaged(&o, &[order], 2999));
        orders.push(order);
    }
    let sent = shop.take();
    assert!(commands(&sent).iter().all(|(name, _)| name != "refund-payment"), "billing refunds damage itself");
    shop.billing("payment-refunded", orders[0], payment_refunded(orders[0], 2999, 2999));
    assert_eq!(published(&shop.take(), "order-ended")[0].data["end_state"], "refunded");
    shop.wait_hours(48);
    assert_eq!(commands(&shop.take()), [("refund-payment".to_owned(), orders[1].to_string())]);
}

#[test]
fn an_unconfirmed_refund_is_asked_again_under_the_same_refund_id_then_left_to_an_operator() {
    // The parcel comes back; billing is silent about the refund. The order asks again twice,
    // two days apart, the same refund each time (billing refunds a refund id once), then ends
    // saying what an operator must check.
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    let o = order.to_string();
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    shop.shipping("shipment-dispatched", &o, dispatched(&o, &[order]));
    shop.shipping("shipment-returned", &o, shipment_news(&o, &[order]));
    let asked: Vec<Value> = shop.take().into_iter().filter(|s| s.name() == "refund-payment").map(|s| s.data).collect();
    for _ in 0..2 {
        shop.wait_hours(48);
        let again: Vec<Value> =
            shop.take().into_iter().filter(|s| s.name() == "refund-payment").map(|s| s.data).collect();
        assert_eq!(again, asked);
    }
    shop.wait_hours(48);
    let sent = shop.take();
    let ended = &published(&sent, "order-ended")[0].data;
    assert_eq!(ended["end_state"], "refunded");
    assert_eq!(ended["refunded"], money(0));
    assert!(ended["reason"]
        .as_str()
        .unwrap()
        .ends_with("billing did not confirm the refund of 29.99 USD; an operator must check it"));
}

#[test]
fn a_parcel_without_news_for_three_weeks_is_presumed_lost_and_refunded() {
    let mut shop = Shop::new();
    let order = id(&shop.curate(illinois_box(1)));
    let o = order.to_string();
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    shop.billing("payment-captured", order, payment_captured(order, 1, 2999));
    shop.shipping("shipment-dispatched", &o, dispatched(&o, &[order]));
    shop.take();
    shop.wait_hours(21 * 24 - 1);
    assert!(shop.take().is_empty());
    shop.wait_hours(1);
    assert_eq!(shop.take_names(), ["refund-payment", "box-order"]);
    // Shipping's news comes after all: too late to change how the order ends.
    shop.shipping("shipment-delivered", &o, shipment_news(&o, &[order]));
    assert!(shop.take().is_empty());
    assert_eq!(shop.order(order).status, Status::Refunded);
}

/// Two boxes for 12 Elm Street in March, both reserved in Chicago, combined.
fn combined_pair(shop: &mut Shop) -> (OrderId, OrderId, String) {
    let a = id(&shop.curate(curated_box(1, 1, "12 Elm Street", "IL", "2026-03")));
    let b = id(&shop.curate(curated_box(2, 2, "12 ELM street", "IL", "2026-03")));
    for order in [a, b] {
        shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    }
    shop.take();
    let CombinedOrders { shipment_id, orders } = shop
        .harness
        .execute(CombineOrders { first: a, second: b })
        .expect("two boxes reserved in one warehouse, to one address, for one month, combine");
    assert!(orders.iter().all(|o| o.shipment_id == Some(shipment_id)));
    assert_eq!((orders[0].combined_with, orders[1].combined_with), (Some(b), Some(a)));
    (a, b, shipment_id.to_string())
}

#[test]
fn two_combined_orders_share_one_shipment_request() {
    // The first to be charged waits for the other; the second's request carries both.
    let mut shop = Shop::new();
    let (a, b, shipment) = combined_pair(&mut shop);
    assert_eq!(shop.take_names(), ["box-order", "box-order"], "each shows its new shipment id");
    shop.billing("payment-captured", a, payment_captured(a, 1, 2999));
    let sent = shop.take();
    assert!(commands(&sent).is_empty(), "the first waits: {sent:?}");
    assert_eq!(shop.order(a).status, Status::Charged);
    shop.billing("payment-captured", b, payment_captured(b, 2, 2999));
    let sent = shop.take();
    assert_eq!(commands(&sent), [("request-shipment".to_owned(), shipment.clone())]);
    let request = &sent.iter().find(|s| s.name() == "request-shipment").unwrap().data;
    let mut both = [a, b];
    both.sort();
    assert_eq!(request["order_ids"], json!(both));
    assert_eq!((request["books"].as_array().map(Vec::len), request["insured_value"].clone()), (Some(4), money(5998)));
    assert_eq!((shop.order(a).status, shop.order(b).status), (Status::Shipping, Status::Shipping));

    shop.shipping("shipment-dispatched", &shipment, dispatched(&shipment, &both));
    let shipped = commands(&shop.take());
    assert_eq!(
        shipped,
        [("ship-reservation".to_owned(), both[0].to_string()), ("ship-reservation".to_owned(), both[1].to_string())]
    );
    shop.shipping("shipment-delivered", &shipment, shipment_news(&shipment, &both));
    assert_eq!(published(&shop.take(), "order-ended").len(), 2);
}

#[test]
fn an_order_whose_partner_drops_out_ships_alone_under_the_shared_id() {
    let mut shop = Shop::new();
    let (a, b, shipment) = combined_pair(&mut shop);
    shop.billing("payment-captured", a, payment_captured(a, 1, 2999));
    shop.take();
    shop.harness.execute(CancelOrder { order_id: b, reason: None }).unwrap();
    let sent = shop.take();
    let sent_commands = commands(&sent);
    assert!(sent_commands.contains(&("release-reservation".to_owned(), b.to_string())));
    assert!(sent_commands.contains(&("request-shipment".to_owned(), shipment.clone())), "{sent_commands:?}");
    let request = sent.iter().find(|s| s.name() == "request-shipment").unwrap();
    assert_eq!(request.data["order_ids"], json!([a]));
}

#[test]
fn only_orders_that_may_share_a_parcel_are_combined() {
    let mut shop = Shop::new();
    let a = id(&shop.curate(curated_box(1, 1, "12 Elm Street", "IL", "2026-03")));
    let elsewhere = id(&shop.curate(curated_box(2, 2, "9 Oak Street", "IL", "2026-03")));
    let april = id(&shop.curate(curated_box(3, 3, "12 Elm Street", "IL", "2026-04")));
    let unreserved = id(&shop.curate(curated_box(4, 4, "12 Elm Street", "IL", "2026-03")));
    for order in [a, elsewhere, april] {
        shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    }
    let combine = |shop: &Shop, first, second| match shop.harness.execute(CombineOrders { first, second }) {
        Err(HandleError::Rejected(OrdersError::Combination(error))) => error,
        other => panic!("combined {first} and {second}: {other:?}"),
    };
    assert_eq!(combine(&shop, a, elsewhere), CombinationError::DifferentAddresses);
    assert!(matches!(combine(&shop, a, april), CombinationError::DifferentMonths(..)));
    assert_eq!(
        combine(&shop, a, unreserved),
        CombinationError::NotCombinable { order_id: unreserved, status: Status::Placed }
    );
    assert_eq!(combine(&shop, a, a), CombinationError::SameOrder);
    let ghost = OrderId::from_uuid(uuid(404));
    assert_eq!(combine(&shop, a, ghost), CombinationError::UnknownOrder(ghost));
    assert_eq!(
        combine(&shop, a, unreserved).to_string(),
        format!(
            "order {unreserved} is placed: orders can be combined only while they hold their books and their payment \
             is pending (before a shipment is requested)"
        )
    );
}

#[test]
fn one_box_makes_one_order_and_a_redelivered_answer_changes_nothing() {
    let mut shop = Shop::new();
    let first = shop.curate(illinois_box(1));
    let again = shop.curate(illinois_box(1));
    assert_eq!(first.order_id, again.order_id);
    let sent = shop.take();
    assert_eq!(commands(&sent).len(), 1, "one reservation for one box");
    let order = first.order_id;
    let envelope = kernel::testing::incoming(
        &shop.harness.ids,
        "inventory",
        "stock-reserved",
        1,
        kernel::MessageKind::DomainEvent,
        &order.to_string(),
        &stock_reserved(order, "chicago").to_string(),
    );
    assert_eq!(shop.deliver_envelope(&envelope), Delivery::Processed);
    assert_eq!(shop.deliver_envelope(&envelope), Delivery::Duplicate);
    // The same answer under another message id: the order has moved on; it ignores it.
    shop.inventory("stock-reserved", order, stock_reserved(order, "chicago"));
    assert_eq!(shop.take_names(), ["charge-payment", "box-order"]);
}

#[test]
fn answers_about_orders_orders_never_placed_change_nothing() {
    // Inventory also answers reservations made through its own API.
    let mut shop = Shop::new();
    let stranger = OrderId::from_uuid(uuid(404));
    assert_eq!(shop.inventory("stock-reserved", stranger, stock_reserved(stranger, "dallas")), Delivery::Processed);
    assert_eq!(
        shop.shipping("shipment-delivered", "x", shipment_news(&uuid(9).to_string(), &[stranger])),
        Delivery::Processed
    );
    assert!(shop.take().is_empty());
    assert_eq!(shop.counts().total, 0);
}

#[test]
fn malformed_messages_are_refused_naming_the_field() {
    let shop = Shop::new();
    let order = OrderId::from_uuid(uuid(1));
    let deliver = |source: &str, name: &str, data: serde_json::Value| {
        let envelope = kernel::testing::incoming(
            &shop.harness.ids,
            source,
            name,
            1,
            kernel::MessageKind::DomainEvent,
            "subject",
            &data.to_string(),
        );
        match shop.harness.deliver(&envelope) {
            Err(kernel::context::MessageError::Decode(why)) => why,
            other => panic!("{name} was accepted: {other:?}"),
        }
    };
    assert!(deliver("inventory", "stock-reserved", json!({ "order_id": order, "warehouse": "houston" }))
        .starts_with("warehouse: `houston` is not a warehouse"));
    let euros = json!({ "order_id": order, "payment_id": uuid(2), "amount": { "amount_cents": 1, "currency": "EUR" } });
    assert!(deliver("billing", "payment-captured", euros).starts_with("amount: currency `EUR`"));
    let mut bad_state = illinois_box(1);
    bad_state["shipping_address"]["state"] = json!("XX");
    assert!(deliver("curation", "box-curated", bad_state).starts_with("shipping_address.state:"));
    let mut bad_isbn = illinois_box(1);
    bad_isbn["books"][1]["isbn"] = json!("9780804429574");
    assert!(deliver("curation", "box-curated", bad_isbn).starts_with("books[1].isbn:"));
    assert!(deliver("shipping", "shipment-delivered", json!({ "shipment_id": uuid(3), "order_ids": [] }))
        .starts_with("order_ids:"));
    assert!(deliver("billing", "payment-failed", json!({ "reason": "x" })).contains("order_id"));
}

#[test]
fn a_customer_sees_the_orders_they_receive_and_the_ones_they_pay_for() {
    let mut shop = Shop::new();
    let own = shop.curate(illinois_box(1));
    let mut gift = curated_box(2, 2, "1 Main St", "TX", "2026-03");
    gift["payer_id"] = json!(uuid(0xc000_0001));
    let gift = shop.curate(gift);
    let orders_of = |n: u128| {
        let customer_id = CustomerId::from_uuid(uuid(0xc000_0000 + n));
        let orders = shop.harness.query(OrdersOfCustomer { customer_id }).expect("every customer has a list, if empty");
        orders.iter().map(|o| o.order_id).collect::<Vec<_>>()
    };
    assert_eq!(orders_of(1), [own.order_id, gift.order_id], "customer 1 receives one and gives the other");
    assert_eq!(orders_of(2), [gift.order_id]);
    assert_eq!(orders_of(3), []);
    assert_eq!(gift.warehouse, None, "no warehouse holds its books yet");
    assert_eq!(shop.order(gift.order_id).stock.state, "requested");
    let missing = shop.harness.query(Order { order_id: OrderId::from_uuid(uuid(404)) });
    assert!(matches!(missing, Err(kernel::context::QueryError::NotFound(_))));
    let counts = shop.counts();
    assert_eq!((counts.by_status[&Status::Placed], counts.open), (2, 2));
    let _ = Warehouse::Dallas;
}
