//! The decisions of the box order: for each input (a command, an answer, a deadline), in
//! each stage, what happens next. The table in the module above is this file, in prose.
//!
//! A decision is built step by step with [`Decision`], which applies each event to a working
//! copy as it is recorded, so a later step (release what may be held? refund or end?) reads
//! the state as the earlier steps left it, exactly as replay will.

use kernel::Env;

use super::commands::{Answer, BoxOrderCommand, BoxOrderError, CancelRefusal};
use super::events::BoxOrderEvent as E;
use super::patience::{Attempt, Step};
use super::shipment::{ShipmentPart, ShipmentRequest};
use super::{EndState, Holding, Order, Settlement, Stage, Terms};
use crate::domain::ids::{OrderId, PaymentId, RefundId, ShipmentId};
use crate::domain::money::Money;
use crate::domain::text::{Label, Reason};
use crate::domain::warehouse::Warehouse;

/// A new order: placed, and asking the warehouse nearest its address for the books.
pub(super) fn place(order_id: OrderId, terms: &Terms, env: &Env<'_>) -> Vec<E> {
    let warehouse = Warehouse::nearest_to(terms.address.state());
    let new = Decision { state: Order::placed(order_id, terms.clone()), events: Vec::new(), env };
    new.record(E::Placed { order_id, terms: terms.clone() }).request_reservation(warehouse, Attempt::FIRST).events
}

impl Order {
    pub(super) fn decide(&self, command: &BoxOrderCommand, env: &Env<'_>) -> Result<Vec<E>, BoxOrderError> {
        let decision = match command {
            BoxOrderCommand::Place { .. } => return Err(BoxOrderError::AlreadyPlaced),
            BoxOrderCommand::HandleAnswer { answer } => self.on_answer(answer, env),
            BoxOrderCommand::HandleTimeout { step, attempt } => self.on_timeout(*step, *attempt, env),
            BoxOrderCommand::Cancel { reason } => self.cancel(reason, env)?,
            BoxOrderCommand::Combine { partner, shipment_id } => self.combine(*partner, *shipment_id, env)?,
            BoxOrderCommand::ShipAlone => self.ship_alone(env)?,
            BoxOrderCommand::ShipTogether { partner } => self.ship_together(partner, env)?,
            BoxOrderCommand::JoinShipment { request } => self.join_shipment(request, env)?,
        };
        Ok(decision.events)
    }

    fn decision<'e>(&self, env: &'e Env<'e>) -> Decision<'e> {
        Decision { state: self.clone(), events: Vec::new(), env }
    }

    fn on_answer<'e>(&self, answer: &Answer, env: &'e Env<'e>) -> Decision<'e> {
        // Shipping's news is about a parcel: the one the order asked for, or another.
        let ours = |shipment_id: &ShipmentId| self.shipment.as_ref().is_some_and(|s| s.shipment_id() == *shipment_id);
        match answer {
            Answer::StockReserved { warehouse } => self.on_stock_reserved(*warehouse, env),
            Answer::StockReservationRejected { warehouse, reason } => {
                self.on_reservation_rejected(*warehouse, reason, env)
            }
            Answer::ReservationReleased { warehouse } if self.holding == Holding::Held(*warehouse) => {
                self.decision(env).record(E::ReservationReleased { warehouse: *warehouse })
            }
            Answer::ReservedStockShipped { warehouse } if self.holding == Holding::Held(*warehouse) => {
                self.decision(env).record(E::ReservedStockShipped { warehouse: *warehouse })
            }
            Answer::PaymentCaptured { payment_id, amount } => self.on_payment_captured(*payment_id, *amount, env),
            Answer::PaymentFailed { reason } => self.on_payment_failed(reason, env),
            Answer::PaymentRefunded { refunded_total } => self.on_payment_refunded(*refunded_total, env),
            Answer::ShipmentDispatched { shipment_id, carrier, tracking_number } if ours(shipment_id) => {
                self.on_dispatched(carrier, tracking_number, env)
            }
            Answer::ShipmentDelivered { shipment_id } if ours(shipment_id) => self.on_delivered(env),
            Answer::ShipmentReturned { shipment_id } if ours(shipment_id) => self.on_returned(env),
            Answer::ShipmentDamaged { shipment_id, insurance_claim } if ours(shipment_id) => {
                self.on_damaged(*insurance_claim, env)
            }
            // Inventory confirming what the order did not ask (or no longer counts on), or a
            // shipment the order is not in.
            Answer::ReservationReleased { .. }
            | Answer::ReservedStockShipped { .. }
            | Answer::ShipmentDispatched { .. }
            | Answer::ShipmentDelivered { .. }
            | Answer::ShipmentReturned { .. }
            | Answer::ShipmentDamaged { .. } => self.decision(env),
        }
    }

