//! Property tests of aggregate invariants: random command sequences, the invariant checked
//! after every accepted command, and replay of the produced events (through the codec, as
//! the store would) rebuilding the same state.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::aggregate::{Aggregate, Env};
use crate::event::EventCodec;
use crate::ids::SequentialIds;
use crate::time::Timestamp;

/// What a command sequence did.
#[derive(Debug)]
pub struct Run<A: Aggregate> {
    pub state: A,
    pub events: Vec<A::Event>,
    pub accepted: usize,
    pub rejected: usize,
}

/// Runs `commands` against a fresh aggregate, one day apart, checking after every accepted
/// command that `invariant` holds; then checks that the events survive the codec and that
/// replaying them rebuilds the same state.
pub fn run_commands<A: Aggregate>(
    commands: &[A::Command],
    invariant: impl Fn(&A) -> Result<(), String>,
) -> Result<Run<A>, TestCaseError>
where
    A::Event: PartialEq,
{
    let ids = SequentialIds::new(0);
    let codec = EventCodec::<A::Event>::new();
    let mut run = Run { state: A::default(), events: Vec::new(), accepted: 0, rejected: 0 };
    for (day, command) in commands.iter().enumerate() {
        let env = Env { now: Timestamp::from_micros(0).plus_days(day as i64), ids: &ids };
        let Ok(events) = run.state.decide(command, &env) else {
            run.rejected += 1;
            continue;
        };
        run.accepted += 1;
        for event in &events {
            run.state.evolve(event);
        }
        invariant(&run.state)
            .map_err(|why| TestCaseError::fail(format!("invariant broken after {command:?}: {why}")))?;
        run.events.extend(events);
    }
    let mut decoded = Vec::with_capacity(run.events.len());
    for event in &run.events {
        let enc = codec.encode(event).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = codec
            .decode(&enc.event_type, enc.schema_version, &enc.payload)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        if back != *event {
            return Err(TestCaseError::fail(format!("{event:?} decodes as {back:?}")));
        }
        decoded.push(back);
    }
    let replayed = A::replay(&decoded);
    if replayed != run.state {
        return Err(TestCaseError::fail(format!(
            "replay differs from the live state:\n live: {:?}\n replay: {replayed:?}",
            run.state
        )));
    }
    Ok(run)
}

/// Property-tests an aggregate: for command sequences drawn from `commands`, `invariant`
/// holds after every accepted command and replay rebuilds the state. Panics with the
/// smallest failing sequence. Honours `PROPTEST_CASES`.
#[track_caller]
pub fn check_aggregate<A: Aggregate>(
    commands: impl Strategy<Value = Vec<A::Command>>,
    invariant: impl Fn(&A) -> Result<(), String>,
) where
    A::Event: PartialEq,
{
    let mut runner = TestRunner::new(Config::default());
    if let Err(e) = runner.run(&commands, |cmds| run_commands::<A>(&cmds, &invariant).map(|_| ())) {
        panic!("{}: {e}", std::any::type_name::<A>());
    }
}
