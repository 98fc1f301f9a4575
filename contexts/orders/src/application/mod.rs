//! The application layer of orders: the [`Orders`] context the runtime hosts. It turns each
//! command, message and deadline into one unit of work over the aggregates, with the process
//! manager's effects carried out by `process`, and answers queries.
//!
//! What each input touches, all committed atomically in its unit of work:
//! - **`box-curated`**: the box's `BoxIntake` (one box, one order), the new `BoxOrder`, the
//!   `CustomerOrders` of its recipient and payer, the status board, and the first
//!   `reserve-stock`;
//! - **an answer** (inventory, billing, shipping): each order it concerns (a shipment's answer
//!   may concern two), and whatever the order decided to send, schedule and publish;
//! - **a deadline**: the order it wakes;
//! - **`CancelOrder`**: the order; **`CombineOrders`**: both orders.
//!
//! Handlers have stable ids (`orders.on-…`), recorded in the inbox with what they caused, so a
//! redelivered message has no second effect; an answer told twice under two message ids is
//! the process manager's business, and it ignores it.

pub(crate) mod anticorruption;
pub(crate) mod outgoing;
pub(crate) mod process;
mod views;

use kernel::context::{Answers, BoundedContext, ContextDescriptor, HandleError, Handles, MessageError, QueryError};
use kernel::repository::LoadError;
use kernel::unit_of_work::{ExecuteError, Repository, UnitOfWork};
use kernel::{Aggregate, Envelope, StreamId};

use self::anticorruption::{
    BoxCurated, Inbound, PaymentCaptured, PaymentFailed, PaymentRefunded, ReservationRejected, ReservationReleased,
    ReservedStockShipped, ShipmentDamaged, ShipmentDelivered, ShipmentDispatched, ShipmentReturned, StockReserved,
};
use self::process::{DeadlinePayload, Outcome, DEADLINE_PREFIX};
use crate::domain::box_order::commands::{Answer, BoxOrderCommand, BoxOrderError};
use crate::domain::box_order::{BoxOrder, Terms};
use crate::domain::combination;
use crate::domain::customer_orders::{CustomerOrders, CustomerOrdersCommand};
use crate::domain::ids::{BoxId, CustomerId, OrderId, ShipmentId};
use crate::domain::intake::{BoxIntake, IntakeCommand};
use crate::domain::status_board::{StatusBoard, BOARD_ID};
use crate::domain::text::Reason;
use crate::ports::queries::{Order, OrderForBox, OrdersOfCustomer, StatusCounts};
use crate::ports::{CancelOrder, CombineOrders, CombinedOrders, OrderView, OrdersError, StatusCountsView};

/// The orders context, as the runtime hosts it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Orders;

type Handled<T> = Result<T, HandleError<OrdersError>>;

impl BoundedContext for Orders {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = OrdersError;

    fn on_deadline<R: Repository>(
        &self,
        key: &str,
        payload: &serde_json::Value,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        if !key.starts_with(DEADLINE_PREFIX) {
            return Err(MessageError::UnknownHandler(format!("deadline `{key}`")));
        }
        let due: DeadlinePayload = serde_json::from_value(payload.clone())
            .map_err(|e| MessageError::Decode(format!("deadline `{key}`: {e}")))?;
        let timeout = BoxOrderCommand::HandleTimeout { step: due.step, attempt: due.attempt };
        ignoring_unknown_orders(process::run(uow, due.order_id, &timeout, Some(key)))
    }
}

// What orders consumes, one entry per message: each model reads as what the message means to
// orders (`Inbound`), which `take` acts on.
kernel::inbox! {
    Orders {
        "orders.on-box-curated": DomainEvent "bookbox.curation.box-curated.v1" => BoxCurated => take,
        "orders.on-stock-reserved": DomainEvent "bookbox.inventory.stock-reserved.v1" => StockReserved => take,
        "orders.on-stock-reservation-rejected": DomainEvent "bookbox.inventory.stock-reservation-rejected.v1"
            => ReservationRejected => take,
        "orders.on-reservation-released": DomainEvent "bookbox.inventory.reservation-released.v1"
            => ReservationReleased => take,
        "orders.on-reserved-stock-shipped": DomainEvent "bookbox.inventory.reserved-stock-shipped.v1"
            => ReservedStockShipped => take,
        "orders.on-payment-captured": DomainEvent "bookbox.billing.payment-captured.v1" => PaymentCaptured => take,
        "orders.on-payment-failed": DomainEvent "bookbox.billing.payment-failed.v1" => PaymentFailed => take,
        "orders.on-payment-refunded": DomainEvent "bookbox.billing.payment-refunded.v1" => PaymentRefunded => take,
        "orders.on-shipment-dispatched": DomainEvent "bookbox.shipping.shipment-dispatched.v1"
            => ShipmentDispatched => take,
        "orders.on-shipment-delivered": DomainEvent "bookbox.shipping.shipment-delivered.v1"
            => ShipmentDelivered => take,
        "orders.on-shipment-returned": DomainEvent "bookbox.shipping.shipment-returned.v1"
            => ShipmentReturned => take,
        "orders.on-shipment-damaged": DomainEvent "bookbox.shipping.shipment-damaged.v1" => ShipmentDamaged => take,
    }
}

