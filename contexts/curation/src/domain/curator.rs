//! The curator: the domain service that picks a subscriber's books for a month. Pure and
//! deterministic: the same selection, preferences, history and availability always give the
//! same books, in the same order.
//!
//! A book is **suitable** when it is in the month's finalized selection, inventory last said
//! at least one copy is available, the subscriber has not received it, and it shares at least
//! one genre with the subscriber's preferences (a subscriber who stated none is open to every
//! genre).
//!
//! Suitable books are **ranked**: most genres in common with the preferences first, then most
//! copies available (the book least likely to run out before the order reserves it), then
//! ISBN order, which breaks every remaining tie. The plan's number of books is taken from the
//! top; if fewer are suitable, nothing is picked.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::domain::book_replica::BookFacts;
use crate::domain::genre::Genres;
use crate::domain::isbn::Isbn;
use crate::domain::plan::BooksPerMonth;
use crate::domain::selection::SelectionList;
use crate::domain::title::Title;

/// A book chosen for a box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CuratedBook {
    pub isbn: Isbn,
    pub title: Title,
}

/// Fewer suitable books than the plan needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shortfall {
    pub needed: usize,
    pub found: usize,
}

/// What the curator knows about a subscriber and the month.
#[derive(Debug, Clone, Copy)]
pub struct Brief<'a> {
    pub need: BooksPerMonth,
    pub selection: &'a SelectionList,
    pub preferences: &'a Genres,
    pub received: &'a BTreeSet<Isbn>,
    /// What curation knows of each book (a book it has never heard of is not available).
    pub books: &'a BTreeMap<Isbn, BookFacts>,
}

