//! The aggregate: a consistency boundary that decides what happens (command -> events, or a
//! typed rejection) and evolves by applying what happened.
//!
//! Deciding is pure: time and new ids arrive in [`Env`], never from the system. Evolving
//! cannot fail: an event is a fact, already accepted.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::event::DomainEvent;
use crate::ids::IdSource;
use crate::time::Timestamp;

/// What a decision may know about the world besides the aggregate's state and the command.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub now: Timestamp,
    pub ids: &'a dyn IdSource,
}

impl Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").field("now", &self.now).finish_non_exhaustive()
    }
}

/// An event-sourced aggregate.
///
/// The state is `Default` (the state before its first event) and serializable (snapshots);
/// it must be a function of the events alone.
pub trait Aggregate:
    Default + Clone + Debug + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The stream category of this aggregate's streams, e.g. `customer`.
    const CATEGORY: &'static str;

    type Command: Debug + Clone + Send + 'static;
    type Event: DomainEvent;
    /// Why a command is rejected.
    type Error: std::error::Error + Clone + PartialEq + Send + Sync + 'static;

    /// Decides what happens when `command` meets this state.
    fn decide(&self, command: &Self::Command, env: &Env<'_>) -> Result<Vec<Self::Event>, Self::Error>;

    /// Applies one event to the state.
    fn evolve(&mut self, event: &Self::Event);

    /// The state after `events`, from the default.
    fn replay<'e>(events: impl IntoIterator<Item = &'e Self::Event>) -> Self {
        let mut state = Self::default();
        for event in events {
            state.evolve(event);
        }
        state
    }
}
