//! Running the process manager. Every input to a box order (a placement, an answer, a
//! deadline, a cancellation, a combination step) goes through [`run`], which executes it on
//! the order and carries out, in the same unit of work, what the order decided:
//!
//! - the commands its `…Requested` events stand for, sent through the outbox;
//! - its deadline: the one wait it is in is scheduled, the wait it left is cancelled;
//! - `box-order` when what it shows changed, and `order-ended` when it ended;
//! - its count on the status board;
//!
//! and then, for a combined order, what the pair does next ([`combination::next_step`]): the
//! second of the two to be charged requests the shared parcel and the first joins it; one
//! that is left alone ships alone. Everything commits together, or nothing does.

use kernel::unit_of_work::{ExecuteError, InfrastructureError, Repository, UnitOfWork};
use serde::{Deserialize, Serialize};

use super::{outgoing, views};
use crate::domain::box_order::commands::{BoxOrderCommand, BoxOrderError};
use crate::domain::box_order::events::BoxOrderEvent;
use crate::domain::box_order::patience::{Attempt, Step, Wait};
use crate::domain::box_order::{BoxOrder, Order};
use crate::domain::combination::{self, Coordination};
use crate::domain::ids::OrderId;
use crate::domain::status_board::{BoardCommand, StatusBoard, BOARD_ID};
use crate::published::{BOX_ORDER, ORDER_ENDED};

pub(crate) type Outcome<T> = Result<T, ExecuteError<BoxOrderError>>;

/// Where the runtime wakes the order: the key of the deadline of each wait names the order,
/// the step and the attempt, so a new attempt never collides with the one it follows.
pub(crate) const DEADLINE_PREFIX: &str = "box-order/";

/// What a deadline carries back to the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct DeadlinePayload {
    pub order_id: OrderId,
    pub step: Step,
    pub attempt: Attempt,
}

/// Runs `command` on the order, carries out what it decided, and moves its combined partner
/// on if need be. `firing` is the deadline being fired, if that is what this is: the runtime
/// marks it fired, so it must not be cancelled here.
pub(crate) fn run<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    command: &BoxOrderCommand,
    firing: Option<&str>,
) -> Outcome<Vec<BoxOrderEvent>> {
    let events = drive(uow, order_id, command, firing)?;
    if !events.is_empty() {
        coordinate(uow, order_id, firing)?;
    }
    Ok(events)
}

/// The order as this unit of work left it, if it was placed.
pub(crate) fn current<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId) -> Outcome<Option<Order>> {
    let (order, _) = uow.load::<BoxOrder>(&order_id).map_err(InfrastructureError::from)?;
    Ok(order.placed().cloned())
}

/// Executes `command` on the order and carries out what it decided.
fn drive<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    command: &BoxOrderCommand,
    firing: Option<&str>,
) -> Outcome<Vec<BoxOrderEvent>> {
    let before = current(uow, order_id)?;
    let events = uow.execute::<BoxOrder>(&order_id, command)?;
    let Some(after) = current(uow, order_id)?.filter(|_| !events.is_empty()) else { return Ok(events) };
    send_requests(uow, &after, &events)?;
    sync_deadline(uow, order_id, before.as_ref().and_then(Order::wait), after.wait(), firing)?;
    publish_changes(uow, before.as_ref(), &after, &events)?;
    recount(uow, before.as_ref(), &after)?;
    Ok(events)
}

/// Sends the command each `…Requested` event stands for.
fn send_requests<R: Repository>(uow: &mut UnitOfWork<'_, R>, order: &Order, events: &[BoxOrderEvent]) -> Outcome<()> {
    for outgoing in events.iter().flat_map(|event| outgoing::commands_of(order, event)) {
        let command = outgoing.command;
        uow.send(command.recipient, command.name, command.version, &outgoing.subject, &outgoing.data)?;
    }
    Ok(())
}

