//! Keeping the replicas: each state transfer becomes a command to the replica, which records
//! it only if it is newer than what it holds. Nothing is published: a replica is curation's
//! private memory of other contexts.

use std::convert::Infallible;

use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};

use super::anticorruption::{BookUpdate, ProfileUpdate};
use super::{execute, CurationContext, Outcome};
use crate::domain::book_replica::{BookReplica, BookReplicaCommand};
use crate::domain::customer_replica::{CustomerReplica, CustomerReplicaCommand};
use crate::ports::CurationError;

fn never(error: Infallible) -> CurationError {
    match error {}
}

pub(super) fn customer<R: Repository>(
    _: &CurationContext,
    update: ProfileUpdate,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Outcome<()> {
    let ProfileUpdate { customer_id, subscriber, version } = update;
    let command = CustomerReplicaCommand::Replicate { customer_id, subscriber, version };
    execute::<CustomerReplica, R>(uow, &customer_id, &command, never)?;
    Ok(())
}

pub(super) fn book<R: Repository>(
    _: &CurationContext,
    update: BookUpdate,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Outcome<()> {
    let BookUpdate { isbn, facts, version } = update;
    let command = BookReplicaCommand::Replicate { isbn: isbn.clone(), facts, version };
    execute::<BookReplica, R>(uow, &isbn, &command, never)?;
    Ok(())
}
