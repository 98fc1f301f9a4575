//! How the runtime behaves: capacities, retries, timeouts, the claim-check threshold.

use std::time::Duration;

/// How the runtime behaves; the defaults suit a laptop and the test suite.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Hot aggregates kept in memory per context.
    pub cache_capacity: usize,
    /// A snapshot is taken after this many events since the last one.
    pub snapshot_every: u64,
    /// Delivery attempts before a message is dead-lettered.
    pub max_attempts: u32,
    /// The first retry's delay; each further retry doubles it, up to `retry_max`.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// A delivery with no outcome after this long is sent again.
    pub delivery_timeout: Duration,
    /// Payloads larger than this many bytes travel by claim check.
    pub claim_check_threshold: usize,
    /// Messages the bus holds before relays wait (backpressure).
    pub bus_capacity: usize,
    /// How often a background ticker fires due deadlines (`None`: only when
    /// `RuntimeHandle::fire_deadlines` is called, as simulations do).
    pub tick_every: Option<Duration>,
    /// How many times the router hands each message to each subscriber. More than 1 only
    /// to show, in tests and drills, that consumers are idempotent.
    pub deliveries_per_message: u32,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            cache_capacity: 10_000,
            snapshot_every: 100,
            max_attempts: 5,
            retry_base: Duration::from_millis(20),
            retry_max: Duration::from_secs(5),
            delivery_timeout: Duration::from_secs(30),
            claim_check_threshold: 64 * 1024,
            bus_capacity: 4_096,
            deliveries_per_message: 1,
            tick_every: Some(Duration::from_secs(1)),
        }
    }
}
