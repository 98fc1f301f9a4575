//! Given/when/then tests of the `Payment`, and the property test of its invariants.

use kernel::ids::SequentialIds;
use kernel::testing::{check_aggregate, given, run_commands};
use kernel::IdSource;
use proptest::prelude::*;

use super::*;
use crate::domain::money::Currency;
use crate::domain::retry_policy::{GATEWAY_ERRORS_PER_TRY_MAX, TRIES_MAX};
use crate::domain::stored_forms;

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

const DAY0: &str = "2026-01-01T10:00:00Z";

fn order() -> OrderId {
    OrderId::from_uuid(uuid::Uuid::from_u128(1))
}

fn payer() -> PayerId {
    PayerId::from_uuid(uuid::Uuid::from_u128(2))
}

/// The payment id a decision draws first from the fixture's id source (seed 0).
fn payment_id() -> PaymentId {
    PaymentId::from_uuid(SequentialIds::new(0).next_id())
}

fn first_drawn<T>(from_uuid: fn(uuid::Uuid) -> T) -> T {
    from_uuid(SequentialIds::new(0).next_id())
}

fn usd(cents: u64) -> Money {
    Money::new(cents, Currency::Usd).unwrap()
}

fn attempt(n: u64) -> Attempt {
    Attempt::new(n).unwrap()
}

fn requested() -> PaymentEvent {
    PaymentEvent::ChargeRequested { payment_id: payment_id(), order_id: order(), payer_id: payer(), amount: usd(3499) }
}

fn request() -> PaymentCommand {
    PaymentCommand::RequestCharge { order_id: order(), payer_id: payer(), amount: usd(3499) }
}

fn answer(n: u64, answer: GatewayOutcome) -> PaymentCommand {
    PaymentCommand::RecordGatewayAnswer { attempt: attempt(n), answer }
}

fn approved() -> GatewayOutcome {
    GatewayOutcome::Approved(AuthorizationId::parse("auth-1").unwrap())
}

fn declined() -> GatewayOutcome {
    GatewayOutcome::Declined(reason())
}

fn reason() -> DeclineReason {
    DeclineReason::parse("insufficient-funds").unwrap()
}

fn captured() -> PaymentEvent {
    PaymentEvent::PaymentCaptured {
        attempt: Attempt::FIRST,
        authorization: AuthorizationId::parse("auth-1").unwrap(),
        receipt_id: ReceiptId::from_uuid(uuid::Uuid::from_u128(77)),
    }
}

fn refund(n: u128, cents: u64) -> PaymentCommand {
    PaymentCommand::Refund {
        refund_id: RefundId::from_uuid(uuid::Uuid::from_u128(n)),
        amount: usd(cents),
        reason: RefundReason::parse("damaged in transit").unwrap(),
    }
}

fn refunded(n: u128, cents: u64) -> PaymentEvent {
    PaymentEvent::PaymentRefunded {
        refund_id: RefundId::from_uuid(uuid::Uuid::from_u128(n)),
        amount: usd(cents),
        reason: RefundReason::parse("damaged in transit").unwrap(),
    }
}

fn dispute_id() -> DisputeId {
    DisputeId::from_uuid(uuid::Uuid::from_u128(55))
}

fn dispute_opened(cents: u64) -> PaymentEvent {
    PaymentEvent::DisputeOpened {
        dispute_id: dispute_id(),
        amount: usd(cents),
        reason: DisputeReason::parse("not received").unwrap(),
    }
}

#[test]
fn a_charge_is_requested_once_per_order() {
    let payment = given::<Payment>([]).when(request()).then([requested()]);
    assert_eq!(
        payment.due_call(at(DAY0)).map(|call| call.attempt),
        Some(Attempt::FIRST),
        "the first try is due at once"
    );
    given::<Payment>([requested()]).when(request()).then([]);
    given::<Payment>([requested()])
        .when(PaymentCommand::RequestCharge { order_id: order(), payer_id: payer(), amount: usd(1999) })
        .then_rejected(PaymentError::ChargeConflict { payer_id: payer(), amount: usd(3499) });
    given::<Payment>([])
        .when(PaymentCommand::RequestCharge { order_id: order(), payer_id: payer(), amount: usd(0) })
        .then_rejected(PaymentError::ZeroAmount);
}

