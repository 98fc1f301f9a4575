//! From the domain to what billing shows others: the published messages, the receipt document,
//! the query answers, and refusals in the port's language. The only place that knows both.

use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Timestamp;

use super::Outcome;
use crate::domain::dispute::{Dispute, DisputeOutcome, DisputeStage};
use crate::domain::ids::{OrderId, ReceiptId};
use crate::domain::money::Money;
use crate::domain::payment::{Charge, DueCall, Payment, PaymentError, Stage};
use crate::domain::receipt::IssuedReceipt;
use crate::domain::retry_policy::Attempt;
use crate::ports::{Amount, BillingError, DisputeView, PaymentStatus, PaymentView, ReceiptLink, RefundView};
use crate::published::{
    receipt_link, DisputeOpenedV1, DisputeResolvedV1, MoneyV1, PayerV1, PaymentCapturedV1, PaymentDeclinedV1,
    PaymentFailedV1, PaymentRefundedV1, ReceiptDocumentV1, ReceiptIssuedV1, ReceiptLineV1, ReceiptPaymentV1,
    ReceiptTotalsV1,
};

/// A payment's refusal, in the port's language.
pub(super) fn refusal(order_id: OrderId, error: PaymentError) -> BillingError {
    let order_id = order_id.to_string();
    match error {
        PaymentError::ChargeConflict { payer_id, amount } => {
            BillingError::ChargeConflict { order_id, payer_id: payer_id.to_string(), amount: amount.to_string() }
        }
        PaymentError::NoPayment => BillingError::NoPayment { order_id },
        PaymentError::NotCaptured { stage } => BillingError::NotCaptured { order_id, status: stage.to_owned() },
        PaymentError::ZeroAmount => BillingError::InvalidInput { field: "amount".into(), reason: error.to_string() },
        PaymentError::RefundExceedsRefundable { requested, refundable } => BillingError::RefundExceedsRefundable {
            order_id,
            requested: requested.to_string(),
            refundable: refundable.to_string(),
        },
        PaymentError::RefundIdReused { refund_id } => {
            BillingError::RefundIdReused { order_id, refund_id: refund_id.to_string() }
        }
        PaymentError::AlreadyDisputed => BillingError::AlreadyDisputed { order_id },
        PaymentError::DisputeExceedsCharge { requested, disputable } => BillingError::DisputeExceedsCharge {
            order_id,
            requested: requested.to_string(),
            disputable: disputable.to_string(),
        },
        PaymentError::NoDispute => BillingError::NoDispute { order_id },
        PaymentError::Dispute(step) => BillingError::DisputeClosed { order_id, reason: step.to_string() },
        PaymentError::NoCallPending { .. } | PaymentError::CallNotDue { .. } => {
            BillingError::Inconsistent { order_id, detail: error.to_string() }
        }
    }
}

/// A refusal of a step the use case had checked before taking it: a defect, never the caller's.
pub(super) fn inconsistent(order_id: OrderId, error: PaymentError) -> BillingError {
    BillingError::Inconsistent { order_id: order_id.to_string(), detail: error.to_string() }
}

pub(super) fn amount(money: Money) -> Amount {
    Amount { amount_cents: money.amount_cents(), currency: money.currency().code().to_owned() }
}

fn money_v1(money: Money) -> MoneyV1 {
    MoneyV1 { amount_cents: money.amount_cents(), currency: money.currency().code().to_owned() }
}

/// The payment of `order_id` as it stands in the unit of work.
pub(super) fn payment<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId) -> Outcome<PaymentView> {
    let (payment, _) = uow.load::<Payment>(&order_id)?;
    match payment.charge() {
        Some(charge) => Ok(payment_view(charge)),
        None => Err(BillingError::NoPayment { order_id: order_id.to_string() }.into()),
    }
}

pub(super) fn payment_view(charge: &Charge) -> PaymentView {
    let (status, next_call_at, failure_reason, authorization_id, receipt) = match charge.stage() {
        Stage::Charging { next_call_at, .. } => (PaymentStatus::Charging, *next_call_at, None, None, None),
        Stage::Captured { authorization, receipt_id, .. } => (
            PaymentStatus::Captured,
            None,
            None,
            Some(authorization.to_string()),
            Some(ReceiptLink { receipt_id: receipt_id.to_string(), link: receipt_link(receipt_id.as_uuid()) }),
        ),
        Stage::Failed { cause, .. } => (PaymentStatus::Failed, None, Some(cause.describe()), None, None),
    };
    PaymentView {
        order_id: charge.order_id().to_string(),
        payment_id: charge.payment_id().to_string(),
        payer_id: charge.payer_id().to_string(),
        status,
        amount: amount(charge.amount()),
        captured: amount(charge.captured()),
        refunded: amount(charge.refunded()),
        charged_back: amount(charge.charged_back()),
        refundable: amount(charge.refundable()),
        attempts: charge.tries(),
        next_call_at,
        failure_reason,
        authorization_id,
        receipt,
        refunds: charge
            .refunds()
            .map(|(refund_id, refund)| RefundView {
                refund_id: refund_id.to_string(),
                amount: amount(refund.amount),
                reason: refund.reason.to_string(),
            })
            .collect(),
        dispute: charge.dispute().map(dispute_view),
    }
}

