//! The anticorruption layer: orders' own models of the messages it consumes, and their
//! translation into its domain. No producer's crate is involved: each model is written from
//! the published language as a tolerant reader (it requires only what orders uses and
//! ignores every other field), so producers can add fields without breaking orders.
//!
//! What orders takes from each:
//! - `curation.box-curated`: the box, subscription, recipient and payer; the month; the
//!   plan's monthly price (what the payer is charged); the books; the shipping address. Not
//!   the plan's number of books: the box says which books it holds.
//! - inventory's answers: the order id and the warehouse; for a rejection, the reason and
//!   the ISBNs short (kept in the reason's words).
//! - billing's answers: the order id; the payment id and amount of a capture; the reason of
//!   a final failure; the refunded total (what billing refunded in all, the authoritative
//!   figure) of a refund.
//! - shipping's answers: the shipment id and the order ids it carries; carrier and tracking
//!   number of a dispatch; the insurance claim of a damage (zero if absent).
//!
//! A message that lacks what orders uses, or carries it malformed, is a decode error naming
//! the field: the runtime dead-letters it, where an operator can see it.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use crate::domain::address::{AddressFields, ShippingAddress};
use crate::domain::book::{Book, Books, Isbn, Title};
use crate::domain::box_order::commands::Answer;
use crate::domain::box_order::Terms;
use crate::domain::ids::{BoxId, CustomerId, OrderId, PaymentId, ShipmentId, SubscriptionId};
use crate::domain::money::Money;
use crate::domain::month::Month;
use crate::domain::text::{Label, Reason};
use crate::domain::warehouse::Warehouse;

pub(crate) const ON_BOX_CURATED: &str = "orders.on-box-curated";
pub(crate) const ON_STOCK_RESERVED: &str = "orders.on-stock-reserved";
pub(crate) const ON_STOCK_RESERVATION_REJECTED: &str = "orders.on-stock-reservation-rejected";
pub(crate) const ON_RESERVATION_RELEASED: &str = "orders.on-reservation-released";
pub(crate) const ON_RESERVED_STOCK_SHIPPED: &str = "orders.on-reserved-stock-shipped";
pub(crate) const ON_PAYMENT_CAPTURED: &str = "orders.on-payment-captured";
pub(crate) const ON_PAYMENT_FAILED: &str = "orders.on-payment-failed";
pub(crate) const ON_PAYMENT_REFUNDED: &str = "orders.on-payment-refunded";
pub(crate) const ON_SHIPMENT_DISPATCHED: &str = "orders.on-shipment-dispatched";
pub(crate) const ON_SHIPMENT_DELIVERED: &str = "orders.on-shipment-delivered";
pub(crate) const ON_SHIPMENT_RETURNED: &str = "orders.on-shipment-returned";
pub(crate) const ON_SHIPMENT_DAMAGED: &str = "orders.on-shipment-damaged";

/// What an incoming message means to orders.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inbound {
    /// A curated box, to become a box order.
    CuratedBox { box_id: BoxId, terms: Terms },
    /// An answer for each of these orders (one, or the orders a shipment carries).
    Answer { order_ids: Vec<OrderId>, answer: Answer },
}

