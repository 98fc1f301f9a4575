//! `/contexts`: the hosted bounded contexts, where their logs stand, and their `suspension`
//! (PUT stops a context's actor as if its process were down; DELETE starts it again), for
//! drills: what keeps working while a context is down, and that its messages wait for it.

use actix_web::web::{Json, Path};
use actix_web::{delete, get, put, HttpResponse};

use crate::http::input::Slug;
use crate::http::metrics::{context_gauges, ContextGauges};
use crate::http::mirror::{mirror, FromView};
use crate::http::problem::Problem;
use crate::http::reply::{Answer, Reply};
use crate::http::state::State;

mirror! {
    pub struct Context from ContextGauges {
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
}

/// The hosted contexts.
#[utoipa::path(responses((status = 200, description = "Each context", body = Vec<Context>)))]
#[get("/contexts")]
pub async fn list(state: State) -> Answer<Vec<Context>> {
    Ok(Json(FromView::from_view(state.blocking(|runtime| context_gauges(&runtime)).await?)))
}

/// Stop a context (a drill): its commands and queries answer 503, and messages for it wait.
#[utoipa::path(
    params(("context" = Slug, Path, description = "The context's name")),
    responses(
        (status = 204, description = "Stopped (or already stopped)"),
        (status = 404, description = "No such context"),
    )
)]
#[put("/contexts/{context}/suspension")]
pub async fn suspend(state: State, path: Path<Slug>) -> Reply {
    let name = path.into_inner();
    state.runtime.stop_context(name.as_str()).map_err(|e| Problem::not_found(e.to_string()))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Start a stopped context again, from its store.
#[utoipa::path(
    params(("context" = Slug, Path, description = "The context's name")),
    responses(
        (status = 204, description = "Running"),
        (status = 404, description = "No such context"),
    )
)]
#[delete("/contexts/{context}/suspension")]
pub async fn resume(state: State, path: Path<Slug>) -> Reply {
    let name = path.into_inner();
    state.runtime.start_context(name.as_str()).map_err(|e| Problem::not_found(e.to_string()))?;
    Ok(HttpResponse::NoContent().finish())
}
