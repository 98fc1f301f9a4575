//! The `Book` aggregate: one entry of the catalog (stream `book-<isbn>`).
//!
//! It holds what does not depend on a warehouse: the title, the genres, and whether the book
//! may be sold at all. Copies are counted elsewhere, per warehouse, in `StockItem`s, so that
//! receiving stock in Dallas never contends with a reservation in Chicago or with an edit of
//! the title.

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::genre::Genres;
use crate::domain::isbn::Isbn;
use crate::domain::title::Title;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Book {
    entry: Option<CatalogEntry>,
}

/// A book as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    pub isbn: Isbn,
    pub title: Title,
    pub genres: Genres,
    /// Withdrawn from sale: nothing more may be reserved, and availability reads 0.
    pub unavailable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BookCommand {
    AddToCatalog { isbn: Isbn, title: Title, genres: Genres },
    Revise { title: Title, genres: Genres },
    MarkUnavailable,
    MarkAvailable,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookEvent {
    BookCataloged { isbn: Isbn, title: Title, genres: Genres },
    CatalogEntryRevised { title: Title, genres: Genres },
    BookMarkedUnavailable,
    BookMarkedAvailable,
}

impl DomainEvent for BookEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("book {isbn} is already in the catalog with another title or other genres (revise it instead)")]
    AlreadyCataloged { isbn: Isbn },
    #[error("the book is not in the catalog")]
    NotCataloged,
}

impl Book {
    pub fn entry(&self) -> Option<&CatalogEntry> {
        self.entry.as_ref()
    }
}

impl Aggregate for Book {
    const CATEGORY: &'static str = "book";
    type Command = BookCommand;
    type Event = BookEvent;
    type Error = BookError;

    fn decide(&self, command: &BookCommand, _env: &Env<'_>) -> Result<Vec<BookEvent>, BookError> {
        let Some(entry) = &self.entry else {
            return match command {
                BookCommand::AddToCatalog { isbn, title, genres } => Ok(vec![BookEvent::BookCataloged {
                    isbn: isbn.clone(),
                    title: title.clone(),
                    genres: genres.clone(),
                }]),
                _ => Err(BookError::NotCataloged),
            };
        };
        // Each command states the entry it wants; asking for what already holds is no change,
        // so a retried command has no second effect.
        match command {
            BookCommand::AddToCatalog { isbn, title, genres } => {
                if *isbn == entry.isbn && *title == entry.title && *genres == entry.genres {
                    Ok(vec![])
                } else {
                    Err(BookError::AlreadyCataloged { isbn: entry.isbn.clone() })
                }
            }
            BookCommand::Revise { title, genres } if *title == entry.title && *genres == entry.genres => Ok(vec![]),
            BookCommand::Revise { title, genres } => {
                Ok(vec![BookEvent::CatalogEntryRevised { title: title.clone(), genres: genres.clone() }])
            }
            BookCommand::MarkUnavailable if entry.unavailable => Ok(vec![]),
            BookCommand::MarkUnavailable => Ok(vec![BookEvent::BookMarkedUnavailable]),
            BookCommand::MarkAvailable if !entry.unavailable => Ok(vec![]),
            BookCommand::MarkAvailable => Ok(vec![BookEvent::BookMarkedAvailable]),
        }
    }

