//! The payment gateway, as billing's [`PaymentGateway`] port sees it: a simulated gateway (no
//! real bank is reachable from here) and the resilience every call to a remote gateway needs.
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
//!     [`GatewayError::Saturated`] instead of queueing behind a slow gateway;
//!   - **retries** of transient errors (unavailable, timed out) with exponential backoff and
//!     jitter, `retries_max` at most. A decline is an answer, never retried here: the next try
//!     of a declined card is billing's decision, days later. An open circuit is not retried
//!     either: it fails fast and billing calls again in minutes;
//!   - a **circuit breaker**: after `breaker_failures_to_open` consecutive transient failures
//!     it opens and refuses calls ([`GatewayError::CircuitOpen`]) for `breaker_cool_down`,
//!     then lets one probe through (half-open): a success closes it, a failure opens it again.
//!
//! Crates: the retries use `backon` (its blocking retry takes an injected sleeper, so tests
//! record the waits instead of sleeping, and a seeded jitter). The bulkhead is a `tokio`
//! semaphore's `try_acquire`, which needs no runtime. The breaker is written here: `failsafe`,
//! the established crate, reads the process's monotonic clock (its test clock is a private
//! thread-local), but the breaker's cool-down must run on the kernel's [`Clock`], the same
//! clock billing's retry deadlines run on; otherwise a simulation that runs a day in a second
//! would never see the breaker half-open.
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

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use backon::{BlockingRetryable, ExponentialBuilder};
use billing::ports::{ChargeRequest, GatewayAnswer, GatewayError, PaymentGateway};
use kernel::time::{Clock, Timestamp};
use uuid::Uuid;

/// How the simulated gateway behaves.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationConfig {
    /// Fixes every decision: the same seed and requests give the same answers.
    pub seed: u64,
    /// The share of tries whose card is declined (0 to 1). Decided per try, so a try keeps its
    /// fate however many transient errors it meets first.
    pub decline_rate: f64,
    /// The share of calls that fail transiently (0 to 1): unavailable or timed out.
    pub error_rate: f64,
    /// Real time each call takes (a sleep); zero for tests and simulations.
    pub latency: Duration,
    /// Windows (on the clock) in which every call fails: a gateway that is down.
    pub outages: Vec<Outage>,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self { seed: 0, decline_rate: 0.0, error_rate: 0.0, latency: Duration::ZERO, outages: Vec::new() }
    }
}

/// From `from` (inclusive) to `until` (exclusive), the gateway is down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    pub from: Timestamp,
    pub until: Timestamp,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulationConfigError {
    #[error("{name} must be a probability between 0 and 1, not {value}")]
    NotAProbability { name: &'static str, value: f64 },
    #[error("an outage must end after it starts ({from} to {until})")]
    EmptyOutage { from: Timestamp, until: Timestamp },
}

/// What the simulated gateway did, for assertions ("no customer charged twice") and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayStats {
    pub calls: u64,
    pub approved: u64,
    pub approved_cents: u64,
    pub declined: u64,
    pub errors: u64,
    /// Calls answered from an earlier answer to the same idempotency key.
    pub replayed: u64,
    approvals_by_order: BTreeMap<Uuid, u32>,
}

impl GatewayStats {
    /// How many different tries of `order_id` were approved: more than 1 is a double charge.
    pub fn approvals_for(&self, order_id: Uuid) -> u32 {
        self.approvals_by_order.get(&order_id).copied().unwrap_or(0)
    }

    /// The most approvals any one order got.
    pub fn approvals_per_order_max(&self) -> u32 {
        self.approvals_by_order.values().copied().max().unwrap_or(0)
    }
}

/// A payment gateway that decides by hashing, not by chance. See the module docs.
pub struct SimulatedGateway {
    config: SimulationConfig,
    clock: Arc<dyn Clock>,
    ledger: Mutex<Ledger>,
}

#[derive(Default)]
struct Ledger {
    /// How often each idempotency key was presented, errors included.
    presented: HashMap<String, u64>,
    /// The answer each idempotency key got, once it got one.
    answered: HashMap<String, GatewayAnswer>,
    stats: GatewayStats,
}

/// Reasons banks give, in the gateway's words.
const DECLINE_REASONS: [&str; 3] = ["insufficient-funds", "card-expired", "do-not-honor"];

