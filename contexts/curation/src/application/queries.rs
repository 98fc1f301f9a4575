//! Answers to queries, read straight from curation's aggregates.

use std::fmt::Display;

use kernel::context::QueryError;
use kernel::ids::StreamId;
use kernel::unit_of_work::Repository;
use kernel::Aggregate;

use super::{input, views};
use crate::domain::book_replica::BookReplica;
use crate::domain::curated_box::{CuratedBox, CuratedBoxId};
use crate::domain::customer_replica::CustomerReplica;
use crate::domain::isbn::Isbn;
use crate::domain::reading_history::ReadingHistory;
use crate::domain::selection::MonthlySelection;
use crate::ports::{
    BookReplicaView, CuratedBoxView, CurationError, CustomerReplicaView, ReceivedBooksView, SelectionView,
};

fn load<A: Aggregate, R: Repository>(repository: &mut R, id: &impl Display) -> Result<A, QueryError> {
    Ok(repository.load::<A>(&StreamId::for_aggregate(A::CATEGORY, id))?.state)
}

fn invalid(error: CurationError) -> QueryError {
    QueryError::Invalid(error.to_string())
}

pub(super) fn curated_box<R: Repository>(
    repository: &mut R,
    subscription_id: &str,
    month: &str,
) -> Result<CuratedBoxView, QueryError> {
    let id = CuratedBoxId {
        subscription_id: input::subscription_id(subscription_id).map_err(invalid)?,
        month: input::month(month).map_err(invalid)?,
    };
    let curated = load::<CuratedBox, R>(repository, &id)?;
    views::curated_box(id, &curated).ok_or_else(|| {
        QueryError::NotFound(format!("no box of subscription {} was due in {}", id.subscription_id, id.month))
    })
}

pub(super) fn received_books<R: Repository>(
    repository: &mut R,
    customer_id: &str,
) -> Result<ReceivedBooksView, QueryError> {
    let customer_id = input::customer_id(customer_id).map_err(invalid)?;
    let history = load::<ReadingHistory, R>(repository, &customer_id)?;
    Ok(views::received_books(customer_id, &history))
}

pub(super) fn selection<R: Repository>(repository: &mut R, month: &str) -> Result<SelectionView, QueryError> {
    let month = input::month(month).map_err(invalid)?;
    let selection = load::<MonthlySelection, R>(repository, &month)?;
    Ok(views::selection(month, &selection))
}

pub(super) fn customer_replica<R: Repository>(
    repository: &mut R,
    customer_id: &str,
) -> Result<CustomerReplicaView, QueryError> {
    let customer_id = input::customer_id(customer_id).map_err(invalid)?;
    let replica = load::<CustomerReplica, R>(repository, &customer_id)?;
    views::customer_replica(customer_id, &replica)
        .ok_or_else(|| QueryError::NotFound(format!("curation holds no profile of customer {customer_id}")))
}

pub(super) fn book_replica<R: Repository>(repository: &mut R, isbn: &str) -> Result<BookReplicaView, QueryError> {
    let isbn = Isbn::parse(isbn).map_err(|e| QueryError::Invalid(format!("isbn: {e}")))?;
    let replica = load::<BookReplica, R>(repository, &isbn)?;
    views::book_replica(&isbn, &replica)
        .ok_or_else(|| QueryError::NotFound(format!("curation holds nothing of book {isbn}")))
}
