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
    use std::cell::RefCell;

    use kernel::testing::{given, run_commands};
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

    /// The invariant, checked after each accepted command against the state before it: every
    /// book is received in a recorded box; nothing received is forgotten or moved to another
    /// box; what is new came in one box not recorded before. (Compared with the state before,
    /// so one per run: a history is a record, and a record only grows.)
    fn only_grows_one_box_at_a_time() -> impl Fn(&ReadingHistory) -> Result<(), String> {
        let before = RefCell::new(ReadingHistory::default());
        move |now| {
            let was = before.replace(now.clone());
            if let Some((isbn, receipt)) = now.received.iter().find(|(_, r)| !now.boxes.contains(&r.box_id)) {
                return Err(format!("{isbn} was received in {:?}, which is not recorded", receipt.box_id));
            }
            for (isbn, receipt) in &was.received {
                if now.received.get(isbn) != Some(receipt) {
                    return Err(format!("{isbn} was received {receipt:?}, now {:?}", now.received.get(isbn)));
                }
            }
            if !was.boxes.is_subset(&now.boxes) {
                return Err(format!("boxes {:?} became {:?}", was.boxes, now.boxes));
            }
            let new_boxes: BTreeSet<BoxId> = now
                .received
                .iter()
                .filter(|(isbn, _)| !was.received.contains_key(*isbn))
                .map(|(_, r)| r.box_id)
                .collect();
            if new_boxes.len() > 1 || new_boxes.iter().any(|b| was.boxes.contains(b)) {
                return Err(format!("new books arrived in {new_boxes:?}, after {:?}", was.boxes));
            }
            Ok(())
        }
    }

    #[test]
    fn every_book_is_received_in_exactly_one_box() {
        proptest!(|(commands in commands())| {
            let run = run_commands::<ReadingHistory>(&commands, only_grows_one_box_at_a_time())?;
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
