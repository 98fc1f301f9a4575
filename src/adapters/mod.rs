//! Adapters of the ports the kernel and the contexts declare: here the system clock and
//! random (version 4) UUIDs for a real run (simulations use `kernel::time::ManualClock` and
//! `kernel::ids::SequentialIds`, so a seed reproduces a run); in submodules, the simulated
//! outside world (payment gateway, carrier).

pub mod carrier;
pub mod payment_gateway;

use kernel::time::{Clock, Timestamp};
use kernel::IdSource;

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Timestamp::from_micros(i64::try_from(since_epoch.as_micros()).unwrap_or(i64::MAX))
    }
}

/// Random ids (v4). uuid's `fast-rng` draws them from a thread-local generator seeded once
/// from the OS, rather than a `getrandom` system call per id.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn next_id(&self) -> uuid::Uuid {
        uuid::Uuid::new_v4()
    }
}
