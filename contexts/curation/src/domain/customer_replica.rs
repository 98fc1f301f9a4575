//! The `CustomerReplica` aggregate: what curation keeps of a customer's profile (stream
//! `customer-replica-<customer id>`), replicated from customers' `customer-profile` state
//! transfer. Only what curating needs: the genre preferences and the shipping address.
//!
//! Kept as an event-sourced aggregate in curation's own store, so it survives restarts and
//! curation keeps curating while customers is down.

use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::address::ShippingAddress;
use crate::domain::genre::Genres;
use crate::domain::ids::CustomerId;
use crate::domain::replication::supersedes;

/// A subscriber as curation sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscriber {
    pub preferences: Genres,
    pub shipping_address: ShippingAddress,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerReplica {
    subscriber: Option<Subscriber>,
    version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerReplicaCommand {
    /// The profile as customers last published it, with its version if it had one.
    Replicate { customer_id: CustomerId, subscriber: Subscriber, version: Option<u64> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustomerReplicaEvent {
    CustomerProfileReplicated {
        customer_id: CustomerId,
        preferences: Genres,
        shipping_address: ShippingAddress,
        version: Option<u64>,
    },
}

impl DomainEvent for CustomerReplicaEvent {}

impl CustomerReplica {
    pub fn subscriber(&self) -> Option<&Subscriber> {
        self.subscriber.as_ref()
    }

    pub fn version(&self) -> Option<u64> {
        self.version
    }
}

impl Aggregate for CustomerReplica {
    const CATEGORY: &'static str = "customer-replica";
    type Command = CustomerReplicaCommand;
    type Event = CustomerReplicaEvent;
    /// A replica takes whatever its owner says (or ignores it, if stale); it never refuses.
    type Error = Infallible;

    fn decide(
        &self,
        command: &CustomerReplicaCommand,
        _env: &Env<'_>,
    ) -> Result<Vec<CustomerReplicaEvent>, Infallible> {
        let CustomerReplicaCommand::Replicate { customer_id, subscriber, version } = command;
        if !supersedes(self.version, *version, self.subscriber.as_ref() != Some(subscriber)) {
            return Ok(vec![]);
        }
        Ok(vec![CustomerReplicaEvent::CustomerProfileReplicated {
            customer_id: *customer_id,
            preferences: subscriber.preferences.clone(),
            shipping_address: subscriber.shipping_address.clone(),
            version: *version,
        }])
    }

    fn evolve(&mut self, event: &CustomerReplicaEvent) {
        let CustomerReplicaEvent::CustomerProfileReplicated { preferences, shipping_address, version, .. } = event;
        self.subscriber =
            Some(Subscriber { preferences: preferences.clone(), shipping_address: shipping_address.clone() });
        // A versionless update keeps the last number seen, so an older numbered state stays stale.
        self.version = version.or(self.version);
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::address::sample_address;
    use crate::domain::genre::Genre;
    use crate::domain::stored_forms;

    fn customer() -> CustomerId {
        CustomerId::from_uuid(uuid::Uuid::from_u128(7))
    }

    fn subscriber(genres: &[Genre]) -> Subscriber {
        Subscriber { preferences: genres.iter().copied().collect(), shipping_address: sample_address() }
    }

    fn replicate(genres: &[Genre], version: Option<u64>) -> CustomerReplicaCommand {
        CustomerReplicaCommand::Replicate { customer_id: customer(), subscriber: subscriber(genres), version }
    }

    fn replicated(genres: &[Genre], version: Option<u64>) -> CustomerReplicaEvent {
        CustomerReplicaEvent::CustomerProfileReplicated {
            customer_id: customer(),
            preferences: genres.iter().copied().collect(),
            shipping_address: sample_address(),
            version,
        }
    }

    #[test]
    fn the_first_profile_is_replicated() {
        let replica = given::<CustomerReplica>([])
            .when(replicate(&[Genre::Mystery], Some(1)))
            .then([replicated(&[Genre::Mystery], Some(1))]);
        assert_eq!(replica.subscriber(), Some(&subscriber(&[Genre::Mystery])));
    }

    #[test]
    fn a_newer_profile_replaces_the_held_one() {
        given::<CustomerReplica>([replicated(&[Genre::Mystery], Some(1))])
            .when(replicate(&[Genre::Poetry], Some(2)))
            .then([replicated(&[Genre::Poetry], Some(2))]);
    }

    #[test]
    fn a_stale_or_repeated_profile_is_ignored() {
        given::<CustomerReplica>([replicated(&[Genre::Poetry], Some(2))])
            .when(replicate(&[Genre::Mystery], Some(1)))
            .then([]);
        given::<CustomerReplica>([replicated(&[Genre::Poetry], Some(2))])
            .when(replicate(&[Genre::Poetry], Some(2)))
            .then([]);
    }

    fn commands() -> impl Strategy<Value = Vec<CustomerReplicaCommand>> {
        let genres = prop_oneof![Just(vec![]), Just(vec![Genre::Mystery]), Just(vec![Genre::Poetry, Genre::Horror])];
        proptest::collection::vec(
            (genres, proptest::option::weighted(0.9, 1u64..8)).prop_map(|(g, v)| replicate(&g, v)),
            0..16,
        )
    }

    /// Delivered in any order, with duplicates, numbered profiles converge on the highest
    /// number: the replica holds the profile of the highest version it has seen.
    #[test]
    fn the_replica_holds_the_newest_numbered_profile_whatever_the_order() {
        check_aggregate::<CustomerReplica>(commands(), |replica| match (replica.version(), replica.subscriber()) {
            (Some(v), None) => Err(format!("version {v} held without a profile")),
            _ => Ok(()),
        });
        proptest!(|(commands in commands())| {
            let numbered_only: Vec<_> = commands
                .iter()
                .filter(|c| matches!(c, CustomerReplicaCommand::Replicate { version: Some(_), .. }))
                .cloned()
                .collect();
            let run = run_commands::<CustomerReplica>(&numbered_only, |_| Ok(()))?;
            let newest = numbered_only.iter().filter_map(|c| {
                let CustomerReplicaCommand::Replicate { subscriber, version, .. } = c;
                version.map(|v| (v, subscriber))
            }).fold(None::<(u64, &Subscriber)>, |best, (v, s)| match best {
                Some((bv, _)) if bv >= v => best,
                _ => Some((v, s)),
            });
            prop_assert_eq!(run.state.version(), newest.map(|(v, _)| v));
            prop_assert_eq!(run.state.subscriber(), newest.map(|(_, s)| s));
            // With unnumbered profiles mixed in, the version seen never goes down.
            let mixed = run_commands::<CustomerReplica>(&commands, |_| Ok(()))?;
            let versions: Vec<u64> = mixed.events.iter().filter_map(|e| {
                let CustomerReplicaEvent::CustomerProfileReplicated { version, .. } = e;
                *version
            }).collect();
            prop_assert!(versions.windows(2).all(|w| w[0] < w[1]), "{:?}", versions);
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[replicated(&[Genre::Mystery, Genre::ScienceFiction], Some(3))]));
    }
}
