//! Use cases of the warehouse floor: receiving publishers' shipments, writing off damaged or
//! lost copies, and moving copies between warehouses.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::catalog::require_cataloged;
use super::{availability, execute, input, views, Outcome};
use crate::domain::ids::TransferId;
use crate::domain::stock_item::{StockCommand, StockError, StockEvent, StockItem, StockItemId, WriteOffReason};
use crate::domain::warehouse::Route;
use crate::ports::{InventoryError, TransferView, WarehouseStock};

/// What a write-off records, in the words of the commands.
#[derive(Debug, Clone, Copy)]
pub(super) enum Loss {
    Damaged,
    Lost,
}

pub(super) fn receive_shipment<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    isbn: &str,
    warehouse: &str,
    quantity: u32,
) -> Outcome<WarehouseStock> {
    let id = StockItemId::new(input::isbn(isbn)?, input::warehouse("warehouse", warehouse)?);
    let quantity = input::quantity(quantity)?;
    require_cataloged(uow, &id.isbn)?;
    execute::<StockItem, R>(uow, &id, &StockCommand::ReceiveShipment { quantity }, |e| refusal(e, &id))?;
    availability::publish(uow, &id.isbn)?;
    ledger(uow, &id)
}

pub(super) fn write_off<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    isbn: &str,
    warehouse: &str,
    quantity: u32,
    loss: Loss,
) -> Outcome<WarehouseStock> {
    let id = StockItemId::new(input::isbn(isbn)?, input::warehouse("warehouse", warehouse)?);
    let quantity = input::quantity(quantity)?;
    let reason = match loss {
        Loss::Damaged => WriteOffReason::Damaged,
        Loss::Lost => WriteOffReason::Lost,
    };
    require_cataloged(uow, &id.isbn)?;
    execute::<StockItem, R>(uow, &id, &StockCommand::WriteOff { quantity, reason }, |e| refusal(e, &id))?;
    availability::publish(uow, &id.isbn)?;
    ledger(uow, &id)
}

pub(super) fn dispatch_transfer<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    isbn: &str,
    from: &str,
    to: &str,
    quantity: u32,
) -> Outcome<TransferView> {
    let isbn = input::isbn(isbn)?;
    let route = Route::new(input::warehouse("from", from)?, input::warehouse("to", to)?)
        .map_err(|e| InventoryError::InvalidInput { field: "to".into(), reason: e.to_string() })?;
    let quantity = input::quantity(quantity)?;
    require_cataloged(uow, &isbn)?;
    let source = StockItemId::new(isbn.clone(), route.from());
    let transfer_id = TransferId::generate(uow.ids());
    let command = StockCommand::DispatchTransfer { transfer_id, to: route.to(), quantity };
    execute::<StockItem, R>(uow, &source, &command, |e| refusal(e, &source))?;
    availability::publish(uow, &isbn)?;
    Ok(views::transfer(transfer_id, &isbn, route.from(), route.to(), quantity))
}

/// The destination signs for a transfer: one unit of work takes the copies out of the
/// source's `in_transit` and puts them on hand at the destination, so they are never counted
/// twice nor lost in between.
pub(super) fn receive_transfer<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    isbn: &str,
    from: &str,
    transfer_id: &str,
) -> Outcome<TransferView> {
    let source = StockItemId::new(input::isbn(isbn)?, input::warehouse("from", from)?);
    let transfer_id = input::transfer_id(transfer_id)?;
    let command = StockCommand::ConfirmTransferDelivered { transfer_id };
    let events = execute::<StockItem, R>(uow, &source, &command, |e| refusal(e, &source))?;
    let Some((to, quantity)) = events.iter().find_map(|event| match *event {
        StockEvent::TransferDelivered { to, quantity, .. } => Some((to, quantity)),
        _ => None,
    }) else {
        return Err(disagreement(&source, "confirming the delivery recorded no delivery").into());
    };
    let destination = StockItemId::new(source.isbn.clone(), to);
    let command = StockCommand::ReceiveTransfer { transfer_id, from: source.warehouse, quantity };
    execute::<StockItem, R>(uow, &destination, &command, |e| refusal(e, &destination))?;
    availability::publish(uow, &source.isbn)?;
    Ok(views::transfer(transfer_id, &source.isbn, source.warehouse, to, quantity))
}

fn ledger<R: Repository>(uow: &mut UnitOfWork<'_, R>, id: &StockItemId) -> Outcome<WarehouseStock> {
    let (item, _) = uow.load::<StockItem>(id)?;
    Ok(views::warehouse_stock(&id.isbn, id.warehouse, &item))
}

/// A ledger's refusal of a command from the warehouse floor, in the port's words.
pub(super) fn refusal(error: StockError, id: &StockItemId) -> InventoryError {
    match error {
        StockError::NotEnoughFreeCopies { requested, free } => InventoryError::NotEnoughFreeCopies {
            isbn: id.isbn.to_string(),
            warehouse: id.warehouse.to_string(),
            requested,
            free,
        },
        StockError::UnknownTransfer { transfer_id } => InventoryError::UnknownTransfer {
            isbn: id.isbn.to_string(),
            from: id.warehouse.to_string(),
            transfer_id: transfer_id.to_string(),
        },
        other => disagreement(id, other),
    }
}

pub(super) fn disagreement(id: &StockItemId, detail: impl std::fmt::Display) -> InventoryError {
    InventoryError::LedgerDisagrees {
        isbn: id.isbn.to_string(),
        warehouse: id.warehouse.to_string(),
        detail: detail.to_string(),
    }
}
