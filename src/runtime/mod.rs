//! The runtime: hosts every bounded context as an actix actor on its own arbiter (its own
//! thread, where blocking store I/O is fine), with its own storage, and connects them
//! through the in-process bus.
//!
//! ```text
//! caller ──Execute──▶ context actor ──append(events + outbox)──▶ its store (group commit)
//!                                                                   │ durable
//!   ◀──────────────── reply (with position) ◀───────────────────────┘
//! store outbox ──relay──▶ bus (bounded) ──router──▶ consumer actor ──append(effects + inbox mark)
//! ```
//!
//! Contexts never see actix, crossbeam or sled: they are `kernel::context::BoundedContext`s.

mod actor;
mod bus;
mod cache;
mod config;
mod errors;
mod handle;
mod hosting;
mod router;
mod routing;
pub mod storage;
mod waits;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use kernel::ids::IdSource;
use kernel::message::Envelope;
use kernel::store::OutboxSeq;
use kernel::time::Clock;

pub use config::RuntimeConfig;
pub use errors::{CommandError, RuntimeError};
pub use handle::{CommandResult, Executed, PendingAnswer, RefusalOf, RuntimeHandle};
pub(crate) use hosting::HostedContext;
pub use hosting::Runtime;
use storage::DeadLetter;
pub use waits::WaitError;

/// What reaches the router: messages from the relays, and control from actors and handles.
pub(crate) enum RouterEvent {
    Published { source: &'static str, seq: OutboxSeq, envelope: Arc<Envelope> },
    Outcome { token: u64, result: Result<(), String> },
    Started(&'static str),
    Replay { letter: Box<DeadLetter> },
    Shutdown,
}

/// What every actor, relay and the router share.
pub(crate) struct Shared {
    pub config: RuntimeConfig,
    pub clock: Arc<dyn Clock>,
    pub ids: Arc<dyn IdSource>,
    hosts: RwLock<HashMap<&'static str, Arc<HostedContext>>>,
    pub router: crossbeam_channel::Sender<RouterEvent>,
}

impl Shared {
    pub fn host(&self, name: &str) -> Option<Arc<HostedContext>> {
        self.hosts.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    pub fn hosts(&self) -> Vec<Arc<HostedContext>> {
        self.hosts.read().unwrap_or_else(|p| p.into_inner()).values().cloned().collect()
    }
}
