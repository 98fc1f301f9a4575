//! The `bookbox` crate: the composition root and the adapters. It hosts the bounded
//! contexts (pure crates under `contexts/`) and gives them what they cannot have
//! themselves: storage, time, a bus and a process.
//!
//! - [`runtime`]: every context an actix actor with its own store; the bus, the outbox
//!   relay, the router with retries and dead letters;
//! - [`store`]: the sled adapter of the kernel's `EventStore` port, and the snapshot codec;
//! - [`adapters`]: the system clock and random ids;
//! - [`contexts`]: the registry of hosted contexts, and [`context_map`] drawn from it;
//! - [`rebuild`]: reporting's read models rebuilt from the published logs, as of a time;
//! - [`cli`] and [`telemetry`]: the `bookbox` command line and its logs.

pub mod adapters;
pub mod cli;
pub mod context_map;
pub mod contexts;
pub mod http;
pub mod rebuild;
pub mod runtime;
pub mod simulation;
pub mod store;
pub mod telemetry;
