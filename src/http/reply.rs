//! How an accepted command answers: the reply, the context that handled it, and the position
//! its events reached in that context's log (read-your-writes: a reader that has seen this
//! position has seen the command's effects), in the body and in the `Bookbox-Position` header
//! (`<context>:<position>`). And the DTOs that several resources share.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::runtime::Executed;

/// The header that carries a command's position: `<context>:<position>`.
pub const POSITION_HEADER: &str = "Bookbox-Position";

/// An accepted command.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Accepted<T> {
    /// The context that handled the command.
    pub context: String,
    /// The position of the command's last event in the context's log (read-your-writes: a
    /// reader at this position sees the command's effects); null when the command changed
    /// nothing (asking for what is already so).
    pub position: Option<u64>,
    pub reply: T,
}

/// Builds the response of an accepted command: `status` (200, or 201 with a `Location`).
pub fn accepted<R, T: Serialize>(
    status: StatusCode,
    executed: &Executed<R>,
    reply: T,
    location: Option<String>,
) -> HttpResponse {
    let (context, position) = (executed.context, executed.position.map(|p| p.get()));
    let mut response = HttpResponse::build(status);
    if let Some(position) = position {
        if let Ok(value) = HeaderValue::from_str(&format!("{context}:{position}")) {
            response.insert_header((POSITION_HEADER, value));
        }
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.insert_header((header::LOCATION, location));
    }
    response.json(Accepted { context: context.to_owned(), position, reply })
}

/// `200 OK` with the command's reply.
pub fn ok<R, T: Serialize>(executed: &Executed<R>, reply: T) -> HttpResponse {
    accepted(StatusCode::OK, executed, reply, None)
}

/// `201 Created` with the command's reply and where the new resource lives.
pub fn created<R, T: Serialize>(executed: &Executed<R>, reply: T, location: String) -> HttpResponse {
    accepted(StatusCode::CREATED, executed, reply, Some(location))
}

/// A US postal address as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"line1": "1 Main St", "city": "Austin", "state": "TX", "postal_code": "78701", "country": "US"}))]
pub struct PostalAddress {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    /// A USPS two-letter code, e.g. `TX`.
    pub state: String,
    /// `12345` or `12345-6789`.
    pub postal_code: String,
    /// `US`: the only country Bookbox ships to.
    pub country: String,
}

/// An amount of money: integer cents and a currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_cents": 2999, "currency": "USD"}))]
pub struct Money {
    pub amount_cents: u64,
    /// An ISO 4217 code: `USD`.
    pub currency: String,
}