    fn evolve(&mut self, event: &BookEvent) {
        match (event, &mut self.entry) {
            (BookEvent::BookCataloged { isbn, title, genres }, _) => {
                self.entry = Some(CatalogEntry {
                    isbn: isbn.clone(),
                    title: title.clone(),
                    genres: genres.clone(),
                    unavailable: false,
                });
            }
            (BookEvent::CatalogEntryRevised { title, genres }, Some(entry)) => {
                entry.title = title.clone();
                entry.genres = genres.clone();
            }
            (BookEvent::BookMarkedUnavailable, Some(entry)) => entry.unavailable = true,
            (BookEvent::BookMarkedAvailable, Some(entry)) => entry.unavailable = false,
            // `decide` never emits these before the book is cataloged.
            (_, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    fn isbn() -> Isbn {
        Isbn::parse("9780306406157").unwrap()
    }

    fn title(s: &str) -> Title {
        Title::parse(s).unwrap()
    }

    fn genres(names: &[&str]) -> Genres {
        Genres::parse(names.iter().copied()).unwrap()
    }

    fn cataloged() -> BookEvent {
        BookEvent::BookCataloged { isbn: isbn(), title: title("Dune"), genres: genres(&["science-fiction"]) }
    }

    #[test]
    fn a_new_book_is_added_to_the_catalog() {
        given::<Book>([])
            .when(BookCommand::AddToCatalog {
                isbn: isbn(),
                title: title("Dune"),
                genres: genres(&["science-fiction"]),
            })
            .then([cataloged()]);
    }

    #[test]
    fn adding_the_same_entry_again_changes_nothing() {
        given::<Book>([cataloged()])
            .when(BookCommand::AddToCatalog {
                isbn: isbn(),
                title: title("Dune"),
                genres: genres(&["science-fiction"]),
            })
            .then([]);
    }

    #[test]
    fn adding_a_different_entry_under_the_same_isbn_is_rejected() {
        given::<Book>([cataloged()])
            .when(BookCommand::AddToCatalog {
                isbn: isbn(),
                title: title("Dune Messiah"),
                genres: genres(&["fantasy"]),
            })
            .then_rejected(BookError::AlreadyCataloged { isbn: isbn() });
    }

    #[test]
    fn a_cataloged_book_can_be_revised() {
        let book = given::<Book>([cataloged()])
            .when(BookCommand::Revise {
                title: title("Dune (50th Anniversary)"),
                genres: genres(&["science-fiction", "fantasy"]),
            })
            .then([BookEvent::CatalogEntryRevised {
                title: title("Dune (50th Anniversary)"),
                genres: genres(&["science-fiction", "fantasy"]),
            }]);
        assert_eq!(book.entry().unwrap().title.as_str(), "Dune (50th Anniversary)");
    }

    #[test]
    fn a_book_not_in_the_catalog_cannot_be_changed() {
        given::<Book>([]).when(BookCommand::MarkUnavailable).then_rejected(BookError::NotCataloged);
        given::<Book>([])
            .when(BookCommand::Revise { title: title("Dune"), genres: genres(&["fantasy"]) })
            .then_rejected(BookError::NotCataloged);
    }

    #[test]
    fn a_book_is_marked_unavailable_once_and_can_return() {
        let book =
            given::<Book>([cataloged()]).when(BookCommand::MarkUnavailable).then([BookEvent::BookMarkedUnavailable]);
        assert!(book.entry().unwrap().unavailable);
        given::<Book>([cataloged(), BookEvent::BookMarkedUnavailable]).when(BookCommand::MarkUnavailable).then([]);
        given::<Book>([cataloged(), BookEvent::BookMarkedUnavailable])
            .when(BookCommand::MarkAvailable)
            .then([BookEvent::BookMarkedAvailable]);
        given::<Book>([cataloged()]).when(BookCommand::MarkAvailable).then([]);
    }

    fn commands() -> impl Strategy<Value = Vec<BookCommand>> {
        let title = prop_oneof![Just("Dune"), Just("Emma")].prop_map(|t| Title::parse(t).unwrap());
        let genres =
            prop_oneof![Just(vec!["fantasy"]), Just(vec!["romance", "poetry"])].prop_map(|g| Genres::parse(g).unwrap());
        let command = prop_oneof![
            (title.clone(), genres.clone()).prop_map(|(title, genres)| BookCommand::AddToCatalog {
                isbn: isbn(),
                title,
                genres
            }),
            (title, genres).prop_map(|(title, genres)| BookCommand::Revise { title, genres }),
            Just(BookCommand::MarkUnavailable),
            Just(BookCommand::MarkAvailable),
        ];
        proptest::collection::vec(command, 0..20)
    }

    #[test]
    fn the_isbn_of_an_entry_never_changes() {
        check_aggregate::<Book>(commands(), |book| match book.entry() {
            Some(entry) if entry.isbn != isbn() => Err(format!("the entry's ISBN became {}", entry.isbn)),
            _ => Ok(()),
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[
            cataloged(),
            BookEvent::CatalogEntryRevised { title: title("Dune"), genres: genres(&["fantasy"]) },
            BookEvent::BookMarkedUnavailable,
            BookEvent::BookMarkedAvailable,
        ]));
    }
}
