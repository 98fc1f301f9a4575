//! Genres: curation's own type for the fixed list of the published language (owned by
//! customers; the names are the kernel's, so they cannot drift). Curation matches books to
//! preferences by these names.

use std::collections::BTreeSet;
use std::fmt;

use kernel::formats::genre::{parse_genre, GENRE_NAMES};
use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

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
#[error("`{input}` is not a genre of the published list")]
pub struct UnknownGenre {
    pub input: String,
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

    pub fn as_str(self) -> &'static str {
        GENRE_NAMES[self as usize]
    }

    pub fn parse(input: &str) -> Result<Self, UnknownGenre> {
        parse_genre(input).map(|place| Self::ALL[place]).map_err(|_| UnknownGenre { input: excerpt(input) })
    }
}

// Every genre has its place in the kernel's list, and every place a genre.
const _: () = assert!(Genre::ALL.len() == GENRE_NAMES.len());

impl fmt::Display for Genre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of genres: a subscriber's preferences, or what a book is filed under. May be empty:
/// a subscriber who states no preference is open to every genre.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Genres(BTreeSet<Genre>);

impl Genres {
    /// Reads genre names as a tolerant reader: a name this list does not know (the owner may
    /// have added one since) is skipped, not an error; it simply matches nothing here.
    pub fn read_leniently<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        Self(names.into_iter().filter_map(|name| Genre::parse(name).ok()).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Genre> + '_ {
        self.0.iter().copied()
    }

    /// How many genres the two sets share.
    pub fn shared_with(&self, other: &Genres) -> usize {
        self.0.intersection(&other.0).count()
    }
}

impl FromIterator<Genre> for Genres {
    fn from_iter<I: IntoIterator<Item = Genre>>(genres: I) -> Self {
        Self(genres.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_genre_serializes_as_its_published_name() {
        for genre in Genre::ALL {
            assert_eq!(serde_json::to_value(genre).unwrap(), genre.as_str());
            assert_eq!(Genre::parse(genre.as_str()), Ok(genre));
        }
    }

    #[test]
    fn unknown_names_are_skipped_by_the_tolerant_reader() {
        let genres = Genres::read_leniently(["mystery", "cozy-mystery", "poetry"]);
        assert_eq!(genres.iter().collect::<Vec<_>>(), [Genre::Mystery, Genre::Poetry]);
        assert_eq!(Genre::parse("cozy-mystery"), Err(UnknownGenre { input: "cozy-mystery".into() }));
    }

    #[test]
    fn shared_genres_are_counted() {
        let a: Genres = [Genre::Mystery, Genre::Poetry, Genre::Horror].into_iter().collect();
        let b: Genres = [Genre::Horror, Genre::Mystery, Genre::Romance].into_iter().collect();
        assert_eq!(a.shared_with(&b), 2);
        assert_eq!(a.shared_with(&Genres::default()), 0);
    }
}
