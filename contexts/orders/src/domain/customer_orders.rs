//! The `CustomerOrders` aggregate (stream `customer-orders-<customer id>`): the orders a
//! customer receives or pays for, in the order they were placed. An index kept in the same
//! unit of work as each placement, so "a customer's orders" is one read, not a scan.

use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::OrderId;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerOrders {
    orders: Vec<OrderId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerOrdersCommand {
    List { order_id: OrderId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustomerOrdersEvent {
    OrderListed { order_id: OrderId },
}

impl DomainEvent for CustomerOrdersEvent {}

impl CustomerOrders {
    pub fn orders(&self) -> &[OrderId] {
        &self.orders
    }
}

impl Aggregate for CustomerOrders {
    const CATEGORY: &'static str = "customer-orders";
    type Command = CustomerOrdersCommand;
    type Event = CustomerOrdersEvent;
    type Error = Infallible;

    fn decide(&self, command: &CustomerOrdersCommand, _env: &Env<'_>) -> Result<Vec<CustomerOrdersEvent>, Infallible> {
        let CustomerOrdersCommand::List { order_id } = command;
        if self.orders.contains(order_id) {
            return Ok(vec![]);
        }
        Ok(vec![CustomerOrdersEvent::OrderListed { order_id: *order_id }])
    }

    fn evolve(&mut self, event: &CustomerOrdersEvent) {
        let CustomerOrdersEvent::OrderListed { order_id } = event;
        self.orders.push(*order_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::tests::order;
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    #[test]
    fn an_order_is_listed_once() {
        let listed = CustomerOrdersEvent::OrderListed { order_id: order(1) };
        given::<CustomerOrders>([listed.clone()]).when(CustomerOrdersCommand::List { order_id: order(1) }).then([]);
        let orders = given::<CustomerOrders>([listed])
            .when(CustomerOrdersCommand::List { order_id: order(2) })
            .then([CustomerOrdersEvent::OrderListed { order_id: order(2) }]);
        assert_eq!(orders.orders(), [order(1), order(2)]);
    }

    fn commands() -> impl Strategy<Value = Vec<CustomerOrdersCommand>> {
        let list = (1u128..6).prop_map(|n| CustomerOrdersCommand::List { order_id: order(n) });
        proptest::collection::vec(list, 0..20)
    }

    /// The index lists each order once.
    fn invariant(orders: &CustomerOrders) -> Result<(), String> {
        let listed = orders.orders();
        match listed.iter().enumerate().find(|(i, id)| listed[..*i].contains(id)) {
            Some((i, id)) => Err(format!("{id} listed again at {i}: {listed:?}")),
            None => Ok(()),
        }
    }

    #[test]
    fn an_order_is_listed_once_and_replay_rebuilds_the_index() {
        check_aggregate::<CustomerOrders>(commands(), invariant);
    }

    proptest! {
        /// The index is every order listed, in the order each was first placed, nothing else.
        #[test]
        fn the_index_is_the_orders_in_placement_order(commands in commands()) {
            let run = run_commands::<CustomerOrders>(&commands, invariant)?;
            let mut expected = Vec::new();
            for CustomerOrdersCommand::List { order_id } in &commands {
                if !expected.contains(order_id) {
                    expected.push(*order_id);
                }
            }
            prop_assert_eq!(run.state.orders(), &expected[..]);
            prop_assert_eq!(run.events.len(), expected.len(), "a repeat records nothing");
        }
    }
}
