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
use kernel::inbox::ConsumerModel;
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};
use serde::Deserialize;
use uuid::Uuid;

use super::input::{self, ChargeRequest, RefundRequest};
use super::{charges, message_failure, refunds, Billing};
use crate::domain::ids::{OrderId, PayerId, RefundId};
use crate::domain::money::Money;
use crate::domain::payment::{Payment, Stage};
use crate::domain::text::RefundReason;
use crate::ports::Amount;
use crate::published::{ChargePaymentV1, MoneyV1, RefundPaymentV1};

kernel::inbox! {
    Billing {
        "billing.on-charge-payment": Command "bookbox.billing.charge-payment.v1" => ChargePayment => charge,
        "billing.on-refund-payment": Command "bookbox.billing.refund-payment.v1" => RefundPayment => refund,
        "billing.on-shipment-damaged": DomainEvent "bookbox.shipping.shipment-damaged.v1"
            => ShipmentDamaged => refund_damaged_shipment,
    }
}

/// Orders one `shipment-damaged` may name: far above any combined shipment, and a bound on the
/// work one message causes.
const DAMAGED_ORDERS_MAX: usize = 50;

/// Billing's own `charge-payment` v1, read as a charge request: every field parsed.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct ChargePayment(ChargePaymentV1);

impl ConsumerModel for ChargePayment {
    type Read = ChargeRequest;

    fn read(self) -> Result<ChargeRequest, String> {
        let Self(command) = self;
        let amount = input::amount("amount", &amount(&command.amount)).map_err(|e| format!("charge-payment: {e}"))?;
        Ok(ChargeRequest {
            order_id: OrderId::from_uuid(command.order_id),
            payer_id: PayerId::from_uuid(command.payer_id),
            amount,
        })
    }
}

/// Billing's own `refund-payment` v1, every field parsed.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct RefundPayment(RefundPaymentV1);

/// A refund another context asked for, and the refund id it gave, if any.
#[derive(Debug)]
struct RefundAsked {
    refund_id: Option<Uuid>,
    order_id: OrderId,
    amount: Money,
    reason: RefundReason,
}

impl ConsumerModel for RefundPayment {
    type Read = RefundAsked;

    fn read(self) -> Result<RefundAsked, String> {
        let Self(command) = self;
        let decode = |e: crate::ports::BillingError| format!("refund-payment: {e}");
        Ok(RefundAsked {
            refund_id: command.refund_id,
            order_id: OrderId::from_uuid(command.order_id),
            amount: input::amount("amount", &amount(&command.amount)).map_err(decode)?,
            reason: input::refund_reason(&command.reason).map_err(decode)?,
        })
    }
}

/// Billing's reading of shipping's `shipment-damaged` v1 (a tolerant reader: only what billing
/// uses; the insurance claim is shipping's business), within the bound on the orders it names.
#[derive(Debug, Deserialize)]
struct ShipmentDamaged {
    shipment_id: Uuid,
    order_ids: Vec<Uuid>,
}

impl ConsumerModel for ShipmentDamaged {
    type Read = Self;

    fn read(self) -> Result<Self, String> {
        if self.order_ids.len() > DAMAGED_ORDERS_MAX {
            return Err(format!(
                "shipment-damaged: {} order_ids is more than the {DAMAGED_ORDERS_MAX} one shipment may carry",
                self.order_ids.len()
            ));
        }
        Ok(self)
    }
}

fn charge<R: Repository>(
    billing: &Billing,
    request: ChargeRequest,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    charges::charge(uow, billing.gateway.as_ref(), request).map_err(message_failure)?;
    Ok(())
}

fn refund<R: Repository>(
    _: &Billing,
    asked: RefundAsked,
    message: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    let RefundAsked { refund_id, order_id, amount, reason } = asked;
    // Without the sender's refund id, the message's own id stands in: the inbox then
    // recognises a redelivery, and nothing else.
    let refund_id = RefundId::from_uuid(refund_id.unwrap_or(message.id.as_uuid()));
    refunds::refund(uow, RefundRequest { order_id, refund_id, amount, reason }).map_err(message_failure)?;
    Ok(())
}

fn refund_damaged_shipment<R: Repository>(
    _: &Billing,
    damaged: ShipmentDamaged,
    message: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    let refund_id = RefundId::from_uuid(message.id.as_uuid());
    for order_id in &damaged.order_ids {
        refund_damaged(uow, OrderId::from_uuid(*order_id), refund_id, damaged.shipment_id)?;
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
