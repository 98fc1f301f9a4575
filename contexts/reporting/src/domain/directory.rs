//! The `Directory` aggregates: which states, months, customers and books the read models hold a
//! row for, so a query for "every state" knows which `state-sales-*` streams to read (an event
//! store lists no streams). Streams `state-directory-0`, `month-directory-0`,
//! `customer-directory-<0..15>`, `book-directory-<0..9>`.
//!
//! A directory is written once per new entry and read by queries, never per message: each
//! entry is listed in the same projection step that first counts it, and listing a listed
//! entry records nothing. The customer and book directories grow with the business, so they
//! are sharded by a hash of the entry (a customer's id, a book's check digit): no shard takes
//! every new customer's write, and none grows without bound faster than the business does.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::fmt::{self, Debug};

use kernel::{Aggregate, DomainEvent, Env};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::domain::ids::CustomerId;
use crate::domain::isbn::Isbn;
use crate::domain::ledger::ReadModel;
use crate::domain::month::Month;
use crate::domain::us_state::UsState;

/// What a directory lists, and how it is sharded.
pub trait Entry: Clone + Ord + Debug + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The stream category of the directory.
    const DIRECTORY: &'static str;
    /// How many shards the directory has.
    const SHARDS: u8;
    /// The shard listing this entry, below [`Entry::SHARDS`].
    fn shard(&self) -> Shard;
}

/// One shard of a directory: the id of its stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shard(u8);

impl Shard {
    /// Every shard of `K`'s directory.
    pub fn all<K: Entry>() -> impl Iterator<Item = Shard> {
        (0..K::SHARDS).map(Shard)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Entry for UsState {
    const DIRECTORY: &'static str = "state-directory";
    // About sixty codes can ever appear.
    const SHARDS: u8 = 1;
    fn shard(&self) -> Shard {
        Shard(0)
    }
}

impl Entry for Month {
    const DIRECTORY: &'static str = "month-directory";
    // Twelve entries a year.
    const SHARDS: u8 = 1;
    fn shard(&self) -> Shard {
        Shard(0)
    }
}

impl Entry for CustomerId {
    const DIRECTORY: &'static str = "customer-directory";
    const SHARDS: u8 = 16;
    fn shard(&self) -> Shard {
        // The top nibble of a UUID: evenly spread for random and sequential ids alike.
        Shard(self.as_uuid().as_bytes()[0] >> 4)
    }
}

impl Entry for Isbn {
    const DIRECTORY: &'static str = "book-directory";
    const SHARDS: u8 = 10;
    fn shard(&self) -> Shard {
        Shard(self.check_digit())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "K: Entry")]
pub struct Directory<K: Entry> {
    entries: BTreeSet<K>,
}

// Written by hand: a derive would ask `K: Default`, which no entry is.
impl<K: Entry> Default for Directory<K> {
    fn default() -> Self {
        Self { entries: BTreeSet::new() }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryCommand<K> {
    List { entry: K },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", bound = "K: Entry")]
pub enum DirectoryEvent<K: Entry> {
    EntryListed { entry: K },
}

impl<K: Entry> DomainEvent for DirectoryEvent<K> {}

impl<K: Entry> Directory<K> {
    /// The listed entries, in order.
    pub fn entries(&self) -> impl Iterator<Item = &K> {
        self.entries.iter()
    }
}

impl<K: Entry> Directory<K> {
    /// Lists every entry of `other` here too; returns how many were listed in both (each of
    /// those was recorded by an event on both sides, and is one listing, one event, in all).
    pub fn combine_counting_shared(&mut self, other: Self) -> u64 {
        let mut shared = 0;
        for entry in other.entries {
            if !self.entries.insert(entry) {
                shared += 1;
            }
        }
        shared
    }
}

impl<K: Entry> ReadModel for Directory<K> {
    fn record(&self, command: &DirectoryCommand<K>) -> Vec<DirectoryEvent<K>> {
        let DirectoryCommand::List { entry } = command;
        if self.entries.contains(entry) {
            return vec![];
        }
        vec![DirectoryEvent::EntryListed { entry: entry.clone() }]
    }
}

impl<K: Entry> Aggregate for Directory<K> {
    const CATEGORY: &'static str = K::DIRECTORY;
    type Command = DirectoryCommand<K>;
    type Event = DirectoryEvent<K>;
    type Error = Infallible;

    fn decide(&self, command: &DirectoryCommand<K>, _env: &Env<'_>) -> Result<Vec<DirectoryEvent<K>>, Infallible> {
        Ok(self.record(command))
    }

    fn evolve(&mut self, event: &DirectoryEvent<K>) {
        let DirectoryEvent::EntryListed { entry } = event;
        self.entries.insert(entry.clone());
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    fn state(code: &str) -> UsState {
        UsState::parse(code).unwrap()
    }

    fn listed(code: &str) -> DirectoryEvent<UsState> {
        DirectoryEvent::EntryListed { entry: state(code) }
    }

    #[test]
    fn an_entry_is_listed_once() {
        let directory = given::<Directory<UsState>>([listed("TX")])
            .when(DirectoryCommand::List { entry: state("IL") })
            .then([listed("IL")]);
        assert_eq!(directory.entries().map(|s| s.as_str()).collect::<Vec<_>>(), ["IL", "TX"]);
        given::<Directory<UsState>>([listed("TX")]).when(DirectoryCommand::List { entry: state("TX") }).then([]);
    }

    #[test]
    fn a_directory_holds_each_entry_once_however_often_it_is_listed() {
        let code = proptest::sample::select(vec!["TX", "IL", "CA", "NY"]);
        let commands = proptest::collection::vec(code.prop_map(|c| DirectoryCommand::List { entry: state(c) }), 0..16);
        check_aggregate::<Directory<UsState>>(commands, |directory| {
            let entries: Vec<_> = directory.entries().collect();
            if entries.windows(2).all(|w| w[0] < w[1]) {
                Ok(())
            } else {
                Err(format!("entries out of order or repeated: {entries:?}"))
            }
        });
    }

    #[test]
    fn shards_stay_within_their_directory() {
        for byte in 0..=255u8 {
            let customer = CustomerId::from_uuid(uuid::Uuid::from_bytes([byte; 16]));
            assert!(Shard::all::<CustomerId>().any(|s| s == customer.shard()));
        }
        let isbn = Isbn::parse("9780306406157").unwrap();
        assert_eq!(isbn.shard().to_string(), "7");
        assert_eq!(Shard::all::<Isbn>().count(), 10);
        assert_eq!(Shard::all::<UsState>().collect::<Vec<_>>(), [state("TX").shard()]);
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        let month = DirectoryEvent::EntryListed { entry: Month::parse("2026-03").unwrap() };
        let customer = DirectoryEvent::EntryListed {
            entry: "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a".parse::<CustomerId>().unwrap(),
        };
        let book = DirectoryEvent::EntryListed { entry: Isbn::parse("9780306406157").unwrap() };
        insta::assert_json_snapshot!((
            stored_forms(&[listed("TX")]),
            stored_forms(&[month]),
            stored_forms(&[customer]),
            stored_forms(&[book])
        ));
    }
}
