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

use crate::domain::projection;
use crate::ports::inbound::Answering;
use crate::ports::queries::{CustomerLifetimeValue, CustomersOver, OrdersByEndState, SalesByState, StockByBook};
use crate::ports::{
    incoming, CustomerValueView, CustomersOverView, OutcomesView, ReportingError, SalesByStateView, StockView,
};

/// The reporting context, as the runtime hosts it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReportingContext;

impl BoundedContext for ReportingContext {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    /// Reporting takes no commands, so it refuses none.
    type Error = ReportingError;

    fn on_message<R: Repository>(
        &self,
        handler_id: &str,
        message: &Envelope,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        let fact = incoming::read(handler_id, message)?;
        projection::project(&mut store::StoreLedger(uow), &fact)?;
        Ok(())
    }
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
