//! Inventory's inbound ports: the commands and queries it answers, and what it answers.
//! Each command is a type of its own here, naming its reply; each query is one in
//! [`queries`], naming its answer.
//!
//! Commands carry what a caller typed (strings and numbers, as the HTTP API or the CLI
//! receive them); the application parses each field into a value object, and a field that
//! does not parse is refused with [`InventoryError::InvalidInput`] naming it. Replies and
//! answers carry ids and canonical values (an ISBN-10 comes back as its ISBN-13), so a caller
//! can use them in its next command. Inventory needs nothing from outside besides the kernel's
//! ports (clock, ids, store), so it declares no outbound port of its own.

use serde::{Deserialize, Serialize};

// Commands to inventory from outside (the HTTP API, the CLI, a test), each with what it
// answers once accepted.

/// List a book in the catalog (an ISBN-10 is converted to its ISBN-13). Answers the entry as
/// it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddBook {
    pub isbn: String,
    pub title: String,
    pub genres: Vec<String>,
}

/// Change a cataloged book's title or genres. Answers the entry as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviseBook {
    pub isbn: String,
    pub title: String,
    pub genres: Vec<String>,
}

/// Withdraw a book from sale: nothing more can be reserved. Answers the entry as it now
/// stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkBookUnavailable {
    pub isbn: String,
}

/// Put a withdrawn book back on sale. Answers the entry as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkBookAvailable {
    pub isbn: String,
}

/// A publisher's shipment arrived at a warehouse. Answers the ledger as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiveShipment {
    pub isbn: String,
    pub warehouse: String,
    pub quantity: u32,
}

/// Free copies were found damaged. Answers the ledger as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDamagedCopies {
    pub isbn: String,
    pub warehouse: String,
    pub quantity: u32,
}

/// Free copies were found missing. Answers the ledger as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLostCopies {
    pub isbn: String,
    pub warehouse: String,
    pub quantity: u32,
}

/// Send free copies from one warehouse to another; answers the transfer's id (in the
/// transfer dispatched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchTransfer {
    pub isbn: String,
    pub from: String,
    pub to: String,
    pub quantity: u32,
}

/// The destination received a transfer: `from` and `transfer_id` as the dispatch answered.
/// Answers the transfer received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiveTransfer {
    pub isbn: String,
    pub from: String,
    pub transfer_id: String,
}

/// Set copies aside for an order, all lines or none (as the `reserve-stock` message does).
/// Answers the order's reservation as it now stands: a reserve that could not be served is
/// not an error, it answers a `rejected` reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveStock {
    pub order_id: String,
    pub warehouse: String,
    pub lines: Vec<StockLine>,
}

/// Release an order's reservation. Answers the order's reservation as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleaseReservation {
    pub order_id: String,
}

/// Ship an order's reservation. Answers the order's reservation as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipReservation {
    pub order_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLine {
    pub isbn: String,
    pub quantity: u32,
}

/// Questions to inventory, each with the type of its answer.
pub mod queries {

    use serde::{Deserialize, Serialize};

    /// The ledgers of a book, one per warehouse.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Stock {
        pub isbn: String,
    }

    /// The catalog entry of a book.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CatalogEntry {
        pub isbn: String,
    }

    /// An order's reservation (`unrequested` if none was asked).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Reservation {
        pub order_id: String,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntryView {
    pub isbn: String,
    pub title: String,
    pub genres: Vec<String>,
    pub unavailable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockReport {
    pub isbn: String,
    /// Copies that can still be reserved, over all warehouses (0 when unavailable).
    pub available: u64,
    pub warehouses: Vec<WarehouseStock>,
}

/// One book's ledger at one warehouse. It balances:
/// `received + transferred_in = on_hand + shipped + damaged + lost + in_transit + transferred_out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarehouseStock {
    pub isbn: String,
    pub warehouse: String,
    pub on_hand: u64,
    pub reserved: u64,
    /// On hand and not reserved.
    pub free: u64,
    /// Dispatched from here to another warehouse, not yet received there.
    pub in_transit: u64,
    /// From publishers.
    pub received: u64,
    pub transferred_in: u64,
    pub transferred_out: u64,
    /// Left with an order, and not lost on the way.
    pub shipped: u64,
    pub damaged: u64,
    /// Missing from the shelves, or shipped and lost with a parcel damaged in transit.
    pub lost: u64,
    /// Of `lost`: the copies lost with parcels damaged in transit (shipping's `shipment-damaged`).
    pub lost_in_shipment: u64,
    /// The transfers counted in `in_transit`.
    pub transfers_in_transit: Vec<TransferView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferView {
    pub transfer_id: String,
    pub isbn: String,
    pub from: String,
    pub to: String,
    pub quantity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReservationView {
    pub order_id: String,
    pub status: ReservationStatus,
    /// Absent only for `unrequested`.
    pub warehouse: Option<String>,
    /// What is (or was) held; empty unless held, released, shipped or lost.
    pub lines: Vec<StockLine>,
    /// Why the last request was refused; only for `rejected`.
    pub rejection: Option<RejectionView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReservationStatus {
    Unrequested,
    Rejected,
    Held,
    Released,
    Shipped,
    /// Shipped, then lost in transit: shipping reported the parcel damaged.
    Lost,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionView {
    pub reason: String,
    pub shortages: Vec<ShortageView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortageView {
    pub isbn: String,
    pub requested: u32,
    pub available: u64,
}

/// Why inventory refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error("book {isbn} is not in the catalog")]
    UnknownBook { isbn: String },
    #[error("book {isbn} is already in the catalog with another title or other genres (revise it instead)")]
    AlreadyCataloged { isbn: String },
    #[error("only {free} free copies of {isbn} at {warehouse}; {requested} requested")]
    NotEnoughFreeCopies { isbn: String, warehouse: String, requested: u32, free: u64 },
    #[error("no transfer {transfer_id} of {isbn} is in transit from {from}")]
    UnknownTransfer { isbn: String, from: String, transfer_id: String },
    #[error("order {order_id} already holds a different reservation (at {warehouse})")]
    OrderAlreadyReserved { order_id: String, warehouse: String },
    #[error("order {order_id} holds no reservation")]
    NoReservation { order_id: String },
    #[error("order {order_id} has already shipped")]
    AlreadyShipped { order_id: String },
    #[error("order {order_id}'s reservation was already released")]
    AlreadyReleased { order_id: String },
    /// A ledger refused a step the unit of work had already decided from that ledger's own
    /// state: a defect, reported rather than committed.
    #[error("the ledger of {isbn} at {warehouse} refused a step already decided: {detail}")]
    LedgerDisagrees { isbn: String, warehouse: String, detail: String },
}
