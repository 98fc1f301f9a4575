//! The simulated payment gateway: approves, declines or fails each call as its
//! [`SimulationConfig`] says, deterministically from a seed, and idempotently per
//! idempotency key (see the parent module's docs).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use billing::ports::{ChargeRequest, GatewayAnswer, GatewayError, PaymentGateway};
use kernel::time::{Clock, Timestamp};
use uuid::Uuid;

use super::hash;

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

/// A payment gateway that decides by hashing, not by chance. See the parent module's docs.
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

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::super::testing::{clock, request, simulated, t0};
    use super::*;

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
}