    fn on_stock_reserved<'e>(&self, warehouse: Warehouse, env: &'e Env<'e>) -> Decision<'e> {
        let reserved = E::StockReserved { warehouse };
        match &self.stage {
            Stage::Reserving { .. } => self.decision(env).record(reserved).request_payment(Attempt::FIRST),
            // Held after the order gave up on it: release it.
            Stage::Settling { .. } | Stage::Ended { .. } if self.holding == Holding::Nothing => {
                self.decision(env).record(reserved).record(E::ReservationReleaseRequested)
            }
            // Told twice, or about a reservation already released or shipped.
            _ => self.decision(env),
        }
    }

    /// Inventory answers each request it handles, in order: a retry sent before the first
    /// answer came may still reserve the books. So the order tries the other warehouse only
    /// once every request it sent this one was rejected.
    fn on_reservation_rejected<'e>(&self, warehouse: Warehouse, reason: &Reason, env: &'e Env<'e>) -> Decision<'e> {
        let Stage::Reserving { warehouse: asked, .. } = &self.stage else { return self.decision(env) };
        if *asked != warehouse {
            return self.decision(env);
        }
        let d = self.decision(env).record(E::StockReservationRejected { warehouse, reason: reason.clone() });
        if d.state.reservation_unanswered {
            return d;
        }
        let other = warehouse.other();
        if !self.rejections.iter().any(|(w, _)| *w == other) {
            return d.request_reservation(other, Attempt::FIRST);
        }
        let why = d.state.rejections.iter().map(|(w, r)| format!("{w}: {r}")).collect::<Vec<_>>().join("; ");
        d.wind_down(EndState::Failed, Reason::composed(format!("no warehouse could serve the box ({why})"))).settle()
    }

    fn on_payment_captured<'e>(&self, payment_id: PaymentId, amount: Money, env: &'e Env<'e>) -> Decision<'e> {
        if self.ledger.knows(payment_id) {
            return self.decision(env);
        }
        let d = self.decision(env).record(E::PaymentCaptured { payment_id, amount });
        match &self.stage {
            Stage::Charging { .. } if self.ledger.captured.is_zero() => match self.combination {
                // Charged: the partner's charge decides when the shared parcel is requested.
                Some(_) => d,
                None => match self.parcel_of(&[], ShipmentId::of_single_order(self.id)) {
                    Ok(request) => d.request_shipment(request),
                    // Unreachable: a charging order holds its books somewhere.
                    Err(_) => d,
                },
            },
            // The order no longer wants the money: give it back, and wait for that.
            Stage::Settling { reason, .. } => d.ask_refund(amount, reason.clone(), true),
            // Captured after the order ended, or a second time: give it back. Nothing waits
            // for the answer; the order's own process is elsewhere, or over.
            _ => {
                let why = match (&self.stage, self.ledger.captured.is_zero()) {
                    (_, false) => format!("payment {payment_id} is a second payment for the order"),
                    (Stage::Ended { end_state, .. }, true) => {
                        format!("payment {payment_id} was captured after the order ended as {end_state}")
                    }
                    (_, true) => format!("payment {payment_id} was not asked for"),
                };
                d.ask_refund(amount, Reason::composed(why), false)
            }
        }
    }

    fn on_payment_failed<'e>(&self, reason: &Reason, env: &'e Env<'e>) -> Decision<'e> {
        let failed = E::PaymentFailed { reason: reason.clone() };
        match &self.stage {
            Stage::Charging { .. } => {
                let why = Reason::composed(format!("the payment failed: {reason}"));
                self.decision(env).record(failed).wind_down(EndState::Failed, why).settle()
            }
            Stage::Settling { awaiting: Some(Settlement::PaymentOutcome { .. }), .. } => {
                self.decision(env).record(failed).end(None)
            }
            _ => self.decision(env),
        }
    }

