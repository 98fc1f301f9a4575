//! USPS state codes as the published language writes them: two capital letters, one of the
//! 50 states, DC, the five inhabited territories or the three armed-forces codes (mail to
//! service members goes through them). Customers publishes this list in its
//! `customer-profile` schema; architecture rule 15 keeps the two equal.

/// Every code, in the published order.
pub const US_STATE_CODES: [&str; 59] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME",
    "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "AS", "GU", "MP", "PR", "VI", "AA",
    "AE", "AP",
];

/// A string that is not a USPS code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not a US state code (two letters, e.g. TX)")]
pub struct UnknownState;

/// Reads a code, forgiving surrounding whitespace and letter case (`" tx "` is `TX`).
pub fn parse_us_state(input: &str) -> Result<&'static str, UnknownState> {
    let wanted = input.trim();
    US_STATE_CODES.into_iter().find(|code| code.eq_ignore_ascii_case(wanted)).ok_or(UnknownState)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn codes_are_read_in_any_case_and_kept_in_capitals() {
        assert_eq!(parse_us_state("TX"), Ok("TX"));
        assert_eq!(parse_us_state(" tx "), Ok("TX"));
        assert_eq!(parse_us_state("Ap"), Ok("AP"));
        for bad in ["XX", "Texas", "T", "", "T X", "ÉT"] {
            assert_eq!(parse_us_state(bad), Err(UnknownState), "{bad}");
        }
    }

    #[test]
    fn the_list_has_59_distinct_codes_of_two_capitals() {
        let unique: BTreeSet<_> = US_STATE_CODES.iter().collect();
        assert_eq!(unique.len(), 59);
        assert!(US_STATE_CODES.iter().all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }

    proptest! {
        #[test]
        fn what_parses_is_a_listed_code(input in any::<String>()) {
            if let Ok(code) = parse_us_state(&input) {
                prop_assert!(US_STATE_CODES.contains(&code));
                prop_assert!(code.eq_ignore_ascii_case(input.trim()));
            }
        }

        #[test]
        fn every_code_parses_in_any_case(index in 0usize..59, lower in any::<bool>()) {
            let code = US_STATE_CODES[index];
            let typed = if lower { code.to_ascii_lowercase() } else { code.to_owned() };
            prop_assert_eq!(parse_us_state(&typed), Ok(code));
        }
    }
}
