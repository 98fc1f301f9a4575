//! Curation's inbound ports: the commands and queries it answers, and what it answers.
//!
//! Commands carry what a caller typed; the application parses each field, and a field that
//! does not parse is refused with [`CurationError::InvalidInput`] naming it. Most of
//! curation's work is not commanded at all: it reacts to `box-due` messages. The queries are
//! what an operator (or an end-to-end test) asks of that work: which books a box got, what a
//! customer has received, and what curation currently knows of customers and books.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum CurationCommand {
    /// Propose the month's books; may be redone until finalized.
    DraftSelection { month: String, isbns: Vec<String> },
    /// Fix the month's books for good (ISBN-13s, digits only); boxes are curated from them.
    FinalizeSelection { month: String, isbns: Vec<String> },
    /// Try again a box whose curation failed (e.g. once the month's selection is finalized).
    RetryCuration { subscription_id: String, month: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "kebab-case")]
pub enum CurationReply {
    Selection(SelectionView),
    CuratedBox(CuratedBoxView),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "query", rename_all = "kebab-case")]
pub enum CurationQuery {
    /// The box of a subscription for a month (curated, or failed with why).
    CuratedBox {
        subscription_id: String,
        month: String,
    },
    /// Every book a customer has received, by month.
    ReceivedBooks {
        customer_id: String,
    },
    Selection {
        month: String,
    },
    /// What curation holds of a customer's profile (to check replication).
    CustomerReplica {
        customer_id: String,
    },
    /// What curation holds of a book (to check replication).
    BookReplica {
        isbn: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum CurationAnswer {
    CuratedBox(CuratedBoxView),
    ReceivedBooks(ReceivedBooksView),
    Selection(SelectionView),
    CustomerReplica(CustomerReplicaView),
    BookReplica(BookReplicaView),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionView {
    pub month: String,
    /// The latest draft (empty if none).
    pub draft: Vec<String>,
    /// The final list, once finalized.
    pub finalized: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CuratedBoxView {
    pub subscription_id: String,
    pub month: String,
    pub status: CuratedBoxStatus,
    pub customer_id: String,
    pub payer_id: String,
    /// Only once curated.
    pub box_id: Option<String>,
    /// Best match first; empty unless curated.
    pub books: Vec<CuratedBookView>,
    /// Why the last attempt failed; only for `failed`.
    pub failure: Option<FailureView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CuratedBoxStatus {
    Curated,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CuratedBookView {
    pub isbn: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureView {
    pub reason: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedBooksView {
    pub customer_id: String,
    /// In the order received (by month, then ISBN).
    pub books: Vec<ReceivedBookView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedBookView {
    pub isbn: String,
    pub month: String,
    pub box_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerReplicaView {
    pub customer_id: String,
    pub preferences: Vec<String>,
    /// `line1, [line2, ]city, state postal_code, country`.
    pub shipping_address: String,
    pub version: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookReplicaView {
    pub isbn: String,
    pub title: String,
    pub genres: Vec<String>,
    pub available: u64,
    pub version: Option<u64>,
}

/// Why curation refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurationError {
    #[error("invalid {field}: {reason}")]
    InvalidInput { field: String, reason: String },
    #[error("the selection of {month} is final; it can no longer change")]
    SelectionAlreadyFinalized { month: String },
    #[error("no box of subscription {subscription_id} for {month} failed, so there is nothing to retry")]
    NothingToRetry { subscription_id: String, month: String },
    #[error("the box of subscription {subscription_id} for {month} is already curated")]
    AlreadyCurated { subscription_id: String, month: String },
    /// The reading history refused a box the curator built from that very history: a defect,
    /// reported rather than committed.
    #[error("the reading history of customer {customer_id} refused a curated box: {detail}")]
    HistoryDisagrees { customer_id: String, detail: String },
}
