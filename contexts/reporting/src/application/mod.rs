//! Reporting's application layer: [`ReportingContext`], the context the runtime hosts.
//!
//! It is only the hosting: each message is read by its tolerant reader (`ports::incoming`) and
//! projected (`domain::projection`) onto the event store through a unit of work, committed with
//! the message's inbox mark; each query is answered (`ports::answer`) from the store. The
//! projection and the answers are the very code [`crate::ports::ReadModels`] runs in memory:
//! only the store differs (`store`).

mod store;

use kernel::context::{BoundedContext, ContextDescriptor, HandleError, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::unit_of_work::{Repository, UnitOfWork};

use crate::domain::projection;
use crate::ports::{incoming, ReportingAnswer, ReportingCommand, ReportingError, ReportingQuery, ReportingReply};

/// The reporting context, as the runtime hosts it.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReportingContext;

impl BoundedContext for ReportingContext {
    type Command = ReportingCommand;
    type Reply = ReportingReply;
    type Error = ReportingError;
    type Query = ReportingQuery;
    type Answer = ReportingAnswer;

    fn descriptor(&self) -> &'static ContextDescriptor {
        &crate::CONTEXT
    }

    fn handle<R: Repository>(
        &self,
        command: ReportingCommand,
        _uow: &mut UnitOfWork<'_, R>,
    ) -> Result<ReportingReply, HandleError<ReportingError>> {
        match command {}
    }

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

    fn query<R: Repository>(&self, query: ReportingQuery, repository: &mut R) -> Result<ReportingAnswer, QueryError> {
        crate::ports::answer(&mut store::StoreShelf(repository), &query)
    }
}
