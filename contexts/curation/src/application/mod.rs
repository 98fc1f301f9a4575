//! Curation's application layer: the [`CurationContext`] the runtime hosts.
//!
//! - `anticorruption`: curation's own models of the messages it consumes, and their
//!   translation into its domain;
//! - `replicas`: keeping the replicas of customers' profiles and inventory's books;
//! - `curating`: curating each due box (and retrying a failed one);
//! - `selection`: the curators' monthly selection;
//! - `queries`, `views`: answers, and the mapping from the domain to the ports and messages.

mod anticorruption;
mod curating;
mod input;
mod queries;
mod replicas;
mod selection;
mod views;

use std::fmt::Display;

use kernel::context::{BoundedContext, ContextDescriptor, HandleError, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Aggregate;

use crate::ports::{CurationAnswer, CurationCommand, CurationError, CurationQuery, CurationReply};

pub(crate) use anticorruption::{
    decode_book_availability, decode_box_due, decode_customer_profile, ON_BOOK_AVAILABILITY, ON_BOX_DUE,
    ON_CUSTOMER_PROFILE,
};

/// The curation context, as the runtime hosts it.
#[derive(Debug, Default, Clone, Copy)]
pub struct CurationContext;

/// What a use case answers: a value, or why not.
type Outcome<T> = Result<T, HandleError<CurationError>>;

// A refusal in the port's language is a rejected command.
impl From<CurationError> for HandleError<CurationError> {
    fn from(error: CurationError) -> Self {
        HandleError::Rejected(error)
    }
}

/// Executes `command` on the aggregate `id`, naming a refusal in the port's language.
fn execute<A: Aggregate, R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    id: &impl Display,
    command: &A::Command,
    refusal: impl FnOnce(A::Error) -> CurationError,
) -> Outcome<Vec<A::Event>> {
    uow.execute::<A>(id, command).map_err(|error| error.refused_as(refusal))
}

/// A use case's failure while handling a message: a refusal is a defect the runtime retries
/// and then dead-letters, with the reason.
fn message_failure(error: HandleError<CurationError>) -> MessageError {
    match error {
        HandleError::Rejected(error) => MessageError::Failed(error.to_string()),
        HandleError::Infrastructure(error) => MessageError::Infrastructure(error),
    }
}

impl BoundedContext for CurationContext {
    type Command = CurationCommand;
    type Reply = CurationReply;
    type Error = CurationError;
    type Query = CurationQuery;
    type Answer = CurationAnswer;

    fn descriptor(&self) -> &'static ContextDescriptor {
        &crate::CONTEXT
    }

    fn handle<R: Repository>(
        &self,
        command: CurationCommand,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<CurationReply, HandleError<CurationError>> {
        match command {
            CurationCommand::DraftSelection { month, isbns } => {
                selection::draft(uow, &month, &isbns).map(CurationReply::Selection)
            }
            CurationCommand::FinalizeSelection { month, isbns } => {
                selection::finalize(uow, &month, &isbns).map(CurationReply::Selection)
            }
            CurationCommand::RetryCuration { subscription_id, month } => {
                curating::retry(uow, &subscription_id, &month).map(CurationReply::CuratedBox)
            }
        }
    }

    fn on_message<R: Repository>(
        &self,
        handler_id: &str,
        message: &Envelope,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        match handler_id {
            ON_CUSTOMER_PROFILE => {
                let profile = anticorruption::customer_profile(message).map_err(MessageError::Decode)?;
                replicas::customer(uow, profile).map_err(message_failure)
            }
            ON_BOOK_AVAILABILITY => {
                let book = anticorruption::book_availability(message).map_err(MessageError::Decode)?;
                replicas::book(uow, book).map_err(message_failure)
            }
            ON_BOX_DUE => {
                let due = anticorruption::box_due(message).map_err(MessageError::Decode)?;
                curating::curate(uow, due).map_err(message_failure)
            }
            unknown => Err(MessageError::UnknownHandler(unknown.to_owned())),
        }
    }

    fn query<R: Repository>(&self, query: CurationQuery, repository: &mut R) -> Result<CurationAnswer, QueryError> {
        match query {
            CurationQuery::CuratedBox { subscription_id, month } => {
                queries::curated_box(repository, &subscription_id, &month).map(CurationAnswer::CuratedBox)
            }
            CurationQuery::ReceivedBooks { customer_id } => {
                queries::received_books(repository, &customer_id).map(CurationAnswer::ReceivedBooks)
            }
            CurationQuery::Selection { month } => queries::selection(repository, &month).map(CurationAnswer::Selection),
            CurationQuery::CustomerReplica { customer_id } => {
                queries::customer_replica(repository, &customer_id).map(CurationAnswer::CustomerReplica)
            }
            CurationQuery::BookReplica { isbn } => {
                queries::book_replica(repository, &isbn).map(CurationAnswer::BookReplica)
            }
        }
    }
}