// Salts that keep the hashes of the different decisions about one call independent.
const SALT_ERROR: u64 = 0xE;
const SALT_ERROR_KIND: u64 = 0xE2;
const SALT_DECLINE: u64 = 0xD;
const SALT_REASON: u64 = 0xD2;
const SALT_AUTHORIZATION: u64 = 0xA;

impl SimulatedGateway {
    pub fn new(config: SimulationConfig, clock: Arc<dyn Clock>) -> Result<Self, SimulationConfigError> {
        for (name, value) in [("decline_rate", config.decline_rate), ("error_rate", config.error_rate)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(SimulationConfigError::NotAProbability { name, value });
            }
        }
        if let Some(outage) = config.outages.iter().find(|o| o.until <= o.from) {
            return Err(SimulationConfigError::EmptyOutage { from: outage.from, until: outage.until });
        }
        Ok(Self { config, clock, ledger: Mutex::new(Ledger::default()) })
    }

    pub fn stats(&self) -> GatewayStats {
        self.ledger().stats.clone()
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        // The ledger is only counters and maps, consistent after every statement.
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_down(&self, now: Timestamp) -> bool {
        self.config.outages.iter().any(|o| o.from <= now && now < o.until)
    }

    /// A number in [0, 1) fixed by the seed, the try and `words`.
    fn chance(&self, request: &ChargeRequest, words: &[u64]) -> f64 {
        let order = request.order_id.as_u128();
        let mut all = vec![self.config.seed, (order >> 64) as u64, order as u64, u64::from(request.attempt)];
        all.extend_from_slice(words);
        (hash(&all) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn decide(&self, request: &ChargeRequest, presentation: u64) -> Result<GatewayAnswer, GatewayError> {
        if self.is_down(self.clock.now()) {
            return Err(GatewayError::Unavailable("simulated outage".into()));
        }
        if self.chance(request, &[SALT_ERROR, presentation]) < self.config.error_rate {
            return Err(if self.chance(request, &[SALT_ERROR_KIND, presentation]) < 0.5 {
                GatewayError::TimedOut { after_ms: 5_000 }
            } else {
                GatewayError::Unavailable("simulated 503".into())
            });
        }
        if self.chance(request, &[SALT_DECLINE]) < self.config.decline_rate {
            let pick = (self.chance(request, &[SALT_REASON]) * DECLINE_REASONS.len() as f64) as usize;
            let reason = DECLINE_REASONS[pick.min(DECLINE_REASONS.len() - 1)];
            return Ok(GatewayAnswer::Declined { reason: reason.to_owned() });
        }
        let order = request.order_id.as_u128();
        let authorization = hash(&[
            self.config.seed,
            SALT_AUTHORIZATION,
            (order >> 64) as u64,
            order as u64,
            u64::from(request.attempt),
        ]);
        Ok(GatewayAnswer::Approved { authorization_id: format!("sim-{authorization:016x}") })
    }
}

impl PaymentGateway for SimulatedGateway {
    fn charge(&self, request: &ChargeRequest) -> Result<GatewayAnswer, GatewayError> {
        if !self.config.latency.is_zero() {
            std::thread::sleep(self.config.latency);
        }
        let mut ledger = self.ledger();
        ledger.stats.calls += 1;
        let presentation = {
            let n = ledger.presented.entry(request.idempotency_key.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let answer = match self.decide(request, presentation) {
            Err(error) => {
                ledger.stats.errors += 1;
                return Err(error);
            }
            // A try already answered is answered alike: the idempotency a real gateway keeps.
            Ok(_) if ledger.answered.contains_key(&request.idempotency_key) => {
                ledger.stats.replayed += 1;
                return Ok(ledger.answered[&request.idempotency_key].clone());
            }
            Ok(answer) => answer,
        };
        match &answer {
            GatewayAnswer::Approved { .. } => {
                ledger.stats.approved += 1;
                ledger.stats.approved_cents += request.amount.amount_cents;
                *ledger.stats.approvals_by_order.entry(request.order_id).or_insert(0) += 1;
            }
            GatewayAnswer::Declined { .. } => ledger.stats.declined += 1,
        }
        ledger.answered.insert(request.idempotency_key.clone(), answer.clone());
        Ok(answer)
    }
}

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

/// How [`ResilientGateway`] protects callers from the gateway, and the gateway from callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResilienceConfig {
    /// Consecutive transient failures that open the circuit.
    pub breaker_failures_to_open: NonZeroU32,
    /// How long (on the clock) the circuit stays open before a probe may pass.
    pub breaker_cool_down: Duration,
    /// Retries of a transient error after the first call (0: no retry).
    pub retries_max: u32,
    /// The first retry's wait; it doubles with each further one, up to `retry_delay_max`,
    /// and jitter adds up to as much again.
    pub retry_delay_min: Duration,
    pub retry_delay_max: Duration,
    /// Callers allowed inside at once.
    pub concurrent_calls_max: NonZeroU32,
    /// Fixes the jitter (mixed with each request's idempotency key).
    pub jitter_seed: u64,
}

impl Default for ResilienceConfig {
    fn default() -> Self {
        Self {
            breaker_failures_to_open: NonZeroU32::new(5).expect("5 is not zero"),
            breaker_cool_down: Duration::from_secs(30),
            retries_max: 2,
            retry_delay_min: Duration::from_millis(50),
            retry_delay_max: Duration::from_secs(1),
            concurrent_calls_max: NonZeroU32::new(8).expect("8 is not zero"),
            jitter_seed: 0,
        }
    }
}

/// Where the circuit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls pass; `consecutive_failures` transient failures in a row so far.
    Closed { consecutive_failures: u32 },
    /// Calls are refused until `until`.
    Open { until: Timestamp },
    /// The cool-down is over: one probe may pass (`probing` while it is in flight).
    HalfOpen { probing: bool },
}

/// A circuit breaker on the kernel's clock. See the module docs.
pub struct CircuitBreaker {
    failures_to_open: u32,
    cool_down_micros: i64,
    clock: Arc<dyn Clock>,
    state: Mutex<BreakerState>,
}

/// How a call that passed the breaker went, for the breaker's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallHealth {
    /// The gateway answered (an approval or a decline: either says it works).
    Answered,
    /// The gateway failed transiently.
    Failed,
}

impl CircuitBreaker {
    pub fn new(failures_to_open: NonZeroU32, cool_down: Duration, clock: Arc<dyn Clock>) -> Self {
        Self {
            failures_to_open: failures_to_open.get(),
            cool_down_micros: i64::try_from(cool_down.as_micros()).unwrap_or(i64::MAX),
            clock,
            state: Mutex::new(BreakerState::Closed { consecutive_failures: 0 }),
        }
    }

    /// The state now: an open circuit whose cool-down is over reads as half-open.
    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            BreakerState::Open { until } if self.clock.now() >= until => BreakerState::HalfOpen { probing: false },
            state => state,
        }
    }

    fn lock(&self) -> MutexGuard<'_, BreakerState> {
        // A state is one small value, whole after every assignment.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets a call pass, or refuses it while the circuit is open or a probe is in flight.
    fn admit(&self) -> Result<(), GatewayError> {
        let mut state = self.lock();
        match *state {
            BreakerState::Closed { .. } => Ok(()),
            BreakerState::Open { until } if self.clock.now() < until => Err(GatewayError::CircuitOpen),
            BreakerState::Open { .. } | BreakerState::HalfOpen { probing: false } => {
                *state = BreakerState::HalfOpen { probing: true };
                tracing::info!("payment gateway circuit half-open: probing");
                Ok(())
            }
            BreakerState::HalfOpen { probing: true } => Err(GatewayError::CircuitOpen),
        }
    }

    /// Counts a call that was admitted.
    fn record(&self, health: CallHealth) {
        let mut state = self.lock();
        let next = match (*state, health) {
            (BreakerState::HalfOpen { .. }, CallHealth::Answered) => {
                tracing::info!("payment gateway circuit closed: the gateway answers again");
                BreakerState::Closed { consecutive_failures: 0 }
            }
            (_, CallHealth::Answered) => BreakerState::Closed { consecutive_failures: 0 },
            (BreakerState::Closed { consecutive_failures }, CallHealth::Failed)
                if consecutive_failures + 1 < self.failures_to_open =>
            {
                BreakerState::Closed { consecutive_failures: consecutive_failures + 1 }
            }
            (_, CallHealth::Failed) => {
                let until = self.clock.now().plus_micros(self.cool_down_micros);
                tracing::warn!(%until, "payment gateway circuit open: calls fail fast until the cool-down ends");
                BreakerState::Open { until }
            }
        };
        *state = next;
    }
}

