//! The application layer of subscriptions: turns each command into one unit of work over the
//! aggregates, keeping the set-wide rules in step with each subscription, and answers
//! queries.
//!
//! What each command touches, all committed atomically in its unit of work:
//! - **subscribe**, **gift**: the new `Subscription`; its customer's `Subscriber` (claimed);
//!   the `SubscriptionRoster` (listed);
//! - **pause**, **resume**: the `Subscription` only (a paused subscription stays current and
//!   listed);
//! - **cancel**: the `Subscription`; the `Subscriber` (released); the roster (delisted);
//! - **restart next month**: the `Subscription`; the `Subscriber` (claimed again, which is
//!   refused if the customer has subscribed anew meanwhile); the roster (listed);
//! - **start cycle**: the month's `Cycle`; every listed `Subscription` (its box falls due, or
//!   not); for a gift whose last box fell due, its `Subscriber` and the roster; and one
//!   `box-due` message per box, in the outbox of the same commit.

use std::convert::Infallible;
use std::fmt::Display;

use kernel::context::{Answers, BoundedContext, ContextDescriptor, HandleError, Handles, QueryError};
use kernel::repository::LoadError;
use kernel::unit_of_work::{ExecuteError, Repository, UnitOfWork};
use kernel::{Aggregate, StreamId};

use crate::domain::cycle::{Cycle, CycleCommand};
use crate::domain::gift::GiftMonths;
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::month::Month;
use crate::domain::plan::{BooksPerMonth, Currency, Plan};
use crate::domain::roster::{RosterCommand, SubscriptionRoster, ROSTER_ID};
use crate::domain::subscriber::{Subscriber, SubscriberCommand, SubscriberError};
use crate::domain::subscription::{
    Funding, Started, Subscription, SubscriptionCommand, SubscriptionError, SubscriptionEvent,
};
use crate::ports::queries::{self, CurrentSubscription, LiveSubscriptions};
use crate::ports::{
    CycleReport, CycleView, PlanView, StartCycle, SubscriptionView, SubscriptionsCommand, SubscriptionsError,
};
use crate::published::{BoxDueV1, CurrencyV1, MoneyV1, PlanV1, BOX_DUE};

/// The subscriptions context, as the runtime hosts it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subscriptions;

type Handled<T> = Result<T, HandleError<SubscriptionsError>>;

impl BoundedContext for Subscriptions {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = SubscriptionsError;
}

// Subscriptions consumes nothing: a subscriber is a customer id, taken as given.
kernel::inbox!(Subscriptions {});

// Every one answers the subscription after the command, so they are one command type.
impl kernel::context::Command for SubscriptionsCommand {
    type Context = crate::Subscriptions;
    type Reply = SubscriptionView;
}

