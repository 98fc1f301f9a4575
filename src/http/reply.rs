//! How handlers answer. An accepted command answers with its reply, the context that handled
//! it, and the position its events reached in that context's log (read-your-writes: a reader
//! that has seen this position has seen the command's effects), in the body and in the
//! `Bookbox-Position` header (`<context>:<position>`); all of it taken from what the runtime
//! returned ([`Executed`]). And the DTOs that several contexts share.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::mirror::FromView;
use crate::http::problem::Problem;
use crate::runtime::Executed;

/// The header that carries a command's position: `<context>:<position>`.
pub const POSITION_HEADER: &str = "Bookbox-Position";

/// What a command's handler answers.
pub type Reply = Result<HttpResponse, Problem>;

/// What a query's handler answers: a JSON body.
pub type Answer<T> = Result<web::Json<T>, Problem>;

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

/// `200 OK`: the command's reply, shown as `D`.
pub fn ok<D: Serialize>(executed: Executed<impl Into<D>>) -> HttpResponse {
    let Executed { reply, context, position } = executed;
    accepted(StatusCode::OK, context, position, reply.into(), None)
}

/// `201 Created`: the command's reply, shown as `D`, and where the new resource lives
/// (`Location`, drawn from the reply).
pub fn created<D: Serialize>(executed: Executed<impl Into<D>>, location: impl FnOnce(&D) -> String) -> HttpResponse {
    let Executed { reply, context, position } = executed;
    let reply = reply.into();
    let location = location(&reply);
    accepted(StatusCode::CREATED, context, position, reply, Some(location))
}

fn accepted<T: Serialize>(
    status: StatusCode,
    context: &str,
    position: Option<kernel::Position>,
    reply: T,
    location: Option<String>,
) -> HttpResponse {
    let position = position.map(|p| p.get());
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

/// The contexts' postal addresses, to and from the API's: the same six fields.
macro_rules! postal_addresses {
    ($($port:path),*) => {
        $(impl From<PostalAddress> for $port {
            fn from(a: PostalAddress) -> Self {
                let PostalAddress { line1, line2, city, state, postal_code, country } = a;
                Self { line1, line2, city, state, postal_code, country }
            }
        }

        impl FromView<$port> for PostalAddress {
            fn from_view(a: $port) -> Self {
                let $port { line1, line2, city, state, postal_code, country } = a;
                Self { line1, line2, city, state, postal_code, country }
            }
        })*
    };
}
postal_addresses!(customers::ports::PostalAddress, shipping::ports::PostalAddress);

/// An amount of money: integer cents and a currency code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount_cents": 2999, "currency": "USD"}))]
pub struct Money {
    pub amount_cents: u64,
    /// An ISO 4217 code: `USD`.
    pub currency: String,
}
