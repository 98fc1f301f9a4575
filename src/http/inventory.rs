//! Inventory's resources. `/books`: the catalog; a book is listed (POST), revised (PUT),
//! withdrawn from sale (`PUT /books/{isbn}/withdrawal`) and put back on sale (DELETE the
//! withdrawal); its stock over all warehouses is `/books/{isbn}/stock`.
//! `/warehouses/{warehouse}/...`: what happens to copies at a warehouse, each an append to its
//! ledger (a publisher's shipment received, copies found damaged, copies found lost).
//! `/transfers`: moving free copies between warehouses; dispatching one (POST) takes the copies
//! off the source's shelf, its `receipt` (PUT) puts them on the destination's.
//! `/reservations/{order_id}`: copies set aside for an order; the orders context drives these by
//! messages, and the routes let an operator see and, when a process is stuck, act: reserve
//! (PUT), `release`, `shipment`.

use actix_web::web::{Json, Path};
use actix_web::{delete, get, post, put};
use inventory::ports::{
    queries, AddBook, CatalogEntryView, DispatchTransfer, InventoryError, MarkBookAvailable, MarkBookUnavailable,
    ReceiveShipment, ReceiveTransfer, RecordDamagedCopies, RecordLostCopies, RejectionView, ReleaseReservation,
    ReservationStatus as PortStatus, ReservationView, ReserveStock, ReviseBook, ShipReservation, ShortageView,
    StockLine, StockReport, TransferView, WarehouseStock,
};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::input::{bodies, Isbn, Slug};
use crate::http::mirror::mirror;
use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted, Answer, Reply};
use crate::http::state::State;

/// Inventory's routes: books, warehouses, transfers, reservations.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(add)
        .service(get_book)
        .service(revise)
        .service(withdraw)
        .service(put_back_on_sale)
        .service(stock)
        .service(receive_shipment)
        .service(record_damaged_copies)
        .service(record_lost_copies)
        .service(dispatch)
        .service(receive)
        .service(reserve)
        .service(reservation)
        .service(release)
        .service(ship);
}

bodies! {
    /// A book to list in the catalog.
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
    pub struct BookRevision {
        pub title: String,
        pub genres: Vec<String>,
    }

    /// Copies of one book.
    pub struct Copies {
        pub isbn: Isbn,
        #[schema(example = 20)]
        pub quantity: u32,
    }

    /// Copies to send from one warehouse to another.
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
    pub struct TransferReceipt {
        pub isbn: Isbn,
        pub from: Slug,
    }

    /// What to set aside: all lines from one warehouse, or none.
    pub struct ReservationRequest {
        pub warehouse: Slug,
        pub lines: Vec<Line>,
    }
}

