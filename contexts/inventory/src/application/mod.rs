//! Inventory's application layer: the [`InventoryContext`] the runtime hosts. It turns commands
//! and incoming messages into units of work over the aggregates, publishes what the published
//! language promises, and answers queries.
//!
//! Each use case lives in its own module and reads the same way: parse the input into value
//! objects (a bad field is refused, naming it), read what the decision needs, let the
//! aggregates decide, then publish. Everything a use case does commits atomically or not at
//! all, so a refusal half-way leaves nothing behind.

mod availability;
mod catalog;
mod input;
mod messages;
mod queries;
mod reservations;
mod stock;
mod views;

use std::fmt::Display;

use kernel::context::{Answers, BoundedContext, ContextDescriptor, HandleError, Handles, QueryError};
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Aggregate;

use crate::ports::queries::{CatalogEntry, Reservation, Stock};
use crate::ports::{
    AddBook, CatalogEntryView, DispatchTransfer, InventoryError, MarkBookAvailable, MarkBookUnavailable,
    ReceiveShipment, ReceiveTransfer, RecordDamagedCopies, RecordLostCopies, ReleaseReservation, ReservationView,
    ReserveStock, ReviseBook, ShipReservation, StockReport, TransferView, WarehouseStock,
};

/// The inventory context, as the runtime hosts it.
#[derive(Debug, Default, Clone, Copy)]
pub struct InventoryContext;

/// What a use case answers: a value, or why not.
type Outcome<T> = Result<T, HandleError<InventoryError>>;

// A refusal in the port's language is a rejected command.
impl From<InventoryError> for HandleError<InventoryError> {
    fn from(error: InventoryError) -> Self {
        HandleError::Rejected(error)
    }
}

/// Executes `command` on the aggregate `id`, naming a refusal in the port's language.
fn execute<A: Aggregate, R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    id: &impl Display,
    command: &A::Command,
    refusal: impl FnOnce(A::Error) -> InventoryError,
) -> Outcome<Vec<A::Event>> {
    uow.execute::<A>(id, command).map_err(|error| error.refused_as(refusal))
}

impl BoundedContext for InventoryContext {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = InventoryError;
}

impl kernel::context::Command for AddBook {
    type Context = InventoryContext;
    type Reply = CatalogEntryView;
}

impl Handles<AddBook> for InventoryContext {
    fn handle<R: Repository>(&self, command: AddBook, uow: &mut UnitOfWork<'_, R>) -> Outcome<CatalogEntryView> {
        let AddBook { isbn, title, genres } = command;
        catalog::add_book(uow, &isbn, &title, &genres)
    }
}

impl kernel::context::Command for ReviseBook {
    type Context = InventoryContext;
    type Reply = CatalogEntryView;
}

impl Handles<ReviseBook> for InventoryContext {
    fn handle<R: Repository>(&self, command: ReviseBook, uow: &mut UnitOfWork<'_, R>) -> Outcome<CatalogEntryView> {
        let ReviseBook { isbn, title, genres } = command;
        catalog::revise_book(uow, &isbn, &title, &genres)
    }
}

impl kernel::context::Command for MarkBookUnavailable {
    type Context = InventoryContext;
    type Reply = CatalogEntryView;
}

