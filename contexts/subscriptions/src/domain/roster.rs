//! The `SubscriptionRoster` aggregate: the index of live (active or paused) subscriptions,
//! so that starting a monthly cycle finds every subscription that may fall due without a
//! scan of the store (stream `subscription-roster-all`).
//!
//! The application lists a subscription when it starts or restarts and delists it when it is
//! cancelled or its gift ends, in the same unit of work as the subscription's own events, so
//! the roster is never out of step with the subscriptions. A paused subscription stays
//! listed (it decides itself that it is not due); the roster does not copy statuses it would
//! then have to keep in step.
//!
//! There is one roster: every start and end of a subscription writes it, which serializes
//! them. That is fine for one context actor; if it ever is not, the roster splits into
//! shards keyed by a hash of the subscription id.

use std::collections::BTreeSet;
use std::convert::Infallible;

use serde::{Deserialize, Serialize};

use kernel::{Aggregate, DomainEvent, Env};

use crate::domain::ids::SubscriptionId;

/// The id of the one roster.
pub const ROSTER_ID: &str = "all";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionRoster {
    live: BTreeSet<SubscriptionId>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RosterCommand {
    List { subscription_id: SubscriptionId },
    Delist { subscription_id: SubscriptionId },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RosterEvent {
    SubscriptionListed { subscription_id: SubscriptionId },
    SubscriptionDelisted { subscription_id: SubscriptionId },
}

impl DomainEvent for RosterEvent {}

impl SubscriptionRoster {
    /// The live subscriptions, in a stable order (by id), so a cycle is deterministic.
    pub fn live(&self) -> impl Iterator<Item = SubscriptionId> + '_ {
        self.live.iter().copied()
    }
}

impl Aggregate for SubscriptionRoster {
    const CATEGORY: &'static str = "subscription-roster";
    type Command = RosterCommand;
    type Event = RosterEvent;
    /// The roster refuses nothing: listing what is listed, or delisting what is not, is
    /// already done.
    type Error = Infallible;

    fn decide(&self, command: &RosterCommand, _env: &Env<'_>) -> Result<Vec<RosterEvent>, Infallible> {
        let events = match *command {
            RosterCommand::List { subscription_id } if !self.live.contains(&subscription_id) => {
                vec![RosterEvent::SubscriptionListed { subscription_id }]
            }
            RosterCommand::Delist { subscription_id } if self.live.contains(&subscription_id) => {
                vec![RosterEvent::SubscriptionDelisted { subscription_id }]
            }
            RosterCommand::List { .. } | RosterCommand::Delist { .. } => Vec::new(),
        };
        Ok(events)
    }

    fn evolve(&mut self, event: &RosterEvent) {
        match *event {
            RosterEvent::SubscriptionListed { subscription_id } => self.live.insert(subscription_id),
            RosterEvent::SubscriptionDelisted { subscription_id } => self.live.remove(&subscription_id),
        };
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use kernel::testing::{given, run_commands};
    use proptest::prelude::*;

    use crate::domain::ids::tests::subscription;

    #[test]
    fn subscriptions_are_listed_and_delisted_once() {
        let listed = RosterEvent::SubscriptionListed { subscription_id: subscription(1) };
        given::<SubscriptionRoster>([]).when(RosterCommand::List { subscription_id: subscription(1) }).then([listed]);
        given::<SubscriptionRoster>([listed]).when(RosterCommand::List { subscription_id: subscription(1) }).then([]);
        let state = given::<SubscriptionRoster>([listed])
            .when(RosterCommand::Delist { subscription_id: subscription(1) })
            .then([RosterEvent::SubscriptionDelisted { subscription_id: subscription(1) }]);
        assert_eq!(state.live().count(), 0);
        given::<SubscriptionRoster>([]).when(RosterCommand::Delist { subscription_id: subscription(1) }).then([]);
    }

    fn commands() -> impl Strategy<Value = Vec<RosterCommand>> {
        let command = prop_oneof![
            (1u128..6).prop_map(|n| RosterCommand::List { subscription_id: subscription(n) }),
            (1u128..6).prop_map(|n| RosterCommand::Delist { subscription_id: subscription(n) }),
        ];
        proptest::collection::vec(command, 0..40)
    }

    /// The invariant, against a reference model: the roster refuses nothing, so after the
    /// n-th command it is exactly the subscriptions listed and not delisted since by the
    /// first n. (The model follows `commands`, so one per run.)
    fn the_listed_not_delisted(commands: &[RosterCommand]) -> impl Fn(&SubscriptionRoster) -> Result<(), String> + '_ {
        let model = RefCell::new((0, BTreeSet::new()));
        move |now| {
            let (step, live) = &mut *model.borrow_mut();
            match commands[*step] {
                RosterCommand::List { subscription_id } => live.insert(subscription_id),
                RosterCommand::Delist { subscription_id } => live.remove(&subscription_id),
            };
            *step += 1;
            match now.live == *live {
                true => Ok(()),
                false => Err(format!("the roster is {:?}, the commands say {live:?}", now.live)),
            }
        }
    }

    proptest! {
        /// The roster is exactly the set the commands describe: a reference model agrees,
        /// after every command.
        #[test]
        fn the_roster_is_the_set_of_listed_minus_delisted(commands in commands()) {
            let run = run_commands::<SubscriptionRoster>(&commands, the_listed_not_delisted(&commands))?;
            prop_assert_eq!(run.accepted, commands.len());
            let mut model = BTreeSet::new();
            for command in &commands {
                match *command {
                    RosterCommand::List { subscription_id } => model.insert(subscription_id),
                    RosterCommand::Delist { subscription_id } => model.remove(&subscription_id),
                };
            }
            prop_assert_eq!(run.state.live().collect::<BTreeSet<_>>(), model);
            prop_assert!(run.events.len() <= commands.len());
        }
    }
}
