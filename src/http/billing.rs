//! Billing's resources. `/payments/{order_id}`: an order's payment; charging is a PUT (a second
//! request for the same order changes nothing), money given back is a `refunds` collection, a
//! bank's dispute is a sub-resource with its `response` and its `resolution`.
//! `/receipts/{receipt_id}`: a receipt document, read the way any reader reads it: through
//! billing's link resolver and its access policy (deny by default). The operator may read
//! every receipt; `?on_behalf_of=<context>` checks the policy for a context instead (403 when
//! it may not read receipts).

use actix_web::web::{Json, Path, Query};
use actix_web::{get, post, put};
use billing::ports::{
    queries, Amount, BillingCommand, BillingError, DisputeView, PaymentStatus as PortStatus, PaymentView, ReceiptLink,
    RefundView,
};
use billing::published::RECEIPTS_PREFIX;
use kernel::context::Caller;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::input::{bodies, Slug};
use crate::http::mirror::{mirror, FromView};
use crate::http::problem::{query_problem, Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted, Answer, Money, Reply};
use crate::http::state::State;

/// Billing's routes: payments, receipts.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(charge)
        .service(payment)
        .service(refund)
        .service(open_dispute)
        .service(respond_to_dispute)
        .service(resolve_dispute)
        .service(receipt);
}

bodies! {
    /// Charge an order to a payer.
    pub struct Charge {
        pub payer_id: Uuid,
        pub amount: Money,
    }

    /// Money to give back.
    pub struct NewRefund {
        pub amount: Money,
        #[schema(example = "damaged books")]
        pub reason: String,
        /// Chosen by the caller so that a retried request refunds once; drawn when absent.
        pub refund_id: Option<Uuid>,
    }

    /// The payer's bank disputes the charge: `amount` is held until the dispute is resolved.
    pub struct NewDispute {
        pub amount: Money,
        #[schema(example = "not received")]
        pub reason: String,
    }

    pub struct DisputeResponse {
        #[schema(example = "signed delivery receipt")]
        pub evidence: String,
    }

    pub struct DisputeResolution {
        pub outcome: DisputeOutcome,
    }
}

/// The bank's decision: `won` (the money stays) or `lost` (it is charged back).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DisputeOutcome {
    Won,
    Lost,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadAs {
    /// Read as this context (its access policy applies) rather than as the operator.
    #[param(value_type = Option<String>, example = "customers")]
    pub on_behalf_of: Option<Slug>,
}

