//! # subscriptions
//!
//! The subscriptions bounded context of Bookbox owns **who gets a box each month, on which
//! plan, paid by whom**: subscriptions to a plan (1, 2 or 3 books a month at a monthly price),
//! gifts of N months from one customer to another, pausing, resuming, cancelling and
//! restarting from next month, and the monthly cycle. Here a "box" is a subscription cycle:
//! one subscription's box for one month (a physical shipment is the orders context's
//! meaning of the word).
//!
//! ## Entry points
//! - [`Subscriptions`]: the [`kernel::context::BoundedContext`] the runtime hosts (the only public
//!   item of the private `application` layer);
//! - [`ports`]: its commands ([`ports::SubscriptionsCommand`], answering the subscription, and
//!   [`ports::StartCycle`], answering a [`ports::CycleReport`]), its queries
//!   ([`ports::queries`], each with the type of its answer), and the reasons it refuses a
//!   command ([`ports::SubscriptionsError`]);
//! - [`published`]: the `box-due` v1 domain event, one per subscription and month;
//! - [`CONTEXT`]: the declaration (publishes `box-due` v1, consumes nothing).
//!
//! ## Rules across aggregates, and how they are kept
//! - **One current subscription per customer.** Each customer has a `Subscriber` aggregate
//!   holding their current (active or paused) subscription id. Subscribing, receiving a gift
//!   and restarting claim it; cancelling and a gift's end release it. The claim is written in
//!   the same unit of work as the subscription, and the unit of work commits every stream it
//!   touched atomically, each at the version it was loaded at: of two subscriptions racing
//!   for one customer, the second commit fails its version check, is retried, and is refused
//!   with [`ports::SubscriptionsError::AlreadySubscribed`].
//! - **Every live subscription, without I/O.** A `SubscriptionRoster` aggregate lists the live
//!   subscriptions; it is updated in the same unit of work as each start and end, so a cycle
//!   reads it instead of scanning the store.
//! - **A month runs once.** A `Cycle` aggregate per month records that the month was started;
//!   starting it again does nothing. Independently, each subscription records the months its
//!   box fell due and never falls due twice for a month, so at most one `box-due` is ever
//!   published per subscription and month.
//!
//! A cycle walks every live subscription in one unit of work. That is correct, and fine for
//! ten thousand subscriptions; if it ever is not, the cycle can proceed in batches, each
//! subscription's own month record keeping it exactly-once.
//!
//! Subscriptions consumes no message: a subscriber is a customer id taken as given (checking
//! it would need a replica of customers, which nothing here needs yet).
//!
//! **Architecture invariant:** the domain (`domain`, private) is pure: no I/O, no clock, no
//! randomness; "this month" is read from the time the unit of work gives each decision. The
//! crate depends on no other context.

mod application;
mod domain;

pub mod ports;
pub mod published;

pub use application::Subscriptions;

use kernel::context::ContextDescriptor;

/// The subscriptions context's declaration.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "subscriptions",
    purpose:
        "Owns subscriptions: plans, gifts, pause/resume/cancel/restart, and the monthly cycle that makes boxes due.",
    publishes: &[&published::BOX_DUE],
    consumes: &[],
    sends: &[],
    upstreams: &[],
};
