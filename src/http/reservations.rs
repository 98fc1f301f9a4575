//! `/reservations/{order_id}`: copies set aside for an order. The orders context drives
//! these by messages; the routes let an operator see and, when a process is stuck, act:
//! reserve (PUT), `release`, `shipment`.

use actix_web::{get, put, web, HttpResponse};
use inventory::ports::{
    queries, RejectionView, ReleaseReservation, ReservationStatus as PortStatus, ReservationView, ReserveStock,
    ShipReservation, StockLine,
};
use inventory::InventoryContext;
use kernel::context::{Command, Handles};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::input::{Isbn, Slug};
use crate::http::problem::Problem;
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

/// What to set aside: all lines from one warehouse, or none.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReservationRequest {
    pub warehouse: Slug,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Line {
    #[schema(value_type = String, example = "9780141439518")]
    pub isbn: String,
    pub quantity: u32,
}

/// An order's reservation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Reservation {
    pub order_id: String,
    pub status: ReservationStatus,
    /// Absent only for `unrequested`.
    pub warehouse: Option<String>,
    /// What is (or was) held; empty unless held, released, shipped or lost.
    pub lines: Vec<Line>,
    /// Why the last request was refused; only for `rejected`.
    pub rejection: Option<ReservationRejection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReservationStatus {
    Unrequested,
    Rejected,
    Held,
    Released,
    Shipped,
    /// Shipped, then lost in transit: shipping reported the parcel damaged.
    Lost,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReservationRejection {
    pub reason: String,
    pub shortages: Vec<Shortage>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Shortage {
    pub isbn: String,
    pub requested: u32,
    pub available: u64,
}

impl From<ReservationView> for Reservation {
    fn from(v: ReservationView) -> Self {
        Self {
            order_id: v.order_id,
            status: match v.status {
                PortStatus::Unrequested => ReservationStatus::Unrequested,
                PortStatus::Rejected => ReservationStatus::Rejected,
                PortStatus::Held => ReservationStatus::Held,
                PortStatus::Released => ReservationStatus::Released,
                PortStatus::Shipped => ReservationStatus::Shipped,
                PortStatus::Lost => ReservationStatus::Lost,
            },
            warehouse: v.warehouse,
            lines: v.lines.into_iter().map(|l| Line { isbn: l.isbn, quantity: l.quantity }).collect(),
            rejection: v.rejection.map(|RejectionView { reason, shortages }| ReservationRejection {
                reason,
                shortages: shortages
                    .into_iter()
                    .map(|s| Shortage { isbn: s.isbn, requested: s.requested, available: s.available })
                    .collect(),
            }),
        }
    }
}

async fn reservation_command<K>(state: &AppState, command: K) -> Result<HttpResponse, Problem>
where
    K: Command<Context = InventoryContext, Reply = ReservationView>,
    InventoryContext: Handles<K>,
{
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, Reservation::from(executed.reply.clone())))
}

/// Reserve copies for an order (all lines or none: a request that cannot be served answers a
/// `rejected` reservation, not an error).
#[utoipa::path(
    tag = "inventory",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = ReservationRequest,
    responses(
        (status = 200, description = "The reservation, held or rejected", body = Accepted<Reservation>),
        (status = 409, description = "The order already holds a different reservation"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/reservations/{order_id}")]
pub async fn reserve(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<ReservationRequest>,
) -> Result<HttpResponse, Problem> {
    let request = body.into_inner();
    let mut lines = Vec::with_capacity(request.lines.len());
    for line in request.lines {
        let isbn = Isbn::parse(&line.isbn).map_err(|e| Problem::invalid_input(format!("lines: {e}")))?;
        lines.push(StockLine { isbn: isbn.into(), quantity: line.quantity });
    }
    let command = ReserveStock { order_id: path.into_inner().to_string(), warehouse: request.warehouse.into(), lines };
    reservation_command(&state, command).await
}

/// An order's reservation.
#[utoipa::path(
    tag = "inventory",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses((status = 200, description = "The reservation (`unrequested` if none was asked)", body = Reservation))
)]
#[get("/reservations/{order_id}")]
pub async fn reservation(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<web::Json<Reservation>, Problem> {
    let view = state.query(queries::Reservation { order_id: path.into_inner().to_string() }).await?;
    Ok(web::Json(view.into()))
}

/// Release an order's reservation: the copies go back on the shelf.
#[utoipa::path(
    tag = "inventory",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "Released", body = Accepted<Reservation>),
        (status = 404, description = "The order holds no reservation"),
        (status = 422, description = "Already shipped"),
    )
)]
#[put("/reservations/{order_id}/release")]
pub async fn release(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    reservation_command(&state, ReleaseReservation { order_id: path.into_inner().to_string() }).await
}

/// Ship an order's reservation: the copies leave the warehouse.
#[utoipa::path(
    tag = "inventory",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "Shipped", body = Accepted<Reservation>),
        (status = 404, description = "The order holds no reservation"),
        (status = 422, description = "Already released"),
    )
)]
#[put("/reservations/{order_id}/shipment")]
pub async fn ship(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    reservation_command(&state, ShipReservation { order_id: path.into_inner().to_string() }).await
}
