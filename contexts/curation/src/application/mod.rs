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

use kernel::context::{Answers, BoundedContext, ContextDescriptor, HandleError, Handles, QueryError};
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Aggregate;

use crate::ports::queries::{BookReplica, CuratedBox, CustomerReplica, ReceivedBooks, Selection};
use crate::ports::{
    BookReplicaView, CuratedBoxView, CurationError, CustomerReplicaView, DraftSelection, FinalizeSelection,
    ReceivedBooksView, RetryCuration, SelectionView,
};

use anticorruption::{BookAvailability, BoxDue, CustomerProfile};

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

impl BoundedContext for CurationContext {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = CurationError;
}

// What curation consumes, one entry per message; a use case's refusal is a defect the runtime
// retries and then dead-letters, with the reason.
kernel::inbox! {
    CurationContext {
        "curation.on-customer-profile": StateTransfer "bookbox.customers.customer-profile.v1"
            => CustomerProfile => replicas::customer,
        "curation.on-book-availability": StateTransfer "bookbox.inventory.book-availability.v1"
            => BookAvailability => replicas::book,
        "curation.on-box-due": DomainEvent "bookbox.subscriptions.box-due.v1" => BoxDue => curating::curate,
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
