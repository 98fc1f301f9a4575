//! # customers
//!
//! The customers bounded context of Bookbox owns **who the customers are**: each customer's
//! profile (name, contact email, US shipping address) and their genre preferences, chosen
//! from the fixed list of genres this context owns. "Email" here means the contact address on
//! a profile (not a message sent: that is other contexts' business).
//!
//! ## Entry points
//! - [`Customers`]: the [`kernel::context::BoundedContext`] the runtime hosts (the only public
//!   item of the private `application` layer);
//! - [`ports`]: its commands ([`ports::CustomersCommand`]), queries, replies and the reasons it
//!   refuses a command ([`ports::CustomersError`], naming the field and the reason);
//! - [`published`]: the `customer-profile` v1 message, state transfer on every change, with
//!   its personal-data fields declared;
//! - [`CONTEXT`]: the declaration (publishes `customer-profile` v1, consumes nothing).
//!
//! ## Email uniqueness: a rule across aggregates
//! No two customers may share an email address, compared ignoring case after normalization
//! (see the email value object: trimmed, domain lowercased, local part kept as typed). A
//! `Customer` aggregate cannot check a rule over all customers, and looking before writing
//! races. So every mailbox has its own aggregate, an `EmailClaim` (stream
//! `email-claim-<lowercased address>`), that a customer must claim:
//! - **register** claims the mailbox and registers the customer in *one* unit of work;
//! - **change email** lets the customer decide (it records the previous address), then claims
//!   the new mailbox and releases the old one, in the same unit of work; a change of letter
//!   case only is the same mailbox and keeps its claim;
//! - the unit of work commits every stream it touched atomically, each at the version it was
//!   loaded at (optimistic concurrency). Of two commands racing for one mailbox, the second to
//!   commit fails its version check, is retried, finds the claim held and is refused with
//!   [`ports::CustomersError::EmailAlreadyRegistered`].
//!
//! So a claim is held exactly by the customer whose profile carries that address; the
//! claim is also what the "customer by email" query reads.
//!
//! **Architecture invariant:** the domain (`domain`, private) is pure: no I/O, no clock, no
//! randomness; ids and time come through the unit of work. The crate depends on no other
//! context: others learn about customers only from `customer-profile` messages.

mod application;
mod domain;

pub mod ports;
pub mod published;

pub use application::Customers;

use kernel::context::ContextDescriptor;

/// The customers context's declaration.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "customers",
    purpose: "Owns customer profiles: name, unique contact email, US shipping address and genre preferences.",
    publishes: &[&published::CUSTOMER_PROFILE],
    consumes: &[],
    sends: &[],
    upstreams: &[],
};
