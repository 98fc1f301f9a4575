//! The messages reporting consumes, as reporting reads them: tolerant readers written from the
//! published language (`docs/published-language.md`), never from a producer's crate. Each
//! requires only the fields reporting uses and ignores every other, so producers can add
//! fields freely; each translates a message into one domain [`Fact`].
//!
//! | message | kind | what reporting takes |
//! |---|---|---|
//! | `bookbox.orders.box-order.v1` | state transfer | order id, month, state; status, captured and refunded only once `ended` |
//! | `bookbox.orders.order-ended.v1` | domain event | order id, month, state, end state, captured, refunded |
//! | `bookbox.billing.payment-captured.v1` | domain event | order id, payer id, amount |
//! | `bookbox.billing.payment-refunded.v1` | domain event | order id, refunded total |
//! | `bookbox.inventory.book-availability.v1` | state transfer | ISBN, title, available, per warehouse, unavailable, version |
//!
//! Each model is a [`ConsumerModel`] that reads as a [`Fact`]; reporting's inbox (one entry per
//! message, in the application) names them, and a rebuild ([`super::ReadModels`]) reads through
//! those same entries. A message that lacks what reporting uses, or carries it malformed, is
//! refused as a decode error naming the message and the field: the runtime dead-letters it, and
//! a rebuild skips it the same way, so neither counts it.

use std::collections::BTreeMap;

use kernel::inbox::ConsumerModel;
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::end_state::EndState;
use crate::domain::facts::{Fact, OrderEnd, OrderSighting, StockLevel};
use crate::domain::ids::{CustomerId, OrderId};
use crate::domain::isbn::Isbn;
use crate::domain::money::Cents;
use crate::domain::month::Month;
use crate::domain::title::Title;
use crate::domain::us_state::UsState;
use crate::domain::warehouse::Warehouse;

/// `bookbox.orders.box-order.v1`, as reporting reads it. What an order ends with is required
/// only of an order that ended.
#[derive(Debug, Deserialize)]
pub(crate) struct BoxOrderV1 {
    order_id: Uuid,
    month: String,
    shipping_state: String,
    ended: bool,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    captured: Option<MoneyV1>,
    #[serde(default)]
    refunded: Option<MoneyV1>,
}

/// `bookbox.orders.order-ended.v1`, as reporting reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct OrderEndedV1 {
    order_id: Uuid,
    month: String,
    shipping_state: String,
    end_state: String,
    captured: MoneyV1,
    refunded: MoneyV1,
}

/// `bookbox.billing.payment-captured.v1`, as reporting reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct PaymentCapturedV1 {
    order_id: Uuid,
    payer_id: Uuid,
    amount: MoneyV1,
}

/// `bookbox.billing.payment-refunded.v1`, as reporting reads it: the running total, not the
/// amount of this refund, so a repeated or overtaken refund cannot count twice.
#[derive(Debug, Deserialize)]
pub(crate) struct PaymentRefundedV1 {
    order_id: Uuid,
    refunded_total: MoneyV1,
}

/// `bookbox.inventory.book-availability.v1`, as reporting reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct BookAvailabilityV1 {
    isbn: String,
    title: String,
    available: u64,
    by_warehouse: BTreeMap<String, u64>,
    unavailable: bool,
    version: u64,
}

#[derive(Debug, Deserialize)]
struct MoneyV1 {
    amount_cents: u64,
    currency: String,
}

impl ConsumerModel for BoxOrderV1 {
    type Read = Fact;

    fn read(self) -> Result<Fact, String> {
        box_order(self)
    }
}

impl ConsumerModel for OrderEndedV1 {
    type Read = Fact;

    fn read(self) -> Result<Fact, String> {
        order_ended(self)
    }
}

impl ConsumerModel for PaymentCapturedV1 {
    type Read = Fact;

    fn read(self) -> Result<Fact, String> {
        payment_captured(self)
    }
}

impl ConsumerModel for PaymentRefundedV1 {
    type Read = Fact;

    fn read(self) -> Result<Fact, String> {
        payment_refunded(self)
    }
}

impl ConsumerModel for BookAvailabilityV1 {
    type Read = Fact;

    fn read(self) -> Result<Fact, String> {
        book_availability(self)
    }
}

