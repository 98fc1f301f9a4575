//! # Reporting
//!
//! Reporting is the read side of Bookbox (CQRS): materialized views, built from the messages
//! other contexts publish, that answer the business's questions ("this customer has a lifetime
//! value of over $800"; "SELECT state, count(*) FROM orders GROUP BY state, over and over").
//! It owns no business decision and publishes nothing; it owns its read models, in its own
//! store, and answers every query from them, never by asking another context. So a report
//! keeps answering while orders, billing or inventory are stopped, with what it last heard.
//!
//! ## The read models
//!
//! | question | from | aggregates (streams) |
//! |---|---|---|
//! | orders and revenue by US state of the shipping address | orders' `box-order`, `order-ended` | `state-sales-<state>` |
//! | customer lifetime value (captured minus refunded, per payer); customers over an amount | billing's `payment-captured`, `payment-refunded` | `customer-value-<customer id>` |
//! | stock by book and warehouse | inventory's `book-availability` | `book-stock-<isbn>` |
//! | orders by end state per month | orders' `order-ended` (and `box-order` once ended) | `monthly-outcomes-<YYYY-MM>` |
//!
//! Beside them, `order-record-<order id>` joins what orders and billing say of each order and is
//! where each order's facts are deduplicated, and small sharded directories
//! (`state-directory-0`, `month-directory-0`, `customer-directory-<0..15>`,
//! `book-directory-<0..9>`) list the rows, since an event store lists no streams. Every
//! aggregate is small and keyed by what it counts, so no stream takes every message: an order
//! touches its own record, one state, one month and one payer.
//!
//! Reporting records what it learns as its own events (`order-recorded`,
//! `order-end-recorded`, `value-attributed`, `stock-recorded`, ...), so each model is rebuilt
//! by replaying reporting's log; and, since applying a message is a pure function of the
//! models and the message ([`ports::ReadModels::apply`]), by replaying the producers' published
//! logs too, up to any time (kappa: the same log serves live updates and rebuilds).
//!
//! ## Counting rules
//!
//! - **An order counts once in its state's `orders`**, when reporting first sees it (any
//!   `box-order` or `order-ended`), in the state of its shipping address as first seen.
//! - **Revenue is recognized when an order ends.** The first message showing the order ended
//!   (`box-order` with `ended: true`, or `order-ended`; orders publishes both in one commit)
//!   counts it in its state's `ended`, and its money, as orders reports it then, in `captured`
//!   and `refunded`; revenue is captured minus refunded. By orders' contract those figures are
//!   final: an order whose money is still settling has not ended. The second message of the
//!   pair, or either one again, counts nothing. An open order has no revenue yet.
//! - **Lifetime value is billing's money, as it moves, per payer** (who paid, which differs
//!   from who receives a gift). A capture counts when billing captures (once per order, naming
//!   the payer); a refund when billing refunds, by the order's running `refunded_total`, so a
//!   repeated or overtaken refund counts nothing. A refund that overtakes its capture waits in
//!   the order record until the capture names the payer. Whether the order ended does not
//!   matter. Disputes are not in it (the brief's definition is captured minus refunded).
//!   So once every order has ended and every message arrived, revenue over all states equals
//!   lifetime value over all payers.
//! - **Orders by end state** count each ended order once, under the month of its box (the
//!   order's `month`, not when it ended) and its end state.
//! - **Stock** is inventory's latest word per book: a `book-availability` whose `version` is
//!   not above the one held is a repeat or stale and records nothing.
//!
//! Each rule holds whatever order the messages of different producers arrive in, and however
//! often: every handler is idempotent by the message's content, not only by its id (state
//! transfer republishes the same facts under new ids).
//!
//! ## Upstreams
//!
//! Reporting is a **conformist** to orders, billing and inventory: it reports in their terms
//! (end states, money in cents, warehouse names) and reinterprets nothing, as a report must.
//! Its tolerant readers ([`ports::incoming`]) take only the fields it uses and ignore the rest.
//!
//! ## Entry points
//! - [`ReportingContext`]: the [`kernel::context::BoundedContext`] the runtime hosts (no commands);
//! - [`ports::queries`]: its queries, each a type with its own answer type, and the views they
//!   answer with; [`ports::ReadModels`], the same read models in memory, for rebuilds, which
//!   answer the same queries ([`ports::ReadModelQuery`], any of them);
//! - [`CONTEXT`]: the declaration.
//!
//! **Architecture invariant:** the domain (`domain`, private) is pure, and reporting's
//! aggregates cannot read a clock or draw an id (`ReadModel::record` takes none), so the live
//! store and a rebuild in memory hold the same states after the same messages.

mod domain;

pub mod application;
pub mod ports;
pub mod published;

pub use application::ReportingContext;

use kernel::context::{ContextDescriptor, MessageError, Relationship, Upstream};
use kernel::inbox::Inbox;
use serde_json::value::RawValue;

use domain::facts::Fact;

/// Reporting's declaration: what it consumes, and how it relates to its upstreams.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "reporting",
    purpose: "Owns the read side: materialized views built from other contexts' messages (orders and revenue by \
              state, customer lifetime value, stock by book and warehouse, orders by end state per month), \
              answered from its own store.",
    publishes: &[],
    consumes: <ReportingContext as kernel::inbox::Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[
        Upstream { context: "orders", relationship: Relationship::Conformist },
        Upstream { context: "billing", relationship: Relationship::Conformist },
        Upstream { context: "inventory", relationship: Relationship::Conformist },
    ],
};

/// Reads a payload as the inbox's handler `handler_id` reads it, into the fact it tells. Wired
/// here, at the crate root, so a rebuild ([`ports::ReadModels`]) reads through the live
/// context's own inbox entries without the ports depending on the application.
fn read_fact(handler_id: &str, data: &RawValue) -> Result<Fact, MessageError> {
    ReportingContext::read_as(handler_id, data)
}
