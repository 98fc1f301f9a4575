//! Errors as `application/problem+json` (RFC 9457): every refusal the API gives, whether the
//! gate refused the input or a context refused the command, is one [`Problem`] with the
//! status that says whose fault it is.
//!
//! | status | `type` (after `urn:bookbox:problem:`) | when |
//! |---|---|---|
//! | 400 | `invalid-body`, `invalid-path`, `invalid-query`, `invalid-input` | the gate refused the input |
//! | 403 | `forbidden` | an access policy refused the caller |
//! | 404 | `not-found`, `no-such-route` | no such resource; no such route |
//! | 405 | `method-not-allowed` | the route exists with other methods |
//! | 409 | `conflict` | it already exists, or a concurrent write won |
//! | 413 | `payload-too-large` | the body is over the limit |
//! | 415 | `unsupported-media-type` | the body is not JSON |
//! | 422 | `rejected` | the context refused the command (a typed rejection) |
//! | 500 | `internal` | a defect or a storage failure: never bad input |
//! | 503 | `context-unavailable` | the context is stopped |
//! | 503 | `not-caught-up` | a read model did not reach the position asked for (`after`) in time; with `Retry-After` |

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use kernel::context::QueryError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::runtime::CommandError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem detail, as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Problem, example = json!({
    "type": "urn:bookbox:problem:rejected",
    "title": "The command was rejected",
    "status": 422,
    "detail": "email: has no `@`",
    "field": "email",
    "context": "customers"
}))]
pub struct ProblemDetails {
    /// Identifies the kind of problem: `urn:bookbox:problem:<kind>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem (the same for every occurrence of the kind).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, in a sentence that names the input at fault.
    pub detail: String,
    /// The request path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The input field at fault, e.g. `shipping_address.state`, when the context names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The bounded context that refused, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// A problem, as handlers return it (small: `type` and `title` follow from the kind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    kind: Kind,
    status: u16,
    detail: String,
    instance: Option<String>,
    field: Option<String>,
    context: Option<String>,
    /// Seconds after which a retry may succeed (the `Retry-After` header).
    retry_after: Option<u32>,
}

/// The kinds of problem this API reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    InvalidBody,
    InvalidPath,
    InvalidQuery,
    InvalidInput,
    Forbidden,
    NotFound,
    NoSuchRoute,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Rejected,
    Internal,
    ContextUnavailable,
    NotCaughtUp,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 15] = [
        Self::InvalidBody,
        Self::InvalidPath,
        Self::InvalidQuery,
        Self::InvalidInput,
        Self::Forbidden,
        Self::NotFound,
        Self::NoSuchRoute,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::UnsupportedMediaType,
        Self::Rejected,
        Self::Internal,
        Self::ContextUnavailable,
        Self::NotCaughtUp,
    ];

    /// The kind's slug (its `type` after `urn:bookbox:problem:`), status and title, in one row.
    fn row(self) -> (&'static str, StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Self::InvalidBody => ("invalid-body", S::BAD_REQUEST, "The request body is not valid"),
            Self::InvalidPath => ("invalid-path", S::BAD_REQUEST, "A path parameter is not valid"),
            Self::InvalidQuery => ("invalid-query", S::BAD_REQUEST, "A query parameter is not valid"),
            Self::InvalidInput => ("invalid-input", S::BAD_REQUEST, "The input is not valid"),
            Self::Forbidden => ("forbidden", S::FORBIDDEN, "An access policy forbids this"),
            Self::NotFound => ("not-found", S::NOT_FOUND, "No such resource"),
            Self::NoSuchRoute => ("no-such-route", S::NOT_FOUND, "No such route"),
            Self::MethodNotAllowed => ("method-not-allowed", S::METHOD_NOT_ALLOWED, "Method not allowed on this route"),
            Self::Conflict => ("conflict", S::CONFLICT, "The request conflicts with what already exists"),
            Self::PayloadTooLarge => ("payload-too-large", S::PAYLOAD_TOO_LARGE, "The request body is too large"),
            Self::UnsupportedMediaType => {
                ("unsupported-media-type", S::UNSUPPORTED_MEDIA_TYPE, "The request body must be JSON")
            }
            Self::Rejected => ("rejected", S::UNPROCESSABLE_ENTITY, "The command was rejected"),
            Self::Internal => ("internal", S::INTERNAL_SERVER_ERROR, "Internal error"),
            Self::ContextUnavailable => ("context-unavailable", S::SERVICE_UNAVAILABLE, "The context is unavailable"),
            Self::NotCaughtUp => ("not-caught-up", S::SERVICE_UNAVAILABLE, "The read model has not caught up"),
        }
    }

    pub fn slug(self) -> &'static str {
        self.row().0
    }

    pub fn status(self) -> StatusCode {
        self.row().1
    }

    pub fn title(self) -> &'static str {
        self.row().2
    }

    /// The `type` member: a URN, compared as a string by clients.
    pub fn uri(self) -> String {
        format!("urn:bookbox:problem:{}", self.slug())
    }
}