fn box_order(order: BoxOrderV1) -> Result<Fact, String> {
    let field = |name: &str| format!("box-order: {name}");
    let sighting =
        sighting(order.order_id, &order.month, &order.shipping_state).map_err(|e| format!("box-order: {e}"))?;
    if !order.ended {
        return Ok(Fact::Order { sighting, end: None });
    }
    let status = order.status.ok_or_else(|| format!("{} is required once the order ended", field("status")))?;
    let end_state = EndState::parse(&status)
        .map_err(|_| format!("{}: `{status}` is not an end state, yet the order ended", field("status")))?;
    let captured = order.captured.ok_or_else(|| format!("{} is required once the order ended", field("captured")))?;
    let refunded = order.refunded.ok_or_else(|| format!("{} is required once the order ended", field("refunded")))?;
    let end = end(end_state, &captured, &refunded).map_err(|e| format!("box-order: {e}"))?;
    Ok(Fact::Order { sighting, end: Some(end) })
}

fn order_ended(order: OrderEndedV1) -> Result<Fact, String> {
    let read = || {
        let sighting = sighting(order.order_id, &order.month, &order.shipping_state)?;
        let end_state = EndState::parse(&order.end_state).map_err(|e| format!("end_state: {e}"))?;
        let end = end(end_state, &order.captured, &order.refunded)?;
        Ok(Fact::Order { sighting, end: Some(end) })
    };
    read().map_err(|e: String| format!("order-ended: {e}"))
}

fn payment_captured(payment: PaymentCapturedV1) -> Result<Fact, String> {
    let amount = money("amount", &payment.amount).map_err(|e| format!("payment-captured: {e}"))?;
    Ok(Fact::PaymentCaptured {
        order_id: OrderId::from_uuid(payment.order_id),
        payer_id: CustomerId::from_uuid(payment.payer_id),
        amount,
    })
}

fn payment_refunded(refund: PaymentRefundedV1) -> Result<Fact, String> {
    let refunded_total =
        money("refunded_total", &refund.refunded_total).map_err(|e| format!("payment-refunded: {e}"))?;
    Ok(Fact::PaymentRefunded { order_id: OrderId::from_uuid(refund.order_id), refunded_total })
}

fn book_availability(book: BookAvailabilityV1) -> Result<Fact, String> {
    let read = || {
        let isbn = Isbn::parse(&book.isbn).map_err(|e| format!("isbn: {e}"))?;
        let title = Title::parse(&book.title).map_err(|e| format!("title {e}"))?;
        let by_warehouse = book
            .by_warehouse
            .iter()
            .map(|(name, copies)| Ok((Warehouse::parse(name).map_err(|e| format!("by_warehouse: {e}"))?, *copies)))
            .collect::<Result<_, String>>()?;
        let level = StockLevel { title, available: book.available, by_warehouse, unavailable: book.unavailable };
        Ok(Fact::StockPublished { isbn, level, version: book.version })
    };
    read().map_err(|e: String| format!("book-availability: {e}"))
}

fn sighting(order_id: Uuid, month: &str, shipping_state: &str) -> Result<OrderSighting, String> {
    Ok(OrderSighting {
        order_id: OrderId::from_uuid(order_id),
        month: Month::parse(month).map_err(|e| format!("month: {e}"))?,
        shipping_state: UsState::parse(shipping_state).map_err(|e| format!("shipping_state: {e}"))?,
    })
}

fn end(end_state: EndState, captured: &MoneyV1, refunded: &MoneyV1) -> Result<OrderEnd, String> {
    let captured = money("captured", captured)?;
    let refunded = money("refunded", refunded)?;
    OrderEnd::new(end_state, captured, refunded).map_err(|e| format!("refunded: {e}"))
}

