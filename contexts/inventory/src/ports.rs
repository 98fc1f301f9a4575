//! Inventory's inbound ports: the commands and queries it answers, and what it answers.
//!
//! Commands carry what a caller typed (strings and numbers, as the HTTP API or the CLI
//! receive them); the application parses each field into a value object, and a field that
//! does not parse is refused with [`InventoryError::InvalidInput`] naming it. Replies and
//! answers carry ids and canonical values (an ISBN-10 comes back as its ISBN-13), so a caller
//! can use them in its next command. Inventory needs nothing from outside besides the kernel's
//! ports (clock, ids, store), so it declares no outbound port of its own.

use serde::{Deserialize, Serialize};

/// A command to inventory from outside: the HTTP API, the CLI, a test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum InventoryCommand {
    /// List a book in the catalog (an ISBN-10 is converted to its ISBN-13).
    AddBook {
        isbn: String,
        title: String,
        genres: Vec<String>,
    },
    /// Change a cataloged book's title or genres.
    ReviseBook {
        isbn: String,
        title: String,
        genres: Vec<String>,
    },
    /// Withdraw a book from sale: nothing more can be reserved.
    MarkBookUnavailable {
        isbn: String,
    },
    /// Put a withdrawn book back on sale.
    MarkBookAvailable {
        isbn: String,
    },
    /// A publisher's shipment arrived at a warehouse.
    ReceiveShipment {
        isbn: String,
        warehouse: String,
        quantity: u32,
    },
    /// Free copies were found damaged.
    RecordDamagedCopies {
        isbn: String,
        warehouse: String,
        quantity: u32,
    },
    /// Free copies were found missing.
    RecordLostCopies {
        isbn: String,
        warehouse: String,
        quantity: u32,
    },
    /// Send free copies from one warehouse to another; answers the transfer's id.
    DispatchTransfer {
        isbn: String,
        from: String,
        to: String,
        quantity: u32,
    },
    /// The destination received a transfer: `from` and `transfer_id` as the dispatch answered.
    ReceiveTransfer {
        isbn: String,
        from: String,
        transfer_id: String,
    },
    /// Set copies aside for an order, all lines or none (as the `reserve-stock` message does).
    ReserveStock {
        order_id: String,
        warehouse: String,
        lines: Vec<StockLine>,
    },
    ReleaseReservation {
        order_id: String,
    },
    ShipReservation {
        order_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLine {
    pub isbn: String,
    pub quantity: u32,
}

/// What an accepted command answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "kebab-case")]
pub enum InventoryReply {
    /// For the catalog commands: the entry as it now stands.
    CatalogEntry(CatalogEntryView),
    /// For receiving and writing off: the ledger as it now stands.
    Stock(WarehouseStock),
    TransferDispatched(TransferView),
    TransferReceived(TransferView),
    /// For reserve, release and ship: the order's reservation as it now stands. A reserve
    /// that could not be served is not an error: it answers a `rejected` reservation.
    Reservation(ReservationView),
}

/// A question to inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "query", rename_all = "kebab-case")]
pub enum InventoryQuery {
    /// The ledgers of a book, one per warehouse.
    Stock {
        isbn: String,
    },
    CatalogEntry {
        isbn: String,
    },
    Reservation {
        order_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum InventoryAnswer {
    Stock(StockReport),
    CatalogEntry(CatalogEntryView),
    Reservation(ReservationView),
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
