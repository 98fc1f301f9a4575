//! `/healthz`: whether every hosted context is running. 200 when all are, 503 when one is
//! stopped (the body names it), so a load balancer stops sending traffic a context cannot take.

use actix_web::http::StatusCode;
use actix_web::{get, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::state::State;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when a context is stopped.
    pub status: String,
    pub contexts: Vec<ContextHealth>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContextHealth {
    pub name: String,
    pub running: bool,
}

/// Is the server healthy?
#[utoipa::path(
    responses(
        (status = 200, description = "Every context is running", body = Health),
        (status = 503, description = "A context is stopped", body = Health),
    )
)]
#[get("/healthz")]
pub async fn healthz(state: State) -> HttpResponse {
    let contexts: Vec<ContextHealth> = state
        .runtime
        .descriptors()
        .iter()
        .map(|d| ContextHealth {
            name: d.name.to_owned(),
            running: state.runtime.context_running(d.name).unwrap_or(false),
        })
        .collect();
    let healthy = contexts.iter().all(|c| c.running);
    let status = if healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = Health { status: if healthy { "ok" } else { "degraded" }.to_owned(), contexts };
    HttpResponse::build(status).json(body)
}
