//! # Inventory
//!
//! Inventory owns the books Bookbox can ship and the copies of each in each warehouse: the
//! catalog (ISBN, title, genres, whether a book is on sale), the stock ledgers of Dallas and
//! Chicago (receiving publishers' shipments, damage and loss, transfers between warehouses),
//! and the reservations that set copies aside for orders until they ship or are released.
//!
//! ## Aggregates, and why these boundaries
//!
//! - **`Book`** (stream `book-<isbn>`): the catalog entry. What does not depend on a warehouse.
//! - **`StockItem`** (stream `stock-item-<isbn>-<warehouse>`): the ledger of one book at one
//!   warehouse. Every invariant about copies holds within one: on hand never negative,
//!   reserved never above on hand, a reservation for the same order idempotent, and the
//!   ledger balances. One stream per (book, warehouse) keeps them small and lets Dallas and
//!   Chicago, or two books, change without contending.
//! - **`Reservation`** (stream `reservation-<order id>`): the copies one order holds at one
//!   warehouse, across several books. All-or-nothing across lines and idempotence per order
//!   are rules about the order, so they live here; the ledgers record each line's share.
//!
//! Aggregates refer to each other by id only. A use case that spans several (a reservation
//! of three books, the receipt of a transfer) is one unit of work, which the runtime commits
//! atomically: all of its streams and messages, or nothing.
//!
//! ## Conservation, and where a copy in transit is counted
//!
//! Each ledger balances:
//! `received + transferred_in = on_hand + shipped + damaged + lost + in_transit + transferred_out`.
//! A transfer is dispatched (the source's `on_hand` becomes its `in_transit`) and later
//! received (one unit of work moves it from the source's `in_transit` to its `transferred_out`
//! and to the destination's `on_hand` and `transferred_in`). So copies in transit are counted
//! once, in the source's ledger, until the destination signs for them. Summed over the
//! warehouses of a book, transfers cancel out and the law reads
//! `received = on_hand + shipped + damaged + lost + in_transit`. The `StockItem` proptest checks
//! the per-ledger law after every command; `tests/conservation.rs` checks the book-wide law
//! through the whole context, with transfers between warehouses.
//!
//! ## Commands from other contexts
//!
//! `reserve-stock`, `release-reservation` and `ship-reservation` are part of inventory's
//! published language (kind command), consumed by its own handlers (`inventory.on-…`, stable
//! ids) and answered with `stock-reserved` or `stock-reservation-rejected` (with the reason and
//! every shortage), `reservation-released`, `reserved-stock-shipped`. A redelivered message is
//! stopped by the inbox; a second request for the same order, under a new message id, is
//! stopped by the `Reservation` itself. The same use cases are direct commands too
//! ([`ports::ReserveStock`], [`ports::ReleaseReservation`], [`ports::ShipReservation`]), for
//! the HTTP API.
//!
//! ## Choreography: a parcel damaged in transit
//!
//! Shipping's `shipment-damaged` names the orders a damaged parcel carried; inventory reacts on
//! its own (`inventory.on-shipment-damaged`; shipping knows nothing of inventory), as billing
//! does with its refund. Each order's copies move, on every line's ledger, from `shipped` to
//! `lost` (counted in `lost_in_shipment` too). The order's `Reservation` records the loss once,
//! so a redelivered message (the inbox) or another message naming the same order (the
//! reservation) has no second effect. A report that overtakes the order's `ship-reservation`
//! ships the held copies first, since the parcel left with them; an order inventory never
//! shipped (unknown, rejected, released) is skipped. Nothing is published: the free stock, hence
//! `book-availability`, does not change.
//!
//! ## State transfer
//!
//! `book-availability` carries the catalog entry and the free copies per warehouse after every
//! change that affects them (not after shipping, which takes reserved copies and leaves the
//! free stock as it was). Its `version` is the sum of the versions of the book's streams, so
//! consumers can discard a stale message.

mod application;
mod domain;
pub mod ports;
pub mod published;

pub use application::InventoryContext;

use kernel::context::{ContextDescriptor, Relationship, Upstream};

/// Inventory's declaration: what it publishes (commands it accepts included) and consumes.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "inventory",
    purpose: "Owns the book catalog and the copies of each book per warehouse: receiving, reservations, \
              shipping, damage and loss, transfers between warehouses.",
    publishes: &[
        &published::BOOK_AVAILABILITY,
        &published::RESERVE_STOCK,
        &published::RELEASE_RESERVATION,
        &published::SHIP_RESERVATION,
        &published::STOCK_RESERVED,
        &published::STOCK_RESERVATION_REJECTED,
        &published::RESERVATION_RELEASED,
        &published::RESERVED_STOCK_SHIPPED,
    ],
    consumes: <InventoryContext as kernel::inbox::Inbox>::SUBSCRIPTIONS,
    sends: &[],
    // Inventory reads shipping's parcel in its own terms: the lost copies of an order.
    upstreams: &[Upstream { context: "shipping", relationship: Relationship::AnticorruptionLayer }],
};
