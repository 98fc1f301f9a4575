//! `/shipments`: parcels. Orders requests them by message; an operator may request one
//! (PUT: the same terms again change nothing), find them by order or find the stalled ones,
//! and give a stalled one a fresh round of carrier retries (its `resumption`).

use actix_web::web::{Json, Path, Query};
use actix_web::{get, put};
use serde::{Deserialize, Serialize};
use shipping::ports::{
    queries, Amount, BookLine, CarrierCallView, ShipmentRequest, ShipmentStatus as PortStatus, ShipmentView,
    ShippingCommand, ShippingError, StallView,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::input::{bodies, Isbn, Slug};
use crate::http::mirror::{mirror, FromView};
use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted, Answer, Money, PostalAddress, Reply};
use crate::http::state::State;

/// Shipping's routes.
pub fn routes(config: &mut ServiceConfig) {
    config.service(request).service(shipment).service(shipments).service(resume);
}

bodies! {
    /// The terms of a shipment.
    pub struct ShipmentTerms {
        /// The orders the parcel carries (one, or two combined).
        pub order_ids: Vec<Uuid>,
        /// Where to pick it up: `dallas` or `chicago`.
        pub warehouse: Slug,
        pub address: PostalAddress,
        pub books: Vec<ShippedBook>,
        /// What the carrier's insurance covers.
        pub insured_value: Money,
    }
}

