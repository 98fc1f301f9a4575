//! The ISBN as curation reads it: the canonical ISBN-13 of the published language (13 digits,
//! no separators). Curation takes what inventory and its own curators give it in that form
//! and does not convert ISBN-10s; inventory owns that.

use std::fmt;

use kernel::formats::isbn::{parse_isbn13, Isbn13Error};
use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// Invariant: 13 ASCII digits, prefix 978 or 979, valid check digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isbn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsbnError {
    #[error("`{input}` is not an ISBN-13 (13 digits, starting 978 or 979, no separators)")]
    NotIsbn13 { input: String },
    #[error("`{input}` fails its check digit: expected {expected}, found {found}")]
    CheckDigit { input: String, expected: char, found: char },
}

impl Isbn {
    pub fn parse(input: &str) -> Result<Self, IsbnError> {
        match parse_isbn13(input) {
            Ok(isbn) => Ok(Self(isbn.to_owned())),
            Err(Isbn13Error::CheckDigit { expected, found }) => {
                Err(IsbnError::CheckDigit { input: excerpt(input), expected, found })
            }
            Err(_) => Err(IsbnError::NotIsbn13 { input: excerpt(input) }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Isbn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Isbn {
    type Error = IsbnError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Isbn> for String {
    fn from(isbn: Isbn) -> String {
        isbn.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn only_canonical_isbn13s_are_accepted() {
        assert_eq!(Isbn::parse("9780306406157").unwrap().as_str(), "9780306406157");
        assert_eq!(Isbn::parse("978-0-306-40615-7"), Err(IsbnError::NotIsbn13 { input: "978-0-306-40615-7".into() }));
        assert_eq!(Isbn::parse("0306406152"), Err(IsbnError::NotIsbn13 { input: "0306406152".into() }));
        assert_eq!(
            Isbn::parse("9780306406158"),
            Err(IsbnError::CheckDigit { input: "9780306406158".into(), expected: '7', found: '8' })
        );
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(isbn) = Isbn::parse(&input) {
                prop_assert_eq!(Isbn::parse(isbn.as_str()), Ok(isbn.clone()));
            }
        }
    }
}
