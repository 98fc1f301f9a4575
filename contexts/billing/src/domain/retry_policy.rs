//! When a payment tries the card again: billing's retry policy, in one place.
//!
//! Two kinds of failure, two clocks:
//! - **The bank declined the card** ("the card failed, charge it again"). The card may work on
//!   a later day (payday, a raised limit), so the next try is days away: tries on day 0, day 1
//!   and day 3, [`TRIES_MAX`] in all, then the payment fails.
//! - **The gateway did not answer** (unavailable, timed out, circuit open, too busy). That says
//!   nothing about the card, so it is not a try: the same try calls again within minutes, with
//!   exponential backoff. It is bounded: after [`GATEWAY_ERRORS_PER_TRY_MAX`] failed calls the
//!   try is abandoned and counts as a failed try, so an outage moves the payment along the
//!   daily schedule instead of holding it forever. A payment therefore ends (captured or
//!   failed) within [`TRIES_MAX`] tries of at most [`GATEWAY_ERRORS_PER_TRY_MAX`] calls each,
//!   about three days after it was requested.
//!
//! Backoff delays are spread by a hash of the payment id (up to half the delay again), so the
//! payments an outage interrupted together do not all call again in the same second; it is
//! not randomness, so the domain stays pure and a decision is the same every time it is made.

use std::fmt;

use kernel::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::ids::PaymentId;

/// Tries of the card, in all.
pub const TRIES_MAX: u8 = 3;

/// Days from a failed try to the next one: tries on day 0, day 1 and day 3.
pub const DAYS_AFTER_FAILED_TRY: [i64; TRIES_MAX as usize - 1] = [1, 2];

/// Failed gateway calls one try may take before it is abandoned.
pub const GATEWAY_ERRORS_PER_TRY_MAX: u8 = 5;

/// The delay after a try's first failed gateway call; it doubles with each further one.
pub const GATEWAY_RETRY_SECONDS_BASE: i64 = 60;

const MICROS_PER_SECOND: i64 = 1_000_000;

const _: () = assert!(TRIES_MAX >= 1);
const _: () = assert!(GATEWAY_ERRORS_PER_TRY_MAX >= 1 && GATEWAY_ERRORS_PER_TRY_MAX <= 16);

/// Which try of the card this is: 1 to [`TRIES_MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Attempt(u8);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("try {0} is not between 1 and {max}", max = TRIES_MAX)]
pub struct AttemptOutOfRange(pub u64);

impl Attempt {
    pub const FIRST: Attempt = Attempt(1);

    pub fn new(n: u64) -> Result<Self, AttemptOutOfRange> {
        match u8::try_from(n) {
            Ok(n) if (1..=TRIES_MAX).contains(&n) => Ok(Self(n)),
            _ => Err(AttemptOutOfRange(n)),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn is_last(self) -> bool {
        self.0 == TRIES_MAX
    }

    /// The try after this one, unless this is the last.
    pub fn next(self) -> Option<Attempt> {
        (!self.is_last()).then_some(Attempt(self.0 + 1))
    }
}

impl TryFrom<u8> for Attempt {
    type Error = AttemptOutOfRange;
    fn try_from(n: u8) -> Result<Self, AttemptOutOfRange> {
        Self::new(u64::from(n))
    }
}

impl From<Attempt> for u8 {
    fn from(attempt: Attempt) -> u8 {
        attempt.0
    }
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// When the try after the failed try `attempt` happens, or `None` if that was the last.
pub fn next_try_at(attempt: Attempt, failed_at: Timestamp) -> Option<Timestamp> {
    let next = attempt.next()?;
    let days = DAYS_AFTER_FAILED_TRY[usize::from(next.get()) - 2];
    Some(failed_at.plus_days(days))
}

/// When try `attempt` calls the gateway again after its `errors`-th failed call, or `None` if
/// that call used up the try's budget ([`GATEWAY_ERRORS_PER_TRY_MAX`]).
pub fn next_call_at(payment_id: PaymentId, attempt: Attempt, errors: u8, failed_at: Timestamp) -> Option<Timestamp> {
    if errors == 0 || errors >= GATEWAY_ERRORS_PER_TRY_MAX {
        return None;
    }
    let delay_seconds = GATEWAY_RETRY_SECONDS_BASE << (errors - 1);
    let spread_seconds = spread(payment_id, attempt, errors) % (delay_seconds / 2 + 1);
    Some(failed_at.plus_micros((delay_seconds + spread_seconds) * MICROS_PER_SECOND))
}

/// A stable hash (FNV-1a) of the payment and the call: the same every run, unlike
/// `DefaultHasher`, and different enough between payments to spread them.
fn spread(payment_id: PaymentId, attempt: Attempt, errors: u8) -> i64 {
    let bytes = payment_id.as_uuid().into_bytes().into_iter().chain([attempt.get(), errors]);
    let hash = bytes.fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash >> 1) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn payment(n: u128) -> PaymentId {
        PaymentId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn attempts_run_from_one_to_the_limit() {
        assert_eq!(Attempt::new(0), Err(AttemptOutOfRange(0)));
        assert_eq!(Attempt::new(4), Err(AttemptOutOfRange(4)));
        assert_eq!(Attempt::FIRST.next().and_then(Attempt::next), Some(Attempt::new(3).unwrap()));
        assert!(Attempt::new(3).unwrap().is_last() && Attempt::new(3).unwrap().next().is_none());
        assert!(serde_json::from_str::<Attempt>("9").is_err());
    }

    #[test]
    fn tries_happen_on_day_zero_one_and_three() {
        let day0 = at("2026-01-01T10:00:00Z");
        let day1 = next_try_at(Attempt::FIRST, day0).unwrap();
        assert_eq!(day1, at("2026-01-02T10:00:00Z"));
        let day3 = next_try_at(Attempt::new(2).unwrap(), day1).unwrap();
        assert_eq!(day3, at("2026-01-04T10:00:00Z"));
        assert_eq!(next_try_at(Attempt::new(3).unwrap(), day3), None);
    }

    #[test]
    fn gateway_calls_back_off_exponentially_within_minutes_and_stop_at_the_budget() {
        let t = at("2026-01-01T10:00:00Z");
        let mut previous_delay = 0;
        for errors in 1..GATEWAY_ERRORS_PER_TRY_MAX {
            let next = next_call_at(payment(7), Attempt::FIRST, errors, t).unwrap();
            let delay = (next.as_micros() - t.as_micros()) / MICROS_PER_SECOND;
            let base = GATEWAY_RETRY_SECONDS_BASE << (errors - 1);
            assert!((base..=base + base / 2).contains(&delay), "error {errors}: {delay}s");
            assert!(delay > previous_delay, "the backoff grows");
            previous_delay = delay;
        }
        assert_eq!(next_call_at(payment(7), Attempt::FIRST, GATEWAY_ERRORS_PER_TRY_MAX, t), None);
        assert!(previous_delay < 15 * 60, "every call of a try happens within a quarter of an hour");
    }

    #[test]
    fn the_spread_is_stable_and_differs_between_payments() {
        let t = at("2026-01-01T10:00:00Z");
        let of = |n| next_call_at(payment(n), Attempt::FIRST, 3, t).unwrap();
        assert_eq!(of(1), of(1));
        let distinct: std::collections::BTreeSet<_> = (0..50).map(of).collect();
        assert!(distinct.len() > 25, "50 payments call again at {} distinct times only", distinct.len());
    }
}
