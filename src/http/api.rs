//! The route table, and the OpenAPI document generated from it.
//!
//! [`routes`] is the one list of what the server serves: one `routes` per bounded context (in
//! the context's module, which registers each of its handlers with `.service(handler)`), and
//! the operations'. Each handler carries its method and path in its actix-web attribute
//! (`#[get("/customers/{customer_id}")]`) and its documentation in `#[utoipa::path]`.
//! Registering through `utoipa_actix_web` routes the handler and documents it in the same
//! call, so [`openapi`] and the server cannot disagree about which routes exist. Handlers are
//! never registered with `.route(...)` (which would route without documenting); a test in
//! `tests/http.rs` checks that, and checks the document against the running server.

use actix_web::http::Method;
use actix_web::{get, App};
use utoipa::openapi::header::Header;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;

use crate::http::problem::PROBLEM_JSON;
use crate::http::reply::POSITION_HEADER;
use crate::http::{
    billing, clock, contexts, curation, customers, dead_letters, health, inventory, metrics, orders, reporting,
    shipping, subscriptions,
};

/// A group of routes: what registers them.
type Routes = fn(&mut ServiceConfig);

/// The groups of routes, each under the tag that gathers its operations in the document: a
/// bounded context's, then the operations'.
const GROUPS: [(&str, Routes); 9] = [
    ("customers", customers::routes),
    ("subscriptions", subscriptions::routes),
    ("inventory", inventory::routes),
    ("curation", curation::routes),
    ("orders", orders::routes),
    ("billing", billing::routes),
    ("shipping", shipping::routes),
    ("reports", reporting::routes),
    ("operations", operations),
];

/// Every route the server serves.
pub fn routes(config: &mut ServiceConfig) {
    for (_, group) in GROUPS {
        config.configure(group);
    }
}

/// Health, metrics, dead letters, contexts, the clock, and this document.
fn operations(config: &mut ServiceConfig) {
    config
        .service(dead_letters::list)
        .service(dead_letters::replay)
        .service(contexts::list)
        .service(contexts::suspend)
        .service(contexts::resume)
        .service(clock::now)
        .service(clock::advance)
        .service(health::healthz)
        .service(metrics::metrics)
        .service(openapi_json);
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Bookbox",
        description = "The open-host service of Bookbox, a book-subscription business run as one binary. \
Resources model the business's processes, not its tables: a subscription's `pause` and `cancellation`, \
a payment's `refunds` and `dispute`. Commands answer with the position their events reached \
(`Bookbox-Position: <context>:<position>`); a report asked with `after=<that value>` waits (up to \
`wait_ms`) until it reflects the command, or answers 503 `not-caught-up` with `Retry-After` \
(read-your-writes). A report asked with `as_of=<RFC 3339 time>` is answered from the read models \
rebuilt from the published logs up to that time. Errors are `application/problem+json` (RFC 9457).",
        license(name = "MIT OR Apache-2.0"),
    ),
    components(schemas(crate::http::problem::ProblemDetails, crate::http::input::Month, crate::http::input::Isbn, crate::http::input::Slug)),
    tags(
        (name = "customers", description = "Profiles, contact email, shipping address, genre preferences"),
        (name = "subscriptions", description = "Plans, gifts, pause/cancel/restart, monthly cycles"),
        (name = "inventory", description = "The catalog, stock per warehouse, transfers, reservations"),
        (name = "curation", description = "Monthly selections and the boxes curated from them"),
        (name = "orders", description = "Box orders: cancellation, combination, where each stands"),
        (name = "billing", description = "Charges, refunds, disputes, receipts"),
        (name = "shipping", description = "Shipments and delivery attempts"),
        (name = "reports", description = "Read models across contexts: sales by state, lifetime values, stock, outcomes"),
        (name = "operations", description = "Health, metrics, dead letters, contexts, the clock"),
    )
)]
struct ApiDoc;

/// The OpenAPI document of [`routes`].
pub fn openapi() -> OpenApi {
    let mut doc = <ApiDoc as utoipa::OpenApi>::openapi();
    for (tag, group) in GROUPS {
        let (_, mut part) = App::new().into_utoipa_app().configure(group).split_for_parts();
        for operation in part.paths.paths.values_mut().flat_map(operations_of) {
            operation.tags = Some(vec![tag.to_owned()]);
        }
        doc.merge(part);
    }
    add_problem_responses(&mut doc);
    doc
}

