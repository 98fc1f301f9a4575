//! The `Payment` aggregate: the charge of one order and every movement of its money (stream
//! `payment-<order id>`).
//!
//! Why keyed by the order: "no order charged twice" then needs no lookup and no uniqueness
//! index. The second `charge-payment` for an order lands on the same stream, finds the charge
//! already requested and changes nothing.
//!
//! What it keeps, and its invariants (property-tested in `tests.rs`):
//! - the tries of the card: at most [`TRIES_MAX`], each with at most
//!   [`GATEWAY_ERRORS_PER_TRY_MAX`] failed gateway calls, so every payment ends (captured or
//!   failed); the order is captured at most once, and then for exactly its amount;
//! - the money after capture: refunds, and a dispute that holds part of the money while open
//!   and takes it back when lost. `refunded + charged back + held <= captured`, always: a
//!   refund never exceeds what is left, and money under dispute cannot also be refunded.
//!
//! The gateway is called by the application, never from here: `decide` is pure. The
//! application asks [`Payment::due_call`] whether a call is due, calls the gateway, and
//! records what it answered with [`PaymentCommand::RecordGatewayAnswer`]; the aggregate
//! decides what the answer means (captured, declined and retried on a later day, failed) from
//! the retry policy and the time in `Env`.

use std::collections::BTreeMap;

use kernel::{Aggregate, DomainEvent, Env, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::dispute::{Dispute, DisputeOutcome, DisputeStepError};
use crate::domain::ids::{DisputeId, OrderId, PayerId, PaymentId, ReceiptId, RefundId};
use crate::domain::money::Money;
use crate::domain::retry_policy::{self, Attempt};
use crate::domain::text::{AuthorizationId, DeclineReason, DisputeReason, Evidence, RefundReason};

#[cfg(test)]
mod tests;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// `None` until the order's charge is requested.
    charge: Option<Charge>,
}

/// An order's charge, from its request on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Charge {
    payment_id: PaymentId,
    order_id: OrderId,
    payer_id: PayerId,
    amount: Money,
    stage: Stage,
    /// Tries that ended (declined, abandoned or captured).
    tries: u8,
    /// The amount once captured; zero before.
    captured: Money,
    refunded: Money,
    refunds: BTreeMap<RefundId, Refund>,
    dispute: Option<Dispute>,
}

/// Where the charge stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Try `attempt` is under way: its next gateway call is due at `next_call_at` (now, if
    /// `None`), after `gateway_errors` failed calls.
    Charging {
        attempt: Attempt,
        gateway_errors: u8,
        next_call_at: Option<Timestamp>,
    },
    Captured {
        attempt: Attempt,
        authorization: AuthorizationId,
        receipt_id: ReceiptId,
    },
    /// Every try failed; `cause` is why the last one did.
    Failed {
        attempts: Attempt,
        cause: TryFailure,
    },
}

impl Stage {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Charging { .. } => "charging",
            Self::Captured { .. } => "captured",
            Self::Failed { .. } => "failed",
        }
    }
}

/// Why a try failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TryFailure {
    /// The bank declined the card.
    Declined { reason: DeclineReason },
    /// The gateway failed every call of the try.
    GatewayUnavailable { errors: u8 },
}

impl TryFailure {
    /// In the published language's words.
    pub fn describe(&self) -> String {
        match self {
            Self::Declined { reason } => reason.to_string(),
            Self::GatewayUnavailable { errors } => format!("gateway-unavailable ({errors} failed calls)"),
        }
    }
}

/// Why a gateway call gave no answer: none of these says anything about the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayFailure {
    Unavailable,
    TimedOut,
    /// The adapter's circuit breaker refused the call without making it.
    CircuitOpen,
    /// The adapter's bulkhead refused the call: too many calls in flight.
    Saturated,
    /// The gateway answered something billing cannot read (an approval without an id).
    MalformedAnswer,
}

/// What the gateway answered one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayOutcome {
    Approved(AuthorizationId),
    Declined(DeclineReason),
    Failed(GatewayFailure),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub amount: Money,
    pub reason: RefundReason,
}

