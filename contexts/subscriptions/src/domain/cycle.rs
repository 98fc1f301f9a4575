//! The `Cycle` aggregate: one month's subscription cycle (stream `cycle-<YYYY-MM>`), the
//! record that the month was started and how many boxes fell due in it.
//!
//! It makes "start the cycle of March" happen once: the application reads it first and does
//! nothing for a month already started, and records the start in the same unit of work as
//! every box that fell due. Each subscription also refuses to fall due twice for a month, so
//! the guarantee holds even where a cycle is re-driven by other means.
//!
//! A subscription that starts after its month's cycle has run gets its first box the next
//! month: this month's boxes are already on their way.

use std::convert::Infallible;

use serde::{Deserialize, Serialize};

use kernel::{Aggregate, DomainEvent, Env};

use crate::domain::month::Month;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cycle {
    started: Option<CycleStarted>,
}

/// What is known of a started cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleStarted {
    pub month: Month,
    pub boxes_due: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CycleCommand {
    /// Records that the cycle of `month` started and made `boxes_due` boxes due.
    Start { month: Month, boxes_due: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CycleEvent {
    CycleStarted { month: Month, boxes_due: u32 },
}

impl DomainEvent for CycleEvent {}

impl Cycle {
    pub fn started(&self) -> Option<CycleStarted> {
        self.started
    }
}

impl Aggregate for Cycle {
    const CATEGORY: &'static str = "cycle";
    type Command = CycleCommand;
    type Event = CycleEvent;
    /// Starting a started cycle is not an error: it already happened, and happens once.
    type Error = Infallible;

    fn decide(&self, command: &CycleCommand, _env: &Env<'_>) -> Result<Vec<CycleEvent>, Infallible> {
        let CycleCommand::Start { month, boxes_due } = *command;
        if self.started.is_some() {
            return Ok(Vec::new());
        }
        Ok(vec![CycleEvent::CycleStarted { month, boxes_due }])
    }

    fn evolve(&mut self, event: &CycleEvent) {
        let CycleEvent::CycleStarted { month, boxes_due } = *event;
        self.started = Some(CycleStarted { month, boxes_due });
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use kernel::testing::{given, run_commands};
    use proptest::prelude::*;

    fn march() -> Month {
        Month::parse("2026-03").unwrap()
    }

    #[test]
    fn a_cycle_starts_once() {
        let state = given::<Cycle>([])
            .when(CycleCommand::Start { month: march(), boxes_due: 3 })
            .then([CycleEvent::CycleStarted { month: march(), boxes_due: 3 }]);
        assert_eq!(state.started(), Some(CycleStarted { month: march(), boxes_due: 3 }));
        given::<Cycle>([CycleEvent::CycleStarted { month: march(), boxes_due: 3 }])
            .when(CycleCommand::Start { month: march(), boxes_due: 0 })
            .then([]);
    }

    /// The invariant, checked after each accepted command against the state before it: the
    /// cycle is started, and once started, what it records never changes. (Compared with the
    /// state before, so one per run.)
    fn started_once() -> impl Fn(&Cycle) -> Result<(), String> {
        let first = Cell::new(None);
        move |now| {
            let Some(started) = now.started() else {
                return Err("a command was accepted, yet the cycle has not started".into());
            };
            if let Some(first) = first.get().filter(|first| *first != started) {
                return Err(format!("started as {first:?}, now {started:?}"));
            }
            first.set(Some(started));
            Ok(())
        }
    }

    #[test]
    fn a_cycle_records_at_most_one_start() {
        let month = prop_oneof![Just("2026-03"), Just("2026-04")].prop_map(|m| Month::parse(m).unwrap());
        let start = (month, 0u32..5).prop_map(|(month, boxes_due)| CycleCommand::Start { month, boxes_due });
        proptest!(|(commands in proptest::collection::vec(start, 0..5))| {
            run_commands::<Cycle>(&commands, started_once())?;
        });
        proptest!(|(boxes in proptest::collection::vec(0u32..5, 1..5))| {
            let commands: Vec<_> = boxes.iter().map(|&boxes_due| CycleCommand::Start { month: march(), boxes_due }).collect();
            let run = run_commands::<Cycle>(&commands, started_once())?;
            prop_assert_eq!(run.events, vec![CycleEvent::CycleStarted { month: march(), boxes_due: boxes[0] }]);
        });
    }
}