/// A curated box becomes an order; an answer goes to each order it concerns.
fn take<R: Repository>(
    _: &Orders,
    inbound: Inbound,
    _: &Envelope,
    uow: &mut UnitOfWork<'_, R>,
) -> Result<(), MessageError> {
    match inbound {
        Inbound::CuratedBox { box_id, terms } => accept_box(uow, box_id, terms).map_err(message_failure),
        Inbound::Answer { order_ids, answer } => {
            for order_id in order_ids {
                take_answer(uow, order_id, answer.clone())?;
            }
            Ok(())
        }
    }
}

impl kernel::context::Command for CancelOrder {
    type Context = crate::application::Orders;
    type Reply = OrderView;
}

impl Handles<CancelOrder> for Orders {
    fn handle<R: Repository>(&self, command: CancelOrder, uow: &mut UnitOfWork<'_, R>) -> Handled<OrderView> {
        let CancelOrder { order_id, reason } = command;
        cancel(uow, order_id, reason)
    }
}

impl kernel::context::Command for CombineOrders {
    type Context = crate::application::Orders;
    type Reply = CombinedOrders;
}

impl Handles<CombineOrders> for Orders {
    fn handle<R: Repository>(&self, command: CombineOrders, uow: &mut UnitOfWork<'_, R>) -> Handled<CombinedOrders> {
        let CombineOrders { first, second } = command;
        combine(uow, first, second)
    }
}

impl kernel::context::Query for Order {
    type Context = crate::application::Orders;
    type Answer = OrderView;
}

impl Answers<Order> for Orders {
    fn answer<R: Repository>(&self, query: Order, repository: &mut R) -> Result<OrderView, QueryError> {
        order_view(repository, query.order_id)
    }
}

impl kernel::context::Query for OrderForBox {
    type Context = crate::application::Orders;
    type Answer = OrderView;
}

impl Answers<OrderForBox> for Orders {
    fn answer<R: Repository>(&self, query: OrderForBox, repository: &mut R) -> Result<OrderView, QueryError> {
        let box_id = query.box_id;
        let intake = load::<BoxIntake, _>(repository, box_id)?;
        let order_id = intake.order_id().ok_or_else(|| QueryError::NotFound(format!("no order for box {box_id}")))?;
        order_view(repository, order_id)
    }
}

impl kernel::context::Query for OrdersOfCustomer {
    type Context = crate::application::Orders;
    type Answer = Vec<OrderView>;
}

impl Answers<OrdersOfCustomer> for Orders {
    fn answer<R: Repository>(&self, query: OrdersOfCustomer, repository: &mut R) -> Result<Vec<OrderView>, QueryError> {
        let index = load::<CustomerOrders, _>(repository, query.customer_id)?;
        index.orders().iter().map(|id| order_view(repository, *id)).collect()
    }
}

impl kernel::context::Query for StatusCounts {
    type Context = crate::application::Orders;
    type Answer = StatusCountsView;
}

impl Answers<StatusCounts> for Orders {
    fn answer<R: Repository>(&self, _query: StatusCounts, repository: &mut R) -> Result<StatusCountsView, QueryError> {
        let board = load::<StatusBoard, _>(repository, BOARD_ID)?;
        Ok(views::status_counts(&board))
    }
}

/// A curated box becomes a box order, once, whatever message ids the box arrives under.
fn accept_box<R: Repository>(uow: &mut UnitOfWork<'_, R>, box_id: BoxId, terms: Terms) -> Outcome<()> {
    let (intake, _) = uow.load::<BoxIntake>(&box_id).map_err(kernel::unit_of_work::InfrastructureError::from)?;
    if intake.order_id().is_some() {
        return Ok(());
    }
    let order_id = OrderId::generate(uow.ids());
    uow.execute::<BoxIntake>(&box_id, &IntakeCommand::Accept { order_id }).map_err(infallible)?;
    let (customer_id, payer_id) = (terms.customer_id, terms.payer_id);
    process::run(uow, order_id, &BoxOrderCommand::Place { order_id, terms }, None)?;
    list(uow, customer_id, order_id)?;
    if payer_id != customer_id {
        list(uow, payer_id, order_id)?;
    }
    Ok(())
}

