//! `/contexts`: the hosted bounded contexts, where their logs stand, and their `suspension`
//! (PUT stops a context's actor as if its process were down; DELETE starts it again), for
//! drills: what keeps working while a context is down, and that its messages wait for it.

use actix_web::{delete, get, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::input::Slug;
use crate::http::metrics::{context_gauges, ContextGauges};
use crate::http::problem::Problem;
use crate::http::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Context {
    pub name: String,
    /// One sentence: what the context owns.
    pub purpose: String,
    pub running: bool,
    /// The position of the last event in its log.
    pub position: u64,
    /// Messages in its outbox not yet delivered to every consumer.
    pub outbox_lag: u64,
    /// Messages it consumes, published by others, not yet delivered (an upper bound).
    pub inbox_lag: u64,
    pub dead_letters: u64,
}

impl From<ContextGauges> for Context {
    fn from(g: ContextGauges) -> Self {
        Self {
            name: g.name.to_owned(),
            purpose: g.purpose.to_owned(),
            running: g.running,
            position: g.position,
            outbox_lag: g.outbox_lag,
            inbox_lag: g.inbox_lag,
            dead_letters: g.dead_letters,
        }
    }
}

/// The hosted contexts.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Each context", body = Vec<Context>)))]
#[get("/contexts")]
pub async fn list(state: web::Data<AppState>) -> Result<web::Json<Vec<Context>>, Problem> {
    let gauges = state.blocking(|runtime| context_gauges(&runtime)).await?;
    Ok(web::Json(gauges.into_iter().map(Context::from).collect()))
}

/// Stop a context (a drill): its commands and queries answer 503, and messages for it wait.
#[utoipa::path(
    tag = "operations",
    params(("context" = Slug, Path, description = "The context's name")),
    responses(
        (status = 204, description = "Stopped (or already stopped)"),
        (status = 404, description = "No such context"),
    )
)]
#[put("/contexts/{context}/suspension")]
pub async fn suspend(state: web::Data<AppState>, path: web::Path<Slug>) -> Result<HttpResponse, Problem> {
    let name = path.into_inner();
    state.runtime.stop_context(name.as_str()).map_err(|e| Problem::not_found(e.to_string()))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Start a stopped context again, from its store.
#[utoipa::path(
    tag = "operations",
    params(("context" = Slug, Path, description = "The context's name")),
    responses(
        (status = 204, description = "Running"),
        (status = 404, description = "No such context"),
    )
)]
#[delete("/contexts/{context}/suspension")]
pub async fn resume(state: web::Data<AppState>, path: web::Path<Slug>) -> Result<HttpResponse, Problem> {
    let name = path.into_inner();
    state.runtime.start_context(name.as_str()).map_err(|e| Problem::not_found(e.to_string()))?;
    Ok(HttpResponse::NoContent().finish())
}
