//! `/customers`: registering, and the profile's parts a customer changes (email, shipping
//! address, genre preferences), each its own sub-resource rather than a PATCH of a profile.

use actix_web::web::{Json, Path, Query};
use actix_web::{get, post, put};
use customers::ports::{queries, CustomerId, CustomerProfile, CustomerReply, CustomersCommand, CustomersError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::input::bodies;
use crate::http::mirror::{ids_as_uuids, mirror};
use crate::http::problem::{Kind, Rejection};
use crate::http::reply::{self, Accepted, Answer, PostalAddress, Reply};
use crate::http::state::State;

/// The customers' routes.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(register)
        .service(find_by_email)
        .service(profile)
        .service(change_email)
        .service(change_shipping_address)
        .service(update_genre_preferences);
}

bodies! {
    /// A new customer.
    pub struct Registration {
        /// 1 to 100 characters.
        #[schema(example = "Ada Lovelace")]
        pub name: String,
        #[schema(example = "ada@example.com")]
        pub email: String,
        pub shipping_address: PostalAddress,
    }

    pub struct EmailChange {
        #[schema(example = "ada@example.org")]
        pub email: String,
    }

    pub struct GenrePreferences {
        /// Kebab-case genre names; replaces the current set.
        #[schema(example = json!(["mystery", "science-fiction"]))]
        pub genres: Vec<String>,
    }
}

mirror! {
    /// What a command on a customer did.
    pub struct CustomerChange from CustomerReply {
        pub customer_id: Uuid,
        /// The profile's version after the command.
        pub version: u64,
        /// False when the command asked for what was already so (nothing recorded).
        pub changed: bool,
    }

    /// A customer's profile.
    pub struct Customer from CustomerProfile {
        pub customer_id: Uuid,
        pub name: String,
        pub email: String,
        pub shipping_address: PostalAddress,
        pub genres: Vec<String>,
        pub version: u64,
    }
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

ids_as_uuids!(CustomerId);

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

/// Runs a command on a customer's profile, given its id.
async fn change(state: State, id: Path<Uuid>, command: impl FnOnce(CustomerId) -> CustomersCommand) -> Reply {
    let executed = state.execute(command(CustomerId::from_uuid(id.into_inner()))).await?;
    Ok(reply::ok::<CustomerChange>(executed))
}

/// Register a customer.
#[utoipa::path(
    request_body = Registration,
    responses(
        (status = 201, description = "Registered; `Location` is the new customer", body = Accepted<CustomerChange>,
            headers(("Location" = String))),
        (status = 409, description = "The email is already registered"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[post("/customers")]
pub async fn register(state: State, body: Json<Registration>) -> Reply {
    let Registration { name, email, shipping_address } = body.into_inner();
    let registration = customers::ports::Registration { name, email, shipping_address: shipping_address.into() };
    let executed = state.execute(CustomersCommand::Register(registration)).await?;
    Ok(reply::created(executed, |c: &CustomerChange| format!("/customers/{}", c.customer_id)))
}

/// Find a customer by email.
#[utoipa::path(
    params(ByEmail),
    responses(
        (status = 200, description = "The customer holding the email", body = CustomerRef),
        (status = 404, description = "No customer holds the email"),
    )
)]
#[get("/customers")]
pub async fn find_by_email(state: State, query: Query<ByEmail>) -> Answer<CustomerRef> {
    let customer_id = state.query(queries::CustomerByEmail { email: query.into_inner().email }).await?;
    Ok(Json(CustomerRef { customer_id: customer_id.as_uuid() }))
}

/// A customer's profile.
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The profile", body = Customer),
        (status = 404, description = "No such customer"),
    )
)]
#[get("/customers/{customer_id}")]
pub async fn profile(state: State, path: Path<Uuid>) -> Answer<Customer> {
    let customer_id = CustomerId::from_uuid(path.into_inner());
    Ok(Json(state.query(queries::Profile { customer_id }).await?.into()))
}

/// Change a customer's contact email.
#[utoipa::path(
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
pub async fn change_email(state: State, path: Path<Uuid>, body: Json<EmailChange>) -> Reply {
    change(state, path, |customer_id| CustomersCommand::ChangeEmail { customer_id, email: body.into_inner().email })
        .await
}

/// Change where a customer's boxes go.
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    request_body = PostalAddress,
    responses(
        (status = 200, description = "Changed (or already so)", body = Accepted<CustomerChange>),
        (status = 404, description = "No such customer"),
        (status = 422, description = "A field of the address is refused (named in `field`)"),
    )
)]
#[put("/customers/{customer_id}/shipping-address")]
pub async fn change_shipping_address(state: State, path: Path<Uuid>, body: Json<PostalAddress>) -> Reply {
    let shipping_address = body.into_inner().into();
    change(state, path, |customer_id| CustomersCommand::ChangeShippingAddress { customer_id, shipping_address }).await
}

/// Replace a customer's genre preferences.
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    request_body = GenrePreferences,
    responses(
        (status = 200, description = "Replaced (or already so)", body = Accepted<CustomerChange>),
        (status = 404, description = "No such customer"),
        (status = 422, description = "A genre is refused"),
    )
)]
#[put("/customers/{customer_id}/genre-preferences")]
pub async fn update_genre_preferences(state: State, path: Path<Uuid>, body: Json<GenrePreferences>) -> Reply {
    let genres = body.into_inner().genres;
    change(state, path, |customer_id| CustomersCommand::UpdateGenrePreferences { customer_id, genres }).await
}