/// A gateway call the payment is waiting for: what to charge, and for which try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCall {
    pub payment_id: PaymentId,
    pub order_id: OrderId,
    pub payer_id: PayerId,
    pub amount: Money,
    pub attempt: Attempt,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PaymentCommand {
    RequestCharge {
        order_id: OrderId,
        payer_id: PayerId,
        amount: Money,
    },
    /// What the gateway answered the due call of try `attempt`.
    RecordGatewayAnswer {
        attempt: Attempt,
        answer: GatewayOutcome,
    },
    Refund {
        refund_id: RefundId,
        amount: Money,
        reason: RefundReason,
    },
    OpenDispute {
        amount: Money,
        reason: DisputeReason,
    },
    RespondToDispute {
        evidence: Evidence,
    },
    ResolveDispute {
        outcome: DisputeOutcome,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentEvent {
    ChargeRequested {
        payment_id: PaymentId,
        order_id: OrderId,
        payer_id: PayerId,
        amount: Money,
    },
    PaymentCaptured {
        attempt: Attempt,
        authorization: AuthorizationId,
        /// The receipt issued for it, in the same unit of work.
        receipt_id: ReceiptId,
    },
    /// The bank declined try `attempt`; the next try is at `retry_at` (none after the last).
    ChargeDeclined {
        attempt: Attempt,
        reason: DeclineReason,
        retry_at: Option<Timestamp>,
    },
    /// A gateway call of try `attempt` failed; the try calls again at `retry_at` (none once
    /// its budget is spent: the try is then abandoned).
    GatewayCallFailed {
        attempt: Attempt,
        failure: GatewayFailure,
        retry_at: Option<Timestamp>,
    },
    /// Try `attempt` got no answer from the gateway and counts as failed; the next try is at
    /// `retry_at` (none after the last).
    TryAbandoned {
        attempt: Attempt,
        retry_at: Option<Timestamp>,
    },
    PaymentFailed {
        attempts: Attempt,
        cause: TryFailure,
    },
    PaymentRefunded {
        refund_id: RefundId,
        amount: Money,
        reason: RefundReason,
    },
    DisputeOpened {
        dispute_id: DisputeId,
        amount: Money,
        reason: DisputeReason,
    },
    DisputeResponded {
        dispute_id: DisputeId,
        evidence: Evidence,
    },
    DisputeWon {
        dispute_id: DisputeId,
    },
    /// The bank took `amount` back (a charge-back).
    DisputeLost {
        dispute_id: DisputeId,
        amount: Money,
    },
}

impl DomainEvent for PaymentEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    #[error("the order is already being charged {amount} to payer {payer_id}; another charge is refused")]
    ChargeConflict { payer_id: PayerId, amount: Money },
    #[error("no charge was requested for the order")]
    NoPayment,
    #[error("no gateway call of try {attempt} is pending")]
    NoCallPending { attempt: Attempt },
    #[error("the next gateway call is not due until {at}")]
    CallNotDue { at: Timestamp },
    #[error("the payment is {stage}, not captured")]
    NotCaptured { stage: &'static str },
    #[error("an amount must be more than zero")]
    ZeroAmount,
    #[error("a refund of {requested} is more than the {refundable} that can still be refunded")]
    RefundExceedsRefundable { requested: Money, refundable: Money },
    #[error("refund {refund_id} was already made, with another amount or reason")]
    RefundIdReused { refund_id: RefundId },
    #[error("the payment is already disputed")]
    AlreadyDisputed,
    #[error("a dispute of {requested} is more than the {disputable} still charged")]
    DisputeExceedsCharge { requested: Money, disputable: Money },
    #[error("the payment is not disputed")]
    NoDispute,
    #[error(transparent)]
    Dispute(#[from] DisputeStepError),
}

impl Payment {
    pub fn charge(&self) -> Option<&Charge> {
        self.charge.as_ref()
    }

    /// The gateway call due at `now`, if the payment is waiting for one.
    pub fn due_call(&self, now: Timestamp) -> Option<DueCall> {
        let charge = self.charge.as_ref()?;
        let Stage::Charging { attempt, next_call_at, .. } = charge.stage else { return None };
        if next_call_at.is_some_and(|at| at > now) {
            return None;
        }
        Some(DueCall {
            payment_id: charge.payment_id,
            order_id: charge.order_id,
            payer_id: charge.payer_id,
            amount: charge.amount,
            attempt,
        })
    }
}

impl Charge {
    pub fn payment_id(&self) -> PaymentId {
        self.payment_id
    }
    pub fn order_id(&self) -> OrderId {
        self.order_id
    }
    pub fn payer_id(&self) -> PayerId {
        self.payer_id
    }
    pub fn amount(&self) -> Money {
        self.amount
    }
    pub fn stage(&self) -> &Stage {
        &self.stage
    }
    /// Tries that ended.
    pub fn tries(&self) -> u8 {
        self.tries
    }
    pub fn captured(&self) -> Money {
        self.captured
    }
    pub fn refunded(&self) -> Money {
        self.refunded
    }
    pub fn refunds(&self) -> impl Iterator<Item = (&RefundId, &Refund)> + '_ {
        self.refunds.iter()
    }
    pub fn dispute(&self) -> Option<&Dispute> {
        self.dispute.as_ref()
    }

    fn zero(&self) -> Money {
        Money::zero(self.amount.currency())
    }

    /// What a lost dispute took back.
    pub fn charged_back(&self) -> Money {
        self.dispute.as_ref().map_or(self.zero(), |d| d.charged_back(self.amount.currency()))
    }

    /// Captured money the payment still has: neither refunded nor charged back.
    pub fn disputable(&self) -> Money {
        // The sum cannot overflow (both are within what was captured); if it did, nothing is left.
        let gone = self.refunded.checked_add(self.charged_back()).unwrap_or(self.captured);
        self.captured.checked_sub(gone).unwrap_or(self.zero())
    }

    /// What can still be refunded: what the payment has, less what an open dispute holds.
    pub fn refundable(&self) -> Money {
        let held = self.dispute.as_ref().map_or(self.zero(), Dispute::held);
        self.disputable().checked_sub(held).unwrap_or(self.zero())
    }

    fn ensure_captured(&self) -> Result<(), PaymentError> {
        match self.stage {
            Stage::Captured { .. } => Ok(()),
            Stage::Charging { .. } | Stage::Failed { .. } => {
                Err(PaymentError::NotCaptured { stage: self.stage.name() })
            }
        }
    }

    fn record_answer(
        &self,
        attempt: Attempt,
        answer: &GatewayOutcome,
        env: &Env<'_>,
    ) -> Result<Vec<PaymentEvent>, PaymentError> {
        let Stage::Charging { attempt: pending, gateway_errors, next_call_at } = self.stage else {
            return Err(PaymentError::NoCallPending { attempt });
        };
        if pending != attempt {
            return Err(PaymentError::NoCallPending { attempt });
        }
        if let Some(at) = next_call_at.filter(|at| *at > env.now) {
            return Err(PaymentError::CallNotDue { at });
        }
        let events = match answer {
            GatewayOutcome::Approved(authorization) => vec![PaymentEvent::PaymentCaptured {
                attempt,
                authorization: authorization.clone(),
                receipt_id: ReceiptId::generate(env.ids),
            }],
            GatewayOutcome::Declined(reason) => {
                let retry_at = retry_policy::next_try_at(attempt, env.now);
                let declined = PaymentEvent::ChargeDeclined { attempt, reason: reason.clone(), retry_at };
                let cause = TryFailure::Declined { reason: reason.clone() };
                with_failure_if_last(declined, retry_at, attempt, cause)
            }
            GatewayOutcome::Failed(failure) => {
                let errors = gateway_errors + 1;
                match retry_policy::next_call_at(self.payment_id, attempt, errors, env.now) {
                    Some(at) => {
                        vec![PaymentEvent::GatewayCallFailed { attempt, failure: *failure, retry_at: Some(at) }]
                    }
                    None => {
                        let failed = PaymentEvent::GatewayCallFailed { attempt, failure: *failure, retry_at: None };
                        let retry_at = retry_policy::next_try_at(attempt, env.now);
                        let abandoned = PaymentEvent::TryAbandoned { attempt, retry_at };
                        let cause = TryFailure::GatewayUnavailable { errors };
                        let mut events = vec![failed];
                        events.extend(with_failure_if_last(abandoned, retry_at, attempt, cause));
                        events
                    }
                }
            }
        };
        Ok(events)
    }

    fn refund(
        &self,
        refund_id: RefundId,
        amount: Money,
        reason: &RefundReason,
    ) -> Result<Vec<PaymentEvent>, PaymentError> {
        if let Some(done) = self.refunds.get(&refund_id) {
            if done.amount == amount && done.reason == *reason {
                return Ok(vec![]);
            }
            return Err(PaymentError::RefundIdReused { refund_id });
        }
        self.ensure_captured()?;
        if amount.is_zero() {
            return Err(PaymentError::ZeroAmount);
        }
        let refundable = self.refundable();
        if !amount.fits_within(refundable) {
            return Err(PaymentError::RefundExceedsRefundable { requested: amount, refundable });
        }
        Ok(vec![PaymentEvent::PaymentRefunded { refund_id, amount, reason: reason.clone() }])
    }

    fn open_dispute(
        &self,
        amount: Money,
        reason: &DisputeReason,
        env: &Env<'_>,
    ) -> Result<Vec<PaymentEvent>, PaymentError> {
        self.ensure_captured()?;
        if self.dispute.is_some() {
            return Err(PaymentError::AlreadyDisputed);
        }
        if amount.is_zero() {
            return Err(PaymentError::ZeroAmount);
        }
        let disputable = self.disputable();
        if !amount.fits_within(disputable) {
            return Err(PaymentError::DisputeExceedsCharge { requested: amount, disputable });
        }
        Ok(vec![PaymentEvent::DisputeOpened {
            dispute_id: DisputeId::generate(env.ids),
            amount,
            reason: reason.clone(),
        }])
    }

    fn respond_to_dispute(&self, evidence: &Evidence) -> Result<Vec<PaymentEvent>, PaymentError> {
        let dispute = self.dispute.as_ref().ok_or(PaymentError::NoDispute)?;
        dispute.can_respond()?;
        Ok(vec![PaymentEvent::DisputeResponded { dispute_id: dispute.dispute_id(), evidence: evidence.clone() }])
    }

    fn resolve_dispute(&self, outcome: DisputeOutcome) -> Result<Vec<PaymentEvent>, PaymentError> {
        let dispute = self.dispute.as_ref().ok_or(PaymentError::NoDispute)?;
        if !dispute.can_resolve(outcome)? {
            return Ok(vec![]);
        }
        let dispute_id = dispute.dispute_id();
        Ok(vec![match outcome {
            DisputeOutcome::Won => PaymentEvent::DisputeWon { dispute_id },
            DisputeOutcome::Lost => PaymentEvent::DisputeLost { dispute_id, amount: dispute.amount() },
        }])
    }

    /// Ends try `attempt`: the next one is at `retry_at`, if any.
    fn end_try(&mut self, attempt: Attempt, retry_at: Option<Timestamp>) {
        self.tries = attempt.get();
        if let (Some(at), Some(next)) = (retry_at, attempt.next()) {
            self.stage = Stage::Charging { attempt: next, gateway_errors: 0, next_call_at: Some(at) };
        }
    }
}

/// `ended`, followed by the payment's failure when no try is left.
fn with_failure_if_last(
    ended: PaymentEvent,
    retry_at: Option<Timestamp>,
    attempt: Attempt,
    cause: TryFailure,
) -> Vec<PaymentEvent> {
    match retry_at {
        Some(_) => vec![ended],
        None => vec![ended, PaymentEvent::PaymentFailed { attempts: attempt, cause }],
    }
}

impl Aggregate for Payment {
    const CATEGORY: &'static str = "payment";
    type Command = PaymentCommand;
    type Event = PaymentEvent;
    type Error = PaymentError;

    fn decide(&self, command: &PaymentCommand, env: &Env<'_>) -> Result<Vec<PaymentEvent>, PaymentError> {
        match command {
            PaymentCommand::RequestCharge { order_id, payer_id, amount } => {
                self.request_charge(*order_id, *payer_id, *amount, env)
            }
            PaymentCommand::RecordGatewayAnswer { attempt, answer } => {
                self.requested()?.record_answer(*attempt, answer, env)
            }
            PaymentCommand::Refund { refund_id, amount, reason } => {
                self.requested()?.refund(*refund_id, *amount, reason)
            }
            PaymentCommand::OpenDispute { amount, reason } => self.requested()?.open_dispute(*amount, reason, env),
            PaymentCommand::RespondToDispute { evidence } => self.requested()?.respond_to_dispute(evidence),
            PaymentCommand::ResolveDispute { outcome } => self.requested()?.resolve_dispute(*outcome),
        }
    }

    fn evolve(&mut self, event: &PaymentEvent) {
        if let PaymentEvent::ChargeRequested { payment_id, order_id, payer_id, amount } = event {
            let zero = Money::zero(amount.currency());
            self.charge = Some(Charge {
                payment_id: *payment_id,
                order_id: *order_id,
                payer_id: *payer_id,
                amount: *amount,
                stage: Stage::Charging { attempt: Attempt::FIRST, gateway_errors: 0, next_call_at: None },
                tries: 0,
                captured: zero,
                refunded: zero,
                refunds: BTreeMap::new(),
                dispute: None,
            });
            return;
        }
        // Every other event follows a `ChargeRequested` in its stream.
        let Some(charge) = self.charge.as_mut() else { return };
        match event {
            PaymentEvent::ChargeRequested { .. } => {}
            PaymentEvent::PaymentCaptured { attempt, authorization, receipt_id } => {
                charge.tries = attempt.get();
                charge.captured = charge.amount;
                charge.stage = Stage::Captured {
                    attempt: *attempt,
                    authorization: authorization.clone(),
                    receipt_id: *receipt_id,
                };
            }
            PaymentEvent::ChargeDeclined { attempt, retry_at, .. }
            | PaymentEvent::TryAbandoned { attempt, retry_at } => {
                charge.end_try(*attempt, *retry_at);
            }
            PaymentEvent::GatewayCallFailed { retry_at, .. } => {
                if let Stage::Charging { gateway_errors, next_call_at, .. } = &mut charge.stage {
                    *gateway_errors += 1;
                    *next_call_at = *retry_at;
                }
            }
            PaymentEvent::PaymentFailed { attempts, cause } => {
                charge.tries = attempts.get();
                charge.stage = Stage::Failed { attempts: *attempts, cause: cause.clone() };
            }
            PaymentEvent::PaymentRefunded { refund_id, amount, reason } => {
                charge.refunded = charge.refunded.saturating_add(*amount);
                charge.refunds.insert(*refund_id, Refund { amount: *amount, reason: reason.clone() });
            }
            PaymentEvent::DisputeOpened { dispute_id, amount, reason } => {
                charge.dispute = Some(Dispute::opened(*dispute_id, *amount, reason.clone()));
            }
            PaymentEvent::DisputeResponded { evidence, .. } => {
                if let Some(dispute) = charge.dispute.as_mut() {
                    dispute.record_response(evidence.clone());
                }
            }
            PaymentEvent::DisputeWon { .. } => {
                if let Some(dispute) = charge.dispute.as_mut() {
                    dispute.record_outcome(DisputeOutcome::Won);
                }
            }
            PaymentEvent::DisputeLost { .. } => {
                if let Some(dispute) = charge.dispute.as_mut() {
                    dispute.record_outcome(DisputeOutcome::Lost);
                }
            }
        }
    }
}

impl Payment {
    /// The charge every command but the request needs.
    fn requested(&self) -> Result<&Charge, PaymentError> {
        self.charge.as_ref().ok_or(PaymentError::NoPayment)
    }

    fn request_charge(
        &self,
        order_id: OrderId,
        payer_id: PayerId,
        amount: Money,
        env: &Env<'_>,
    ) -> Result<Vec<PaymentEvent>, PaymentError> {
        if let Some(charge) = &self.charge {
            // The same request again (a resend, a second box message) changes nothing.
            if charge.order_id == order_id && charge.payer_id == payer_id && charge.amount == amount {
                return Ok(vec![]);
            }
            return Err(PaymentError::ChargeConflict { payer_id: charge.payer_id, amount: charge.amount });
        }
        if amount.is_zero() {
            return Err(PaymentError::ZeroAmount);
        }
        Ok(vec![PaymentEvent::ChargeRequested { payment_id: PaymentId::generate(env.ids), order_id, payer_id, amount }])
    }
}
