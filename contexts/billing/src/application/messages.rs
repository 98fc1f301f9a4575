//! The messages billing handles, each with a stable handler id (recorded in the inbox, so a
//! redelivered message has no second effect):
//!
//! - `charge-payment` and `refund-payment`, the commands orders sends (billing's own published
//!   language), running the same use cases as the direct commands;
//! - shipping's `shipment-damaged` (choreography: shipping knows nothing of billing): the
//!   books were lost in transit, so each order of the shipment is refunded what is left of its
//!   payment ("we refunded the customer because the books arrived damaged").
//!
//! What counts as what:
//! - a payload that breaks the schema (no order id, a zero amount, an unknown currency) is a
//!   defect of the sender: a decode error, which the runtime dead-letters, naming the field;
//! - a declined card is a business outcome: recorded, retried, and announced;
//! - a request that contradicts what the payment already did (a second charge of another
//!   amount, a refund of more than is left) cannot be answered truthfully by any event: the
//!   handler fails, the message is dead-lettered, and an operator sees why.

use kernel::context::MessageError;
use kernel::message::Envelope;
use kernel::unit_of_work::{decode_data, decode_raw, Repository, UnitOfWork};
use serde::Deserialize;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::input::{self, ChargeRequest, RefundRequest};
use super::{charges, message_failure, refunds};
use crate::domain::ids::{OrderId, PayerId, RefundId};
use crate::domain::payment::{Payment, Stage};
use crate::domain::text::RefundReason;
use crate::ports::{Amount, PaymentGateway};
use crate::published::{ChargePaymentV1, MoneyV1, RefundPaymentV1};

pub(crate) const ON_CHARGE_PAYMENT: &str = "billing.on-charge-payment";
pub(crate) const ON_REFUND_PAYMENT: &str = "billing.on-refund-payment";
pub(crate) const ON_SHIPMENT_DAMAGED: &str = "billing.on-shipment-damaged";

/// Orders one `shipment-damaged` may name: far above any combined shipment, and a bound on the
/// work one message causes.
const DAMAGED_ORDERS_MAX: usize = 50;

/// Billing's reading of shipping's `shipment-damaged` v1 (a tolerant reader: only what billing
/// uses; the insurance claim is shipping's business).
#[derive(Debug, Deserialize)]
struct ShipmentDamaged {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
}

pub(super) fn handle<R: Repository>(
    gateway: &dyn PaymentGateway,
    handler_id: &str,
    message: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    match handler_id {
        ON_CHARGE_PAYMENT => {
            let request = charge_payment(&decode_data(message).map_err(MessageError::Decode)?)?;
            charges::charge(uow, gateway, request).map_err(message_failure)?;
        }
        ON_REFUND_PAYMENT => {
            let command: RefundPaymentV1 = decode_data(message).map_err(MessageError::Decode)?;
            // Without the sender's refund id, the message's own id stands in: the inbox then
            // recognises a redelivery, and nothing else.
            let refund_id = RefundId::from_uuid(command.refund_id.unwrap_or(message.id.as_uuid()));
            refunds::refund(uow, refund_payment(&command, refund_id)?).map_err(message_failure)?;
        }
        ON_SHIPMENT_DAMAGED => {
            let damaged: ShipmentDamaged = decode_data(message).map_err(MessageError::Decode)?;
            check_shipment_damaged(&damaged)?;
            let refund_id = RefundId::from_uuid(message.id.as_uuid());
            for order_id in &damaged.order_ids {
                refund_damaged(uow, OrderId::from_uuid(*order_id), refund_id, damaged.shipment_id)?;
            }
        }
        unknown => return Err(MessageError::UnknownHandler(unknown.to_owned())),
    }
    Ok(())
}

/// Refunds what is left of an order's payment after its books were lost in transit. An order
/// with nothing to refund (not charged, failed, already refunded) is left as it is.
fn refund_damaged<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    refund_id: RefundId,
    shipment_id: Uuid,
) -> Result<(), MessageError> {
    let (payment, _) = uow.load::<Payment>(&order_id)?;
    let Some(charge) = payment.charge() else { return Ok(()) };
    if !matches!(charge.stage(), Stage::Captured { .. }) || charge.refundable().is_zero() {
        return Ok(());
    }
    let reason = RefundReason::parse(&format!("damaged in transit (shipment {shipment_id})"))
        .map_err(|e| MessageError::Failed(format!("refund reason: {e}")))?;
    let request = RefundRequest { order_id, refund_id, amount: charge.refundable(), reason };
    refunds::refund(uow, request).map_err(message_failure)?;
    Ok(())
}

fn amount(money: &MoneyV1) -> Amount {
    Amount { amount_cents: money.amount_cents, currency: money.currency.clone() }
}

fn charge_payment(command: &ChargePaymentV1) -> Result<ChargeRequest, MessageError> {
    let amount = input::amount("amount", &amount(&command.amount))
        .map_err(|e| MessageError::Decode(format!("charge-payment: {e}")))?;
    Ok(ChargeRequest {
        order_id: OrderId::from_uuid(command.order_id),
        payer_id: PayerId::from_uuid(command.payer_id),
        amount,
    })
}

fn refund_payment(command: &RefundPaymentV1, refund_id: RefundId) -> Result<RefundRequest, MessageError> {
    let decode = |e: crate::ports::BillingError| MessageError::Decode(format!("refund-payment: {e}"));
    Ok(RefundRequest {
        order_id: OrderId::from_uuid(command.order_id),
        refund_id,
        amount: input::amount("amount", &amount(&command.amount)).map_err(decode)?,
        reason: input::refund_reason(&command.reason).map_err(decode)?,
    })
}

fn check_shipment_damaged(message: &ShipmentDamaged) -> Result<(), MessageError> {
    if message.order_ids.len() > DAMAGED_ORDERS_MAX {
        return Err(MessageError::Decode(format!(
            "shipment-damaged: {} order_ids is more than the {DAMAGED_ORDERS_MAX} one shipment may carry",
            message.order_ids.len()
        )));
    }
    Ok(())
}

/// The consumer's check of a `charge-payment` payload: it decodes, and every field parses.
pub(crate) fn decode_charge_payment(raw: &RawValue) -> Result<(), String> {
    let command: ChargePaymentV1 = decode_raw(raw)?;
    charge_payment(&command).map(|_| ()).map_err(|e| e.to_string())
}

pub(crate) fn decode_refund_payment(raw: &RawValue) -> Result<(), String> {
    let command: RefundPaymentV1 = decode_raw(raw)?;
    let refund_id = RefundId::from_uuid(command.refund_id.unwrap_or_default());
    refund_payment(&command, refund_id).map(|_| ()).map_err(|e| e.to_string())
}

pub(crate) fn decode_shipment_damaged(raw: &RawValue) -> Result<(), String> {
    let message: ShipmentDamaged = decode_raw(raw)?;
    check_shipment_damaged(&message).map_err(|e| e.to_string())
}
