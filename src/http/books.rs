//! `/books`: inventory's catalog. A book is listed (POST), revised (PUT), withdrawn from sale
//! (`PUT /books/{isbn}/withdrawal`) and put back on sale (DELETE the withdrawal); its stock over
//! all warehouses is `/books/{isbn}/stock`.

use actix_web::{delete, get, post, put, web, HttpResponse};
use inventory::ports::{
    queries, AddBook, CatalogEntryView, InventoryError, MarkBookAvailable, MarkBookUnavailable, ReviseBook,
    StockReport, TransferView, WarehouseStock,
};
use inventory::InventoryContext;
use kernel::context::{Command, Handles};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::input::Isbn;
use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

/// A book to list in the catalog.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBook {
    /// An ISBN-10 (converted to its ISBN-13) or ISBN-13.
    pub isbn: Isbn,
    #[schema(example = "Great Expectations")]
    pub title: String,
    /// Kebab-case genre names.
    #[schema(example = json!(["literary-fiction"]))]
    pub genres: Vec<String>,
}

/// A cataloged book's title and genres, replaced as a whole.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookRevision {
    pub title: String,
    pub genres: Vec<String>,
}

/// A book in the catalog.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Book {
    /// The ISBN-13, digits only.
    pub isbn: String,
    pub title: String,
    pub genres: Vec<String>,
    /// Withdrawn from sale: nothing more can be reserved.
    pub unavailable: bool,
}

/// A book's stock over all warehouses.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Stock {
    pub isbn: String,
    /// Copies that can still be reserved, over all warehouses (0 when withdrawn).
    pub available: u64,
    pub warehouses: Vec<WarehouseLedger>,
}

/// One book's ledger at one warehouse. It balances: `received + transferred_in = on_hand +
/// shipped + damaged + lost + in_transit + transferred_out`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WarehouseLedger {
    pub isbn: String,
    pub warehouse: String,
    pub on_hand: u64,
    pub reserved: u64,
    /// On hand and not reserved.
    pub free: u64,
    /// Dispatched from here, not yet received at the destination.
    pub in_transit: u64,
    /// From publishers.
    pub received: u64,
    pub transferred_in: u64,
    pub transferred_out: u64,
    /// Left with an order, and not lost on the way.
    pub shipped: u64,
    pub damaged: u64,
    /// Missing from the shelves, or shipped and lost with a parcel damaged in transit.
    pub lost: u64,
    /// Of `lost`: the copies lost with parcels damaged in transit.
    pub lost_in_shipment: u64,
    pub transfers_in_transit: Vec<Transfer>,
}

/// Copies on their way from one warehouse to another.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Transfer {
    pub transfer_id: String,
    pub isbn: String,
    pub from: String,
    pub to: String,
    pub quantity: u32,
}

impl From<CatalogEntryView> for Book {
    fn from(v: CatalogEntryView) -> Self {
        Self { isbn: v.isbn, title: v.title, genres: v.genres, unavailable: v.unavailable }
    }
}

impl From<TransferView> for Transfer {
    fn from(v: TransferView) -> Self {
        Self { transfer_id: v.transfer_id, isbn: v.isbn, from: v.from, to: v.to, quantity: v.quantity }
    }
}

impl From<WarehouseStock> for WarehouseLedger {
    fn from(v: WarehouseStock) -> Self {
        Self {
            isbn: v.isbn,
            warehouse: v.warehouse,
            on_hand: v.on_hand,
            reserved: v.reserved,
            free: v.free,
            in_transit: v.in_transit,
            received: v.received,
            transferred_in: v.transferred_in,
            transferred_out: v.transferred_out,
            shipped: v.shipped,
            damaged: v.damaged,
            lost: v.lost,
            lost_in_shipment: v.lost_in_shipment,
            transfers_in_transit: v.transfers_in_transit.into_iter().map(Transfer::from).collect(),
        }
    }
}

impl From<StockReport> for Stock {
    fn from(v: StockReport) -> Self {
        Self {
            isbn: v.isbn,
            available: v.available,
            warehouses: v.warehouses.into_iter().map(WarehouseLedger::from).collect(),
        }
    }
}