mirror! {
    /// A book in the catalog.
    pub struct Book from CatalogEntryView {
        /// The ISBN-13, digits only.
        pub isbn: String,
        pub title: String,
        pub genres: Vec<String>,
        /// Withdrawn from sale: nothing more can be reserved.
        pub unavailable: bool,
    }

    /// A book's stock over all warehouses.
    pub struct Stock from StockReport {
        pub isbn: String,
        /// Copies that can still be reserved, over all warehouses (0 when withdrawn).
        pub available: u64,
        pub warehouses: Vec<WarehouseLedger>,
    }

    /// One book's ledger at one warehouse. It balances: `received + transferred_in = on_hand +
    /// shipped + damaged + lost + in_transit + transferred_out`.
    pub struct WarehouseLedger from WarehouseStock {
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
    pub struct Transfer from TransferView {
        pub transfer_id: String,
        pub isbn: String,
        pub from: String,
        pub to: String,
        pub quantity: u32,
    }

    /// An order's reservation.
    pub struct Reservation from ReservationView {
        pub order_id: String,
        pub status: ReservationStatus,
        /// Absent only for `unrequested`.
        pub warehouse: Option<String>,
        /// What is (or was) held; empty unless held, released, shipped or lost.
        pub lines: Vec<Line>,
        /// Why the last request was refused; only for `rejected`.
        pub rejection: Option<ReservationRejection>,
    }

    #[serde(deny_unknown_fields)]
    pub struct Line from StockLine {
        #[schema(value_type = String, example = "9780141439518")]
        pub isbn: String,
        pub quantity: u32,
    }

    #[serde(rename_all = "kebab-case")]
    pub enum ReservationStatus from PortStatus {
        Unrequested,
        Rejected,
        Held,
        Released,
        Shipped,
        /// Shipped, then lost in transit: shipping reported the parcel damaged.
        Lost,
    }

    pub struct ReservationRejection from RejectionView {
        pub reason: String,
        pub shortages: Vec<Shortage>,
    }

    pub struct Shortage from ShortageView {
        pub isbn: String,
        pub requested: u32,
        pub available: u64,
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

/// List a book in the catalog.
#[utoipa::path(
    request_body = NewBook,
    responses(
        (status = 201, description = "Listed (or already listed as such); `Location` is the book", body = Accepted<Book>,
            headers(("Location" = String))),
        (status = 409, description = "Already listed with another title or other genres"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[post("/books")]
pub async fn add(state: State, body: Json<NewBook>) -> Reply {
    let NewBook { isbn, title, genres } = body.into_inner();
    let executed = state.execute(AddBook { isbn: isbn.into(), title, genres }).await?;
    Ok(reply::created(executed, |book: &Book| format!("/books/{}", book.isbn)))
}

/// A book in the catalog.
#[utoipa::path(
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "The book", body = Book),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[get("/books/{isbn}")]
pub async fn get_book(state: State, path: Path<Isbn>) -> Answer<Book> {
    Ok(Json(state.query(queries::CatalogEntry { isbn: path.into_inner().into() }).await?.into()))
}

/// Revise a book's title and genres.
#[utoipa::path(
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    request_body = BookRevision,
    responses(
        (status = 200, description = "Revised", body = Accepted<Book>),
        (status = 404, description = "Not in the catalog"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/books/{isbn}")]
pub async fn revise(state: State, path: Path<Isbn>, body: Json<BookRevision>) -> Reply {
    let BookRevision { title, genres } = body.into_inner();
    Ok(reply::ok::<Book>(state.execute(ReviseBook { isbn: path.into_inner().into(), title, genres }).await?))
}

/// Withdraw a book from sale: nothing more of it can be reserved.
#[utoipa::path(
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "Withdrawn", body = Accepted<Book>),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[put("/books/{isbn}/withdrawal")]
pub async fn withdraw(state: State, path: Path<Isbn>) -> Reply {
    Ok(reply::ok::<Book>(state.execute(MarkBookUnavailable { isbn: path.into_inner().into() }).await?))
}

/// Put a withdrawn book back on sale.
#[utoipa::path(
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "On sale", body = Accepted<Book>),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[delete("/books/{isbn}/withdrawal")]
pub async fn put_back_on_sale(state: State, path: Path<Isbn>) -> Reply {
    Ok(reply::ok::<Book>(state.execute(MarkBookAvailable { isbn: path.into_inner().into() }).await?))
}

/// A book's stock, per warehouse.
#[utoipa::path(
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "Its ledgers", body = Stock),
        (status = 404, description = "Not in the catalog"),
    )
)]
#[get("/books/{isbn}/stock")]
pub async fn stock(state: State, path: Path<Isbn>) -> Answer<Stock> {
    Ok(Json(state.query(queries::Stock { isbn: path.into_inner().into() }).await?.into()))
}

/// Record a publisher's shipment received at a warehouse.
#[utoipa::path(
    params(("warehouse" = Slug, Path, description = "The warehouse: `dallas` or `chicago`")),
    request_body = Copies,
    responses(
        (status = 200, description = "Received; the book's ledger there", body = Accepted<WarehouseLedger>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[post("/warehouses/{warehouse}/shipments-received")]
pub async fn receive_shipment(state: State, path: Path<Slug>, body: Json<Copies>) -> Reply {
    let (Copies { isbn, quantity }, warehouse) = (body.into_inner(), path.into_inner().into());
    let executed = state.execute(ReceiveShipment { isbn: isbn.into(), warehouse, quantity }).await?;
    Ok(reply::ok::<WarehouseLedger>(executed))
}

/// Write off free copies found damaged.
#[utoipa::path(
    params(("warehouse" = Slug, Path, description = "The warehouse: `dallas` or `chicago`")),
    request_body = Copies,
    responses(
        (status = 200, description = "Written off; the book's ledger there", body = Accepted<WarehouseLedger>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "Not that many free copies, or a field is refused"),
    )
)]
#[post("/warehouses/{warehouse}/damaged-copies")]
pub async fn record_damaged_copies(state: State, path: Path<Slug>, body: Json<Copies>) -> Reply {
    let (Copies { isbn, quantity }, warehouse) = (body.into_inner(), path.into_inner().into());
    let executed = state.execute(RecordDamagedCopies { isbn: isbn.into(), warehouse, quantity }).await?;
    Ok(reply::ok::<WarehouseLedger>(executed))
}