#[test]
fn an_approved_try_captures_the_amount_and_issues_a_receipt() {
    let payment = given::<Payment>([requested()]).at(at(DAY0)).when(answer(1, approved())).then([
        PaymentEvent::PaymentCaptured {
            attempt: Attempt::FIRST,
            authorization: AuthorizationId::parse("auth-1").unwrap(),
            receipt_id: first_drawn(ReceiptId::from_uuid),
        },
    ]);
    let charge = payment.charge().unwrap();
    assert_eq!((charge.captured(), charge.tries(), charge.refundable()), (usd(3499), 1, usd(3499)));
    assert_eq!(payment.due_call(at(DAY0)), None, "nothing more to call");
    given::<Payment>([requested(), captured()])
        .when(answer(1, approved()))
        .then_rejected(PaymentError::NoCallPending { attempt: Attempt::FIRST });
}

#[test]
fn a_declined_card_is_tried_again_on_day_one_and_day_three_then_the_payment_fails() {
    let day1 = at("2026-01-02T10:00:00Z");
    let day3 = at("2026-01-04T10:00:00Z");
    let first = PaymentEvent::ChargeDeclined { attempt: attempt(1), reason: reason(), retry_at: Some(day1) };
    let payment = given::<Payment>([requested()]).at(at(DAY0)).when(answer(1, declined())).then([first.clone()]);
    assert_eq!(payment.due_call(at("2026-01-02T09:59:59Z")), None, "not before day 1");
    assert_eq!(payment.due_call(day1).map(|c| c.attempt), Some(attempt(2)));

    let second = PaymentEvent::ChargeDeclined { attempt: attempt(2), reason: reason(), retry_at: Some(day3) };
    given::<Payment>([requested(), first.clone()]).at(day1).when(answer(2, declined())).then([second.clone()]);

    let payment = given::<Payment>([requested(), first, second]).at(day3).when(answer(3, declined())).then([
        PaymentEvent::ChargeDeclined { attempt: attempt(3), reason: reason(), retry_at: None },
        PaymentEvent::PaymentFailed { attempts: attempt(3), cause: TryFailure::Declined { reason: reason() } },
    ]);
    let charge = payment.charge().unwrap();
    assert_eq!((charge.stage().name(), charge.tries(), charge.captured()), ("failed", 3, usd(0)));
    assert_eq!(payment.due_call(day3.plus_days(30)), None, "a failed payment calls no more");
}

#[test]
fn a_try_is_only_answered_when_it_is_due_and_pending() {
    let day1 = at("2026-01-02T10:00:00Z");
    let first = PaymentEvent::ChargeDeclined { attempt: attempt(1), reason: reason(), retry_at: Some(day1) };
    given::<Payment>([requested(), first.clone()])
        .at(at(DAY0))
        .when(answer(2, approved()))
        .then_rejected(PaymentError::CallNotDue { at: day1 });
    given::<Payment>([requested(), first])
        .at(day1)
        .when(answer(1, approved()))
        .then_rejected(PaymentError::NoCallPending { attempt: attempt(1) });
    given::<Payment>([]).when(answer(1, approved())).then_rejected(PaymentError::NoPayment);
}

#[test]
fn gateway_errors_are_retried_within_minutes_without_counting_as_a_try() {
    let t0 = at(DAY0);
    let failure = GatewayOutcome::Failed(GatewayFailure::Unavailable);
    let mut history = vec![requested()];
    let mut now = t0;
    for errors in 1..GATEWAY_ERRORS_PER_TRY_MAX {
        let retry_at = retry_policy::next_call_at(payment_id(), Attempt::FIRST, errors, now).unwrap();
        let payment = given::<Payment>(history.clone()).at(now).when(answer(1, failure.clone())).then([
            PaymentEvent::GatewayCallFailed {
                attempt: attempt(1),
                failure: GatewayFailure::Unavailable,
                retry_at: Some(retry_at),
            },
        ]);
        assert_eq!(payment.charge().unwrap().tries(), 0, "a gateway error is not a try");
        history.push(PaymentEvent::GatewayCallFailed {
            attempt: attempt(1),
            failure: GatewayFailure::Unavailable,
            retry_at: Some(retry_at),
        });
        now = retry_at;
    }
    assert!(now < t0.plus_micros(30 * 60 * 1_000_000), "every retry of a try happens within half an hour");
    // The call that spends the budget abandons the try: it counts, and the next is on day 1.
    let payment = given::<Payment>(history.clone()).at(now).when(answer(1, failure.clone())).then([
        PaymentEvent::GatewayCallFailed { attempt: attempt(1), failure: GatewayFailure::Unavailable, retry_at: None },
        PaymentEvent::TryAbandoned { attempt: attempt(1), retry_at: Some(now.plus_days(1)) },
    ]);
    assert_eq!(payment.charge().unwrap().tries(), 1);
    assert_eq!(payment.due_call(now.plus_days(1)).map(|c| c.attempt), Some(attempt(2)));
    // A successful call in between clears nothing but captures.
    given::<Payment>(history).at(now).when(answer(1, approved())).then([PaymentEvent::PaymentCaptured {
        attempt: attempt(1),
        authorization: AuthorizationId::parse("auth-1").unwrap(),
        receipt_id: first_drawn(ReceiptId::from_uuid),
    }]);
}

