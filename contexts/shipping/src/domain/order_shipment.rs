//! The `OrderShipment` aggregate (stream `order-shipment-<order id>`): which shipment carries
//! an order.
//!
//! "An order is shipped at most once" is a rule across shipments, which no `Shipment` can
//! check alone, and looking before writing races. So each order has this small aggregate,
//! which a shipment must claim in the same unit of work that creates it: the unit of work
//! commits every stream at the version it was loaded at, so of two requests racing to carry
//! one order, the second fails its version check, is retried, and finds the order taken. It is
//! also what the "shipments of an order" query reads.
//!
//! Should replacements for lost parcels ever be sent, the rule becomes "at most one shipment
//! that has not ended", and this aggregate learns when its shipment ends.

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::ShipmentId;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderShipment {
    shipment_id: Option<ShipmentId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderShipmentCommand {
    /// Let `shipment_id` carry the order.
    Assign { shipment_id: ShipmentId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderShipmentEvent {
    AssignedToShipment { shipment_id: ShipmentId },
}

impl DomainEvent for OrderShipmentEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderShipmentError {
    #[error("the order is already carried by shipment {shipment_id}")]
    AlreadyInShipment { shipment_id: ShipmentId },
}

impl OrderShipment {
    pub fn shipment_id(&self) -> Option<ShipmentId> {
        self.shipment_id
    }
}

impl Aggregate for OrderShipment {
    const CATEGORY: &'static str = "order-shipment";
    type Command = OrderShipmentCommand;
    type Event = OrderShipmentEvent;
    type Error = OrderShipmentError;

    fn decide(
        &self,
        command: &OrderShipmentCommand,
        _env: &Env<'_>,
    ) -> Result<Vec<OrderShipmentEvent>, OrderShipmentError> {
        let OrderShipmentCommand::Assign { shipment_id } = *command;
        match self.shipment_id {
            None => Ok(vec![OrderShipmentEvent::AssignedToShipment { shipment_id }]),
            Some(current) if current == shipment_id => Ok(vec![]),
            Some(current) => Err(OrderShipmentError::AlreadyInShipment { shipment_id: current }),
        }
    }

    fn evolve(&mut self, event: &OrderShipmentEvent) {
        let OrderShipmentEvent::AssignedToShipment { shipment_id } = *event;
        self.shipment_id = Some(shipment_id);
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use kernel::testing::{given, run_commands};
    use proptest::prelude::*;

    use super::*;

    fn shipment(n: u128) -> ShipmentId {
        ShipmentId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn an_order_is_carried_by_one_shipment() {
        let assigned = OrderShipmentEvent::AssignedToShipment { shipment_id: shipment(1) };
        given::<OrderShipment>([])
            .when(OrderShipmentCommand::Assign { shipment_id: shipment(1) })
            .then([assigned.clone()]);
        given::<OrderShipment>([assigned.clone()])
            .when(OrderShipmentCommand::Assign { shipment_id: shipment(1) })
            .then([]);
        given::<OrderShipment>([assigned])
            .when(OrderShipmentCommand::Assign { shipment_id: shipment(2) })
            .then_rejected(OrderShipmentError::AlreadyInShipment { shipment_id: shipment(1) });
    }

    /// The invariant, checked after each accepted command against the state before it: the
    /// order is carried by a shipment, and once carried it is always the same one. (Compared
    /// with the state before, so one per run.)
    fn carried_by_its_first_shipment() -> impl Fn(&OrderShipment) -> Result<(), String> {
        let first = Cell::new(None);
        move |now| {
            let Some(carrier) = now.shipment_id() else {
                return Err("a command was accepted, yet no shipment carries the order".into());
            };
            if let Some(first) = first.get().filter(|first| *first != carrier) {
                return Err(format!("carried by {first}, now by {carrier}"));
            }
            first.set(Some(carrier));
            Ok(())
        }
    }

    #[test]
    fn whatever_is_asked_the_first_shipment_keeps_the_order() {
        let commands = proptest::collection::vec(
            (1u128..4).prop_map(|n| OrderShipmentCommand::Assign { shipment_id: shipment(n) }),
            0..10,
        );
        proptest!(|(commands in commands)| {
            let run = run_commands::<OrderShipment>(&commands, carried_by_its_first_shipment())?;
            prop_assert!(run.events.len() <= 1);
            if let Some(OrderShipmentCommand::Assign { shipment_id }) = commands.first() {
                prop_assert_eq!(run.state.shipment_id(), Some(*shipment_id));
            }
        });
    }
}
