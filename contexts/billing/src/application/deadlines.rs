//! The deadlines billing sets: "call the gateway again for this payment then". One is
//! scheduled whenever a payment's next gateway call lies in the future (a declined card's next
//! day, a failed call's next minutes); the runtime fires it once the clock passes, and what
//! the call decides commits atomically with the firing, so it happens once.
//!
//! Each scheduled call has its own key, `charge-<order id>-<try>-<failed calls>`, so a firing
//! never has to move its own deadline, and a deadline that outlived its reason finds no call
//! of its try due and does nothing.

use kernel::context::{HandleError, MessageError};
use kernel::unit_of_work::{ExecuteError, Repository, UnitOfWork};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{charges, message_failure, Outcome};
use crate::domain::ids::OrderId;
use crate::domain::payment::{Payment, Stage};
use crate::ports::{BillingError, PaymentGateway};

const KEY_PREFIX: &str = "charge-";

/// The payload of a deadline: whose call, and of which try.
#[derive(Debug, Serialize, Deserialize)]
struct CallDue {
    order_id: Uuid,
    attempt: u8,
}

/// Schedules the payment's next gateway call, if it waits for one at a later time.
pub(super) fn schedule_next_call<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId) -> Outcome<()> {
    let (payment, _) = uow.load::<Payment>(&order_id)?;
    let Some(Stage::Charging { attempt, gateway_errors, next_call_at: Some(at) }) = payment.charge().map(|c| c.stage())
    else {
        return Ok(());
    };
    let key = format!("{KEY_PREFIX}{order_id}-{attempt}-{gateway_errors}");
    let due = CallDue { order_id: order_id.as_uuid(), attempt: attempt.get() };
    uow.schedule(&key, *at, &due).map_err(|error| match error {
        ExecuteError::Rejected(error) => HandleError::Rejected(BillingError::Inconsistent {
            order_id: order_id.to_string(),
            detail: error.to_string(),
        }),
        ExecuteError::Infrastructure(error) => HandleError::Infrastructure(error),
    })
}

/// Fires a deadline billing scheduled: makes the call it was set for, if it is still due.
pub(super) fn handle<R: Repository>(
    gateway: &dyn PaymentGateway,
    key: &str,
    payload: &serde_json::Value,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    if !key.starts_with(KEY_PREFIX) {
        return Err(MessageError::UnknownHandler(format!("deadline `{key}`")));
    }
    let due: CallDue =
        serde_json::from_value(payload.clone()).map_err(|e| MessageError::Decode(format!("deadline `{key}`: {e}")))?;
    let order_id = OrderId::from_uuid(due.order_id);
    let (payment, _) = uow.load::<Payment>(&order_id)?;
    match payment.due_call(uow.now()) {
        Some(call) if call.attempt.get() == due.attempt => {
            charges::call_gateway_if_due(uow, gateway, order_id).map_err(message_failure)
        }
        // Captured, failed, or waiting for another try: this deadline has nothing left to do.
        _ => Ok(()),
    }
}
