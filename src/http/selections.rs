//! `/selections/{month}`: the month's books, from which curation picks each box. A `draft`
//! may be redone; the `finalization` fixes the list for good.

use actix_web::{get, put, web, HttpResponse};
use curation::ports::{queries, DraftSelection, FinalizeSelection, SelectionView};
use curation::CurationContext;
use kernel::context::{Command, Handles};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

async fn selection_command<K>(state: &AppState, command: K) -> Result<HttpResponse, Problem>
where
    K: Command<Context = CurationContext, Reply = SelectionView>,
    CurationContext: Handles<K>,
{
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, Selection::from(executed.reply.clone())))
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
    selection_command(&state, DraftSelection { month: path.into_inner().into(), isbns }).await
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
    selection_command(&state, FinalizeSelection { month: path.into_inner().into(), isbns }).await
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
    let query = queries::Selection { month: path.into_inner().into() };
    Ok(web::Json(state.query(query).await?.into()))
}