    fn on_payment_refunded<'e>(&self, refunded_total: Money, env: &'e Env<'e>) -> Decision<'e> {
        // Never more than captured: billing's law, kept in the order's own books too.
        let refunded_total = refunded_total.min(self.ledger.captured);
        if refunded_total <= self.ledger.refunded {
            return self.decision(env);
        }
        let d = self.decision(env).record(E::PaymentRefunded { refunded_total });
        match &self.stage {
            Stage::Settling { awaiting: Some(Settlement::Refund { .. }), .. }
                if d.state.ledger.outstanding().is_zero() =>
            {
                d.end(None)
            }
            _ => d,
        }
    }

    fn on_dispatched<'e>(&self, carrier: &Label, tracking_number: &Label, env: &'e Env<'e>) -> Decision<'e> {
        if !matches!(self.stage, Stage::Shipping { .. }) {
            return self.decision(env);
        }
        let until = Step::Delivery.deadline_from(env.now);
        self.decision(env)
            .record(E::ShipmentDispatched { carrier: carrier.clone(), tracking_number: tracking_number.clone(), until })
            .record(E::StockShipmentRequested)
    }

    /// A parcel's outcome may overtake the news of its dispatch: the books left either way.
    fn parcel_gone<'e>(&self, env: &'e Env<'e>) -> Option<Decision<'e>> {
        match &self.stage {
            Stage::Shipping { .. } => Some(self.decision(env).record(E::StockShipmentRequested)),
            Stage::InTransit { .. } => Some(self.decision(env)),
            _ => None,
        }
    }

    fn on_delivered<'e>(&self, env: &'e Env<'e>) -> Decision<'e> {
        match self.parcel_gone(env) {
            Some(d) => d.record(E::ShipmentDelivered).record(E::Ended { end_state: EndState::Delivered, reason: None }),
            None => self.decision(env),
        }
    }

    fn on_returned<'e>(&self, env: &'e Env<'e>) -> Decision<'e> {
        match self.parcel_gone(env) {
            Some(d) => {
                let why = Reason::composed("the parcel came back after the carrier's last delivery attempt".into());
                d.record(E::ShipmentReturned).wind_down(EndState::Refunded, why).settle()
            }
            None => self.decision(env),
        }
    }

    /// Billing refunds damaged shipments by itself (it reacts to `shipment-damaged`), so the
    /// order waits for that refund, and asks for it only if it does not come.
    fn on_damaged<'e>(&self, insurance_claim: Money, env: &'e Env<'e>) -> Decision<'e> {
        let Some(d) = self.parcel_gone(env) else { return self.decision(env) };
        let why = Reason::composed("the parcel was damaged in transit".into());
        d.record(E::ShipmentDamaged { insurance_claim }).wind_down(EndState::Refunded, why).expect_refund()
    }

    fn on_timeout<'e>(&self, step: Step, attempt: Attempt, env: &'e Env<'e>) -> Decision<'e> {
        let Some(wait) = self.wait() else { return self.decision(env) };
        if (wait.step, wait.attempt) != (step, attempt) || env.now < wait.until {
            return self.decision(env);
        }
        let d = self.decision(env).record(E::AnswerOverdue { step, attempt });
        let again = !attempt.is_last_of(step);
        let silent = |who: &str, what: &str| {
            Reason::composed(format!("{who} did not answer {attempt} {what} request(s) in time"))
        };
        match &self.stage {
            Stage::Reserving { warehouse, .. } if again => d.request_reservation(*warehouse, attempt.next()),
            Stage::Reserving { .. } => d.wind_down(EndState::Failed, silent("inventory", "reservation")).settle(),
            Stage::Charging { .. } if again => d.request_payment(attempt.next()),
            Stage::Charging { .. } => d.wind_down(EndState::Failed, silent("billing", "charge")).settle(),
            Stage::Shipping { request, .. } if again => d.record(E::ShipmentRequested {
                request: request.clone(),
                attempt: attempt.next(),
                until: Step::Shipment.deadline_from(env.now),
            }),
            Stage::Shipping { .. } => d.wind_down(EndState::Failed, silent("shipping", "shipment")).settle(),
            Stage::InTransit { .. } => {
                let why = Reason::composed("no news of the parcel in 21 days: presumed lost in transit".into());
                d.wind_down(EndState::Refunded, why).settle()
            }
            // Billing never said what became of the charge; if it is captured later, the
            // late payment is refunded then.
            Stage::Settling { awaiting: Some(Settlement::PaymentOutcome { .. }), .. } => d.end(None),
            Stage::Settling { awaiting: Some(Settlement::Refund { .. }), .. } if again => d.ask_refund_again(attempt),
            Stage::Settling { awaiting: Some(Settlement::Refund { .. }), .. } => {
                let unconfirmed = self.ledger.outstanding();
                d.end(Some(format!("billing did not confirm the refund of {unconfirmed}; an operator must check it")))
            }
            Stage::Placed | Stage::Charged | Stage::Settling { awaiting: None, .. } | Stage::Ended { .. } => d,
        }
    }