impl Problem {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            status: kind.status().as_u16(),
            detail: detail.into(),
            instance: None,
            field: None,
            context: None,
            retry_after: None,
        }
    }

    /// The same problem with another status (for statuses no kind has, e.g. 408).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status.as_u16();
        self
    }

    pub fn details(&self) -> ProblemDetails {
        ProblemDetails {
            problem_type: self.kind.uri(),
            title: self.kind.title().to_owned(),
            status: self.status,
            detail: self.detail.clone(),
            instance: self.instance.clone(),
            field: self.field.clone(),
            context: self.context.clone(),
        }
    }

    pub fn with_field(mut self, field: Option<&str>) -> Self {
        self.field = field.map(str::to_owned);
        self
    }

    pub fn with_context(mut self, context: &str) -> Self {
        self.context = Some(context.to_owned());
        self
    }

    /// Asks the client to retry after `seconds` (the `Retry-After` header).
    pub fn with_retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn with_instance(mut self, instance: &str) -> Self {
        self.instance = Some(instance.to_owned());
        self
    }

    pub fn invalid_input(detail: impl Into<String>) -> Self {
        Self::new(Kind::InvalidInput, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, detail)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(Kind::Internal, detail)
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.kind.title(), self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        Problem::status_code(self)
    }

    fn error_response(&self) -> HttpResponse {
        let status = Problem::status_code(self);
        if status.is_server_error() {
            tracing::error!(status = self.status, detail = %self.detail, "request failed");
        }
        let body = serde_json::to_vec(&self.details()).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = HttpResponse::build(status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        response.body(body)
    }
}

/// How a context's typed rejection of a command maps to HTTP: each context error type says,
/// variant by variant (an exhaustive match, so a new variant must be placed), whether it
/// means "no such thing" (404), "it already exists / conflicts" (409) or "refused by the
/// rules" (422), and which input field is at fault.
pub trait Rejection: std::error::Error {
    fn kind(&self) -> Kind;
    fn field(&self) -> Option<String> {
        None
    }
}

/// The prefix of the store's optimistic-concurrency error, which reaches the runtime's caller
/// as an infrastructure failure's message (checked by a test against the kernel's wording).
pub(crate) const CONCURRENCY_CONFLICT_PREFIX: &str = "concurrency conflict on stream";

/// A failed command, as a problem.
pub fn command_problem<E: Rejection>(context: &str, error: CommandError<E>) -> Problem {
    match error {
        CommandError::Rejected(e) => {
            let field = e.field();
            Problem::new(e.kind(), e.to_string()).with_field(field.as_deref()).with_context(context)
        }
        CommandError::Infrastructure { message, .. } if message.starts_with(CONCURRENCY_CONFLICT_PREFIX) => {
            Problem::new(Kind::Conflict, format!("{message}; a concurrent write won: retry the request"))
                .with_context(context)
        }
        CommandError::Infrastructure { context, message } => {
            Problem::internal(format!("context `{context}` failed: {message}")).with_context(context)
        }
        CommandError::Panicked { context, message } => {
            Problem::internal(format!("context `{context}` failed while handling the command: {message}"))
                .with_context(context)
        }
        CommandError::Unavailable(name) => {
            Problem::new(Kind::ContextUnavailable, format!("context `{name}` is stopped; try again later"))
                .with_context(name)
        }
        CommandError::NotHosted => {
            Problem::new(Kind::ContextUnavailable, format!("context `{context}` is not hosted by this server"))
                .with_context(context)
        }
    }
}

/// A failed query, as a problem. `running` says whether the context is up: the runtime reports
/// a stopped context's silence as "not found", which is a 503 here.
pub fn query_problem(context: &str, error: QueryError, running: bool) -> Problem {
    if !running {
        return Problem::new(Kind::ContextUnavailable, format!("context `{context}` is stopped; try again later"))
            .with_context(context);
    }
    match error {
        QueryError::Forbidden { .. } => Problem::new(Kind::Forbidden, error.to_string()).with_context(context),
        QueryError::NotFound(what) => Problem::not_found(what).with_context(context),
        QueryError::Invalid(what) => Problem::invalid_input(what).with_context(context),
        QueryError::Infrastructure(e) => Problem::internal(e.to_string()).with_context(context),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::ids::{ExpectedVersion, StreamId, Version};
    use kernel::store::AppendError;

    #[test]
    fn a_problem_stays_small() {
        // Handlers return `Result<_, Problem>`: a large error would weigh on every call.
        assert!(std::mem::size_of::<Problem>() <= 128, "{}", std::mem::size_of::<Problem>());
    }

    #[test]
    fn the_concurrency_prefix_matches_the_store_wording() {
        let conflict = AppendError::Conflict {
            stream: StreamId::parse("customer-1").unwrap(),
            expected: ExpectedVersion::NoStream,
            actual: Version::new(1),
        };
        assert!(conflict.to_string().starts_with(CONCURRENCY_CONFLICT_PREFIX), "{conflict}");
    }

    #[test]
    fn every_kind_has_a_distinct_type_and_an_error_status() {
        let kinds = Kind::ALL;
        let types: std::collections::BTreeSet<_> = kinds.iter().map(|k| k.uri()).collect();
        assert_eq!(types.len(), kinds.len());
        assert!(kinds.iter().all(|k| k.status().is_client_error() || k.status().is_server_error()));
    }

    #[test]
    fn a_problem_serializes_with_the_rfc_9457_members() {
        let problem = Problem::new(Kind::Rejected, "email: has no `@`").with_field(Some("email"));
        let json = serde_json::to_value(problem.details()).unwrap();
        assert_eq!(json["type"], "urn:bookbox:problem:rejected");
        assert_eq!(json["status"], 422);
        assert_eq!(json["field"], "email");
        assert!(json.get("context").is_none());
    }
}
