//! Inventory's published language: every message it publishes and every command it accepts
//! from other contexts, each with its schema and examples committed beside the code.
//!
//! **API boundary.** These types are the wire format, nothing else: plain data, no domain
//! types, so that the domain can change without changing what others read. The application
//! maps the domain to them. Changing a field's meaning or shape means a new message version.
//!
//! - `book-availability` v1, state transfer, subject = ISBN: the catalog entry and free stock
//!   of a book, after every change that affects them. Compacted: consumers keep the latest per
//!   ISBN, by `version` (an addition to the agreed shape: see the schema).
//! - `reserve-stock`, `release-reservation`, `ship-reservation` v1, commands other contexts
//!   send to inventory (subject = order id), answered by
//! - `stock-reserved`, `stock-reservation-rejected`, `reservation-released`,
//!   `reserved-stock-shipped` v1, domain events, subject = order id.

use std::collections::BTreeMap;

use kernel::context::PublishedMessage;
use kernel::MessageKind;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub static BOOK_AVAILABILITY: PublishedMessage = PublishedMessage {
    name: "book-availability",
    kind: MessageKind::StateTransfer,
    version: 1,
    schema: include_str!("../schemas/book-availability.v1.json"),
    examples: &[
        include_str!("../examples/book-availability.v1/in-stock.json"),
        include_str!("../examples/book-availability.v1/withdrawn.json"),
    ],
    personal_data: &[],
};

pub static RESERVE_STOCK: PublishedMessage = PublishedMessage {
    name: "reserve-stock",
    kind: MessageKind::Command,
    version: 1,
    schema: include_str!("../schemas/reserve-stock.v1.json"),
    examples: &[include_str!("../examples/reserve-stock.v1/two-books-from-dallas.json")],
    personal_data: &[],
};

pub static RELEASE_RESERVATION: PublishedMessage = PublishedMessage {
    name: "release-reservation",
    kind: MessageKind::Command,
    version: 1,
    schema: include_str!("../schemas/release-reservation.v1.json"),
    examples: &[include_str!("../examples/release-reservation.v1/order.json")],
    personal_data: &[],
};

pub static SHIP_RESERVATION: PublishedMessage = PublishedMessage {
    name: "ship-reservation",
    kind: MessageKind::Command,
    version: 1,
    schema: include_str!("../schemas/ship-reservation.v1.json"),
    examples: &[include_str!("../examples/ship-reservation.v1/order.json")],
    personal_data: &[],
};

pub static STOCK_RESERVED: PublishedMessage = PublishedMessage {
    name: "stock-reserved",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/stock-reserved.v1.json"),
    examples: &[include_str!("../examples/stock-reserved.v1/two-books-from-dallas.json")],
    personal_data: &[],
};

pub static STOCK_RESERVATION_REJECTED: PublishedMessage = PublishedMessage {
    name: "stock-reservation-rejected",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/stock-reservation-rejected.v1.json"),
    examples: &[
        include_str!("../examples/stock-reservation-rejected.v1/insufficient-stock.json"),
        include_str!("../examples/stock-reservation-rejected.v1/unknown-book.json"),
    ],
    personal_data: &[],
};

pub static RESERVATION_RELEASED: PublishedMessage = PublishedMessage {
    name: "reservation-released",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/reservation-released.v1.json"),
    examples: &[include_str!("../examples/reservation-released.v1/order.json")],
    personal_data: &[],
};

pub static RESERVED_STOCK_SHIPPED: PublishedMessage = PublishedMessage {
    name: "reserved-stock-shipped",
    kind: MessageKind::DomainEvent,
    version: 1,
    schema: include_str!("../schemas/reserved-stock-shipped.v1.json"),
    examples: &[include_str!("../examples/reserved-stock-shipped.v1/two-books-from-dallas.json")],
    personal_data: &[],
};

/// `book-availability` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookAvailabilityV1 {
    /// ISBN-13, digits only.
    pub isbn: String,
    pub title: String,
    /// Genre names from the fixed list.
    pub genres: Vec<String>,
    /// Copies that can still be reserved, over all warehouses; 0 when `unavailable`.
    pub available: u64,
    /// Free copies per warehouse (by name), whether or not the book is unavailable.
    pub by_warehouse: BTreeMap<String, u64>,
    pub unavailable: bool,
    /// Rises with every change to the book's entry or ledgers.
    pub version: u64,
}

/// One line of a reservation: a book and a number of copies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLineV1 {
    pub isbn: String,
    pub quantity: u32,
}

/// `reserve-stock` v1 (command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveStockV1 {
    pub order_id: Uuid,
    pub warehouse: String,
    pub lines: Vec<StockLineV1>,
}

/// `release-reservation` v1 (command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseReservationV1 {
    pub order_id: Uuid,
}

/// `ship-reservation` v1 (command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipReservationV1 {
    pub order_id: Uuid,
}

/// `stock-reserved` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReservedV1 {
    pub order_id: Uuid,
    pub warehouse: String,
    pub lines: Vec<StockLineV1>,
}

/// `stock-reservation-rejected` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReservationRejectedV1 {
    pub order_id: Uuid,
    pub warehouse: String,
    /// `insufficient-stock`, `book-unavailable` or `unknown-book`.
    pub reason: String,
    pub shortages: Vec<ShortageV1>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortageV1 {
    pub isbn: String,
    pub requested: u32,
    pub available: u64,
}

/// `reservation-released` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationReleasedV1 {
    pub order_id: Uuid,
    pub warehouse: String,
}

/// `reserved-stock-shipped` v1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservedStockShippedV1 {
    pub order_id: Uuid,
    pub warehouse: String,
    pub lines: Vec<StockLineV1>,
}
