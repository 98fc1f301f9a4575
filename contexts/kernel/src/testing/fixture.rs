//! Given some past events, when a command arrives, then these events (or this rejection).

use crate::aggregate::{Aggregate, Env};
use crate::ids::SequentialIds;
use crate::time::Timestamp;

/// Starts a scenario from the events that already happened.
pub fn given<A: Aggregate>(events: impl IntoIterator<Item = A::Event>) -> Scenario<A> {
    let events: Vec<A::Event> = events.into_iter().collect();
    Scenario { state: A::replay(&events), now: Timestamp::from_micros(0), ids: SequentialIds::new(0) }
}

pub struct Scenario<A: Aggregate> {
    state: A,
    now: Timestamp,
    ids: SequentialIds,
}

impl<A: Aggregate> Scenario<A> {
    /// The time the command is decided at.
    pub fn at(mut self, now: Timestamp) -> Self {
        self.now = now;
        self
    }

    /// The seed of the ids the decision draws.
    pub fn with_id_seed(mut self, seed: u64) -> Self {
        self.ids = SequentialIds::new(seed);
        self
    }

    pub fn state(&self) -> &A {
        &self.state
    }

    pub fn when(self, command: A::Command) -> Outcome<A> {
        let env = Env { now: self.now, ids: &self.ids };
        let result = self.state.decide(&command, &env);
        Outcome { state: self.state, command, result }
    }
}

pub struct Outcome<A: Aggregate> {
    state: A,
    command: A::Command,
    result: Result<Vec<A::Event>, A::Error>,
}

impl<A: Aggregate> Outcome<A>
where
    A::Event: PartialEq,
{
    /// Asserts the command was accepted with exactly these events.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = A::Event>) -> A {
        let expected: Vec<A::Event> = expected.into_iter().collect();
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected, "events of {:?}", self.command);
                let mut state = self.state;
                events.iter().for_each(|e| state.evolve(e));
                state
            }
            Err(e) => panic!("expected {:?} to be accepted with {expected:?}, it was rejected: {e}", self.command),
        }
    }

    /// Asserts the command was rejected with exactly this error.
    #[track_caller]
    pub fn then_rejected(self, expected: A::Error) {
        match self.result {
            Err(e) => assert_eq!(e, expected, "rejection of {:?}", self.command),
            Ok(events) => panic!("expected {:?} to be rejected with {expected}, it produced {events:?}", self.command),
        }
    }

    /// The raw result, for assertions the helpers above do not cover.
    pub fn result(&self) -> &Result<Vec<A::Event>, A::Error> {
        &self.result
    }
}
