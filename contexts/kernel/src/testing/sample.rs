//! A small aggregate for the conformance suite: a counter with a bounded value, whose
//! `incremented` event changed shape once (v1 `amount` became v2 `by` plus a note).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::aggregate::{Aggregate, Env};
use crate::event::{DomainEvent, UpcastError, Upcaster};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counter {
    pub value: u64,
    pub resets: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CounterCommand {
    Increment(u64),
    Reset,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CounterEvent {
    Incremented {
        by: u64,
        #[serde(default)]
        note: String,
    },
    Reset,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CounterError {
    #[error("the counter would pass its limit of {limit}")]
    OverLimit { limit: u64 },
    #[error("an increment must be positive")]
    Zero,
}

impl Counter {
    pub const LIMIT: u64 = 1_000;
}

impl DomainEvent for CounterEvent {
    fn schema_version(event_type: &str) -> u32 {
        match event_type {
            "incremented" => 2,
            _ => 1,
        }
    }

    fn upcasters() -> Vec<Upcaster> {
        vec![Upcaster { event_type: "incremented", from_version: 1, upcast: incremented_v1_to_v2 }]
    }
}

fn incremented_v1_to_v2(mut value: Value) -> Result<Value, UpcastError> {
    let object = value.as_object_mut().ok_or_else(|| UpcastError("expected an object".into()))?;
    let amount = object.remove("amount").ok_or_else(|| UpcastError("missing field `amount`".into()))?;
    object.insert("by".into(), amount);
    object.insert("note".into(), Value::String("upcast from v1".into()));
    Ok(value)
}

impl Aggregate for Counter {
    const CATEGORY: &'static str = "counter";
    type Command = CounterCommand;
    type Event = CounterEvent;
    type Error = CounterError;

    fn decide(&self, command: &CounterCommand, _env: &Env<'_>) -> Result<Vec<CounterEvent>, CounterError> {
        match *command {
            CounterCommand::Increment(0) => Err(CounterError::Zero),
            CounterCommand::Increment(by) if self.value.saturating_add(by) > Self::LIMIT => {
                Err(CounterError::OverLimit { limit: Self::LIMIT })
            }
            CounterCommand::Increment(by) => Ok(vec![CounterEvent::Incremented { by, note: String::new() }]),
            CounterCommand::Reset => Ok(vec![CounterEvent::Reset]),
        }
    }

    fn evolve(&mut self, event: &CounterEvent) {
        match event {
            CounterEvent::Incremented { by, .. } => self.value += by,
            CounterEvent::Reset => {
                self.value = 0;
                self.resets += 1;
            }
        }
    }
}

/// The committed corpus of old and current payloads: (type, version, JSON).
pub const CORPUS: &[(&str, u32, &str)] = &[
    ("incremented", 1, include_str!("../../corpus/counter/incremented.v1.json")),
    ("incremented", 2, include_str!("../../corpus/counter/incremented.v2.json")),
    ("reset", 1, include_str!("../../corpus/counter/reset.v1.json")),
];

/// A small context around [`Counter`], for tests of the unit of work and the harnesses: it
/// publishes `counted` and counts `thing-happened` messages from elsewhere.
pub struct CounterContext;

/// Adds `by` to counter `counter`; answers the new value.
#[derive(Debug, Clone)]
pub struct Increment {
    pub counter: u64,
    pub by: u64,
}

impl crate::context::Command for Increment {
    type Context = CounterContext;
    type Reply = u64;
}

/// The value of a counter.
#[derive(Debug, Clone)]
pub struct ValueOf(pub u64);

impl crate::context::Query for ValueOf {
    type Context = CounterContext;
    type Answer = u64;
}

pub static COUNTER_CONTEXT: crate::context::ContextDescriptor = crate::context::ContextDescriptor {
    name: "counting",
    purpose: "Counts things, for the kernel's own tests.",
    publishes: &[&COUNTED],
    consumes: <CounterContext as crate::inbox::Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[],
};

pub static COUNTED: crate::context::PublishedMessage = crate::context::PublishedMessage {
    name: "counted",
    kind: crate::message::MessageKind::DomainEvent,
    version: 1,
    schema: r#"{"type":"object","required":["counter","value"]}"#,
    examples: &[r#"{"counter":1,"value":2}"#],
    personal_data: &[],
};

#[derive(Debug, Serialize, Deserialize)]
struct ThingHappened {
    counter: u64,
}

#[derive(Serialize)]
struct Counted {
    counter: u64,
    value: u64,
}

impl crate::context::BoundedContext for CounterContext {
    const CONTEXT: &'static crate::context::ContextDescriptor = &COUNTER_CONTEXT;
    type Error = CounterError;
}

crate::inbox! {
    CounterContext {
        /// Counts every thing that happened elsewhere.
        "counting.on-thing-happened": DomainEvent "bookbox.elsewhere.thing-happened.v1"
            => crate::inbox::AsIs<ThingHappened> => count_thing,
    }
}

fn count_thing<R: crate::unit_of_work::Repository>(
    _: &CounterContext,
    thing: ThingHappened,
    _: &crate::message::Envelope,
    uow: &mut crate::unit_of_work::UnitOfWork<'_, R>,
) -> Result<(), crate::context::MessageError> {
    uow.execute::<Counter>(&thing.counter, &CounterCommand::Increment(1))
        .map_err(|e| crate::context::MessageError::Failed(e.to_string()))?;
    Ok(())
}

impl crate::context::Handles<Increment> for CounterContext {
    fn handle<R: crate::unit_of_work::Repository>(
        &self,
        Increment { counter, by }: Increment,
        uow: &mut crate::unit_of_work::UnitOfWork<'_, R>,
    ) -> Result<u64, crate::context::HandleError<CounterError>> {
        uow.execute::<Counter>(&counter, &CounterCommand::Increment(by))?;
        let (state, _) = uow.load::<Counter>(&counter)?;
        uow.publish(&COUNTED, &counter, &Counted { counter, value: state.value })?;
        Ok(state.value)
    }
}

impl crate::context::Answers<ValueOf> for CounterContext {
    fn answer<R: crate::unit_of_work::Repository>(
        &self,
        ValueOf(counter): ValueOf,
        repository: &mut R,
    ) -> Result<u64, crate::context::QueryError> {
        let stream = crate::ids::StreamId::for_aggregate(Counter::CATEGORY, counter);
        Ok(repository.load::<Counter>(&stream)?.state.value)
    }
}
