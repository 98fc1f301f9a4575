//! The `BoxOrder` process manager (stream `box-order-<order id>`): one curated box on its way
//! from the warehouse to the customer's door, or back to where it started.
//!
//! It is an aggregate like any other, event-sourced, but what it decides is the *next step of
//! a process* that spans three other contexts: it sends them commands (each `…Requested`
//! event is one, sent in the same commit), listens to their answers, and waits for each
//! answer with a deadline. It holds every fact it needs to compensate (what it reserved,
//! what was captured, what it asked back), so a late or repeated answer is always judged
//! against what the order really did.
//!
//! # The state machine
//!
//! Stages are what the order waits for; `(n)` is the attempt; every wait but `Charged` has a
//! deadline (see [`patience`]). "Release" asks inventory to release the reservation (by order
//! id, so it covers a request still unanswered); "refund" asks billing, under a refund id of
//! the order's choosing, for what was captured and not yet refunded or asked back.
//!
//! | stage | on | the order | next stage |
//! |---|---|---|---|
//! | — | `Place` | reserves at the warehouse nearest the address | `Reserving(w, 1)` |
//! | `Reserving(w, n)` | stock reserved | charges the payer the plan's monthly price | `Charging(1)` |
//! | `Reserving(w, n)` | rejected, and requests to `w` still unanswered | waits for them | `Reserving(w, n)` |
//! | `Reserving(w, n)` | every request to `w` rejected, other warehouse untried | reserves at the other warehouse | `Reserving(w', 1)` |
//! | `Reserving(w, n)` | every request to both rejected | fails (nothing is held) | `Ended(failed)` |
//! | `Reserving(w, n)` | deadline, n < 3 | asks again | `Reserving(w, n+1)` |
//! | `Reserving(w, 3)` | deadline | releases; fails | `Ended(failed)` |
//! | `Reserving` | `Cancel` | releases | `Ended(cancelled)` |
//! | `Charging(n)` | payment captured | requests its shipment, or waits for its partner | `Shipping(1)` / `Charged` |
//! | `Charging(n)` | payment failed | releases; fails | `Ended(failed)` |
//! | `Charging(n)` | deadline, n < 3 | charges again (billing charges an order once) | `Charging(n+1)` |
//! | `Charging(3)` | deadline | releases; fails | `Ended(failed)` |
//! | `Charging(n)` | `Cancel` | releases; awaits billing's answer | `Settling(cancelled)` |
//! | `Charging` | `Combine` | will share its partner's parcel | `Charging` |
//! | `Charged` | `ShipTogether`, `JoinShipment`, `ShipAlone` | requests the (shared) shipment | `Shipping(1)` |
//! | `Charged` | `Cancel` | releases; refunds | `Settling(cancelled)` |
//! | `Shipping(n)` | shipment dispatched | asks inventory to ship the reservation | `InTransit` |
//! | `Shipping(n)` | deadline, n < 3 | requests again | `Shipping(n+1)` |
//! | `Shipping(3)` | deadline | releases; refunds; fails | `Settling(failed)` |
//! | `Shipping`, `InTransit` | `Cancel` | refuses: the parcel is on its way | — |
//! | `InTransit` | shipment delivered | | `Ended(delivered)` |
//! | `InTransit` | shipment returned | refunds | `Settling(refunded)` |
//! | `InTransit` | shipment damaged | waits for billing's own refund (choreography) | `Settling(refunded)` |
//! | `InTransit` | deadline (21 days) | presumes the parcel lost; refunds | `Settling(refunded)` |
//! | `Settling(o)`, awaiting billing | payment captured | refunds it | `Settling(o)`, awaiting the refund |
//! | `Settling(o)`, awaiting billing | payment failed, deadline | | `Ended(o)` |
//! | `Settling(o)`, awaiting the refund | payment refunded in full | | `Ended(o)` |
//! | `Settling(o)`, awaiting the refund | deadline, n < 3 | asks, or asks again with the same refund ids | `Settling(o)` |
//! | `Settling(o)`, awaiting the refund | deadline, n = 3 | gives up, and says so in the reason | `Ended(o)` |
//!
//! Answers out of turn (twice, or after the order moved on or ended) never move the order
//! back and never end it twice. They are ignored, except where they reveal something to
//! undo: stock reserved after the order gave up is released; a payment captured when the
//! order no longer wants it (after the outcome was decided, or a second one) is refunded.
//! Shipping's news is matched by shipment id, so news of another parcel is not this order's.
//!
//! Once the shipment is requested there is no way back (shipping has no command to stop a
//! parcel being prepared): a cancellation is refused; if shipping never dispatches, the order
//! fails and refunds, and a dispatch heard after that is ignored (an operator's matter).
//!
//! # End states
//!
//! The end state says *why* the order ended; `captured` and `refunded` say what happened to
//! the money. `delivered`: the books arrived. `cancelled`: the customer cancelled before the
//! shipment was requested (whether or not a charge had to be refunded). `failed`: the order
//! could not be fulfilled (no stock, payment failed, a context stopped answering); anything
//! captured is refunded. `refunded`: the parcel left but did not arrive (returned, damaged,
//! presumed lost), and the money went back.

