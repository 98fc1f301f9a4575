//! `/cycles/{month}`: a month's subscription cycle. Starting it (PUT) makes every active
//! subscription due that month fall due, and each due box goes on to curation; starting a
//! month again does nothing.

use actix_web::{get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use subscriptions::ports::{queries, CycleReport, CycleView, StartCycle};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::input::Month;
use crate::http::problem::Problem;
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

/// What starting a cycle did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CycleStarted {
    pub month: String,
    /// True when the month had already been started: this request did nothing.
    pub already_started: bool,
    /// The subscriptions whose box fell due, in id order.
    pub boxes_due: Vec<Uuid>,
}

/// A month's cycle.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Cycle {
    pub month: String,
    pub started: bool,
    pub boxes_due: u32,
}

impl From<CycleReport> for CycleStarted {
    fn from(r: CycleReport) -> Self {
        Self {
            month: r.month,
            already_started: r.already_started,
            boxes_due: r.boxes_due.iter().map(|id| id.as_uuid()).collect(),
        }
    }
}

impl From<CycleView> for Cycle {
    fn from(v: CycleView) -> Self {
        Self { month: v.month, started: v.started, boxes_due: v.boxes_due }
    }
}

/// Start a month's cycle.
#[utoipa::path(
    tag = "subscriptions",
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    responses(
        (status = 200, description = "Started (or already started)", body = Accepted<CycleStarted>),
        (status = 422, description = "The month is refused"),
    )
)]
#[put("/cycles/{month}")]
pub async fn start(state: web::Data<AppState>, path: web::Path<Month>) -> Result<HttpResponse, Problem> {
    let executed = state.execute(StartCycle { month: path.into_inner().into() }).await?;
    Ok(reply::ok(&executed, CycleStarted::from(executed.reply.clone())))
}

/// A month's cycle: whether it started, and how many boxes fell due.
#[utoipa::path(
    tag = "subscriptions",
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    responses((status = 200, description = "The cycle", body = Cycle))
)]
#[get("/cycles/{month}")]
pub async fn cycle(state: web::Data<AppState>, path: web::Path<Month>) -> Result<web::Json<Cycle>, Problem> {
    let view = state.query(queries::Cycle { month: path.into_inner().into() }).await?;
    Ok(web::Json(view.into()))
}
