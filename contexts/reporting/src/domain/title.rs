//! A book's title, as inventory publishes it: shown beside the ISBN in the stock report.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Invariant: 1 to 300 characters, not blank, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("is blank")]
    Blank,
    #[error("is {chars} characters long; the limit is 300")]
    TooLong { chars: usize },
    #[error("contains a control character")]
    ControlCharacter,
}

impl Title {
    pub const CHARS_MAX: usize = 300;

    pub fn parse(input: &str) -> Result<Self, TitleError> {
        if input.trim().is_empty() {
            return Err(TitleError::Blank);
        }
        let chars = input.chars().count();
        if chars > Self::CHARS_MAX {
            return Err(TitleError::TooLong { chars });
        }
        if input.chars().any(char::is_control) {
            return Err(TitleError::ControlCharacter);
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Title {
    type Error = TitleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Title> for String {
    fn from(title: Title) -> String {
        title.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn titles_are_printable_and_bounded() {
        assert_eq!(Title::parse("Dune").unwrap().as_str(), "Dune");
        assert_eq!(Title::parse("  "), Err(TitleError::Blank));
        assert_eq!(Title::parse("a\nb"), Err(TitleError::ControlCharacter));
        assert_eq!(Title::parse(&"é".repeat(301)), Err(TitleError::TooLong { chars: 301 }));
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(title) = Title::parse(&input) {
                prop_assert_eq!(title.as_str(), input.as_str());
            }
        }
    }
}