pub mod commands;
mod decide;
pub mod events;
pub mod patience;
pub mod shipment;

#[cfg(test)]
pub(crate) mod tests;

use std::fmt;

use kernel::{Aggregate, Env, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::address::ShippingAddress;
use crate::domain::book::Books;
use crate::domain::ids::{BoxId, CustomerId, OrderId, PaymentId, RefundId, ShipmentId, SubscriptionId};
use crate::domain::money::Money;
use crate::domain::month::Month;
use crate::domain::text::{Label, Reason};
use crate::domain::warehouse::Warehouse;

use self::commands::{BoxOrderCommand, BoxOrderError};
use self::events::BoxOrderEvent;
use self::patience::{Attempt, Step, Wait};
use self::shipment::{ShipmentPart, ShipmentRequest};

/// What the order was placed with: the curated box, in orders' own terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub box_id: BoxId,
    pub subscription_id: SubscriptionId,
    /// Who receives the box.
    pub customer_id: CustomerId,
    /// Who pays for it (the giver, for a gift).
    pub payer_id: CustomerId,
    pub month: Month,
    /// The plan's monthly price: what the payer is charged.
    pub amount: Money,
    pub books: Books,
    pub address: ShippingAddress,
}

/// The status other contexts see (`box-order`'s `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Placed,
    Reserved,
    Charged,
    Shipping,
    Shipped,
    Delivered,
    Cancelled,
    Failed,
    Refunded,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Placed,
        Status::Reserved,
        Status::Charged,
        Status::Shipping,
        Status::Shipped,
        Status::Delivered,
        Status::Cancelled,
        Status::Failed,
        Status::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Placed => "placed",
            Status::Reserved => "reserved",
            Status::Charged => "charged",
            Status::Shipping => "shipping",
            Status::Shipped => "shipped",
            Status::Delivered => "delivered",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
            Status::Refunded => "refunded",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an order ends: exactly one of these, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndState {
    Delivered,
    Cancelled,
    Failed,
    Refunded,
}

impl EndState {
    pub fn status(self) -> Status {
        match self {
            EndState::Delivered => Status::Delivered,
            EndState::Cancelled => Status::Cancelled,
            EndState::Failed => Status::Failed,
            EndState::Refunded => Status::Refunded,
        }
    }
}

impl fmt::Display for EndState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.status().fmt(f)
    }
}

/// Where the order is in its process: what it waits for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Accepted; the first reservation request goes out in the same decision.
    Placed,
    /// Waiting for inventory to reserve the books at `warehouse`; `rejected` of the `attempt`
    /// requests sent there were rejected so far.
    Reserving {
        warehouse: Warehouse,
        attempt: Attempt,
        until: Timestamp,
        rejected: u8,
    },
    /// The books are held; waiting for billing to charge the payer.
    Charging {
        attempt: Attempt,
        until: Timestamp,
    },
    /// Charged; waiting for the combined partner to be charged too, to share one parcel.
    Charged,
    /// Waiting for shipping to dispatch the parcel `request` asked for.
    Shipping {
        request: ShipmentRequest,
        attempt: Attempt,
        until: Timestamp,
    },
    /// With the carrier; waiting to hear how it went.
    InTransit {
        dispatch: Dispatch,
        until: Timestamp,
    },
    /// The outcome is decided; waiting for the money to be settled.
    Settling {
        outcome: EndState,
        reason: Reason,
        awaiting: Option<Settlement>,
    },
    Ended {
        end_state: EndState,
        reason: Option<Reason>,
    },
}

/// What a settling order waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Settlement {
    /// Billing's answer to a charge still pending: captured (then refunded) or failed.
    PaymentOutcome { attempt: Attempt, until: Timestamp },
    /// Billing's confirmation that what was captured was refunded.
    Refund { attempt: Attempt, until: Timestamp },
}

