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
    use kernel::testing::given;

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
}
