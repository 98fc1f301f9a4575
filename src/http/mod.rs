//! The HTTP API: Bookbox's open-host service, served by `bookbox serve` (actix-web, on the
//! same actix System as the runtime).
//!
//! - A resource model over the domain model: each context's commands and queries appear as
//!   resources and sub-resources (`PUT /subscriptions/{id}/cancellation`, not a PATCH of a
//!   status field), one module per resource. Handlers only parse, send a command or query to
//!   a context, and map the answer; DTOs live here, and map to and from the contexts' port
//!   types, which know nothing of HTTP or OpenAPI.
//! - A gatekeeper: every input is checked at the edge ([`input`], the extractors' limits and
//!   error handlers in [`startup`]); every error is `application/problem+json` ([`problem`]).
//! - Commands answer with the position they wrote ([`reply`]); a report can wait until it
//!   reflects that position, or be answered as of a past time ([`consistency`]).
//! - [`api`] is the route table, and the OpenAPI document generated from it.

pub mod api;
pub mod consistency;
pub mod input;
pub mod problem;
pub mod reply;
pub mod startup;
pub mod state;

pub mod books;
pub mod clock;
pub mod contexts;
pub mod curation;
pub mod customers;
pub mod cycles;
pub mod dead_letters;
pub mod gifts;
pub mod health;
pub mod metrics;
pub mod orders;
pub mod payments;
pub mod receipts;
pub mod reports;
pub mod reservations;
pub mod selections;
pub mod shipments;
pub mod subscriptions;
pub mod transfers;
pub mod warehouses;

pub use api::openapi;
pub use startup::Application;
pub use state::{AppState, ClockControl};