/// Wraps a gateway with a bulkhead, retries and a circuit breaker. See the module docs.
pub struct ResilientGateway {
    inner: Arc<dyn PaymentGateway>,
    breaker: CircuitBreaker,
    bulkhead: tokio::sync::Semaphore,
    config: ResilienceConfig,
    sleeper: Arc<dyn Fn(Duration) + Send + Sync>,
}

impl ResilientGateway {
    pub fn new(inner: Arc<dyn PaymentGateway>, config: ResilienceConfig, clock: Arc<dyn Clock>) -> Self {
        let breaker = CircuitBreaker::new(config.breaker_failures_to_open, config.breaker_cool_down, clock);
        let permits = usize::try_from(config.concurrent_calls_max.get()).unwrap_or(usize::MAX);
        Self {
            inner,
            breaker,
            bulkhead: tokio::sync::Semaphore::new(permits),
            config,
            sleeper: Arc::new(std::thread::sleep),
        }
    }

    /// Waits between retries with `sleeper` instead of sleeping the thread: for tests, which
    /// record the waits, and simulations, which need not wait at all.
    pub fn with_sleeper(mut self, sleeper: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.sleeper = Arc::new(sleeper);
        self
    }

    pub fn breaker_state(&self) -> BreakerState {
        self.breaker.state()
    }