/// Write off free copies found missing.
#[utoipa::path(
    params(("warehouse" = Slug, Path, description = "The warehouse: `dallas` or `chicago`")),
    request_body = Copies,
    responses(
        (status = 200, description = "Written off; the book's ledger there", body = Accepted<WarehouseLedger>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "Not that many free copies, or a field is refused"),
    )
)]
#[post("/warehouses/{warehouse}/lost-copies")]
pub async fn record_lost_copies(state: State, path: Path<Slug>, body: Json<Copies>) -> Reply {
    let (Copies { isbn, quantity }, warehouse) = (body.into_inner(), path.into_inner().into());
    let executed = state.execute(RecordLostCopies { isbn: isbn.into(), warehouse, quantity }).await?;
    Ok(reply::ok::<WarehouseLedger>(executed))
}

/// Dispatch a transfer of free copies.
#[utoipa::path(
    request_body = NewTransfer,
    responses(
        (status = 200, description = "Dispatched; the reply carries the transfer's id", body = Accepted<Transfer>),
        (status = 404, description = "The book is not in the catalog"),
        (status = 422, description = "Not that many free copies, or a field is refused"),
    )
)]
#[post("/transfers")]
pub async fn dispatch(state: State, body: Json<NewTransfer>) -> Reply {
    let NewTransfer { isbn, from, to, quantity } = body.into_inner();
    let command = DispatchTransfer { isbn: isbn.into(), from: from.into(), to: to.into(), quantity };
    Ok(reply::ok::<Transfer>(state.execute(command).await?))
}

/// Receive a transfer at its destination.
#[utoipa::path(
    params(("transfer_id" = Uuid, Path, description = "The transfer's id, as dispatched")),
    request_body = TransferReceipt,
    responses(
        (status = 200, description = "Received", body = Accepted<Transfer>),
        (status = 404, description = "No such transfer in transit"),
    )
)]
#[put("/transfers/{transfer_id}/receipt")]
pub async fn receive(state: State, path: Path<Uuid>, body: Json<TransferReceipt>) -> Reply {
    let TransferReceipt { isbn, from } = body.into_inner();
    let command = ReceiveTransfer { isbn: isbn.into(), from: from.into(), transfer_id: path.into_inner().to_string() };
    Ok(reply::ok::<Transfer>(state.execute(command).await?))
}

/// Reserve copies for an order (all lines or none: a request that cannot be served answers a
/// `rejected` reservation, not an error).
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = ReservationRequest,
    responses(
        (status = 200, description = "The reservation, held or rejected", body = Accepted<Reservation>),
        (status = 409, description = "The order already holds a different reservation"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/reservations/{order_id}")]
pub async fn reserve(state: State, path: Path<Uuid>, body: Json<ReservationRequest>) -> Reply {
    let request = body.into_inner();
    let mut lines = Vec::with_capacity(request.lines.len());
    for line in request.lines {
        let isbn = Isbn::parse(&line.isbn).map_err(|e| Problem::invalid_input(format!("lines: {e}")))?;
        lines.push(StockLine { isbn: isbn.into(), quantity: line.quantity });
    }
    let command = ReserveStock { order_id: path.into_inner().to_string(), warehouse: request.warehouse.into(), lines };
    Ok(reply::ok::<Reservation>(state.execute(command).await?))
}

/// An order's reservation.
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses((status = 200, description = "The reservation (`unrequested` if none was asked)", body = Reservation))
)]
#[get("/reservations/{order_id}")]
pub async fn reservation(state: State, path: Path<Uuid>) -> Answer<Reservation> {
    Ok(Json(state.query(queries::Reservation { order_id: path.into_inner().to_string() }).await?.into()))
}

/// Release an order's reservation: the copies go back on the shelf.
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "Released", body = Accepted<Reservation>),
        (status = 404, description = "The order holds no reservation"),
        (status = 422, description = "Already shipped"),
    )
)]
#[put("/reservations/{order_id}/release")]
pub async fn release(state: State, path: Path<Uuid>) -> Reply {
    Ok(reply::ok::<Reservation>(state.execute(ReleaseReservation { order_id: path.into_inner().to_string() }).await?))
}

/// Ship an order's reservation: the copies leave the warehouse.
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "Shipped", body = Accepted<Reservation>),
        (status = 404, description = "The order holds no reservation"),
        (status = 422, description = "Already released"),
    )
)]
#[put("/reservations/{order_id}/shipment")]
pub async fn ship(state: State, path: Path<Uuid>) -> Reply {
    Ok(reply::ok::<Reservation>(state.execute(ShipReservation { order_id: path.into_inner().to_string() }).await?))
}
