//! The `StateSales` aggregate (stream `state-sales-<state>`): one row of the seeds' CQRS
//! example, "SELECT state, count(*) FROM orders GROUP BY state", kept as a materialized view,
//! with the revenue beside the count. One aggregate per state, so no stream carries every order.
//!
//! Counting rules (the order record upstream of it guarantees each order arrives here once):
//! - an order counts in `orders` when reporting first sees it;
//! - it counts in `ended`, and its money in `captured` and `refunded`, when it ends, with the
//!   final figures orders reports for it then. Revenue is recognized at the end, net of refunds.

use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::OrderId;
use crate::domain::ledger::ReadModel;
use crate::domain::models::Combine;
use crate::domain::money::Cents;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StateSales {
    orders: u64,
    ended: u64,
    captured: Cents,
    refunded: Cents,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StateSalesCommand {
    /// Count an order seen going to this state.
    CountOrder { order_id: OrderId },
    /// Count an order going to this state that ended, with its final money.
    CountEnd { order_id: OrderId, captured: Cents, refunded: Cents },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StateSalesEvent {
    OrderCounted { order_id: OrderId },
    EndedOrderCounted { order_id: OrderId, captured: Cents, refunded: Cents },
}

impl DomainEvent for StateSalesEvent {}

impl StateSales {
    /// Orders seen going to the state.
    pub fn orders(&self) -> u64 {
        self.orders
    }

    /// Of those, the orders that ended.
    pub fn ended(&self) -> u64 {
        self.ended
    }

    /// Money captured for the ended orders.
    pub fn captured(&self) -> Cents {
        self.captured
    }

    /// Money refunded for the ended orders.
    pub fn refunded(&self) -> Cents {
        self.refunded
    }

    /// Net revenue of the ended orders: captured minus refunded.
    pub fn revenue(&self) -> i64 {
        self.captured.net_of(self.refunded)
    }

    /// Both rows added up (a total over states).
    pub fn plus(&self, other: &StateSales) -> StateSales {
        StateSales {
            orders: self.orders.saturating_add(other.orders),
            ended: self.ended.saturating_add(other.ended),
            captured: self.captured.plus(other.captured),
            refunded: self.refunded.plus(other.refunded),
        }
    }
}

impl Combine for StateSales {
    fn combine(&mut self, other: Self) {
        self.orders = self.orders.saturating_add(other.orders);
        self.ended = self.ended.saturating_add(other.ended);
        self.captured = self.captured.plus(other.captured);
        self.refunded = self.refunded.plus(other.refunded);
    }
}

impl ReadModel for StateSales {
    fn record(&self, command: &StateSalesCommand) -> Vec<StateSalesEvent> {
        match *command {
            StateSalesCommand::CountOrder { order_id } => vec![StateSalesEvent::OrderCounted { order_id }],
            StateSalesCommand::CountEnd { order_id, captured, refunded } => {
                vec![StateSalesEvent::EndedOrderCounted { order_id, captured, refunded }]
            }
        }
    }
}

impl Aggregate for StateSales {
    const CATEGORY: &'static str = "state-sales";
    type Command = StateSalesCommand;
    type Event = StateSalesEvent;
    type Error = Infallible;

    fn decide(&self, command: &StateSalesCommand, _env: &Env<'_>) -> Result<Vec<StateSalesEvent>, Infallible> {
        Ok(self.record(command))
    }

    fn evolve(&mut self, event: &StateSalesEvent) {
        match *event {
            StateSalesEvent::OrderCounted { .. } => self.orders = self.orders.saturating_add(1),
            StateSalesEvent::EndedOrderCounted { captured, refunded, .. } => {
                self.ended = self.ended.saturating_add(1);
                self.captured = self.captured.plus(captured);
                self.refunded = self.refunded.plus(refunded);
            }
        }
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

    fn counted(n: u8) -> StateSalesEvent {
        StateSalesEvent::OrderCounted { order_id: order(n) }
    }

    fn ended(n: u8, captured: u64, refunded: u64) -> StateSalesEvent {
        StateSalesEvent::EndedOrderCounted {
            order_id: order(n),
            captured: Cents::new(captured),
            refunded: Cents::new(refunded),
        }
    }

    #[test]
    fn orders_count_when_seen_and_revenue_when_they_end() {
        let row = given::<StateSales>([counted(1), counted(2)])
            .when(StateSalesCommand::CountEnd {
                order_id: order(1),
                captured: Cents::new(2999),
                refunded: Cents::new(1000),
            })
            .then([ended(1, 2999, 1000)]);
        assert_eq!((row.orders(), row.ended(), row.revenue()), (2, 1, 1999));
        let row = given::<StateSales>([]).when(StateSalesCommand::CountOrder { order_id: order(3) }).then([counted(3)]);
        assert_eq!((row.orders(), row.ended(), row.revenue()), (1, 0, 0));
    }

    /// Fed as the projection feeds it (each order seen, then maybe ended, never refunded more
    /// than captured), a row never counts more ended orders than orders, nor a negative revenue.
    #[test]
    fn a_row_adds_up() {
        let order = (any::<bool>(), 0u64..10_000, 0u64..10_000).prop_map(|(ends, a, b)| (ends, a.max(b), a.min(b)));
        let commands = proptest::collection::vec(order, 0..10).prop_map(|orders| {
            let mut commands = Vec::new();
            for (n, (ends, captured, refunded)) in orders.into_iter().enumerate() {
                let order_id = self::order(n as u8);
                commands.push(StateSalesCommand::CountOrder { order_id });
                if ends {
                    let (captured, refunded) = (Cents::new(captured), Cents::new(refunded));
                    commands.push(StateSalesCommand::CountEnd { order_id, captured, refunded });
                }
            }
            commands
        });
        check_aggregate::<StateSales>(commands, |row| {
            if row.ended() > row.orders() {
                return Err(format!("{} ended of {} orders", row.ended(), row.orders()));
            }
            if row.revenue() < 0 {
                return Err(format!("negative revenue {}", row.revenue()));
            }
            Ok(())
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[counted(1), ended(1, 2999, 1000)]));
    }
}
