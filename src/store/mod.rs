//! Durable storage for the bounded contexts: the sled adapter of the kernel's
//! [`EventStore`](kernel::EventStore) port, and the bincode codec for snapshots.
//!
//! - [`SledEventStore`]: one sled `Db` per context; events, outbox messages and inbox marks
//!   commit in one atomic write; `append` returns once the write is durable (group commit);
//!   every record is checksummed and verified on read. Its module docs say exactly what is
//!   and is not guaranteed after a crash.
//! - [`BincodeSnapshots`]: the snapshot codec, the only place in the project that uses
//!   bincode (see `deny.toml` for why it is acceptable there).

mod chunked;
mod keys;
pub mod sled;
pub mod snapshot;

pub use self::chunked::ChunkedTree;
pub use self::sled::{Durability, SledEventStore, StoreConfig};
pub use self::snapshot::BincodeSnapshots;
