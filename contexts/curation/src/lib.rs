//! # Curation
//!
//! Curation owns the monthly selection (the books curators chose for a month) and the
//! matching of books to each subscriber's preferences: for every box that comes due, it picks
//! the plan's number of books, never one the subscriber already received, and records what
//! each customer has received.
//!
//! ## Aggregates, and why these boundaries
//!
//! - **`MonthlySelection`** (stream `monthly-selection-<YYYY-MM>`): drafted freely, finalized
//!   once; after that it never changes, so every box of the month draws from the same list.
//! - **`CuratedBox`** (stream `curated-box-<subscription id>-<YYYY-MM>`): one per
//!   subscription and month, so curating the same box twice has no second effect whatever the
//!   message ids. Curated is final; failed records why and may be retried by an operator.
//! - **`ReadingHistory`** (stream `reading-history-<customer id>`): the books a customer
//!   received, written in the same unit of work as the box, so a book is never sent twice.
//! - **`CustomerReplica`** (`customer-replica-<customer id>`) and **`BookReplica`**
//!   (`book-replica-<isbn>`): curation's replicas of customers' and inventory's state
//!   transfer. Event-sourced in curation's own store: they survive restarts, and curation keeps
//!   curating while customers or inventory are stopped. A stale message (a lower `version` than
//!   held) never overwrites newer state.
//!
//! ## The curator
//!
//! A pure, deterministic domain service (`domain::curator`). A book is suitable when it is in
//! the month's finalized selection, available in stock (the replica's `available > 0`), not
//! already received, and shares a genre with the subscriber's preferences (no stated
//! preference: any genre). Ties are broken by most genres in common, then most copies
//! available, then ISBN order. Fewer suitable books than the plan needs, no finalized
//! selection, or no profile replica yet: the box fails, and `box-curation-failed` says why.
//!
//! ## Upstreams
//!
//! Curation is downstream of customers, inventory and subscriptions, and translates each of
//! their messages into its own model in an anticorruption layer (`application::anticorruption`):
//! tolerant readers of the published language, no producer crate, and only what curation
//! needs (not a customer's name or email).

mod application;
mod domain;
pub mod ports;
pub mod published;

pub use application::CurationContext;

use kernel::context::{ContextDescriptor, Relationship, Upstream};

/// Curation's declaration: what it publishes and consumes, and how it relates to its upstreams.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "curation",
    purpose: "Owns the monthly selection of books and the matching of books to each subscriber's genre \
              preferences, never repeating a book a subscriber already received.",
    publishes: &[&published::BOX_CURATED, &published::BOX_CURATION_FAILED],
    consumes: <CurationContext as kernel::inbox::Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[
        Upstream { context: "customers", relationship: Relationship::AnticorruptionLayer },
        Upstream { context: "inventory", relationship: Relationship::AnticorruptionLayer },
        Upstream { context: "subscriptions", relationship: Relationship::AnticorruptionLayer },
    ],
};
