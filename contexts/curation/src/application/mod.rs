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

use kernel::context::{Answers, BoundedContext, ContextDescriptor, HandleError, Handles, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Aggregate;

use crate::ports::queries::{BookReplica, CuratedBox, CustomerReplica, ReceivedBooks, Selection};
use crate::ports::{
    BookReplicaView, CuratedBoxView, CurationError, CustomerReplicaView, DraftSelection, FinalizeSelection,
    ReceivedBooksView, RetryCuration, SelectionView,
};

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
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = CurationError;

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
}

impl kernel::context::Command for DraftSelection {
    type Context = CurationContext;
    type Reply = SelectionView;
}

impl Handles<DraftSelection> for CurationContext {
    fn handle<R: Repository>(&self, command: DraftSelection, uow: &mut UnitOfWork<'_, R>) -> Outcome<SelectionView> {
        selection::draft(uow, &command.month, &command.isbns)
    }
}

impl kernel::context::Command for FinalizeSelection {
    type Context = CurationContext;
    type Reply = SelectionView;
}

impl Handles<FinalizeSelection> for CurationContext {
    fn handle<R: Repository>(&self, command: FinalizeSelection, uow: &mut UnitOfWork<'_, R>) -> Outcome<SelectionView> {
        selection::finalize(uow, &command.month, &command.isbns)
    }
}

impl kernel::context::Command for RetryCuration {
    type Context = CurationContext;
    type Reply = CuratedBoxView;
}

impl Handles<RetryCuration> for CurationContext {
    fn handle<R: Repository>(&self, command: RetryCuration, uow: &mut UnitOfWork<'_, R>) -> Outcome<CuratedBoxView> {
        curating::retry(uow, &command.subscription_id, &command.month)
    }
}

impl kernel::context::Query for CuratedBox {
    type Context = CurationContext;
    type Answer = CuratedBoxView;
}

impl Answers<CuratedBox> for CurationContext {
    fn answer<R: Repository>(&self, query: CuratedBox, repository: &mut R) -> Result<CuratedBoxView, QueryError> {
        queries::curated_box(repository, &query.subscription_id, &query.month)
    }
}

impl kernel::context::Query for ReceivedBooks {
    type Context = CurationContext;
    type Answer = ReceivedBooksView;
}

impl Answers<ReceivedBooks> for CurationContext {
    fn answer<R: Repository>(&self, query: ReceivedBooks, repository: &mut R) -> Result<ReceivedBooksView, QueryError> {
        queries::received_books(repository, &query.customer_id)
    }
}

impl kernel::context::Query for Selection {
    type Context = CurationContext;
    type Answer = SelectionView;
}

impl Answers<Selection> for CurationContext {
    fn answer<R: Repository>(&self, query: Selection, repository: &mut R) -> Result<SelectionView, QueryError> {
        queries::selection(repository, &query.month)
    }
}

impl kernel::context::Query for CustomerReplica {
    type Context = CurationContext;
    type Answer = CustomerReplicaView;
}

impl Answers<CustomerReplica> for CurationContext {
    fn answer<R: Repository>(
        &self,
        query: CustomerReplica,
        repository: &mut R,
    ) -> Result<CustomerReplicaView, QueryError> {
        queries::customer_replica(repository, &query.customer_id)
    }
}

impl kernel::context::Query for BookReplica {
    type Context = CurationContext;
    type Answer = BookReplicaView;
}

impl Answers<BookReplica> for CurationContext {
    fn answer<R: Repository>(&self, query: BookReplica, repository: &mut R) -> Result<BookReplicaView, QueryError> {
        queries::book_replica(repository, &query.isbn)
    }
}