mirror! {
    /// An order's payment.
    pub struct Payment from PaymentView {
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

    #[serde(rename_all = "kebab-case")]
    pub enum PaymentStatus from PortStatus {
        /// Tries under way (a retry may be scheduled).
        Charging,
        Captured,
        /// Every try failed.
        Failed,
    }

    pub struct Refund from RefundView {
        pub refund_id: String,
        pub amount: Money,
        pub reason: String,
    }

    pub struct Dispute from DisputeView {
        pub dispute_id: String,
        /// `opened`, `responded`, `won` or `lost`.
        pub status: String,
        pub amount: Money,
        pub reason: String,
        pub evidence: Option<String>,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiptRef {
    pub receipt_id: String,
    /// The receipt's link in billing's published language.
    pub link: String,
    /// Where this API serves it.
    pub href: String,
}

/// A receipt (billing's `receipt-document` v1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Receipt {
    pub receipt_id: Uuid,
    pub order_id: Uuid,
    pub payment_id: Uuid,
    pub payer: Payer,
    /// RFC 3339.
    pub issued_at: String,
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub lines: Vec<ReceiptLine>,
    pub totals: ReceiptTotals,
    pub payment: ReceiptPayment,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Payer {
    pub payer_id: Uuid,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiptLine {
    pub description: String,
    pub quantity: u32,
    pub amount: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiptTotals {
    pub subtotal: Money,
    pub total: Money,
    pub paid: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceiptPayment {
    /// `card`.
    pub method: String,
    pub authorization_id: String,
    pub attempt: u8,
}

impl From<Money> for Amount {
    fn from(m: Money) -> Self {
        Self { amount_cents: m.amount_cents, currency: m.currency }
    }
}

impl FromView<Amount> for Money {
    fn from_view(a: Amount) -> Self {
        Self { amount_cents: a.amount_cents, currency: a.currency }
    }
}

impl FromView<ReceiptLink> for ReceiptRef {
    fn from_view(r: ReceiptLink) -> Self {
        Self { href: format!("/receipts/{}", r.receipt_id), receipt_id: r.receipt_id, link: r.link }
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

/// Runs a command on the payment of the order in `path`.
async fn on_payment(state: State, path: Path<Uuid>, command: impl FnOnce(String) -> BillingCommand) -> Reply {
    Ok(reply::ok::<Payment>(state.execute(command(path.into_inner().to_string())).await?))
}

/// Charge an order (the first try of the card happens at once).
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = Charge,
    responses(
        (status = 200, description = "Charging (or already charged so)", body = Accepted<Payment>),
        (status = 409, description = "The order is already charged differently"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/payments/{order_id}")]
pub async fn charge(state: State, path: Path<Uuid>, body: Json<Charge>) -> Reply {
    let Charge { payer_id, amount } = body.into_inner();
    let (payer_id, amount) = (payer_id.to_string(), amount.into());
    on_payment(state, path, |order_id| BillingCommand::ChargePayment { order_id, payer_id, amount }).await
}

/// An order's payment.
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The payment", body = Payment),
        (status = 404, description = "The order has no payment"),
    )
)]
#[get("/payments/{order_id}")]
pub async fn payment(state: State, path: Path<Uuid>) -> Answer<Payment> {
    Ok(Json(state.query(queries::Payment { order_id: path.into_inner().to_string() }).await?.into()))
}

/// Give money back (never more than is left of what was captured).
#[utoipa::path(
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
pub async fn refund(state: State, path: Path<Uuid>, body: Json<NewRefund>) -> Reply {
    let NewRefund { amount, reason, refund_id } = body.into_inner();
    let (amount, refund_id) = (amount.into(), refund_id.map(|id| id.to_string()));
    on_payment(state, path, |order_id| BillingCommand::RefundPayment { order_id, amount, reason, refund_id }).await
}

/// Record that the payer's bank opened a dispute of the charge.
#[utoipa::path(
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
pub async fn open_dispute(state: State, path: Path<Uuid>, body: Json<NewDispute>) -> Reply {
    let NewDispute { amount, reason } = body.into_inner();
    let amount = amount.into();
    on_payment(state, path, |order_id| BillingCommand::OpenDispute { order_id, amount, reason }).await
}

/// Answer the open dispute with evidence.
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = DisputeResponse,
    responses(
        (status = 200, description = "Responded", body = Accepted<Payment>),
        (status = 404, description = "No payment, or no dispute"),
        (status = 422, description = "The dispute cannot take that step"),
    )
)]
#[put("/payments/{order_id}/dispute/response")]
pub async fn respond_to_dispute(state: State, path: Path<Uuid>, body: Json<DisputeResponse>) -> Reply {
    let evidence = body.into_inner().evidence;
    on_payment(state, path, |order_id| BillingCommand::RespondToDispute { order_id, evidence }).await
}

/// Record the bank's decision on the dispute.
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = DisputeResolution,
    responses(
        (status = 200, description = "Resolved", body = Accepted<Payment>),
        (status = 404, description = "No payment, or no dispute"),
        (status = 422, description = "The dispute cannot take that step"),
    )
)]
#[put("/payments/{order_id}/dispute/resolution")]
pub async fn resolve_dispute(state: State, path: Path<Uuid>, body: Json<DisputeResolution>) -> Reply {
    let outcome = match body.into_inner().outcome {
        DisputeOutcome::Won => "won",
        DisputeOutcome::Lost => "lost",
    };
    on_payment(state, path, |order_id| BillingCommand::ResolveDispute { order_id, outcome: outcome.to_owned() }).await
}

/// A receipt. Links resolve from billing's store, so receipts stay readable while billing's
/// actor is stopped.
#[utoipa::path(
    params(("receipt_id" = Uuid, Path, description = "The receipt's id"), ReadAs),
    responses(
        (status = 200, description = "The receipt", body = Receipt),
        (status = 403, description = "The access policy does not let that context read receipts"),
        (status = 404, description = "No such receipt, or no such context"),
    )
)]
#[get("/receipts/{receipt_id}")]
pub async fn receipt(state: State, path: Path<Uuid>, read_as: Query<ReadAs>) -> Answer<Receipt> {
    let caller = match read_as.into_inner().on_behalf_of {
        None => Caller::Operator,
        Some(name) if state.runtime.context_running(name.as_str()).is_some() => Caller::Context(name.into()),
        Some(name) => return Err(Problem::not_found(format!("no context named `{}` is hosted", name.as_str()))),
    };
    let link = format!("{RECEIPTS_PREFIX}{}", path.into_inner());
    let billing = billing::CONTEXT.name;
    let raw = state
        .blocking(move |runtime| runtime.resolve(&caller, &link).map_err(|e| query_problem(billing, e, true)))
        .await?;
    let document = serde_json::from_str::<Receipt>(raw.get())
        .map_err(|e| Problem::internal(format!("billing's receipt does not decode: {e}")).with_context(billing))?;
    Ok(Json(document))
}
