//! `/customers`: registering, and the profile's parts a customer changes (email, shipping
//! address, genre preferences), each its own sub-resource rather than a PATCH of a profile.

use actix_web::{get, post, put, web, HttpResponse};
use customers::ports::{queries, CustomerId, CustomerProfile, CustomerReply, CustomersCommand, CustomersError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted, PostalAddress};
use crate::http::state::AppState;

/// A new customer.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// 1 to 100 characters.
    #[schema(example = "Ada Lovelace")]
    pub name: String,
    #[schema(example = "ada@example.com")]
    pub email: String,
    pub shipping_address: PostalAddress,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    #[schema(example = "ada@example.org")]
    pub email: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenrePreferences {
    /// Kebab-case genre names; replaces the current set.
    #[schema(example = json!(["mystery", "science-fiction"]))]
    pub genres: Vec<String>,
}

/// What a command on a customer did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerChange {
    pub customer_id: Uuid,
    /// The profile's version after the command.
    pub version: u64,
    /// False when the command asked for what was already so (nothing recorded).
    pub changed: bool,
}

/// A customer's profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub customer_id: Uuid,
    pub name: String,
    pub email: String,
    pub shipping_address: PostalAddress,
    pub genres: Vec<String>,
    pub version: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CustomerRef {
    pub customer_id: Uuid,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ByEmail {
    /// The email to look up (compared ignoring case).
    pub email: String,
}

impl From<PostalAddress> for customers::ports::PostalAddress {
    fn from(a: PostalAddress) -> Self {
        Self {
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            state: a.state,
            postal_code: a.postal_code,
            country: a.country,
        }
    }
}

impl From<customers::ports::PostalAddress> for PostalAddress {
    fn from(a: customers::ports::PostalAddress) -> Self {
        Self {
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            state: a.state,
            postal_code: a.postal_code,
            country: a.country,
        }
    }
}

impl From<CustomerReply> for CustomerChange {
    fn from(r: CustomerReply) -> Self {
        Self { customer_id: r.customer_id.as_uuid(), version: r.version, changed: r.changed }
    }
}

impl From<CustomerProfile> for Customer {
    fn from(p: CustomerProfile) -> Self {
        Self {
            customer_id: p.customer_id.as_uuid(),
            name: p.name,
            email: p.email,
            shipping_address: p.shipping_address.into(),
            genres: p.genres,
            version: p.version,
        }
    }
}

impl Rejection for CustomersError {
    fn kind(&self) -> Kind {
        match self {
            Self::Name(_) | Self::Email(_) | Self::Address(_) | Self::Genres(_) => Kind::Rejected,
            Self::EmailAlreadyRegistered | Self::AlreadyRegistered(_) => Kind::Conflict,
            Self::UnknownCustomer(_) => Kind::NotFound,
        }
    }

    fn field(&self) -> Option<String> {
        CustomersError::field(self).map(str::to_owned)
    }
}

async fn change(state: &AppState, command: CustomersCommand) -> Result<HttpResponse, Problem> {
    let executed = state.execute(command).await?;
    let change = CustomerChange::from(executed.reply.clone());
    Ok(reply::ok(&executed, change))
}

/// Register a customer.
#[utoipa::path(
    tag = "customers",
    request_body = Registration,
    responses(
        (status = 201, description = "Registered; `Location` is the new customer", body = Accepted<CustomerChange>,
            headers(("Location" = String))),
        (status = 409, description = "The email is already registered"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[post("/customers")]
pub async fn register(state: web::Data<AppState>, body: web::Json<Registration>) -> Result<HttpResponse, Problem> {
    let body = body.into_inner();
    let command = CustomersCommand::Register(customers::ports::Registration {
        name: body.name,
        email: body.email,
        shipping_address: body.shipping_address.into(),
    });
    let executed = state.execute(command).await?;
    let change = CustomerChange::from(executed.reply.clone());
    let location = format!("/customers/{}", change.customer_id);
    Ok(reply::created(&executed, change, location))
}

/// Find a customer by email.
#[utoipa::path(
    tag = "customers",
    params(ByEmail),
    responses(
        (status = 200, description = "The customer holding the email", body = CustomerRef),
        (status = 404, description = "No customer holds the email"),
    )
)]
#[get("/customers")]
pub async fn find_by_email(
    state: web::Data<AppState>,
    query: web::Query<ByEmail>,
) -> Result<web::Json<CustomerRef>, Problem> {
    let customer_id = state.query(queries::CustomerByEmail { email: query.into_inner().email }).await?;
    Ok(web::Json(CustomerRef { customer_id: customer_id.as_uuid() }))
}

/// A customer's profile.
#[utoipa::path(
    tag = "customers",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The profile", body = Customer),
        (status = 404, description = "No such customer"),
    )
)]
#[get("/customers/{customer_id}")]
pub async fn profile(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<web::Json<Customer>, Problem> {
    let customer_id = CustomerId::from_uuid(path.into_inner());
    let view = state.query(queries::Profile { customer_id }).await?;
    Ok(web::Json(Customer::from(view)))
}

/// Change a customer's contact email.
#[utoipa::path(
    tag = "customers",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    request_body = EmailChange,
    responses(
        (status = 200, description = "Changed (or already so)", body = Accepted<CustomerChange>),
        (status = 404, description = "No such customer"),
        (status = 409, description = "Another customer holds the email"),
        (status = 422, description = "The email is refused"),
    )
)]
#[put("/customers/{customer_id}/email")]
pub async fn change_email(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<EmailChange>,
) -> Result<HttpResponse, Problem> {
    let customer_id = CustomerId::from_uuid(path.into_inner());
    change(&state, CustomersCommand::ChangeEmail { customer_id, email: body.into_inner().email }).await
}

/// Change where a customer's boxes go.
#[utoipa::path(
    tag = "customers",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    request_body = PostalAddress,
    responses(
        (status = 200, description = "Changed (or already so)", body = Accepted<CustomerChange>),
        (status = 404, description = "No such customer"),
        (status = 422, description = "A field of the address is refused (named in `field`)"),
    )
)]
#[put("/customers/{customer_id}/shipping-address")]
pub async fn change_shipping_address(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<PostalAddress>,
) -> Result<HttpResponse, Problem> {
    let customer_id = CustomerId::from_uuid(path.into_inner());
    let shipping_address = body.into_inner().into();
    change(&state, CustomersCommand::ChangeShippingAddress { customer_id, shipping_address }).await
}

/// Replace a customer's genre preferences.
#[utoipa::path(
    tag = "customers",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    request_body = GenrePreferences,
    responses(
        (status = 200, description = "Replaced (or already so)", body = Accepted<CustomerChange>),
        (status = 404, description = "No such customer"),
        (status = 422, description = "A genre is refused"),
    )
)]
#[put("/customers/{customer_id}/genre-preferences")]
pub async fn update_genre_preferences(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<GenrePreferences>,
) -> Result<HttpResponse, Problem> {
    let customer_id = CustomerId::from_uuid(path.into_inner());
    change(&state, CustomersCommand::UpdateGenrePreferences { customer_id, genres: body.into_inner().genres }).await
}
