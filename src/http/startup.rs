//! Wiring, in one place (zero2prod's `startup.rs`): bind the listener first (so port 0 works
//! and the chosen port can be read back), then build the app: the gate's extractor
//! configuration (size limits, and problem+json for every malformed body, path or query), the
//! route table, the fallback for unknown routes, and a last net that turns any other error
//! response into problem+json.

use std::net::{SocketAddr, TcpListener};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer, ResponseError};
use utoipa_actix_web::AppExt;

use crate::http::api::{self, OpenApiDocument, RouteTable};
use crate::http::input::truncate;
use crate::http::problem::{Kind, Problem, PROBLEM_JSON};
use crate::http::state::AppState;

/// The largest JSON body accepted: far above any real command (a month's selection of a few
/// hundred ISBNs), far below what could hurt.
pub const JSON_BODY_BYTES_MAX: usize = 64 * 1024;

/// A bound, not yet running, HTTP server.
pub struct Application {
    addr: SocketAddr,
    server: Server,
}

impl Application {
    /// Binds `addr` and builds the server over `state`. Must run inside an actix System.
    pub fn build(state: AppState, addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let state = web::Data::new(state);
        let document = web::Data::new(OpenApiDocument::render());
        let routes = web::Data::new(RouteTable::of(&api::openapi()));
        let server = HttpServer::new(move || app(state.clone(), document.clone(), routes.clone()))
            .listen(listener)?
            .shutdown_timeout(5)
            .run();
        Ok(Self { addr, server })
    }

    /// The address actually bound (the port chosen when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The app: one per HTTP worker.
pub fn app(
    state: web::Data<AppState>,
    document: web::Data<OpenApiDocument>,
    routes: web::Data<RouteTable>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<EitherBody<BoxBody>>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .into_utoipa_app()
        .app_data(state)
        .app_data(document)
        .app_data(routes)
        .app_data(web::JsonConfig::default().limit(JSON_BODY_BYTES_MAX).error_handler(json_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .configure(api::routes)
        .default_service(web::to(no_such_route))
        .map(|app| app.wrap(ErrorHandlers::new().default_handler(as_problem)))
        .into_app()
}

fn json_error(error: JsonPayloadError, request: &HttpRequest) -> actix_web::Error {
    let problem = match &error {
        JsonPayloadError::OverflowKnownLength { length, limit } => {
            Problem::new(Kind::PayloadTooLarge, format!("the body is {length} bytes; the limit is {limit}"))
        }
        JsonPayloadError::Overflow { limit } => {
            Problem::new(Kind::PayloadTooLarge, format!("the body is over the limit of {limit} bytes"))
        }
        JsonPayloadError::ContentType => Problem::new(
            Kind::UnsupportedMediaType,
            "the body must be JSON, sent with `Content-Type: application/json`",
        ),
        JsonPayloadError::Deserialize(e) => Problem::new(Kind::InvalidBody, describe_json_error(e)),
        other => Problem::new(Kind::InvalidBody, format!("the body could not be read: {other}")),
    };
    problem.with_instance(request.path()).into()
}

/// A serde_json error as a sentence: what is wrong, and where (line and column).
fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Syntax => "the body is not valid JSON",
        Category::Eof => "the body ends too early (incomplete JSON)",
        Category::Data => "the body does not have the expected shape",
        Category::Io => "the body could not be read",
    };
    format!("{what}: {error}")
}

fn path_error(error: PathError, request: &HttpRequest) -> actix_web::Error {
    let PathError::Deserialize(e) = &error else {
        return Problem::new(Kind::InvalidPath, error.to_string()).with_instance(request.path()).into();
    };
    Problem::new(Kind::InvalidPath, format!("in the path `{}`: {e}", truncate(request.path())))
        .with_instance(request.path())
        .into()
}

/// A query string the gate refused, as a problem (also for extractors of their own).
pub(crate) fn query_error(error: QueryPayloadError, request: &HttpRequest) -> actix_web::Error {
    let detail = match &error {
        QueryPayloadError::Deserialize(e) => format!("in the query: {e}"),
        other => other.to_string(),
    };
    Problem::new(Kind::InvalidQuery, detail).with_instance(request.path()).into()
}

/// No route matched: 405 if the path exists with other methods (with `Allow`), else 404.
async fn no_such_route(request: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    let methods = routes.methods_for(request.path());
    if methods.is_empty() || methods.contains(request.method()) {
        let detail = format!("no route {} {}", request.method(), truncate(request.path()));
        return Problem::new(Kind::NoSuchRoute, detail).with_instance(request.path()).error_response();
    }
    let allow: Vec<&str> = methods.iter().map(Method::as_str).collect();
    let detail =
        format!("{} is not served on {}; it takes {}", request.method(), truncate(request.path()), allow.join(", "));
    let mut response = Problem::new(Kind::MethodNotAllowed, detail).with_instance(request.path()).error_response();
    if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The last net: an error response without a JSON body (one actix-web made itself, in plain
/// text) becomes problem+json, with the same status. JSON error bodies a route documents (the
/// health report's 503) pass as they are.
fn as_problem<B: MessageBody + 'static>(response: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if content_type.is_some_and(|t| t.contains("json")) {
        return Ok(ErrorHandlerResponse::Response(response.map_into_left_body()));
    }
    let status = response.status();
    let kind = match status {
        StatusCode::NOT_FOUND => Kind::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => Kind::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => Kind::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Kind::UnsupportedMediaType,
        StatusCode::SERVICE_UNAVAILABLE => Kind::ContextUnavailable,
        s if s.is_server_error() => Kind::Internal,
        _ => Kind::InvalidInput,
    };
    let detail = status.canonical_reason().unwrap_or("error").to_owned();
    let (request, _) = response.into_parts();
    let problem = Problem::new(kind, detail).with_instance(request.path()).with_status(status);
    let body = serde_json::to_vec(&problem.details()).unwrap_or_default();
    let mut rebuilt = HttpResponse::build(status);
    rebuilt.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
    let response = ServiceResponse::new(request, rebuilt.body(body));
    Ok(ErrorHandlerResponse::Response(response.map_into_right_body()))
}