    /// One call through the breaker.
    fn call_once(&self, request: &ChargeRequest) -> Result<GatewayAnswer, GatewayError> {
        self.breaker.admit()?;
        let result = self.inner.charge(request);
        self.breaker.record(if result.is_ok() { CallHealth::Answered } else { CallHealth::Failed });
        result
    }

    /// The waits between retries of one request: exponential, with jitter fixed by the seed
    /// and the request, so two requests retrying together do not retry in step.
    fn backoff(&self, request: &ChargeRequest) -> ExponentialBuilder {
        let key = request.idempotency_key.bytes().fold(self.config.jitter_seed, |h, b| hash(&[h, u64::from(b)]));
        ExponentialBuilder::default()
            .with_min_delay(self.config.retry_delay_min)
            .with_max_delay(self.config.retry_delay_max)
            .with_max_times(usize::try_from(self.config.retries_max).unwrap_or(usize::MAX))
            .with_jitter()
            .with_jitter_seed(key)
    }
}

/// Errors worth calling again for at once: the gateway may answer the next call.
fn is_retryable(error: &GatewayError) -> bool {
    matches!(error, GatewayError::Unavailable(_) | GatewayError::TimedOut { .. })
}

impl PaymentGateway for ResilientGateway {
    fn charge(&self, request: &ChargeRequest) -> Result<GatewayAnswer, GatewayError> {
        let Ok(_permit) = self.bulkhead.try_acquire() else {
            return Err(GatewayError::Saturated { max_concurrent_calls: self.config.concurrent_calls_max.get() });
        };
        let sleeper = self.sleeper.clone();
        (|| self.call_once(request))
            .retry(self.backoff(request))
            .sleep(move |wait| sleeper(wait))
            .when(is_retryable)
            .notify(|error: &GatewayError, wait: Duration| {
                tracing::debug!(key = %request.idempotency_key, %error, ?wait, "payment gateway call failed; retrying");
            })
            .call()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::{mpsc, Condvar};

    use billing::ports::Amount;
    use kernel::time::ManualClock;

    use super::*;

    fn t0() -> Timestamp {
        Timestamp::parse("2026-01-01T00:00:00Z").unwrap()
    }

    fn clock() -> Arc<ManualClock> {
        Arc::new(ManualClock::new(t0()))
    }

    fn request(order: u128, attempt: u8) -> ChargeRequest {
        ChargeRequest {
            idempotency_key: format!("payment-{order}-{attempt}"),
            order_id: Uuid::from_u128(order),
            payment_id: Uuid::from_u128(order + 1_000_000),
            payer_id: Uuid::from_u128(7),
            amount: Amount::usd(3499),
            attempt,
        }
    }

    fn simulated(config: SimulationConfig, clock: Arc<ManualClock>) -> Arc<SimulatedGateway> {
        Arc::new(SimulatedGateway::new(config, clock).unwrap())
    }

    /// A gateway that answers every call alike and counts them.
    struct Constant {
        answer: Result<GatewayAnswer, GatewayError>,
        calls: AtomicU32,
    }

    impl Constant {
        fn new(answer: Result<GatewayAnswer, GatewayError>) -> Arc<Self> {
            Arc::new(Self { answer, calls: AtomicU32::new(0) })
        }
        fn calls(&self) -> u32 {
            self.calls.load(Ordering::SeqCst)
        }
    }

    impl PaymentGateway for Constant {
        fn charge(&self, _: &ChargeRequest) -> Result<GatewayAnswer, GatewayError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.answer.clone()
        }
    }