/// This document: the OpenAPI description of every route.
#[utoipa::path(
    responses((status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(doc: actix_web::web::Data<OpenApiDocument>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().content_type("application/json").body(doc.0.clone())
}

/// The document, rendered once.
pub struct OpenApiDocument(pub String);

impl OpenApiDocument {
    pub fn render() -> Self {
        Self(openapi().to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")))
    }
}

/// Gives every error response a problem body, and every command's answer the position header
/// (`Bookbox-Position`); adds the errors any route of its shape may
/// answer: 400 (a path parameter, the query or the body refused by the gate), 413 and 415 (a
/// body too large, or not JSON), 500 (a defect or a storage failure), and for the routes of a
/// context, 503 (the context is stopped).
fn add_problem_responses(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for operation in operations_of(item) {
            let has_input = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let has_body = operation.request_body.is_some();
            let reaches_a_context = operation.tags.as_ref().is_some_and(|tags| !tags.iter().any(|t| t == "operations"));
            let responses = &mut operation.responses.responses;
            let mut add = |status: &str, description: &str| {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::T(ResponseBuilder::new().description(description).build()));
            };
            if has_input || has_body {
                add("400", "The gate refused the input (named in `detail`)");
            }
            if has_body {
                add("413", "The body is over the size limit");
                add("415", "The body is not `application/json`");
            }
            add("500", "A defect or a storage failure (never bad input)");
            if reaches_a_context {
                add("503", "The context is stopped");
            }
            for (status, response) in responses.iter_mut() {
                let RefOr::T(response) = response else { continue };
                if status.starts_with('4') || status.starts_with('5') {
                    problem_content(response);
                }
                if status.starts_with('2') && answers_a_command(response) {
                    let mut header = Header::new(ObjectBuilder::new().schema_type(Type::String));
                    header.description = Some(
                        "`<context>:<position>`: where the command's events reached in the context's log \
                         (absent when it changed nothing)"
                            .to_owned(),
                    );
                    response.headers.entry(POSITION_HEADER.to_owned()).or_insert(header);
                }
            }
        }
    }
}

/// Whether a response carries an accepted command (an `Accepted<...>` body).
fn answers_a_command(response: &Response) -> bool {
    response.content.values().any(|content| match &content.schema {
        Some(RefOr::Ref(r)) => r.ref_location.starts_with("#/components/schemas/Accepted_"),
        Some(RefOr::T(_)) | None => false,
    })
}

fn problem_content(response: &mut Response) {
    if !response.content.is_empty() {
        return;
    }
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    response.content.insert(PROBLEM_JSON.to_owned(), content);
}

fn operations_of(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head, &mut item.options]
        .into_iter()
        .filter_map(|o| o.as_mut())
}

/// The documented routes, as `(method, path template)`: what the default service consults
/// to tell "no such route" (404) from "not with this method" (405).
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<(Method, String)>);

impl RouteTable {
    pub fn of(doc: &OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let methods = [
                (Method::GET, item.get.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::DELETE, item.delete.is_some()),
                (Method::PATCH, item.patch.is_some()),
            ];
            for (method, present) in methods {
                if present {
                    routes.push((method, path.clone()));
                }
            }
        }
        Self(routes)
    }

    pub fn routes(&self) -> &[(Method, String)] {
        &self.0
    }

    /// The methods served on the paths that `path` matches.
    pub fn methods_for(&self, path: &str) -> Vec<Method> {
        let mut methods: Vec<Method> =
            self.0.iter().filter(|(_, template)| matches(template, path)).map(|(m, _)| m.clone()).collect();
        methods.dedup();
        methods
    }
}

/// Whether a concrete path matches a template such as `/customers/{customer_id}/email`.
fn matches(template: &str, path: &str) -> bool {
    let mut template = template.split('/');
    let mut path = path.split('/');
    loop {
        match (template.next(), path.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) if t.starts_with('{') && t.ends_with('}') && !p.is_empty() => continue,
            (Some(t), Some(p)) if t == p => continue,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments() {
        assert!(matches("/customers/{customer_id}/email", "/customers/abc/email"));
        assert!(!matches("/customers/{customer_id}/email", "/customers//email"));
        assert!(!matches("/customers/{customer_id}", "/customers/abc/email"));
        assert!(matches("/healthz", "/healthz"));
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = serde_json::to_value(openapi()).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let mut stack = vec![&doc];
        while let Some(value) = stack.pop() {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                        let name = target.strip_prefix("#/components/schemas/").unwrap_or(target);
                        assert!(schemas.contains_key(name), "dangling reference {target}");
                    }
                    stack.extend(map.values());
                }
                serde_json::Value::Array(items) => stack.extend(items),
                _ => {}
            }
        }
    }

    #[test]
    fn every_documented_error_has_a_problem_body() {
        let doc = serde_json::to_value(openapi()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    let is_error = status.starts_with('4') || status.starts_with('5');
                    // The health report is the one error body of its own: a 503 that says which
                    // context is down.
                    let own_body = path == "/healthz" && status == "503";
                    if is_error && !own_body {
                        assert!(response["content"][PROBLEM_JSON].is_object(), "{method} {path} {status}");
                    }
                }
            }
        }
    }
}
