//! Months as the published language writes them: `YYYY-MM`, a four-digit year from 1000 to
//! 9999 (a year written with a leading zero is a typo, not a month anyone subscribes in) and
//! a two-digit month from 01 to 12.

use std::ops::RangeInclusive;

/// The years a month may fall in.
pub const YEARS: RangeInclusive<u16> = 1000..=9999;

/// Why a string is not a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MonthError {
    #[error("is not a month written YYYY-MM (e.g. 2026-03)")]
    Malformed,
    #[error("has no month {month}; months are 01 to 12")]
    NoSuchMonth { month: u8 },
}

/// Reads `YYYY-MM` (surrounding whitespace forgiven) into its year and month.
pub fn parse_month(input: &str) -> Result<(u16, u8), MonthError> {
    let (year, month) = input.trim().split_once('-').ok_or(MonthError::Malformed)?;
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2)) {
        return Err(MonthError::Malformed);
    }
    let (Ok(year), Ok(month)) = (year.parse::<u16>(), month.parse::<u8>()) else {
        return Err(MonthError::Malformed);
    };
    if !YEARS.contains(&year) {
        return Err(MonthError::Malformed);
    }
    if !(1..=12).contains(&month) {
        return Err(MonthError::NoSuchMonth { month });
    }
    Ok((year, month))
}

/// Writes a year and month as `YYYY-MM`.
pub fn format_month(year: u16, month: u8) -> String {
    format!("{year:04}-{month:02}")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn months_are_written_yyyy_mm() {
        assert_eq!(parse_month("2026-03"), Ok((2026, 3)));
        assert_eq!(parse_month(" 2026-11\t"), Ok((2026, 11)));
        assert_eq!(format_month(2026, 3), "2026-03");
        assert_eq!(parse_month("2026-13"), Err(MonthError::NoSuchMonth { month: 13 }));
        assert_eq!(parse_month("2026-00"), Err(MonthError::NoSuchMonth { month: 0 }));
        for bad in ["2026-3", "26-03", "2026/03", "", "0999-01", "0000-01", "2026-03-01", "+026-03", "２０２６-03"]
        {
            assert_eq!(parse_month(bad), Err(MonthError::Malformed), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn what_parses_formats_back_to_its_trimmed_input(input in any::<String>()) {
            if let Ok((year, month)) = parse_month(&input) {
                prop_assert_eq!(format_month(year, month), input.trim());
            }
        }

        #[test]
        fn every_month_round_trips(year in YEARS, month in 1u8..=12) {
            prop_assert_eq!(parse_month(&format_month(year, month)), Ok((year, month)));
        }

        #[test]
        fn shaped_strings_parse_iff_year_and_month_are_in_range(text in "[0-9]{4}-[0-9]{2}") {
            let year: u16 = text[..4].parse().unwrap();
            let month: u8 = text[5..].parse().unwrap();
            let valid = YEARS.contains(&year) && (1..=12).contains(&month);
            prop_assert_eq!(parse_month(&text).is_ok(), valid);
        }
    }
}
