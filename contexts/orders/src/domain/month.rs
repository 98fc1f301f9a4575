//! The month a box is for: `YYYY-MM`.

use std::fmt;

use serde::{Deserialize, Serialize};

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
        let invalid = || MonthError(raw.to_owned());
        let (year, month) = raw.split_once('-').ok_or_else(invalid)?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(year, 4) && digits(month, 2)) {
            return Err(invalid());
        }
        let year: u16 = year.parse().map_err(|_| invalid())?;
        let month: u8 = month.parse().map_err(|_| invalid())?;
        if !(1..=12).contains(&month) || year == 0 {
            return Err(invalid());
        }
        Ok(Self { year, month })
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
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