fn money(field: &str, money: &MoneyV1) -> Result<Cents, String> {
    Cents::usd(money.amount_cents, &money.currency).map_err(|e| format!("{field}.currency: {e}"))
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use super::*;

    fn raw(json: &str) -> Box<RawValue> {
        RawValue::from_string(json.to_owned()).unwrap()
    }

    fn read(handler: &str, json: &str) -> Result<Fact, String> {
        crate::read_fact(handler, &raw(json)).map_err(|e| e.to_string())
    }

    const ON_BOX_ORDER: &str = "reporting.on-box-order";
    const ON_ORDER_ENDED: &str = "reporting.on-order-ended";
    const ON_PAYMENT_CAPTURED: &str = "reporting.on-payment-captured";
    const ON_BOOK_AVAILABILITY: &str = "reporting.on-book-availability";

    const ORDER: &str = "5b8e2f1a-9c3d-4e7f-a1b2-c3d4e5f60718";

    #[test]
    fn an_open_order_needs_only_where_it_goes_and_unknown_fields_are_ignored() {
        let json = format!(
            r#"{{"order_id":"{ORDER}","month":"2026-03","shipping_state":"IL","ended":false,
                 "status":"teleporting","gift_wrap":true,"books":[{{"isbn":"x"}}]}}"#
        );
        let Ok(Fact::Order { sighting, end: None }) = read(ON_BOX_ORDER, &json) else { panic!("{json}") };
        assert_eq!((sighting.month.to_string(), sighting.shipping_state.as_str()), ("2026-03".into(), "IL"));
    }

    #[test]
    fn an_ended_order_must_say_how_and_with_what_money() {
        let ended = |rest: &str| {
            format!(r#"{{"order_id":"{ORDER}","month":"2026-03","shipping_state":"IL","ended":true{rest}}}"#)
        };
        let money =
            r#","captured":{"amount_cents":2999,"currency":"USD"},"refunded":{"amount_cents":0,"currency":"USD"}"#;
        assert!(matches!(
            read(ON_BOX_ORDER, &ended(&format!(r#","status":"delivered"{money}"#))),
            Ok(Fact::Order { end: Some(_), .. })
        ));
        assert_eq!(
            read(ON_BOX_ORDER, &ended(money)),
            Err("message does not decode: box-order: status is required once the order ended".into())
        );
        assert_eq!(
            read(ON_BOX_ORDER, &ended(&format!(r#","status":"shipped"{money}"#))),
            Err("message does not decode: box-order: status: `shipped` is not an end state, yet the order ended".into())
        );
        assert_eq!(
            read(ON_BOX_ORDER, &ended(r#","status":"failed""#)),
            Err("message does not decode: box-order: captured is required once the order ended".into())
        );
    }

    #[test]
    fn what_reporting_uses_must_be_there_and_well_formed() {
        let no_state = format!(r#"{{"order_id":"{ORDER}","month":"2026-03","ended":false}}"#);
        assert!(read(ON_BOX_ORDER, &no_state).unwrap_err().contains("missing field `shipping_state`"));
        let texas = format!(r#"{{"order_id":"{ORDER}","month":"2026-03","shipping_state":"Texas","ended":false}}"#);
        assert_eq!(
            read(ON_BOX_ORDER, &texas),
            Err("message does not decode: box-order: shipping_state: `Texas` is not a US state code (two capital letters, e.g. TX)".into())
        );
        let euros = format!(
            r#"{{"order_id":"{ORDER}","payment_id":"{ORDER}","payer_id":"{ORDER}","amount":{{"amount_cents":1,"currency":"EUR"}},"attempt":1}}"#
        );
        assert_eq!(
            read(ON_PAYMENT_CAPTURED, &euros),
            Err("message does not decode: payment-captured: amount.currency: currency `EUR` is not USD, the only currency reporting adds up".into())
        );
        let overrefunded = format!(
            r#"{{"order_id":"{ORDER}","month":"2026-03","shipping_state":"IL","end_state":"refunded",
                 "captured":{{"amount_cents":1,"currency":"USD"}},"refunded":{{"amount_cents":2,"currency":"USD"}}}}"#
        );
        assert_eq!(
            read(ON_ORDER_ENDED, &overrefunded),
            Err("message does not decode: order-ended: refunded: refunded (2 USD cents) is more than captured (1 USD cents)".into())
        );
        let bad_warehouse = r#"{"isbn":"9780306406157","title":"Dune","available":1,"by_warehouse":{"Dallas":1},"unavailable":false,"version":1}"#;
        assert!(read(ON_BOOK_AVAILABILITY, bad_warehouse)
            .unwrap_err()
            .starts_with("message does not decode: book-availability: by_warehouse: `Dallas`"));
        assert_eq!(read("reporting.on-nothing", "{}"), Err("no handler `reporting.on-nothing` in this context".into()));
    }

    #[test]
    fn a_new_warehouse_is_reported_as_it_comes() {
        let json = r#"{"isbn":"9780306406157","title":"Dune","genres":["science-fiction"],"available":3,
                       "by_warehouse":{"dallas":1,"chicago":0,"reno":2},"unavailable":false,"version":9}"#;
        let Ok(Fact::StockPublished { level, version: 9, .. }) = read(ON_BOOK_AVAILABILITY, json) else { panic!() };
        assert_eq!(level.by_warehouse.keys().map(|w| w.as_str()).collect::<Vec<_>>(), ["chicago", "dallas", "reno"]);
    }
}
