//! The `Shipment` aggregate (stream `shipment-<shipment id>`): one parcel, from the request to
//! its end: delivered, returned to the warehouse, or damaged in transit and recorded as lost.
//!
//! ```text
//!             request                dispatched                  delivered
//! (none) ──────────────▶ awaiting ─────────────▶ in transit ───────────────▶ delivered
//!                        dispatch    (attempt 1 due │  ▲  no one home,   ──▶ returned (no one home
//!                                     in 2 days)    └──┘  attempt 2 or 3        at attempt 3)
//!                                                   damaged in transit  ──▶ lost (insurance claim)
//! ```
//!
//! At every moment before its end a shipment has exactly one carrier call due (hand the
//! parcel over, or ask how attempt *n* went) and the time it is due. The application makes
//! the call when it is due, through the carrier port, and records the answer here; the
//! aggregate checks that the answer is for the call that is due and decides what follows,
//! including when the next call is due. A failed call (the carrier's service, not the
//! customer) is retried after a backoff, never counted as an attempt, and stalls the shipment
//! after [`CARRIER_RETRIES_MAX`] retries in a row, until an operator resumes it.
//!
//! Invariants, by construction and checked by the property test below: at most
//! [`AttemptNumber::LAST`] attempts; the parcel is dispatched before any attempt; an ended
//! shipment takes no further step; answers are recorded only for the call due, once due.

use std::fmt;

use kernel::{Aggregate, DomainEvent, Env, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::carrier::{CarrierFault, CarrierName, Handover, TrackingNumber};
use crate::domain::consignment::Consignment;
use crate::domain::delivery::{
    carrier_retry_at, first_attempt_at, reattempt_at, AttemptNumber, AttemptOutcome, CarrierCall, DeliveryFailure,
    CARRIER_RETRIES_MAX,
};
use crate::domain::ids::ShipmentId;
use crate::domain::money::Money;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    /// `None` until the shipment is requested.
    record: Option<Record>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    consignment: Consignment,
    requested_at: Timestamp,
    stage: Stage,
}

/// Where a requested shipment is in its life.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Requested; the parcel waits to be handed to the carrier.
    AwaitingDispatch {
        next: NextCall,
    },
    /// With the carrier; `next_attempt` is the delivery attempt due next.
    InTransit {
        handover: Handover,
        next_attempt: AttemptNumber,
        next: NextCall,
    },
    Delivered {
        handover: Handover,
        attempts: AttemptNumber,
    },
    /// No one was home at the last attempt: the parcel goes back to the warehouse.
    Returned {
        handover: Handover,
        attempts: AttemptNumber,
    },
    /// Damaged in transit and recorded as lost; the insurance claim was filed.
    Lost {
        handover: Handover,
        attempts: AttemptNumber,
        insurance_claim: Money,
    },
}

/// The state of the carrier call a shipment is waiting on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NextCall {
    /// Due at `at`. `failures` earlier tries of this call failed; `retries_left` more
    /// failures are retried before the shipment stalls.
    Scheduled { at: Timestamp, failures: u32, retries_left: u32 },
    /// Every retry failed: no call is made until an operator resumes the shipment.
    Stalled { failures: u32, fault: CarrierFault },
}

impl NextCall {
    fn fresh(at: Timestamp) -> Self {
        NextCall::Scheduled { at, failures: 0, retries_left: CARRIER_RETRIES_MAX }
    }
}

