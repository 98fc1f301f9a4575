//! The `Receipt` aggregate: the document billing issues when a payment is captured ("the
//! customer is asking for a receipt for last month's box"), stream `receipt-<receipt id>`.
//!
//! Why an aggregate of its own: a receipt is a document with its own identity and link, read
//! by other contexts through billing's query port. Keeping it apart keeps the `Payment` small,
//! and a receipt, once issued, never changes: a refund is a movement of the payment, not an
//! edit of a document someone may already have filed.

use kernel::{Aggregate, DomainEvent, Env, Timestamp};
use serde::{Deserialize, Serialize};

use crate::domain::ids::{OrderId, PayerId, PaymentId, ReceiptId};
use crate::domain::money::Money;
use crate::domain::retry_policy::Attempt;
use crate::domain::text::AuthorizationId;

/// What the receipt says was bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub description: String,
    pub quantity: u32,
    pub amount: Money,
}

/// An issued receipt. Invariant: `total` is the sum of the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedReceipt {
    pub receipt_id: ReceiptId,
    pub order_id: OrderId,
    pub payment_id: PaymentId,
    pub payer_id: PayerId,
    pub issued_at: Timestamp,
    pub lines: Vec<ReceiptLine>,
    pub total: Money,
    pub authorization: AuthorizationId,
    pub attempt: Attempt,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    issued: Option<IssuedReceipt>,
}

/// What a receipt is for: the capture of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub receipt_id: ReceiptId,
    pub order_id: OrderId,
    pub payment_id: PaymentId,
    pub payer_id: PayerId,
    pub amount: Money,
    pub authorization: AuthorizationId,
    pub attempt: Attempt,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReceiptCommand {
    Issue(Capture),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReceiptEvent {
    ReceiptIssued(IssuedReceipt),
}

impl DomainEvent for ReceiptEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("receipt {receipt_id} was already issued for payment {payment_id}")]
    IssuedForAnotherPayment { receipt_id: ReceiptId, payment_id: PaymentId },
}

impl Receipt {
    /// What every box receipt lists.
    pub const BOX_LINE: &'static str = "Bookbox monthly box";

    pub fn issued(&self) -> Option<&IssuedReceipt> {
        self.issued.as_ref()
    }
}

impl Aggregate for Receipt {
    const CATEGORY: &'static str = "receipt";
    type Command = ReceiptCommand;
    type Event = ReceiptEvent;
    type Error = ReceiptError;

    fn decide(&self, command: &ReceiptCommand, env: &Env<'_>) -> Result<Vec<ReceiptEvent>, ReceiptError> {
        let ReceiptCommand::Issue(capture) = command;
        if let Some(issued) = &self.issued {
            if issued.payment_id == capture.payment_id {
                return Ok(vec![]);
            }
            return Err(ReceiptError::IssuedForAnotherPayment {
                receipt_id: issued.receipt_id,
                payment_id: issued.payment_id,
            });
        }
        let lines = vec![ReceiptLine { description: Self::BOX_LINE.to_owned(), quantity: 1, amount: capture.amount }];
        Ok(vec![ReceiptEvent::ReceiptIssued(IssuedReceipt {
            receipt_id: capture.receipt_id,
            order_id: capture.order_id,
            payment_id: capture.payment_id,
            payer_id: capture.payer_id,
            issued_at: env.now,
            total: capture.amount,
            lines,
            authorization: capture.authorization.clone(),
            attempt: capture.attempt,
        })])
    }