    fn cancel<'e>(&self, reason: &Reason, env: &'e Env<'e>) -> Result<Decision<'e>, BoxOrderError> {
        let refuse = |why| Err(BoxOrderError::CannotCancel(why));
        match &self.stage {
            Stage::Placed | Stage::Reserving { .. } | Stage::Charged => {
                Ok(self.decision(env).wind_down(EndState::Cancelled, reason.clone()).settle())
            }
            Stage::Charging { attempt, until } => Ok(self
                .decision(env)
                .wind_down(EndState::Cancelled, reason.clone())
                .record(E::PaymentOutcomeAwaited { attempt: *attempt, until: *until })),
            Stage::Shipping { request, .. } => {
                refuse(CancelRefusal::ShipmentRequested { shipment_id: request.shipment_id() })
            }
            Stage::InTransit { dispatch, .. } => refuse(CancelRefusal::Shipped {
                carrier: dispatch.carrier.clone(),
                tracking_number: dispatch.tracking_number.clone(),
            }),
            Stage::Settling { outcome, .. } => refuse(CancelRefusal::AlreadyEnding(*outcome)),
            Stage::Ended { end_state, .. } => refuse(CancelRefusal::AlreadyEnded(*end_state)),
        }
    }

    fn combine<'e>(
        &self,
        partner: OrderId,
        shipment_id: ShipmentId,
        env: &'e Env<'e>,
    ) -> Result<Decision<'e>, BoxOrderError> {
        if partner == self.id {
            return Err(BoxOrderError::CombinedWithItself);
        }
        if let Some(combination) = self.combination {
            return Err(BoxOrderError::AlreadyCombined { partner: combination.partner });
        }
        match &self.stage {
            Stage::Charging { .. } => Ok(self.decision(env).record(E::CombinedForShipment { partner, shipment_id })),
            _ => Err(BoxOrderError::NotCombinable { status: self.status() }),
        }
    }

    /// The parcel of this order and `others`, under `shipment_id`.
    fn parcel_of(&self, others: &[&ShipmentPart], shipment_id: ShipmentId) -> Result<ShipmentRequest, BoxOrderError> {
        let own = self.shipment_part().ok_or(BoxOrderError::NotReadyToShip { status: self.status() })?;
        let parts: Vec<&ShipmentPart> = std::iter::once(&own).chain(others.iter().copied()).collect();
        Ok(ShipmentRequest::of_parts(shipment_id, &parts)?)
    }

    /// Refuses unless the order is charged and waiting for its shipment.
    fn ensure_ready_to_ship(&self) -> Result<(), BoxOrderError> {
        match &self.stage {
            Stage::Charged => Ok(()),
            _ => Err(BoxOrderError::NotReadyToShip { status: self.status() }),
        }
    }

    fn ship_alone<'e>(&self, env: &'e Env<'e>) -> Result<Decision<'e>, BoxOrderError> {
        self.ensure_ready_to_ship()?;
        let shipment_id = self.combination.map_or(ShipmentId::of_single_order(self.id), |c| c.shipment_id);
        Ok(self.decision(env).request_shipment(self.parcel_of(&[], shipment_id)?))
    }

    fn ship_together<'e>(&self, partner: &ShipmentPart, env: &'e Env<'e>) -> Result<Decision<'e>, BoxOrderError> {
        self.ensure_ready_to_ship()?;
        let combination = self.combination.filter(|c| c.partner == partner.order_id);
        let combination = combination.ok_or(BoxOrderError::NotCombinedWith(partner.order_id))?;
        Ok(self.decision(env).request_shipment(self.parcel_of(&[partner], combination.shipment_id)?))
    }

    fn join_shipment<'e>(&self, request: &ShipmentRequest, env: &'e Env<'e>) -> Result<Decision<'e>, BoxOrderError> {
        self.ensure_ready_to_ship()?;
        let combination = self.combination.filter(|c| c.shipment_id == request.shipment_id());
        let combination = combination.ok_or(BoxOrderError::ForeignShipment(request.shipment_id()))?;
        if !(request.includes(self.id) && request.includes(combination.partner)) {
            return Err(BoxOrderError::ForeignShipment(request.shipment_id()));
        }
        let until = Step::Shipment.deadline_from(env.now);
        Ok(self.decision(env).record(E::ShipmentJoined { request: request.clone(), until }))
    }
}