/// The status of a shipment, in shipping's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    AwaitingDispatch,
    InTransit,
    Delivered,
    Returned,
    Lost,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::AwaitingDispatch => "awaiting-dispatch",
            Status::InTransit => "in-transit",
            Status::Delivered => "delivered",
            Status::Returned => "returned",
            Status::Lost => "lost",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A carrier call that is scheduled: what, when, and how many tries of it failed before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueCall {
    pub call: CarrierCall,
    pub at: Timestamp,
    pub failures: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ShipmentCommand {
    /// Accept the terms of a shipment; the same terms again change nothing.
    Request(Consignment),
    /// The carrier took the parcel.
    RecordDispatch { handover: Handover },
    /// The carrier reported how a delivery attempt went.
    RecordDeliveryAttempt { attempt: AttemptNumber, outcome: AttemptOutcome },
    /// A call to the carrier failed on the carrier's side.
    RecordCarrierFault { call: CarrierCall, fault: CarrierFault },
    /// An operator gives a stalled shipment a fresh round of retries, starting now.
    Resume,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShipmentEvent {
    ShipmentRequested {
        consignment: Consignment,
        requested_at: Timestamp,
    },
    ShipmentDispatched {
        carrier: CarrierName,
        tracking_number: TrackingNumber,
        first_attempt_at: Timestamp,
    },
    /// An attempt failed and another is scheduled.
    DeliveryFailed {
        attempt: AttemptNumber,
        failure: DeliveryFailure,
        reattempt_at: Timestamp,
    },
    ShipmentDelivered {
        attempts: AttemptNumber,
    },
    /// The last attempt failed too.
    ShipmentReturned {
        attempts: AttemptNumber,
        failure: DeliveryFailure,
    },
    /// Damaged in transit: recorded as lost, and the insured value claimed.
    ShipmentDamaged {
        attempts: AttemptNumber,
        insurance_claim: Money,
    },
    CarrierCallFailed {
        call: CarrierCall,
        fault: CarrierFault,
        retry_at: Timestamp,
    },
    ShipmentStalled {
        call: CarrierCall,
        fault: CarrierFault,
    },
    ShipmentResumed {
        call: CarrierCall,
        resume_at: Timestamp,
    },
}

impl DomainEvent for ShipmentEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShipmentError {
    #[error("the shipment was never requested")]
    NotRequested,
    #[error("shipment {shipment_id} was already requested with other terms")]
    ConflictingRequest { shipment_id: ShipmentId },
    #[error("the shipment has ended ({status}): it takes no further step")]
    Ended { status: Status },
    #[error("the shipment is stalled: resume it before the carrier is called again")]
    Stalled,
    #[error("the carrier answered the {answered}, but the call due is the {due}")]
    NotTheDueCall { answered: CarrierCall, due: CarrierCall },
    #[error("the {call} is not due until {due_at}")]
    NotDueYet { call: CarrierCall, due_at: Timestamp },
    #[error("the shipment is not stalled: its {call} is due at {due_at}")]
    NotStalled { call: CarrierCall, due_at: Timestamp },
}

impl Stage {
    pub fn status(&self) -> Status {
        match self {
            Stage::AwaitingDispatch { .. } => Status::AwaitingDispatch,
            Stage::InTransit { .. } => Status::InTransit,
            Stage::Delivered { .. } => Status::Delivered,
            Stage::Returned { .. } => Status::Returned,
            Stage::Lost { .. } => Status::Lost,
        }
    }

    /// The call this stage waits on, unless the shipment has ended.
    fn waiting_on(&self) -> Option<(CarrierCall, &NextCall)> {
        match self {
            Stage::AwaitingDispatch { next } => Some((CarrierCall::Dispatch, next)),
            Stage::InTransit { next_attempt, next, .. } => Some((CarrierCall::DeliveryAttempt(*next_attempt), next)),
            Stage::Delivered { .. } | Stage::Returned { .. } | Stage::Lost { .. } => None,
        }
    }

    fn next_mut(&mut self) -> Option<&mut NextCall> {
        match self {
            Stage::AwaitingDispatch { next } | Stage::InTransit { next, .. } => Some(next),
            Stage::Delivered { .. } | Stage::Returned { .. } | Stage::Lost { .. } => None,
        }
    }
}

impl Record {
    fn waiting_on(&self) -> Result<(CarrierCall, &NextCall), ShipmentError> {
        self.stage.waiting_on().ok_or(ShipmentError::Ended { status: self.stage.status() })
    }

    /// Checks that an answer to `answered` may be recorded now; returns the retries left.
    fn accept_answer(&self, answered: CarrierCall, now: Timestamp) -> Result<u32, ShipmentError> {
        let (due, next) = self.waiting_on()?;
        match *next {
            NextCall::Stalled { .. } => Err(ShipmentError::Stalled),
            _ if answered != due => Err(ShipmentError::NotTheDueCall { answered, due }),
            NextCall::Scheduled { at, .. } if at > now => Err(ShipmentError::NotDueYet { call: due, due_at: at }),
            NextCall::Scheduled { retries_left, .. } => Ok(retries_left),
        }
    }

    fn attempted(&self, attempt: AttemptNumber, outcome: AttemptOutcome, now: Timestamp) -> ShipmentEvent {
        match outcome {
            AttemptOutcome::Delivered => ShipmentEvent::ShipmentDelivered { attempts: attempt },
            AttemptOutcome::NoOneHome => match attempt.next() {
                Some(_) => ShipmentEvent::DeliveryFailed {
                    attempt,
                    failure: DeliveryFailure::NoOneHome,
                    reattempt_at: reattempt_at(now),
                },
                None => ShipmentEvent::ShipmentReturned { attempts: attempt, failure: DeliveryFailure::NoOneHome },
            },
            AttemptOutcome::DamagedInTransit => ShipmentEvent::ShipmentDamaged {
                attempts: attempt,
                insurance_claim: self.consignment.insurance.claim_for_loss(),
            },
        }
    }

    fn faulted(&self, call: CarrierCall, fault: &CarrierFault, retries_left: u32, now: Timestamp) -> ShipmentEvent {
        if retries_left == 0 {
            return ShipmentEvent::ShipmentStalled { call, fault: fault.clone() };
        }
        let retry = CARRIER_RETRIES_MAX - retries_left + 1;
        let retry_at = carrier_retry_at(now, self.consignment.shipment_id, retry);
        ShipmentEvent::CarrierCallFailed { call, fault: fault.clone(), retry_at }
    }

    fn resume(&self, now: Timestamp) -> Result<ShipmentEvent, ShipmentError> {
        match self.waiting_on()? {
            (call, NextCall::Stalled { .. }) => Ok(ShipmentEvent::ShipmentResumed { call, resume_at: now }),
            (call, NextCall::Scheduled { at, .. }) => Err(ShipmentError::NotStalled { call, due_at: *at }),
        }
    }
}

impl Shipment {
    /// A new shipment, or nothing for a repeated request. Different terms under the same id
    /// are the sender's mistake, never a second shipment.
    fn request(&self, consignment: &Consignment, now: Timestamp) -> Result<Option<ShipmentEvent>, ShipmentError> {
        match &self.record {
            None => Ok(Some(ShipmentEvent::ShipmentRequested { consignment: consignment.clone(), requested_at: now })),
            Some(record) if record.consignment == *consignment => Ok(None),
            Some(_) => Err(ShipmentError::ConflictingRequest { shipment_id: consignment.shipment_id }),
        }
    }

    pub fn consignment(&self) -> Option<&Consignment> {
        self.record.as_ref().map(|r| &r.consignment)
    }

    pub fn requested_at(&self) -> Option<Timestamp> {
        self.record.as_ref().map(|r| r.requested_at)
    }

    pub fn stage(&self) -> Option<&Stage> {
        self.record.as_ref().map(|r| &r.stage)
    }

    pub fn status(&self) -> Option<Status> {
        self.stage().map(Stage::status)
    }

    /// Who took the parcel, once dispatched.
    pub fn handover(&self) -> Option<&Handover> {
        match self.stage()? {
            Stage::AwaitingDispatch { .. } => None,
            Stage::InTransit { handover, .. }
            | Stage::Delivered { handover, .. }
            | Stage::Returned { handover, .. }
            | Stage::Lost { handover, .. } => Some(handover),
        }
    }

    /// Delivery attempts made so far: 0 to 3.
    pub fn attempts_made(&self) -> u8 {
        match self.stage() {
            None | Some(Stage::AwaitingDispatch { .. }) => 0,
            Some(Stage::InTransit { next_attempt, .. }) => next_attempt.get() - 1,
            Some(
                Stage::Delivered { attempts, .. } | Stage::Returned { attempts, .. } | Stage::Lost { attempts, .. },
            ) => attempts.get(),
        }
    }

    /// The carrier call scheduled next, if any (none once ended, none while stalled).
    pub fn due_call(&self) -> Option<DueCall> {
        match self.stage()?.waiting_on()? {
            (call, NextCall::Scheduled { at, failures, .. }) => Some(DueCall { call, at: *at, failures: *failures }),
            (_, NextCall::Stalled { .. }) => None,
        }
    }

    /// The call a stalled shipment is stuck on, how many tries of it failed, and the last fault.
    pub fn stall(&self) -> Option<(CarrierCall, u32, &CarrierFault)> {
        match self.stage()?.waiting_on()? {
            (call, NextCall::Stalled { failures, fault }) => Some((call, *failures, fault)),
            (_, NextCall::Scheduled { .. }) => None,
        }
    }
}

impl Aggregate for Shipment {
    const CATEGORY: &'static str = "shipment";
    type Command = ShipmentCommand;
    type Event = ShipmentEvent;
    type Error = ShipmentError;

    fn decide(&self, command: &ShipmentCommand, env: &Env<'_>) -> Result<Vec<ShipmentEvent>, ShipmentError> {
        let now = env.now;
        let record = || self.record.as_ref().ok_or(ShipmentError::NotRequested);
        let event = match command {
            ShipmentCommand::Request(consignment) => return Ok(self.request(consignment, now)?.into_iter().collect()),
            ShipmentCommand::RecordDispatch { handover } => {
                record()?.accept_answer(CarrierCall::Dispatch, now)?;
                ShipmentEvent::ShipmentDispatched {
                    carrier: handover.carrier.clone(),
                    tracking_number: handover.tracking_number.clone(),
                    first_attempt_at: first_attempt_at(now),
                }
            }
            ShipmentCommand::RecordDeliveryAttempt { attempt, outcome } => {
                let record = record()?;
                record.accept_answer(CarrierCall::DeliveryAttempt(*attempt), now)?;
                record.attempted(*attempt, *outcome, now)
            }
            ShipmentCommand::RecordCarrierFault { call, fault } => {
                let record = record()?;
                let retries_left = record.accept_answer(*call, now)?;
                record.faulted(*call, fault, retries_left, now)
            }
            ShipmentCommand::Resume => record()?.resume(now)?,
        };
        Ok(vec![event])
    }

    fn evolve(&mut self, event: &ShipmentEvent) {
        if let ShipmentEvent::ShipmentRequested { consignment, requested_at } = event {
            let stage = Stage::AwaitingDispatch { next: NextCall::fresh(*requested_at) };
            self.record = Some(Record { consignment: consignment.clone(), requested_at: *requested_at, stage });
            return;
        }
        let Some(record) = self.record.as_mut() else { return };
        let stage = &mut record.stage;
        match event {
            ShipmentEvent::ShipmentRequested { .. } => {}
            ShipmentEvent::ShipmentDispatched { carrier, tracking_number, first_attempt_at } => {
                let handover = Handover { carrier: carrier.clone(), tracking_number: tracking_number.clone() };
                *stage = Stage::InTransit {
                    handover,
                    next_attempt: AttemptNumber::FIRST,
                    next: NextCall::fresh(*first_attempt_at),
                };
            }
            ShipmentEvent::DeliveryFailed { attempt, reattempt_at, .. } => {
                if let Stage::InTransit { next_attempt, next, .. } = stage {
                    *next_attempt = attempt.next().unwrap_or(*attempt);
                    *next = NextCall::fresh(*reattempt_at);
                }
            }
            ShipmentEvent::ShipmentDelivered { attempts } => {
                if let Stage::InTransit { handover, .. } = stage {
                    *stage = Stage::Delivered { handover: handover.clone(), attempts: *attempts };
                }
            }
            ShipmentEvent::ShipmentReturned { attempts, .. } => {
                if let Stage::InTransit { handover, .. } = stage {
                    *stage = Stage::Returned { handover: handover.clone(), attempts: *attempts };
                }
            }
            ShipmentEvent::ShipmentDamaged { attempts, insurance_claim } => {
                if let Stage::InTransit { handover, .. } = stage {
                    let (handover, attempts, insurance_claim) = (handover.clone(), *attempts, *insurance_claim);
                    *stage = Stage::Lost { handover, attempts, insurance_claim };
                }
            }
            ShipmentEvent::CarrierCallFailed { retry_at, .. } => {
                if let Some(NextCall::Scheduled { at, failures, retries_left }) = stage.next_mut() {
                    *at = *retry_at;
                    *failures += 1;
                    *retries_left = retries_left.saturating_sub(1);
                }
            }
            ShipmentEvent::ShipmentStalled { fault, .. } => {
                if let Some(next) = stage.next_mut() {
                    if let NextCall::Scheduled { failures, .. } = *next {
                        *next = NextCall::Stalled { failures: failures + 1, fault: fault.clone() };
                    }
                }
            }
            ShipmentEvent::ShipmentResumed { resume_at, .. } => {
                if let Some(next) = stage.next_mut() {
                    if let NextCall::Stalled { failures, .. } = *next {
                        *next = NextCall::Scheduled { at: *resume_at, failures, retries_left: CARRIER_RETRIES_MAX };
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::address;
    use crate::domain::consignment::{InsurancePolicy, OrderIds};
    use crate::domain::delivery::CARRIER_RETRY_DELAY_MINUTES_FIRST;
    use crate::domain::ids::OrderId;
    use crate::domain::parcel::{book, Parcel};
    use crate::domain::stored_forms;
    use crate::domain::warehouse::Warehouse;

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn t0() -> Timestamp {
        at("2026-03-02T09:00:00Z")
    }

    fn consignment() -> Consignment {
        let order = |n| OrderId::from_uuid(uuid::Uuid::from_u128(n));
        Consignment {
            shipment_id: ShipmentId::from_uuid(uuid::Uuid::from_u128(7)),
            order_ids: OrderIds::new([order(1), order(2)]).unwrap(),
            warehouse: Warehouse::Dallas,
            address: address::sample(),
            parcel: Parcel::new([book("9780306406157", "Dune"), book("9780804429573", "Emma")]).unwrap(),
            insurance: InsurancePolicy { insured_value: Money::usd(4_999) },
        }
    }

    fn handover() -> Handover {
        Handover {
            carrier: CarrierName::parse("Simulated Post").unwrap(),
            tracking_number: TrackingNumber::parse("SIM-0001").unwrap(),
        }
    }

    fn attempt(n: u8) -> AttemptNumber {
        AttemptNumber::new(n).unwrap()
    }

    fn requested() -> ShipmentEvent {
        ShipmentEvent::ShipmentRequested { consignment: consignment(), requested_at: t0() }
    }

    fn dispatched() -> ShipmentEvent {
        let Handover { carrier, tracking_number } = handover();
        ShipmentEvent::ShipmentDispatched { carrier, tracking_number, first_attempt_at: t0().plus_days(2) }
    }

    fn no_one_home(n: u8, failed_at: Timestamp) -> ShipmentEvent {
        ShipmentEvent::DeliveryFailed {
            attempt: attempt(n),
            failure: DeliveryFailure::NoOneHome,
            reattempt_at: failed_at.plus_days(1),
        }
    }

    fn record_attempt(n: u8, outcome: AttemptOutcome) -> ShipmentCommand {
        ShipmentCommand::RecordDeliveryAttempt { attempt: attempt(n), outcome }
    }

    fn fault(call: CarrierCall) -> ShipmentCommand {
        ShipmentCommand::RecordCarrierFault { call, fault: CarrierFault::new("503 Service Unavailable") }
    }

    #[test]
    fn a_request_creates_a_shipment_whose_dispatch_is_due_at_once() {
        let shipment = given::<Shipment>([]).at(t0()).when(ShipmentCommand::Request(consignment())).then([requested()]);
        assert_eq!(shipment.status(), Some(Status::AwaitingDispatch));
        assert_eq!(shipment.due_call(), Some(DueCall { call: CarrierCall::Dispatch, at: t0(), failures: 0 }));
        assert_eq!(shipment.attempts_made(), 0);
    }

    #[test]
    fn a_repeated_request_changes_nothing_whatever_happened_since_and_other_terms_are_refused() {
        given::<Shipment>([requested()]).when(ShipmentCommand::Request(consignment())).then([]);
        let delivered = ShipmentEvent::ShipmentDelivered { attempts: attempt(1) };
        given::<Shipment>([requested(), dispatched(), delivered])
            .when(ShipmentCommand::Request(consignment()))
            .then([]);
        let mut other = consignment();
        other.warehouse = Warehouse::Chicago;
        given::<Shipment>([requested()])
            .when(ShipmentCommand::Request(other))
            .then_rejected(ShipmentError::ConflictingRequest { shipment_id: consignment().shipment_id });
    }

    #[test]
    fn nothing_happens_to_a_shipment_never_requested() {
        for command in [ShipmentCommand::RecordDispatch { handover: handover() }, ShipmentCommand::Resume] {
            given::<Shipment>([]).when(command).then_rejected(ShipmentError::NotRequested);
        }
    }

    #[test]
    fn dispatch_schedules_the_first_attempt_two_days_later() {
        let shipment = given::<Shipment>([requested()])
            .at(t0())
            .when(ShipmentCommand::RecordDispatch { handover: handover() })
            .then([dispatched()]);
        assert_eq!(shipment.status(), Some(Status::InTransit));
        assert_eq!(shipment.handover(), Some(&handover()));
        let first = DueCall { call: CarrierCall::DeliveryAttempt(attempt(1)), at: t0().plus_days(2), failures: 0 };
        assert_eq!(shipment.due_call(), Some(first));
    }

    #[test]
    fn the_parcel_is_dispatched_before_any_attempt() {
        given::<Shipment>([requested()]).at(t0()).when(record_attempt(1, AttemptOutcome::Delivered)).then_rejected(
            ShipmentError::NotTheDueCall {
                answered: CarrierCall::DeliveryAttempt(attempt(1)),
                due: CarrierCall::Dispatch,
            },
        );
    }

    #[test]
    fn an_answer_is_recorded_only_for_the_call_due_and_once_it_is_due() {
        let early = t0().plus_days(1);
        given::<Shipment>([requested(), dispatched()])
            .at(early)
            .when(record_attempt(1, AttemptOutcome::Delivered))
            .then_rejected(ShipmentError::NotDueYet {
                call: CarrierCall::DeliveryAttempt(attempt(1)),
                due_at: t0().plus_days(2),
            });
        given::<Shipment>([requested(), dispatched()])
            .at(t0().plus_days(2))
            .when(record_attempt(2, AttemptOutcome::Delivered))
            .then_rejected(ShipmentError::NotTheDueCall {
                answered: CarrierCall::DeliveryAttempt(attempt(2)),
                due: CarrierCall::DeliveryAttempt(attempt(1)),
            });
        given::<Shipment>([requested(), dispatched()])
            .at(t0().plus_days(2))
            .when(ShipmentCommand::RecordDispatch { handover: handover() })
            .then_rejected(ShipmentError::NotTheDueCall {
                answered: CarrierCall::Dispatch,
                due: CarrierCall::DeliveryAttempt(attempt(1)),
            });
    }

    #[test]
    fn no_one_home_schedules_a_reattempt_the_next_day() {
        let day2 = t0().plus_days(2);
        let shipment = given::<Shipment>([requested(), dispatched()])
            .at(day2)
            .when(record_attempt(1, AttemptOutcome::NoOneHome))
            .then([no_one_home(1, day2)]);
        assert_eq!(shipment.attempts_made(), 1);
        let second = DueCall { call: CarrierCall::DeliveryAttempt(attempt(2)), at: day2.plus_days(1), failures: 0 };
        assert_eq!(shipment.due_call(), Some(second));
        let shipment = given::<Shipment>([requested(), dispatched(), no_one_home(1, day2)])
            .at(day2.plus_days(1))
            .when(record_attempt(2, AttemptOutcome::Delivered))
            .then([ShipmentEvent::ShipmentDelivered { attempts: attempt(2) }]);
        assert_eq!(
            (shipment.status(), shipment.attempts_made(), shipment.due_call()),
            (Some(Status::Delivered), 2, None)
        );
    }

    #[test]
    fn no_one_home_at_the_third_attempt_returns_the_parcel() {
        let (day2, day3) = (t0().plus_days(2), t0().plus_days(3));
        let shipment = given::<Shipment>([requested(), dispatched(), no_one_home(1, day2), no_one_home(2, day3)])
            .at(day3.plus_days(1))
            .when(record_attempt(3, AttemptOutcome::NoOneHome))
            .then([ShipmentEvent::ShipmentReturned { attempts: attempt(3), failure: DeliveryFailure::NoOneHome }]);
        assert_eq!((shipment.status(), shipment.attempts_made()), (Some(Status::Returned), 3));
    }

    #[test]
    fn damage_in_transit_is_recorded_as_lost_and_the_insured_value_claimed() {
        let shipment = given::<Shipment>([requested(), dispatched()])
            .at(t0().plus_days(2))
            .when(record_attempt(1, AttemptOutcome::DamagedInTransit))
            .then([ShipmentEvent::ShipmentDamaged { attempts: attempt(1), insurance_claim: Money::usd(4_999) }]);
        assert!(
            matches!(shipment.stage(), Some(Stage::Lost { insurance_claim, .. }) if *insurance_claim == Money::usd(4_999))
        );
    }

    #[test]
    fn an_ended_shipment_takes_no_further_step() {
        let ends = [
            (ShipmentEvent::ShipmentDelivered { attempts: attempt(1) }, Status::Delivered),
            (
                ShipmentEvent::ShipmentReturned { attempts: attempt(1), failure: DeliveryFailure::NoOneHome },
                Status::Returned,
            ),
            (ShipmentEvent::ShipmentDamaged { attempts: attempt(1), insurance_claim: Money::usd(1) }, Status::Lost),
        ];
        for (end, status) in ends {
            for command in [
                ShipmentCommand::RecordDispatch { handover: handover() },
                record_attempt(2, AttemptOutcome::Delivered),
                fault(CarrierCall::DeliveryAttempt(attempt(2))),
                ShipmentCommand::Resume,
            ] {
                given::<Shipment>([requested(), dispatched(), end.clone()])
                    .at(t0().plus_days(30))
                    .when(command)
                    .then_rejected(ShipmentError::Ended { status });
            }
        }
    }

    #[test]
    fn a_carrier_fault_is_retried_after_a_backoff_and_is_not_an_attempt() {
        let day2 = t0().plus_days(2);
        let call = CarrierCall::DeliveryAttempt(attempt(1));
        let outcome = given::<Shipment>([requested(), dispatched()]).at(day2).when(fault(call));
        let Ok(events) = outcome.result().clone() else { panic!("a fault is recorded") };
        let [ShipmentEvent::CarrierCallFailed { retry_at, .. }] = events.as_slice() else { panic!("{events:?}") };
        let delay_minutes = (retry_at.as_micros() - day2.as_micros()) / 60_000_000;
        assert!(
            (CARRIER_RETRY_DELAY_MINUTES_FIRST..=CARRIER_RETRY_DELAY_MINUTES_FIRST * 6 / 5).contains(&delay_minutes)
        );
        let shipment = outcome.then(events.clone());
        assert_eq!(shipment.attempts_made(), 0, "a fault is not an attempt");
        assert_eq!(shipment.due_call(), Some(DueCall { call, at: *retry_at, failures: 1 }));
        given::<Shipment>([requested(), dispatched(), events[0].clone()])
            .at(*retry_at)
            .when(record_attempt(1, AttemptOutcome::Delivered))
            .then([ShipmentEvent::ShipmentDelivered { attempts: attempt(1) }]);
    }

    /// Replays faults on the dispatch until the shipment stalls, returning the events.
    fn faults_until_stalled() -> (Shipment, Vec<ShipmentEvent>, Timestamp) {
        let mut shipment = Shipment::replay(&[requested()]);
        let mut events = vec![requested()];
        let mut now = t0();
        let ids = kernel::ids::SequentialIds::new(0);
        for _ in 0..=CARRIER_RETRIES_MAX {
            let decided = shipment.decide(&fault(CarrierCall::Dispatch), &Env { now, ids: &ids }).unwrap();
            decided.iter().for_each(|e| shipment.evolve(e));
            events.extend(decided);
            now = shipment.due_call().map_or(now, |due| due.at);
        }
        (shipment, events, now)
    }

    #[test]
    fn after_its_retries_run_out_a_shipment_stalls_until_an_operator_resumes_it() {
        let (stalled, events, now) = faults_until_stalled();
        let failed = events.iter().filter(|e| matches!(e, ShipmentEvent::CarrierCallFailed { .. })).count();
        assert_eq!(failed as u32, CARRIER_RETRIES_MAX);
        assert!(matches!(events.last(), Some(ShipmentEvent::ShipmentStalled { call: CarrierCall::Dispatch, .. })));
        assert_eq!(stalled.due_call(), None);
        assert_eq!(stalled.stall().map(|(call, failures, _)| (call, failures)), Some((CarrierCall::Dispatch, 9)));
        given::<Shipment>(events.clone())
            .at(now)
            .when(ShipmentCommand::RecordDispatch { handover: handover() })
            .then_rejected(ShipmentError::Stalled);
        let resumed = given::<Shipment>(events.clone())
            .at(now)
            .when(ShipmentCommand::Resume)
            .then([ShipmentEvent::ShipmentResumed { call: CarrierCall::Dispatch, resume_at: now }]);
        // The count of failed tries goes on (the carrier sees a new try), the budget is fresh.
        assert_eq!(resumed.due_call(), Some(DueCall { call: CarrierCall::Dispatch, at: now, failures: 9 }));
        given::<Shipment>([requested()])
            .at(t0())
            .when(ShipmentCommand::Resume)
            .then_rejected(ShipmentError::NotStalled { call: CarrierCall::Dispatch, due_at: t0() });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        let (_, events, now) = faults_until_stalled();
        let day2 = t0().plus_days(2);
        insta::assert_json_snapshot!(stored_forms(&[
            requested(),
            dispatched(),
            no_one_home(1, day2),
            ShipmentEvent::ShipmentDelivered { attempts: attempt(2) },
            ShipmentEvent::ShipmentReturned { attempts: attempt(3), failure: DeliveryFailure::NoOneHome },
            ShipmentEvent::ShipmentDamaged { attempts: attempt(1), insurance_claim: Money::usd(4_999) },
            events[1].clone(),
            events.last().unwrap().clone(),
            ShipmentEvent::ShipmentResumed { call: CarrierCall::DeliveryAttempt(attempt(2)), resume_at: now },
        ]));
    }

    fn commands() -> impl Strategy<Value = Vec<ShipmentCommand>> {
        let attempt_number = (1u8..=3).prop_map(attempt);
        let outcome = prop_oneof![
            Just(AttemptOutcome::Delivered),
            Just(AttemptOutcome::NoOneHome),
            Just(AttemptOutcome::DamagedInTransit),
        ];
        let call = prop_oneof![
            1 => Just(CarrierCall::Dispatch),
            3 => attempt_number.clone().prop_map(CarrierCall::DeliveryAttempt),
        ];
        let other_terms = {
            let mut other = consignment();
            other.insurance.insured_value = Money::usd(1);
            other
        };
        let command = prop_oneof![
            2 => Just(ShipmentCommand::Request(consignment())),
            1 => Just(ShipmentCommand::Request(other_terms)),
            3 => Just(ShipmentCommand::RecordDispatch { handover: handover() }),
            6 => (attempt_number, outcome).prop_map(|(attempt, outcome)| ShipmentCommand::RecordDeliveryAttempt { attempt, outcome }),
            4 => call.prop_map(fault),
            1 => Just(ShipmentCommand::Resume),
        ];
        proptest::collection::vec(command, 0..60)
    }

    fn invariant(shipment: &Shipment) -> Result<(), String> {
        let attempts = shipment.attempts_made();
        if attempts > AttemptNumber::LAST.get() {
            return Err(format!("{attempts} attempts"));
        }
        if shipment.handover().is_none() && attempts > 0 {
            return Err("an attempt before dispatch".into());
        }
        if matches!(shipment.status(), Some(Status::Delivered | Status::Returned | Status::Lost))
            && (shipment.due_call().is_some() || shipment.stall().is_some())
        {
            return Err("an ended shipment waits on the carrier".into());
        }
        if let Some(
            Stage::AwaitingDispatch { next: NextCall::Scheduled { retries_left, .. } }
            | Stage::InTransit { next: NextCall::Scheduled { retries_left, .. }, .. },
        ) = shipment.stage()
        {
            if *retries_left > CARRIER_RETRIES_MAX {
                return Err(format!("{retries_left} retries left"));
            }
        }
        Ok(())
    }

    /// Whatever the carrier answers, in whatever order and however often: at most three
    /// attempts, numbered in order, all after the dispatch; nothing after the end; and at
    /// most the allowed retries in a row before a stall.
    #[test]
    fn the_lifecycle_holds_whatever_the_carrier_answers() {
        check_aggregate::<Shipment>(commands(), invariant);
        proptest!(|(commands in commands())| {
            let run = run_commands::<Shipment>(&commands, invariant)?;
            let (mut dispatched, mut ended, mut attempts, mut faults_in_a_row) = (false, false, 0u8, 0u32);
            for event in &run.events {
                prop_assert!(!ended, "{:?} after the end", event);
                let attempt = match event {
                    ShipmentEvent::ShipmentRequested { .. } => None,
                    ShipmentEvent::ShipmentDispatched { .. } => {
                        prop_assert!(!dispatched, "dispatched twice");
                        dispatched = true;
                        None
                    }
                    ShipmentEvent::DeliveryFailed { attempt, .. } => Some(*attempt),
                    ShipmentEvent::ShipmentDelivered { attempts } | ShipmentEvent::ShipmentReturned { attempts, .. } | ShipmentEvent::ShipmentDamaged { attempts, .. } => {
                        ended = true;
                        Some(*attempts)
                    }
                    ShipmentEvent::CarrierCallFailed { .. } => {
                        faults_in_a_row += 1;
                        prop_assert!(faults_in_a_row <= CARRIER_RETRIES_MAX, "{} retries in a row", faults_in_a_row);
                        continue;
                    }
                    ShipmentEvent::ShipmentStalled { .. } => {
                        prop_assert_eq!(faults_in_a_row, CARRIER_RETRIES_MAX, "stalled before the retries ran out");
                        continue;
                    }
                    ShipmentEvent::ShipmentResumed { .. } => None,
                };
                faults_in_a_row = 0;
                if let Some(attempt) = attempt {
                    prop_assert!(dispatched, "attempt {} before dispatch", attempt);
                    attempts += 1;
                    prop_assert_eq!(attempt.get(), attempts, "attempts out of order");
                }
            }
            prop_assert!(attempts <= 3);
        });
    }
}
