//! Time as the domain sees it: a [`Timestamp`] that comes through the [`Clock`] port, never
//! from the system clock, so a simulation can run months of business in seconds.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// An instant, in microseconds since the Unix epoch, UTC. Serialized as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A timestamp string that is not RFC 3339, or out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an RFC 3339 timestamp (e.g. 2026-11-01T00:00:00Z): {reason}")]
pub struct InvalidTimestamp {
    pub input: String,
    pub reason: String,
}

impl Timestamp {
    pub const UNIX_EPOCH: Timestamp = Timestamp(0);

    pub const fn from_micros(micros: i64) -> Self {
        Self(micros)
    }
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    pub fn parse(s: &str) -> Result<Self, InvalidTimestamp> {
        let invalid = |reason: String| InvalidTimestamp { input: s.to_owned(), reason };
        let at = OffsetDateTime::parse(s, &Rfc3339).map_err(|e| invalid(e.to_string()))?;
        let micros = at.unix_timestamp_nanos() / 1_000;
        i64::try_from(micros).map(Self).map_err(|_| invalid("out of range".into()))
    }

    /// This instant plus a number of microseconds (saturating).
    pub const fn plus_micros(self, micros: i64) -> Self {
        Self(self.0.saturating_add(micros))
    }

    pub const fn plus_days(self, days: i64) -> Self {
        self.plus_micros(days.saturating_mul(86_400_000_000))
    }

    fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The calendar year and month (1-12) of this instant, UTC.
    pub fn year_month(self) -> (i32, u8) {
        let at = self.to_datetime();
        (at.year(), at.month() as u8)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_datetime().format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "@{}us", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The port through which the current time reaches pure code.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A clock that only moves when told to: for tests and for simulations that run months of
/// business in seconds.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        Self(AtomicI64::new(start.0))
    }
    pub fn set(&self, at: Timestamp) {
        self.0.store(at.0, Ordering::SeqCst);
    }
    pub fn advance_micros(&self, micros: i64) {
        self.0.fetch_add(micros, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_rfc3339() {
        let t = Timestamp::parse("2026-11-01T12:30:00.123456Z").unwrap();
        assert_eq!(t.to_string(), "2026-11-01T12:30:00.123456Z");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
        assert_eq!(t.year_month(), (2026, 11));
    }

    #[test]
    fn a_bad_timestamp_is_named_in_the_error() {
        let err = Timestamp::parse("yesterday").unwrap_err();
        assert!(err.to_string().starts_with("`yesterday` is not an RFC 3339 timestamp"));
    }

    #[test]
    fn the_manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::UNIX_EPOCH);
        assert_eq!(clock.now(), Timestamp::UNIX_EPOCH);
        clock.advance_micros(5);
        assert_eq!(clock.now().as_micros(), 5);
    }
}
