//! The `MonthlySelection` aggregate: the books curators chose for one month (stream
//! `monthly-selection-<YYYY-MM>`). Curators draft it as often as they like; once finalized,
//! boxes are curated from it, so it never changes again: a box curated early in the month and
//! one curated late must draw from the same list.

use std::collections::BTreeSet;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::isbn::Isbn;
use crate::domain::month::Month;

/// The books of a selection. Invariant: 1 to 200 books, each once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Isbn>", into = "Vec<Isbn>")]
pub struct SelectionList(BTreeSet<Isbn>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionListError {
    #[error("a selection needs at least one book")]
    Empty,
    #[error("a selection holds at most {max} books", max = SelectionList::BOOKS_MAX)]
    TooMany,
    #[error("book {isbn} is listed twice")]
    Duplicate { isbn: Isbn },
}

impl SelectionList {
    pub const BOOKS_MAX: usize = 200;

    pub fn new(isbns: impl IntoIterator<Item = Isbn>) -> Result<Self, SelectionListError> {
        let mut books = BTreeSet::new();
        for isbn in isbns {
            if books.len() == Self::BOOKS_MAX {
                return Err(SelectionListError::TooMany);
            }
            if books.contains(&isbn) {
                return Err(SelectionListError::Duplicate { isbn });
            }
            books.insert(isbn);
        }
        if books.is_empty() {
            return Err(SelectionListError::Empty);
        }
        Ok(Self(books))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Isbn> + '_ {
        self.0.iter()
    }
}

impl TryFrom<Vec<Isbn>> for SelectionList {
    type Error = SelectionListError;
    fn try_from(isbns: Vec<Isbn>) -> Result<Self, Self::Error> {
        Self::new(isbns)
    }
}

impl From<SelectionList> for Vec<Isbn> {
    fn from(list: SelectionList) -> Self {
        list.0.into_iter().collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthlySelection {
    draft: Option<SelectionList>,
    finalized: Option<SelectionList>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectionCommand {
    Draft { month: Month, books: SelectionList },
    Finalize { month: Month, books: SelectionList },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SelectionEvent {
    SelectionDrafted { month: Month, books: SelectionList },
    SelectionFinalized { month: Month, books: SelectionList },
}

impl DomainEvent for SelectionEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("the selection of {month} is final; it can no longer change")]
    AlreadyFinalized { month: Month },
}

impl MonthlySelection {
    pub fn draft(&self) -> Option<&SelectionList> {
        self.draft.as_ref()
    }

    pub fn finalized(&self) -> Option<&SelectionList> {
        self.finalized.as_ref()
    }
}

impl Aggregate for MonthlySelection {
    const CATEGORY: &'static str = "monthly-selection";
    type Command = SelectionCommand;
    type Event = SelectionEvent;
    type Error = SelectionError;

    fn decide(&self, command: &SelectionCommand, _env: &Env<'_>) -> Result<Vec<SelectionEvent>, SelectionError> {
        match (command, &self.finalized) {
            // Finalizing again with the same books is a retry, not a change.
            (SelectionCommand::Finalize { books, .. }, Some(finalized)) if books == finalized => Ok(vec![]),
            (SelectionCommand::Draft { month, .. } | SelectionCommand::Finalize { month, .. }, Some(_)) => {
                Err(SelectionError::AlreadyFinalized { month: *month })
            }
            (SelectionCommand::Draft { books, .. }, None) if Some(books) == self.draft.as_ref() => Ok(vec![]),
            (SelectionCommand::Draft { month, books }, None) => {
                Ok(vec![SelectionEvent::SelectionDrafted { month: *month, books: books.clone() }])
            }
            (SelectionCommand::Finalize { month, books }, None) => {
                Ok(vec![SelectionEvent::SelectionFinalized { month: *month, books: books.clone() }])
            }
        }
    }

    fn evolve(&mut self, event: &SelectionEvent) {
        match event {
            SelectionEvent::SelectionDrafted { books, .. } => self.draft = Some(books.clone()),
            SelectionEvent::SelectionFinalized { books, .. } => self.finalized = Some(books.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use kernel::testing::{given, run_commands};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    const DUNE: &str = "9780306406157";
    const EMMA: &str = "9780804429573";
    const LOST: &str = "9791090636071";

    fn month() -> Month {
        Month::parse("2026-03").unwrap()
    }

    fn books(isbns: &[&str]) -> SelectionList {
        SelectionList::new(isbns.iter().map(|i| Isbn::parse(i).unwrap())).unwrap()
    }

    fn finalized(isbns: &[&str]) -> SelectionEvent {
        SelectionEvent::SelectionFinalized { month: month(), books: books(isbns) }
    }

    #[test]
    fn a_selection_lists_each_book_once() {
        let isbn = |i: &str| Isbn::parse(i).unwrap();
        assert_eq!(SelectionList::new([]), Err(SelectionListError::Empty));
        assert_eq!(
            SelectionList::new([isbn(DUNE), isbn(EMMA), isbn(DUNE)]),
            Err(SelectionListError::Duplicate { isbn: isbn(DUNE) })
        );
    }

    #[test]
    fn a_draft_can_change_until_the_selection_is_finalized() {
        given::<MonthlySelection>([])
            .when(SelectionCommand::Draft { month: month(), books: books(&[DUNE]) })
            .then([SelectionEvent::SelectionDrafted { month: month(), books: books(&[DUNE]) }]);
        let drafted = SelectionEvent::SelectionDrafted { month: month(), books: books(&[DUNE]) };
        given::<MonthlySelection>([drafted.clone()])
            .when(SelectionCommand::Draft { month: month(), books: books(&[DUNE, EMMA]) })
            .then([SelectionEvent::SelectionDrafted { month: month(), books: books(&[DUNE, EMMA]) }]);
        given::<MonthlySelection>([drafted])
            .when(SelectionCommand::Draft { month: month(), books: books(&[DUNE]) })
            .then([]);
    }

    #[test]
    fn a_selection_is_finalized_once() {
        let selection = given::<MonthlySelection>([])
            .when(SelectionCommand::Finalize { month: month(), books: books(&[DUNE, EMMA]) })
            .then([finalized(&[DUNE, EMMA])]);
        assert_eq!(selection.finalized(), Some(&books(&[EMMA, DUNE])));
        given::<MonthlySelection>([finalized(&[DUNE, EMMA])])
            .when(SelectionCommand::Finalize { month: month(), books: books(&[EMMA, DUNE]) })
            .then([]);
    }

    #[test]
    fn a_finalized_selection_cannot_change() {
        given::<MonthlySelection>([finalized(&[DUNE])])
            .when(SelectionCommand::Finalize { month: month(), books: books(&[DUNE, EMMA]) })
            .then_rejected(SelectionError::AlreadyFinalized { month: month() });
        given::<MonthlySelection>([finalized(&[DUNE])])
            .when(SelectionCommand::Draft { month: month(), books: books(&[EMMA]) })
            .then_rejected(SelectionError::AlreadyFinalized { month: month() });
    }

    fn commands() -> impl Strategy<Value = Vec<SelectionCommand>> {
        let list =
            prop_oneof![Just(vec![DUNE]), Just(vec![DUNE, EMMA]), Just(vec![LOST, EMMA])].prop_map(|l| books(&l));
        let command = prop_oneof![
            list.clone().prop_map(|books| SelectionCommand::Draft { month: month(), books }),
            list.prop_map(|books| SelectionCommand::Finalize { month: month(), books }),
        ];
        proptest::collection::vec(command, 0..12)
    }

    /// The invariant, checked after each accepted command against the state before it: a
    /// finalized selection never changes (nor its draft), and once a command is accepted
    /// the month has a draft or a final list. (Compared with the state before, so one per
    /// run.)
    fn final_means_final() -> impl Fn(&MonthlySelection) -> Result<(), String> {
        let before = RefCell::new(MonthlySelection::default());
        move |now| {
            let was = before.replace(now.clone());
            if was.finalized.is_some() && *now != was {
                return Err(format!("the finalized selection {was:?} became {now:?}"));
            }
            if now.draft.is_none() && now.finalized.is_none() {
                return Err("a command was accepted, yet there is neither a draft nor a final list".into());
            }
            Ok(())
        }
    }

    /// Whatever curators do, a month is finalized at most once and nothing follows it.
    #[test]
    fn once_finalized_a_selection_never_changes() {
        proptest!(|(commands in commands())| {
            let run = run_commands::<MonthlySelection>(&commands, final_means_final())?;
            let first_final = run.events.iter().position(|e| matches!(e, SelectionEvent::SelectionFinalized { .. }));
            if let Some(at) = first_final {
                prop_assert_eq!(run.events.len(), at + 1, "events after finalization: {:?}", run.events);
            }
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[
            SelectionEvent::SelectionDrafted { month: month(), books: books(&[DUNE]) },
            finalized(&[EMMA, DUNE]),
        ]));
    }
}
