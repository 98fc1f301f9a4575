//! The ISBN: a book's identity in the catalog and in every stock ledger.
//!
//! Stored and published in one canonical form, the 13-digit ISBN without separators, so that
//! `978-0-306-40615-7`, `9780306406157` and the ISBN-10 `0-306-40615-2` name the same book.

use std::fmt;

use kernel::formats::isbn::{isbn10_check_digit, isbn13_of_isbn10, parse_isbn13, Isbn13Error};
use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// An ISBN-13 in canonical form. Invariant: 13 ASCII digits, prefix 978 or 979, and a valid
/// check digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isbn(String);

/// Why a string is not an ISBN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsbnError {
    #[error("is empty")]
    Empty,
    #[error("`{input}` contains `{character}`: an ISBN has digits only (hyphens and spaces are ignored; an ISBN-10 may end in X)")]
    InvalidCharacter { input: String, character: char },
    #[error("`{input}` has {digits} digits: an ISBN-13 has 13, an ISBN-10 has 10")]
    WrongLength { input: String, digits: usize },
    #[error("`{input}` does not start with 978 or 979, as every ISBN-13 does")]
    UnknownPrefix { input: String },
    #[error("`{input}` fails its check digit: expected {expected}, found {found}")]
    CheckDigit { input: String, expected: char, found: char },
}

impl Isbn {
    /// Parses an ISBN-13 or an ISBN-10 (converted to its ISBN-13), ignoring hyphens and spaces.
    pub fn parse(input: &str) -> Result<Self, IsbnError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(IsbnError::Empty);
        }
        let mut symbols = Vec::with_capacity(13);
        for character in trimmed.chars() {
            match character {
                '-' | ' ' => {}
                '0'..='9' | 'X' | 'x' => symbols.push(character.to_ascii_uppercase()),
                _ => return Err(IsbnError::InvalidCharacter { input: excerpt(trimmed), character }),
            }
        }
        match symbols.len() {
            13 => Self::from_isbn13(&symbols, trimmed),
            10 => Self::from_isbn10(&symbols, trimmed),
            digits => Err(IsbnError::WrongLength { input: excerpt(trimmed), digits }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn from_isbn13(symbols: &[char], input: &str) -> Result<Self, IsbnError> {
        if let Some(&character) = symbols.iter().find(|c| **c == 'X') {
            return Err(IsbnError::InvalidCharacter { input: excerpt(input), character });
        }
        let digits: String = symbols.iter().collect();
        match parse_isbn13(&digits) {
            Ok(_) => Ok(Self(digits)),
            Err(Isbn13Error::CheckDigit { expected, found }) => {
                Err(IsbnError::CheckDigit { input: excerpt(input), expected, found })
            }
            // Thirteen digits (checked above): only the prefix is left to be wrong.
            Err(_) => Err(IsbnError::UnknownPrefix { input: excerpt(input) }),
        }
    }

    fn from_isbn10(symbols: &[char], input: &str) -> Result<Self, IsbnError> {
        // Only the check digit of an ISBN-10 may be X (ten).
        if let Some(&character) = symbols[..9].iter().find(|c| **c == 'X') {
            return Err(IsbnError::InvalidCharacter { input: excerpt(input), character });
        }
        let body: String = symbols[..9].iter().collect();
        let (Some(expected), Some(digits)) = (isbn10_check_digit(&body), isbn13_of_isbn10(&body)) else {
            return Err(IsbnError::WrongLength { input: excerpt(input), digits: symbols.len() });
        };
        let found = symbols[9];
        if expected != found {
            return Err(IsbnError::CheckDigit { input: excerpt(input), expected, found });
        }
        Ok(Self(digits))
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

    /// The kernel's check digit of twelve digits the strategies below always generate.
    fn isbn13_check_digit(twelve: &str) -> char {
        kernel::formats::isbn::isbn13_check_digit(twelve).expect("twelve digits")
    }

    #[test]
    fn an_isbn13_is_kept_in_canonical_form() {
        assert_eq!(Isbn::parse("9780306406157").unwrap().as_str(), "9780306406157");
        assert_eq!(Isbn::parse(" 978-0-306-40615-7 ").unwrap().as_str(), "9780306406157");
        assert_eq!(Isbn::parse("979-10-90636-07-1").unwrap().as_str(), "9791090636071");
    }

    #[test]
    fn an_isbn10_becomes_its_isbn13() {
        assert_eq!(Isbn::parse("0-306-40615-2").unwrap().as_str(), "9780306406157");
        assert_eq!(Isbn::parse("080442957x").unwrap().as_str(), "9780804429573");
    }

    #[test]
    fn each_kind_of_bad_isbn_is_named() {
        assert_eq!(Isbn::parse("  "), Err(IsbnError::Empty));
        assert_eq!(
            Isbn::parse("978030640615?"),
            Err(IsbnError::InvalidCharacter { input: "978030640615?".into(), character: '?' })
        );
        assert_eq!(Isbn::parse("97803064"), Err(IsbnError::WrongLength { input: "97803064".into(), digits: 8 }));
        assert_eq!(Isbn::parse("1230306406157"), Err(IsbnError::UnknownPrefix { input: "1230306406157".into() }));
        assert_eq!(
            Isbn::parse("9780306406158"),
            Err(IsbnError::CheckDigit { input: "9780306406158".into(), expected: '7', found: '8' })
        );
        assert_eq!(
            Isbn::parse("0306406153"),
            Err(IsbnError::CheckDigit { input: "0306406153".into(), expected: '2', found: '3' })
        );
        assert!(matches!(Isbn::parse("97803064061X7"), Err(IsbnError::InvalidCharacter { character: 'X', .. })));
        assert!(matches!(Isbn::parse("X306406152"), Err(IsbnError::InvalidCharacter { character: 'X', .. })));
    }

    #[test]
    fn the_error_message_says_what_is_wrong() {
        let err = Isbn::parse("9780306406158").unwrap_err();
        assert_eq!(err.to_string(), "`9780306406158` fails its check digit: expected 7, found 8");
    }

    #[test]
    fn stored_isbns_are_validated_when_read_back() {
        assert!(serde_json::from_str::<Isbn>("\"9780306406158\"").is_err());
        let isbn: Isbn = serde_json::from_str("\"9780306406157\"").unwrap();
        assert_eq!(serde_json::to_string(&isbn).unwrap(), "\"9780306406157\"");
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(isbn) = Isbn::parse(&input) {
                prop_assert_eq!(Isbn::parse(isbn.as_str()), Ok(isbn.clone()));
            }
        }

        #[test]
        fn every_valid_isbn13_round_trips(twelve in "97[89][0-9]{9}") {
            let mut digits = twelve.clone();
            digits.push(isbn13_check_digit(&twelve));
            prop_assert_eq!(Isbn::parse(&digits).map(String::from), Ok(digits));
        }

        #[test]
        fn one_wrong_digit_is_always_caught(twelve in "97[89][0-9]{9}", position in 3usize..13, delta in 1u8..10) {
            let mut digits: Vec<u8> = twelve.into_bytes();
            digits.push(isbn13_check_digit(std::str::from_utf8(&digits).unwrap()) as u8);
            digits[position] = b'0' + (digits[position] - b'0' + delta) % 10;
            prop_assert!(Isbn::parse(std::str::from_utf8(&digits).unwrap()).is_err());
        }
    }
}
