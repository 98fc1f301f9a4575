//! How long a box order waits for each answer, and how often it asks.
//!
//! Every wait of the process manager has a deadline. When it passes with no answer, the
//! order asks again (the recipients are idempotent by order id or shipment id, so asking
//! twice never does a thing twice) until the step's attempts run out; then it compensates.
//! The durations are business choices, written down here and nowhere else.

use std::fmt;

use serde::{Deserialize, Serialize};

use kernel::Timestamp;

const HOUR_MICROS: i64 = 3_600_000_000;
const DAY_MICROS: i64 = 24 * HOUR_MICROS;

/// A step of the process that waits for another context's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// `reserve-stock`, answered by inventory (`stock-reserved` or `stock-reservation-rejected`).
    Reservation,
    /// `charge-payment`, answered by billing (`payment-captured` or `payment-failed`).
    Payment,
    /// `request-shipment`, answered by shipping (`shipment-dispatched`).
    Shipment,
    /// A dispatched parcel, whose outcome shipping reports (`shipment-delivered`,
    /// `shipment-returned` or `shipment-damaged`).
    Delivery,
    /// `refund-payment` (or billing's own refund of a damaged shipment), answered by billing
    /// (`payment-refunded`).
    Refund,
}

impl Step {
    /// How long one attempt waits for its answer.
    ///
    /// - reservation: inventory answers from its own ledgers, at once: an hour is generous;
    /// - payment: billing retries a declined card on later days (up to three tries), so its
    ///   final answer may take a few days: four days per attempt;
    /// - shipment: the warehouse picks and packs within a working day or two;
    /// - delivery: carriers declare a parcel lost after three weeks without news;
    /// - refund: billing refunds through its gateway within a day or two.
    pub fn patience_micros(self) -> i64 {
        match self {
            Step::Reservation => HOUR_MICROS,
            Step::Payment => 4 * DAY_MICROS,
            Step::Shipment => 2 * DAY_MICROS,
            Step::Delivery => 21 * DAY_MICROS,
            Step::Refund => 2 * DAY_MICROS,
        }
    }

    /// How many times the order asks before it gives up on the step. A parcel in transit is
    /// not asked for again: there is nothing to resend.
    pub fn attempts_max(self) -> u8 {
        match self {
            Step::Delivery => 1,
            Step::Reservation | Step::Payment | Step::Shipment | Step::Refund => 3,
        }
    }

    /// When an attempt started at `now` is overdue.
    pub fn deadline_from(self, now: Timestamp) -> Timestamp {
        now.plus_micros(self.patience_micros())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Reservation => "reservation",
            Step::Payment => "payment",
            Step::Shipment => "shipment",
            Step::Delivery => "delivery",
            Step::Refund => "refund",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which attempt of a step this is: 1 for the first request. Attempt 0 is a wait that began
/// without a request of ours (a refund billing makes on its own, for a damaged shipment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attempt(u8);

impl Attempt {
    pub const UNASKED: Attempt = Attempt(0);
    pub const FIRST: Attempt = Attempt(1);

    #[cfg(test)]
    pub const fn new(n: u8) -> Self {
        Self(n)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    pub fn next(self) -> Attempt {
        Attempt(self.0.saturating_add(1))
    }

    /// Whether no attempt of `step` may follow this one.
    pub fn is_last_of(self, step: Step) -> bool {
        self.0 >= step.attempts_max()
    }
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What an order is waiting for, and until when: at most one thing at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wait {
    pub step: Step,
    pub attempt: Attempt,
    pub until: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_has_patience_and_a_bound() {
        let now = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
        assert_eq!(Step::Reservation.deadline_from(now).to_string(), "2026-03-01T01:00:00Z");
        assert_eq!(Step::Payment.deadline_from(now).to_string(), "2026-03-05T00:00:00Z");
        assert!(Attempt::FIRST.next().next().is_last_of(Step::Payment));
        assert!(!Attempt::FIRST.next().is_last_of(Step::Payment));
        assert!(Attempt::FIRST.is_last_of(Step::Delivery));
        assert!(!Attempt::UNASKED.is_last_of(Step::Refund));
    }
}
