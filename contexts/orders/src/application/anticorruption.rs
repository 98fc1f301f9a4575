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

use kernel::inbox::ConsumerModel;
use serde::Deserialize;
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

/// What an incoming message means to orders: every model below reads as one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inbound {
    /// A curated box, to become a box order.
    CuratedBox { box_id: BoxId, terms: Terms },
    /// An answer for each of these orders (one, or the orders a shipment carries).
    Answer { order_ids: Vec<OrderId>, answer: Answer },
}

// The messages, as orders reads them.

/// `bookbox.curation.box-curated.v1`.
#[derive(Debug, Deserialize)]
pub(crate) struct BoxCurated {
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

/// `bookbox.inventory.stock-reserved.v1`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct StockReserved(WarehouseAnswer);

/// `bookbox.inventory.reservation-released.v1`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct ReservationReleased(WarehouseAnswer);

/// `bookbox.inventory.reserved-stock-shipped.v1`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct ReservedStockShipped(WarehouseAnswer);

/// `bookbox.inventory.stock-reservation-rejected.v1`.
#[derive(Debug, Deserialize)]
pub(crate) struct ReservationRejected {
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
pub(crate) struct PaymentCaptured {
    order_id: Uuid,
    payment_id: Uuid,
    amount: Amount,
}

/// `bookbox.billing.payment-failed.v1`.
#[derive(Debug, Deserialize)]
pub(crate) struct PaymentFailed {
    order_id: Uuid,
    reason: String,
}

/// `bookbox.billing.payment-refunded.v1`.
#[derive(Debug, Deserialize)]
pub(crate) struct PaymentRefunded {
    order_id: Uuid,
    refunded_total: Amount,
}

/// `bookbox.shipping.shipment-dispatched.v1`.
#[derive(Debug, Deserialize)]
pub(crate) struct ShipmentDispatched {
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

/// `bookbox.shipping.shipment-delivered.v1`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct ShipmentDelivered(ShipmentNews);

/// `bookbox.shipping.shipment-returned.v1`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct ShipmentReturned(ShipmentNews);

/// `bookbox.shipping.shipment-damaged.v1`.
#[derive(Debug, Deserialize)]
pub(crate) struct ShipmentDamaged {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
    #[serde(default)]
    insurance_claim: Option<Amount>,
}

// Translation into the domain: each model reads as what it means to orders.

impl ConsumerModel for BoxCurated {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        curated_box(self)
    }
}

impl ConsumerModel for StockReserved {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let Self(m) = self;
        answer(m.order_id, Answer::StockReserved { warehouse: warehouse(&m.warehouse)? })
    }
}

impl ConsumerModel for ReservationRejected {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        reservation_rejected(self)
    }
}

impl ConsumerModel for ReservationReleased {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let Self(m) = self;
        answer(m.order_id, Answer::ReservationReleased { warehouse: warehouse(&m.warehouse)? })
    }
}

impl ConsumerModel for ReservedStockShipped {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let Self(m) = self;
        answer(m.order_id, Answer::ReservedStockShipped { warehouse: warehouse(&m.warehouse)? })
    }
}

impl ConsumerModel for PaymentCaptured {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let amount = money("amount", &self.amount)?;
        answer(self.order_id, Answer::PaymentCaptured { payment_id: PaymentId::from_uuid(self.payment_id), amount })
    }
}

impl ConsumerModel for PaymentFailed {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        answer(self.order_id, Answer::PaymentFailed { reason: reason("reason", &self.reason)? })
    }
}

impl ConsumerModel for PaymentRefunded {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let refunded_total = money("refunded_total", &self.refunded_total)?;
        answer(self.order_id, Answer::PaymentRefunded { refunded_total })
    }
}

impl ConsumerModel for ShipmentDispatched {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let dispatched = Answer::ShipmentDispatched {
            shipment_id: ShipmentId::from_uuid(self.shipment_id),
            carrier: label("carrier", &self.carrier)?,
            tracking_number: label("tracking_number", &self.tracking_number)?,
        };
        shipment_answer(&self.order_ids, dispatched)
    }
}

impl ConsumerModel for ShipmentDelivered {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let Self(m) = self;
        let delivered = Answer::ShipmentDelivered { shipment_id: ShipmentId::from_uuid(m.shipment_id) };
        shipment_answer(&m.order_ids, delivered)
    }
}

impl ConsumerModel for ShipmentReturned {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let Self(m) = self;
        let returned = Answer::ShipmentReturned { shipment_id: ShipmentId::from_uuid(m.shipment_id) };
        shipment_answer(&m.order_ids, returned)
    }
}

impl ConsumerModel for ShipmentDamaged {
    type Read = Inbound;

    fn read(self) -> Result<Inbound, String> {
        let insurance_claim = match &self.insurance_claim {
            Some(claim) => money("insurance_claim", claim)?,
            None => Money::ZERO,
        };
        let damaged = Answer::ShipmentDamaged { shipment_id: ShipmentId::from_uuid(self.shipment_id), insurance_claim };
        shipment_answer(&self.order_ids, damaged)
    }
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
