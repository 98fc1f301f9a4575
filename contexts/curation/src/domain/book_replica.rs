//! The `BookReplica` aggregate: what curation keeps of a book (stream `book-replica-<isbn>`),
//! replicated from inventory's `book-availability` state transfer: title, genres, and how many
//! copies inventory could still reserve. Kept in curation's own store, so curation keeps
//! curating while inventory is down (with availability as last heard).

use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::genre::Genres;
use crate::domain::isbn::Isbn;
use crate::domain::replication::supersedes;
use crate::domain::title::Title;

/// A book as curation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookFacts {
    pub title: Title,
    pub genres: Genres,
    /// Copies inventory could still reserve, over all warehouses (0 when withdrawn).
    pub available: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookReplica {
    facts: Option<BookFacts>,
    version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BookReplicaCommand {
    Replicate { isbn: Isbn, facts: BookFacts, version: Option<u64> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookReplicaEvent {
    BookAvailabilityReplicated { isbn: Isbn, title: Title, genres: Genres, available: u64, version: Option<u64> },
}

impl DomainEvent for BookReplicaEvent {}

impl BookReplica {
    pub fn facts(&self) -> Option<&BookFacts> {
        self.facts.as_ref()
    }

    pub fn version(&self) -> Option<u64> {
        self.version
    }
}

impl Aggregate for BookReplica {
    const CATEGORY: &'static str = "book-replica";
    type Command = BookReplicaCommand;
    type Event = BookReplicaEvent;
    /// A replica takes whatever its owner says (or ignores it, if stale); it never refuses.
    type Error = Infallible;

    fn decide(&self, command: &BookReplicaCommand, _env: &Env<'_>) -> Result<Vec<BookReplicaEvent>, Infallible> {
        let BookReplicaCommand::Replicate { isbn, facts, version } = command;
        if !supersedes(self.version, *version, self.facts.as_ref() != Some(facts)) {
            return Ok(vec![]);
        }
        Ok(vec![BookReplicaEvent::BookAvailabilityReplicated {
            isbn: isbn.clone(),
            title: facts.title.clone(),
            genres: facts.genres.clone(),
            available: facts.available,
            version: *version,
        }])
    }

    fn evolve(&mut self, event: &BookReplicaEvent) {
        let BookReplicaEvent::BookAvailabilityReplicated { title, genres, available, version, .. } = event;
        self.facts = Some(BookFacts { title: title.clone(), genres: genres.clone(), available: *available });
        self.version = version.or(self.version);
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::genre::Genre;
    use crate::domain::stored_forms;

    fn isbn() -> Isbn {
        Isbn::parse("9780306406157").unwrap()
    }

    fn facts(available: u64) -> BookFacts {
        BookFacts {
            title: Title::parse("Dune").unwrap(),
            genres: [Genre::ScienceFiction].into_iter().collect(),
            available,
        }
    }

    fn replicate(available: u64, version: Option<u64>) -> BookReplicaCommand {
        BookReplicaCommand::Replicate { isbn: isbn(), facts: facts(available), version }
    }

    fn replicated(available: u64, version: Option<u64>) -> BookReplicaEvent {
        let facts = facts(available);
        BookReplicaEvent::BookAvailabilityReplicated {
            isbn: isbn(),
            title: facts.title,
            genres: facts.genres,
            available,
            version,
        }
    }

    #[test]
    fn availability_is_replicated_and_updated() {
        let replica = given::<BookReplica>([]).when(replicate(5, Some(2))).then([replicated(5, Some(2))]);
        assert_eq!(replica.facts().map(|f| f.available), Some(5));
        given::<BookReplica>([replicated(5, Some(2))]).when(replicate(3, Some(3))).then([replicated(3, Some(3))]);
    }

    #[test]
    fn stale_availability_never_overwrites_newer() {
        given::<BookReplica>([replicated(3, Some(3))]).when(replicate(5, Some(2))).then([]);
        given::<BookReplica>([replicated(3, Some(3))]).when(replicate(3, Some(3))).then([]);
    }

    #[test]
    fn without_versions_only_a_change_is_recorded() {
        given::<BookReplica>([replicated(3, None)]).when(replicate(3, None)).then([]);
        given::<BookReplica>([replicated(3, None)]).when(replicate(4, None)).then([replicated(4, None)]);
    }

    /// Numbered messages in any order: the replica ends at the highest number it was given.
    #[test]
    fn the_replica_converges_on_the_highest_version() {
        let commands = proptest::collection::vec((0u64..9, 1u64..20).prop_map(|(a, v)| replicate(a, Some(v))), 0..16);
        check_aggregate::<BookReplica>(commands, |replica| match (replica.version(), replica.facts()) {
            (Some(_), None) => Err("a version without facts".into()),
            _ => Ok(()),
        });
        proptest!(|(versions in proptest::collection::vec(1u64..20, 1..16))| {
            let mut replica = BookReplica::default();
            let ids = kernel::ids::SequentialIds::new(0);
            let env = Env { now: kernel::Timestamp::UNIX_EPOCH, ids: &ids };
            for v in &versions {
                for event in replica.decide(&replicate(*v, Some(*v)), &env).unwrap() {
                    replica.evolve(&event);
                }
            }
            let highest = versions.iter().max().copied();
            prop_assert_eq!(replica.version(), highest);
            prop_assert_eq!(replica.facts().map(|f| f.available), highest);
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[replicated(4, Some(9)), replicated(0, None)]));
    }
}