fn list<R: Repository>(uow: &mut UnitOfWork<'_, R>, customer_id: CustomerId, order_id: OrderId) -> Outcome<()> {
    uow.execute::<CustomerOrders>(&customer_id, &CustomerOrdersCommand::List { order_id }).map_err(infallible)?;
    Ok(())
}

fn take_answer<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    order_id: OrderId,
    answer: Answer,
) -> Result<(), MessageError> {
    ignoring_unknown_orders(process::run(uow, order_id, &BoxOrderCommand::HandleAnswer { answer }, None))
}

/// Answers and deadlines about an order orders never placed are not its business (inventory,
/// for one, answers reservations its own API made): they change nothing.
fn ignoring_unknown_orders<T>(outcome: Outcome<T>) -> Result<(), MessageError> {
    match outcome {
        Ok(_) | Err(ExecuteError::Rejected(BoxOrderError::NotPlaced)) => Ok(()),
        Err(e) => Err(message_failure(e)),
    }
}

fn cancel<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId, reason: Option<String>) -> Handled<OrderView> {
    let reason = match reason {
        Some(reason) => Reason::parse(&reason).map_err(|e| HandleError::Rejected(e.into()))?,
        None => Reason::composed("cancelled at the customer's request".into()),
    };
    existing(uow, order_id)?;
    process::run(uow, order_id, &BoxOrderCommand::Cancel { reason }, None).map_err(|e| refused(order_id, e))?;
    existing(uow, order_id)
}

fn combine<R: Repository>(uow: &mut UnitOfWork<'_, R>, first: OrderId, second: OrderId) -> Handled<CombinedOrders> {
    let (a, _) = uow.load::<BoxOrder>(&first)?;
    let (b, _) = uow.load::<BoxOrder>(&second)?;
    combination::check((first, &a), (second, &b)).map_err(|e| HandleError::Rejected(e.into()))?;
    let shipment_id = ShipmentId::generate(uow.ids());
    for (order_id, partner) in [(first, second), (second, first)] {
        let command = BoxOrderCommand::Combine { partner, shipment_id };
        process::run(uow, order_id, &command, None).map_err(|e| refused(order_id, e))?;
    }
    let orders = vec![existing(uow, first)?, existing(uow, second)?];
    Ok(CombinedOrders { shipment_id, orders })
}

/// The order's view, or the refusal that it does not exist.
fn existing<R: Repository>(uow: &mut UnitOfWork<'_, R>, order_id: OrderId) -> Handled<OrderView> {
    match process::current(uow, order_id).map_err(|e| refused(order_id, e))? {
        Some(order) => Ok(views::order_view(&order)),
        None => Err(HandleError::Rejected(OrdersError::UnknownOrder(order_id))),
    }
}

fn refused(order_id: OrderId, error: ExecuteError<BoxOrderError>) -> HandleError<OrdersError> {
    match error {
        ExecuteError::Rejected(BoxOrderError::NotPlaced) => HandleError::Rejected(OrdersError::UnknownOrder(order_id)),
        ExecuteError::Rejected(error) => HandleError::Rejected(OrdersError::Refused { order_id, error }),
        ExecuteError::Infrastructure(e) => HandleError::Infrastructure(e),
    }
}

fn message_failure(error: ExecuteError<BoxOrderError>) -> MessageError {
    match error {
        ExecuteError::Rejected(e) => MessageError::Failed(e.to_string()),
        ExecuteError::Infrastructure(e) => MessageError::Infrastructure(e),
    }
}

fn infallible(error: ExecuteError<std::convert::Infallible>) -> ExecuteError<BoxOrderError> {
    match error {
        ExecuteError::Rejected(never) => match never {},
        ExecuteError::Infrastructure(e) => ExecuteError::Infrastructure(e),
    }
}

fn order_view<R: Repository>(repository: &mut R, order_id: OrderId) -> Result<OrderView, QueryError> {
    let order = load::<BoxOrder, _>(repository, order_id)?;
    let order = order.placed().ok_or_else(|| QueryError::NotFound(format!("order {order_id}")))?;
    Ok(views::order_view(order))
}

fn load<A: Aggregate, R: Repository>(repository: &mut R, id: impl std::fmt::Display) -> Result<A, LoadError> {
    Ok(repository.load::<A>(&StreamId::for_aggregate(A::CATEGORY, id))?.state)
}
