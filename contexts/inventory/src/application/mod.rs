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

use kernel::context::{BoundedContext, ContextDescriptor, HandleError, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Aggregate;

use crate::ports::{InventoryAnswer, InventoryCommand, InventoryError, InventoryQuery, InventoryReply};

pub(crate) use messages::{
    decode_release_reservation, decode_reserve_stock, decode_ship_reservation, decode_shipment_damaged,
    ON_RELEASE_RESERVATION, ON_RESERVE_STOCK, ON_SHIPMENT_DAMAGED, ON_SHIP_RESERVATION,
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
    type Command = InventoryCommand;
    type Reply = InventoryReply;
    type Error = InventoryError;
    type Query = InventoryQuery;
    type Answer = InventoryAnswer;

    fn descriptor(&self) -> &'static ContextDescriptor {
        &crate::CONTEXT
    }

    fn handle<R: Repository>(
        &self,
        command: InventoryCommand,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<InventoryReply, HandleError<InventoryError>> {
        match command {
            InventoryCommand::AddBook { isbn, title, genres } => catalog::add_book(uow, &isbn, &title, &genres),
            InventoryCommand::ReviseBook { isbn, title, genres } => catalog::revise_book(uow, &isbn, &title, &genres),
            InventoryCommand::MarkBookUnavailable { isbn } => catalog::mark_unavailable(uow, &isbn),
            InventoryCommand::MarkBookAvailable { isbn } => catalog::mark_available(uow, &isbn),
            InventoryCommand::ReceiveShipment { isbn, warehouse, quantity } => {
                stock::receive_shipment(uow, &isbn, &warehouse, quantity)
            }
            InventoryCommand::RecordDamagedCopies { isbn, warehouse, quantity } => {
                stock::write_off(uow, &isbn, &warehouse, quantity, stock::Loss::Damaged)
            }
            InventoryCommand::RecordLostCopies { isbn, warehouse, quantity } => {
                stock::write_off(uow, &isbn, &warehouse, quantity, stock::Loss::Lost)
            }
            InventoryCommand::DispatchTransfer { isbn, from, to, quantity } => {
                stock::dispatch_transfer(uow, &isbn, &from, &to, quantity)
            }
            InventoryCommand::ReceiveTransfer { isbn, from, transfer_id } => {
                stock::receive_transfer(uow, &isbn, &from, &transfer_id)
            }
            InventoryCommand::ReserveStock { order_id, warehouse, lines } => {
                let request = input::reservation_request(
                    input::order_id(&order_id)?,
                    &warehouse,
                    lines.iter().map(|line| (line.isbn.as_str(), line.quantity)),
                )?;
                reservations::reserve(uow, request).map(InventoryReply::Reservation)
            }
            InventoryCommand::ReleaseReservation { order_id } => {
                reservations::release(uow, input::order_id(&order_id)?).map(InventoryReply::Reservation)
            }
            InventoryCommand::ShipReservation { order_id } => {
                reservations::ship(uow, input::order_id(&order_id)?).map(InventoryReply::Reservation)
            }
        }
    }

    fn on_message<R: Repository>(
        &self,
        handler_id: &str,
        message: &Envelope,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        messages::handle(handler_id, message, uow)
    }

    fn query<R: Repository>(&self, query: InventoryQuery, repository: &mut R) -> Result<InventoryAnswer, QueryError> {
        match query {
            InventoryQuery::Stock { isbn } => queries::stock(repository, &isbn).map(InventoryAnswer::Stock),
            InventoryQuery::CatalogEntry { isbn } => {
                queries::catalog_entry(repository, &isbn).map(InventoryAnswer::CatalogEntry)
            }
            InventoryQuery::Reservation { order_id } => {
                queries::reservation(repository, &order_id).map(InventoryAnswer::Reservation)
            }
        }
    }
}
