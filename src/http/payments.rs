//! `/payments/{order_id}`: an order's payment. Charging is a PUT (a second request for the
//! same order changes nothing); money given back is a `refunds` collection; a bank's dispute
//! is a sub-resource with its `response` and its `resolution`.

use actix_web::{get, post, put, web, HttpResponse};
use billing::ports::{
    queries, Amount, BillingCommand, BillingError, DisputeView, PaymentStatus as PortStatus, PaymentView, RefundView,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted, Money};
use crate::http::state::AppState;

/// Charge an order to a payer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Charge {
    pub payer_id: Uuid,
    pub amount: Money,
}

/// Money to give back.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefund {
    pub amount: Money,
    #[schema(example = "damaged books")]
    pub reason: String,
    /// Chosen by the caller so that a retried request refunds once; drawn when absent.
    pub refund_id: Option<Uuid>,
}

/// The payer's bank disputes the charge: `amount` is held until the dispute is resolved.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDispute {
    pub amount: Money,
    #[schema(example = "not received")]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeResponse {
    #[schema(example = "signed delivery receipt")]
    pub evidence: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeResolution {
    pub outcome: DisputeOutcome,
}

/// The bank's decision: `won` (the money stays) or `lost` (it is charged back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DisputeOutcome {
    Won,
    Lost,
}

/// An order's payment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub order_id: String,
    pub payment_id: String,
    pub payer_id: String,
    pub status: PaymentStatus,
    /// What the order costs.
    pub amount: Money,
    /// The amount once captured, else zero.
    pub captured: Money,
    pub refunded: Money,
    /// Taken back by the bank after a lost dispute.
    pub charged_back: Money,
    /// What a refund may still give back.
    pub refundable: Money,
    /// Tries of the card that ended.
    pub attempts: u8,
    /// While charging: when the gateway is called next (RFC 3339).
    pub next_call_at: Option<String>,
    /// Once failed: why the last try failed.
    pub failure_reason: Option<String>,
    /// Once captured: the gateway's authorization id.
    pub authorization_id: Option<String>,
    /// Once captured: the receipt.
    pub receipt: Option<ReceiptRef>,
    pub refunds: Vec<Refund>,
    pub dispute: Option<Dispute>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentStatus {
    /// Tries under way (a retry may be scheduled).
    Charging,
    Captured,
    /// Every try failed.
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiptRef {
    pub receipt_id: String,
    /// The receipt's link in billing's published language.
    pub link: String,
    /// Where this API serves it.
    pub href: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Refund {
    pub refund_id: String,
    pub amount: Money,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Dispute {
    pub dispute_id: String,
    /// `opened`, `responded`, `won` or `lost`.
    pub status: String,
    pub amount: Money,
    pub reason: String,
    pub evidence: Option<String>,
}

impl From<Money> for Amount {
    fn from(m: Money) -> Self {
        Self { amount_cents: m.amount_cents, currency: m.currency }
    }
}

impl From<Amount> for Money {
    fn from(a: Amount) -> Self {
        Self { amount_cents: a.amount_cents, currency: a.currency }
    }
}

impl From<PaymentView> for Payment {
    fn from(v: PaymentView) -> Self {
        Self {
            order_id: v.order_id,
            payment_id: v.payment_id,
            payer_id: v.payer_id,
            status: match v.status {
                PortStatus::Charging => PaymentStatus::Charging,
                PortStatus::Captured => PaymentStatus::Captured,
                PortStatus::Failed => PaymentStatus::Failed,
            },
            amount: v.amount.into(),
            captured: v.captured.into(),
            refunded: v.refunded.into(),
            charged_back: v.charged_back.into(),
            refundable: v.refundable.into(),
            attempts: v.attempts,
            next_call_at: v.next_call_at.map(|t| t.to_string()),
            failure_reason: v.failure_reason,
            authorization_id: v.authorization_id,
            receipt: v.receipt.map(|r| ReceiptRef {
                href: format!("/receipts/{}", r.receipt_id),
                receipt_id: r.receipt_id,
                link: r.link,
            }),
            refunds: v
                .refunds
                .into_iter()
                .map(|RefundView { refund_id, amount, reason }| Refund { refund_id, amount: amount.into(), reason })
                .collect(),
            dispute: v.dispute.map(|DisputeView { dispute_id, status, amount, reason, evidence }| Dispute {
                dispute_id,
                status,
                amount: amount.into(),
                reason,
                evidence,
            }),
        }
    }
}

impl Rejection for BillingError {
    fn kind(&self) -> Kind {
        match self {
            Self::InvalidInput { .. }
            | Self::NotCaptured { .. }
            | Self::RefundExceedsRefundable { .. }
            | Self::DisputeExceedsCharge { .. }
            | Self::DisputeClosed { .. } => Kind::Rejected,
            Self::NoPayment { .. } | Self::NoDispute { .. } => Kind::NotFound,
            Self::ChargeConflict { .. } | Self::RefundIdReused { .. } | Self::AlreadyDisputed { .. } => Kind::Conflict,
            Self::Inconsistent { .. } => Kind::Internal,
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::InvalidInput { field, .. } => Some(field.clone()),
            Self::RefundExceedsRefundable { .. } | Self::DisputeExceedsCharge { .. } => Some("amount".to_owned()),
            Self::RefundIdReused { .. } => Some("refund_id".to_owned()),
            _ => None,
        }
    }
}

async fn payment_command(state: &AppState, command: BillingCommand) -> Result<HttpResponse, Problem> {
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, Payment::from(executed.reply.clone())))
}

/// Charge an order (the first try of the card happens at once).
#[utoipa::path(
    tag = "billing",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = Charge,
    responses(
        (status = 200, description = "Charging (or already charged so)", body = Accepted<Payment>),
        (status = 409, description = "The order is already charged differently"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/payments/{order_id}")]
pub async fn charge(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<Charge>,
) -> Result<HttpResponse, Problem> {
    let terms = body.into_inner();
    let command = BillingCommand::ChargePayment {
        order_id: path.into_inner().to_string(),
        payer_id: terms.payer_id.to_string(),
        amount: terms.amount.into(),
    };
    payment_command(&state, command).await
}

/// An order's payment.
#[utoipa::path(
    tag = "billing",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The payment", body = Payment),
        (status = 404, description = "The order has no payment"),
    )
)]
#[get("/payments/{order_id}")]
pub async fn payment(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<web::Json<Payment>, Problem> {
    let view = state.query(queries::Payment { order_id: path.into_inner().to_string() }).await?;
    Ok(web::Json(Payment::from(view)))
}

/// Give money back (never more than is left of what was captured).
#[utoipa::path(
    tag = "billing",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = NewRefund,
    responses(
        (status = 200, description = "Refunded (or already refunded under this id)", body = Accepted<Payment>),
        (status = 404, description = "The order has no payment"),
        (status = 409, description = "The refund id was used for another refund"),
        (status = 422, description = "Not captured, more than is refundable, or a field is refused"),
    )
)]
#[post("/payments/{order_id}/refunds")]
pub async fn refund(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<NewRefund>,
) -> Result<HttpResponse, Problem> {
    let request = body.into_inner();
    let command = BillingCommand::RefundPayment {
        order_id: path.into_inner().to_string(),
        amount: request.amount.into(),
        reason: request.reason,
        refund_id: request.refund_id.map(|id| id.to_string()),
    };
    payment_command(&state, command).await
}

