//! Curation's other resources: the box curated for a subscription in a month (and a
//! `retries` collection to curate a failed one again), the books a customer has received,
//! and what curation holds of customers and books (its replicas, to check replication).

use actix_web::{get, post, web, HttpResponse};
use curation::ports::{
    queries, BookReplicaView, CuratedBoxStatus, CuratedBoxView, CurationError, CustomerReplicaView, ReceivedBooksView,
    RetryCuration,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::input::{Isbn, Month};
use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct BoxPath {
    /// The subscription's id.
    pub subscription_id: Uuid,
    /// The month, `YYYY-MM`.
    #[param(value_type = String)]
    pub month: Month,
}

/// The box curated for a subscription in a month.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CuratedBox {
    pub subscription_id: String,
    pub month: String,
    pub status: CurationStatus,
    pub customer_id: String,
    pub payer_id: String,
    /// Only once curated.
    pub box_id: Option<String>,
    /// Best match first; empty unless curated.
    pub books: Vec<CuratedBook>,
    /// Why the last attempt failed; only for `failed`.
    pub failure: Option<CurationFailure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CurationStatus {
    Curated,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CuratedBook {
    pub isbn: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CurationFailure {
    pub reason: String,
    pub detail: String,
}

/// Every book a customer has received, by month then ISBN.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceivedBooks {
    pub customer_id: String,
    pub books: Vec<ReceivedBook>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReceivedBook {
    pub isbn: String,
    pub month: String,
    pub box_id: String,
}

/// What curation holds of a customer's profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerReplica {
    pub customer_id: String,
    pub preferences: Vec<String>,
    /// `line1, [line2, ]city, state postal_code, country`.
    pub shipping_address: String,
    pub version: Option<u64>,
}

/// What curation holds of a book.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BookReplica {
    pub isbn: String,
    pub title: String,
    pub genres: Vec<String>,
    pub available: u64,
    pub version: Option<u64>,
}

impl From<CuratedBoxView> for CuratedBox {
    fn from(v: CuratedBoxView) -> Self {
        Self {
            subscription_id: v.subscription_id,
            month: v.month,
            status: match v.status {
                CuratedBoxStatus::Curated => CurationStatus::Curated,
                CuratedBoxStatus::Failed => CurationStatus::Failed,
            },
            customer_id: v.customer_id,
            payer_id: v.payer_id,
            box_id: v.box_id,
            books: v.books.into_iter().map(|b| CuratedBook { isbn: b.isbn, title: b.title }).collect(),
            failure: v.failure.map(|f| CurationFailure { reason: f.reason, detail: f.detail }),
        }
    }
}

impl From<ReceivedBooksView> for ReceivedBooks {
    fn from(v: ReceivedBooksView) -> Self {
        Self {
            customer_id: v.customer_id,
            books: v
                .books
                .into_iter()
                .map(|b| ReceivedBook { isbn: b.isbn, month: b.month, box_id: b.box_id })
                .collect(),
        }
    }
}

impl From<CustomerReplicaView> for CustomerReplica {
    fn from(v: CustomerReplicaView) -> Self {
        Self {
            customer_id: v.customer_id,
            preferences: v.preferences,
            shipping_address: v.shipping_address,
            version: v.version,
        }
    }
}

impl From<BookReplicaView> for BookReplica {
    fn from(v: BookReplicaView) -> Self {
        Self { isbn: v.isbn, title: v.title, genres: v.genres, available: v.available, version: v.version }
    }
}

impl Rejection for CurationError {
    fn kind(&self) -> Kind {
        match self {
            Self::InvalidInput { .. } | Self::NothingToRetry { .. } => Kind::Rejected,
            Self::SelectionAlreadyFinalized { .. } | Self::AlreadyCurated { .. } => Kind::Conflict,
            Self::HistoryDisagrees { .. } => Kind::Internal,
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::InvalidInput { field, .. } => Some(field.clone()),
            _ => None,
        }
    }
}

/// The box curated for a subscription in a month (or why curating it failed).
#[utoipa::path(
    tag = "curation",
    params(BoxPath),
    responses(
        (status = 200, description = "The box", body = CuratedBox),
        (status = 404, description = "No box was due for the subscription that month (or not yet curated)"),
    )
)]
#[get("/subscriptions/{subscription_id}/curated-boxes/{month}")]
pub async fn curated_box(
    state: web::Data<AppState>,
    path: web::Path<BoxPath>,
) -> Result<web::Json<CuratedBox>, Problem> {
    let BoxPath { subscription_id, month } = path.into_inner();
    let query = queries::CuratedBox { subscription_id: subscription_id.to_string(), month: month.into() };
    Ok(web::Json(state.query(query).await?.into()))
}

/// Curate a failed box again (e.g. once the month's selection is finalized).
#[utoipa::path(
    tag = "curation",
    params(BoxPath),
    responses(
        (status = 200, description = "Tried again; the box as it now stands", body = Accepted<CuratedBox>),
        (status = 409, description = "The box is already curated"),
        (status = 422, description = "No failed box to retry"),
    )
)]
#[post("/subscriptions/{subscription_id}/curated-boxes/{month}/retries")]
pub async fn retry_curation(state: web::Data<AppState>, path: web::Path<BoxPath>) -> Result<HttpResponse, Problem> {
    let BoxPath { subscription_id, month } = path.into_inner();
    let command = RetryCuration { subscription_id: subscription_id.to_string(), month: month.into() };
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, CuratedBox::from(executed.reply.clone())))
}

/// Every book a customer has received.
#[utoipa::path(
    tag = "curation",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses((status = 200, description = "The books, by month", body = ReceivedBooks))
)]
#[get("/customers/{customer_id}/received-books")]
pub async fn received_books(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<web::Json<ReceivedBooks>, Problem> {
    let query = queries::ReceivedBooks { customer_id: path.into_inner().to_string() };
    Ok(web::Json(state.query(query).await?.into()))
}

/// What curation holds of a customer (its replica of the customer's profile).
#[utoipa::path(
    tag = "curation",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The replica", body = CustomerReplica),
        (status = 404, description = "Curation has not heard of the customer"),
    )
)]
#[get("/curation/customer-replicas/{customer_id}")]
pub async fn customer_replica(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<web::Json<CustomerReplica>, Problem> {
    let query = queries::CustomerReplica { customer_id: path.into_inner().to_string() };
    Ok(web::Json(state.query(query).await?.into()))
}

/// What curation holds of a book (its replica of the catalog entry and availability).
#[utoipa::path(
    tag = "curation",
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "The replica", body = BookReplica),
        (status = 404, description = "Curation has not heard of the book"),
    )
)]
#[get("/curation/book-replicas/{isbn}")]
pub async fn book_replica(
    state: web::Data<AppState>,
    path: web::Path<Isbn>,
) -> Result<web::Json<BookReplica>, Problem> {
    let query = queries::BookReplica { isbn: path.into_inner().into() };
    Ok(web::Json(state.query(query).await?.into()))
}
