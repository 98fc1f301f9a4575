//! The `MonthlyOutcomes` aggregate (stream `monthly-outcomes-<YYYY-MM>`): how the orders of a
//! month's boxes ended, by end state. One aggregate per month: a month's stream stops growing
//! once its orders have ended.

use std::collections::BTreeMap;
use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::end_state::EndState;
use crate::domain::ids::OrderId;
use crate::domain::ledger::ReadModel;
use crate::domain::models::Combine;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthlyOutcomes {
    by_end_state: BTreeMap<EndState, u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MonthlyOutcomesCommand {
    /// Count an order of the month that ended.
    CountOutcome { order_id: OrderId, end_state: EndState },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MonthlyOutcomesEvent {
    OutcomeCounted { order_id: OrderId, end_state: EndState },
}

impl DomainEvent for MonthlyOutcomesEvent {}

impl MonthlyOutcomes {
    pub fn count(&self, end_state: EndState) -> u64 {
        self.by_end_state.get(&end_state).copied().unwrap_or(0)
    }

    /// Every ended order of the month.
    pub fn total(&self) -> u64 {
        self.by_end_state.values().fold(0, |total, n| total.saturating_add(*n))
    }
}

impl Combine for MonthlyOutcomes {
    fn combine(&mut self, other: Self) {
        for (end_state, n) in other.by_end_state {
            let count = self.by_end_state.entry(end_state).or_default();
            *count = count.saturating_add(n);
        }
    }
}

impl ReadModel for MonthlyOutcomes {
    fn record(&self, command: &MonthlyOutcomesCommand) -> Vec<MonthlyOutcomesEvent> {
        let MonthlyOutcomesCommand::CountOutcome { order_id, end_state } = *command;
        vec![MonthlyOutcomesEvent::OutcomeCounted { order_id, end_state }]
    }
}

impl Aggregate for MonthlyOutcomes {
    const CATEGORY: &'static str = "monthly-outcomes";
    type Command = MonthlyOutcomesCommand;
    type Event = MonthlyOutcomesEvent;
    type Error = Infallible;

    fn decide(
        &self,
        command: &MonthlyOutcomesCommand,
        _env: &Env<'_>,
    ) -> Result<Vec<MonthlyOutcomesEvent>, Infallible> {
        Ok(self.record(command))
    }

    fn evolve(&mut self, event: &MonthlyOutcomesEvent) {
        let MonthlyOutcomesEvent::OutcomeCounted { end_state, .. } = *event;
        let count = self.by_end_state.entry(end_state).or_default();
        *count = count.saturating_add(1);
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

    fn counted(n: u8, end_state: EndState) -> MonthlyOutcomesEvent {
        MonthlyOutcomesEvent::OutcomeCounted { order_id: order(n), end_state }
    }

    #[test]
    fn ended_orders_are_counted_by_end_state() {
        let month = given::<MonthlyOutcomes>([counted(1, EndState::Delivered), counted(2, EndState::Failed)])
            .when(MonthlyOutcomesCommand::CountOutcome { order_id: order(3), end_state: EndState::Delivered })
            .then([counted(3, EndState::Delivered)]);
        assert_eq!((month.count(EndState::Delivered), month.count(EndState::Refunded), month.total()), (2, 0, 3));
    }

    #[test]
    fn the_total_is_the_sum_of_the_end_states() {
        let command = (any::<u8>(), proptest::sample::select(EndState::ALL.to_vec()))
            .prop_map(|(n, end_state)| MonthlyOutcomesCommand::CountOutcome { order_id: order(n), end_state });
        check_aggregate::<MonthlyOutcomes>(proptest::collection::vec(command, 0..16), |month| {
            let sum: u64 = EndState::ALL.iter().map(|s| month.count(*s)).sum();
            if sum == month.total() {
                Ok(())
            } else {
                Err(format!("end states add up to {sum}, total says {}", month.total()))
            }
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[counted(1, EndState::Cancelled)]));
    }
}
