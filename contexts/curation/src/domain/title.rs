//! A book's title, as inventory's catalog gives it and `box-curated` passes it on.

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
    #[error("is longer than {max} characters", max = Title::CHARS_MAX)]
    TooLong,
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
        if title.chars().count() > Self::CHARS_MAX {
            return Err(TitleError::TooLong);
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
        assert_eq!(Title::parse(" Emma ").unwrap().as_str(), "Emma");
        assert_eq!(Title::parse(""), Err(TitleError::Empty));
        assert_eq!(Title::parse(&"e".repeat(301)), Err(TitleError::TooLong));
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            let _ = Title::parse(&input);
        }
    }
}