/// `box-order` when what it shows changed; `order-ended` when the order ended.
fn publish_changes<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    before: Option<&Order>,
    after: &Order,
    events: &[BoxOrderEvent],
) -> Outcome<()> {
    let shown = views::box_order_v1(after);
    if before.map(views::box_order_v1).as_ref() != Some(&shown) {
        uow.publish(&BOX_ORDER, &after.id(), &shown)?;
    }
    let ended_now = events.iter().any(|e| matches!(e, BoxOrderEvent::Ended { .. }));
    if let Some(ended) = views::order_ended_v1(after).filter(|_| ended_now) {
        uow.publish(&ORDER_ENDED, &after.id(), &ended)?;
    }
    Ok(())
}

/// Moves the order's count on the status board.
fn recount<R: Repository>(uow: &mut UnitOfWork<'_, R>, before: Option<&Order>, after: &Order) -> Outcome<()> {
    let count = BoardCommand::Count { from: before.map(views::standing), to: views::standing(after) };
    match uow.execute::<StatusBoard>(&BOARD_ID, &count) {
        Ok(_) => Ok(()),
        Err(ExecuteError::Rejected(never)) => match never {},
        Err(ExecuteError::Infrastructure(e)) => Err(ExecuteError::Infrastructure(e)),
    }
}

/// After `order_id` changed: if it is combined, does what the pair does next.
fn coordinate<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId, firing: Option<&str>) -> Outcome<()> {
    let Some(order) = current(uow, order_id)? else { return Ok(()) };
    let Some(combination) = order.combination() else { return Ok(()) };
    let Some(partner) = current(uow, combination.partner)? else { return Ok(()) };
    match combination::next_step(&order, &partner) {
        None => Ok(()),
        Some(Coordination::ShipAlone(alone)) => drive(uow, alone, &BoxOrderCommand::ShipAlone, firing).map(drop),
        Some(Coordination::ShipTogether { lead, joiner }) => {
            let Some(part) = current(uow, joiner)?.and_then(|waiting| waiting.shipment_part()) else { return Ok(()) };
            drive(uow, lead, &BoxOrderCommand::ShipTogether { partner: part }, firing)?;
            let Some(request) = current(uow, lead)?.and_then(|lead| lead.shipment().cloned()) else { return Ok(()) };
            drive(uow, joiner, &BoxOrderCommand::JoinShipment { request }, firing).map(drop)
        }
    }
}

/// Keeps one deadline per order: the one of the wait it is in.
fn sync_deadline<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    before: Option<Wait>,
    after: Option<Wait>,
    firing: Option<&str>,
) -> Outcome<()> {
    if before == after {
        return Ok(());
    }
    if let Some(left) = before {
        let key = deadline_key(order_id, left);
        if firing != Some(key.as_str()) {
            uow.cancel_deadline(&key).map_err(|e| timer_failure(&key, e))?;
        }
    }
    if let Some(wait) = after {
        let key = deadline_key(order_id, wait);
        let payload = DeadlinePayload { order_id, step: wait.step, attempt: wait.attempt };
        uow.schedule(&key, wait.until, &payload).map_err(|e| timer_failure(&key, e))?;
    }
    Ok(())
}

fn deadline_key(order_id: OrderId, wait: Wait) -> String {
    format!("{DEADLINE_PREFIX}{order_id}/{}/{}", wait.step, wait.attempt)
}

/// The kernel's timers refuse only an empty key, which these never are: report it as the
/// infrastructure failure it would be.
fn timer_failure(key: &str, error: ExecuteError<kernel::deadline::TimerError>) -> ExecuteError<BoxOrderError> {
    match error {
        ExecuteError::Rejected(e) => ExecuteError::Infrastructure(InfrastructureError::Publish {
            message: format!("deadline `{key}`"),
            reason: e.to_string(),
        }),
        ExecuteError::Infrastructure(e) => ExecuteError::Infrastructure(e),
    }
}
