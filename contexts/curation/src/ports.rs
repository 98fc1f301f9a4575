//! Curation's inbound ports: the commands and queries it answers, and what it answers.
//! Each command is a type of its own here, naming its reply; each query is one in
//! [`queries`], naming its answer.
//!
//! Commands carry what a caller typed; the application parses each field, and a field that
//! does not parse is refused with [`CurationError::InvalidInput`] naming it. Most of
//! curation's work is not commanded at all: it reacts to `box-due` messages. The queries are
//! what an operator (or an end-to-end test) asks of that work: which books a box got, what a
//! customer has received, and what curation currently knows of customers and books.

use serde::{Deserialize, Serialize};

/// Propose the month's books; may be redone until finalized. Answers the month's selection
/// as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSelection {
    pub month: String,
    pub isbns: Vec<String>,
}

/// Fix the month's books for good (ISBN-13s, digits only); boxes are curated from them.
/// Answers the month's selection as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalizeSelection {
    pub month: String,
    pub isbns: Vec<String>,
}

/// Try again a box whose curation failed (e.g. once the month's selection is finalized).
/// Answers the box as it now stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryCuration {
    pub subscription_id: String,
    pub month: String,
}

/// Questions to curation, each with the type of its answer.
pub mod queries {

    use serde::{Deserialize, Serialize};

    /// The box of a subscription for a month (curated, or failed with why).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CuratedBox {
        pub subscription_id: String,
        pub month: String,
    }

    /// Every book a customer has received, by month.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ReceivedBooks {
        pub customer_id: String,
    }

    /// The selection of a month.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct Selection {
        pub month: String,
    }

    /// What curation holds of a customer's profile (to check replication).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct CustomerReplica {
        pub customer_id: String,
    }

    /// What curation holds of a book (to check replication).
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct BookReplica {
        pub isbn: String,
    }
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