    fn unavailable() -> Result<GatewayAnswer, GatewayError> {
        Err(GatewayError::Unavailable("down".into()))
    }

    fn config(failures_to_open: u32, retries_max: u32) -> ResilienceConfig {
        ResilienceConfig {
            breaker_failures_to_open: NonZeroU32::new(failures_to_open).unwrap(),
            retries_max,
            ..ResilienceConfig::default()
        }
    }

    /// A resilient gateway whose waits are recorded, not slept.
    fn resilient(
        inner: Arc<dyn PaymentGateway>,
        config: ResilienceConfig,
        clock: Arc<ManualClock>,
    ) -> (ResilientGateway, Arc<Mutex<Vec<Duration>>>) {
        let waits = Arc::new(Mutex::new(Vec::new()));
        let recorded = waits.clone();
        let gateway =
            ResilientGateway::new(inner, config, clock).with_sleeper(move |wait| recorded.lock().unwrap().push(wait));
        (gateway, waits)
    }

    #[test]
    fn the_simulation_is_reproducible_from_its_seed() {
        let config = SimulationConfig { seed: 42, decline_rate: 0.3, error_rate: 0.2, ..Default::default() };
        let answers = |config: SimulationConfig| {
            let gateway = simulated(config, clock());
            (0..300).map(|n| gateway.charge(&request(n, 1 + (n % 3) as u8))).collect::<Vec<_>>()
        };
        assert_eq!(answers(config.clone()), answers(config.clone()));
        assert_ne!(answers(config.clone()), answers(SimulationConfig { seed: 43, ..config }));
    }

    #[test]
    fn decline_and_error_rates_come_out_as_configured() {
        let config = SimulationConfig { seed: 7, decline_rate: 0.10, error_rate: 0.05, ..Default::default() };
        let gateway = simulated(config, clock());
        for order in 0..20_000 {
            let _ = gateway.charge(&request(order, 1));
        }
        let stats = gateway.stats();
        let share = |n: u64| n as f64 / stats.calls as f64;
        assert!((0.04..0.06).contains(&share(stats.errors)), "errors {}", share(stats.errors));
        let declined = stats.declined as f64 / (stats.calls - stats.errors) as f64;
        assert!((0.09..0.11).contains(&declined), "declines {declined}");
        assert_eq!(stats.approvals_per_order_max(), 1);
    }

    #[test]
    fn a_try_keeps_its_fate_and_is_never_charged_twice() {
        let config = SimulationConfig { seed: 1, decline_rate: 0.5, error_rate: 0.5, ..Default::default() };
        let gateway = simulated(config, clock());
        let mut approved = Vec::new();
        for order in 0..200 {
            // Called until answered, then again until answered: the answer does not change.
            let answer =
                || (0..50).find_map(|_| gateway.charge(&request(order, 1)).ok()).expect("answered within 50 calls");
            let first = answer();
            assert_eq!(answer(), first, "order {order}");
            if matches!(first, GatewayAnswer::Approved { .. }) {
                approved.push(order);
            }
        }
        let stats = gateway.stats();
        assert!(stats.replayed >= 200);
        assert!(approved.iter().all(|order| stats.approvals_for(Uuid::from_u128(*order)) == 1));
        assert_eq!(stats.approved, approved.len() as u64);
        assert_eq!(stats.approved_cents, 3499 * approved.len() as u64);
    }