#[test]
fn an_outage_through_the_last_try_fails_the_payment() {
    let t = at("2026-01-04T10:00:00Z");
    let mut history = vec![
        requested(),
        PaymentEvent::ChargeDeclined {
            attempt: attempt(1),
            reason: reason(),
            retry_at: Some(at("2026-01-02T10:00:00Z")),
        },
        PaymentEvent::TryAbandoned { attempt: attempt(2), retry_at: Some(t) },
    ];
    for _ in 1..GATEWAY_ERRORS_PER_TRY_MAX {
        history.push(PaymentEvent::GatewayCallFailed {
            attempt: attempt(3),
            failure: GatewayFailure::TimedOut,
            retry_at: Some(t),
        });
    }
    given::<Payment>(history).at(t).when(answer(3, GatewayOutcome::Failed(GatewayFailure::CircuitOpen))).then([
        PaymentEvent::GatewayCallFailed { attempt: attempt(3), failure: GatewayFailure::CircuitOpen, retry_at: None },
        PaymentEvent::TryAbandoned { attempt: attempt(3), retry_at: None },
        PaymentEvent::PaymentFailed {
            attempts: attempt(3),
            cause: TryFailure::GatewayUnavailable { errors: GATEWAY_ERRORS_PER_TRY_MAX },
        },
    ]);
}

#[test]
fn refunds_never_exceed_what_was_captured() {
    given::<Payment>([requested()]).when(refund(1, 100)).then_rejected(PaymentError::NotCaptured { stage: "charging" });
    given::<Payment>([requested(), captured()])
        .when(refund(1, 3500))
        .then_rejected(PaymentError::RefundExceedsRefundable { requested: usd(3500), refundable: usd(3499) });
    given::<Payment>([requested(), captured()]).when(refund(1, 0)).then_rejected(PaymentError::ZeroAmount);
    let payment =
        given::<Payment>([requested(), captured(), refunded(1, 1000)]).when(refund(2, 2499)).then([refunded(2, 2499)]);
    assert!(payment.charge().unwrap().refundable().is_zero());
    given::<Payment>([requested(), captured(), refunded(1, 1000), refunded(2, 2499)])
        .when(refund(3, 1))
        .then_rejected(PaymentError::RefundExceedsRefundable { requested: usd(1), refundable: usd(0) });
}

#[test]
fn a_refund_asked_for_twice_is_made_once() {
    given::<Payment>([requested(), captured(), refunded(1, 1000)]).when(refund(1, 1000)).then([]);
    given::<Payment>([requested(), captured(), refunded(1, 1000)])
        .when(refund(1, 999))
        .then_rejected(PaymentError::RefundIdReused { refund_id: RefundId::from_uuid(uuid::Uuid::from_u128(1)) });
}

