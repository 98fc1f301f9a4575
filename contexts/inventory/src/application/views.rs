//! From the domain to the ports' views and the published messages: the one place that knows
//! both shapes, so the domain can change without changing what callers and consumers read.

use crate::domain::availability::Availability;
use crate::domain::book::CatalogEntry;
use crate::domain::ids::{OrderId, TransferId};
use crate::domain::isbn::Isbn;
use crate::domain::quantity::Quantity;
use crate::domain::reservation::{RejectionReason, Reservation, ReservationLines, ReservationState, Shortage};
use crate::domain::stock_item::StockItem;
use crate::domain::warehouse::Warehouse;
use crate::ports::{
    CatalogEntryView, RejectionView, ReservationStatus, ReservationView, ShortageView, StockLine, TransferView,
    WarehouseStock,
};
use crate::published::{
    BookAvailabilityV1, ReservationReleasedV1, ReservedStockShippedV1, ShortageV1, StockLineV1,
    StockReservationRejectedV1, StockReservedV1,
};

pub(super) fn catalog_entry(entry: &CatalogEntry) -> CatalogEntryView {
    CatalogEntryView {
        isbn: entry.isbn.to_string(),
        title: entry.title.to_string(),
        genres: entry.genres.iter().map(|g| g.as_str().to_owned()).collect(),
        unavailable: entry.unavailable,
    }
}

pub(super) fn warehouse_stock(isbn: &Isbn, warehouse: Warehouse, item: &StockItem) -> WarehouseStock {
    WarehouseStock {
        isbn: isbn.to_string(),
        warehouse: warehouse.to_string(),
        on_hand: item.on_hand(),
        reserved: item.reserved(),
        free: item.free(),
        in_transit: item.in_transit(),
        received: item.received(),
        transferred_in: item.transferred_in(),
        transferred_out: item.transferred_out(),
        shipped: item.shipped(),
        damaged: item.damaged(),
        lost: item.lost(),
        lost_in_shipment: item.lost_in_shipment(),
        transfers_in_transit: item
            .outgoing()
            .map(|(transfer_id, t)| transfer(transfer_id, isbn, warehouse, t.to, t.quantity))
            .collect(),
    }
}

pub(super) fn transfer(
    transfer_id: TransferId,
    isbn: &Isbn,
    from: Warehouse,
    to: Warehouse,
    quantity: Quantity,
) -> TransferView {
    TransferView {
        transfer_id: transfer_id.to_string(),
        isbn: isbn.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        quantity: quantity.get(),
    }
}

pub(super) fn reservation(order_id: OrderId, reservation: &Reservation) -> ReservationView {
    let held = |status, hold: &crate::domain::reservation::Hold| ReservationView {
        order_id: order_id.to_string(),
        status,
        warehouse: Some(hold.warehouse.to_string()),
        lines: hold
            .lines
            .iter()
            .map(|(isbn, quantity)| StockLine { isbn: isbn.to_string(), quantity: quantity.get() })
            .collect(),
        rejection: None,
    };
    match reservation.state() {
        ReservationState::Unrequested => ReservationView {
            order_id: order_id.to_string(),
            status: ReservationStatus::Unrequested,
            warehouse: None,
            lines: Vec::new(),
            rejection: None,
        },
        ReservationState::Rejected(rejection) => ReservationView {
            order_id: order_id.to_string(),
            status: ReservationStatus::Rejected,
            warehouse: Some(rejection.warehouse.to_string()),
            lines: Vec::new(),
            rejection: Some(RejectionView {
                reason: rejection.reason.as_str().to_owned(),
                shortages: rejection
                    .shortages
                    .iter()
                    .map(|s| ShortageView {
                        isbn: s.isbn.to_string(),
                        requested: s.requested.get(),
                        available: s.available,
                    })
                    .collect(),
            }),
        },
        ReservationState::Held(hold) => held(ReservationStatus::Held, hold),
        ReservationState::Released(hold) => held(ReservationStatus::Released, hold),
        ReservationState::Shipped(hold) => held(ReservationStatus::Shipped, hold),
        ReservationState::Lost { hold, .. } => held(ReservationStatus::Lost, hold),
    }
}

pub(super) fn book_availability(entry: &CatalogEntry, availability: &Availability, version: u64) -> BookAvailabilityV1 {
    BookAvailabilityV1 {
        isbn: entry.isbn.to_string(),
        title: entry.title.to_string(),
        genres: entry.genres.iter().map(|g| g.as_str().to_owned()).collect(),
        available: availability.available(),
        by_warehouse: availability.by_warehouse().map(|(w, free)| (w.as_str().to_owned(), free)).collect(),
        unavailable: entry.unavailable,
        version,
    }
}

fn lines_v1(lines: &ReservationLines) -> Vec<StockLineV1> {
    lines.iter().map(|(isbn, quantity)| StockLineV1 { isbn: isbn.to_string(), quantity: quantity.get() }).collect()
}

pub(super) fn stock_reserved(order_id: OrderId, warehouse: Warehouse, lines: &ReservationLines) -> StockReservedV1 {
    StockReservedV1 { order_id: order_id.as_uuid(), warehouse: warehouse.to_string(), lines: lines_v1(lines) }
}

pub(super) fn stock_reservation_rejected(
    order_id: OrderId,
    warehouse: Warehouse,
    reason: RejectionReason,
    shortages: &[Shortage],
) -> StockReservationRejectedV1 {
    StockReservationRejectedV1 {
        order_id: order_id.as_uuid(),
        warehouse: warehouse.to_string(),
        reason: reason.as_str().to_owned(),
        shortages: shortages
            .iter()
            .map(|s| ShortageV1 { isbn: s.isbn.to_string(), requested: s.requested.get(), available: s.available })
            .collect(),
    }
}

pub(super) fn reservation_released(order_id: OrderId, warehouse: Warehouse) -> ReservationReleasedV1 {
    ReservationReleasedV1 { order_id: order_id.as_uuid(), warehouse: warehouse.to_string() }
}

pub(super) fn reserved_stock_shipped(
    order_id: OrderId,
    warehouse: Warehouse,
    lines: &ReservationLines,
) -> ReservedStockShippedV1 {
    ReservedStockShippedV1 { order_id: order_id.as_uuid(), warehouse: warehouse.to_string(), lines: lines_v1(lines) }
}
