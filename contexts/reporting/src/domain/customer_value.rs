//! The `CustomerValue` aggregate (stream `customer-value-<customer id>`): a payer's lifetime
//! value, "captured minus refunded" over every order they paid for (the seed's "this customer
//! has a lifetime value of over $800"). Billing's money, as it moves: a capture counts when it
//! is captured, a refund when it is refunded, whether or not the order has ended. Each order's
//! money arrives here once, as deltas, from its order record.

use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::OrderId;
use crate::domain::ledger::ReadModel;
use crate::domain::models::Combine;
use crate::domain::money::Cents;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerValue {
    /// Orders whose payment was captured from this payer.
    orders: u64,
    captured: Cents,
    refunded: Cents,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerValueCommand {
    /// Count money of an order newly attributed to this payer (deltas).
    CountValue { order_id: OrderId, captured: Cents, refunded: Cents },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustomerValueEvent {
    OrderValueCounted { order_id: OrderId, captured: Cents, refunded: Cents },
}

impl DomainEvent for CustomerValueEvent {}

impl CustomerValue {
    pub fn orders(&self) -> u64 {
        self.orders
    }

    pub fn captured(&self) -> Cents {
        self.captured
    }

    pub fn refunded(&self) -> Cents {
        self.refunded
    }

    /// Captured minus refunded.
    pub fn lifetime_value(&self) -> i64 {
        self.captured.net_of(self.refunded)
    }
}

impl Combine for CustomerValue {
    fn combine(&mut self, other: Self) {
        self.orders = self.orders.saturating_add(other.orders);
        self.captured = self.captured.plus(other.captured);
        self.refunded = self.refunded.plus(other.refunded);
    }
}

impl ReadModel for CustomerValue {
    fn record(&self, command: &CustomerValueCommand) -> Vec<CustomerValueEvent> {
        let CustomerValueCommand::CountValue { order_id, captured, refunded } = *command;
        if captured == Cents::ZERO && refunded == Cents::ZERO {
            return vec![];
        }
        vec![CustomerValueEvent::OrderValueCounted { order_id, captured, refunded }]
    }
}

impl Aggregate for CustomerValue {
    const CATEGORY: &'static str = "customer-value";
    type Command = CustomerValueCommand;
    type Event = CustomerValueEvent;
    type Error = Infallible;

    fn decide(&self, command: &CustomerValueCommand, _env: &Env<'_>) -> Result<Vec<CustomerValueEvent>, Infallible> {
        Ok(self.record(command))
    }

    fn evolve(&mut self, event: &CustomerValueEvent) {
        let CustomerValueEvent::OrderValueCounted { captured, refunded, .. } = *event;
        // An order's capture is attributed once, so a captured amount is a new paid order.
        if captured > Cents::ZERO {
            self.orders = self.orders.saturating_add(1);
        }
        self.captured = self.captured.plus(captured);
        self.refunded = self.refunded.plus(refunded);
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    fn order(n: u8) -> OrderId {
        OrderId::from_uuid(uuid::Uuid::from_bytes([n; 16]))
    }

    fn count(n: u8, captured: u64, refunded: u64) -> CustomerValueCommand {
        CustomerValueCommand::CountValue {
            order_id: order(n),
            captured: Cents::new(captured),
            refunded: Cents::new(refunded),
        }
    }

    fn counted(n: u8, captured: u64, refunded: u64) -> CustomerValueEvent {
        CustomerValueEvent::OrderValueCounted {
            order_id: order(n),
            captured: Cents::new(captured),
            refunded: Cents::new(refunded),
        }
    }

    #[test]
    fn lifetime_value_is_captured_minus_refunded() {
        let value = given::<CustomerValue>([counted(1, 2999, 0), counted(2, 1499, 0)])
            .when(count(1, 0, 2999))
            .then([counted(1, 0, 2999)]);
        assert_eq!((value.orders(), value.lifetime_value()), (2, 1499));
        given::<CustomerValue>([]).when(count(1, 0, 0)).then([]);
    }

    /// Fed as order records feed it (a capture once per order, refunds never above it), a
    /// payer's value is never negative and counts one paid order per capture.
    #[test]
    fn a_lifetime_value_adds_up() {
        let order = (1u64..10_000, 0u64..10_000).prop_map(|(captured, refunded)| (captured, refunded.min(captured)));
        let commands = proptest::collection::vec(order, 0..8).prop_map(|orders| {
            let mut commands = Vec::new();
            for (n, (captured, refunded)) in orders.into_iter().enumerate() {
                commands.push(count(n as u8, captured, 0));
                commands.push(count(n as u8, 0, refunded));
            }
            commands
        });
        check_aggregate::<CustomerValue>(commands, |value| {
            if value.lifetime_value() < 0 {
                return Err(format!("negative lifetime value {}", value.lifetime_value()));
            }
            Ok(())
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[counted(1, 2999, 0), counted(1, 0, 1000)]));
    }
}
