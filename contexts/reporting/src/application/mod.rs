//! Reporting's application layer: [`ReportingContext`], the context the runtime hosts.
//!
//! It is only the hosting: each message is read by its tolerant reader (`ports::incoming`) and
//! projected (`domain::projection`) onto the event store through a unit of work, committed with
//! the message's inbox mark; each query (one `Answers` impl per query type) is answered from the
//! store (`ports::inbound`). The projection and the answers are the very code
//! [`crate::ports::ReadModels`] runs in memory: only the store differs (`store`).

mod store;

use kernel::context::{Answers, BoundedContext, ContextDescriptor, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};

use crate::domain::facts::Fact;
use crate::domain::projection;
use crate::ports::inbound::Answering;
use crate::ports::incoming::{BookAvailabilityV1, BoxOrderV1, OrderEndedV1, PaymentCapturedV1, PaymentRefundedV1};
use crate::ports::queries::{CustomerLifetimeValue, CustomersOver, OrdersByEndState, SalesByState, StockByBook};
use crate::ports::{CustomerValueView, CustomersOverView, OutcomesView, ReportingError, SalesByStateView, StockView};

/// The reporting context, as the runtime hosts it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReportingContext;

impl BoundedContext for ReportingContext {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    /// Reporting takes no commands, so it refuses none.
    type Error = ReportingError;
}

// What reporting consumes, one entry per message: each model reads as the fact it tells, which
// `project` records. A rebuild reads through these same entries (`crate::read_fact`).
kernel::inbox! {
    ReportingContext {
        "reporting.on-box-order": StateTransfer "bookbox.orders.box-order.v1" => BoxOrderV1 => project,
        "reporting.on-order-ended": DomainEvent "bookbox.orders.order-ended.v1" => OrderEndedV1 => project,
        "reporting.on-payment-captured": DomainEvent "bookbox.billing.payment-captured.v1"
            => PaymentCapturedV1 => project,
        "reporting.on-payment-refunded": DomainEvent "bookbox.billing.payment-refunded.v1"
            => PaymentRefundedV1 => project,
        "reporting.on-book-availability": StateTransfer "bookbox.inventory.book-availability.v1"
            => BookAvailabilityV1 => project,
    }
}

/// Projects a fact onto the store, committed with the message's inbox mark.
fn project<R: Repository>(
    _: &ReportingContext,
    fact: Fact,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    projection::project(&mut store::StoreLedger(uow), &fact)?;
    Ok(())
}

impl kernel::context::Query for SalesByState {
    type Context = crate::ReportingContext;
    type Answer = SalesByStateView;
}

impl Answers<SalesByState> for ReportingContext {
    fn answer<R: Repository>(&self, query: SalesByState, repository: &mut R) -> Result<SalesByStateView, QueryError> {
        query.answer_from(&mut store::StoreShelf(repository))
    }
}

impl kernel::context::Query for CustomersOver {
    type Context = crate::ReportingContext;
    type Answer = CustomersOverView;
}

impl Answers<CustomersOver> for ReportingContext {
    fn answer<R: Repository>(&self, query: CustomersOver, repository: &mut R) -> Result<CustomersOverView, QueryError> {
        query.answer_from(&mut store::StoreShelf(repository))
    }
}

impl kernel::context::Query for CustomerLifetimeValue {
    type Context = crate::ReportingContext;
    type Answer = CustomerValueView;
}

impl Answers<CustomerLifetimeValue> for ReportingContext {
    fn answer<R: Repository>(
        &self,
        query: CustomerLifetimeValue,
        repository: &mut R,
    ) -> Result<CustomerValueView, QueryError> {
        query.answer_from(&mut store::StoreShelf(repository))
    }
}

impl kernel::context::Query for StockByBook {
    type Context = crate::ReportingContext;
    type Answer = StockView;
}

impl Answers<StockByBook> for ReportingContext {
    fn answer<R: Repository>(&self, query: StockByBook, repository: &mut R) -> Result<StockView, QueryError> {
        query.answer_from(&mut store::StoreShelf(repository))
    }
}

impl kernel::context::Query for OrdersByEndState {
    type Context = crate::ReportingContext;
    type Answer = OutcomesView;
}

impl Answers<OrdersByEndState> for ReportingContext {
    fn answer<R: Repository>(&self, query: OrdersByEndState, repository: &mut R) -> Result<OutcomesView, QueryError> {
        query.answer_from(&mut store::StoreShelf(repository))
    }
}