    #[test]
    fn an_outage_fails_every_call_while_it_lasts() {
        let clock = clock();
        let outage = Outage { from: t0().plus_micros(60_000_000), until: t0().plus_micros(120_000_000) };
        let gateway = simulated(SimulationConfig { outages: vec![outage], ..Default::default() }, clock.clone());
        assert!(gateway.charge(&request(1, 1)).is_ok());
        clock.set(outage.from);
        assert_eq!(gateway.charge(&request(2, 1)), Err(GatewayError::Unavailable("simulated outage".into())));
        clock.set(outage.until);
        assert!(gateway.charge(&request(2, 1)).is_ok());
    }

    #[test]
    fn a_bad_configuration_is_refused() {
        let refused = |config| SimulatedGateway::new(config, clock()).err().map(|e| e.to_string());
        assert_eq!(
            refused(SimulationConfig { decline_rate: 1.5, ..Default::default() }),
            Some("decline_rate must be a probability between 0 and 1, not 1.5".into())
        );
        assert!(refused(SimulationConfig { error_rate: f64::NAN, ..Default::default() }).is_some());
        let backwards = Outage { from: t0(), until: t0() };
        assert!(refused(SimulationConfig { outages: vec![backwards], ..Default::default() }).is_some());
    }

    #[test]
    fn the_breaker_opens_after_consecutive_failures_then_half_opens_after_the_cool_down() {
        let clock = clock();
        let inner = Constant::new(unavailable());
        let (gateway, _) = resilient(inner.clone(), config(3, 0), clock.clone());
        for n in 1..=3 {
            assert_eq!(gateway.charge(&request(1, 1)), unavailable(), "call {n} reaches the gateway");
        }
        let until = t0().plus_micros(30_000_000);
        assert_eq!(gateway.breaker_state(), BreakerState::Open { until });
        assert_eq!(gateway.charge(&request(1, 1)), Err(GatewayError::CircuitOpen));
        assert_eq!(inner.calls(), 3, "an open circuit fails fast without calling");

        clock.set(until);
        assert_eq!(gateway.breaker_state(), BreakerState::HalfOpen { probing: false });
        assert_eq!(gateway.charge(&request(1, 1)), unavailable(), "one probe passes");
        assert_eq!(inner.calls(), 4);
        let reopened = until.plus_micros(30_000_000);
        assert_eq!(gateway.breaker_state(), BreakerState::Open { until: reopened }, "a failed probe opens it again");
    }

    #[test]
    fn a_successful_probe_closes_the_breaker() {
        let clock = clock();
        let breaker = CircuitBreaker::new(NonZeroU32::new(2).unwrap(), Duration::from_secs(10), clock.clone());
        breaker.record(CallHealth::Failed);
        breaker.record(CallHealth::Failed);
        assert_eq!(breaker.admit(), Err(GatewayError::CircuitOpen));
        clock.advance_micros(10_000_000);
        assert_eq!(breaker.admit(), Ok(()));
        assert_eq!(breaker.admit(), Err(GatewayError::CircuitOpen), "one probe at a time");
        breaker.record(CallHealth::Answered);
        assert_eq!(breaker.state(), BreakerState::Closed { consecutive_failures: 0 });
        assert_eq!(breaker.admit(), Ok(()));
    }

