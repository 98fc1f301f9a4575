//! Billing's published language: every message it publishes and every command it accepts from
//! other contexts, each with its schema and examples committed beside the code, and the receipt
//! document its notification links to.
//!
//! **API boundary.** These types are the wire format, nothing else: plain data, no domain types,
//! so the domain can change without changing what others read. The application maps the domain
//! onto them. Changing a field's meaning or shape means a new version.
//!
//! - `charge-payment`, `refund-payment` v1: commands orders sends billing (subject = order id);
//! - `payment-captured`, `payment-declined`, `payment-failed`, `payment-refunded`,
//!   `dispute-opened`, `dispute-resolved` v1: domain events, subject = order id;
//! - `receipt-issued` v1: an event notification, subject = order id, carrying only a link; the
//!   document (`receipt-document` v1, [`ReceiptDocumentV1`]) is kept in billing's own store and
//!   served through its query port to the contexts its access policy allows.

use kernel::context::PublishedMessage;
use kernel::{MessageKind, Timestamp};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub static CHARGE_PAYMENT: PublishedMessage = PublishedMessage {
    name: "charge-payment",
    kind: MessageKind::Command,
    version: 1,
    schema: include_str!("../schemas/charge-payment.v1.json"),
    examples: &[include_str!("../examples/charge-payment.v1/two-book-box.json")],
    personal_data: &[],
};

pub static REFUND_PAYMENT: PublishedMessage = PublishedMessage {
    name: "refund-payment",
    kind: MessageKind::Command,
    version: 1,
    schema: include_str!("../schemas/refund-payment.v1.json"),
    examples: &[
        include_str!("../examples/refund-payment.v1/damaged-books.json"),
        include_str!("../examples/refund-payment.v1/cancelled-with-refund-id.json"),
    ],
    personal_data: &[],
};

pub static PAYMENT_CAPTURED: PublishedMessage = PublishedMessage {
    name: "payment-captured",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/payment-captured.v1.json"),
    examples: &[include_str!("../examples/payment-captured.v1/first-try.json")],
    personal_data: &[],
};

pub static PAYMENT_DECLINED: PublishedMessage = PublishedMessage {
    name: "payment-declined",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/payment-declined.v1.json"),
    examples: &[
        include_str!("../examples/payment-declined.v1/insufficient-funds.json"),
        include_str!("../examples/payment-declined.v1/gateway-unavailable.json"),
    ],
    personal_data: &[],
};

pub static PAYMENT_FAILED: PublishedMessage = PublishedMessage {
    name: "payment-failed",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/payment-failed.v1.json"),
    examples: &[include_str!("../examples/payment-failed.v1/card-declined-three-times.json")],
    personal_data: &[],
};

pub static PAYMENT_REFUNDED: PublishedMessage = PublishedMessage {
    name: "payment-refunded",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/payment-refunded.v1.json"),
    examples: &[include_str!("../examples/payment-refunded.v1/damaged-books.json")],
    personal_data: &[],
};

pub static DISPUTE_OPENED: PublishedMessage = PublishedMessage {
    name: "dispute-opened",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/dispute-opened.v1.json"),
    examples: &[include_str!("../examples/dispute-opened.v1/not-received.json")],
    personal_data: &[],
};

pub static DISPUTE_RESOLVED: PublishedMessage = PublishedMessage {
    name: "dispute-resolved",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/dispute-resolved.v1.json"),
    examples: &[
        include_str!("../examples/dispute-resolved.v1/won.json"),
        include_str!("../examples/dispute-resolved.v1/lost.json"),
    ],
    personal_data: &[],
};

pub static RECEIPT_ISSUED: PublishedMessage = PublishedMessage {
    name: "receipt-issued",
    kind: MessageKind::Notification,
    version: 1,
    schema: include_str!("../schemas/receipt-issued.v1.json"),
    examples: &[include_str!("../examples/receipt-issued.v1/monthly-box.json")],
    personal_data: &[],
};

/// The schema of the document a `receipt-issued` link resolves to.
pub const RECEIPT_DOCUMENT_SCHEMA: &str = include_str!("../schemas/receipt-document.v1.json");

/// Example receipt documents.
pub const RECEIPT_DOCUMENT_EXAMPLES: &[&str] = &[include_str!("../examples/receipt-document.v1/monthly-box.json")];

/// Where receipt links live: `/bookbox/billing/receipts/<receipt id>`.
pub const RECEIPTS_PREFIX: &str = "/bookbox/billing/receipts/";

/// The link of a receipt.
pub fn receipt_link(receipt_id: Uuid) -> String {
    format!("{RECEIPTS_PREFIX}{receipt_id}")
}

/// An amount: integer cents and a currency code (`USD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoneyV1 {
    pub amount_cents: u64,
    pub currency: String,
}

/// `charge-payment` v1 (command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargePaymentV1 {
    pub order_id: Uuid,
    pub payer_id: Uuid,
    pub amount: MoneyV1,
}

/// `refund-payment` v1 (command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPaymentV1 {
    pub order_id: Uuid,
    pub amount: MoneyV1,
    pub reason: String,
    /// Chosen by the sender so a resent request refunds once (an addition to the agreed
    /// shape; optional, so senders that do not know it are unaffected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<Uuid>,
}

/// `payment-captured` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentCapturedV1 {
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub payer_id: Uuid,
    pub amount: MoneyV1,
    pub attempt: u8,
}

/// `payment-declined` v1: a try failed, another is scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentDeclinedV1 {
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub attempt: u8,
    pub reason: String,
    pub retry_at: Timestamp,
}

/// `payment-failed` v1: final, no more tries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFailedV1 {
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub attempts: u8,
    pub reason: String,
}

/// `payment-refunded` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRefundedV1 {
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub amount: MoneyV1,
    pub refunded_total: MoneyV1,
}

/// `dispute-opened` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeOpenedV1 {
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub amount: MoneyV1,
}

/// `dispute-resolved` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeResolvedV1 {
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub amount: MoneyV1,
    /// `won` or `lost`.
    pub outcome: String,
}

/// `receipt-issued` v1 (notification): the link, not the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptIssuedV1 {
    pub receipt_id: Uuid,
    pub order_id: Uuid,
    pub link: String,
}

/// `receipt-document` v1: what a receipt link resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptDocumentV1 {
    pub receipt_id: Uuid,
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub payer: PayerV1,
    pub issued_at: Timestamp,
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub lines: Vec<ReceiptLineV1>,
    pub totals: ReceiptTotalsV1,
    pub payment: ReceiptPaymentV1,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayerV1 {
    pub payer_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLineV1 {
    pub description: String,
    pub quantity: u32,
    pub amount: MoneyV1,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptTotalsV1 {
    pub subtotal: MoneyV1,
    pub total: MoneyV1,
    pub paid: MoneyV1,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptPaymentV1 {
    /// `card`.
    pub method: String,
    pub authorization_id: String,
    pub attempt: u8,
}