fn dispute_view(dispute: &Dispute) -> DisputeView {
    let (status, evidence) = match dispute.stage() {
        DisputeStage::Opened => ("opened", None),
        DisputeStage::Responded { evidence } => ("responded", Some(evidence)),
        DisputeStage::Resolved { outcome, evidence } => (outcome.as_str(), evidence.as_ref()),
    };
    DisputeView {
        dispute_id: dispute.dispute_id().to_string(),
        status: status.to_owned(),
        amount: amount(dispute.amount()),
        reason: dispute.reason().to_string(),
        evidence: evidence.map(ToString::to_string),
    }
}

pub(super) fn payment_captured(due: &DueCall, attempt: Attempt) -> PaymentCapturedV1 {
    PaymentCapturedV1 {
        order_id: due.order_id.as_uuid(),
        payment_id: due.payment_id.as_uuid(),
        payer_id: due.payer_id.as_uuid(),
        amount: money_v1(due.amount),
        attempt: attempt.get(),
    }
}

pub(super) fn payment_declined(
    due: &DueCall,
    attempt: Attempt,
    reason: &str,
    retry_at: Timestamp,
) -> PaymentDeclinedV1 {
    PaymentDeclinedV1 {
        order_id: due.order_id.as_uuid(),
        payment_id: due.payment_id.as_uuid(),
        attempt: attempt.get(),
        reason: reason.to_owned(),
        retry_at,
    }
}

pub(super) fn payment_failed(due: &DueCall, attempts: Attempt, reason: &str) -> PaymentFailedV1 {
    PaymentFailedV1 {
        order_id: due.order_id.as_uuid(),
        payment_id: due.payment_id.as_uuid(),
        attempts: attempts.get(),
        reason: reason.to_owned(),
    }
}

pub(super) fn payment_refunded(charge: &Charge, refunded: Money) -> PaymentRefundedV1 {
    PaymentRefundedV1 {
        order_id: charge.order_id().as_uuid(),
        payment_id: charge.payment_id().as_uuid(),
        amount: money_v1(refunded),
        refunded_total: money_v1(charge.refunded()),
    }
}

pub(super) fn dispute_opened(charge: &Charge, disputed: Money) -> DisputeOpenedV1 {
    DisputeOpenedV1 {
        order_id: charge.order_id().as_uuid(),
        payment_id: charge.payment_id().as_uuid(),
        amount: money_v1(disputed),
    }
}

pub(super) fn dispute_resolved(charge: &Charge, outcome: DisputeOutcome) -> DisputeResolvedV1 {
    let disputed = charge.dispute().map_or(Money::zero(charge.amount().currency()), Dispute::amount);
    DisputeResolvedV1 {
        order_id: charge.order_id().as_uuid(),
        payment_id: charge.payment_id().as_uuid(),
        amount: money_v1(disputed),
        outcome: outcome.as_str().to_owned(),
    }
}

pub(super) fn receipt_issued(receipt_id: ReceiptId, order_id: OrderId) -> ReceiptIssuedV1 {
    ReceiptIssuedV1 {
        receipt_id: receipt_id.as_uuid(),
        order_id: order_id.as_uuid(),
        link: receipt_link(receipt_id.as_uuid()),
    }
}

pub(super) fn receipt_document(receipt: &IssuedReceipt) -> ReceiptDocumentV1 {
    let issued_at = receipt.issued_at.to_string();
    ReceiptDocumentV1 {
        receipt_id: receipt.receipt_id.as_uuid(),
        order_id: receipt.order_id.as_uuid(),
        payment_id: receipt.payment_id.as_uuid(),
        payer: PayerV1 { payer_id: receipt.payer_id.as_uuid() },
        issued_at: receipt.issued_at,
        date: issued_at.get(..10).unwrap_or(&issued_at).to_owned(),
        lines: receipt
            .lines
            .iter()
            .map(|line| ReceiptLineV1 {
                description: line.description.clone(),
                quantity: line.quantity,
                amount: money_v1(line.amount),
            })
            .collect(),
        totals: ReceiptTotalsV1 {
            subtotal: money_v1(receipt.total),
            total: money_v1(receipt.total),
            paid: money_v1(receipt.total),
        },
        payment: ReceiptPaymentV1 {
            method: "card".to_owned(),
            authorization_id: receipt.authorization.to_string(),
            attempt: receipt.attempt.get(),
        },
    }
}
