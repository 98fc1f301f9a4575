//! The rules of getting a parcel to the door: when delivery is attempted, how many times,
//! what an attempt can end in, and how patiently shipping retries a carrier that does not
//! answer.
//!
//! Two kinds of failure are kept apart on purpose. *No one home* is the customer's world:
//! it uses up one of the [`AttemptNumber::LAST`] attempts. *The carrier's service failed*
//! (an outage, a timeout) is Bookbox's plumbing: it is retried after a backoff and never
//! counts as an attempt, but it is bounded too: after [`CARRIER_RETRIES_MAX`] retries in a
//! row the shipment stalls until an operator resumes it.

use std::fmt;

use kernel::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::ids::ShipmentId;

/// The first delivery attempt is made this many days after the parcel is handed over.
pub const FIRST_ATTEMPT_AFTER_DAYS: i64 = 2;
/// After no one was home, the carrier comes back this many days later.
pub const REATTEMPT_AFTER_DAYS: i64 = 1;

/// Transient carrier failures retried in a row before the shipment stalls: with the delays
/// below, about a day of outage (10+20+40+80+160+320+360+360 minutes, plus jitter).
pub const CARRIER_RETRIES_MAX: u32 = 8;
pub const CARRIER_RETRY_DELAY_MINUTES_FIRST: i64 = 10;
pub const CARRIER_RETRY_DELAY_MINUTES_MAX: i64 = 360;
/// At most this share (in percent) of a retry delay is added as jitter.
pub const CARRIER_RETRY_JITTER_PERCENT_MAX: i64 = 20;

const _: () = assert!(CARRIER_RETRY_DELAY_MINUTES_FIRST <= CARRIER_RETRY_DELAY_MINUTES_MAX);
// A retry always comes well before the next delivery round, so an outage delays a round
// rather than skipping one.
const _: () = assert!(
    CARRIER_RETRY_DELAY_MINUTES_MAX * (100 + CARRIER_RETRY_JITTER_PERCENT_MAX) / 100 < REATTEMPT_AFTER_DAYS * 24 * 60
);

const MICROS_PER_MINUTE: i64 = 60_000_000;

/// Which delivery attempt: 1 to [`AttemptNumber::LAST`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct AttemptNumber(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is not a delivery attempt (1 to {last})", last = AttemptNumber::LAST.0)]
pub struct InvalidAttemptNumber(pub u8);

impl AttemptNumber {
    pub const FIRST: AttemptNumber = AttemptNumber(1);
    /// The carrier tries three times (the first, and two reattempts), then returns the parcel.
    pub const LAST: AttemptNumber = AttemptNumber(3);

    pub fn new(n: u8) -> Result<Self, InvalidAttemptNumber> {
        if (Self::FIRST.0..=Self::LAST.0).contains(&n) {
            Ok(Self(n))
        } else {
            Err(InvalidAttemptNumber(n))
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The attempt after this one, unless this is the last.
    pub fn next(self) -> Option<Self> {
        Self::new(self.0 + 1).ok()
    }
}

impl TryFrom<u8> for AttemptNumber {
    type Error = InvalidAttemptNumber;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<AttemptNumber> for u8 {
    fn from(attempt: AttemptNumber) -> u8 {
        attempt.0
    }
}

impl fmt::Display for AttemptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What the carrier found at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttemptOutcome {
    Delivered,
    NoOneHome,
    DamagedInTransit,
}

/// Why a delivery attempt failed without ending the shipment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryFailure {
    NoOneHome,
}

impl DeliveryFailure {
    /// In the published language's words.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryFailure::NoOneHome => "no one home",
        }
    }
}

/// A call shipping makes to the carrier. A shipment has at most one due at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CarrierCall {
    /// Hand the parcel over and get a tracking number.
    Dispatch,
    /// Ask how this delivery attempt went.
    DeliveryAttempt(AttemptNumber),
}

impl fmt::Display for CarrierCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CarrierCall::Dispatch => f.write_str("dispatch"),
            CarrierCall::DeliveryAttempt(attempt) => write!(f, "delivery attempt {attempt}"),
        }
    }
}

pub fn first_attempt_at(dispatched_at: Timestamp) -> Timestamp {
    dispatched_at.plus_days(FIRST_ATTEMPT_AFTER_DAYS)
}

