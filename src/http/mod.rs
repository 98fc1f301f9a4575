//! The HTTP API: Bookbox's open-host service, served by `bookbox serve` (actix-web, on the
//! same actix System as the runtime).
//!
//! - A resource model over the domain model: each context's commands and queries appear as
//!   resources and sub-resources (`PUT /subscriptions/{id}/cancellation`, not a PATCH of a
//!   status field), one module per bounded context, each with its `routes`, the DTOs it shows
//!   and the mapping of its context's rejections to problems. Handlers only parse, send a
//!   command or query to a context, and map the answer; DTOs live here, built from the
//!   contexts' port views ([`mirror`]), which know nothing of HTTP or OpenAPI.
//! - A gatekeeper: every input is checked at the edge ([`input`], the extractors' limits and
//!   error handlers in [`startup`]); every error is `application/problem+json` ([`problem`]).
//! - Commands answer with the position they wrote ([`reply`]); a report can wait until it
//!   reflects that position, or be answered as of a past time ([`consistency`]).
//! - [`api`] is the route table (a `routes` per context, and the operations), and the OpenAPI
//!   document generated from it.

pub mod api;
pub mod consistency;
pub mod input;
pub mod mirror;
pub mod problem;
pub mod reply;
pub mod startup;
pub mod state;

// The bounded contexts' resources, one module each.
pub mod billing;
pub mod curation;
pub mod customers;
pub mod inventory;
pub mod orders;
pub mod reporting;
pub mod shipping;
pub mod subscriptions;

// Operations.
pub mod clock;
pub mod contexts;
pub mod dead_letters;
pub mod health;
pub mod metrics;

pub use api::openapi;
pub use startup::Application;
pub use state::{AppState, ClockControl};
