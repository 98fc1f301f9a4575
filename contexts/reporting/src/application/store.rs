//! The event store as the projection's [`Ledger`] (through the unit of work of one message) and
//! as the queries' [`Shelf`] (through the repository): each read-model aggregate is a stream,
//! `<category>-<id>`, in reporting's own store.

use std::fmt::Display;

use kernel::repository::LoadError;
use kernel::unit_of_work::{ExecuteError, InfrastructureError, Repository, UnitOfWork};
use kernel::StreamId;

use crate::domain::ledger::{Ledger, Shelf};
use crate::domain::models::Kept;

/// Records through a unit of work: everything one message records commits at once, with the
/// message's inbox mark.
pub(super) struct StoreLedger<'u, 'r, R>(pub &'u mut UnitOfWork<'r, R>);

impl<R: Repository> Ledger for StoreLedger<'_, '_, R> {
    fn record<M: Kept>(
        &mut self,
        id: &impl Display,
        command: &M::Command,
    ) -> Result<Vec<M::Event>, InfrastructureError> {
        self.0.execute::<M>(id, command).map_err(|error| match error {
            ExecuteError::Rejected(never) => match never {},
            ExecuteError::Infrastructure(error) => error,
        })
    }
}

/// Reads the aggregates' streams through the repository (which caches and snapshots them).
pub(super) struct StoreShelf<'r, R>(pub &'r mut R);

impl<R: Repository> Shelf for StoreShelf<'_, R> {
    fn read<M: Kept>(&mut self, id: &impl Display) -> Result<M, LoadError> {
        Ok(self.0.load::<M>(&StreamId::for_aggregate(M::CATEGORY, id))?.state)
    }
}
