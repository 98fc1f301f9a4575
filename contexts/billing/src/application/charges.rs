//! Use cases of charging: request a charge, and make the gateway call a payment is waiting for
//! (at once for a new charge; later when a deadline fires). The same for the `ChargePayment`
//! command and the `charge-payment` message.
//!
//! A call is one unit of work: ask the gateway, let the `Payment` decide what the answer means,
//! then act on what it decided: issue the receipt and announce the capture, announce a decline,
//! or schedule the deadline that makes the next call. If the unit of work does not commit, the
//! next call carries the same idempotency key, so the gateway cannot charge the card twice.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::input::ChargeRequest;
use super::{deadlines, execute, views, Outcome};
use crate::domain::ids::OrderId;
use crate::domain::payment::{
    DueCall, GatewayFailure, GatewayOutcome, Payment, PaymentCommand, PaymentEvent, TryFailure,
};
use crate::domain::receipt::{Capture, Receipt, ReceiptCommand};
use crate::domain::retry_policy::GATEWAY_ERRORS_PER_TRY_MAX;
use crate::domain::text::{AuthorizationId, DeclineReason};
use crate::ports::{self, BillingError, GatewayAnswer, GatewayError, PaymentGateway, PaymentView};
use crate::published::{PAYMENT_CAPTURED, PAYMENT_DECLINED, PAYMENT_FAILED, RECEIPT_ISSUED};

pub(super) fn charge<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    gateway: &dyn PaymentGateway,
    request: ChargeRequest,
) -> Outcome<PaymentView> {
    let ChargeRequest { order_id, payer_id, amount } = request;
    let command = PaymentCommand::RequestCharge { order_id, payer_id, amount };
    let events = execute::<Payment, R>(uow, &order_id, &command, |e| views::refusal(order_id, e))?;
    // Only a new charge calls the gateway: a repeated request finds its payment captured,
    // failed, or waiting for a call a deadline will make, and must not hurry it.
    if !events.is_empty() {
        call_gateway_if_due(uow, gateway, order_id)?;
    }
    views::payment(uow, order_id)
}

/// Makes the gateway call the payment of `order_id` is waiting for, if one is due now.
pub(super) fn call_gateway_if_due<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    gateway: &dyn PaymentGateway,
    order_id: OrderId,
) -> Outcome<()> {
    let (payment, _) = uow.load::<Payment>(&order_id)?;
    let Some(due) = payment.due_call(uow.now()) else { return Ok(()) };
    let answer = ask(gateway, &due);
    let command = PaymentCommand::RecordGatewayAnswer { attempt: due.attempt, answer };
    let events = execute::<Payment, R>(uow, &order_id, &command, |e| views::inconsistent(order_id, e))?;
    for event in &events {
        announce(uow, &due, event)?;
    }
    deadlines::schedule_next_call(uow, order_id)
}

/// Calls the gateway and reads its answer into the domain's terms. Nothing the gateway sends
/// can stop billing: an odd decline reason is sanitized, an approval without a readable id is
/// a malformed answer (no try is counted; the same idempotency key asks again).
fn ask(gateway: &dyn PaymentGateway, due: &DueCall) -> GatewayOutcome {
    let request = ports::ChargeRequest {
        idempotency_key: format!("{}-{}", due.payment_id, due.attempt),
        order_id: due.order_id.as_uuid(),
        payment_id: due.payment_id.as_uuid(),
        payer_id: due.payer_id.as_uuid(),
        amount: views::amount(due.amount),
        attempt: due.attempt.get(),
    };
    match gateway.charge(&request) {
        Ok(GatewayAnswer::Approved { authorization_id }) => match AuthorizationId::parse(&authorization_id) {
            Ok(authorization) => GatewayOutcome::Approved(authorization),
            Err(_) => GatewayOutcome::Failed(GatewayFailure::MalformedAnswer),
        },
        Ok(GatewayAnswer::Declined { reason }) => GatewayOutcome::Declined(DeclineReason::from_gateway(&reason)),
        Err(GatewayError::Unavailable(_)) => GatewayOutcome::Failed(GatewayFailure::Unavailable),
        Err(GatewayError::TimedOut { .. }) => GatewayOutcome::Failed(GatewayFailure::TimedOut),
        Err(GatewayError::CircuitOpen) => GatewayOutcome::Failed(GatewayFailure::CircuitOpen),
        Err(GatewayError::Saturated { .. }) => GatewayOutcome::Failed(GatewayFailure::Saturated),
    }
}

/// Acts on what the payment decided: what others hear of it, and the receipt.
fn announce<R: Repository>(uow: &mut UnitOfWork<'_, R>, due: &DueCall, event: &PaymentEvent) -> Outcome<()> {
    let order_id = due.order_id;
    match event {
        PaymentEvent::PaymentCaptured { attempt, authorization, receipt_id } => {
            let capture = Capture {
                receipt_id: *receipt_id,
                order_id,
                payment_id: due.payment_id,
                payer_id: due.payer_id,
                amount: due.amount,
                authorization: authorization.clone(),
                attempt: *attempt,
            };
            execute::<Receipt, R>(uow, receipt_id, &ReceiptCommand::Issue(capture), |e| BillingError::Inconsistent {
                order_id: order_id.to_string(),
                detail: e.to_string(),
            })?;
            uow.publish(&PAYMENT_CAPTURED, &order_id, &views::payment_captured(due, *attempt))?;
            uow.publish(&RECEIPT_ISSUED, &order_id, &views::receipt_issued(*receipt_id, order_id))?;
        }
        PaymentEvent::ChargeDeclined { attempt, reason, retry_at: Some(retry_at) } => {
            let declined = views::payment_declined(due, *attempt, reason.as_str(), *retry_at);
            uow.publish(&PAYMENT_DECLINED, &order_id, &declined)?;
        }
        PaymentEvent::TryAbandoned { attempt, retry_at: Some(retry_at) } => {
            let reason = TryFailure::GatewayUnavailable { errors: GATEWAY_ERRORS_PER_TRY_MAX }.describe();
            uow.publish(&PAYMENT_DECLINED, &order_id, &views::payment_declined(due, *attempt, &reason, *retry_at))?;
        }
        PaymentEvent::PaymentFailed { attempts, cause } => {
            uow.publish(&PAYMENT_FAILED, &order_id, &views::payment_failed(due, *attempts, &cause.describe()))?;
        }
        // A failed call is billing's own business (the next call is scheduled below); the last
        // try's end is announced by `payment-failed`, which follows it.
        PaymentEvent::GatewayCallFailed { .. }
        | PaymentEvent::ChargeDeclined { retry_at: None, .. }
        | PaymentEvent::TryAbandoned { retry_at: None, .. }
        | PaymentEvent::ChargeRequested { .. }
        | PaymentEvent::PaymentRefunded { .. }
        | PaymentEvent::DisputeOpened { .. }
        | PaymentEvent::DisputeResponded { .. }
        | PaymentEvent::DisputeWon { .. }
        | PaymentEvent::DisputeLost { .. } => {}
    }
    Ok(())
}
