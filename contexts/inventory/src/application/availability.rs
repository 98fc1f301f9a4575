//! Publishing `book-availability`: the state of one book, as inventory lets others replicate it.
//!
//! Its `version` is the sum of the versions of the streams the state derives from (the book
//! and its ledger at every warehouse). Every change to any of them raises the sum, so a
//! consumer can tell a newer message from an older one even if the bus delivers them out of
//! order, without inventory keeping a counter of its own that could drift from the streams.

use kernel::unit_of_work::{InfrastructureError, Repository, UnitOfWork};

use super::views;
use crate::domain::availability::Availability;
use crate::domain::book::Book;
use crate::domain::isbn::Isbn;
use crate::domain::stock_item::{StockItem, StockItemId};
use crate::domain::warehouse::Warehouse;
use crate::published::BOOK_AVAILABILITY;

/// Publishes the availability of `isbn` as this unit of work leaves it. A book outside the
/// catalog has nothing to publish.
pub(super) fn publish<R: Repository>(uow: &mut UnitOfWork<'_, R>, isbn: &Isbn) -> Result<(), InfrastructureError> {
    let (book, book_version) = uow.load::<Book>(isbn)?;
    let Some(entry) = book.entry() else {
        return Ok(());
    };
    let mut version = book_version.get();
    let mut free_by_warehouse = Vec::with_capacity(Warehouse::ALL.len());
    for warehouse in Warehouse::ALL {
        let (item, item_version) = uow.load::<StockItem>(&StockItemId::new(isbn.clone(), warehouse))?;
        version += item_version.get();
        free_by_warehouse.push((warehouse, item.free()));
    }
    let availability = Availability::of(entry.unavailable, free_by_warehouse);
    uow.publish(&BOOK_AVAILABILITY, isbn, &views::book_availability(entry, &availability, version))?;
    Ok(())
}
