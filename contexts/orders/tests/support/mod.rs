//! Helpers shared by this crate's integration tests: a driver around the context harness that
//! speaks for the other contexts (their messages built from JSON shaped like the published
//! language, never from their crates), fixtures, and a small JSON-schema checker.

#![allow(dead_code)]

use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::{Envelope, MessageKind, Timestamp};
use orders::application::Orders;
use orders::ports::queries::{Order, OrderForBox, StatusCounts};
use orders::ports::{BoxId, OrderId, OrderView, StatusCountsView};
use serde_json::{json, Value};
use uuid::Uuid;

pub const HOUR_MICROS: i64 = 3_600_000_000;

/// The orders context, and the messages it has sent so far.
pub struct Shop {
    pub harness: ContextHarness<Orders>,
    /// Everything taken from the outbox since the last [`Shop::take`].
    pending: Vec<Envelope>,
}

/// A message from orders' outbox, read back as JSON.
#[derive(Debug, Clone)]
pub struct Sent {
    pub message_type: String,
    pub kind: MessageKind,
    pub subject: String,
    pub recipient: Option<String>,
    pub data: Value,
    /// The whole envelope, as JSON.
    pub envelope: Value,
}

impl Sent {
    fn of(envelope: &Envelope) -> Self {
        let data = envelope.data.as_ref().map_or(Value::Null, |d| serde_json::from_str(d.get()).expect("JSON data"));
        Sent {
            message_type: envelope.message_type.clone(),
            kind: envelope.kind,
            subject: envelope.subject.clone().unwrap_or_default(),
            recipient: envelope.recipient.clone(),
            data,
            envelope: serde_json::to_value(envelope).expect("an envelope serializes"),
        }
    }

    /// The message's short name: `reserve-stock`, `box-order`…
    pub fn name(&self) -> &str {
        let mut parts = self.message_type.split('.');
        parts.nth(2).unwrap_or_default()
    }
}

impl Default for Shop {
    fn default() -> Self {
        Self::new()
    }
}

impl Shop {
    pub fn new() -> Self {
        let harness = ContextHarness::new(Orders);
        harness.clock.set(start());
        Shop { harness, pending: Vec::new() }
    }

    /// Delivers a message as `source` would have published it.
    pub fn deliver(&mut self, source: &str, name: &str, subject: &str, data: Value) -> Delivery {
        let envelope =
            incoming(&self.harness.ids, source, name, 1, MessageKind::DomainEvent, subject, &data.to_string());
        self.deliver_envelope(&envelope)
    }

    pub fn deliver_envelope(&mut self, envelope: &Envelope) -> Delivery {
        let delivery =
            self.harness.deliver(envelope).unwrap_or_else(|e| panic!("{} failed: {e}", envelope.message_type));
        self.collect();
        delivery
    }

    /// Curation publishes a box; returns the order it became.
    pub fn curate(&mut self, curated: Value) -> OrderView {
        let box_id: Uuid = curated["box_id"].as_str().unwrap().parse().unwrap();
        let subject = curated["subscription_id"].as_str().unwrap().to_owned();
        self.deliver("curation", "box-curated", &subject, curated);
        self.order_for_box(BoxId::from_uuid(box_id))
    }

    pub fn inventory(&mut self, name: &str, order: OrderId, data: Value) -> Delivery {
        self.deliver("inventory", name, &order.to_string(), data)
    }

    pub fn billing(&mut self, name: &str, order: OrderId, data: Value) -> Delivery {
        self.deliver("billing", name, &order.to_string(), data)
    }

    pub fn shipping(&mut self, name: &str, shipment: &str, data: Value) -> Delivery {
        self.deliver("shipping", name, shipment, data)
    }

    /// Moves the clock `hours` on, firing every deadline due; returns the keys fired.
    pub fn wait_hours(&mut self, hours: i64) -> Vec<String> {
        let now = self.now().plus_micros(hours * HOUR_MICROS);
        let fired = self.harness.advance_to(now).expect("deadlines fire");
        self.collect();
        fired
    }

    pub fn now(&self) -> Timestamp {
        kernel::Clock::now(self.harness.clock.as_ref())
    }

    fn collect(&mut self) {
        self.pending.extend(self.harness.take_published());
    }