/// Reads the payload a handler receives, or says what is wrong with it.
pub(crate) fn read(handler_id: &str, data: &RawValue) -> Result<Inbound, String> {
    match handler_id {
        ON_BOX_CURATED => curated_box(parse(data)?),
        ON_STOCK_RESERVED => {
            let m: WarehouseAnswer = parse(data)?;
            answer(m.order_id, Answer::StockReserved { warehouse: warehouse(&m.warehouse)? })
        }
        ON_STOCK_RESERVATION_REJECTED => reservation_rejected(parse(data)?),
        ON_RESERVATION_RELEASED => {
            let m: WarehouseAnswer = parse(data)?;
            answer(m.order_id, Answer::ReservationReleased { warehouse: warehouse(&m.warehouse)? })
        }
        ON_RESERVED_STOCK_SHIPPED => {
            let m: WarehouseAnswer = parse(data)?;
            answer(m.order_id, Answer::ReservedStockShipped { warehouse: warehouse(&m.warehouse)? })
        }
        ON_PAYMENT_CAPTURED => {
            let m: PaymentCaptured = parse(data)?;
            let captured = Answer::PaymentCaptured {
                payment_id: PaymentId::from_uuid(m.payment_id),
                amount: money("amount", &m.amount)?,
            };
            answer(m.order_id, captured)
        }
        ON_PAYMENT_FAILED => {
            let m: PaymentFailed = parse(data)?;
            answer(m.order_id, Answer::PaymentFailed { reason: reason("reason", &m.reason)? })
        }
        ON_PAYMENT_REFUNDED => {
            let m: PaymentRefunded = parse(data)?;
            answer(m.order_id, Answer::PaymentRefunded { refunded_total: money("refunded_total", &m.refunded_total)? })
        }
        ON_SHIPMENT_DISPATCHED => {
            let m: ShipmentDispatched = parse(data)?;
            let dispatched = Answer::ShipmentDispatched {
                shipment_id: ShipmentId::from_uuid(m.shipment_id),
                carrier: label("carrier", &m.carrier)?,
                tracking_number: label("tracking_number", &m.tracking_number)?,
            };
            shipment_answer(&m.order_ids, dispatched)
        }
        ON_SHIPMENT_DELIVERED => {
            let m: ShipmentNews = parse(data)?;
            shipment_answer(
                &m.order_ids,
                Answer::ShipmentDelivered { shipment_id: ShipmentId::from_uuid(m.shipment_id) },
            )
        }
        ON_SHIPMENT_RETURNED => {
            let m: ShipmentNews = parse(data)?;
            shipment_answer(
                &m.order_ids,
                Answer::ShipmentReturned { shipment_id: ShipmentId::from_uuid(m.shipment_id) },
            )
        }
        ON_SHIPMENT_DAMAGED => {
            let m: ShipmentDamaged = parse(data)?;
            let insurance_claim = match &m.insurance_claim {
                Some(claim) => money("insurance_claim", claim)?,
                None => Money::ZERO,
            };
            let damaged =
                Answer::ShipmentDamaged { shipment_id: ShipmentId::from_uuid(m.shipment_id), insurance_claim };
            shipment_answer(&m.order_ids, damaged)
        }
        unknown => Err(format!("orders has no handler `{unknown}`")),
    }
}

// The messages, as orders reads them.

/// `bookbox.curation.box-curated.v1`.
#[derive(Debug, Deserialize)]
struct BoxCurated {
    box_id: Uuid,
    subscription_id: Uuid,
    customer_id: Uuid,
    payer_id: Uuid,
    month: String,
    plan: CuratedPlan,
    books: Vec<CuratedBook>,
    shipping_address: CuratedAddress,
}

#[derive(Debug, Deserialize)]
struct CuratedAddress {
    line1: String,
    #[serde(default)]
    line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    country: String,
}

#[derive(Debug, Deserialize)]
struct CuratedPlan {
    monthly_price: Amount,
}

#[derive(Debug, Deserialize)]
struct CuratedBook {
    isbn: String,
    title: String,
}

#[derive(Debug, Deserialize)]
struct Amount {
    amount_cents: u64,
    currency: String,
}

/// `stock-reserved`, `reservation-released`, `reserved-stock-shipped` (inventory).
#[derive(Debug, Deserialize)]
struct WarehouseAnswer {
    order_id: Uuid,
    warehouse: String,
}

/// `bookbox.inventory.stock-reservation-rejected.v1`.
#[derive(Debug, Deserialize)]
struct ReservationRejected {
    order_id: Uuid,
    warehouse: String,
    reason: String,
    #[serde(default)]
    shortages: Vec<Shortage>,
}

#[derive(Debug, Deserialize)]
struct Shortage {
    isbn: String,
}

/// `bookbox.billing.payment-captured.v1`.
#[derive(Debug, Deserialize)]
struct PaymentCaptured {
    order_id: Uuid,
    payment_id: Uuid,
    amount: Amount,
}

/// `bookbox.billing.payment-failed.v1`.
#[derive(Debug, Deserialize)]
struct PaymentFailed {
    order_id: Uuid,
    reason: String,
}