impl Handles<MarkBookUnavailable> for InventoryContext {
    fn handle<R: Repository>(
        &self,
        command: MarkBookUnavailable,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Outcome<CatalogEntryView> {
        catalog::mark_unavailable(uow, &command.isbn)
    }
}

impl kernel::context::Command for MarkBookAvailable {
    type Context = InventoryContext;
    type Reply = CatalogEntryView;
}

impl Handles<MarkBookAvailable> for InventoryContext {
    fn handle<R: Repository>(
        &self,
        command: MarkBookAvailable,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Outcome<CatalogEntryView> {
        catalog::mark_available(uow, &command.isbn)
    }
}

impl kernel::context::Command for ReceiveShipment {
    type Context = InventoryContext;
    type Reply = WarehouseStock;
}

impl Handles<ReceiveShipment> for InventoryContext {
    fn handle<R: Repository>(&self, command: ReceiveShipment, uow: &mut UnitOfWork<'_, R>) -> Outcome<WarehouseStock> {
        let ReceiveShipment { isbn, warehouse, quantity } = command;
        stock::receive_shipment(uow, &isbn, &warehouse, quantity)
    }
}

impl kernel::context::Command for RecordDamagedCopies {
    type Context = InventoryContext;
    type Reply = WarehouseStock;
}

impl Handles<RecordDamagedCopies> for InventoryContext {
    fn handle<R: Repository>(
        &self,
        command: RecordDamagedCopies,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Outcome<WarehouseStock> {
        let RecordDamagedCopies { isbn, warehouse, quantity } = command;
        stock::write_off(uow, &isbn, &warehouse, quantity, stock::Loss::Damaged)
    }
}

impl kernel::context::Command for RecordLostCopies {
    type Context = InventoryContext;
    type Reply = WarehouseStock;
}

impl Handles<RecordLostCopies> for InventoryContext {
    fn handle<R: Repository>(&self, command: RecordLostCopies, uow: &mut UnitOfWork<'_, R>) -> Outcome<WarehouseStock> {
        let RecordLostCopies { isbn, warehouse, quantity } = command;
        stock::write_off(uow, &isbn, &warehouse, quantity, stock::Loss::Lost)
    }
}

impl kernel::context::Command for DispatchTransfer {
    type Context = InventoryContext;
    type Reply = TransferView;
}

impl Handles<DispatchTransfer> for InventoryContext {
    fn handle<R: Repository>(&self, command: DispatchTransfer, uow: &mut UnitOfWork<'_, R>) -> Outcome<TransferView> {
        let DispatchTransfer { isbn, from, to, quantity } = command;
        stock::dispatch_transfer(uow, &isbn, &from, &to, quantity)
    }
}

impl kernel::context::Command for ReceiveTransfer {
    type Context = InventoryContext;
    type Reply = TransferView;
}

impl Handles<ReceiveTransfer> for InventoryContext {
    fn handle<R: Repository>(&self, command: ReceiveTransfer, uow: &mut UnitOfWork<'_, R>) -> Outcome<TransferView> {
        let ReceiveTransfer { isbn, from, transfer_id } = command;
        stock::receive_transfer(uow, &isbn, &from, &transfer_id)
    }
}

impl kernel::context::Command for ReserveStock {
    type Context = InventoryContext;
    type Reply = ReservationView;
}

impl Handles<ReserveStock> for InventoryContext {
    fn handle<R: Repository>(&self, command: ReserveStock, uow: &mut UnitOfWork<'_, R>) -> Outcome<ReservationView> {
        let ReserveStock { order_id, warehouse, lines } = command;
        let request = input::reservation_request(
            input::order_id(&order_id)?,
            &warehouse,
            lines.iter().map(|line| (line.isbn.as_str(), line.quantity)),
        )?;
        reservations::reserve(uow, request)
    }
}

impl kernel::context::Command for ReleaseReservation {
    type Context = InventoryContext;
    type Reply = ReservationView;
}

impl Handles<ReleaseReservation> for InventoryContext {
    fn handle<R: Repository>(
        &self,
        command: ReleaseReservation,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Outcome<ReservationView> {
        reservations::release(uow, input::order_id(&command.order_id)?)
    }
}

impl kernel::context::Command for ShipReservation {
    type Context = InventoryContext;
    type Reply = ReservationView;
}

impl Handles<ShipReservation> for InventoryContext {
    fn handle<R: Repository>(&self, command: ShipReservation, uow: &mut UnitOfWork<'_, R>) -> Outcome<ReservationView> {
        reservations::ship(uow, input::order_id(&command.order_id)?)
    }
}

impl kernel::context::Query for Stock {
    type Context = InventoryContext;
    type Answer = StockReport;
}

impl Answers<Stock> for InventoryContext {
    fn answer<R: Repository>(&self, query: Stock, repository: &mut R) -> Result<StockReport, QueryError> {
        queries::stock(repository, &query.isbn)
    }
}

impl kernel::context::Query for CatalogEntry {
    type Context = InventoryContext;
    type Answer = CatalogEntryView;
}

impl Answers<CatalogEntry> for InventoryContext {
    fn answer<R: Repository>(&self, query: CatalogEntry, repository: &mut R) -> Result<CatalogEntryView, QueryError> {
        queries::catalog_entry(repository, &query.isbn)
    }
}

impl kernel::context::Query for Reservation {
    type Context = InventoryContext;
    type Answer = ReservationView;
}

impl Answers<Reservation> for InventoryContext {
    fn answer<R: Repository>(&self, query: Reservation, repository: &mut R) -> Result<ReservationView, QueryError> {
        queries::reservation(repository, &query.order_id)
    }
}
