//! The customer's name, as they want it on the box: one free-text field (no first/last
//! split, which does not fit every culture).

use serde::{Deserialize, Serialize};

use crate::domain::text::{self, TextProblem};

/// Invariant: trimmed, 1 to [`CustomerName::CHARS_MAX`] characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerName(String);

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("name: {0}")]
pub struct NameError(pub TextProblem);

impl CustomerName {
    pub const CHARS_MAX: usize = 200;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        text::clean(input, Self::CHARS_MAX).map(Self).map_err(NameError)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CustomerName {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, NameError> {
        Self::parse(&s)
    }
}

impl From<CustomerName> for String {
    fn from(name: CustomerName) -> String {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed() {
        assert_eq!(CustomerName::parse("  Grace Hopper ").unwrap().as_str(), "Grace Hopper");
    }

    #[test]
    fn an_empty_name_is_refused_naming_the_field() {
        let err = CustomerName::parse(" ").unwrap_err();
        assert_eq!(err, NameError(TextProblem::Empty));
        assert_eq!(err.to_string(), "name: is empty");
    }

    #[test]
    fn a_name_that_is_too_long_or_has_control_characters_is_refused() {
        assert_eq!(CustomerName::parse(&"n".repeat(201)), Err(NameError(TextProblem::TooLong { max: 200 })));
        assert_eq!(CustomerName::parse("Ada\u{0}"), Err(NameError(TextProblem::ControlCharacter)));
    }

    #[test]
    fn a_stored_name_is_validated_when_read_back() {
        assert!(serde_json::from_str::<CustomerName>(r#""""#).is_err());
        assert_eq!(serde_json::from_str::<CustomerName>(r#""Ada""#).unwrap().as_str(), "Ada");
    }
}