mirror! {
    #[serde(deny_unknown_fields)]
    pub struct ShippedBook from BookLine {
        #[schema(value_type = String, example = "9780141439518")]
        pub isbn: String,
        pub title: String,
    }

    /// A shipment.
    pub struct Shipment from ShipmentView {
        pub shipment_id: String,
        pub order_ids: Vec<String>,
        pub status: ShipmentStatus,
        /// RFC 3339.
        pub requested_at: String,
        pub warehouse: String,
        pub address: PostalAddress,
        pub books: Vec<ShippedBook>,
        pub insured_value: Money,
        /// Once dispatched.
        pub carrier: Option<String>,
        pub tracking_number: Option<String>,
        /// Delivery attempts made: 0 to 3.
        pub attempts: u8,
        /// The carrier call scheduled next; none once ended or while stalled.
        pub next_call: Option<CarrierCall>,
        /// Why the shipment waits for an operator, if it does.
        pub stalled: Option<Stall>,
        /// Only for a `lost` shipment: the claim filed under its insurance policy.
        pub insurance_claim: Option<Money>,
    }

    #[serde(rename_all = "kebab-case")]
    pub enum ShipmentStatus from PortStatus {
        AwaitingDispatch,
        InTransit,
        Delivered,
        /// No one was home three times: back to the warehouse.
        Returned,
        /// Damaged in transit and recorded as lost.
        Lost,
    }

    pub struct CarrierCall from CarrierCallView {
        /// `dispatch` or `delivery-attempt`.
        pub call: String,
        pub attempt: Option<u8>,
        /// RFC 3339.
        pub due_at: String,
        pub failed_tries: u32,
    }

    pub struct Stall from StallView {
        pub call: String,
        pub attempt: Option<u8>,
        pub failed_tries: u32,
        pub last_fault: String,
    }
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ShipmentFilter {
    /// The shipments carrying this order (at most one).
    pub order_id: Option<Uuid>,
    /// `true`: the shipments whose carrier retries ran out, waiting for an operator.
    pub stalled: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Shipments {
    pub shipments: Vec<Shipment>,
}

/// Shipping counts in signed cents; the API's money is never negative.
impl FromView<Amount> for Money {
    fn from_view(amount: Amount) -> Self {
        Money { amount_cents: u64::try_from(amount.amount_cents).unwrap_or(0), currency: amount.currency }
    }
}

impl Rejection for ShippingError {
    fn kind(&self) -> Kind {
        match self {
            Self::InvalidInput { .. } | Self::NotStalled { .. } | Self::ShipmentEnded { .. } => Kind::Rejected,
            Self::UnknownShipment { .. } => Kind::NotFound,
            Self::ConflictingRequest { .. } | Self::OrderInAnotherShipment { .. } => Kind::Conflict,
            Self::ShipmentDisagrees { .. } => Kind::Internal,
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::InvalidInput { field, .. } => Some(field.clone()),
            Self::OrderInAnotherShipment { .. } => Some("order_ids".to_owned()),
            _ => None,
        }
    }
}

/// Request a shipment (it is dispatched to the carrier at once).
#[utoipa::path(
    params(("shipment_id" = Uuid, Path, description = "The shipment's id, chosen by the caller")),
    request_body = ShipmentTerms,
    responses(
        (status = 200, description = "Requested (or already requested on these terms)", body = Accepted<Shipment>),
        (status = 409, description = "Requested before with other terms, or an order is in another shipment"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/shipments/{shipment_id}")]
pub async fn request(state: State, path: Path<Uuid>, body: Json<ShipmentTerms>) -> Reply {
    let terms = body.into_inner();
    let mut books = Vec::with_capacity(terms.books.len());
    for book in terms.books {
        let isbn = Isbn::parse(&book.isbn).map_err(|e| Problem::invalid_input(format!("books: {e}")))?;
        books.push(BookLine { isbn: isbn.into(), title: book.title });
    }
    let amount_cents = i64::try_from(terms.insured_value.amount_cents)
        .map_err(|_| Problem::invalid_input("insured_value.amount_cents: too large"))?;
    let shipment_request = ShipmentRequest {
        shipment_id: path.into_inner().to_string(),
        order_ids: terms.order_ids.iter().map(Uuid::to_string).collect(),
        warehouse: terms.warehouse.into(),
        address: terms.address.into(),
        books,
        insured_value: Amount { amount_cents, currency: terms.insured_value.currency },
    };
    let executed = state.execute(ShippingCommand::RequestShipment(Box::new(shipment_request))).await?;
    Ok(reply::ok::<Shipment>(executed))
}

/// A shipment.
#[utoipa::path(
    params(("shipment_id" = Uuid, Path, description = "The shipment's id")),
    responses(
        (status = 200, description = "The shipment", body = Shipment),
        (status = 404, description = "No such shipment"),
    )
)]
#[get("/shipments/{shipment_id}")]
pub async fn shipment(state: State, path: Path<Uuid>) -> Answer<Shipment> {
    Ok(Json(state.query(queries::Shipment { shipment_id: path.into_inner().to_string() }).await?.into()))
}

/// Find shipments: those carrying an order (`order_id`), or the stalled ones (`stalled=true`).
#[utoipa::path(
    params(ShipmentFilter),
    responses((status = 200, description = "The shipments", body = Shipments))
)]
#[get("/shipments")]
pub async fn shipments(state: State, filter: Query<ShipmentFilter>) -> Answer<Shipments> {
    let found = match filter.into_inner() {
        ShipmentFilter { order_id: Some(order_id), stalled: None } => {
            state.query(queries::ShipmentsOfOrder { order_id: order_id.to_string() }).await?
        }
        ShipmentFilter { order_id: None, stalled: Some(true) } => state.query(queries::StalledShipments).await?,
        _ => {
            return Err(Problem::new(
                Kind::InvalidQuery,
                "give one filter: `order_id=<uuid>` or `stalled=true` (shipments are not listed whole)",
            ))
        }
    };
    Ok(Json(Shipments { shipments: FromView::from_view(found) }))
}

/// Give a stalled shipment a fresh round of carrier retries (the due call is made at once).
#[utoipa::path(
    params(("shipment_id" = Uuid, Path, description = "The shipment's id")),
    responses(
        (status = 200, description = "Resumed", body = Accepted<Shipment>),
        (status = 404, description = "No such shipment"),
        (status = 422, description = "It is not stalled, or it has ended"),
    )
)]
#[put("/shipments/{shipment_id}/resumption")]
pub async fn resume(state: State, path: Path<Uuid>) -> Reply {
    let command = ShippingCommand::ResumeShipment { shipment_id: path.into_inner().to_string() };
    Ok(reply::ok::<Shipment>(state.execute(command).await?))
}