/// Picks the box: the `need` best-ranked suitable books, best first.
pub fn pick(brief: Brief<'_>) -> Result<Vec<CuratedBook>, Shortfall> {
    let mut suitable: Vec<(Reverse<usize>, Reverse<u64>, &Isbn, &BookFacts)> = brief
        .selection
        .iter()
        .filter(|isbn| !brief.received.contains(*isbn))
        .filter_map(|isbn| brief.books.get(isbn).map(|facts| (isbn, facts)))
        .filter(|(_, facts)| facts.available > 0)
        .filter_map(|(isbn, facts)| {
            let in_common = brief.preferences.shared_with(&facts.genres);
            let matches = brief.preferences.is_empty() || in_common > 0;
            matches.then_some((Reverse(in_common), Reverse(facts.available), isbn, facts))
        })
        .collect();
    // The rank is the tuple's order: genres in common, then availability (both descending),
    // then ISBN. ISBNs are unique, so no two books tie.
    suitable.sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
    let needed = brief.need.get();
    if suitable.len() < needed {
        return Err(Shortfall { needed, found: suitable.len() });
    }
    Ok(suitable
        .into_iter()
        .take(needed)
        .map(|(_, _, isbn, facts)| CuratedBook { isbn: isbn.clone(), title: facts.title.clone() })
        .collect())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::genre::Genre;

    /// Valid ISBN-13s, in ascending order.
    const BOOKS: [&str; 6] =
        ["9780000000002", "9780000000019", "9780000000026", "9780000000033", "9780000000040", "9780000000057"];

    fn isbn(n: usize) -> Isbn {
        Isbn::parse(BOOKS[n]).unwrap()
    }

    fn facts(genres: &[Genre], available: u64) -> BookFacts {
        BookFacts { title: Title::parse("A Book").unwrap(), genres: genres.iter().copied().collect(), available }
    }

    fn all_selected() -> SelectionList {
        SelectionList::new((0..BOOKS.len()).map(isbn)).unwrap()
    }

    fn picked(result: Result<Vec<CuratedBook>, Shortfall>) -> Vec<usize> {
        result.unwrap().iter().map(|b| BOOKS.iter().position(|i| *i == b.isbn.as_str()).unwrap()).collect()
    }

    fn need(n: u64) -> BooksPerMonth {
        BooksPerMonth::new(n).unwrap()
    }

    #[test]
    fn books_matching_more_preferences_come_first_then_more_available_then_isbn_order() {
        let books = BTreeMap::from([
            (isbn(0), facts(&[Genre::Mystery], 1)),
            (isbn(1), facts(&[Genre::Mystery, Genre::Thriller], 1)),
            (isbn(2), facts(&[Genre::Mystery], 9)),
            (isbn(3), facts(&[Genre::Romance], 50)),
            (isbn(4), facts(&[Genre::Thriller], 1)),
        ]);
        let preferences: Genres = [Genre::Mystery, Genre::Thriller].into_iter().collect();
        let selection = all_selected();
        let brief = Brief {
            need: need(3),
            selection: &selection,
            preferences: &preferences,
            received: &BTreeSet::new(),
            books: &books,
        };
        // 1 matches two genres; 2 then 0 and 4 match one, 2 being the most available; 0 beats 4 on ISBN.
        assert_eq!(picked(pick(brief)), [1, 2, 0]);
    }

    #[test]
    fn books_already_received_unavailable_unknown_or_unselected_are_never_picked() {
        let books = BTreeMap::from([
            (isbn(0), facts(&[Genre::Poetry], 5)),
            (isbn(1), facts(&[Genre::Poetry], 0)),
            (isbn(3), facts(&[Genre::Poetry], 5)),
            (isbn(4), facts(&[Genre::Poetry], 5)),
        ]);
        let preferences: Genres = [Genre::Poetry].into_iter().collect();
        let selection = SelectionList::new([isbn(0), isbn(1), isbn(2), isbn(3)]).unwrap();
        let received = BTreeSet::from([isbn(0)]);
        let brief = Brief {
            need: need(1),
            selection: &selection,
            preferences: &preferences,
            received: &received,
            books: &books,
        };
        assert_eq!(picked(pick(brief)), [3]);
        let brief = Brief { need: need(2), ..brief };
        assert_eq!(pick(brief), Err(Shortfall { needed: 2, found: 1 }));
    }

    #[test]
    fn a_subscriber_without_preferences_is_open_to_every_genre() {
        let books = BTreeMap::from([(isbn(0), facts(&[Genre::Horror], 1)), (isbn(1), facts(&[Genre::Romance], 2))]);
        let selection = all_selected();
        let none = Genres::default();
        let brief = Brief {
            need: need(2),
            selection: &selection,
            preferences: &none,
            received: &BTreeSet::new(),
            books: &books,
        };
        assert_eq!(picked(pick(brief)), [1, 0]);
    }

    fn genre() -> impl Strategy<Value = Genre> {
        prop_oneof![Just(Genre::Mystery), Just(Genre::Poetry), Just(Genre::Horror), Just(Genre::Romance)]
    }

    prop_compose! {
        fn brief_parts()(
            need in 1u64..=3,
            selected in proptest::collection::btree_set(0usize..6, 1..6),
            preferences in proptest::collection::btree_set(genre(), 0..3),
            received in proptest::collection::btree_set(0usize..6, 0..3),
            books in proptest::collection::btree_map(0usize..6, (proptest::collection::btree_set(genre(), 0..3), 0u64..4), 0..6),
        ) -> (BooksPerMonth, SelectionList, Genres, BTreeSet<Isbn>, BTreeMap<Isbn, BookFacts>) {
            (
                BooksPerMonth::new(need).unwrap(),
                SelectionList::new(selected.into_iter().map(isbn)).unwrap(),
                preferences.into_iter().collect(),
                received.into_iter().map(isbn).collect(),
                books.into_iter().map(|(n, (g, a))| (isbn(n), facts(&g.into_iter().collect::<Vec<_>>(), a))).collect(),
            )
        }
    }

    proptest! {
        /// Whatever the inputs: exactly the plan's number of books, each suitable, none
        /// outranked by a suitable book left out; or a shortfall that counts them right.
        #[test]
        fn the_pick_is_suitable_complete_and_the_best(parts in brief_parts()) {
            let (need, selection, preferences, received, books) = parts;
            let brief = Brief { need, selection: &selection, preferences: &preferences, received: &received, books: &books };
            let suitable: Vec<&Isbn> = selection.iter().filter(|i| {
                let Some(f) = books.get(*i) else { return false };
                !received.contains(*i) && f.available > 0 && (preferences.is_empty() || preferences.shared_with(&f.genres) > 0)
            }).collect();
            let rank = |i: &Isbn| (Reverse(preferences.shared_with(&books[i].genres)), Reverse(books[i].available), i.clone());
            match pick(brief) {
                Ok(box_books) => {
                    prop_assert_eq!(box_books.len(), need.get());
                    for book in &box_books {
                        prop_assert!(suitable.contains(&&book.isbn), "{} is not suitable", book.isbn);
                    }
                    let worst_picked = box_books.iter().map(|b| rank(&b.isbn)).max().unwrap();
                    for left_out in suitable.iter().filter(|i| !box_books.iter().any(|b| b.isbn == ***i)) {
                        prop_assert!(rank(left_out) > worst_picked, "{} outranks a picked book", left_out);
                    }
                    prop_assert_eq!(pick(brief), Ok(box_books), "the same brief gives the same box");
                }
                Err(shortfall) => {
                    prop_assert_eq!(shortfall, Shortfall { needed: need.get(), found: suitable.len() });
                    prop_assert!(suitable.len() < need.get());
                }
            }
        }
    }
}