/// `bookbox.billing.payment-refunded.v1`.
#[derive(Debug, Deserialize)]
struct PaymentRefunded {
    order_id: Uuid,
    refunded_total: Amount,
}

/// `bookbox.shipping.shipment-dispatched.v1`.
#[derive(Debug, Deserialize)]
struct ShipmentDispatched {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
    carrier: String,
    tracking_number: String,
}

/// `shipment-delivered`, `shipment-returned` (shipping).
#[derive(Debug, Deserialize)]
struct ShipmentNews {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
}

/// `bookbox.shipping.shipment-damaged.v1`.
#[derive(Debug, Deserialize)]
struct ShipmentDamaged {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
    #[serde(default)]
    insurance_claim: Option<Amount>,
}

// Translation into the domain.

fn parse<T: DeserializeOwned>(data: &RawValue) -> Result<T, String> {
    serde_json::from_str(data.get()).map_err(|e| e.to_string())
}

fn curated_box(m: BoxCurated) -> Result<Inbound, String> {
    let books = m
        .books
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let isbn = Isbn::parse(&b.isbn).map_err(|e| format!("books[{i}].isbn: {e}"))?;
            let title = Title::parse(&b.title).map_err(|e| format!("books[{i}].title: {e}"))?;
            Ok(Book { isbn, title })
        })
        .collect::<Result<Vec<Book>, String>>()?;
    let terms = Terms {
        box_id: BoxId::from_uuid(m.box_id),
        subscription_id: SubscriptionId::from_uuid(m.subscription_id),
        customer_id: CustomerId::from_uuid(m.customer_id),
        payer_id: CustomerId::from_uuid(m.payer_id),
        month: Month::parse(&m.month).map_err(|e| format!("month: {e}"))?,
        amount: money("plan.monthly_price", &m.plan.monthly_price)?,
        books: Books::new(books).map_err(|e| format!("books: {e}"))?,
        address: shipping_address(m.shipping_address)?,
    };
    Ok(Inbound::CuratedBox { box_id: terms.box_id, terms })
}

fn shipping_address(a: CuratedAddress) -> Result<ShippingAddress, String> {
    let fields = AddressFields {
        line1: a.line1,
        line2: a.line2,
        city: a.city,
        state: a.state,
        postal_code: a.postal_code,
        country: a.country,
    };
    ShippingAddress::parse(fields).map_err(|e| format!("shipping_address.{}: {e}", e.field()))
}

fn reservation_rejected(m: ReservationRejected) -> Result<Inbound, String> {
    let short: Vec<&str> = m.shortages.iter().map(|s| s.isbn.as_str()).collect();
    let words = match short.as_slice() {
        [] => m.reason.clone(),
        isbns => format!("{} ({})", m.reason, isbns.join(", ")),
    };
    let rejected = Answer::StockReservationRejected {
        warehouse: warehouse(&m.warehouse)?,
        reason: Reason::parse(&words).map_err(|e| format!("reason: {e}"))?,
    };
    answer(m.order_id, rejected)
}

fn answer(order_id: Uuid, answer: Answer) -> Result<Inbound, String> {
    Ok(Inbound::Answer { order_ids: vec![OrderId::from_uuid(order_id)], answer })
}

fn shipment_answer(order_ids: &[Uuid], answer: Answer) -> Result<Inbound, String> {
    if order_ids.is_empty() {
        return Err("order_ids: a shipment carries at least one order".into());
    }
    Ok(Inbound::Answer { order_ids: order_ids.iter().copied().map(OrderId::from_uuid).collect(), answer })
}

fn warehouse(raw: &str) -> Result<Warehouse, String> {
    Warehouse::parse(raw).map_err(|e| format!("warehouse: {e}"))
}

fn money(field: &str, amount: &Amount) -> Result<Money, String> {
    Money::parse(amount.amount_cents, &amount.currency).map_err(|e| format!("{field}: {e}"))
}

fn reason(field: &str, raw: &str) -> Result<Reason, String> {
    Reason::parse(raw).map_err(|e| format!("{field}: {e}"))
}

fn label(field: &str, raw: &str) -> Result<Label, String> {
    Label::parse(raw).map_err(|e| format!("{field}: {e}"))
}
