//! Support for the runtime's end-to-end tests: three small test contexts that exercise every
//! message kind, a command between contexts, a claim-checked payload, a poison message and a
//! panicking handler.
#![allow(dead_code)]

pub mod contexts;

use std::sync::Arc;

use bookbox::runtime::storage::Storage;
use bookbox::runtime::{Runtime, RuntimeConfig, RuntimeHandle};
use kernel::ids::SequentialIds;
use kernel::time::{ManualClock, Timestamp};

/// Starts a runtime hosting the three test contexts on `storage`.
pub fn start(storage: Arc<dyn Storage>, config: RuntimeConfig, seed: u64) -> RuntimeHandle {
    start_with_clock(
        storage,
        config,
        seed,
        Arc::new(ManualClock::new(Timestamp::parse("2026-11-01T00:00:00Z").unwrap())),
    )
}

/// Starts a runtime hosting the three test contexts, on a clock the test moves.
pub fn start_with_clock(
    storage: Arc<dyn Storage>,
    config: RuntimeConfig,
    seed: u64,
    clock: Arc<ManualClock>,
) -> RuntimeHandle {
    Runtime::new(storage, clock, Arc::new(SequentialIds::new(seed)), config)
        .host(contexts::Ledger)
        .host(contexts::Auditing)
        .host(contexts::Snooper)
        .start()
        .expect("runtime starts")
}

/// A config with fast retries, for tests.
pub fn fast_config() -> RuntimeConfig {
    RuntimeConfig {
        max_attempts: 3,
        retry_base: std::time::Duration::from_millis(5),
        claim_check_threshold: 1024,
        tick_every: None,
        ..RuntimeConfig::default()
    }
}
