//! Availability: what inventory tells the rest of Bookbox it can still promise, and what a
//! reservation finds on the shelf. Both derive from a `Book` and its `StockItem`s; neither is
//! stored, so neither can drift from the ledgers.

use std::collections::BTreeMap;

use crate::domain::book::Book;
use crate::domain::reservation::Shelf;
use crate::domain::stock_item::StockItem;
use crate::domain::warehouse::Warehouse;

/// Copies of one book that could still be reserved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    by_warehouse: BTreeMap<Warehouse, u64>,
    available: u64,
}

impl Availability {
    /// The free copies of each warehouse; in total, their sum, or nothing at all when the
    /// book was withdrawn from sale (its copies are still counted where they are).
    pub fn of(unavailable: bool, free_by_warehouse: impl IntoIterator<Item = (Warehouse, u64)>) -> Self {
        let by_warehouse: BTreeMap<Warehouse, u64> = free_by_warehouse.into_iter().collect();
        let available = if unavailable { 0 } else { by_warehouse.values().sum() };
        Self { by_warehouse, available }
    }

    pub fn available(&self) -> u64 {
        self.available
    }

    pub fn by_warehouse(&self) -> impl Iterator<Item = (Warehouse, u64)> + '_ {
        self.by_warehouse.iter().map(|(w, n)| (*w, *n))
    }
}

/// What a reservation line finds for `book` in the ledger `item`.
pub fn shelf(book: &Book, item: &StockItem) -> Shelf {
    match book.entry() {
        None => Shelf::NotCataloged,
        Some(entry) if entry.unavailable => Shelf::Unavailable,
        Some(_) => Shelf::Listed { free: item.free() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_sums_the_free_copies_unless_the_book_is_withdrawn() {
        let free = [(Warehouse::Dallas, 3), (Warehouse::Chicago, 4)];
        assert_eq!(Availability::of(false, free).available(), 7);
        let withdrawn = Availability::of(true, free);
        assert_eq!(withdrawn.available(), 0);
        assert_eq!(withdrawn.by_warehouse().collect::<Vec<_>>(), [(Warehouse::Dallas, 3), (Warehouse::Chicago, 4)]);
    }

    #[test]
    fn a_line_for_a_book_outside_the_catalog_finds_nothing() {
        assert_eq!(shelf(&Book::default(), &StockItem::default()), Shelf::NotCataloged);
    }
}
