//! Messages as orders, billing and inventory publish them, built from their committed examples
//! (copied into `tests/fixtures`) with some fields changed: reporting's tests never depend on a
//! producer's crate.

#![allow(dead_code)] // Each test binary uses its own part of the support.

use kernel::ids::IdSource;
use kernel::message::Envelope;
use kernel::testing::incoming;
use kernel::MessageKind;
use serde_json::{json, Value};

pub const BOX_ORDER_PLACED: &str = include_str!("../fixtures/orders/box-order.v1/placed.json");
pub const BOX_ORDER_SHIPPED: &str = include_str!("../fixtures/orders/box-order.v1/shipped-combined.json");
pub const BOX_ORDER_CANCELLED: &str = include_str!("../fixtures/orders/box-order.v1/cancelled-refunded.json");
pub const ORDER_DELIVERED: &str = include_str!("../fixtures/orders/order-ended.v1/delivered.json");
pub const ORDER_FAILED: &str = include_str!("../fixtures/orders/order-ended.v1/failed.json");
pub const ORDER_REFUNDED: &str = include_str!("../fixtures/orders/order-ended.v1/refunded.json");
pub const PAYMENT_CAPTURED: &str = include_str!("../fixtures/billing/payment-captured.v1/first-try.json");
pub const PAYMENT_REFUNDED: &str = include_str!("../fixtures/billing/payment-refunded.v1/damaged-books.json");
pub const BOOK_IN_STOCK: &str = include_str!("../fixtures/inventory/book-availability.v1/in-stock.json");
pub const BOOK_WITHDRAWN: &str = include_str!("../fixtures/inventory/book-availability.v1/withdrawn.json");

/// `fixture` with the top-level fields of `changes` replaced (or added).
pub fn with(fixture: &str, changes: Value) -> String {
    let mut value: Value = serde_json::from_str(fixture).expect("fixtures are JSON");
    for (key, field) in changes.as_object().expect("changes are an object") {
        value[key] = field.clone();
    }
    value.to_string()
}

/// Money as the published language writes it.
pub fn usd(cents: u64) -> Value {
    json!({ "amount_cents": cents, "currency": "USD" })
}

fn subject(data: &str, field: &str) -> String {
    let value: Value = serde_json::from_str(data).expect("message data is JSON");
    value[field].as_str().expect("the subject field is a string").to_owned()
}

pub fn box_order(ids: &dyn IdSource, data: &str) -> Envelope {
    incoming(ids, "orders", "box-order", 1, MessageKind::StateTransfer, &subject(data, "order_id"), data)
}

pub fn order_ended(ids: &dyn IdSource, data: &str) -> Envelope {
    incoming(ids, "orders", "order-ended", 1, MessageKind::DomainEvent, &subject(data, "order_id"), data)
}

pub fn payment_captured(ids: &dyn IdSource, data: &str) -> Envelope {
    incoming(ids, "billing", "payment-captured", 1, MessageKind::DomainEvent, &subject(data, "order_id"), data)
}

pub fn payment_refunded(ids: &dyn IdSource, data: &str) -> Envelope {
    incoming(ids, "billing", "payment-refunded", 1, MessageKind::DomainEvent, &subject(data, "order_id"), data)
}

pub fn book_availability(ids: &dyn IdSource, data: &str) -> Envelope {
    incoming(ids, "inventory", "book-availability", 1, MessageKind::StateTransfer, &subject(data, "isbn"), data)
}

/// A capture of `cents` from `payer` for `order`, shaped like billing's example.
pub fn capture(order: &str, payer: &str, cents: u64) -> String {
    with(PAYMENT_CAPTURED, json!({ "order_id": order, "payer_id": payer, "amount": usd(cents) }))
}

/// A refund of `cents` for `order`, bringing its refunds to `total`, shaped like billing's example.
pub fn refund(order: &str, cents: u64, total: u64) -> String {
    with(PAYMENT_REFUNDED, json!({ "order_id": order, "amount": usd(cents), "refunded_total": usd(total) }))
}

/// A box order's state, shaped like orders' example.
pub fn order_state(
    order: &str,
    payer: &str,
    month: &str,
    state: &str,
    status: &str,
    captured: u64,
    refunded: u64,
) -> String {
    let ended = matches!(status, "delivered" | "cancelled" | "failed" | "refunded");
    with(
        BOX_ORDER_PLACED,
        json!({
            "order_id": order, "customer_id": payer, "payer_id": payer, "month": month, "shipping_state": state,
            "status": status, "ended": ended, "captured": usd(captured), "refunded": usd(refunded),
        }),
    )
}

/// An order's end, shaped like orders' example.
pub fn order_end(
    order: &str,
    customer: &str,
    month: &str,
    state: &str,
    end_state: &str,
    captured: u64,
    refunded: u64,
) -> String {
    with(
        ORDER_DELIVERED,
        json!({
            "order_id": order, "customer_id": customer, "month": month, "shipping_state": state,
            "end_state": end_state, "captured": usd(captured), "refunded": usd(refunded),
        }),
    )
}

/// A book's stock, shaped like inventory's example.
pub fn stock(isbn: &str, by_warehouse: &[(&str, u64)], unavailable: bool, version: u64) -> String {
    let free: u64 = by_warehouse.iter().map(|(_, n)| n).sum();
    let by_warehouse: serde_json::Map<String, Value> =
        by_warehouse.iter().map(|(w, n)| (w.to_string(), json!(n))).collect();
    with(
        BOOK_IN_STOCK,
        json!({
            "isbn": isbn, "available": if unavailable { 0 } else { free }, "by_warehouse": by_warehouse,
            "unavailable": unavailable, "version": version,
        }),
    )
}
