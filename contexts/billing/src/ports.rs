//! Billing's ports.
//!
//! **Inbound:** the commands billing handles ([`BillingCommand`], each answering the payment as
//! it now stands, a [`PaymentView`]) and the questions it answers ([`queries`], each with the
//! type of its answer). Commands carry what a caller typed (strings and numbers, as the HTTP
//! API or the CLI receive them); the application parses each field into a value object and
//! refuses a bad one with [`BillingError::InvalidInput`], naming it. Replies and answers carry
//! ids, so a caller can use them in its next command.
//!
//! **Outbound:** [`PaymentGateway`], the one thing billing needs from outside besides the
//! kernel's ports (clock, ids, store). An adapter in `src/` implements it (a simulated gateway
//! wrapped with a circuit breaker, retries and a bulkhead); billing only ever sees an answer
//! (approved or declined) or a transient error.

use kernel::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The payment gateway: charges a card.
///
/// An implementation must be idempotent per [`ChargeRequest::idempotency_key`]: billing calls
/// again with the same key when it cannot know whether a call went through (the unit of work
/// that recorded the answer did not commit, say), and the card must not be charged twice.
pub trait PaymentGateway: Send + Sync {
    fn charge(&self, request: &ChargeRequest) -> Result<GatewayAnswer, GatewayError>;
}

/// One call of the gateway: charge `amount` to the payer for the order, as try `attempt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeRequest {
    /// `<payment id>-<attempt>`: the same for every call of one try, different between tries.
    pub idempotency_key: String,
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub payer_id: Uuid,
    pub amount: Amount,
    /// Which try of the card this is: 1 to 3.
    pub attempt: u8,
}

/// What the gateway answered: the bank's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum GatewayAnswer {
    Approved {
        authorization_id: String,
    },
    /// The bank declined the card ("insufficient-funds", "card-expired"...).
    Declined {
        reason: String,
    },
}

/// The gateway gave no answer. None of these says anything about the card: billing calls
/// again within minutes and does not count the call as a try.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("the payment gateway is unavailable: {0}")]
    Unavailable(String),
    #[error("the payment gateway did not answer within {after_ms} ms")]
    TimedOut { after_ms: u64 },
    #[error("the payment gateway's circuit is open after repeated failures; calls resume after a cool-down")]
    CircuitOpen,
    #[error("the payment gateway is saturated: {max_concurrent_calls} calls are already in flight")]
    Saturated { max_concurrent_calls: u32 },
}

/// An amount of money: integer cents and a currency code, as in the published language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub amount_cents: u64,
    pub currency: String,
}

impl Amount {
    pub fn usd(amount_cents: u64) -> Self {
        Self { amount_cents, currency: "USD".to_owned() }
    }
}

/// A command to billing from outside: the HTTP API, the CLI, a test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum BillingCommand {
    /// Charge an order (as the `charge-payment` message does): the first try happens at once;
    /// a second request for the same order changes nothing.
    ChargePayment { order_id: String, payer_id: String, amount: Amount },
    /// Give money back, never more than is left of what was captured. `refund_id` makes a
    /// retried request refund once; a new one is drawn when absent.
    RefundPayment { order_id: String, amount: Amount, reason: String, refund_id: Option<String> },
    /// The payer's bank opened a dispute of the charge: `amount` is held until it is resolved.
    OpenDispute { order_id: String, amount: Amount, reason: String },
    /// Answer the open dispute with evidence.
    RespondToDispute { order_id: String, evidence: String },
    /// Record the bank's decision: `won` (the money stays) or `lost` (it is charged back).
    ResolveDispute { order_id: String, outcome: String },
}

/// Questions to billing, each with the type of its answer.
pub mod queries {

    use serde::{Deserialize, Serialize};

    /// The payment of an order.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Payment {
        pub order_id: String,
    }

    /// A receipt document, as its link resolves (for the operator).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Receipt {
        pub receipt_id: String,
    }
}

/// An order's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    pub order_id: String,
    pub payment_id: String,
    pub payer_id: String,
    pub status: PaymentStatus,
    /// What the order costs.
    pub amount: Amount,
    /// The amount once captured, else zero.
    pub captured: Amount,
    pub refunded: Amount,
    /// Taken back by the bank after a lost dispute.
    pub charged_back: Amount,
    /// What a refund may still give back (less what an open dispute holds).
    pub refundable: Amount,
    /// Tries of the card that ended (declined, abandoned or captured).
    pub attempts: u8,
    /// While charging: when the gateway is called next.
    pub next_call_at: Option<Timestamp>,
    /// Once failed: why the last try failed.
    pub failure_reason: Option<String>,
    /// Once captured: the gateway's authorization id.
    pub authorization_id: Option<String>,
    /// Once captured: the receipt's link.
    pub receipt: Option<ReceiptLink>,
    pub refunds: Vec<RefundView>,
    pub dispute: Option<DisputeView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentStatus {
    /// Tries under way (a retry may be scheduled).
    Charging,
    Captured,
    /// Every try failed.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLink {
    pub receipt_id: String,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundView {
    pub refund_id: String,
    pub amount: Amount,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeView {
    pub dispute_id: String,
    /// `opened`, `responded`, `won` or `lost`.
    pub status: String,
    pub amount: Amount,
    pub reason: String,
    pub evidence: Option<String>,
}

/// Why billing refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BillingError {
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error("order {order_id} has no payment")]
    NoPayment { order_id: String },
    #[error("order {order_id} is already being charged {amount} to payer {payer_id}; a different charge is refused")]
    ChargeConflict { order_id: String, payer_id: String, amount: String },
    #[error("order {order_id}'s payment is {status}, not captured")]
    NotCaptured { order_id: String, status: String },
    #[error("a refund of {requested} for order {order_id} is more than the {refundable} that can still be refunded")]
    RefundExceedsRefundable { order_id: String, requested: String, refundable: String },
    #[error("refund {refund_id} of order {order_id} was already made, with another amount or reason")]
    RefundIdReused { order_id: String, refund_id: String },
    #[error("order {order_id}'s payment is already disputed")]
    AlreadyDisputed { order_id: String },
    #[error("a dispute of {requested} for order {order_id} is more than the {disputable} still charged")]
    DisputeExceedsCharge { order_id: String, requested: String, disputable: String },
    #[error("order {order_id}'s payment is not disputed")]
    NoDispute { order_id: String },
    #[error("order {order_id}'s dispute cannot take that step: {reason}")]
    DisputeClosed { order_id: String, reason: String },
    /// An aggregate refused a step the use case had already checked: a defect, reported
    /// rather than committed.
    #[error("billing refused a step it had already checked, for order {order_id}: {detail}")]
    Inconsistent { order_id: String, detail: String },
}
