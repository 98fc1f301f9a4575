//! Answers to queries, read straight from the aggregates' streams: inventory's state is small
//! per book and per order, so it needs no separate read model.

use std::fmt::Display;

use kernel::context::QueryError;
use kernel::ids::StreamId;
use kernel::unit_of_work::Repository;
use kernel::Aggregate;

use super::views;
use crate::domain::availability::Availability;
use crate::domain::book::Book;
use crate::domain::ids::OrderId;
use crate::domain::isbn::Isbn;
use crate::domain::reservation::Reservation;
use crate::domain::stock_item::{StockItem, StockItemId};
use crate::domain::warehouse::Warehouse;
use crate::ports::{CatalogEntryView, ReservationView, StockReport};

fn load<A: Aggregate, R: Repository>(repository: &mut R, id: &impl Display) -> Result<A, QueryError> {
    Ok(repository.load::<A>(&StreamId::for_aggregate(A::CATEGORY, id))?.state)
}

fn isbn(raw: &str) -> Result<Isbn, QueryError> {
    Isbn::parse(raw).map_err(|e| QueryError::Invalid(format!("isbn: {e}")))
}

fn cataloged<R: Repository>(repository: &mut R, isbn: &Isbn) -> Result<Book, QueryError> {
    let book = load::<Book, R>(repository, isbn)?;
    match book.entry() {
        Some(_) => Ok(book),
        None => Err(QueryError::NotFound(format!("book {isbn} is not in the catalog"))),
    }
}

pub(super) fn stock<R: Repository>(repository: &mut R, raw_isbn: &str) -> Result<StockReport, QueryError> {
    let isbn = isbn(raw_isbn)?;
    let book = cataloged(repository, &isbn)?;
    let unavailable = book.entry().is_some_and(|entry| entry.unavailable);
    let mut warehouses = Vec::with_capacity(Warehouse::ALL.len());
    let mut free_by_warehouse = Vec::with_capacity(Warehouse::ALL.len());
    for warehouse in Warehouse::ALL {
        let item = load::<StockItem, R>(repository, &StockItemId::new(isbn.clone(), warehouse))?;
        free_by_warehouse.push((warehouse, item.free()));
        warehouses.push(views::warehouse_stock(&isbn, warehouse, &item));
    }
    let available = Availability::of(unavailable, free_by_warehouse).available();
    Ok(StockReport { isbn: isbn.to_string(), available, warehouses })
}

pub(super) fn catalog_entry<R: Repository>(repository: &mut R, raw_isbn: &str) -> Result<CatalogEntryView, QueryError> {
    let isbn = isbn(raw_isbn)?;
    let book = cataloged(repository, &isbn)?;
    let entry = book.entry().ok_or_else(|| QueryError::NotFound(format!("book {isbn} is not in the catalog")))?;
    Ok(views::catalog_entry(entry))
}

pub(super) fn reservation<R: Repository>(
    repository: &mut R,
    raw_order_id: &str,
) -> Result<ReservationView, QueryError> {
    let order_id: OrderId = raw_order_id.trim().parse().map_err(|e| QueryError::Invalid(format!("order_id: {e}")))?;
    let reservation = load::<Reservation, R>(repository, &order_id)?;
    Ok(views::reservation(order_id, &reservation))
}
