//! What a box order is asked to do, what it hears back from the contexts it asks, and why it
//! may refuse.

use std::fmt;

use crate::domain::box_order::patience::{Attempt, Step};
use crate::domain::box_order::shipment::{ParcelError, ShipmentPart, ShipmentRequest};
use crate::domain::box_order::{EndState, Status, Terms};
use crate::domain::ids::{OrderId, PaymentId, ShipmentId};
use crate::domain::money::Money;
use crate::domain::text::{Label, Reason};
use crate::domain::warehouse::Warehouse;

/// A command to one box order.
#[derive(Debug, Clone, PartialEq)]
pub enum BoxOrderCommand {
    /// Opens the order for a curated box and starts the process: reserve the books.
    Place { order_id: OrderId, terms: Terms },
    /// Takes an answer from inventory, billing or shipping into account.
    HandleAnswer { answer: Answer },
    /// The deadline of a wait has passed: ask again, or give up and compensate. A deadline
    /// for a wait the order is no longer in is stale and changes nothing.
    HandleTimeout { step: Step, attempt: Attempt },
    /// The customer cancels: allowed until the shipment is requested.
    Cancel { reason: Reason },
    /// Travels with `partner` in one parcel, `shipment_id` (see [`crate::domain::combination`]).
    Combine { partner: OrderId, shipment_id: ShipmentId },
    /// Requests the order's shipment on its own: its partner dropped out (or it has none).
    ShipAlone,
    /// Requests the shared shipment of this order and its partner, which is charged and waiting.
    ShipTogether { partner: ShipmentPart },
    /// Takes part in the shipment the partner requested for both.
    JoinShipment { request: ShipmentRequest },
}

/// An answer from another context, in orders' own terms (the anticorruption layer translates
/// each message into one). Answers are facts: the order cannot refuse them, only decide what
/// they mean for it, which is sometimes nothing (an answer that comes twice, or too late).
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    StockReserved {
        warehouse: Warehouse,
    },
    StockReservationRejected {
        warehouse: Warehouse,
        reason: Reason,
    },
    ReservationReleased {
        warehouse: Warehouse,
    },
    ReservedStockShipped {
        warehouse: Warehouse,
    },
    PaymentCaptured {
        payment_id: PaymentId,
        amount: Money,
    },
    /// Final: billing has no more tries.
    PaymentFailed {
        reason: Reason,
    },
    /// `refunded_total`: everything billing has refunded for the order so far.
    PaymentRefunded {
        refunded_total: Money,
    },
    ShipmentDispatched {
        shipment_id: ShipmentId,
        carrier: Label,
        tracking_number: Label,
    },
    ShipmentDelivered {
        shipment_id: ShipmentId,
    },
    /// Back at Bookbox after the carrier's last failed attempt.
    ShipmentReturned {
        shipment_id: ShipmentId,
    },
    /// Damaged in transit and recorded as lost.
    ShipmentDamaged {
        shipment_id: ShipmentId,
        insurance_claim: Money,
    },
}

/// Why a box order refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoxOrderError {
    #[error("the order was never placed")]
    NotPlaced,
    #[error("the order was already placed")]
    AlreadyPlaced,
    #[error("the order cannot be cancelled: {0}")]
    CannotCancel(CancelRefusal),
    #[error(
        "the order is {status}: orders can be combined only while they hold their books and their payment is \
         pending (before a shipment is requested)"
    )]
    NotCombinable { status: Status },
    #[error("the order is already combined with order {partner}")]
    AlreadyCombined { partner: OrderId },
    #[error("an order cannot be combined with itself")]
    CombinedWithItself,
    #[error("the order is {status}: only a charged order waiting for its shipment can request one")]
    NotReadyToShip { status: Status },
    #[error("the order is not combined with order {0}")]
    NotCombinedWith(OrderId),
    #[error("shipment {0} is not the order's combined shipment")]
    ForeignShipment(ShipmentId),
    #[error(transparent)]
    Parcel(#[from] ParcelError),
}

/// Why a cancellation comes too late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelRefusal {
    /// The warehouse is preparing the parcel; shipping has no way to stop it.
    ShipmentRequested {
        shipment_id: ShipmentId,
    },
    /// The parcel is with the carrier.
    Shipped {
        carrier: Label,
        tracking_number: Label,
    },
    /// The order's outcome was already decided.
    AlreadyEnding(EndState),
    AlreadyEnded(EndState),
}

impl fmt::Display for CancelRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ShipmentRequested { shipment_id } => write!(
                f,
                "shipment {shipment_id} was requested and the warehouse is preparing it; once it arrives, return it \
                 for a refund"
            ),
            Self::Shipped { carrier, tracking_number } => write!(
                f,
                "it has shipped ({carrier}, tracking number {tracking_number}); once it arrives, return it for a \
                 refund"
            ),
            Self::AlreadyEnding(outcome) => write!(f, "it is already being closed as {outcome}"),
            Self::AlreadyEnded(end_state) => write!(f, "it has already ended as {end_state}"),
        }
    }
}
