//! The use case of refunding: give money back to the payer ("we refunded the customer because
//! the books arrived damaged"), never more than is left of what was captured. The same for the
//! `RefundPayment` command, the `refund-payment` message, and shipping's `shipment-damaged`.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::input::RefundRequest;
use super::{execute, views, Outcome};
use crate::domain::payment::{Payment, PaymentCommand, PaymentEvent};
use crate::ports::PaymentView;
use crate::published::PAYMENT_REFUNDED;

pub(super) fn refund<R: Repository>(uow: &mut UnitOfWork<'_, R>, request: RefundRequest) -> Outcome<PaymentView> {
    let RefundRequest { order_id, refund_id, amount, reason } = request;
    let command = PaymentCommand::Refund { refund_id, amount, reason };
    for event in execute::<Payment, R>(uow, &order_id, &command, |e| views::refusal(order_id, e))? {
        if let PaymentEvent::PaymentRefunded { amount, .. } = event {
            let (payment, _) = uow.load::<Payment>(&order_id)?;
            if let Some(charge) = payment.charge() {
                uow.publish(&PAYMENT_REFUNDED, &order_id, &views::payment_refunded(charge, amount))?;
            }
        }
    }
    views::payment(uow, order_id)
}