/// A decision in the making: the events so far, the state they lead to, and what the
/// decision may know of the world (the time, new ids).
struct Decision<'e> {
    state: Order,
    events: Vec<E>,
    env: &'e Env<'e>,
}

impl Decision<'_> {
    fn record(mut self, event: E) -> Self {
        self.state.apply(&event);
        self.events.push(event);
        self
    }

    fn request_reservation(self, warehouse: Warehouse, attempt: Attempt) -> Self {
        let until = Step::Reservation.deadline_from(self.env.now);
        self.record(E::StockReservationRequested { warehouse, attempt, until })
    }

    fn request_payment(self, attempt: Attempt) -> Self {
        let (amount, until) = (self.state.terms.amount, Step::Payment.deadline_from(self.env.now));
        self.record(E::PaymentRequested { amount, attempt, until })
    }

    fn request_shipment(self, request: ShipmentRequest) -> Self {
        let until = Step::Shipment.deadline_from(self.env.now);
        self.record(E::ShipmentRequested { request, attempt: Attempt::FIRST, until })
    }

    /// Decides the outcome, and releases whatever inventory may still hold for the order.
    fn wind_down(self, outcome: EndState, reason: Reason) -> Self {
        let d = self.record(E::OutcomeDecided { outcome, reason });
        if d.state.may_hold_stock() {
            return d.record(E::ReservationReleaseRequested);
        }
        d
    }

    /// Asks back what was captured and not asked back yet, and waits for the money; ends if
    /// there is none to wait for.
    fn settle(self) -> Self {
        let ledger = &self.state.ledger;
        if ledger.outstanding().is_zero() {
            return self.end(None);
        }
        if ledger.unasked().is_zero() {
            return self.expect_refund();
        }
        let (amount, reason) = (ledger.unasked(), self.settling_reason());
        self.ask_refund(amount, reason, true)
    }

    /// Asks billing to refund `amount`, under a new refund id; `awaited` if the order waits
    /// for the answer.
    fn ask_refund(self, amount: Money, reason: Reason, awaited: bool) -> Self {
        let refund_id = RefundId::generate(self.env.ids);
        let until = awaited.then(|| Step::Refund.deadline_from(self.env.now));
        self.record(E::RefundRequested { refund_id, amount, reason, until })
    }

    /// Waits for a refund without asking for it (now); ends if there is none to wait for.
    fn expect_refund(self) -> Self {
        let amount = self.state.ledger.outstanding();
        if amount.is_zero() {
            return self.end(None);
        }
        let until = Step::Refund.deadline_from(self.env.now);
        self.record(E::RefundExpected { amount, until })
    }

    /// No refund came in time after `attempt`: ask for what was never asked, or ask again.
    fn ask_refund_again(self, attempt: Attempt) -> Self {
        let ledger = &self.state.ledger;
        if !ledger.unasked().is_zero() {
            let (amount, reason) = (ledger.unasked(), self.settling_reason());
            return self.ask_refund(amount, reason, true);
        }
        let until = Step::Refund.deadline_from(self.env.now);
        self.record(E::RefundRequestRepeated { attempt: attempt.next(), until })
    }

    fn settling_reason(&self) -> Reason {
        match &self.state.stage {
            Stage::Settling { reason, .. } => reason.clone(),
            _ => Reason::composed("the order no longer needs the payment".into()),
        }
    }

    /// Ends a settling order as decided, with a note added to its reason if there is one.
    fn end(self, note: Option<String>) -> Self {
        let Stage::Settling { outcome, reason, .. } = &self.state.stage else { return self };
        let reason = match note {
            Some(note) => Reason::composed(format!("{reason}; {note}")),
            None => reason.clone(),
        };
        let end_state = *outcome;
        self.record(E::Ended { end_state, reason: Some(reason) })
    }
}