/// What inventory holds for the order, as far as its answers told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Holding {
    Nothing,
    Held(Warehouse),
    Released(Warehouse),
    Shipped(Warehouse),
}

impl Holding {
    pub fn warehouse(self) -> Option<Warehouse> {
        match self {
            Holding::Nothing => None,
            Holding::Held(w) | Holding::Released(w) | Holding::Shipped(w) => Some(w),
        }
    }
}

/// The order's money. Invariant: `refunded <= captured` and `refund_target <= captured`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    captured: Money,
    /// What billing says it refunded in all (billing may refund on its own: a damaged
    /// shipment, a lost dispute).
    refunded: Money,
    /// The refunded total the order asked billing to reach. Each new request asks for more
    /// on top of what was already refunded or asked; a repeated request asks nothing new.
    refund_target: Money,
    /// Every refund the order asked for, as it asked.
    refunds: Vec<RefundAsked>,
    payments: Vec<PaymentId>,
}

/// A refund the order asked billing for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAsked {
    pub refund_id: RefundId,
    pub amount: Money,
    pub reason: Reason,
}

impl Ledger {
    pub fn captured(&self) -> Money {
        self.captured
    }

    pub fn refunded(&self) -> Money {
        self.refunded
    }

    pub fn refund_target(&self) -> Money {
        self.refund_target
    }

    /// Captured and not refunded yet.
    pub fn outstanding(&self) -> Money {
        self.captured.minus(self.refunded)
    }

    /// Captured, not refunded, and not asked back either.
    pub fn unasked(&self) -> Money {
        self.captured.minus(self.refund_target.max(self.refunded))
    }

    pub fn knows(&self, payment_id: PaymentId) -> bool {
        self.payments.contains(&payment_id)
    }

    pub fn refunds_asked(&self) -> &[RefundAsked] {
        &self.refunds
    }

    fn ask_back(&mut self, asked: RefundAsked) {
        self.refund_target = self.refund_target.max(self.refunded).plus(asked.amount);
        self.refunds.push(asked);
    }
}

/// The partner of a combined shipment, and the parcel they will share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Combination {
    pub partner: OrderId,
    pub shipment_id: ShipmentId,
}

/// The carrier's reference for a dispatched parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    pub carrier: Label,
    pub tracking_number: Label,
}

/// The box order: nothing before it is placed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BoxOrder {
    order: Option<Order>,
}

/// A placed box order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    id: OrderId,
    terms: Terms,
    stage: Stage,
    holding: Holding,
    /// A `reserve-stock` is unanswered: inventory may hold books the order does not know of.
    reservation_unanswered: bool,
    /// The warehouses that could not serve the box, and why.
    rejections: Vec<(Warehouse, Reason)>,
    release_requested: bool,
    ship_requested: bool,
    ledger: Ledger,
    combination: Option<Combination>,
    /// The last shipment requested and the parcel's dispatch, kept past their stages: what a
    /// late answer is checked against, and what the views show.
    shipment: Option<ShipmentRequest>,
    dispatch: Option<Dispatch>,
}

impl BoxOrder {
    /// The order, once placed.
    pub fn placed(&self) -> Option<&Order> {
        self.order.as_ref()
    }
}

impl Order {
    pub fn id(&self) -> OrderId {
        self.id
    }

