//! Durable deadlines: a context asks to be woken at a time ("retry the card in three days",
//! "if inventory has not answered in an hour, compensate"), and the runtime wakes it when
//! the clock passes that time, even across restarts.
//!
//! Deadlines are events like any other: a [`Timers`] aggregate (sharded by key, so one
//! context's thousands of deadlines are not one hot stream) records them, and firing one
//! commits atomically with whatever the context did about it. Time comes from the clock
//! port, so a simulation fires a month of deadlines in a moment.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Aggregate, Env};
use crate::event::DomainEvent;
use crate::time::Timestamp;

/// How many `timers-<n>` streams a context's deadlines are spread over.
pub const SHARDS: u32 = 16;

/// The shard a deadline key lives in (FNV-1a: stable across builds, unlike `DefaultHasher`).
pub fn shard_of(key: &str) -> u32 {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    (hash % SHARDS as u64) as u32
}

/// One shard of a context's pending deadlines.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timers {
    /// Pending deadlines by key. Shared (`Arc`), because the runtime clones a shard's state for
    /// every deadline set or cancelled, and a shard holds thousands: a deep clone of each key
    /// and JSON payload cost more than the rest of the command at 10,000 subscribers. Stored
    /// (snapshots) exactly as a map of strings to deadlines.
    pending: BTreeMap<Arc<str>, Arc<Deadline>>,
}

/// A pending deadline: when, and what the context asked to be told then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deadline {
    pub at: Timestamp,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TimerCommand {
    /// Sets (or moves) the deadline `key`.
    Schedule {
        key: String,
        at: Timestamp,
        payload: serde_json::Value,
    },
    Cancel {
        key: String,
    },
    /// Marks `key` as fired; only valid once it is due.
    Fire {
        key: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimerEvent {
    DeadlineScheduled { key: String, at: Timestamp, payload: serde_json::Value },
    DeadlineCancelled { key: String },
    DeadlineFired { key: String },
}

impl DomainEvent for TimerEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimerError {
    #[error("deadline key must not be empty")]
    EmptyKey,
    #[error("no deadline `{0}` is pending")]
    NotPending(String),
    #[error("deadline `{key}` is not due until {at}")]
    NotDue { key: String, at: Timestamp },
}

impl Timers {
    /// Pending deadlines due at `now`, earliest first (ties by key).
    pub fn due(&self, now: Timestamp) -> Vec<(String, Deadline)> {
        let mut due: Vec<_> = self
            .pending
            .iter()
            .filter(|(_, d)| d.at <= now)
            .map(|(k, d)| (k.to_string(), Deadline::clone(d)))
            .collect();
        due.sort_by(|a, b| (a.1.at, &a.0).cmp(&(b.1.at, &b.0)));
        due
    }

    pub fn get(&self, key: &str) -> Option<&Deadline> {
        self.pending.get(key).map(|d| d.as_ref())
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

impl Aggregate for Timers {
    const CATEGORY: &'static str = "timers";
    type Command = TimerCommand;
    type Event = TimerEvent;
    type Error = TimerError;

    fn decide(&self, command: &TimerCommand, env: &Env<'_>) -> Result<Vec<TimerEvent>, TimerError> {
        match command {
            TimerCommand::Schedule { key, .. } | TimerCommand::Cancel { key } | TimerCommand::Fire { key }
                if key.is_empty() =>
            {
                Err(TimerError::EmptyKey)
            }
            TimerCommand::Schedule { key, at, payload } => {
                if self.pending.get(key.as_str()).is_some_and(|d| d.at == *at && d.payload == *payload) {
                    return Ok(vec![]);
                }
                Ok(vec![TimerEvent::DeadlineScheduled { key: key.clone(), at: *at, payload: payload.clone() }])
            }
            // Cancelling what is not pending (fired already, or never set) is a no-op: the
            // caller's intent, "no deadline", holds.
            TimerCommand::Cancel { key } if !self.pending.contains_key(key.as_str()) => Ok(vec![]),
            TimerCommand::Cancel { key } => Ok(vec![TimerEvent::DeadlineCancelled { key: key.clone() }]),
            TimerCommand::Fire { key } => match self.pending.get(key.as_str()) {
                None => Err(TimerError::NotPending(key.clone())),
                Some(d) if d.at > env.now => Err(TimerError::NotDue { key: key.clone(), at: d.at }),
                Some(_) => Ok(vec![TimerEvent::DeadlineFired { key: key.clone() }]),
            },
        }
    }

    fn evolve(&mut self, event: &TimerEvent) {
        match event {
            TimerEvent::DeadlineScheduled { key, at, payload } => {
                self.pending.insert(Arc::from(key.as_str()), Arc::new(Deadline { at: *at, payload: payload.clone() }));
            }
            TimerEvent::DeadlineCancelled { key } | TimerEvent::DeadlineFired { key } => {
                self.pending.remove(key.as_str());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::given;
    use serde_json::json;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn a_deadline_fires_only_once_due_and_only_once() {
        let scheduled =
            TimerEvent::DeadlineScheduled { key: "retry-1".into(), at: at("2026-01-03T00:00:00Z"), payload: json!(1) };
        given::<Timers>([scheduled.clone()])
            .at(at("2026-01-02T00:00:00Z"))
            .when(TimerCommand::Fire { key: "retry-1".into() })
            .then_rejected(TimerError::NotDue { key: "retry-1".into(), at: at("2026-01-03T00:00:00Z") });
        given::<Timers>([scheduled.clone()])
            .at(at("2026-01-03T00:00:00Z"))
            .when(TimerCommand::Fire { key: "retry-1".into() })
            .then([TimerEvent::DeadlineFired { key: "retry-1".into() }]);
        given::<Timers>([scheduled, TimerEvent::DeadlineFired { key: "retry-1".into() }])
            .when(TimerCommand::Fire { key: "retry-1".into() })
            .then_rejected(TimerError::NotPending("retry-1".into()));
    }

    #[test]
    fn due_deadlines_come_earliest_first() {
        let timers = Timers::replay(&[
            TimerEvent::DeadlineScheduled { key: "b".into(), at: at("2026-01-02T00:00:00Z"), payload: json!(null) },
            TimerEvent::DeadlineScheduled { key: "a".into(), at: at("2026-01-05T00:00:00Z"), payload: json!(null) },
            TimerEvent::DeadlineScheduled { key: "c".into(), at: at("2026-01-01T00:00:00Z"), payload: json!(null) },
        ]);
        let due: Vec<String> = timers.due(at("2026-01-03T00:00:00Z")).into_iter().map(|(k, _)| k).collect();
        assert_eq!(due, ["c", "b"]);
    }

    #[test]
    fn shards_are_stable_and_in_range() {
        assert_eq!(shard_of("order-1"), shard_of("order-1"));
        assert!((0..1000).all(|i| shard_of(&format!("k{i}")) < SHARDS));
    }
}
