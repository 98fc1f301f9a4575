//! Use cases of a dispute ("the customer is disputing the charge, we need to respond"): the
//! bank opens it, billing answers with evidence, the bank decides. Direct commands (the HTTP
//! API, the CLI): banks reach billing through people, not through another context.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::{execute, views, Outcome};
use crate::domain::dispute::DisputeOutcome;
use crate::domain::ids::OrderId;
use crate::domain::money::Money;
use crate::domain::payment::{Payment, PaymentCommand, PaymentEvent};
use crate::domain::text::{DisputeReason, Evidence};
use crate::ports::PaymentView;
use crate::published::{DISPUTE_OPENED, DISPUTE_RESOLVED};

pub(super) fn open<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    amount: Money,
    reason: DisputeReason,
) -> Outcome<PaymentView> {
    let command = PaymentCommand::OpenDispute { amount, reason };
    let events = execute::<Payment, R>(uow, &order_id, &command, |e| views::refusal(order_id, e))?;
    let (payment, _) = uow.load::<Payment>(&order_id)?;
    for event in &events {
        if let (PaymentEvent::DisputeOpened { amount, .. }, Some(charge)) = (event, payment.charge()) {
            uow.publish(&DISPUTE_OPENED, &order_id, &views::dispute_opened(charge, *amount))?;
        }
    }
    views::payment(uow, order_id)
}

pub(super) fn respond<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    evidence: Evidence,
) -> Outcome<PaymentView> {
    let command = PaymentCommand::RespondToDispute { evidence };
    execute::<Payment, R>(uow, &order_id, &command, |e| views::refusal(order_id, e))?;
    views::payment(uow, order_id)
}

pub(super) fn resolve<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    outcome: DisputeOutcome,
) -> Outcome<PaymentView> {
    let command = PaymentCommand::ResolveDispute { outcome };
    let events = execute::<Payment, R>(uow, &order_id, &command, |e| views::refusal(order_id, e))?;
    let (payment, _) = uow.load::<Payment>(&order_id)?;
    for event in &events {
        let (PaymentEvent::DisputeWon { .. } | PaymentEvent::DisputeLost { .. }, Some(charge)) =
            (event, payment.charge())
        else {
            continue;
        };
        uow.publish(&DISPUTE_RESOLVED, &order_id, &views::dispute_resolved(charge, outcome))?;
    }
    views::payment(uow, order_id)
}
