//! What happened to a box order: each step it took (a request to another context), each
//! answer it heard, each deadline that passed, and how it ended. Replaying them rebuilds the
//! order; reading them tells its story.

use kernel::{DomainEvent, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::box_order::patience::{Attempt, Step};
use crate::domain::box_order::shipment::ShipmentRequest;
use crate::domain::box_order::{EndState, Terms};
use crate::domain::ids::{OrderId, PaymentId, RefundId, ShipmentId};
use crate::domain::money::Money;
use crate::domain::text::{Label, Reason};
use crate::domain::warehouse::Warehouse;

/// `…Requested` events are the commands the order sends (the application sends each one in
/// the same commit); `until` is when the order stops waiting for the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoxOrderEvent {
    Placed {
        order_id: OrderId,
        terms: Terms,
    },
    /// `reserve-stock` sent to inventory.
    StockReservationRequested {
        warehouse: Warehouse,
        attempt: Attempt,
        until: Timestamp,
    },
    StockReserved {
        warehouse: Warehouse,
    },
    StockReservationRejected {
        warehouse: Warehouse,
        reason: Reason,
    },
    /// `charge-payment` sent to billing.
    PaymentRequested {
        amount: Money,
        attempt: Attempt,
        until: Timestamp,
    },
    PaymentCaptured {
        payment_id: PaymentId,
        amount: Money,
    },
    PaymentFailed {
        reason: Reason,
    },
    /// Cancelled while a charge was pending: the order waits for billing's answer (until the
    /// charge's own deadline) to refund the payment if it is captured.
    PaymentOutcomeAwaited {
        attempt: Attempt,
        until: Timestamp,
    },
    CombinedForShipment {
        partner: OrderId,
        shipment_id: ShipmentId,
    },
    /// `request-shipment` sent to shipping.
    ShipmentRequested {
        request: ShipmentRequest,
        attempt: Attempt,
        until: Timestamp,
    },
    /// The partner sent the shared `request-shipment`, for both orders.
    ShipmentJoined {
        request: ShipmentRequest,
        until: Timestamp,
    },
    ShipmentDispatched {
        carrier: Label,
        tracking_number: Label,
        until: Timestamp,
    },
    /// `ship-reservation` sent to inventory: the reserved copies left with the parcel.
    StockShipmentRequested,
    ShipmentDelivered,
    ShipmentReturned,
    ShipmentDamaged {
        insurance_claim: Money,
    },
    /// A deadline passed with no answer.
    AnswerOverdue {
        step: Step,
        attempt: Attempt,
    },
    /// The order will end as `outcome`; what it did so far is being compensated.
    OutcomeDecided {
        outcome: EndState,
        reason: Reason,
    },
    /// `release-reservation` sent to inventory.
    ReservationReleaseRequested,
    ReservationReleased {
        warehouse: Warehouse,
    },
    ReservedStockShipped {
        warehouse: Warehouse,
    },
    /// `refund-payment` sent to billing, for money not asked back before. `until` is absent
    /// when nothing waits for the answer (a payment refunded after the order ended, or one
    /// captured twice).
    RefundRequested {
        refund_id: RefundId,
        amount: Money,
        reason: Reason,
        until: Option<Timestamp>,
    },
    /// Every refund the order asked for is asked again, as it was (same refund id, so billing
    /// refunds each once): billing has not confirmed them in time.
    RefundRequestRepeated {
        attempt: Attempt,
        until: Timestamp,
    },
    /// The order waits for a refund it does not ask for (now): billing refunds damaged
    /// shipments on its own (it reacts to `shipment-damaged`), and a refund asked earlier
    /// may still be on its way. If none comes in time, the order asks.
    RefundExpected {
        amount: Money,
        until: Timestamp,
    },
    PaymentRefunded {
        refunded_total: Money,
    },
    Ended {
        end_state: EndState,
        reason: Option<Reason>,
    },
}

impl DomainEvent for BoxOrderEvent {}
