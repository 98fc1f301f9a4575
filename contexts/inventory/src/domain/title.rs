//! A book's title, as the catalog shows it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Invariant: trimmed, 1 to 300 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("is empty")]
    Empty,
    #[error("is {chars} characters long; the limit is {max}", max = Title::CHARS_MAX)]
    TooLong { chars: usize },
    #[error("contains a control character")]
    ControlCharacter,
}

impl Title {
    pub const CHARS_MAX: usize = 300;

    pub fn parse(input: &str) -> Result<Self, TitleError> {
        let title = input.trim();
        if title.is_empty() {
            return Err(TitleError::Empty);
        }
        let chars = title.chars().count();
        if chars > Self::CHARS_MAX {
            return Err(TitleError::TooLong { chars });
        }
        if title.chars().any(char::is_control) {
            return Err(TitleError::ControlCharacter);
        }
        Ok(Self(title.to_owned()))
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
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Dune ").unwrap().as_str(), "Dune");
        assert_eq!(Title::parse(" \t"), Err(TitleError::Empty));
        assert_eq!(Title::parse(&"a".repeat(301)), Err(TitleError::TooLong { chars: 301 }));
        assert_eq!(Title::parse("Du\u{7}ne"), Err(TitleError::ControlCharacter));
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(title) = Title::parse(&input) {
                prop_assert_eq!(Title::parse(title.as_str()), Ok(title.clone()));
            }
        }
    }
}
