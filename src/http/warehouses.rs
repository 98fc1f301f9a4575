//! `/warehouses/{warehouse}/...`: what happens to copies at a warehouse, each an append to
//! its ledger: a publisher's shipment received, copies found damaged, copies found lost.

use actix_web::{post, web, HttpResponse};
use inventory::ports::{ReceiveShipment, RecordDamagedCopies, RecordLostCopies, WarehouseStock};
use inventory::InventoryContext;
use kernel::context::{Command, Handles};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::books::WarehouseLedger;
use crate::http::input::{Isbn, Slug};
use crate::http::problem::Problem;
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

/// Copies of one book.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Copies {
    pub isbn: Isbn,
    #[schema(example = 20)]
    pub quantity: u32,
}

async fn ledger_command<K>(state: &AppState, command: K) -> Result<HttpResponse, Problem>
where
    K: Command<Context = InventoryContext, Reply = WarehouseStock>,
    InventoryContext: Handles<K>,
{
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, WarehouseLedger::from(executed.reply.clone())))
}

/// Record a publisher's shipment received at a warehouse.
#[utoipa::path(
    tag = "inventory",
    params(("warehouse" = Slug, Path, description = "The warehouse: `dallas` or `chicago`")),
    request_body = Copies,
    responses(
        (status = 200, description = "Received; the book's ledger there", body = Accepted<WarehouseLedger>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[post("/warehouses/{warehouse}/shipments-received")]
pub async fn receive_shipment(
    state: web::Data<AppState>,
    path: web::Path<Slug>,
    body: web::Json<Copies>,
) -> Result<HttpResponse, Problem> {
    let copies = body.into_inner();
    let command =
        ReceiveShipment { isbn: copies.isbn.into(), warehouse: path.into_inner().into(), quantity: copies.quantity };
    ledger_command(&state, command).await
}

/// Write off free copies found damaged.
#[utoipa::path(
    tag = "inventory",
    params(("warehouse" = Slug, Path, description = "The warehouse: `dallas` or `chicago`")),
    request_body = Copies,
    responses(
        (status = 200, description = "Written off; the book's ledger there", body = Accepted<WarehouseLedger>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "Not that many free copies, or a field is refused"),
    )
)]
#[post("/warehouses/{warehouse}/damaged-copies")]
pub async fn record_damaged_copies(
    state: web::Data<AppState>,
    path: web::Path<Slug>,
    body: web::Json<Copies>,
) -> Result<HttpResponse, Problem> {
    let copies = body.into_inner();
    let command = RecordDamagedCopies {
        isbn: copies.isbn.into(),
        warehouse: path.into_inner().into(),
        quantity: copies.quantity,
    };
    ledger_command(&state, command).await
}

/// Write off free copies found missing.
#[utoipa::path(
    tag = "inventory",
    params(("warehouse" = Slug, Path, description = "The warehouse: `dallas` or `chicago`")),
    request_body = Copies,
    responses(
        (status = 200, description = "Written off; the book's ledger there", body = Accepted<WarehouseLedger>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "Not that many free copies, or a field is refused"),
    )
)]
#[post("/warehouses/{warehouse}/lost-copies")]
pub async fn record_lost_copies(
    state: web::Data<AppState>,
    path: web::Path<Slug>,
    body: web::Json<Copies>,
) -> Result<HttpResponse, Problem> {
    let copies = body.into_inner();
    let command =
        RecordLostCopies { isbn: copies.isbn.into(), warehouse: path.into_inner().into(), quantity: copies.quantity };
    ledger_command(&state, command).await
}
