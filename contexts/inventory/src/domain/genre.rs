//! Genres: the fixed list of the published language (owned by customers; inventory files each
//! book under the same names, the kernel's, so that curation can match books to preferences).

use std::collections::BTreeSet;
use std::fmt;

use kernel::formats::genre::{genres_listed, parse_genre, GENRE_NAMES};
use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// One genre of the fixed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Genre {
    Mystery,
    Thriller,
    Romance,
    ScienceFiction,
    Fantasy,
    HistoricalFiction,
    LiteraryFiction,
    Horror,
    Biography,
    History,
    Science,
    SelfHelp,
    Poetry,
    YoungAdult,
    Childrens,
    GraphicNovel,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenreError {
    #[error("`{input}` is not a genre; the genres are {}", Genre::names_listed())]
    Unknown { input: String },
    #[error("a book needs at least one genre")]
    NoGenre,
}

impl Genre {
    pub const ALL: [Genre; 16] = [
        Genre::Mystery,
        Genre::Thriller,
        Genre::Romance,
        Genre::ScienceFiction,
        Genre::Fantasy,
        Genre::HistoricalFiction,
        Genre::LiteraryFiction,
        Genre::Horror,
        Genre::Biography,
        Genre::History,
        Genre::Science,
        Genre::SelfHelp,
        Genre::Poetry,
        Genre::YoungAdult,
        Genre::Childrens,
        Genre::GraphicNovel,
    ];

    /// The genre's name in the published language: the kernel's, at this genre's place.
    pub fn as_str(self) -> &'static str {
        GENRE_NAMES[self as usize]
    }

    pub fn parse(input: &str) -> Result<Self, GenreError> {
        parse_genre(input).map(|place| Self::ALL[place]).map_err(|_| GenreError::Unknown { input: excerpt(input) })
    }

    fn names_listed() -> String {
        genres_listed()
    }
}

// Every genre has its place in the kernel's list, and every place a genre.
const _: () = assert!(Genre::ALL.len() == GENRE_NAMES.len());

impl fmt::Display for Genre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The genres a book is filed under. Invariant: at least one; each at most once (a set, in
/// the list's order, so that equal sets compare and serialize equal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeSet<Genre>", into = "BTreeSet<Genre>")]
pub struct Genres(BTreeSet<Genre>);

impl Genres {
    /// Parses genre names; a name given twice counts once.
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, GenreError> {
        let genres = names.into_iter().map(Genre::parse).collect::<Result<BTreeSet<_>, _>>()?;
        Self::try_from(genres)
    }

    pub fn iter(&self) -> impl Iterator<Item = Genre> + '_ {
        self.0.iter().copied()
    }
}

impl TryFrom<BTreeSet<Genre>> for Genres {
    type Error = GenreError;
    fn try_from(genres: BTreeSet<Genre>) -> Result<Self, Self::Error> {
        if genres.is_empty() {
            return Err(GenreError::NoGenre);
        }
        Ok(Self(genres))
    }
}

impl From<Genres> for BTreeSet<Genre> {
    fn from(genres: Genres) -> Self {
        genres.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_genre_serializes_as_its_published_name() {
        for genre in Genre::ALL {
            assert_eq!(serde_json::to_value(genre).unwrap(), genre.as_str());
            assert_eq!(Genre::parse(genre.as_str()), Ok(genre));
        }
    }

    #[test]
    fn an_unknown_genre_is_named_with_the_list() {
        let err = Genre::parse("cookbooks").unwrap_err();
        assert!(err.to_string().starts_with("`cookbooks` is not a genre; the genres are mystery, thriller"));
    }

    #[test]
    fn a_book_has_at_least_one_genre_and_duplicates_count_once() {
        assert_eq!(Genres::parse([]), Err(GenreError::NoGenre));
        let genres = Genres::parse(["fantasy", "mystery", "fantasy"]).unwrap();
        assert_eq!(genres.iter().collect::<Vec<_>>(), [Genre::Mystery, Genre::Fantasy]);
        assert!(serde_json::from_str::<Genres>("[]").is_err());
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            let _ = Genre::parse(&input);
        }
    }
}
