//! The genre vocabulary of the published language: a closed list of kebab-case names, owned
//! by customers (it publishes them in its `customer-profile` schema) and read by inventory,
//! curation and the rest under the same names. Architecture rule 15 keeps the owner's schema
//! and every context's own genre type equal to this list.

/// Every genre, in the published order.
pub const GENRE_NAMES: [&str; 16] = [
    "mystery",
    "thriller",
    "romance",
    "science-fiction",
    "fantasy",
    "historical-fiction",
    "literary-fiction",
    "horror",
    "biography",
    "history",
    "science",
    "self-help",
    "poetry",
    "young-adult",
    "childrens",
    "graphic-novel",
];

/// A name that is not a genre of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not a genre; the genres are {}", genres_listed())]
pub struct UnknownGenre;

/// Reads a genre name, forgiving surrounding whitespace and letter case; returns its place in
/// [`GENRE_NAMES`], so a context can map it onto its own type.
pub fn parse_genre(input: &str) -> Result<usize, UnknownGenre> {
    let wanted = input.trim();
    GENRE_NAMES.iter().position(|name| name.eq_ignore_ascii_case(wanted)).ok_or(UnknownGenre)
}

/// The list as an error message shows it: `mystery, thriller, …, graphic-novel`.
pub fn genres_listed() -> String {
    GENRE_NAMES.join(", ")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names_are_read_in_any_case_with_spaces_around() {
        assert_eq!(parse_genre("mystery"), Ok(0));
        assert_eq!(parse_genre(" Science-Fiction "), Ok(3));
        assert_eq!(parse_genre("graphic-novel"), Ok(15));
        for bad in ["cooking", "", "science fiction", "mystery,"] {
            assert_eq!(parse_genre(bad), Err(UnknownGenre), "{bad}");
        }
        assert!(UnknownGenre.to_string().starts_with("is not a genre; the genres are mystery, thriller, "));
    }

    #[test]
    fn the_list_has_distinct_kebab_case_names() {
        let unique: BTreeSet<_> = GENRE_NAMES.iter().collect();
        assert_eq!(unique.len(), GENRE_NAMES.len());
        assert!(GENRE_NAMES.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
    }

    proptest! {
        #[test]
        fn every_name_parses_to_its_place(index in 0usize..16) {
            prop_assert_eq!(parse_genre(GENRE_NAMES[index]), Ok(index));
            prop_assert_eq!(parse_genre(&GENRE_NAMES[index].to_ascii_uppercase()), Ok(index));
        }

        #[test]
        fn what_parses_is_a_listed_name(input in any::<String>()) {
            if let Ok(index) = parse_genre(&input) {
                prop_assert!(GENRE_NAMES[index].eq_ignore_ascii_case(input.trim()));
            }
        }
    }
}
