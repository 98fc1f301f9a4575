//! The `ReadingHistory` aggregate: the books a customer has received from Bookbox (stream
//! `reading-history-<customer id>`). Curation's own record, written when it curates a box,
//! so "never the same book twice" depends on nothing outside curation.

use std::collections::{BTreeMap, BTreeSet};

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::BoxId;
use crate::domain::isbn::Isbn;
use crate::domain::month::Month;

/// When and in which box a book was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub month: Month,
    pub box_id: BoxId,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadingHistory {
    received: BTreeMap<Isbn, Receipt>,
    boxes: BTreeSet<BoxId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReadingHistoryCommand {
    RecordBox { box_id: BoxId, month: Month, books: Vec<Isbn> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadingHistoryEvent {
    BooksReceived { box_id: BoxId, month: Month, books: Vec<Isbn> },
}

impl DomainEvent for ReadingHistoryEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadingHistoryError {
    #[error("book {isbn} was already received, in {month}")]
    AlreadyReceived { isbn: Isbn, month: Month },
}

impl ReadingHistory {
    pub fn received(&self) -> impl Iterator<Item = (&Isbn, Receipt)> + '_ {
        self.received.iter().map(|(isbn, receipt)| (isbn, *receipt))
    }
}

impl Aggregate for ReadingHistory {
    const CATEGORY: &'static str = "reading-history";
    type Command = ReadingHistoryCommand;
    type Event = ReadingHistoryEvent;
    type Error = ReadingHistoryError;

    fn decide(
        &self,
        command: &ReadingHistoryCommand,
        _env: &Env<'_>,
    ) -> Result<Vec<ReadingHistoryEvent>, ReadingHistoryError> {
        let ReadingHistoryCommand::RecordBox { box_id, month, books } = command;
        if self.boxes.contains(box_id) {
            return Ok(vec![]);
        }
        let mut in_this_box = BTreeSet::new();
        for isbn in books {
            if let Some(receipt) = self.received.get(isbn) {
                return Err(ReadingHistoryError::AlreadyReceived { isbn: isbn.clone(), month: receipt.month });
            }
            if !in_this_box.insert(isbn) {
                return Err(ReadingHistoryError::AlreadyReceived { isbn: isbn.clone(), month: *month });
            }
        }
        Ok(vec![ReadingHistoryEvent::BooksReceived { box_id: *box_id, month: *month, books: books.clone() }])
    }

    fn evolve(&mut self, event: &ReadingHistoryEvent) {
        let ReadingHistoryEvent::BooksReceived { box_id, month, books } = event;
        self.boxes.insert(*box_id);
        for isbn in books {
            self.received.insert(isbn.clone(), Receipt { month: *month, box_id: *box_id });
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    const BOOKS: [&str; 4] = ["9780306406157", "9780804429573", "9791090636071", "9780000000002"];

    fn isbn(n: usize) -> Isbn {
        Isbn::parse(BOOKS[n]).unwrap()
    }

    fn box_id(n: u128) -> BoxId {
        BoxId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn month(m: u8) -> Month {
        Month::parse(&format!("2026-{m:02}")).unwrap()
    }

    fn received(b: u128, m: u8, books: &[usize]) -> ReadingHistoryEvent {
        ReadingHistoryEvent::BooksReceived {
            box_id: box_id(b),
            month: month(m),
            books: books.iter().map(|n| isbn(*n)).collect(),
        }
    }

    fn record(b: u128, m: u8, books: &[usize]) -> ReadingHistoryCommand {
        ReadingHistoryCommand::RecordBox {
            box_id: box_id(b),
            month: month(m),
            books: books.iter().map(|n| isbn(*n)).collect(),
        }
    }

    #[test]
    fn a_curated_box_is_recorded_as_received() {
        let history = given::<ReadingHistory>([]).when(record(1, 3, &[0, 1])).then([received(1, 3, &[0, 1])]);
        let received: Vec<_> = history.received().map(|(isbn, receipt)| (isbn.clone(), receipt.month)).collect();
        assert_eq!(received, [(isbn(0), month(3)), (isbn(1), month(3))]);
    }

    #[test]
    fn recording_the_same_box_again_changes_nothing() {
        given::<ReadingHistory>([received(1, 3, &[0])]).when(record(1, 3, &[0])).then([]);
    }

    #[test]
    fn a_book_is_never_received_twice() {
        given::<ReadingHistory>([received(1, 3, &[0])])
            .when(record(2, 4, &[1, 0]))
            .then_rejected(ReadingHistoryError::AlreadyReceived { isbn: isbn(0), month: month(3) });
        given::<ReadingHistory>([])
            .when(record(2, 4, &[1, 1]))
            .then_rejected(ReadingHistoryError::AlreadyReceived { isbn: isbn(1), month: month(4) });
    }

    fn commands() -> impl Strategy<Value = Vec<ReadingHistoryCommand>> {
        let command = (1u128..5, 1u8..13, proptest::collection::vec(0usize..4, 1..3))
            .prop_map(|(b, m, books)| record(b, m, &books));
        proptest::collection::vec(command, 0..12)
    }

    #[test]
    fn every_book_is_received_in_exactly_one_box() {
        check_aggregate::<ReadingHistory>(commands(), |_| Ok(()));
        proptest!(|(commands in commands())| {
            let run = run_commands::<ReadingHistory>(&commands, |_| Ok(()))?;
            let mut seen = BTreeSet::new();
            for ReadingHistoryEvent::BooksReceived { books, .. } in &run.events {
                for isbn in books {
                    prop_assert!(seen.insert(isbn.clone()), "{} received twice", isbn);
                }
            }
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[received(1, 3, &[0, 1])]));
    }
}