    #[test]
    fn the_circuit_opens_when_the_gateway_goes_down_and_closes_after_it_recovers() {
        let clock = clock();
        let outage = Outage { from: t0(), until: t0().plus_micros(5 * 60_000_000) };
        let sim = simulated(SimulationConfig { outages: vec![outage], ..Default::default() }, clock.clone());
        let (gateway, _) = resilient(sim.clone(), config(5, 2), clock.clone());
        // Two calls (three tries each) into the outage open the circuit; the rest fail fast.
        let answers: Vec<_> = (0..4).map(|n| gateway.charge(&request(n, 1))).collect();
        assert_eq!(answers[0], Err(GatewayError::Unavailable("simulated outage".into())));
        assert!(matches!(gateway.breaker_state(), BreakerState::Open { .. }));
        assert_eq!(answers[3], Err(GatewayError::CircuitOpen));
        assert_eq!(sim.stats().calls, 5, "the circuit spared the gateway the other calls");
        // The gateway recovers; after the cool-down a probe goes through and closes the circuit.
        clock.set(outage.until.plus_micros(30_000_000));
        assert!(matches!(gateway.charge(&request(9, 1)), Ok(GatewayAnswer::Approved { .. })));
        assert_eq!(gateway.breaker_state(), BreakerState::Closed { consecutive_failures: 0 });
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_and_stop_at_the_limit() {
        let inner = Constant::new(Err(GatewayError::TimedOut { after_ms: 5_000 }));
        let (gateway, waits) = resilient(inner.clone(), config(100, 3), clock());
        assert_eq!(gateway.charge(&request(1, 1)), Err(GatewayError::TimedOut { after_ms: 5_000 }));
        assert_eq!(inner.calls(), 4, "the first call and three retries");
        let waits = waits.lock().unwrap().clone();
        assert_eq!(waits.len(), 3);
        for (n, wait) in waits.iter().enumerate() {
            let base = Duration::from_millis(50 << n);
            assert!(*wait >= base && *wait < base * 2, "wait {n}: {wait:?} is not in [{base:?}, {:?})", base * 2);
        }
    }

    #[test]
    fn declines_and_an_open_circuit_are_never_retried_by_the_adapter() {
        let inner = Constant::new(Ok(GatewayAnswer::Declined { reason: "card-expired".into() }));
        let (gateway, waits) = resilient(inner.clone(), config(1, 5), clock());
        for _ in 0..3 {
            assert_eq!(gateway.charge(&request(1, 1)), Ok(GatewayAnswer::Declined { reason: "card-expired".into() }));
        }
        assert_eq!(inner.calls(), 3, "one call per charge");
        assert!(waits.lock().unwrap().is_empty());
        assert_eq!(gateway.breaker_state(), BreakerState::Closed { consecutive_failures: 0 }, "a decline is an answer");

        let down = Constant::new(unavailable());
        let (gateway, waits) = resilient(down.clone(), config(1, 5), clock());
        // The first failure opens the circuit; its retry finds it open and stops there.
        assert_eq!(gateway.charge(&request(1, 1)), Err(GatewayError::CircuitOpen));
        assert_eq!((down.calls(), waits.lock().unwrap().len()), (1, 1), "the gateway saw one call");
        assert_eq!(gateway.charge(&request(1, 1)), Err(GatewayError::CircuitOpen));
        assert_eq!((down.calls(), waits.lock().unwrap().len()), (1, 1), "an open circuit is not retried");
    }

    /// Holds every call until the test opens the gate, telling the test when one is inside.
    struct Gate {
        inside: Mutex<mpsc::Sender<()>>,
        open: Mutex<bool>,
        opened: Condvar,
    }

    impl PaymentGateway for Gate {
        fn charge(&self, _: &ChargeRequest) -> Result<GatewayAnswer, GatewayError> {
            self.inside.lock().unwrap().send(()).unwrap();
            let mut open = self.open.lock().unwrap();
            while !*open {
                open = self.opened.wait(open).unwrap();
            }
            Ok(GatewayAnswer::Approved { authorization_id: "auth".into() })
        }
    }

    #[test]
    fn the_bulkhead_refuses_the_call_past_its_limit_at_once() {
        const LIMIT: u32 = 3;
        let (inside_tx, inside) = mpsc::channel();
        let gate = Arc::new(Gate { inside: Mutex::new(inside_tx), open: Mutex::new(false), opened: Condvar::new() });
        let limited = ResilienceConfig { concurrent_calls_max: NonZeroU32::new(LIMIT).unwrap(), ..config(1, 0) };
        let (gateway, _) = resilient(gate.clone(), limited, clock());
        std::thread::scope(|scope| {
            let callers: Vec<_> = (0..LIMIT)
                .map(|n| {
                    scope.spawn({
                        let gateway = &gateway;
                        move || gateway.charge(&request(u128::from(n), 1))
                    })
                })
                .collect();
            for _ in 0..LIMIT {
                inside.recv_timeout(Duration::from_secs(10)).expect("a caller got inside");
            }
            assert_eq!(
                gateway.charge(&request(99, 1)),
                Err(GatewayError::Saturated { max_concurrent_calls: LIMIT }),
                "the call past the limit fails fast"
            );
            *gate.open.lock().unwrap() = true;
            gate.opened.notify_all();
            for caller in callers {
                assert!(caller.join().unwrap().is_ok());
            }
        });
        assert_eq!(
            gateway.breaker_state(),
            BreakerState::Closed { consecutive_failures: 0 },
            "saturation is not a failure of the gateway"
        );
        assert!(gateway.charge(&request(100, 1)).is_ok(), "permits come back");
    }
}