    /// What orders sent and published since the last call.
    pub fn take(&mut self) -> Vec<Sent> {
        self.collect();
        std::mem::take(&mut self.pending).iter().map(Sent::of).collect()
    }

    /// The short names of what orders sent and published since the last call.
    pub fn take_names(&mut self) -> Vec<String> {
        self.take().iter().map(|s| s.name().to_owned()).collect()
    }

    pub fn order(&self, order_id: OrderId) -> OrderView {
        self.harness.query(Order { order_id }).unwrap_or_else(|e| panic!("order {order_id}: {e:?}"))
    }

    pub fn order_for_box(&self, box_id: BoxId) -> OrderView {
        self.harness.query(OrderForBox { box_id }).unwrap_or_else(|e| panic!("box {box_id}: {e:?}"))
    }

    pub fn counts(&self) -> StatusCountsView {
        self.harness.query(StatusCounts).expect("the status board always answers")
    }
}

pub fn start() -> Timestamp {
    Timestamp::parse("2026-03-01T08:00:00Z").unwrap()
}

pub fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

/// A curated box (as curation publishes it): box `n`, for customer `customer` (who pays for
/// it too), to `line1`, Springfield, `state`, for `month`, at $29.99.
pub fn curated_box(n: u128, customer: u128, line1: &str, state: &str, month: &str) -> Value {
    json!({
        "box_id": uuid(0xb0c5_0000 + n),
        "subscription_id": uuid(0x5ab5_0000 + n),
        "customer_id": uuid(0xc000_0000 + customer),
        "payer_id": uuid(0xc000_0000 + customer),
        "month": month,
        "plan": { "books_per_month": 2, "monthly_price": { "amount_cents": 2999, "currency": "USD" } },
        "books": [
            { "isbn": "9780306406157", "title": "The Hound of the Baskervilles" },
            { "isbn": "9780804429573", "title": "Pride and Prejudice" }
        ],
        "shipping_address": {
            "line1": line1,
            "city": "Springfield",
            "state": state,
            "postal_code": "62701",
            "country": "US"
        }
    })
}

/// The usual box: to 12 Elm Street, Illinois (served from Chicago first), March 2026.
pub fn illinois_box(n: u128) -> Value {
    curated_box(n, n, "12 Elm Street", "IL", "2026-03")
}

pub fn money(cents: u64) -> Value {
    json!({ "amount_cents": cents, "currency": "USD" })
}

pub fn stock_reserved(order: OrderId, warehouse: &str) -> Value {
    json!({
        "order_id": order,
        "warehouse": warehouse,
        "lines": [ { "isbn": "9780306406157", "quantity": 1 }, { "isbn": "9780804429573", "quantity": 1 } ]
    })
}

pub fn stock_rejected(order: OrderId, warehouse: &str) -> Value {
    json!({
        "order_id": order,
        "warehouse": warehouse,
        "reason": "insufficient-stock",
        "shortages": [ { "isbn": "9780804429573", "requested": 1, "available": 0 } ]
    })
}

pub fn payment_captured(order: OrderId, payment: u128, cents: u64) -> Value {
    json!({ "order_id": order, "payment_id": uuid(0xfa00_0000 + payment), "payer_id": uuid(1), "amount": money(cents), "attempt": 1 })
}

pub fn payment_failed(order: OrderId) -> Value {
    json!({ "order_id": order, "payment_id": uuid(0xfa00_0000), "attempts": 3, "reason": "card declined" })
}

pub fn payment_refunded(order: OrderId, cents: u64, total: u64) -> Value {
    json!({ "order_id": order, "payment_id": uuid(0xfa00_0001), "amount": money(cents), "refunded_total": money(total) })
}

pub fn shipment_news(shipment: &str, orders: &[OrderId]) -> Value {
    json!({ "shipment_id": shipment, "order_ids": orders, "attempts": 1 })
}

pub fn dispatched(shipment: &str, orders: &[OrderId]) -> Value {
    json!({ "shipment_id": shipment, "order_ids": orders, "carrier": "UPS", "tracking_number": "1Z999AA10123456784" })
}

pub fn damaged(shipment: &str, orders: &[OrderId], claim: u64) -> Value {
    json!({ "shipment_id": shipment, "order_ids": orders, "insurance_claim": money(claim) })
}