pub fn reattempt_at(failed_at: Timestamp) -> Timestamp {
    failed_at.plus_days(REATTEMPT_AFTER_DAYS)
}

/// When to retry a call that just failed for the `retry`-th time in a row (1-based):
/// exponential backoff, capped, plus a jitter drawn from the shipment id, so that thousands
/// of shipments caught by one outage do not all call back at the same minute. The jitter is a
/// pure function of the id, so replaying a simulation reproduces it.
pub fn carrier_retry_at(failed_at: Timestamp, shipment_id: ShipmentId, retry: u32) -> Timestamp {
    let doublings = retry.saturating_sub(1).min(16);
    let minutes = (CARRIER_RETRY_DELAY_MINUTES_FIRST << doublings).min(CARRIER_RETRY_DELAY_MINUTES_MAX);
    let delay = minutes * MICROS_PER_MINUTE;
    let draw = mix(shipment_id.as_uuid().as_u128() as u64 ^ (shipment_id.as_uuid().as_u128() >> 64) as u64, retry);
    let jitter = delay / 100 * (draw % (CARRIER_RETRY_JITTER_PERCENT_MAX as u64 + 1)) as i64;
    failed_at.plus_micros(delay + jitter)
}

/// SplitMix64's finalizer over a key and a counter: well spread, stable across builds.
fn mix(key: u64, counter: u32) -> u64 {
    let mut z = key ^ u64::from(counter).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_three_attempts() {
        assert_eq!(AttemptNumber::new(0), Err(InvalidAttemptNumber(0)));
        assert_eq!(AttemptNumber::new(4).unwrap_err().to_string(), "4 is not a delivery attempt (1 to 3)");
        assert_eq!(AttemptNumber::FIRST.next(), AttemptNumber::new(2).ok());
        assert_eq!(AttemptNumber::LAST.next(), None);
        assert!(serde_json::from_str::<AttemptNumber>("4").is_err(), "a corrupt attempt number does not decode");
    }

    #[test]
    fn attempts_follow_the_schedule() {
        let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(first_attempt_at(t), Timestamp::parse("2026-01-03T00:00:00Z").unwrap());
        assert_eq!(reattempt_at(t), Timestamp::parse("2026-01-02T00:00:00Z").unwrap());
    }

    #[test]
    fn carrier_retries_back_off_exponentially_with_bounded_jitter() {
        let t = Timestamp::from_micros(0);
        for n in 0..200u128 {
            let id = ShipmentId::from_uuid(uuid::Uuid::from_u128(n * 0x1234_5678_9abc));
            let mut previous = 0;
            for retry in 1..=CARRIER_RETRIES_MAX + 3 {
                let minutes =
                    (CARRIER_RETRY_DELAY_MINUTES_FIRST << (retry - 1).min(16)).min(CARRIER_RETRY_DELAY_MINUTES_MAX);
                let delay = carrier_retry_at(t, id, retry).as_micros();
                let (low, high) = (minutes * MICROS_PER_MINUTE, minutes * MICROS_PER_MINUTE * 120 / 100);
                assert!((low..=high).contains(&delay), "retry {retry} after {delay}us, not in {low}..={high}");
                assert_eq!(delay, carrier_retry_at(t, id, retry).as_micros(), "deterministic");
                if minutes < CARRIER_RETRY_DELAY_MINUTES_MAX {
                    assert!(delay > previous);
                }
                previous = delay;
            }
        }
        let spread: std::collections::BTreeSet<i64> = (0..50u128)
            .map(|n| carrier_retry_at(t, ShipmentId::from_uuid(uuid::Uuid::from_u128(n)), 3).as_micros())
            .collect();
        assert!(spread.len() > 10, "the jitter spreads shipments apart: {spread:?}");
    }

    #[test]
    fn calls_read_well() {
        assert_eq!(CarrierCall::Dispatch.to_string(), "dispatch");
        assert_eq!(CarrierCall::DeliveryAttempt(AttemptNumber::LAST).to_string(), "delivery attempt 3");
        assert_eq!(
            serde_json::to_value(CarrierCall::DeliveryAttempt(AttemptNumber::FIRST)).unwrap(),
            serde_json::json!({ "delivery-attempt": 1 })
        );
    }
}
