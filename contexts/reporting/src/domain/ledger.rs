//! The seams between reporting's projection and wherever its aggregates are kept.
//!
//! The same projection code (`domain::projection`) and the same reading code
//! (`domain::reading`) run against two stores: the context's event store, through a unit of
//! work (live, in the runtime), and [`crate::domain::models::Models`], plain maps in memory (a
//! rebuild from the producers' logs, e.g. as of a past time). [`Ledger`] is how the
//! projection records, [`Shelf`] how queries read; since both stores run the same
//! [`ReadModel::record`] and `evolve`, they hold the same states after the same facts.

use std::convert::Infallible;
use std::fmt::Display;

use kernel::repository::LoadError;
use kernel::unit_of_work::InfrastructureError;
use kernel::Aggregate;

use crate::domain::models::Kept;

/// An aggregate of reporting's read models. It records what it is told and never refuses (a
/// read model reports facts that already happened), and its decision depends on nothing but
/// its state and the command: no clock, no new ids. That is what makes a read model a pure
/// function of the messages it was given, and any two stores of it agree.
pub trait ReadModel: Aggregate<Error = Infallible> {
    /// The events recording `command`; none when it tells nothing new (a repeat, a stale state).
    fn record(&self, command: &Self::Command) -> Vec<Self::Event>;
}

/// Where the projection records: each call loads the aggregate `id` (as this store holds it,
/// including what this projection step already recorded), records `command`, and keeps the
/// events.
pub trait Ledger {
    fn record<M: Kept>(
        &mut self,
        id: &impl Display,
        command: &M::Command,
    ) -> Result<Vec<M::Event>, InfrastructureError>;
}

/// Where queries read: the state of the aggregate `id` (its default when nothing was recorded).
pub trait Shelf {
    fn read<M: Kept>(&mut self, id: &impl Display) -> Result<M, LoadError>;
}
