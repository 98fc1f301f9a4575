//! # Orders
//!
//! Orders owns the **box order**: one curated box on its way to the customer's door (here a
//! "box" is a physical shipment; in subscriptions it is a subscription cycle), its checkout
//! (the charge), its cancellation, and the combining of two boxes into one parcel. It does
//! not own stock, money or parcels: it asks inventory, billing and shipping for them, and a
//! **process manager** decides each next step from their answers.
//!
//! ## The process manager
//!
//! Each order is a `BoxOrder` aggregate (stream `box-order-<order id>`), event-sourced like
//! any other: its events record each request it sent, each answer it heard, each deadline
//! that passed, the outcome it decided and how it ended. From a curated box it reserves the
//! books (at the warehouse nearest the address first: Dallas for the Census Bureau's South and
//! West regions, Chicago for the rest), charges the payer the plan's monthly price, requests
//! the shipment, asks inventory to ship the reservation once the parcel is dispatched, and
//! ends delivered; or it compensates what it did and ends cancelled, failed or refunded. The
//! full state table is in `domain::box_order`; the waits and their bounds in
//! `domain::box_order::patience`.
//!
//! - **Every order ends**, in exactly one end state. Every wait has a durable deadline
//!   (`UnitOfWork::schedule`): when it passes unanswered, the order asks again (its
//!   recipients are idempotent by order id or shipment id) up to a bound, then compensates.
//!   The only wait without its own deadline is a combined order's wait for its partner's
//!   charge, which the partner's own deadlines bound.
//! - **Late and repeated answers** never move an order back: they are ignored, or undone
//!   when they reveal something to undo (stock reserved after the order gave up is released;
//!   a payment captured when it is no longer wanted is refunded). A reservation is tried at
//!   the other warehouse only once every request sent to the first was rejected: a retry
//!   still on its way could reserve there.
//! - **Refunds** carry a refund id chosen by the order (billing's optional `refund_id`), so
//!   asking again after a deadline refunds once.
//! - **End states** say why the order ended: `delivered`; `cancelled` (by the customer,
//!   before the shipment was requested, whether or not a charge was refunded); `failed` (no
//!   stock, payment failed, a context stopped answering); `refunded` (the parcel left but was
//!   returned, damaged or lost, and the money went back). `captured` and `refunded` say what
//!   happened to the money.
//! - **Cancelling** is allowed until the shipment is requested (shipping has no command to
//!   stop a parcel being prepared); after that it is refused, naming the shipment or the
//!   tracking number, and the way out is a return.
//! - **Damage** is handled by choreography: billing refunds a damaged shipment on its own, so
//!   the order waits for that refund and asks for it only if it does not come in time.
//! - **Combining** two orders (same address, same month) is allowed while both hold their
//!   books in the same warehouse and await their payment; the second to be charged requests
//!   one parcel for both, and an order whose partner drops out ships alone.
//!
//! ## Aggregates besides the process manager
//!
//! `BoxIntake` (`box-intake-<box id>`): one box makes one order, whatever message ids it
//! arrives under. `CustomerOrders` (`customer-orders-<customer id>`): the orders a customer
//! receives or pays for, for queries. `StatusBoard` (`order-status-board-all`): the orders in
//! each status, for an operator. Each is written in the same unit of work as the order.
//!
//! ## Entry points
//! - [`application::Orders`]: the [`kernel::context::BoundedContext`] the runtime hosts;
//! - [`ports`]: its commands (cancel, combine), queries (an order, a box's order, a
//!   customer's orders, counts by status), replies and refusals;
//! - [`published`]: `box-order` v1 (state transfer) and `order-ended` v1 (domain event);
//! - [`CONTEXT`]: the declaration.
//!
//! **Architecture invariant:** the domain (`domain`, private) is pure: no I/O, no clock, no
//! randomness; time and new ids come with each decision. The crate depends on no other
//! context: it reads their messages through its own tolerant readers
//! (`application::anticorruption`) and writes its own model of the commands it sends
//! (`application::outgoing`).

mod domain;

pub mod application;
pub mod ports;
pub mod published;

use kernel::context::{ContextDescriptor, Relationship, Upstream};

/// Orders' declaration: what it publishes, consumes and sends, and how it relates upstream.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "orders",
    purpose: "Owns box orders: a process manager drives each curated box through reservation, charge and shipment \
              to delivery, compensating what it did when a step fails; cancellation; combining two boxes into one \
              parcel.",
    publishes: &[&published::BOX_ORDER, &published::ORDER_ENDED],
    consumes: <application::Orders as kernel::inbox::Inbox>::SUBSCRIPTIONS,
    sends: &[
        "bookbox.inventory.reserve-stock.v1",
        "bookbox.inventory.release-reservation.v1",
        "bookbox.inventory.ship-reservation.v1",
        "bookbox.billing.charge-payment.v1",
        "bookbox.billing.refund-payment.v1",
        "bookbox.shipping.request-shipment.v1",
    ],
    upstreams: &[
        // Curation's boxes are translated into orders' own terms.
        Upstream { context: "curation", relationship: Relationship::AnticorruptionLayer },
        // The contexts orders asks for stock, money and parcels plan their commands and
        // answers around its needs; orders still reads their answers through its own model.
        Upstream { context: "inventory", relationship: Relationship::CustomerSupplier },
        Upstream { context: "billing", relationship: Relationship::CustomerSupplier },
        Upstream { context: "shipping", relationship: Relationship::CustomerSupplier },
    ],
};
