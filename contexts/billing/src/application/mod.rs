//! Billing's application layer: [`Billing`], the context the runtime hosts. It turns commands,
//! incoming messages and due deadlines into units of work over the aggregates, calls the
//! payment gateway through its port, publishes what the published language promises, and
//! answers queries and receipt links.
//!
//! Each use case lives in its own module and reads the same way: parse the input into value
//! objects (a bad field is refused, naming it), let the aggregates decide, then publish and
//! schedule. Everything a use case does commits atomically or not at all, so a refusal half-way
//! leaves nothing behind.

mod charges;
mod deadlines;
mod disputes;
mod input;
mod messages;
mod queries;
mod refunds;
mod views;

use std::fmt::{self, Display};
use std::sync::Arc;

use kernel::context::{
    Answers, BoundedContext, Caller, ContextDescriptor, HandleError, Handles, MessageError, QueryError,
};
use kernel::unit_of_work::{Repository, UnitOfWork};
use kernel::Aggregate;
use serde_json::value::RawValue;

use crate::ports::queries::{Payment as PaymentQuery, Receipt as ReceiptQuery};
use crate::ports::{BillingCommand, BillingError, PaymentGateway, PaymentView};
use crate::published::ReceiptDocumentV1;

pub use queries::RECEIPT_ACCESS;

/// The billing context, as the runtime hosts it. Its one outside interaction is the payment
/// gateway, reached through the [`PaymentGateway`] port the runtime passes in.
#[derive(Clone)]
pub struct Billing {
    gateway: Arc<dyn PaymentGateway>,
}

impl Billing {
    pub fn new(gateway: Arc<dyn PaymentGateway>) -> Self {
        Self { gateway }
    }
}

impl fmt::Debug for Billing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Billing").finish_non_exhaustive()
    }
}

/// What a use case answers: a value, or why not.
type Outcome<T> = Result<T, HandleError<BillingError>>;

// A refusal in the port's language is a rejected command.
impl From<BillingError> for HandleError<BillingError> {
    fn from(error: BillingError) -> Self {
        HandleError::Rejected(error)
    }
}

/// Executes `command` on the aggregate `id`, naming a refusal in the port's language.
fn execute<A: Aggregate, R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    id: &impl Display,
    command: &A::Command,
    refusal: impl FnOnce(A::Error) -> BillingError,
) -> Outcome<Vec<A::Event>> {
    uow.execute::<A>(id, command).map_err(|error| error.refused_as(refusal))
}

/// A handler's failure, as the runtime records it (and dead-letters the message).
fn message_failure(error: HandleError<BillingError>) -> MessageError {
    match error {
        HandleError::Rejected(error) => MessageError::Failed(error.to_string()),
        HandleError::Infrastructure(error) => MessageError::Infrastructure(error),
    }
}

impl BoundedContext for Billing {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = BillingError;

    fn on_deadline<R: Repository>(
        &self,
        key: &str,
        payload: &serde_json::Value,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        deadlines::handle(self.gateway.as_ref(), key, payload, uow)
    }

    fn resolve<R: Repository>(
        &self,
        caller: &Caller,
        link: &str,
        repository: &mut R,
    ) -> Result<Box<RawValue>, QueryError> {
        queries::resolve(repository, caller, link)
    }
}

// Every command answers the payment as it now stands, so they are one command type.
impl kernel::context::Command for BillingCommand {
    type Context = crate::Billing;
    type Reply = PaymentView;
}

impl Handles<BillingCommand> for Billing {
    fn handle<R: Repository>(
        &self,
        command: BillingCommand,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<PaymentView, HandleError<BillingError>> {
        let view = match command {
            BillingCommand::ChargePayment { order_id, payer_id, amount } => {
                let request = input::charge_request(&order_id, &payer_id, &amount)?;
                charges::charge(uow, self.gateway.as_ref(), request)?
            }
            BillingCommand::RefundPayment { order_id, amount, reason, refund_id } => {
                let refund_id = match refund_id {
                    Some(raw) => input::refund_id(&raw)?,
                    None => input::new_refund_id(uow.ids()),
                };
                refunds::refund(uow, input::refund_request(&order_id, refund_id, &amount, &reason)?)?
            }
            BillingCommand::OpenDispute { order_id, amount, reason } => disputes::open(
                uow,
                input::order_id(&order_id)?,
                input::amount("amount", &amount)?,
                input::dispute_reason(&reason)?,
            )?,
            BillingCommand::RespondToDispute { order_id, evidence } => {
                disputes::respond(uow, input::order_id(&order_id)?, input::evidence(&evidence)?)?
            }
            BillingCommand::ResolveDispute { order_id, outcome } => {
                disputes::resolve(uow, input::order_id(&order_id)?, input::dispute_outcome(&outcome)?)?
            }
        };
        Ok(view)
    }
}

impl kernel::context::Query for PaymentQuery {
    type Context = crate::Billing;
    type Answer = PaymentView;
}

impl Answers<PaymentQuery> for Billing {
    fn answer<R: Repository>(&self, query: PaymentQuery, repository: &mut R) -> Result<PaymentView, QueryError> {
        queries::payment(repository, &query.order_id)
    }
}

impl kernel::context::Query for ReceiptQuery {
    type Context = crate::Billing;
    type Answer = ReceiptDocumentV1;
}

impl Answers<ReceiptQuery> for Billing {
    fn answer<R: Repository>(&self, query: ReceiptQuery, repository: &mut R) -> Result<ReceiptDocumentV1, QueryError> {
        queries::receipt(repository, &query.receipt_id)
    }
}
