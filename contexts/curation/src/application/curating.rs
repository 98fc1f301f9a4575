//! Curating a due box: read what curation knows (the month's selection, the subscriber's
//! replica, the selected books' replicas, the reading history), let the `CuratedBox` decide
//! with the curator, record the books as received, and publish the outcome. One unit of
//! work: the box, the history and the message commit together, or not at all.
//!
//! Everything read here is curation's own: a customers or inventory outage changes nothing
//! but how fresh the replicas are.

use std::collections::{BTreeMap, BTreeSet};

use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};

use super::{execute, input, views, CurationContext, Outcome};
use crate::domain::book_replica::BookReplica;
use crate::domain::curated_box::{
    BoxStatus, CuratedBox, CuratedBoxCommand, CuratedBoxError, CuratedBoxEvent, CuratedBoxId, CurationInputs, DueBox,
};
use crate::domain::customer_replica::CustomerReplica;
use crate::domain::ids::CustomerId;
use crate::domain::month::Month;
use crate::domain::reading_history::{ReadingHistory, ReadingHistoryCommand};
use crate::domain::selection::MonthlySelection;
use crate::ports::{CuratedBoxView, CurationError};
use crate::published::{BOX_CURATED, BOX_CURATION_FAILED};

/// A box came due. A box already attempted is left as it is, without even reading the inputs.
pub(super) fn curate<R: Repository>(
    _: &CurationContext,
    due: DueBox,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Outcome<()> {
    let id = due.id();
    let (curated, _) = uow.load::<CuratedBox>(&id)?;
    if !matches!(curated.status(), BoxStatus::NotCurated) {
        return Ok(());
    }
    let inputs = gather(uow, due.customer_id, due.month)?;
    let events = execute::<CuratedBox, R>(uow, &id, &CuratedBoxCommand::Curate { due, inputs }, |e| refusal(e, id))?;
    settle(uow, events)
}

/// An operator retries a box whose curation failed.
pub(super) fn retry<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    subscription_id: &str,
    month: &str,
) -> Outcome<CuratedBoxView> {
    let id = CuratedBoxId { subscription_id: input::subscription_id(subscription_id)?, month: input::month(month)? };
    let (curated, _) = uow.load::<CuratedBox>(&id)?;
    let inputs = match curated.status() {
        BoxStatus::Failed { due, .. } => gather(uow, due.customer_id, due.month)?,
        // The box decides what a retry of it means; it needs no inputs to refuse.
        _ => CurationInputs::default(),
    };
    let events = execute::<CuratedBox, R>(uow, &id, &CuratedBoxCommand::Retry { inputs }, |e| refusal(e, id))?;
    settle(uow, events)?;
    let (curated, _) = uow.load::<CuratedBox>(&id)?;
    views::curated_box(id, &curated).ok_or_else(|| refusal(CuratedBoxError::NothingToRetry, id).into())
}

/// What curation knows, for the subscriber `customer_id` and `month`.
fn gather<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    month: Month,
) -> Outcome<CurationInputs> {
    let (selection, _) = uow.load::<MonthlySelection>(&month)?;
    let selection = selection.finalized().cloned();
    let (replica, _) = uow.load::<CustomerReplica>(&customer_id)?;
    let mut books = BTreeMap::new();
    for isbn in selection.iter().flat_map(|list| list.iter()) {
        let (book, _) = uow.load::<BookReplica>(isbn)?;
        if let Some(facts) = book.facts() {
            books.insert(isbn.clone(), facts.clone());
        }
    }
    let (history, _) = uow.load::<ReadingHistory>(&customer_id)?;
    let received: BTreeSet<_> = history.received().map(|(isbn, _)| isbn.clone()).collect();
    Ok(CurationInputs { selection, subscriber: replica.subscriber().cloned(), books, received })
}

/// Records a curated box's books as received, and publishes the outcome.
fn settle<R: Repository>(uow: &mut UnitOfWork<'_, R>, events: Vec<CuratedBoxEvent>) -> Outcome<()> {
    for event in events {
        match event {
            CuratedBoxEvent::BoxCurated { box_id, due, books, shipping_address } => {
                let record = ReadingHistoryCommand::RecordBox {
                    box_id,
                    month: due.month,
                    books: books.iter().map(|book| book.isbn.clone()).collect(),
                };
                execute::<ReadingHistory, R>(uow, &due.customer_id, &record, |e| CurationError::HistoryDisagrees {
                    customer_id: due.customer_id.to_string(),
                    detail: e.to_string(),
                })?;
                let message = views::box_curated(box_id, &due, &books, &shipping_address);
                uow.publish(&BOX_CURATED, &due.subscription_id, &message)?;
            }
            CuratedBoxEvent::BoxCurationFailed { due, reason } => {
                uow.publish(&BOX_CURATION_FAILED, &due.subscription_id, &views::box_curation_failed(&due, reason))?;
            }
        }
    }
    Ok(())
}

fn refusal(error: CuratedBoxError, id: CuratedBoxId) -> CurationError {
    let (subscription_id, month) = (id.subscription_id.to_string(), id.month.to_string());
    match error {
        CuratedBoxError::NothingToRetry => CurationError::NothingToRetry { subscription_id, month },
        CuratedBoxError::AlreadyCurated => CurationError::AlreadyCurated { subscription_id, month },
    }
}