/// Record that the payer's bank opened a dispute of the charge.
#[utoipa::path(
    tag = "billing",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = NewDispute,
    responses(
        (status = 200, description = "Disputed", body = Accepted<Payment>),
        (status = 404, description = "The order has no payment"),
        (status = 409, description = "Already disputed"),
        (status = 422, description = "Not captured, more than is charged, or a field is refused"),
    )
)]
#[put("/payments/{order_id}/dispute")]
pub async fn open_dispute(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<NewDispute>,
) -> Result<HttpResponse, Problem> {
    let dispute = body.into_inner();
    let command = BillingCommand::OpenDispute {
        order_id: path.into_inner().to_string(),
        amount: dispute.amount.into(),
        reason: dispute.reason,
    };
    payment_command(&state, command).await
}

/// Answer the open dispute with evidence.
#[utoipa::path(
    tag = "billing",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = DisputeResponse,
    responses(
        (status = 200, description = "Responded", body = Accepted<Payment>),
        (status = 404, description = "No payment, or no dispute"),
        (status = 422, description = "The dispute cannot take that step"),
    )
)]
#[put("/payments/{order_id}/dispute/response")]
pub async fn respond_to_dispute(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<DisputeResponse>,
) -> Result<HttpResponse, Problem> {
    let command = BillingCommand::RespondToDispute {
        order_id: path.into_inner().to_string(),
        evidence: body.into_inner().evidence,
    };
    payment_command(&state, command).await
}

/// Record the bank's decision on the dispute.
#[utoipa::path(
    tag = "billing",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = DisputeResolution,
    responses(
        (status = 200, description = "Resolved", body = Accepted<Payment>),
        (status = 404, description = "No payment, or no dispute"),
        (status = 422, description = "The dispute cannot take that step"),
    )
)]
#[put("/payments/{order_id}/dispute/resolution")]
pub async fn resolve_dispute(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<DisputeResolution>,
) -> Result<HttpResponse, Problem> {
    let outcome = match body.into_inner().outcome {
        DisputeOutcome::Won => "won",
        DisputeOutcome::Lost => "lost",
    };
    let command =
        BillingCommand::ResolveDispute { order_id: path.into_inner().to_string(), outcome: outcome.to_owned() };
    payment_command(&state, command).await
}
