//! A calendar month, `YYYY-MM`: the unit of a selection and of a box.

use std::fmt;

use kernel::formats::month::{format_month, parse_month, MonthError as Format};
use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// Invariant: year 1000 to 9999, month 1 to 12. Ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: u16,
    month: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("`{input}` is not a month written YYYY-MM (e.g. 2026-03)")]
    Malformed { input: String },
    #[error("`{input}` has no month {month}; months are 01 to 12")]
    NoSuchMonth { input: String, month: u8 },
}

impl Month {
    pub fn parse(input: &str) -> Result<Self, MonthError> {
        match parse_month(input) {
            Ok((year, month)) => Ok(Self { year, month }),
            Err(Format::NoSuchMonth { month }) => Err(MonthError::NoSuchMonth { input: excerpt(input), month }),
            Err(Format::Malformed) => Err(MonthError::Malformed { input: excerpt(input) }),
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
    fn try_from(s: String) -> Result<Self, Self::Error> {
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
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn months_are_written_yyyy_mm() {
        assert_eq!(Month::parse("2026-03").unwrap().to_string(), "2026-03");
        assert!(Month::parse("2026-02").unwrap() < Month::parse("2026-11").unwrap());
        assert!(Month::parse("2025-12").unwrap() < Month::parse("2026-01").unwrap());
        assert_eq!(Month::parse("2026-13"), Err(MonthError::NoSuchMonth { input: "2026-13".into(), month: 13 }));
        for bad in ["2026-3", "26-03", "2026/03", "", "0999-01", "2026-03-01", "+026-03"] {
            assert_eq!(Month::parse(bad), Err(MonthError::Malformed { input: bad.into() }), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(month) = Month::parse(&input) {
                prop_assert_eq!(Month::parse(&month.to_string()), Ok(month));
            }
        }
    }
}
