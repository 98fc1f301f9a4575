//! Genres and a customer's genre preferences.
//!
//! The list of genres is fixed and owned by this context (docs/published-language.md), and
//! written once, as the kernel's published-language format; curation and inventory read the
//! same kebab-case names. Preferences are a set: order and
//! repetition in the input mean nothing, and an empty set means "surprise me".

use std::collections::BTreeSet;

use kernel::formats::genre::{genres_listed, parse_genre, GENRE_NAMES};
use serde::{Deserialize, Serialize};

use crate::domain::text;

/// One genre of the fixed list. The declaration order is the published order.
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

/// The genres a customer likes. Invariant: only genres of the fixed list, each once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GenrePreferences(BTreeSet<Genre>);

/// Why a list of genres was refused: the first unknown name and where it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("genres[{index}]: `{input}` is not a known genre; the genres are: {known}", known = Genre::names_listed())]
pub struct GenreError {
    pub index: usize,
    pub input: String,
}

impl Genre {
    pub const ALL: [Genre; 16] = [
        Self::Mystery,
        Self::Thriller,
        Self::Romance,
        Self::ScienceFiction,
        Self::Fantasy,
        Self::HistoricalFiction,
        Self::LiteraryFiction,
        Self::Horror,
        Self::Biography,
        Self::History,
        Self::Science,
        Self::SelfHelp,
        Self::Poetry,
        Self::YoungAdult,
        Self::Childrens,
        Self::GraphicNovel,
    ];

    /// The published (kebab-case) name: the kernel's, at this genre's place in the list.
    pub fn name(self) -> &'static str {
        GENRE_NAMES[self as usize]
    }

    /// Reads a published name; surrounding spaces and letter case are forgiven.
    pub fn parse(input: &str) -> Option<Genre> {
        parse_genre(input).ok().map(|place| Self::ALL[place])
    }

    fn names_listed() -> String {
        genres_listed()
    }
}

// Every genre has its place in the kernel's list, and every place a genre.
const _: () = assert!(Genre::ALL.len() == GENRE_NAMES.len());

impl GenrePreferences {
    pub fn parse<S: AsRef<str>>(inputs: &[S]) -> Result<Self, GenreError> {
        let mut genres = BTreeSet::new();
        for (index, input) in inputs.iter().enumerate() {
            let Some(genre) = Genre::parse(input.as_ref()) else {
                return Err(GenreError { index, input: text::shown(input.as_ref()) });
            };
            genres.insert(genre);
        }
        Ok(Self(genres))
    }

    /// The genres, in the published order.
    pub fn iter(&self) -> impl Iterator<Item = Genre> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_names_are_the_serde_names() {
        for genre in Genre::ALL {
            assert_eq!(serde_json::to_value(genre).unwrap(), genre.name());
            assert_eq!(Genre::parse(genre.name()), Some(genre));
        }
        let mut sorted = Genre::ALL;
        sorted.sort();
        assert_eq!(sorted, Genre::ALL, "ALL lists the genres in declaration order");
    }

    #[test]
    fn preferences_are_a_set_in_published_order() {
        let prefs = GenrePreferences::parse(&["Science-Fiction ", "mystery", "science-fiction"]).unwrap();
        assert_eq!(prefs.iter().collect::<Vec<_>>(), [Genre::Mystery, Genre::ScienceFiction]);
        assert_eq!(GenrePreferences::parse::<&str>(&[]).unwrap(), GenrePreferences::default());
    }

    #[test]
    fn an_unknown_genre_is_refused_naming_it_and_its_place() {
        let err = GenrePreferences::parse(&["mystery", "cooking"]).unwrap_err();
        assert_eq!(err, GenreError { index: 1, input: "cooking".into() });
        let message = err.to_string();
        assert!(message.starts_with("genres[1]: `cooking` is not a known genre; the genres are: mystery, thriller"));
        assert!(message.ends_with("childrens, graphic-novel"));
    }

    #[test]
    fn stored_preferences_are_validated_when_read_back() {
        assert!(serde_json::from_str::<GenrePreferences>(r#"["mystery","cooking"]"#).is_err());
        let prefs: GenrePreferences = serde_json::from_str(r#"["poetry","horror"]"#).unwrap();
        assert_eq!(prefs.iter().collect::<Vec<_>>(), [Genre::Horror, Genre::Poetry]);
    }

    proptest! {
        #[test]
        fn parsing_any_strings_never_panics(inputs in proptest::collection::vec(any::<String>(), 0..5)) {
            if let Ok(prefs) = GenrePreferences::parse(&inputs) {
                prop_assert!(prefs.iter().count() <= inputs.len());
            }
        }
    }
}
