//! Use cases of the catalog: add, revise, withdraw from sale, put back on sale.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::{availability, execute, input, views, Outcome};
use crate::domain::book::{Book, BookCommand, BookError};
use crate::domain::isbn::Isbn;
use crate::ports::{CatalogEntryView, InventoryError};

pub(super) fn add_book<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    isbn: &str,
    title: &str,
    genres: &[String],
) -> Outcome<CatalogEntryView> {
    let isbn = input::isbn(isbn)?;
    let command =
        BookCommand::AddToCatalog { isbn: isbn.clone(), title: input::title(title)?, genres: input::genres(genres)? };
    change(uow, &isbn, &command)
}

pub(super) fn revise_book<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    isbn: &str,
    title: &str,
    genres: &[String],
) -> Outcome<CatalogEntryView> {
    let isbn = input::isbn(isbn)?;
    let command = BookCommand::Revise { title: input::title(title)?, genres: input::genres(genres)? };
    change(uow, &isbn, &command)
}

pub(super) fn mark_unavailable<R: Repository>(uow: &mut UnitOfWork<'_, R>, isbn: &str) -> Outcome<CatalogEntryView> {
    change(uow, &input::isbn(isbn)?, &BookCommand::MarkUnavailable)
}

pub(super) fn mark_available<R: Repository>(uow: &mut UnitOfWork<'_, R>, isbn: &str) -> Outcome<CatalogEntryView> {
    change(uow, &input::isbn(isbn)?, &BookCommand::MarkAvailable)
}

/// Every catalog change affects what `book-availability` says (title, genres, or whether
/// anything is available), so each one that changed something is published.
fn change<R: Repository>(uow: &mut UnitOfWork<'_, R>, isbn: &Isbn, command: &BookCommand) -> Outcome<CatalogEntryView> {
    let events = execute::<Book, R>(uow, isbn, command, |error| refusal(error, isbn))?;
    if !events.is_empty() {
        availability::publish(uow, isbn)?;
    }
    let (book, _) = uow.load::<Book>(isbn)?;
    let entry = book.entry().ok_or_else(|| InventoryError::UnknownBook { isbn: isbn.to_string() })?;
    Ok(views::catalog_entry(entry))
}

fn refusal(error: BookError, isbn: &Isbn) -> InventoryError {
    match error {
        BookError::AlreadyCataloged { isbn } => InventoryError::AlreadyCataloged { isbn: isbn.to_string() },
        BookError::NotCataloged => InventoryError::UnknownBook { isbn: isbn.to_string() },
    }
}

/// Stock may only be kept for a book the catalog lists.
pub(super) fn require_cataloged<R: Repository>(uow: &mut UnitOfWork<'_, R>, isbn: &Isbn) -> Outcome<()> {
    let (book, _) = uow.load::<Book>(isbn)?;
    match book.entry() {
        Some(_) => Ok(()),
        None => Err(InventoryError::UnknownBook { isbn: isbn.to_string() }.into()),
    }
}
