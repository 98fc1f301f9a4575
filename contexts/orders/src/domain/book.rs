//! The books in a box, as orders knows them: which (ISBN, to reserve and ship) and what they
//! are called (title, to put on the packing list).

use std::fmt;

use kernel::formats::isbn::{parse_isbn13, Isbn13Error};
use serde::{Deserialize, Serialize};

/// An ISBN-13: 13 digits starting 978 or 979, with a valid check digit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Isbn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IsbnError {
    #[error("isbn `{0}` is not 13 digits starting with 978 or 979")]
    Malformed(String),
    #[error("isbn `{0}` has a wrong check digit")]
    CheckDigit(String),
}

impl Isbn {
    pub fn parse(raw: &str) -> Result<Self, IsbnError> {
        match parse_isbn13(raw) {
            Ok(isbn) => Ok(Self(isbn.to_owned())),
            Err(Isbn13Error::CheckDigit { .. }) => Err(IsbnError::CheckDigit(raw.to_owned())),
            Err(_) => Err(IsbnError::Malformed(raw.to_owned())),
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
    fn try_from(raw: String) -> Result<Self, IsbnError> {
        Self::parse(&raw)
    }
}

impl From<Isbn> for String {
    fn from(isbn: Isbn) -> String {
        isbn.0
    }
}

/// A book's title: 1 to 300 characters, trimmed, no control characters (300: what shipping
/// accepts on a packing list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TitleError {
    #[error("title is empty")]
    Empty,
    #[error("title is {0} characters long; the limit is 300")]
    TooLong(usize),
    #[error("title contains a control character")]
    ControlCharacter,
}

impl Title {
    pub const CHARS_MAX: usize = 300;

    pub fn parse(raw: &str) -> Result<Self, TitleError> {
        let title = raw.trim();
        let chars = title.chars().count();
        if chars == 0 {
            return Err(TitleError::Empty);
        }
        if chars > Self::CHARS_MAX {
            return Err(TitleError::TooLong(chars));
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

impl TryFrom<String> for Title {
    type Error = TitleError;
    fn try_from(raw: String) -> Result<Self, TitleError> {
        Self::parse(&raw)
    }
}

impl From<Title> for String {
    fn from(title: Title) -> String {
        title.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub isbn: Isbn,
    pub title: Title,
}

/// The books of one box: 1 to [`Books::MAX`], each ISBN once (a box holds one copy of each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Book>", into = "Vec<Book>")]
pub struct Books(Vec<Book>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BooksError {
    #[error("a box holds at least one book")]
    None,
    #[error("a box holds at most {max} books, not {0}", max = Books::MAX)]
    TooMany(usize),
    #[error("book {0} appears twice in one box")]
    Duplicate(Isbn),
}

impl Books {
    /// Plans offer 1 to 3 books; the bound leaves room for bigger plans without accepting
    /// an absurd box.
    pub const MAX: usize = 10;

    pub fn new(books: Vec<Book>) -> Result<Self, BooksError> {
        if books.is_empty() {
            return Err(BooksError::None);
        }
        if books.len() > Self::MAX {
            return Err(BooksError::TooMany(books.len()));
        }
        for (i, book) in books.iter().enumerate() {
            if books[..i].iter().any(|b| b.isbn == book.isbn) {
                return Err(BooksError::Duplicate(book.isbn.clone()));
            }
        }
        Ok(Self(books))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Book> + '_ {
        self.0.iter()
    }

    pub fn as_slice(&self) -> &[Book] {
        &self.0
    }
}

impl TryFrom<Vec<Book>> for Books {
    type Error = BooksError;
    fn try_from(books: Vec<Book>) -> Result<Self, BooksError> {
        Self::new(books)
    }
}

impl From<Books> for Vec<Book> {
    fn from(books: Books) -> Vec<Book> {
        books.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn book(isbn: &str, title: &str) -> Book {
        Book { isbn: Isbn::parse(isbn).unwrap(), title: Title::parse(title).unwrap() }
    }

    pub fn two_books() -> Books {
        Books::new(vec![
            book("9780306406157", "The Hound of the Baskervilles"),
            book("9780804429573", "Pride and Prejudice"),
        ])
        .unwrap()
    }

    #[test]
    fn isbns_are_checked() {
        assert!(Isbn::parse("9780306406157").is_ok());
        assert!(Isbn::parse("9791090636071").is_ok());
        assert_eq!(Isbn::parse("9780306406158"), Err(IsbnError::CheckDigit("9780306406158".into())));
        for bad in ["978030640615", "97803064061570", "1234567890123", "978-0306406157", ""] {
            assert_eq!(Isbn::parse(bad), Err(IsbnError::Malformed(bad.into())), "{bad}");
        }
    }

    #[test]
    fn titles_and_boxes_are_bounded() {
        assert_eq!(Title::parse("  Emma ").unwrap().as_str(), "Emma");
        assert_eq!(Title::parse(" "), Err(TitleError::Empty));
        assert_eq!(Title::parse(&"x".repeat(301)), Err(TitleError::TooLong(301)));
        assert_eq!(Title::parse("a\u{7}b"), Err(TitleError::ControlCharacter));
        assert_eq!(Books::new(vec![]), Err(BooksError::None));
        let hound = book("9780306406157", "Hound");
        assert_eq!(Books::new(vec![hound.clone(), hound.clone()]), Err(BooksError::Duplicate(hound.isbn.clone())));
        assert_eq!(two_books().iter().count(), 2);
    }
}
