//! The `BoxIntake` aggregate (stream `box-intake-<box id>`): which order a curated box
//! became. One box makes one order, whatever message ids the box arrives under.

use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::OrderId;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BoxIntake {
    order_id: Option<OrderId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IntakeCommand {
    /// Accepts the box as `order_id`; a box already accepted stays with its first order.
    Accept { order_id: OrderId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IntakeEvent {
    BoxAccepted { order_id: OrderId },
}

impl DomainEvent for IntakeEvent {}

impl BoxIntake {
    /// The order the box became, once accepted.
    pub fn order_id(&self) -> Option<OrderId> {
        self.order_id
    }
}

impl Aggregate for BoxIntake {
    const CATEGORY: &'static str = "box-intake";
    type Command = IntakeCommand;
    type Event = IntakeEvent;
    type Error = Infallible;

    fn decide(&self, command: &IntakeCommand, _env: &Env<'_>) -> Result<Vec<IntakeEvent>, Infallible> {
        let IntakeCommand::Accept { order_id } = command;
        match self.order_id {
            Some(_) => Ok(vec![]),
            None => Ok(vec![IntakeEvent::BoxAccepted { order_id: *order_id }]),
        }
    }

    fn evolve(&mut self, event: &IntakeEvent) {
        let IntakeEvent::BoxAccepted { order_id } = event;
        self.order_id = Some(*order_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::tests::order;
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    #[test]
    fn a_box_becomes_one_order() {
        given::<BoxIntake>([])
            .when(IntakeCommand::Accept { order_id: order(1) })
            .then([IntakeEvent::BoxAccepted { order_id: order(1) }]);
        let accepted = given::<BoxIntake>([IntakeEvent::BoxAccepted { order_id: order(1) }])
            .when(IntakeCommand::Accept { order_id: order(2) })
            .then([]);
        assert_eq!(accepted.order_id(), Some(order(1)));
    }

    fn commands() -> impl Strategy<Value = Vec<IntakeCommand>> {
        proptest::collection::vec((1u128..5).prop_map(|n| IntakeCommand::Accept { order_id: order(n) }), 0..12)
    }

    #[test]
    fn an_accepted_box_names_its_order_and_replay_rebuilds_it() {
        // After any accepted command the box has become an order: `Accept` is never refused.
        check_aggregate::<BoxIntake>(commands(), |intake| match intake.order_id() {
            Some(_) => Ok(()),
            None => Err("accepted, yet no order".into()),
        });
    }

    proptest! {
        /// Whatever the box is accepted as later (a redelivery under another message id
        /// generates another order id), it stays the first order, recorded once.
        #[test]
        fn a_box_stays_its_first_order(commands in commands()) {
            let run = run_commands::<BoxIntake>(&commands, |_| Ok(()))?;
            let first = commands.first().map(|IntakeCommand::Accept { order_id }| *order_id);
            prop_assert_eq!(run.state.order_id(), first);
            prop_assert_eq!(run.events.len(), usize::from(first.is_some()));
            prop_assert_eq!(run.rejected, 0);
        }
    }
}
