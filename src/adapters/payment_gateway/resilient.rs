//! The resilience every call to a remote payment gateway needs: a bulkhead, retries with
//! backoff and jitter, and a circuit breaker on the kernel's clock, wrapped around any
//! gateway (see the parent module's docs).

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use backon::{BlockingRetryable, ExponentialBuilder};
use billing::ports::{ChargeRequest, GatewayAnswer, GatewayError, PaymentGateway};
use kernel::time::{Clock, Timestamp};

use super::hash;

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

/// A circuit breaker on the kernel's clock. See the parent module's docs.
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

/// Wraps a gateway with a bulkhead, retries and a circuit breaker. See the parent module's docs.
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

    use kernel::time::ManualClock;

    use super::super::testing::{clock, request, simulated, t0};
    use super::super::{Outage, SimulationConfig};
    use super::*;

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
