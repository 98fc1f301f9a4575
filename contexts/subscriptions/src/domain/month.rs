//! A calendar month (`YYYY-MM`): the unit of the subscription cycle. A box falls due once a
//! month; "next month" is where a restart takes effect.

use std::fmt;

use serde::{Deserialize, Serialize};

use kernel::formats::month::{format_month, parse_month, YEARS};
use kernel::Timestamp;

/// Invariant: year 1000 to 9999, month 1 to 12 (the kernel's `YYYY-MM`). Ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    // Field order matters: the derived order compares the year first.
    year: u16,
    month: u8,
}

/// A string that is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("month: `{input}` is not a month; expected YYYY-MM with a month from 01 to 12, e.g. 2026-03")]
pub struct MonthError {
    pub input: String,
}

impl Month {
    pub const FIRST: Month = Month { year: *YEARS.start(), month: 1 };
    pub const LAST: Month = Month { year: *YEARS.end(), month: 12 };

    pub fn parse(input: &str) -> Result<Self, MonthError> {
        let (year, month) =
            parse_month(input).map_err(|_| MonthError { input: input.escape_debug().take(16).collect() })?;
        Ok(Self { year, month })
    }

    /// The month an instant falls in (UTC). Instants outside years 1000 to 9999 are clamped:
    /// the clock is not a user input, and the domain never panics.
    pub fn of(at: Timestamp) -> Self {
        let (year, month) = at.year_month();
        match u16::try_from(year) {
            Ok(year) if YEARS.contains(&year) => Self { year, month: month.clamp(1, 12) },
            _ if year < i32::from(*YEARS.start()) => Self::FIRST,
            _ => Self::LAST,
        }
    }

    /// The month after this one; [`Month::LAST`] has no successor and stays itself.
    pub fn next(self) -> Self {
        match (self.year, self.month) {
            (9999, 12) => self,
            (year, 12) => Self { year: year + 1, month: 1 },
            (year, month) => Self { year, month: month + 1 },
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_month(self.year, self.month))
    }
}

impl TryFrom<String> for Month {
    type Error = MonthError;
    fn try_from(s: String) -> Result<Self, MonthError> {
        Self::parse(&s)
    }
}

impl From<Month> for String {
    fn from(month: Month) -> String {
        month.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn months_parse_print_and_order() {
        assert_eq!(month(" 2026-03 ").to_string(), "2026-03");
        assert!(month("2025-12") < month("2026-01"));
        assert_eq!(month("2025-12").next(), month("2026-01"));
        assert_eq!(month("2026-01").next(), month("2026-02"));
        assert_eq!(Month::LAST.next(), Month::LAST);
    }

    #[test]
    fn what_is_not_a_month_is_refused_naming_the_field() {
        for input in
            ["", "2026", "2026-13", "2026-00", "2026-3", "26-03", "0000-01", "2026-03-01", "２０２６-03", "+026-03"]
        {
            assert!(Month::parse(input).is_err(), "{input:?}");
        }
        let err = Month::parse("2026-13").unwrap_err();
        assert_eq!(
            err.to_string(),
            "month: `2026-13` is not a month; expected YYYY-MM with a month from 01 to 12, e.g. 2026-03"
        );
    }

    #[test]
    fn the_month_of_an_instant_is_its_utc_month() {
        assert_eq!(Month::of(Timestamp::parse("2026-03-31T23:59:59Z").unwrap()), month("2026-03"));
        assert_eq!(Month::of(Timestamp::parse("2026-04-01T00:00:00Z").unwrap()), month("2026-04"));
    }

    proptest! {
        #[test]
        fn parsing_any_string_never_panics(input in any::<String>()) {
            if let Ok(m) = Month::parse(&input) {
                prop_assert_eq!(Month::parse(&m.to_string()), Ok(m));
            }
        }

        #[test]
        fn every_instant_has_a_valid_month(micros in any::<i64>()) {
            let m = Month::of(Timestamp::from_micros(micros));
            prop_assert_eq!(Month::parse(&m.to_string()), Ok(m));
        }

        #[test]
        fn next_is_the_smallest_later_month(year in 1000u16..9999, month in 1u8..=12) {
            let m = Month { year, month };
            prop_assert!(m.next() > m);
            prop_assert_eq!(Month::parse(&m.to_string()), Ok(m));
        }
    }
}