impl Handles<SubscriptionsCommand> for Subscriptions {
    fn handle<R: Repository>(
        &self,
        command: SubscriptionsCommand,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Handled<SubscriptionView> {
        match command {
            SubscriptionsCommand::Subscribe { customer_id, books_per_month } => {
                subscribe(uow, customer_id, books_per_month)
            }
            SubscriptionsCommand::Gift { payer_id, recipient_id, books_per_month, months } => {
                gift(uow, payer_id, recipient_id, books_per_month, months)
            }
            SubscriptionsCommand::Pause { subscription_id } => {
                execute_subscription(uow, subscription_id, &SubscriptionCommand::Pause)?;
                reply(uow, subscription_id)
            }
            SubscriptionsCommand::Resume { subscription_id } => {
                execute_subscription(uow, subscription_id, &SubscriptionCommand::Resume)?;
                reply(uow, subscription_id)
            }
            SubscriptionsCommand::Cancel { subscription_id } => {
                execute_subscription(uow, subscription_id, &SubscriptionCommand::Cancel)?;
                let subscriber = started(uow, subscription_id)?.subscriber();
                let_go(uow, subscriber, subscription_id)?;
                reply(uow, subscription_id)
            }
            SubscriptionsCommand::RestartNextMonth { subscription_id } => {
                execute_subscription(uow, subscription_id, &SubscriptionCommand::RestartNextMonth)?;
                let subscriber = started(uow, subscription_id)?.subscriber();
                take_current(uow, subscriber, subscription_id)?;
                reply(uow, subscription_id)
            }
        }
    }
}

impl kernel::context::Command for StartCycle {
    type Context = crate::Subscriptions;
    type Reply = CycleReport;
}

impl Handles<StartCycle> for Subscriptions {
    fn handle<R: Repository>(&self, command: StartCycle, uow: &mut UnitOfWork<'_, R>) -> Handled<CycleReport> {
        start_cycle(uow, &command.month)
    }
}

impl kernel::context::Query for queries::Subscription {
    type Context = crate::Subscriptions;
    type Answer = SubscriptionView;
}

impl Answers<queries::Subscription> for Subscriptions {
    fn answer<R: Repository>(
        &self,
        query: queries::Subscription,
        repository: &mut R,
    ) -> Result<SubscriptionView, QueryError> {
        let subscription_id = query.subscription_id;
        let subscription = load::<Subscription, _>(repository, subscription_id)?;
        match subscription.started() {
            Some(started) => Ok(view(started)),
            None => Err(QueryError::NotFound(format!("subscription {subscription_id}"))),
        }
    }
}

impl kernel::context::Query for CurrentSubscription {
    type Context = crate::Subscriptions;
    type Answer = SubscriptionView;
}

impl Answers<CurrentSubscription> for Subscriptions {
    fn answer<R: Repository>(
        &self,
        query: CurrentSubscription,
        repository: &mut R,
    ) -> Result<SubscriptionView, QueryError> {
        let customer_id = query.customer_id;
        let not_found = || QueryError::NotFound(format!("customer {customer_id} has no current subscription"));
        let current = load::<Subscriber, _>(repository, customer_id)?.current().ok_or_else(not_found)?;
        let subscription = load::<Subscription, _>(repository, current)?;
        subscription.started().map(view).ok_or_else(not_found)
    }
}

impl kernel::context::Query for queries::Cycle {
    type Context = crate::Subscriptions;
    type Answer = CycleView;
}

impl Answers<queries::Cycle> for Subscriptions {
    fn answer<R: Repository>(&self, query: queries::Cycle, repository: &mut R) -> Result<CycleView, QueryError> {
        let month = Month::parse(&query.month).map_err(|e| QueryError::Invalid(e.to_string()))?;
        let cycle = load::<Cycle, _>(repository, month)?;
        let boxes_due = cycle.started().map_or(0, |started| started.boxes_due);
        let started = cycle.started().is_some();
        Ok(CycleView { month: month.to_string(), started, boxes_due })
    }
}

impl kernel::context::Query for LiveSubscriptions {
    type Context = crate::Subscriptions;
    type Answer = Vec<SubscriptionId>;
}

impl Answers<LiveSubscriptions> for Subscriptions {
    fn answer<R: Repository>(
        &self,
        _query: LiveSubscriptions,
        repository: &mut R,
    ) -> Result<Vec<SubscriptionId>, QueryError> {
        let roster = load::<SubscriptionRoster, _>(repository, ROSTER_ID)?;
        Ok(roster.live().collect())
    }
}

fn subscribe<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    books_per_month: u32,
) -> Handled<SubscriptionView> {
    let plan = Plan::at_current_prices(BooksPerMonth::new(books_per_month).map_err(refuse)?);
    let subscription_id = SubscriptionId::generate(uow.ids());
    let command = SubscriptionCommand::Subscribe { subscription_id, subscriber: customer_id, plan };
    execute_subscription(uow, subscription_id, &command)?;
    take_current(uow, customer_id, subscription_id)?;
    reply(uow, subscription_id)
}

fn gift<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    payer: CustomerId,
    recipient: CustomerId,
    books_per_month: u32,
    months: u32,
) -> Handled<SubscriptionView> {
    let plan = Plan::at_current_prices(BooksPerMonth::new(books_per_month).map_err(refuse)?);
    let months = GiftMonths::new(months).map_err(refuse)?;
    let subscription_id = SubscriptionId::generate(uow.ids());
    let command = SubscriptionCommand::Gift { subscription_id, payer, recipient, plan, months };
    execute_subscription(uow, subscription_id, &command)?;
    take_current(uow, recipient, subscription_id)?;
    reply(uow, subscription_id)
}

/// Starts the cycle of a month once: every live subscription decides whether its box falls
/// due; each box that does is published; gifts whose last box fell due let their customer go.
fn start_cycle<R: Repository>(uow: &mut UnitOfWork<'_, R>, month: &str) -> Handled<CycleReport> {
    let month = Month::parse(month).map_err(refuse)?;
    let (cycle, _) = uow.load::<Cycle>(&month)?;
    if cycle.started().is_some() {
        let report = CycleReport { month: month.to_string(), already_started: true, boxes_due: Vec::new() };
        return Ok(report);
    }
    let (roster, _) = uow.load::<SubscriptionRoster>(&ROSTER_ID)?;
    let mut boxes_due = Vec::new();
    for subscription_id in roster.live() {
        let events = execute_subscription(uow, subscription_id, &SubscriptionCommand::MakeDue { month })?;
        for event in events {
            match event {
                SubscriptionEvent::BoxFellDue { month } => {
                    let box_due = box_due_v1(&started(uow, subscription_id)?, month);
                    uow.publish(&BOX_DUE, &subscription_id, &box_due)?;
                    boxes_due.push(subscription_id);
                }
                SubscriptionEvent::GiftFulfilled => {
                    let subscriber = started(uow, subscription_id)?.subscriber();
                    let_go(uow, subscriber, subscription_id)?;
                }
                _ => {}
            }
        }
    }
    let count = u32::try_from(boxes_due.len()).unwrap_or(u32::MAX);
    execute_infallible::<Cycle>(uow, &month, &CycleCommand::Start { month, boxes_due: count })?;
    Ok(CycleReport { month: month.to_string(), already_started: false, boxes_due })
}