#[test]
fn a_dispute_is_opened_answered_and_won_or_lost() {
    let open = PaymentCommand::OpenDispute { amount: usd(3499), reason: DisputeReason::parse("not received").unwrap() };
    given::<Payment>([requested()]).when(open.clone()).then_rejected(PaymentError::NotCaptured { stage: "charging" });
    given::<Payment>([requested(), captured()]).when(open.clone()).then([PaymentEvent::DisputeOpened {
        dispute_id: first_drawn(DisputeId::from_uuid),
        amount: usd(3499),
        reason: DisputeReason::parse("not received").unwrap(),
    }]);
    given::<Payment>([requested(), captured(), dispute_opened(10)])
        .when(open)
        .then_rejected(PaymentError::AlreadyDisputed);

    let evidence = Evidence::parse("delivered, signed by the payer").unwrap();
    let respond = PaymentCommand::RespondToDispute { evidence: evidence.clone() };
    let responded = PaymentEvent::DisputeResponded { dispute_id: dispute_id(), evidence };
    given::<Payment>([requested(), captured()]).when(respond.clone()).then_rejected(PaymentError::NoDispute);
    given::<Payment>([requested(), captured(), dispute_opened(3499)]).when(respond.clone()).then([responded.clone()]);
    given::<Payment>([requested(), captured(), dispute_opened(3499), responded.clone()])
        .when(respond)
        .then_rejected(PaymentError::Dispute(DisputeStepError::AlreadyResponded));

    let resolve = |outcome| PaymentCommand::ResolveDispute { outcome };
    let won = given::<Payment>([requested(), captured(), dispute_opened(3499), responded.clone()])
        .when(resolve(DisputeOutcome::Won))
        .then([PaymentEvent::DisputeWon { dispute_id: dispute_id() }]);
    assert_eq!(won.charge().unwrap().refundable(), usd(3499), "a won dispute releases the money");
    let lost = given::<Payment>([requested(), captured(), dispute_opened(3499), responded])
        .when(resolve(DisputeOutcome::Lost))
        .then([PaymentEvent::DisputeLost { dispute_id: dispute_id(), amount: usd(3499) }]);
    assert_eq!((lost.charge().unwrap().charged_back(), lost.charge().unwrap().refundable()), (usd(3499), usd(0)));
    let lost_event = PaymentEvent::DisputeLost { dispute_id: dispute_id(), amount: usd(3499) };
    given::<Payment>([requested(), captured(), dispute_opened(3499), lost_event.clone()])
        .when(resolve(DisputeOutcome::Lost))
        .then([]);
    given::<Payment>([requested(), captured(), dispute_opened(3499), lost_event])
        .when(resolve(DisputeOutcome::Won))
        .then_rejected(PaymentError::Dispute(DisputeStepError::AlreadyResolved(DisputeOutcome::Lost)));
}

#[test]
fn money_under_dispute_cannot_also_be_refunded() {
    given::<Payment>([requested(), captured(), dispute_opened(3000)])
        .when(refund(1, 500))
        .then_rejected(PaymentError::RefundExceedsRefundable { requested: usd(500), refundable: usd(499) });
    given::<Payment>([requested(), captured(), refunded(1, 3000)])
        .when(PaymentCommand::OpenDispute { amount: usd(500), reason: DisputeReason::parse("fraud").unwrap() })
        .then_rejected(PaymentError::DisputeExceedsCharge { requested: usd(500), disputable: usd(499) });
}

fn commands() -> impl Strategy<Value = Vec<PaymentCommand>> {
    let outcome = prop_oneof![
        2 => Just(approved()),
        3 => Just(declined()),
        3 => prop_oneof![
            Just(GatewayFailure::Unavailable),
            Just(GatewayFailure::TimedOut),
            Just(GatewayFailure::CircuitOpen),
            Just(GatewayFailure::Saturated),
            Just(GatewayFailure::MalformedAnswer),
        ]
        .prop_map(GatewayOutcome::Failed),
    ];
    let cents = prop_oneof![Just(0u64), 1u64..500, 3000u64..4000];
    let command = prop_oneof![
        2 => prop_oneof![Just(3499u64), Just(1999)]
            .prop_map(|c| PaymentCommand::RequestCharge { order_id: order(), payer_id: payer(), amount: usd(c) }),
        8 => (1u64..=3, outcome).prop_map(|(n, o)| answer(n, o)),
        3 => (0u128..4, cents.clone()).prop_map(|(id, c)| refund(id, c)),
        1 => cents.prop_map(|c| PaymentCommand::OpenDispute {
            amount: usd(c),
            reason: DisputeReason::parse("fraud").unwrap(),
        }),
        1 => Just(PaymentCommand::RespondToDispute { evidence: Evidence::parse("tracking").unwrap() }),
        1 => prop_oneof![Just(DisputeOutcome::Won), Just(DisputeOutcome::Lost)]
            .prop_map(|outcome| PaymentCommand::ResolveDispute { outcome }),
    ];
    proptest::collection::vec(command, 0..40)
}