    pub fn terms(&self) -> &Terms {
        &self.terms
    }

    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    pub fn holding(&self) -> Holding {
        self.holding
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn combination(&self) -> Option<Combination> {
        self.combination
    }

    pub fn shipment(&self) -> Option<&ShipmentRequest> {
        self.shipment.as_ref()
    }

    pub fn dispatch(&self) -> Option<&Dispatch> {
        self.dispatch.as_ref()
    }

    pub fn release_requested(&self) -> bool {
        self.release_requested
    }

    pub fn ship_requested(&self) -> bool {
        self.ship_requested
    }

    pub fn reservation_unanswered(&self) -> bool {
        self.reservation_unanswered
    }

    pub fn status(&self) -> Status {
        match &self.stage {
            Stage::Placed | Stage::Reserving { .. } => Status::Placed,
            Stage::Charging { .. } => Status::Reserved,
            Stage::Charged => Status::Charged,
            Stage::Shipping { .. } => Status::Shipping,
            Stage::InTransit { .. } => Status::Shipped,
            Stage::Settling { outcome, .. } => outcome.status(),
            Stage::Ended { end_state, .. } => end_state.status(),
        }
    }

    /// How the order ends or will end, once that is decided.
    pub fn outcome(&self) -> Option<EndState> {
        match &self.stage {
            Stage::Settling { outcome, .. } => Some(*outcome),
            Stage::Ended { end_state, .. } => Some(*end_state),
            _ => None,
        }
    }

    pub fn is_ended(&self) -> bool {
        matches!(self.stage, Stage::Ended { .. })
    }

    /// Why the order ended (or will end), when it did not end delivered.
    pub fn end_reason(&self) -> Option<&Reason> {
        match &self.stage {
            Stage::Settling { reason, .. } => Some(reason),
            Stage::Ended { reason, .. } => reason.as_ref(),
            _ => None,
        }
    }

    /// The one answer the order waits for, and until when.
    pub fn wait(&self) -> Option<Wait> {
        let wait = |step, attempt, until| Some(Wait { step, attempt, until });
        match &self.stage {
            Stage::Reserving { attempt, until, .. } => wait(Step::Reservation, *attempt, *until),
            Stage::Charging { attempt, until } => wait(Step::Payment, *attempt, *until),
            Stage::Shipping { attempt, until, .. } => wait(Step::Shipment, *attempt, *until),
            Stage::InTransit { until, .. } => wait(Step::Delivery, Attempt::FIRST, *until),
            Stage::Settling { awaiting: Some(Settlement::PaymentOutcome { attempt, until }), .. } => {
                wait(Step::Payment, *attempt, *until)
            }
            Stage::Settling { awaiting: Some(Settlement::Refund { attempt, until }), .. } => {
                wait(Step::Refund, *attempt, *until)
            }
            Stage::Placed | Stage::Charged | Stage::Settling { awaiting: None, .. } | Stage::Ended { .. } => None,
        }
    }

    /// The shipment the order travels (or will travel) in.
    pub fn shipment_id(&self) -> Option<ShipmentId> {
        match (&self.shipment, &self.combination) {
            (Some(request), _) => Some(request.shipment_id()),
            (None, Some(combination)) => Some(combination.shipment_id),
            (None, None) => None,
        }
    }

    /// The warehouse holding the order's books, or that shipped them.
    pub fn warehouse(&self) -> Option<Warehouse> {
        match self.holding {
            Holding::Held(w) | Holding::Shipped(w) => Some(w),
            Holding::Nothing | Holding::Released(_) => None,
        }
    }

    /// What the order puts in a parcel, once its books are held.
    pub fn shipment_part(&self) -> Option<ShipmentPart> {
        Some(ShipmentPart {
            order_id: self.id,
            warehouse: self.holding.warehouse()?,
            address: self.terms.address.clone(),
            books: self.terms.books.clone(),
            value: self.terms.amount,
        })
    }

    /// Whether inventory may hold books for the order that no request will take away: held
    /// (or maybe held) and neither released nor shipped.
    pub fn may_hold_stock(&self) -> bool {
        let maybe_held = self.reservation_unanswered || matches!(self.holding, Holding::Held(_));
        maybe_held && !self.release_requested && !self.ship_requested
    }

    fn placed(order_id: OrderId, terms: Terms) -> Self {
        Self {
            id: order_id,
            terms,
            stage: Stage::Placed,
            holding: Holding::Nothing,
            reservation_unanswered: false,
            rejections: Vec::new(),
            release_requested: false,
            ship_requested: false,
            ledger: Ledger::default(),
            combination: None,
            shipment: None,
            dispatch: None,
        }
    }

    /// State transitions only: every rule was applied when the event was decided.
    fn apply(&mut self, event: &BoxOrderEvent) {
        use BoxOrderEvent as E;
        match event {
            E::Placed { .. } => {}
            E::StockReservationRequested { warehouse, attempt, until } => {
                let rejected = match &self.stage {
                    Stage::Reserving { warehouse: w, rejected, .. } if w == warehouse => *rejected,
                    _ => 0,
                };
                self.stage = Stage::Reserving { warehouse: *warehouse, attempt: *attempt, until: *until, rejected };
                self.reservation_unanswered = true;
            }
            E::StockReserved { warehouse } => {
                self.holding = Holding::Held(*warehouse);
                self.reservation_unanswered = false;
            }
            E::StockReservationRejected { warehouse, reason } => {
                self.rejections.retain(|(w, _)| w != warehouse);
                self.rejections.push((*warehouse, reason.clone()));
                if let Stage::Reserving { warehouse: asked, attempt, rejected, .. } = &mut self.stage {
                    if asked == warehouse {
                        *rejected = rejected.saturating_add(1);
                        self.reservation_unanswered = *rejected < attempt.get();
                    }
                }
            }
            E::PaymentRequested { attempt, until, .. } => {
                self.stage = Stage::Charging { attempt: *attempt, until: *until };
            }
            E::PaymentCaptured { payment_id, amount } => {
                self.ledger.captured = self.ledger.captured.plus(*amount);
                self.ledger.payments.push(*payment_id);
                if matches!(self.stage, Stage::Charging { .. }) {
                    self.stage = Stage::Charged;
                }
            }
            E::PaymentFailed { .. } | E::AnswerOverdue { .. } => {}
            E::PaymentOutcomeAwaited { attempt, until } => {
                self.await_settlement(Settlement::PaymentOutcome { attempt: *attempt, until: *until });
            }
            E::CombinedForShipment { partner, shipment_id } => {
                self.combination = Some(Combination { partner: *partner, shipment_id: *shipment_id });
            }
            E::ShipmentRequested { request, attempt, until } => {
                self.shipment = Some(request.clone());
                self.stage = Stage::Shipping { request: request.clone(), attempt: *attempt, until: *until };
            }
            E::ShipmentJoined { request, until } => {
                self.shipment = Some(request.clone());
                self.stage = Stage::Shipping { request: request.clone(), attempt: Attempt::FIRST, until: *until };
            }
            E::ShipmentDispatched { carrier, tracking_number, until } => {
                let dispatch = Dispatch { carrier: carrier.clone(), tracking_number: tracking_number.clone() };
                self.dispatch = Some(dispatch.clone());
                self.stage = Stage::InTransit { dispatch, until: *until };
            }
            E::StockShipmentRequested => self.ship_requested = true,
            E::ShipmentDelivered | E::ShipmentReturned | E::ShipmentDamaged { .. } => {}
            E::OutcomeDecided { outcome, reason } => {
                self.stage = Stage::Settling { outcome: *outcome, reason: reason.clone(), awaiting: None };
            }
            E::ReservationReleaseRequested => self.release_requested = true,
            E::ReservationReleased { warehouse } => self.holding = Holding::Released(*warehouse),
            E::ReservedStockShipped { warehouse } => self.holding = Holding::Shipped(*warehouse),
            E::RefundRequested { refund_id, amount, reason, until } => {
                self.ledger.ask_back(RefundAsked { refund_id: *refund_id, amount: *amount, reason: reason.clone() });
                if let Some(until) = until {
                    self.await_settlement(Settlement::Refund { attempt: Attempt::FIRST, until: *until });
                }
            }
            E::RefundRequestRepeated { attempt, until, .. } => {
                self.await_settlement(Settlement::Refund { attempt: *attempt, until: *until });
            }
            E::RefundExpected { until, .. } => {
                self.await_settlement(Settlement::Refund { attempt: Attempt::UNASKED, until: *until });
            }
            E::PaymentRefunded { refunded_total } => self.ledger.refunded = *refunded_total,
            E::Ended { end_state, reason } => {
                self.stage = Stage::Ended { end_state: *end_state, reason: reason.clone() };
            }
        }
    }

    fn await_settlement(&mut self, settlement: Settlement) {
        if let Stage::Settling { awaiting, .. } = &mut self.stage {
            *awaiting = Some(settlement);
        }
    }
}

impl Aggregate for BoxOrder {
    const CATEGORY: &'static str = "box-order";
    type Command = BoxOrderCommand;
    type Event = BoxOrderEvent;
    type Error = BoxOrderError;

    fn decide(&self, command: &BoxOrderCommand, env: &Env<'_>) -> Result<Vec<BoxOrderEvent>, BoxOrderError> {
        match (&self.order, command) {
            (None, BoxOrderCommand::Place { order_id, terms }) => Ok(decide::place(*order_id, terms, env)),
            (Some(_), BoxOrderCommand::Place { .. }) => Err(BoxOrderError::AlreadyPlaced),
            (None, _) => Err(BoxOrderError::NotPlaced),
            (Some(order), command) => order.decide(command, env),
        }
    }

    fn evolve(&mut self, event: &BoxOrderEvent) {
        match (&mut self.order, event) {
            (None, BoxOrderEvent::Placed { order_id, terms }) => {
                self.order = Some(Order::placed(*order_id, terms.clone()));
            }
            (Some(order), event) => order.apply(event),
            (None, _) => {}
        }
    }
}
