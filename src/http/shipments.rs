//! `/shipments`: parcels. Orders requests them by message; an operator may request one
//! (PUT: the same terms again change nothing), find them by order or find the stalled ones,
//! and give a stalled one a fresh round of carrier retries (its `resumption`).

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use shipping::ports::{
    queries, Amount, BookLine, CarrierCallView, ShipmentRequest, ShipmentStatus as PortStatus, ShipmentView,
    ShippingCommand, ShippingError, StallView,
};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::input::{Isbn, Slug};
use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted, Money, PostalAddress};
use crate::http::state::AppState;

/// The terms of a shipment.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShippedBook {
    #[schema(value_type = String, example = "9780141439518")]
    pub isbn: String,
    pub title: String,
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

/// A shipment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Shipment {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ShipmentStatus {
    AwaitingDispatch,
    InTransit,
    Delivered,
    /// No one was home three times: back to the warehouse.
    Returned,
    /// Damaged in transit and recorded as lost.
    Lost,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CarrierCall {
    /// `dispatch` or `delivery-attempt`.
    pub call: String,
    pub attempt: Option<u8>,
    /// RFC 3339.
    pub due_at: String,
    pub failed_tries: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Stall {
    pub call: String,
    pub attempt: Option<u8>,
    pub failed_tries: u32,
    pub last_fault: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Shipments {
    pub shipments: Vec<Shipment>,
}

fn money(amount: Amount) -> Money {
    Money { amount_cents: u64::try_from(amount.amount_cents).unwrap_or(0), currency: amount.currency }
}

impl From<ShipmentView> for Shipment {
    fn from(v: ShipmentView) -> Self {
        let a = v.address;
        Self {
            shipment_id: v.shipment_id,
            order_ids: v.order_ids,
            status: match v.status {
                PortStatus::AwaitingDispatch => ShipmentStatus::AwaitingDispatch,
                PortStatus::InTransit => ShipmentStatus::InTransit,
                PortStatus::Delivered => ShipmentStatus::Delivered,
                PortStatus::Returned => ShipmentStatus::Returned,
                PortStatus::Lost => ShipmentStatus::Lost,
            },
            requested_at: v.requested_at.to_string(),
            warehouse: v.warehouse,
            address: PostalAddress {
                line1: a.line1,
                line2: a.line2,
                city: a.city,
                state: a.state,
                postal_code: a.postal_code,
                country: a.country,
            },
            books: v.books.into_iter().map(|b| ShippedBook { isbn: b.isbn, title: b.title }).collect(),
            insured_value: money(v.insured_value),
            carrier: v.carrier,
            tracking_number: v.tracking_number,
            attempts: v.attempts,
            next_call: v.next_call.map(|CarrierCallView { call, attempt, due_at, failed_tries }| CarrierCall {
                call,
                attempt,
                due_at: due_at.to_string(),
                failed_tries,
            }),
            stalled: v.stalled.map(|StallView { call, attempt, failed_tries, last_fault }| Stall {
                call,
                attempt,
                failed_tries,
                last_fault,
            }),
            insurance_claim: v.insurance_claim.map(money),
        }
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

async fn shipment_command(state: &AppState, command: ShippingCommand) -> Result<HttpResponse, Problem> {
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, Shipment::from(executed.reply.clone())))
}

/// Request a shipment (it is dispatched to the carrier at once).
#[utoipa::path(
    tag = "shipping",
    params(("shipment_id" = Uuid, Path, description = "The shipment's id, chosen by the caller")),
    request_body = ShipmentTerms,
    responses(
        (status = 200, description = "Requested (or already requested on these terms)", body = Accepted<Shipment>),
        (status = 409, description = "Requested before with other terms, or an order is in another shipment"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/shipments/{shipment_id}")]
pub async fn request(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<ShipmentTerms>,
) -> Result<HttpResponse, Problem> {
    let terms = body.into_inner();
    let mut books = Vec::with_capacity(terms.books.len());
    for book in terms.books {
        let isbn = Isbn::parse(&book.isbn).map_err(|e| Problem::invalid_input(format!("books: {e}")))?;
        books.push(BookLine { isbn: isbn.into(), title: book.title });
    }
    let amount_cents = i64::try_from(terms.insured_value.amount_cents)
        .map_err(|_| Problem::invalid_input("insured_value.amount_cents: too large"))?;
    let a = terms.address;
    let shipment_request = ShipmentRequest {
        shipment_id: path.into_inner().to_string(),
        order_ids: terms.order_ids.iter().map(Uuid::to_string).collect(),
        warehouse: terms.warehouse.into(),
        address: shipping::ports::PostalAddress {
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            state: a.state,
            postal_code: a.postal_code,
            country: a.country,
        },
        books,
        insured_value: Amount { amount_cents, currency: terms.insured_value.currency },
    };
    shipment_command(&state, ShippingCommand::RequestShipment(Box::new(shipment_request))).await
}

/// A shipment.
#[utoipa::path(
    tag = "shipping",
    params(("shipment_id" = Uuid, Path, description = "The shipment's id")),
    responses(
        (status = 200, description = "The shipment", body = Shipment),
        (status = 404, description = "No such shipment"),
    )
)]
#[get("/shipments/{shipment_id}")]
pub async fn shipment(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<web::Json<Shipment>, Problem> {
    let view = state.query(queries::Shipment { shipment_id: path.into_inner().to_string() }).await?;
    Ok(web::Json(Shipment::from(view)))
}

/// Find shipments: those carrying an order (`order_id`), or the stalled ones (`stalled=true`).
#[utoipa::path(
    tag = "shipping",
    params(ShipmentFilter),
    responses((status = 200, description = "The shipments", body = Shipments))
)]
#[get("/shipments")]
pub async fn shipments(
    state: web::Data<AppState>,
    filter: web::Query<ShipmentFilter>,
) -> Result<web::Json<Shipments>, Problem> {
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
    Ok(web::Json(Shipments { shipments: found.into_iter().map(Shipment::from).collect() }))
}

/// Give a stalled shipment a fresh round of carrier retries (the due call is made at once).
#[utoipa::path(
    tag = "shipping",
    params(("shipment_id" = Uuid, Path, description = "The shipment's id")),
    responses(
        (status = 200, description = "Resumed", body = Accepted<Shipment>),
        (status = 404, description = "No such shipment"),
        (status = 422, description = "It is not stalled, or it has ended"),
    )
)]
#[put("/shipments/{shipment_id}/resumption")]
pub async fn resume(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    shipment_command(&state, ShippingCommand::ResumeShipment { shipment_id: path.into_inner().to_string() }).await
}
