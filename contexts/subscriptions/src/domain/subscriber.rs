//! The `Subscriber` aggregate: a customer as subscriptions sees them, holding their
//! *current* subscription (stream `subscriber-<customer id>`).
//!
//! "A customer has at most one current subscription" spans every `Subscription`, which no
//! single one can check. So each customer has this small aggregate, and a subscription must
//! claim it: subscribing, receiving a gift and restarting claim it; cancelling and the end
//! of a gift release it. The application writes the claim in the same unit of work as the
//! subscription, and the unit of work commits both streams atomically at the versions they
//! were loaded at, so two subscriptions racing for one customer cannot both win: the second
//! commit fails its version check, is retried, and finds the customer subscribed.
//!
//! A subscription is current while it is active or paused (paused is still "theirs": it can
//! be resumed); a cancelled or ended one is not.

use serde::{Deserialize, Serialize};

use kernel::{Aggregate, DomainEvent, Env};

use crate::domain::ids::SubscriptionId;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subscriber {
    current: Option<SubscriptionId>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SubscriberCommand {
    Claim { subscription_id: SubscriptionId },
    Release { subscription_id: SubscriptionId },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubscriberEvent {
    CurrentSubscriptionClaimed { subscription_id: SubscriptionId },
    CurrentSubscriptionReleased { subscription_id: SubscriptionId },
}

impl DomainEvent for SubscriberEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriberError {
    #[error("the customer already has a current subscription ({current})")]
    AlreadySubscribed { current: SubscriptionId },
}

impl Subscriber {
    pub fn current(&self) -> Option<SubscriptionId> {
        self.current
    }
}

impl Aggregate for Subscriber {
    const CATEGORY: &'static str = "subscriber";
    type Command = SubscriberCommand;
    type Event = SubscriberEvent;
    type Error = SubscriberError;

    fn decide(&self, command: &SubscriberCommand, _env: &Env<'_>) -> Result<Vec<SubscriberEvent>, SubscriberError> {
        // Both commands state a goal ("it is current", "it is not current"); when the goal
        // already holds there is nothing to do, which makes a restart of a paused
        // subscription (already current) and a repeated release harmless.
        match (*command, self.current) {
            (SubscriberCommand::Claim { subscription_id }, None) => {
                Ok(vec![SubscriberEvent::CurrentSubscriptionClaimed { subscription_id }])
            }
            (SubscriberCommand::Claim { subscription_id }, Some(current)) if current == subscription_id => {
                Ok(Vec::new())
            }
            (SubscriberCommand::Claim { .. }, Some(current)) => Err(SubscriberError::AlreadySubscribed { current }),
            (SubscriberCommand::Release { subscription_id }, Some(current)) if current == subscription_id => {
                Ok(vec![SubscriberEvent::CurrentSubscriptionReleased { subscription_id }])
            }
            (SubscriberCommand::Release { .. }, _) => Ok(Vec::new()),
        }
    }

    fn evolve(&mut self, event: &SubscriberEvent) {
        self.current = match *event {
            SubscriberEvent::CurrentSubscriptionClaimed { subscription_id } => Some(subscription_id),
            SubscriberEvent::CurrentSubscriptionReleased { .. } => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use kernel::testing::{given, run_commands};
    use proptest::prelude::*;

    use crate::domain::ids::tests::subscription;

    fn claimed(n: u128) -> SubscriberEvent {
        SubscriberEvent::CurrentSubscriptionClaimed { subscription_id: subscription(n) }
    }

    #[test]
    fn a_customer_without_a_subscription_takes_one() {
        let state = given::<Subscriber>([])
            .when(SubscriberCommand::Claim { subscription_id: subscription(1) })
            .then([claimed(1)]);
        assert_eq!(state.current(), Some(subscription(1)));
    }

    #[test]
    fn a_customer_cannot_have_two_current_subscriptions() {
        given::<Subscriber>([claimed(1)])
            .when(SubscriberCommand::Claim { subscription_id: subscription(2) })
            .then_rejected(SubscriberError::AlreadySubscribed { current: subscription(1) });
    }

    #[test]
    fn claiming_the_current_one_again_or_releasing_another_records_nothing() {
        given::<Subscriber>([claimed(1)]).when(SubscriberCommand::Claim { subscription_id: subscription(1) }).then([]);
        given::<Subscriber>([claimed(1)])
            .when(SubscriberCommand::Release { subscription_id: subscription(2) })
            .then([]);
    }

    #[test]
    fn once_released_another_subscription_may_be_taken() {
        let state = given::<Subscriber>([claimed(1)])
            .when(SubscriberCommand::Release { subscription_id: subscription(1) })
            .then([SubscriberEvent::CurrentSubscriptionReleased { subscription_id: subscription(1) }]);
        assert_eq!(state.current(), None);
    }

    fn commands() -> impl Strategy<Value = Vec<SubscriberCommand>> {
        let command = prop_oneof![
            (1u128..4).prop_map(|n| SubscriberCommand::Claim { subscription_id: subscription(n) }),
            (1u128..4).prop_map(|n| SubscriberCommand::Release { subscription_id: subscription(n) }),
        ];
        proptest::collection::vec(command, 0..30)
    }

    /// The invariant, checked after each accepted command against the state before it: the
    /// current subscription is only ever taken when there is none, or given up; never
    /// swapped for another. (Compared with the state before, so one per run.)
    fn never_two_at_once() -> impl Fn(&Subscriber) -> Result<(), String> {
        let before = Cell::new(None);
        move |now| match (before.replace(now.current()), now.current()) {
            (Some(was), Some(current)) if was != current => Err(format!("{was} was current, then {current}")),
            _ => Ok(()),
        }
    }

    proptest! {
        /// The history alternates: claimed, released (that one), claimed... never two at once.
        #[test]
        fn a_customer_has_at_most_one_current_subscription(commands in commands()) {
            let run = run_commands::<Subscriber>(&commands, never_two_at_once())?;
            let mut current = None;
            for event in &run.events {
                match (*event, current) {
                    (SubscriberEvent::CurrentSubscriptionClaimed { subscription_id }, None) => current = Some(subscription_id),
                    (SubscriberEvent::CurrentSubscriptionReleased { subscription_id }, Some(c)) if c == subscription_id => {
                        current = None;
                    }
                    (event, current) => prop_assert!(false, "{event:?} while current is {current:?}"),
                }
            }
            prop_assert_eq!(run.state.current(), current);
        }
    }
}