/// Whatever the gateway answers and whatever is asked after: the money never goes below zero
/// (captured - refunded - charged back >= 0, and money under dispute is not refunded), the
/// order is captured at most once and then for its amount, and every payment ends within its
/// tries.
#[test]
fn the_money_of_a_payment_always_adds_up() {
    check_aggregate::<Payment>(commands(), check_invariants);
    proptest!(|(commands in commands())| {
        let run = run_commands::<Payment>(&commands, check_invariants)?;
        let count = |f: fn(&PaymentEvent) -> bool| run.events.iter().filter(|e| f(e)).count();
        prop_assert!(count(|e| matches!(e, PaymentEvent::ChargeRequested { .. })) <= 1, "requested twice");
        prop_assert!(count(|e| matches!(e, PaymentEvent::PaymentCaptured { .. })) <= 1, "captured twice");
        let calls = count(|e| matches!(
            e,
            PaymentEvent::PaymentCaptured { .. }
                | PaymentEvent::ChargeDeclined { .. }
                | PaymentEvent::GatewayCallFailed { .. }
        ));
        prop_assert!(calls <= usize::from(TRIES_MAX) * usize::from(GATEWAY_ERRORS_PER_TRY_MAX), "{} calls", calls);
    });
}

#[test]
fn the_stored_form_of_every_event_is_stable() {
    let day1 = at("2026-01-02T10:00:00Z");
    insta::assert_json_snapshot!(stored_forms(&[
        requested(),
        PaymentEvent::GatewayCallFailed {
            attempt: attempt(1),
            failure: GatewayFailure::TimedOut,
            retry_at: Some(at(DAY0))
        },
        PaymentEvent::ChargeDeclined { attempt: attempt(1), reason: reason(), retry_at: Some(day1) },
        PaymentEvent::TryAbandoned { attempt: attempt(2), retry_at: None },
        PaymentEvent::PaymentFailed { attempts: attempt(3), cause: TryFailure::GatewayUnavailable { errors: 5 } },
        PaymentEvent::PaymentFailed { attempts: attempt(3), cause: TryFailure::Declined { reason: reason() } },
        captured(),
        refunded(1, 1000),
        dispute_opened(2499),
        PaymentEvent::DisputeResponded { dispute_id: dispute_id(), evidence: Evidence::parse("tracking 1Z").unwrap() },
        PaymentEvent::DisputeWon { dispute_id: dispute_id() },
        PaymentEvent::DisputeLost { dispute_id: dispute_id(), amount: usd(2499) },
    ]));
}

/// The payment's invariants, for the property tests and as a statement of what must hold.
fn check_invariants(payment: &Payment) -> Result<(), String> {
    let Some(charge) = payment.charge() else { return Ok(()) };
    let captured = charge.captured();
    match charge.stage() {
        Stage::Captured { .. } if captured != charge.amount() => {
            return Err(format!("captured {captured} is not the amount {}", charge.amount()))
        }
        Stage::Charging { .. } | Stage::Failed { .. } if !captured.is_zero() => {
            return Err(format!("{captured} captured while {}", charge.stage().name()))
        }
        Stage::Charging { gateway_errors, .. } if *gateway_errors >= GATEWAY_ERRORS_PER_TRY_MAX => {
            return Err(format!("{gateway_errors} failed calls in one try"))
        }
        _ => {}
    }
    if charge.tries() > TRIES_MAX {
        return Err(format!("{} tries", charge.tries()));
    }
    let held = charge.dispute().map_or(Money::zero(captured.currency()), Dispute::held);
    let out = charge.refunded().checked_add(charge.charged_back()).and_then(|m| m.checked_add(held));
    if !out.is_some_and(|out| out.fits_within(captured)) {
        return Err(format!(
            "refunded {} + charged back {} + held {held} exceed captured {captured}",
            charge.refunded(),
            charge.charged_back()
        ));
    }
    let listed = charge.refunds().try_fold(Money::zero(captured.currency()), |sum, (_, r)| sum.checked_add(r.amount));
    if listed != Some(charge.refunded()) {
        return Err(format!("refunds add up to {listed:?}, not to refunded {}", charge.refunded()));
    }
    Ok(())
}
