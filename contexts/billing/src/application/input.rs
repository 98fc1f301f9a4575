//! From what a caller typed to value objects. Every failure names the field, in the words of
//! the value object's own error, so "invalid amount: must be more than zero" tells the caller
//! exactly what to fix. The same parsers check the payloads of incoming messages.

use std::fmt::Display;

use kernel::IdSource;

use crate::domain::dispute::DisputeOutcome;
use crate::domain::ids::{OrderId, PayerId, ReceiptId, RefundId};
use crate::domain::money::{Currency, Money};
use crate::domain::text::{excerpt, DisputeReason, Evidence, RefundReason};
use crate::ports::{Amount, BillingError};

/// A charge request, parsed: the same for the `ChargePayment` command and the `charge-payment`
/// message.
#[derive(Debug, Clone)]
pub(super) struct ChargeRequest {
    pub order_id: OrderId,
    pub payer_id: PayerId,
    pub amount: Money,
}

/// A refund request, parsed: the same for the command, the `refund-payment` message and a
/// refund for damaged books.
#[derive(Debug, Clone)]
pub(super) struct RefundRequest {
    pub order_id: OrderId,
    pub refund_id: RefundId,
    pub amount: Money,
    pub reason: RefundReason,
}

fn invalid(field: impl Into<String>, error: impl Display) -> BillingError {
    BillingError::InvalidInput { field: field.into(), reason: error.to_string() }
}

pub(super) fn order_id(raw: &str) -> Result<OrderId, BillingError> {
    raw.trim().parse().map_err(|e| invalid("order_id", e))
}

pub(super) fn payer_id(raw: &str) -> Result<PayerId, BillingError> {
    raw.trim().parse().map_err(|e| invalid("payer_id", e))
}

pub(super) fn refund_id(raw: &str) -> Result<RefundId, BillingError> {
    raw.trim().parse().map_err(|e| invalid("refund_id", e))
}

pub(super) fn receipt_id(raw: &str) -> Result<ReceiptId, BillingError> {
    raw.trim().parse().map_err(|e| invalid("receipt_id", e))
}

/// A refund id for a request that brought none: every such request is a new refund.
pub(super) fn new_refund_id(ids: &dyn IdSource) -> RefundId {
    RefundId::generate(ids)
}

/// An amount that moves money: a known currency, more than zero, within the bound.
pub(super) fn amount(field: &str, raw: &Amount) -> Result<Money, BillingError> {
    let currency = Currency::parse(&raw.currency).map_err(|e| invalid(format!("{field}.currency"), e))?;
    Money::positive(raw.amount_cents, currency).map_err(|e| invalid(format!("{field}.amount_cents"), e))
}

pub(super) fn refund_reason(raw: &str) -> Result<RefundReason, BillingError> {
    RefundReason::parse(raw).map_err(|e| invalid("reason", e))
}

pub(super) fn dispute_reason(raw: &str) -> Result<DisputeReason, BillingError> {
    DisputeReason::parse(raw).map_err(|e| invalid("reason", e))
}

pub(super) fn evidence(raw: &str) -> Result<Evidence, BillingError> {
    Evidence::parse(raw).map_err(|e| invalid("evidence", e))
}

pub(super) fn dispute_outcome(raw: &str) -> Result<DisputeOutcome, BillingError> {
    match raw.trim() {
        "won" => Ok(DisputeOutcome::Won),
        "lost" => Ok(DisputeOutcome::Lost),
        other => Err(invalid("outcome", format!("`{}` is neither `won` nor `lost`", excerpt(other)))),
    }
}

pub(super) fn charge_request(
    order_id_raw: &str,
    payer_id_raw: &str,
    amount_raw: &Amount,
) -> Result<ChargeRequest, BillingError> {
    Ok(ChargeRequest {
        order_id: order_id(order_id_raw)?,
        payer_id: payer_id(payer_id_raw)?,
        amount: amount("amount", amount_raw)?,
    })
}

pub(super) fn refund_request(
    order_id_raw: &str,
    refund_id: RefundId,
    amount_raw: &Amount,
    reason_raw: &str,
) -> Result<RefundRequest, BillingError> {
    Ok(RefundRequest {
        order_id: order_id(order_id_raw)?,
        refund_id,
        amount: amount("amount", amount_raw)?,
        reason: refund_reason(reason_raw)?,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_bad_field_is_named() {
        let err = charge_request("not-an-order", "", &Amount::usd(1)).unwrap_err();
        assert_eq!(err.to_string(), "invalid order_id: `not-an-order` is not a valid OrderId (expected a UUID)");
        let order = "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
        let payer = "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a";
        let err = charge_request(order, payer, &Amount::usd(0)).unwrap_err();
        assert_eq!(err.to_string(), "invalid amount.amount_cents: must be more than zero");
        let euros = Amount { amount_cents: 100, currency: "EUR".into() };
        let err = charge_request(order, payer, &euros).unwrap_err();
        assert_eq!(err.to_string(), "invalid amount.currency: unknown currency `EUR` (billing charges in USD)");
        let err = dispute_outcome("draw").unwrap_err();
        assert_eq!(err.to_string(), "invalid outcome: `draw` is neither `won` nor `lost`");
        assert_eq!(refund_reason("").unwrap_err().to_string(), "invalid reason: is empty");
    }

    proptest! {
        #[test]
        fn any_input_parses_or_is_refused_without_panicking(
            order in any::<String>(),
            payer in any::<String>(),
            cents in any::<u64>(),
            currency in any::<String>(),
            text in any::<String>(),
        ) {
            let _ = charge_request(&order, &payer, &Amount { amount_cents: cents, currency: currency.clone() });
            let refund = RefundId::from_uuid(uuid::Uuid::from_u128(1));
            let _ = refund_request(&order, refund, &Amount { amount_cents: cents, currency }, &text);
            let _ = (dispute_reason(&text), evidence(&text), dispute_outcome(&text));
            let _ = (receipt_id(&text), refund_id(&text));
        }
    }
}