impl Rejection for InventoryError {
    fn kind(&self) -> Kind {
        match self {
            Self::InvalidInput { .. } | Self::NotEnoughFreeCopies { .. } => Kind::Rejected,
            Self::AlreadyShipped { .. } | Self::AlreadyReleased { .. } => Kind::Rejected,
            Self::UnknownBook { .. } | Self::UnknownTransfer { .. } | Self::NoReservation { .. } => Kind::NotFound,
            Self::AlreadyCataloged { .. } | Self::OrderAlreadyReserved { .. } => Kind::Conflict,
            Self::LedgerDisagrees { .. } => Kind::Internal,
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::InvalidInput { field, .. } => Some(field.clone()),
            Self::NotEnoughFreeCopies { .. } => Some("quantity".to_owned()),
            _ => None,
        }
    }
}

/// Runs an inventory command whose reply is a catalog entry.
async fn catalog_command<K>(state: &AppState, command: K, created: bool) -> Result<HttpResponse, Problem>
where
    K: Command<Context = InventoryContext, Reply = CatalogEntryView>,
    InventoryContext: Handles<K>,
{
    let executed = state.execute(command).await?;
    let book = Book::from(executed.reply.clone());
    if created {
        let location = format!("/books/{}", book.isbn);
        return Ok(reply::created(&executed, book, location));
    }
    Ok(reply::ok(&executed, book))
}

/// List a book in the catalog.
#[utoipa::path(
    tag = "inventory",
    request_body = NewBook,
    responses(
        (status = 201, description = "Listed (or already listed as such); `Location` is the book", body = Accepted<Book>,
            headers(("Location" = String))),
        (status = 409, description = "Already listed with another title or other genres"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[post("/books")]
pub async fn add(state: web::Data<AppState>, body: web::Json<NewBook>) -> Result<HttpResponse, Problem> {
    let book = body.into_inner();
    let command = AddBook { isbn: book.isbn.into(), title: book.title, genres: book.genres };
    catalog_command(&state, command, true).await
}

/// A book in the catalog.
#[utoipa::path(
    tag = "inventory",
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "The book", body = Book),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[get("/books/{isbn}")]
pub async fn get_book(state: web::Data<AppState>, path: web::Path<Isbn>) -> Result<web::Json<Book>, Problem> {
    let entry = state.query(queries::CatalogEntry { isbn: path.into_inner().into() }).await?;
    Ok(web::Json(entry.into()))
}

/// Revise a book's title and genres.
#[utoipa::path(
    tag = "inventory",
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    request_body = BookRevision,
    responses(
        (status = 200, description = "Revised", body = Accepted<Book>),
        (status = 404, description = "Not in the catalog"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/books/{isbn}")]
pub async fn revise(
    state: web::Data<AppState>,
    path: web::Path<Isbn>,
    body: web::Json<BookRevision>,
) -> Result<HttpResponse, Problem> {
    let revision = body.into_inner();
    let command = ReviseBook { isbn: path.into_inner().into(), title: revision.title, genres: revision.genres };
    catalog_command(&state, command, false).await
}

/// Withdraw a book from sale: nothing more of it can be reserved.
#[utoipa::path(
    tag = "inventory",
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "Withdrawn", body = Accepted<Book>),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[put("/books/{isbn}/withdrawal")]
pub async fn withdraw(state: web::Data<AppState>, path: web::Path<Isbn>) -> Result<HttpResponse, Problem> {
    catalog_command(&state, MarkBookUnavailable { isbn: path.into_inner().into() }, false).await
}

/// Put a withdrawn book back on sale.
#[utoipa::path(
    tag = "inventory",
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "On sale", body = Accepted<Book>),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[delete("/books/{isbn}/withdrawal")]
pub async fn put_back_on_sale(state: web::Data<AppState>, path: web::Path<Isbn>) -> Result<HttpResponse, Problem> {
    catalog_command(&state, MarkBookAvailable { isbn: path.into_inner().into() }, false).await
}

/// A book's stock, per warehouse.
#[utoipa::path(
    tag = "inventory",
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "Its ledgers", body = Stock),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[get("/books/{isbn}/stock")]
pub async fn stock(state: web::Data<AppState>, path: web::Path<Isbn>) -> Result<web::Json<Stock>, Problem> {
    let report = state.query(queries::Stock { isbn: path.into_inner().into() }).await?;
    Ok(web::Json(report.into()))
}
