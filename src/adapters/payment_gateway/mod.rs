//! The payment gateway, as billing's [`PaymentGateway`](billing::ports::PaymentGateway) port
//! sees it: a simulated gateway (no real bank is reachable from here) and the resilience every
//! call to a remote gateway needs.
//!
//! - [`SimulatedGateway`] approves, declines or fails each call as its [`SimulationConfig`]
//!   says (decline rate, error rate, latency, outages), deterministically from a seed: the
//!   decision is a hash of (seed, order, try, how often that try was presented), never a
//!   random draw, so a simulation is reproducible whatever the threads' timing. Like a real
//!   gateway it is idempotent per idempotency key: a try it answered is answered the same way
//!   again, and a card is never charged twice for one try.
//! - [`ResilientGateway`] wraps any gateway, outermost first, in
//!   - a **bulkhead**: at most `concurrent_calls_max` callers inside at once (their retries'
//!     waits included, since those hold a thread too); one more fails fast with
//!     [`GatewayError::Saturated`](billing::ports::GatewayError::Saturated) instead of queueing behind a slow gateway;
//!   - **retries** of transient errors (unavailable, timed out) with exponential backoff and
//!     jitter, `retries_max` at most. A decline is an answer, never retried here: the next try
//!     of a declined card is billing's decision, days later. An open circuit is not retried
//!     either: it fails fast and billing calls again in minutes;
//!   - a **circuit breaker**: after `breaker_failures_to_open` consecutive transient failures
//!     it opens and refuses calls
//!     ([`GatewayError::CircuitOpen`](billing::ports::GatewayError::CircuitOpen)) for
//!     `breaker_cool_down`, then lets one probe through (half-open): a success closes it, a
//!     failure opens it again.
//!
//! Crates: the retries use `backon` (its blocking retry takes an injected sleeper, so tests
//! record the waits instead of sleeping, and a seeded jitter). The bulkhead is a `tokio`
//! semaphore's `try_acquire`, which needs no runtime. The breaker is written here: `failsafe`,
//! the established crate, reads the process's monotonic clock (its test clock is a private
//! thread-local), but the breaker's cool-down must run on the kernel's [`Clock`](kernel::time::Clock), the same
//! clock billing's retry deadlines run on; otherwise a simulation that runs a day in a second
//! would never see the breaker half-open.
//!
//! The simulator is in `simulated.rs`, the wrapper in `resilient.rs`; both are one adapter,
//! and share the `hash` they decide with (the simulator its answers, the wrapper its jitter).
//!
//! Wiring (the composition root):
//! ```text
//! let config = SimulationConfig { seed, decline_rate: 0.10, error_rate: 0.05, ..Default::default() };
//! let simulated = Arc::new(SimulatedGateway::new(config, clock.clone())?);
//! let gateway = Arc::new(ResilientGateway::new(simulated.clone(), ResilienceConfig::default(), clock));
//! let billing = billing::Billing::new(gateway.clone());
//! // simulated.stats(), gateway.breaker_state() for assertions and metrics; in a simulation,
//! // `.with_sleeper(|_| {})` keeps retries from waiting in real time.
//! ```

mod resilient;
mod simulated;
#[cfg(test)]
mod testing;

pub use self::resilient::{BreakerState, CircuitBreaker, ResilienceConfig, ResilientGateway};
pub use self::simulated::{GatewayStats, Outage, SimulatedGateway, SimulationConfig, SimulationConfigError};

/// SplitMix64's finalizer folded over `words`: stable across builds and platforms, unlike
/// `DefaultHasher`, and well mixed enough for rates to come out as configured.
fn hash(words: &[u64]) -> u64 {
    words.iter().fold(0x243F_6A88_85A3_08D3_u64, |h, w| {
        let mut z = (h ^ w).wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    })
}
