//! `/selections/{month}`: the month's books, from which curation picks each box. A `draft`
//! may be redone; the `finalization` fixes the list for good.

use actix_web::{get, put, web, HttpResponse};
use curation::ports::{CurationAnswer, CurationCommand, CurationQuery, CurationReply, SelectionView};
use curation::CurationContext;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::curation::context;
use crate::http::input::{Isbn, Month};
use crate::http::problem::Problem;
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

/// The month's books.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectionBooks {
    /// ISBN-13s.
    pub isbns: Vec<Isbn>,
}

/// A month's selection.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Selection {
    pub month: String,
    /// The latest draft (empty if none).
    pub draft: Vec<String>,
    /// The final list, once finalized.
    pub finalized: Option<Vec<String>>,
}

impl From<SelectionView> for Selection {
    fn from(v: SelectionView) -> Self {
        Self { month: v.month, draft: v.draft, finalized: v.finalized }
    }
}

async fn selection_command(state: &AppState, command: CurationCommand) -> Result<HttpResponse, Problem> {
    let executed = state.execute::<CurationContext>(context(), command).await?;
    let CurationReply::Selection(view) = executed.reply.clone() else {
        return Err(Problem::unexpected_reply(context(), &executed.reply));
    };
    Ok(reply::ok(context(), &executed, Selection::from(view)))
}

/// Propose the month's books (until the selection is finalized).
#[utoipa::path(
    tag = "curation",
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    request_body = SelectionBooks,
    responses(
        (status = 200, description = "Drafted", body = Accepted<Selection>),
        (status = 409, description = "The selection is already final"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/selections/{month}/draft")]
pub async fn draft(
    state: web::Data<AppState>,
    path: web::Path<Month>,
    body: web::Json<SelectionBooks>,
) -> Result<HttpResponse, Problem> {
    let isbns = body.into_inner().isbns.into_iter().map(String::from).collect();
    selection_command(&state, CurationCommand::DraftSelection { month: path.into_inner().into(), isbns }).await
}

/// Fix the month's books for good; boxes are curated from them.
#[utoipa::path(
    tag = "curation",
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    request_body = SelectionBooks,
    responses(
        (status = 200, description = "Finalized", body = Accepted<Selection>),
        (status = 409, description = "The selection is already final (with other books)"),
        (status = 422, description = "A field is refused (named in `field`)"),
    )
)]
#[put("/selections/{month}/finalization")]
pub async fn finalize(
    state: web::Data<AppState>,
    path: web::Path<Month>,
    body: web::Json<SelectionBooks>,
) -> Result<HttpResponse, Problem> {
    let isbns = body.into_inner().isbns.into_iter().map(String::from).collect();
    selection_command(&state, CurationCommand::FinalizeSelection { month: path.into_inner().into(), isbns }).await
}

/// A month's selection.
#[utoipa::path(
    tag = "curation",
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    responses(
        (status = 200, description = "The selection", body = Selection),
        (status = 404, description = "No selection for the month"),
    )
)]
#[get("/selections/{month}")]
pub async fn selection(state: web::Data<AppState>, path: web::Path<Month>) -> Result<web::Json<Selection>, Problem> {
    let query = CurationQuery::Selection { month: path.into_inner().into() };
    match state.query::<CurationContext>(context(), query).await? {
        CurationAnswer::Selection(view) => Ok(web::Json(view.into())),
        other => Err(Problem::unexpected_reply(context(), &other)),
    }
}
