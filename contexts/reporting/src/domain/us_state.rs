//! The US state a box goes to: what revenue is grouped by ("SELECT state, count(*) FROM orders
//! GROUP BY state"). Customers owns the list of valid codes and checks addresses against it;
//! reporting groups by whatever two-letter code orders reports, so a code customers adds
//! later (a territory, say) shows up as its own row without a change here.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// Invariant: two ASCII capital letters, e.g. `TX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UsState([u8; 2]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a US state code (two capital letters, e.g. TX)")]
pub struct UsStateError {
    pub input: String,
}

impl UsState {
    pub fn parse(input: &str) -> Result<Self, UsStateError> {
        match input.as_bytes() {
            &[a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Self([a, b])),
            _ => Err(UsStateError { input: excerpt(input) }),
        }
    }

    pub fn as_str(&self) -> &str {
        // Two ASCII letters are always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for UsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for UsState {
    type Error = UsStateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<UsState> for String {
    fn from(state: UsState) -> String {
        state.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn states_are_two_capital_letters() {
        assert_eq!(UsState::parse("TX").unwrap().to_string(), "TX");
        assert!(UsState::parse("CA").unwrap() < UsState::parse("TX").unwrap());
        for bad in ["tx", "Texas", "T", "", "T1", " TX", "ÉT"] {
            assert_eq!(UsState::parse(bad), Err(UsStateError { input: bad.into() }), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(state) = UsState::parse(&input) {
                prop_assert_eq!(state.as_str(), input.as_str());
            }
        }
    }
}
