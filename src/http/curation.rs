//! Curation's resources: the month's selection (`/selections/{month}`: a `draft` may be
//! redone; the `finalization` fixes the list for good), the box curated from it for a
//! subscription in a month (and a `retries` collection to curate a failed one again), the
//! books a customer has received, and what curation holds of customers and books (its
//! replicas, to check replication).

use actix_web::web::{Json, Path};
use actix_web::{get, post, put};
use curation::ports::{
    queries, BookReplicaView, CuratedBookView, CuratedBoxStatus, CuratedBoxView, CurationError, CustomerReplicaView,
    DraftSelection, FailureView, FinalizeSelection, ReceivedBookView, ReceivedBooksView, RetryCuration, SelectionView,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::input::{bodies, Isbn, Month};
use crate::http::mirror::mirror;
use crate::http::problem::{Kind, Rejection};
use crate::http::reply::{self, Accepted, Answer, Reply};
use crate::http::state::State;

/// Curation's routes: selections, curated boxes, received books, replicas.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(draft)
        .service(finalize)
        .service(selection)
        .service(curated_box)
        .service(retry_curation)
        .service(received_books)
        .service(customer_replica)
        .service(book_replica);
}

bodies! {
    /// The month's books.
    pub struct SelectionBooks {
        /// ISBN-13s.
        pub isbns: Vec<Isbn>,
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct BoxPath {
    /// The subscription's id.
    pub subscription_id: Uuid,
    /// The month, `YYYY-MM`.
    #[param(value_type = String)]
    pub month: Month,
}

mirror! {
    /// A month's selection.
    pub struct Selection from SelectionView {
        pub month: String,
        /// The latest draft (empty if none).
        pub draft: Vec<String>,
        /// The final list, once finalized.
        pub finalized: Option<Vec<String>>,
    }

    /// The box curated for a subscription in a month.
    pub struct CuratedBox from CuratedBoxView {
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

    #[serde(rename_all = "kebab-case")]
    pub enum CurationStatus from CuratedBoxStatus {
        Curated,
        Failed,
    }

    pub struct CuratedBook from CuratedBookView {
        pub isbn: String,
        pub title: String,
    }

    pub struct CurationFailure from FailureView {
        pub reason: String,
        pub detail: String,
    }

    /// Every book a customer has received, by month then ISBN.
    pub struct ReceivedBooks from ReceivedBooksView {
        pub customer_id: String,
        pub books: Vec<ReceivedBook>,
    }

    pub struct ReceivedBook from ReceivedBookView {
        pub isbn: String,
        pub month: String,
        pub box_id: String,
    }

    /// What curation holds of a customer's profile.
    pub struct CustomerReplica from CustomerReplicaView {
        pub customer_id: String,
        pub preferences: Vec<String>,
        /// `line1, [line2, ]city, state postal_code, country`.
        pub shipping_address: String,
        pub version: Option<u64>,
    }

    /// What curation holds of a book.
    pub struct BookReplica from BookReplicaView {
        pub isbn: String,
        pub title: String,
        pub genres: Vec<String>,
        pub available: u64,
        pub version: Option<u64>,
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

/// Propose the month's books (until the selection is finalized).
#[utoipa::path(
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    request_body = SelectionBooks,
    responses(
        (status = 200, description = "Drafted", body = Accepted<Selection>),
        (status = 409, description = "The selection is already final"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/selections/{month}/draft")]
pub async fn draft(state: State, path: Path<Month>, body: Json<SelectionBooks>) -> Reply {
    let isbns = body.into_inner().isbns.into_iter().map(String::from).collect();
    Ok(reply::ok::<Selection>(state.execute(DraftSelection { month: path.into_inner().into(), isbns }).await?))
}

/// Fix the month's books for good; boxes are curated from them.
#[utoipa::path(
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    request_body = SelectionBooks,
    responses(
        (status = 200, description = "Finalized", body = Accepted<Selection>),
        (status = 409, description = "The selection is already final (with other books)"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/selections/{month}/finalization")]
pub async fn finalize(state: State, path: Path<Month>, body: Json<SelectionBooks>) -> Reply {
    let isbns = body.into_inner().isbns.into_iter().map(String::from).collect();
    Ok(reply::ok::<Selection>(state.execute(FinalizeSelection { month: path.into_inner().into(), isbns }).await?))
}

/// A month's selection.
#[utoipa::path(
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    responses(
        (status = 200, description = "The selection", body = Selection),
        (status = 404, description = "No selection for the month"),
    )
)]
#[get("/selections/{month}")]
pub async fn selection(state: State, path: Path<Month>) -> Answer<Selection> {
    Ok(Json(state.query(queries::Selection { month: path.into_inner().into() }).await?.into()))
}

/// The box curated for a subscription in a month (or why curating it failed).
#[utoipa::path(
    params(BoxPath),
    responses(
        (status = 200, description = "The box", body = CuratedBox),
        (status = 404, description = "No box was due for the subscription that month (or not yet curated)"),
    )
)]
#[get("/subscriptions/{subscription_id}/curated-boxes/{month}")]
pub async fn curated_box(state: State, path: Path<BoxPath>) -> Answer<CuratedBox> {
    let BoxPath { subscription_id, month } = path.into_inner();
    let query = queries::CuratedBox { subscription_id: subscription_id.to_string(), month: month.into() };
    Ok(Json(state.query(query).await?.into()))
}

/// Curate a failed box again (e.g. once the month's selection is finalized).
#[utoipa::path(
    params(BoxPath),
    responses(
        (status = 200, description = "Tried again; the box as it now stands", body = Accepted<CuratedBox>),
        (status = 409, description = "The box is already curated"),
        (status = 422, description = "No failed box to retry"),
    )
)]
#[post("/subscriptions/{subscription_id}/curated-boxes/{month}/retries")]
pub async fn retry_curation(state: State, path: Path<BoxPath>) -> Reply {
    let BoxPath { subscription_id, month } = path.into_inner();
    let command = RetryCuration { subscription_id: subscription_id.to_string(), month: month.into() };
    Ok(reply::ok::<CuratedBox>(state.execute(command).await?))
}

/// Every book a customer has received.
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses((status = 200, description = "The books, by month", body = ReceivedBooks))
)]
#[get("/customers/{customer_id}/received-books")]
pub async fn received_books(state: State, path: Path<Uuid>) -> Answer<ReceivedBooks> {
    Ok(Json(state.query(queries::ReceivedBooks { customer_id: path.into_inner().to_string() }).await?.into()))
}

/// What curation holds of a customer (its replica of the customer's profile).
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The replica", body = CustomerReplica),
        (status = 404, description = "Curation has not heard of the customer"),
    )
)]
#[get("/curation/customer-replicas/{customer_id}")]
pub async fn customer_replica(state: State, path: Path<Uuid>) -> Answer<CustomerReplica> {
    Ok(Json(state.query(queries::CustomerReplica { customer_id: path.into_inner().to_string() }).await?.into()))
}

/// What curation holds of a book (its replica of the catalog entry and availability).
#[utoipa::path(
    params(("isbn" = Isbn, Path, description = "The book's ISBN")),
    responses(
        (status = 200, description = "The replica", body = BookReplica),
        (status = 404, description = "Curation has not heard of the book"),
    )
)]
#[get("/curation/book-replicas/{isbn}")]
pub async fn book_replica(state: State, path: Path<Isbn>) -> Answer<BookReplica> {
    Ok(Json(state.query(queries::BookReplica { isbn: path.into_inner().into() }).await?.into()))
}