    fn evolve(&mut self, event: &ReceiptEvent) {
        let ReceiptEvent::ReceiptIssued(issued) = event;
        self.issued = Some(issued.clone());
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::money::Currency;
    use crate::domain::stored_forms;

    fn capture(payment: u128) -> Capture {
        Capture {
            receipt_id: ReceiptId::from_uuid(uuid::Uuid::from_u128(1)),
            order_id: OrderId::from_uuid(uuid::Uuid::from_u128(2)),
            payment_id: PaymentId::from_uuid(uuid::Uuid::from_u128(payment)),
            payer_id: PayerId::from_uuid(uuid::Uuid::from_u128(4)),
            amount: Money::positive(3499, Currency::Usd).unwrap(),
            authorization: AuthorizationId::parse("auth-1").unwrap(),
            attempt: Attempt::FIRST,
        }
    }

    fn issued(at: Timestamp) -> ReceiptEvent {
        let c = capture(3);
        ReceiptEvent::ReceiptIssued(IssuedReceipt {
            receipt_id: c.receipt_id,
            order_id: c.order_id,
            payment_id: c.payment_id,
            payer_id: c.payer_id,
            issued_at: at,
            lines: vec![ReceiptLine { description: Receipt::BOX_LINE.into(), quantity: 1, amount: c.amount }],
            total: c.amount,
            authorization: c.authorization,
            attempt: c.attempt,
        })
    }

    #[test]
    fn a_capture_issues_a_receipt_whose_total_is_its_lines() {
        let at = Timestamp::parse("2026-02-01T09:30:00Z").unwrap();
        let receipt = given::<Receipt>([]).at(at).when(ReceiptCommand::Issue(capture(3))).then([issued(at)]);
        let doc = receipt.issued().unwrap();
        let sum = doc.lines.iter().try_fold(Money::zero(Currency::Usd), |s, l| s.checked_add(l.amount));
        assert_eq!(sum, Some(doc.total));
    }

    #[test]
    fn a_receipt_is_issued_once_and_never_for_another_payment() {
        let at = Timestamp::UNIX_EPOCH;
        given::<Receipt>([issued(at)]).when(ReceiptCommand::Issue(capture(3))).then([]);
        given::<Receipt>([issued(at)]).when(ReceiptCommand::Issue(capture(5))).then_rejected(
            ReceiptError::IssuedForAnotherPayment {
                receipt_id: capture(3).receipt_id,
                payment_id: capture(3).payment_id,
            },
        );
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[issued(Timestamp::parse("2026-02-01T09:30:00Z").unwrap())]));
    }

    /// Captures of a few payments (so that some repeat the issued one and some are another's),
    /// of any amount a payment may capture, at any attempt.
    fn commands() -> impl Strategy<Value = Vec<ReceiptCommand>> {
        let capture =
            (1u128..4, 1u64..=Money::CENTS_MAX, 1u64..=3, 1u128..3).prop_map(|(payment, cents, attempt, n)| {
                ReceiptCommand::Issue(Capture {
                    receipt_id: ReceiptId::from_uuid(uuid::Uuid::from_u128(n)),
                    amount: Money::positive(cents, Currency::Usd).unwrap(),
                    attempt: Attempt::new(attempt).unwrap(),
                    ..capture(payment)
                })
            });
        proptest::collection::vec(capture, 0..12)
    }

    /// What every issued receipt says: one box line, whose amount is the total, in the
    /// capture's currency, and a total that is not nothing.
    fn invariant(receipt: &Receipt) -> Result<(), String> {
        let Some(doc) = receipt.issued() else { return Ok(()) };
        let sum = doc.lines.iter().try_fold(Money::zero(doc.total.currency()), |s, l| s.checked_add(l.amount));
        if sum != Some(doc.total) {
            return Err(format!("the lines sum to {sum:?}, the total is {:?}", doc.total));
        }
        if doc.total.is_zero() {
            return Err("a receipt for nothing".into());
        }
        match &doc.lines[..] {
            [line] if line.description == Receipt::BOX_LINE && line.quantity == 1 => Ok(()),
            lines => Err(format!("not the one box line: {lines:?}")),
        }
    }

    #[test]
    fn every_issued_receipt_totals_its_lines_and_replay_rebuilds_it() {
        check_aggregate::<Receipt>(commands(), invariant);
    }

    proptest! {
        /// A receipt, once issued, never changes: it is the first capture's, issued when that
        /// capture came; the same payment again records nothing, another payment is refused.
        #[test]
        fn a_receipt_is_the_first_captures_and_never_changes(commands in commands()) {
            let run = run_commands::<Receipt>(&commands, invariant)?;
            let Some(ReceiptCommand::Issue(first)) = commands.first() else {
                prop_assert_eq!(run.state.issued(), None);
                return Ok(());
            };
            prop_assert_eq!(run.events.len(), 1, "one document: {:?}", run.events);
            let doc = run.state.issued().unwrap();
            let facts = (doc.receipt_id, doc.order_id, doc.payment_id, doc.payer_id, doc.total, &doc.authorization, doc.attempt);
            let asked = (first.receipt_id, first.order_id, first.payment_id, first.payer_id, first.amount, &first.authorization, first.attempt);
            prop_assert_eq!(facts, asked);
            prop_assert_eq!(doc.issued_at, Timestamp::from_micros(0), "issued on the first command's day");
            let others = commands.iter().filter(|ReceiptCommand::Issue(c)| c.payment_id != first.payment_id).count();
            prop_assert_eq!(run.rejected, others, "every other payment's capture is refused");
        }
    }
}
