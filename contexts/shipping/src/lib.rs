//! # Shipping
//!
//! Shipping owns getting a box to the customer's door: **shipments** (one parcel, carrying one
//! order or several combined to the same address), the **carrier** that takes each parcel, the
//! **delivery attempts** ("delivery failed, no one home"), the return of a parcel nobody
//! received, **damage in transit** ("record it as lost") and the **insurance policy** a parcel
//! travels under (the seed's ambiguous "policy", in shipping's sense: shipping insurance,
//! whose claim is the insured value).
//!
//! ## Entry points
//! - [`application::Shipping`]: the [`kernel::context::BoundedContext`] the runtime hosts,
//!   built with the [`ports::Carrier`] it ships through;
//! - [`ports`]: the carrier port, the commands ([`ports::ShippingCommand`]), the queries
//!   ([`ports::queries`], each with the type of its answer), views and the reasons a command
//!   is refused ([`ports::ShippingError`], naming the field);
//! - [`published`]: `request-shipment` (the command it accepts) and the five events it
//!   answers with;
//! - [`CONTEXT`]: the declaration.
//!
//! ## A shipment's life
//! Orders sends `request-shipment` (choosing the shipment id, so a combined shipment is one
//! request for several orders). Shipping accepts it and hands the parcel to the carrier in the
//! same unit of work (`shipment-dispatched`). Two days later a durable deadline asks the
//! carrier how the first delivery attempt went: delivered (`shipment-delivered`), no one home
//! (`delivery-failed`, and again a day later, three attempts in all, then
//! `shipment-returned`), or damaged in transit (`shipment-damaged`: recorded as lost, the
//! insured value claimed). Inventory and billing react to the damage by choreography;
//! shipping knows neither. The rules live in the `Shipment` aggregate (see its module docs);
//! the carrier calls in the application, the only place that talks to the outside.
//!
//! ## Idempotency, end to end
//! - A redelivered message is stopped by the inbox; the same request under a new message id is
//!   stopped by the `Shipment` (same id, same terms: nothing new; other terms: refused).
//! - An order ships at most once: each order has an `OrderShipment` aggregate that its
//!   shipment claims in the unit of work that creates it (optimistic concurrency settles
//!   races).
//! - A carrier call may be repeated after a crash; the port's contract makes the carrier
//!   answer a repeat as it answered the first (dispatch is idempotent per shipment id).
//!
//! ## Failures of the carrier
//! A failed call is not an attempt: it is retried on a durable deadline after an exponential
//! backoff with jitter (10 minutes doubling, capped at 6 hours), up to 8 retries in a row,
//! about a day. Then the shipment **stalls**: no more calls, listed by the
//! `stalled-shipments` query, until an operator sends `resume-shipment`, which grants a fresh
//! round of retries and makes the call at once.
//!
//! **Architecture invariant:** the domain (`domain`, private) is pure: no I/O, no clock, no
//! randomness; time and ids come through the unit of work, the carrier's answers in commands.
//! The crate depends on no other context.

mod domain;

pub mod application;
pub mod ports;
pub mod published;

pub use application::Shipping;

use kernel::context::ContextDescriptor;

/// Shipping's declaration: what it publishes (the command it accepts included) and consumes.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "shipping",
    purpose: "Owns shipments: dispatching parcels through a carrier, delivery attempts, returns, damage in transit \
              and the shipping insurance claim.",
    publishes: &[
        &published::REQUEST_SHIPMENT,
        &published::SHIPMENT_DISPATCHED,
        &published::DELIVERY_FAILED,
        &published::SHIPMENT_DELIVERED,
        &published::SHIPMENT_RETURNED,
        &published::SHIPMENT_DAMAGED,
    ],
    consumes: <Shipping as kernel::inbox::Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[],
};
