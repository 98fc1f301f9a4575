//! `/receipts/{receipt_id}`: a receipt document, read the way any reader reads it: through
//! billing's link resolver and its access policy (deny by default). The operator may read
//! every receipt; `?on_behalf_of=<context>` checks the policy for a context instead (403 when
//! it may not read receipts).

use actix_web::{get, web};
use billing::published::RECEIPTS_PREFIX;
use kernel::context::Caller;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::input::Slug;
use crate::http::problem::{query_problem, Problem};
use crate::http::reply::Money;
use crate::http::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadAs {
    /// Read as this context (its access policy applies) rather than as the operator.
    #[param(value_type = Option<String>, example = "customers")]
    pub on_behalf_of: Option<Slug>,
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

/// A receipt. Links resolve from billing's store, so receipts stay readable while billing's
/// actor is stopped.
#[utoipa::path(
    tag = "billing",
    params(("receipt_id" = Uuid, Path, description = "The receipt's id"), ReadAs),
    responses(
        (status = 200, description = "The receipt", body = Receipt),
        (status = 403, description = "The access policy does not let that context read receipts"),
        (status = 404, description = "No such receipt, or no such context"),
    )
)]
#[get("/receipts/{receipt_id}")]
pub async fn receipt(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    read_as: web::Query<ReadAs>,
) -> Result<web::Json<Receipt>, Problem> {
    let caller = match read_as.into_inner().on_behalf_of {
        None => Caller::Operator,
        Some(name) if state.runtime.context_running(name.as_str()).is_some() => Caller::Context(name.into()),
        Some(name) => return Err(Problem::not_found(format!("no context named `{}` is hosted", name.as_str()))),
    };
    let link = format!("{RECEIPTS_PREFIX}{}", path.into_inner());
    let raw = state
        .blocking(move |runtime| {
            runtime.resolve(&caller, &link).map_err(|e| query_problem(billing::CONTEXT.name, e, true))
        })
        .await?;
    let document = serde_json::from_str::<Receipt>(raw.get()).map_err(|e| {
        Problem::internal(format!("billing's receipt does not decode: {e}")).with_context(billing::CONTEXT.name)
    })?;
    Ok(web::Json(document))
}
