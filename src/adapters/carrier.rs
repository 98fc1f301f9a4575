//! A simulated carrier: the adapter of shipping's `Carrier` port for simulations and demos.
//! It fails its API now and then, finds no one home, damages parcels in transit, each at a
//! configured rate, and decides everything from a seed.
//!
//! **Deterministic by construction.** Every decision is a hash of the seed, what is decided
//! and the request itself ((shipment id, try) for a dispatch; (tracking number, attempt, try)
//! for a delivery attempt), never of call order, a counter or a clock. So a run replays
//! exactly from its seed whatever the threads did, and a repeated call (after a crash between
//! the call and the commit) gets the answer the first one got, as the port requires:
//! - the same shipment always gets the same tracking number (dispatch is idempotent);
//! - how attempt *n* went is one fact: the retry number decides only whether the API answers,
//!   never the outcome;
//! - a transient error is transient: the next try of the same call draws afresh.
//!
//! **What the rates mean.** `error`: each call (dispatch or delivery attempt) fails with this
//! probability. `damage`: a parcel is damaged in transit with this probability, found at the
//! first attempt (so it is a per-shipment rate). `no_one_home`: each attempt on an undamaged
//! parcel finds no one home with this probability.

use shipping::ports::{Carrier, CarrierError, DeliveryAttemptRequest, DeliveryOutcome, DispatchRequest, Dispatched};
use uuid::Uuid;

/// How often the simulated carrier fails, finds no one home, and damages parcels: each a
/// probability from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarrierRates {
    /// A call to the carrier's API fails (transient; retried by shipping).
    pub error: f64,
    /// An attempt finds no one home.
    pub no_one_home: f64,
    /// A parcel is damaged in transit.
    pub damage: f64,
}

impl CarrierRates {
    /// A carrier that never fails, always finds someone home, and damages nothing.
    pub const PERFECT: CarrierRates = CarrierRates { error: 0.0, no_one_home: 0.0, damage: 0.0 };
}

/// A rate that is not a probability.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("carrier rate `{name}` is {value}; a rate is a probability from 0 to 1")]
pub struct InvalidRate {
    pub name: &'static str,
    pub value: f64,
}

/// The simulated carrier. Stateless, hence `Send + Sync` and free to share.
#[derive(Debug, Clone)]
pub struct SimulatedCarrier {
    seed: u64,
    rates: CarrierRates,
    name: String,
}

/// What a draw decides: part of its hash, so that two decisions about the same request are
/// independent.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
enum Decision {
    DispatchFails = 1,
    AttemptFails = 2,
    Damaged = 3,
    NoOneHome = 4,
    TrackingNumber = 5,
}

impl SimulatedCarrier {
    pub const DEFAULT_NAME: &'static str = "Simulated Post";

