//! The curators' use cases: drafting and finalizing the month's selection.

use kernel::unit_of_work::{Repository, UnitOfWork};

use super::{execute, input, views, Outcome};
use crate::domain::month::Month;
use crate::domain::selection::{MonthlySelection, SelectionCommand, SelectionError};
use crate::ports::{CurationError, SelectionView};

pub(super) fn draft<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    month: &str,
    isbns: &[String],
) -> Outcome<SelectionView> {
    let month = input::month(month)?;
    let command = SelectionCommand::Draft { month, books: input::selection(isbns)? };
    change(uow, month, &command)
}

pub(super) fn finalize<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    month: &str,
    isbns: &[String],
) -> Outcome<SelectionView> {
    let month = input::month(month)?;
    let command = SelectionCommand::Finalize { month, books: input::selection(isbns)? };
    change(uow, month, &command)
}

fn change<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    month: Month,
    command: &SelectionCommand,
) -> Outcome<SelectionView> {
    execute::<MonthlySelection, R>(uow, &month, command, |error| match error {
        SelectionError::AlreadyFinalized { month } => {
            CurationError::SelectionAlreadyFinalized { month: month.to_string() }
        }
    })?;
    let (selection, _) = uow.load::<MonthlySelection>(&month)?;
    Ok(views::selection(month, &selection))
}
