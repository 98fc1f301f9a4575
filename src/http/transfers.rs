//! `/transfers`: moving free copies between warehouses. Dispatching one (POST) takes the
//! copies off the source's shelf; its `receipt` (PUT) puts them on the destination's.

use actix_web::{post, put, web, HttpResponse};
use inventory::ports::{DispatchTransfer, ReceiveTransfer, TransferView};
use inventory::InventoryContext;
use kernel::context::{Command, Handles};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::books::Transfer;
use crate::http::input::{Isbn, Slug};
use crate::http::problem::Problem;
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

/// Copies to send from one warehouse to another.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    pub isbn: Isbn,
    #[schema(example = "dallas")]
    pub from: Slug,
    #[schema(example = "chicago")]
    pub to: Slug,
    #[schema(example = 5)]
    pub quantity: u32,
}

/// The destination received a transfer: the book and the source, as dispatched.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferReceipt {
    pub isbn: Isbn,
    pub from: Slug,
}

async fn transfer_command<K>(state: &AppState, command: K) -> Result<HttpResponse, Problem>
where
    K: Command<Context = InventoryContext, Reply = TransferView>,
    InventoryContext: Handles<K>,
{
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, Transfer::from(executed.reply.clone())))
}

/// Dispatch a transfer of free copies.
#[utoipa::path(
    tag = "inventory",
    request_body = NewTransfer,
    responses(
        (status = 200, description = "Dispatched; the reply carries the transfer's id", body = Accepted<Transfer>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "Not that many free copies, or a field is refused"),
    )
)]
#[post("/transfers")]
pub async fn dispatch(state: web::Data<AppState>, body: web::Json<NewTransfer>) -> Result<HttpResponse, Problem> {
    let transfer = body.into_inner();
    let command = DispatchTransfer {
        isbn: transfer.isbn.into(),
        from: transfer.from.into(),
        to: transfer.to.into(),
        quantity: transfer.quantity,
    };
    transfer_command(&state, command).await
}

/// Receive a transfer at its destination.
#[utoipa::path(
    tag = "inventory",
    params(("transfer_id" = Uuid, Path, description = "The transfer's id, as dispatched")),
    request_body = TransferReceipt,
    responses(
        (status = 200, description = "Received", body = Accepted<Transfer>),
        (status = 404, description = "No such transfer in transit"),
    )
)]
#[put("/transfers/{transfer_id}/receipt")]
pub async fn receive(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<TransferReceipt>,
) -> Result<HttpResponse, Problem> {
    let receipt = body.into_inner();
    let command = ReceiveTransfer {
        isbn: receipt.isbn.into(),
        from: receipt.from.into(),
        transfer_id: path.into_inner().to_string(),
    };
    transfer_command(&state, command).await
}