    pub fn new(seed: u64, rates: CarrierRates) -> Result<Self, InvalidRate> {
        for (name, value) in [("error", rates.error), ("no_one_home", rates.no_one_home), ("damage", rates.damage)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(InvalidRate { name, value });
            }
        }
        Ok(Self { seed, rates, name: Self::DEFAULT_NAME.to_owned() })
    }

    /// A carrier that never fails, always finds someone home, and damages nothing.
    pub fn perfect(seed: u64) -> Self {
        Self { seed, rates: CarrierRates::PERFECT, name: Self::DEFAULT_NAME.to_owned() }
    }

    /// The name it gives in its answers.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn rates(&self) -> CarrierRates {
        self.rates
    }

    /// The tracking number a shipment gets: `SIM-` and 32 hex digits, the shipment id masked
    /// by a seed-derived key. A bijection of the id for a given seed, so two shipments never
    /// share one.
    pub fn tracking_number(&self, shipment_id: Uuid) -> String {
        let high = u128::from(self.hash(Decision::TrackingNumber, b"high", 0, 0));
        let low = u128::from(self.hash(Decision::TrackingNumber, b"low", 0, 0));
        format!("SIM-{:032X}", shipment_id.as_u128() ^ (high << 64 | low))
    }

    /// A stable 64-bit hash of the seed, the decision and the request (FNV-1a over
    /// length-prefixed parts, then SplitMix64's finalizer for a well-spread result): unlike
    /// `std`'s hashers, stable across builds and platforms.
    fn hash(&self, decision: Decision, key: &[u8], attempt: u8, retry: u32) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325_u64;
        let mut eat = |bytes: &[u8]| {
            for &b in (bytes.len() as u64).to_le_bytes().iter().chain(bytes) {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        eat(&self.seed.to_le_bytes());
        eat(&[decision as u8]);
        eat(key);
        eat(&[attempt]);
        eat(&retry.to_le_bytes());
        let mut z = hash;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Whether an event of probability `rate` happens for this draw: a uniform number in
    /// [0, 1) from the hash's top 53 bits, below `rate`.
    fn happens(&self, rate: f64, decision: Decision, key: &[u8], attempt: u8, retry: u32) -> bool {
        let uniform = (self.hash(decision, key, attempt, retry) >> 11) as f64 / (1u64 << 53) as f64;
        uniform < rate
    }
}

impl Carrier for SimulatedCarrier {
    fn dispatch(&self, request: &DispatchRequest) -> Result<Dispatched, CarrierError> {
        let key = request.shipment_id.as_bytes();
        if self.happens(self.rates.error, Decision::DispatchFails, key, 0, request.retry) {
            return Err(CarrierError {
                reason: format!(
                    "simulated outage: dispatch of {} (try {}) timed out",
                    request.shipment_id,
                    request.retry + 1
                ),
            });
        }
        Ok(Dispatched { carrier: self.name.clone(), tracking_number: self.tracking_number(request.shipment_id) })
    }

    fn attempt_delivery(&self, request: &DeliveryAttemptRequest) -> Result<DeliveryOutcome, CarrierError> {
        let key = request.tracking_number.as_bytes();
        if self.happens(self.rates.error, Decision::AttemptFails, key, request.attempt, request.retry) {
            return Err(CarrierError {
                reason: format!(
                    "simulated outage: tracking {} (attempt {}, try {}) timed out",
                    request.tracking_number,
                    request.attempt,
                    request.retry + 1
                ),
            });
        }
        // Damage happens on the way, so it is found at the first attempt, once per parcel.
        if request.attempt == 1 && self.happens(self.rates.damage, Decision::Damaged, key, 0, 0) {
            return Ok(DeliveryOutcome::DamagedInTransit);
        }
        if self.happens(self.rates.no_one_home, Decision::NoOneHome, key, request.attempt, 0) {
            return Ok(DeliveryOutcome::NoOneHome);
        }
        Ok(DeliveryOutcome::Delivered)
    }
}

#[cfg(test)]
mod tests {
    use shipping::ports::PostalAddress;

    use super::*;

    const DRAWS: u32 = 20_000;

    fn rates() -> CarrierRates {
        CarrierRates { error: 0.05, no_one_home: 0.10, damage: 0.02 }
    }

    fn shipment(n: u32) -> Uuid {
        Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0000 | u128::from(n))
    }

    fn dispatch_request(shipment_id: Uuid, retry: u32) -> DispatchRequest {
        DispatchRequest {
            shipment_id,
            warehouse: "dallas".into(),
            address: PostalAddress {
                line1: "12 Elm Street".into(),
                line2: None,
                city: "Austin".into(),
                state: "TX".into(),
                postal_code: "73301".into(),
                country: "US".into(),
            },
            books: vec![],
            insured_value_cents: 2_999,
            retry,
        }
    }

    fn attempt(
        carrier: &SimulatedCarrier,
        shipment_id: Uuid,
        attempt: u8,
        retry: u32,
    ) -> Result<DeliveryOutcome, CarrierError> {
        let tracking_number = carrier.tracking_number(shipment_id);
        carrier.attempt_delivery(&DeliveryAttemptRequest { tracking_number, attempt, retry })
    }

    /// What shipping would see of one shipment: dispatch tries until one succeeds, then up to
    /// three attempts, each retried until the carrier answers.
    fn life(carrier: &SimulatedCarrier, shipment_id: Uuid) -> Vec<String> {
        let mut seen = Vec::new();
        let mut retry = 0;
        while carrier.dispatch(&dispatch_request(shipment_id, retry)).is_err() {
            seen.push(format!("dispatch failed {retry}"));
            retry += 1;
        }
        for n in 1..=3 {
            let mut retry = 0;
            let outcome = loop {
                match attempt(carrier, shipment_id, n, retry) {
                    Ok(outcome) => break outcome,
                    Err(_) => retry += 1,
                }
            };
            seen.push(format!("attempt {n} after {retry} errors: {outcome:?}"));
            if outcome != DeliveryOutcome::NoOneHome {
                break;
            }
        }
        seen
    }

    fn share(count: u32, of: u32) -> f64 {
        f64::from(count) / f64::from(of)
    }

    #[test]
    fn the_rates_are_honoured_over_many_draws() {
        let carrier = SimulatedCarrier::new(42, rates()).unwrap();
        let dispatch_errors =
            (0..DRAWS).filter(|&n| carrier.dispatch(&dispatch_request(shipment(n), 0)).is_err()).count();
        let first_attempts: Vec<_> = (0..DRAWS).map(|n| attempt(&carrier, shipment(n), 1, 0)).collect();
        let errors = first_attempts.iter().filter(|a| a.is_err()).count() as u32;
        let answered: Vec<_> = first_attempts.into_iter().flatten().collect();
        let count = |outcome| answered.iter().filter(|a| **a == outcome).count() as u32;
        let answered = answered.len() as u32;
        let damaged = share(count(DeliveryOutcome::DamagedInTransit), answered);
        let no_one_home = share(count(DeliveryOutcome::NoOneHome), answered - count(DeliveryOutcome::DamagedInTransit));
        // Three standard deviations of a binomial share over 20,000 draws is at most 0.011.
        assert!((share(dispatch_errors as u32, DRAWS) - 0.05).abs() < 0.01, "dispatch errors {dispatch_errors}");
        assert!((share(errors, DRAWS) - 0.05).abs() < 0.01, "attempt errors {errors}");
        assert!((damaged - 0.02).abs() < 0.005, "damaged {damaged}");
        assert!((no_one_home - 0.10).abs() < 0.012, "no one home {no_one_home}");
        let later_damage = (0..DRAWS)
            .filter(|&n| attempt(&carrier, shipment(n), 2, 0) == Ok(DeliveryOutcome::DamagedInTransit))
            .count();
        assert_eq!(later_damage, 0, "damage is found at the first attempt only: a per-shipment rate");
    }

    #[test]
    fn the_same_seed_gives_the_same_outcomes_whatever_the_order_or_threads() {
        let carrier = SimulatedCarrier::new(7, CarrierRates { error: 0.3, no_one_home: 0.4, damage: 0.1 }).unwrap();
        let forward: Vec<_> = (0..500).map(|n| life(&carrier, shipment(n))).collect();
        let again = SimulatedCarrier::new(7, carrier.rates()).unwrap();
        let mut backward: Vec<_> = (0..500).rev().map(|n| life(&again, shipment(n))).collect();
        backward.reverse();
        assert_eq!(forward, backward);
        let threaded: Vec<Vec<_>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|part| {
                    let carrier = &carrier;
                    scope.spawn(move || {
                        (part * 125..(part + 1) * 125).map(|n| life(carrier, shipment(n))).collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("no panic")).collect()
        });
        assert_eq!(threaded.concat(), forward);
        let other_seed = SimulatedCarrier::new(8, carrier.rates()).unwrap();
        let different: Vec<_> = (0..500).map(|n| life(&other_seed, shipment(n))).collect();
        assert_ne!(different, forward, "another seed is another simulation");
    }

    #[test]
    fn a_repeated_call_gets_the_first_answer_and_a_retry_draws_afresh() {
        let carrier = SimulatedCarrier::new(1, CarrierRates { error: 0.5, no_one_home: 0.5, damage: 0.0 }).unwrap();
        let dispatched = |n| carrier.dispatch(&dispatch_request(shipment(n), 0));
        assert_eq!(dispatched(3), dispatched(3));
        let tracking: std::collections::HashSet<_> = (0..1000).map(|n| carrier.tracking_number(shipment(n))).collect();
        assert_eq!(tracking.len(), 1000, "no two shipments share a tracking number");
        assert!(tracking.iter().all(|t| t.len() <= 40 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')));
        for n in 0..200 {
            let answers: Vec<_> = (0..40).filter_map(|retry| attempt(&carrier, shipment(n), 2, retry).ok()).collect();
            assert!(!answers.is_empty(), "a transient error is transient");
            assert!(answers.windows(2).all(|w| w[0] == w[1]), "the outcome of an attempt is one fact: {answers:?}");
        }
        assert!((0..200).any(|n| attempt(&carrier, shipment(n), 1, 0).is_err()));
    }

    #[test]
    fn a_rate_must_be_a_probability() {
        let refused = |rates| SimulatedCarrier::new(0, rates).unwrap_err().to_string();
        assert_eq!(
            refused(CarrierRates { error: 1.5, ..CarrierRates::PERFECT }),
            "carrier rate `error` is 1.5; a rate is a probability from 0 to 1"
        );
        assert!(refused(CarrierRates { damage: -0.1, ..CarrierRates::PERFECT }).contains("`damage`"));
        assert!(refused(CarrierRates { no_one_home: f64::NAN, ..CarrierRates::PERFECT }).contains("`no_one_home`"));
        let perfect = SimulatedCarrier::perfect(0).named("Acme Parcel");
        let dispatched = perfect.dispatch(&dispatch_request(shipment(0), 0)).unwrap();
        assert_eq!(dispatched.carrier, "Acme Parcel");
        assert!((0..100).all(|n| attempt(&perfect, shipment(n), 1, 0) == Ok(DeliveryOutcome::Delivered)));
    }
}
