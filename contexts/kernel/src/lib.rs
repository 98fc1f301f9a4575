//! The shared kernel of Bookbox: the building blocks every bounded context is made of, and
//! the ports through which the runtime gives a context what pure code cannot have (time,
//! ids, storage).
//!
//! **Architecture invariant:** the kernel does no I/O and depends on no context and no
//! infrastructure crate (sled, actix, crossbeam, tokio): contexts are built from it and
//! stay testable without any I/O. Adapters for its ports live in the `bookbox` crate.
//!
//! What is here:
//! - [`ids`]: typed ids, stream ids, versions and global positions;
//! - [`time`]: [`Timestamp`] and the [`Clock`] port; [`ids::IdSource`] for new ids;
//! - [`aggregate`]: the [`Aggregate`] trait (decide, evolve);
//! - [`event`]: domain events, their JSON codec and upcasters;
//! - [`message`]: the CloudEvents envelope every cross-context message travels in;
//! - [`inbox`]: what a context consumes, one entry per message ([`inbox!`]);
//! - [`store`]: the [`EventStore`] port (streams, global log, outbox, inbox, snapshots);
//! - [`record`]: the checksummed at-rest record format shared by every store adapter;
//! - [`memory`]: an in-memory [`EventStore`] for tests;
//! - [`formats`]: the published language's formats (ISBN-13, `YYYY-MM`, USD cents, USPS state
//!   codes, genres) as functions, written once so no producer and consumer can drift apart;
//! - [`text`]: how a rejected input is quoted back in an error message;
//! - `testing` (feature `testing`): given/when/then fixture, proptest helpers, the
//!   conformance suite every [`EventStore`] adapter must pass, and the JSON-schema checker of
//!   the published language.

pub mod aggregate;
pub mod context;
pub mod deadline;
pub mod event;
pub mod formats;
pub mod ids;
pub mod inbox;
pub mod memory;
pub mod message;
pub mod record;
pub mod repository;
pub mod store;
pub mod text;
pub mod time;
pub mod unit_of_work;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use aggregate::{Aggregate, Env};
pub use event::{DomainEvent, EventCodec, UpcastError, Upcaster};
pub use ids::{EventId, ExpectedVersion, IdSource, Position, StreamId, Version};
pub use memory::InMemoryEventStore;
pub use message::{Envelope, MessageId, MessageKind};
pub use store::{AppendError, AppendReceipt, AppendRequest, EventStore, RecordedEvent, StoreError};
pub use time::{Clock, Timestamp};

/// Re-exports used by this crate's macros, so a context need not name them itself.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use serde_json::value::RawValue;
    pub use uuid;
}
