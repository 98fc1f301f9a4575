//! # Billing
//!
//! Billing owns what payers are charged and what happens to that money after: the tries of the
//! card and their retries ("the customer's card failed, so we need to try charging it again"),
//! receipts ("a receipt for last month's box"), refunds ("we refunded the customer because the
//! books arrived damaged") and disputes ("the customer is disputing the charge, we need to
//! respond").
//!
//! ## Aggregates, and why these boundaries
//!
//! - **`Payment`** (stream `payment-<order id>`): one order's charge and every movement of its
//!   money. Keyed by the order, so "no order charged twice" needs no index: a second
//!   `charge-payment` lands on the same stream and has no effect. Its invariants: captured at
//!   most once and then for exactly the order's amount; refunds plus charge-backs plus money
//!   held by an open dispute never exceed what was captured. A **`Dispute`** is an entity
//!   inside it, not an aggregate, because its outcome moves money those invariants govern.
//! - **`Receipt`** (stream `receipt-<receipt id>`): the document issued on capture, in the same
//!   unit of work. It never changes once issued.
//!
//! ## The gateway, and retries on two clocks
//!
//! Charging goes through the [`ports::PaymentGateway`] port, the context's only outside
//! interaction; the runtime passes in an adapter (`Billing::new(gateway)`). The domain stays
//! pure: the application asks the `Payment` whether a call is due, calls the gateway, and lets
//! the `Payment` decide what the answer means. A declined card is tried again on later days (day
//! 1 and day 3: three tries in all, then `payment-failed`); a gateway that does not answer is not
//! a decline and is called again within minutes, at most five times per try, after which the
//! try counts as failed (so an outage cannot hold a payment forever). The waits are durable
//! deadlines on the kernel's clock, so a simulation runs them in no time and a restart loses
//! none. Each call carries an idempotency key per try, so a call repeated after a failed commit
//! cannot charge the card twice. See `domain::retry_policy` for the numbers.
//!
//! ## Messages
//!
//! `charge-payment` and `refund-payment` are billing's published language (kind command),
//! consumed by its own handlers (`billing.on-…`, stable ids) and answered with
//! `payment-captured`, `payment-declined` (a try failed, another is scheduled), `payment-failed`,
//! `payment-refunded`. Shipping's `shipment-damaged` refunds the orders it names
//! (choreography: shipping does not know billing). Disputes are direct commands
//! ([`ports::BillingCommand`]), announced by `dispute-opened` and `dispute-resolved`.
//!
//! ## Receipts by claim check
//!
//! The receipt document stays in billing's store; `receipt-issued` (an event notification)
//! carries only its link, `/bookbox/billing/receipts/<id>`. The link resolves through
//! billing's query port for the contexts [`application::RECEIPT_ACCESS`] allows (customers,
//! reporting) and for the operator; anyone else is refused before anything is read.

mod domain;

pub mod application;
pub mod ports;
pub mod published;

pub use application::Billing;

use kernel::context::{ContextDescriptor, Relationship, Upstream};

/// Billing's declaration: what it publishes (the commands it accepts included) and consumes.
pub static CONTEXT: ContextDescriptor = ContextDescriptor {
    name: "billing",
    purpose: "Owns what payers are charged: tries of the card and their retries, receipts, refunds and disputes.",
    publishes: &[
        &published::CHARGE_PAYMENT,
        &published::REFUND_PAYMENT,
        &published::PAYMENT_CAPTURED,
        &published::PAYMENT_DECLINED,
        &published::PAYMENT_FAILED,
        &published::PAYMENT_REFUNDED,
        &published::DISPUTE_OPENED,
        &published::DISPUTE_RESOLVED,
        &published::RECEIPT_ISSUED,
    ],
    consumes: <Billing as kernel::inbox::Inbox>::SUBSCRIPTIONS,
    sends: &[],
    upstreams: &[Upstream { context: "shipping", relationship: Relationship::AnticorruptionLayer }],
};
