//! The month a box is for: `YYYY-MM`.

use std::fmt;

use kernel::formats::month::{format_month, parse_month};
use serde::{Deserialize, Serialize};

/// Invariant: year 1000 to 9999, month 1 to 12 (the kernel's `YYYY-MM`). Ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: u16,
    month: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month (expected YYYY-MM, e.g. 2026-03)")]
pub struct MonthError(pub String);

impl Month {
    pub fn parse(raw: &str) -> Result<Self, MonthError> {
        let (year, month) = parse_month(raw).map_err(|_| MonthError(raw.to_owned()))?;
        Ok(Self { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_month(self.year, self.month))
    }
}

impl TryFrom<String> for Month {
    type Error = MonthError;
    fn try_from(raw: String) -> Result<Self, MonthError> {
        Self::parse(&raw)
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

    #[test]
    fn months_are_yyyy_mm() {
        assert_eq!(Month::parse("2026-03").unwrap().to_string(), "2026-03");
        for bad in ["2026-13", "2026-00", "26-03", "2026-3", "2026/03", "0000-01", "", "２０２６-03"] {
            assert_eq!(Month::parse(bad), Err(MonthError(bad.into())), "{bad}");
        }
    }
}
