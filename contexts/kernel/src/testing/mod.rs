//! Test support for contexts and store adapters (feature `testing`).
//!
//! - [`given`]: a given/when/then fixture for one aggregate;
//! - [`check_aggregate`]: property-test an aggregate's invariants in a few lines;
//! - [`ContextHarness`]: run one context in memory: commands, messages, queries;
//! - [`conformance`]: the suite every [`crate::EventStore`] adapter must pass;
//! - [`schema`]: JSON Schema checks (the `jsonschema` crate, plus the project's strictness) of
//!   the published language, and checks that a [`crate::context::PublishedMessage`]'s committed
//!   examples satisfy its schema and decode into its DTO.

pub mod conformance;
mod fixture;
mod harness;
mod invariants;
pub mod sample;
pub mod schema;

pub use fixture::{given, Outcome, Scenario};
pub use harness::{incoming, refusal, ContextHarness, Delivery};
pub use invariants::{check_aggregate, run_commands, Run};