/// Makes the subscription its customer's current one and lists it for the monthly cycle.
fn take_current<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    subscription_id: SubscriptionId,
) -> Handled<()> {
    uow.execute::<Subscriber>(&customer_id, &SubscriberCommand::Claim { subscription_id })
        .map_err(|e| subscriber_refused(customer_id, e))?;
    execute_infallible::<SubscriptionRoster>(uow, &ROSTER_ID, &RosterCommand::List { subscription_id })?;
    Ok(())
}

/// The subscription is no longer its customer's current one, nor considered by cycles.
fn let_go<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    subscription_id: SubscriptionId,
) -> Handled<()> {
    uow.execute::<Subscriber>(&customer_id, &SubscriberCommand::Release { subscription_id })
        .map_err(|e| subscriber_refused(customer_id, e))?;
    execute_infallible::<SubscriptionRoster>(uow, &ROSTER_ID, &RosterCommand::Delist { subscription_id })?;
    Ok(())
}

fn subscriber_refused(
    customer_id: CustomerId,
    error: ExecuteError<SubscriberError>,
) -> HandleError<SubscriptionsError> {
    match error {
        ExecuteError::Rejected(SubscriberError::AlreadySubscribed { current }) => {
            refuse(SubscriptionsError::AlreadySubscribed { customer_id, current })
        }
        ExecuteError::Infrastructure(e) => HandleError::Infrastructure(e),
    }
}

fn execute_subscription<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    subscription_id: SubscriptionId,
    command: &SubscriptionCommand,
) -> Handled<Vec<SubscriptionEvent>> {
    uow.execute::<Subscription>(&subscription_id, command).map_err(|error| match error {
        ExecuteError::Rejected(rejection) => refuse(match rejection {
            SubscriptionError::NotFound => SubscriptionsError::UnknownSubscription(subscription_id),
            SubscriptionError::AlreadyExists(id) => SubscriptionsError::AlreadyExists(id),
            SubscriptionError::InvalidTransition { action, status } => {
                SubscriptionsError::InvalidTransition { subscription_id, action, status }
            }
            SubscriptionError::GiftToSelf => SubscriptionsError::GiftToSelf,
        }),
        ExecuteError::Infrastructure(e) => HandleError::Infrastructure(e),
    })
}

fn execute_infallible<A: Aggregate<Error = Infallible>>(
    uow: &mut UnitOfWork<'_, impl Repository>,
    id: &impl Display,
    command: &A::Command,
) -> Handled<Vec<A::Event>> {
    uow.execute::<A>(id, command).map_err(|error| match error {
        ExecuteError::Rejected(never) => match never {},
        ExecuteError::Infrastructure(e) => HandleError::Infrastructure(e),
    })
}

/// The subscription as this unit of work left it.
fn started<R: Repository>(uow: &mut UnitOfWork<'_, R>, subscription_id: SubscriptionId) -> Handled<Started> {
    let (subscription, _) = uow.load::<Subscription>(&subscription_id)?;
    subscription.started().cloned().ok_or(refuse(SubscriptionsError::UnknownSubscription(subscription_id)))
}

fn reply<R: Repository>(uow: &mut UnitOfWork<'_, R>, subscription_id: SubscriptionId) -> Handled<SubscriptionView> {
    Ok(view(&started(uow, subscription_id)?))
}

fn refuse(error: impl Into<SubscriptionsError>) -> HandleError<SubscriptionsError> {
    HandleError::Rejected(error.into())
}

fn load<A: Aggregate, R: Repository>(repository: &mut R, id: impl Display) -> Result<A, LoadError> {
    Ok(repository.load::<A>(&StreamId::for_aggregate(A::CATEGORY, id))?.state)
}

// Domain -> published language and views, field by field, so that a change of the domain
// cannot silently change what other contexts read.

fn box_due_v1(subscription: &Started, month: Month) -> BoxDueV1 {
    let plan = subscription.plan();
    BoxDueV1 {
        subscription_id: subscription.id().as_uuid(),
        customer_id: subscription.subscriber().as_uuid(),
        payer_id: subscription.payer().as_uuid(),
        plan: PlanV1 {
            books_per_month: plan.books_per_month().get(),
            monthly_price: MoneyV1 {
                amount_cents: plan.monthly_price().amount_cents(),
                currency: match plan.monthly_price().currency() {
                    Currency::Usd => CurrencyV1::Usd,
                },
            },
        },
        month: month.to_string(),
        gift: matches!(subscription.funding(), Funding::Gift { .. }),
    }
}

fn view(subscription: &Started) -> SubscriptionView {
    let plan = subscription.plan();
    SubscriptionView {
        subscription_id: subscription.id(),
        customer_id: subscription.subscriber(),
        payer_id: subscription.payer(),
        plan: PlanView {
            books_per_month: plan.books_per_month().get(),
            monthly_price_cents: plan.monthly_price().amount_cents(),
            currency: plan.monthly_price().currency().code().to_owned(),
        },
        status: subscription.status(),
        gift_months: match subscription.funding() {
            Funding::Gift { months, .. } => Some(months.get()),
            Funding::Subscriber => None,
        },
        due_from: subscription.due_from().to_string(),
        months_due: subscription.months_due().iter().map(Month::to_string).collect(),
    }
}
