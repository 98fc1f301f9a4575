//! What a shipment carries: the books of the orders it combines, as the packing slip lists
//! them.

use std::fmt;

use kernel::formats::isbn::{parse_isbn13, Isbn13Error};
use serde::{Deserialize, Serialize};

use crate::domain::{clean_text, excerpt, TextProblem};

/// An ISBN-13. Invariant: 13 digits, prefix 978 or 979, a valid check digit. Books reach
/// shipping already identified by inventory, which converts ISBN-10s, so only the canonical
/// form is accepted here.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isbn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsbnError {
    #[error("`{input}` is not an ISBN-13 (13 digits starting 978 or 979)")]
    Shape { input: String },
    #[error("`{input}` fails its check digit")]
    CheckDigit { input: String },
}

impl Isbn {
    pub fn parse(input: &str) -> Result<Self, IsbnError> {
        match parse_isbn13(input) {
            Ok(isbn) => Ok(Self(isbn.to_owned())),
            Err(Isbn13Error::CheckDigit { .. }) => Err(IsbnError::CheckDigit { input: excerpt(input) }),
            Err(_) => Err(IsbnError::Shape { input: excerpt(input) }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
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

impl fmt::Display for Isbn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A book's title as the packing slip prints it. Invariant: trimmed, 1 to
/// [`Title::CHARS_MAX`] characters, printable.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

impl Title {
    pub const CHARS_MAX: usize = 300;

    pub fn parse(input: &str) -> Result<Self, TextProblem> {
        clean_text(input, Self::CHARS_MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Title {
    type Error = TextProblem;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Title> for String {
    fn from(title: Title) -> String {
        title.0
    }
}

/// One copy of a book in the parcel.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Book {
    pub isbn: Isbn,
    pub title: Title,
}

/// The books a shipment carries, one entry per copy. Invariant: 1 to [`Parcel::BOOKS_MAX`]
/// books. Kept in ISBN order, so two requests for the same parcel compare equal whatever
/// order they listed the books in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Book>", into = "Vec<Book>")]
pub struct Parcel(Vec<Book>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParcelError {
    #[error("a parcel holds at least one book")]
    Empty,
    #[error("{books} books is more than the {max} one parcel may hold", max = Parcel::BOOKS_MAX)]
    TooManyBooks { books: usize },
}

impl Parcel {
    /// Three books a month for each of the most orders one shipment may combine.
    pub const BOOKS_MAX: usize = 60;

    pub fn new(books: impl IntoIterator<Item = Book>) -> Result<Self, ParcelError> {
        let mut books: Vec<Book> = books.into_iter().take(Self::BOOKS_MAX + 1).collect();
        if books.is_empty() {
            return Err(ParcelError::Empty);
        }
        if books.len() > Self::BOOKS_MAX {
            return Err(ParcelError::TooManyBooks { books: books.len() });
        }
        books.sort();
        Ok(Self(books))
    }

    pub fn books(&self) -> &[Book] {
        &self.0
    }
}

impl TryFrom<Vec<Book>> for Parcel {
    type Error = ParcelError;
    fn try_from(books: Vec<Book>) -> Result<Self, Self::Error> {
        Self::new(books)
    }
}

impl From<Parcel> for Vec<Book> {
    fn from(parcel: Parcel) -> Self {
        parcel.0
    }
}

#[cfg(test)]
pub(crate) fn book(isbn: &str, title: &str) -> Book {
    Book { isbn: Isbn::parse(isbn).expect("a valid ISBN"), title: Title::parse(title).expect("a valid title") }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn isbns_are_checked() {
        assert_eq!(Isbn::parse(" 9780306406157 ").unwrap().as_str(), "9780306406157");
        assert_eq!(Isbn::parse("9780306406158").unwrap_err().to_string(), "`9780306406158` fails its check digit");
        assert!(matches!(Isbn::parse("0306406152"), Err(IsbnError::Shape { .. })));
        assert!(matches!(Isbn::parse("97803064061５7"), Err(IsbnError::Shape { .. })));
    }

    #[test]
    fn a_parcel_is_sorted_and_bounded() {
        let dune = book("9780306406157", "Dune");
        let emma = book("9780804429573", "Emma");
        assert_eq!(Parcel::new([emma.clone(), dune.clone()]), Parcel::new([dune.clone(), emma]));
        assert_eq!(Parcel::new([]), Err(ParcelError::Empty));
        assert_eq!(
            Parcel::new(std::iter::repeat_n(dune, 100)),
            Err(ParcelError::TooManyBooks { books: Parcel::BOOKS_MAX + 1 })
        );
    }

    proptest! {
        #[test]
        fn any_isbn_or_title_parses_or_is_refused_without_panicking(input in any::<String>()) {
            let _ = Isbn::parse(&input);
            let _ = Title::parse(&input);
        }

        #[test]
        fn every_valid_isbn_survives_serde(n in 0u64..1_000_000_000) {
            let body = format!("978{n:09}");
            let sum: u32 = body.chars().enumerate().map(|(i, c)| c.to_digit(10).unwrap() * if i % 2 == 0 { 1 } else { 3 }).sum();
            let isbn = Isbn::parse(&format!("{body}{}", (10 - sum % 10) % 10)).unwrap();
            let json = serde_json::to_string(&isbn).unwrap();
            prop_assert_eq!(serde_json::from_str::<Isbn>(&json).unwrap(), isbn);
        }
    }
}
