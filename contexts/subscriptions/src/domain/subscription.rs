//! The `Subscription` aggregate: one customer's monthly box, paid by them or gifted, through
//! its lifecycle, and the months in which its box fell due.
//!
//! The lifecycle is a state machine; [`Status::after`] is its transition table, and
//! everything it does not list is refused with a typed error:
//!
//! | from \ action | pause  | resume | cancel    | restart (from next month) |
//! |---------------|--------|--------|-----------|---------------------------|
//! | active        | paused | –      | cancelled | –                         |
//! | paused        | –      | active | cancelled | active                    |
//! | cancelled     | –      | –      | –         | active                    |
//! | ended         | –      | –      | –         | –                         |
//!
//! Besides, an active gift becomes *ended* when its last box falls due.
//!
//! When a month's cycle starts, a subscription's box falls due for that month if
//! - it is active (paused, cancelled and ended subscriptions are not due),
//! - the month is not before `due_from` (the month it started in, or the month after a
//!   restart), and
//! - it was not already due for that month or a later one: the months a box fell due are
//!   recorded and strictly increase, so running a month twice has no second effect.
//!
//! A gift of N months ends when its N-th box falls due.

use std::fmt;

use serde::{Deserialize, Serialize};

use kernel::{Aggregate, DomainEvent, Env};

use crate::domain::gift::GiftMonths;
use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::month::Month;
use crate::domain::plan::Plan;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    started: Option<Started>,
}

/// A subscription that exists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Started {
    id: SubscriptionId,
    /// Who receives the boxes.
    subscriber: CustomerId,
    plan: Plan,
    funding: Funding,
    status: Status,
    /// The first month in which a box may fall due.
    due_from: Month,
    /// The months in which a box fell due, strictly increasing.
    months_due: Vec<Month>,
}

/// Who pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Funding {
    /// The subscriber pays month by month.
    Subscriber,
    /// Another customer paid for a number of boxes up front.
    Gift { payer: CustomerId, months: GiftMonths },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Active,
    Paused,
    Cancelled,
    /// A gift whose last box fell due. Terminal.
    Ended,
}

/// What a customer may do to a subscription's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Pause,
    Resume,
    Cancel,
    Restart,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SubscriptionCommand {
    Subscribe {
        subscription_id: SubscriptionId,
        subscriber: CustomerId,
        plan: Plan,
    },
    Gift {
        subscription_id: SubscriptionId,
        payer: CustomerId,
        recipient: CustomerId,
        plan: Plan,
        months: GiftMonths,
    },
    Pause,
    Resume,
    Cancel,
    /// Reactivates a paused or cancelled subscription from the month after this one.
    RestartNextMonth,
    /// The cycle of `month` started: fall due if this subscription should.
    MakeDue {
        month: Month,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubscriptionEvent {
    Subscribed {
        subscription_id: SubscriptionId,
        subscriber: CustomerId,
        plan: Plan,
        due_from: Month,
    },
    Gifted {
        subscription_id: SubscriptionId,
        payer: CustomerId,
        recipient: CustomerId,
        plan: Plan,
        months: GiftMonths,
        due_from: Month,
    },
    Paused,
    Resumed,
    Cancelled,
    Restarted {
        due_from: Month,
    },
    BoxFellDue {
        month: Month,
    },
    /// The last box of a gift fell due: the gift is over.
    GiftFulfilled,
}

impl DomainEvent for SubscriptionEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionError {
    #[error("subscription {0} already exists")]
    AlreadyExists(SubscriptionId),
    #[error("the subscription does not exist")]
    NotFound,
    #[error("cannot {action} a subscription that is {status}")]
    InvalidTransition { action: Action, status: Status },
    #[error("a gift's payer and recipient must be different customers")]
    GiftToSelf,
}

impl Status {
    /// The lifecycle's transition table: the status `action` leads to from this one, or why
    /// it cannot be taken. Everything not listed is refused.
    pub fn after(self, action: Action) -> Result<Status, SubscriptionError> {
        match (self, action) {
            (Status::Active, Action::Pause) => Ok(Status::Paused),
            (Status::Paused, Action::Resume) => Ok(Status::Active),
            (Status::Active | Status::Paused, Action::Cancel) => Ok(Status::Cancelled),
            (Status::Paused | Status::Cancelled, Action::Restart) => Ok(Status::Active),
            (status, action) => Err(SubscriptionError::InvalidTransition { action, status }),
        }
    }

    /// Whether the subscription still counts as the customer's current one (it may fall
    /// due again without a new subscription).
    pub fn is_live(self) -> bool {
        matches!(self, Status::Active | Status::Paused)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Active => "active",
            Status::Paused => "paused",
            Status::Cancelled => "cancelled",
            Status::Ended => "ended",
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Pause => "pause",
            Action::Resume => "resume",
            Action::Cancel => "cancel",
            Action::Restart => "restart",
        })
    }
}

impl Subscription {
    pub fn started(&self) -> Option<&Started> {
        self.started.as_ref()
    }
}

impl Started {
    pub fn id(&self) -> SubscriptionId {
        self.id
    }
    pub fn subscriber(&self) -> CustomerId {
        self.subscriber
    }
    /// Who pays for the boxes: the giver of a gift, else the subscriber.
    pub fn payer(&self) -> CustomerId {
        match self.funding {
            Funding::Subscriber => self.subscriber,
            Funding::Gift { payer, .. } => payer,
        }
    }
    pub fn plan(&self) -> Plan {
        self.plan
    }
    pub fn funding(&self) -> Funding {
        self.funding
    }
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn due_from(&self) -> Month {
        self.due_from
    }
    pub fn months_due(&self) -> &[Month] {
        &self.months_due
    }

    fn transition(
        &self,
        action: Action,
        event: SubscriptionEvent,
    ) -> Result<Vec<SubscriptionEvent>, SubscriptionError> {
        self.status.after(action)?;
        Ok(vec![event])
    }

    fn make_due(&self, month: Month) -> Vec<SubscriptionEvent> {
        let already_due = self.months_due.last().is_some_and(|last| *last >= month);
        if self.status != Status::Active || month < self.due_from || already_due {
            return Vec::new();
        }
        let mut events = vec![SubscriptionEvent::BoxFellDue { month }];
        if let Funding::Gift { months, .. } = self.funding {
            if self.months_due.len() + 1 >= usize::from(months.get()) {
                events.push(SubscriptionEvent::GiftFulfilled);
            }
        }
        events
    }
}

impl Aggregate for Subscription {
    const CATEGORY: &'static str = "subscription";
    type Command = SubscriptionCommand;
    type Event = SubscriptionEvent;
    type Error = SubscriptionError;

    fn decide(
        &self,
        command: &SubscriptionCommand,
        env: &Env<'_>,
    ) -> Result<Vec<SubscriptionEvent>, SubscriptionError> {
        let this_month = Month::of(env.now);
        match (&self.started, command) {
            (None, SubscriptionCommand::Subscribe { subscription_id, subscriber, plan }) => {
                Ok(vec![SubscriptionEvent::Subscribed {
                    subscription_id: *subscription_id,
                    subscriber: *subscriber,
                    plan: *plan,
                    due_from: this_month,
                }])
            }
            (None, SubscriptionCommand::Gift { payer, recipient, .. }) if payer == recipient => {
                Err(SubscriptionError::GiftToSelf)
            }
            (None, SubscriptionCommand::Gift { subscription_id, payer, recipient, plan, months }) => {
                Ok(vec![SubscriptionEvent::Gifted {
                    subscription_id: *subscription_id,
                    payer: *payer,
                    recipient: *recipient,
                    plan: *plan,
                    months: *months,
                    due_from: this_month,
                }])
            }
            (Some(started), SubscriptionCommand::Subscribe { .. } | SubscriptionCommand::Gift { .. }) => {
                Err(SubscriptionError::AlreadyExists(started.id))
            }
            (None, _) => Err(SubscriptionError::NotFound),
            (Some(started), SubscriptionCommand::Pause) => started.transition(Action::Pause, SubscriptionEvent::Paused),
            (Some(started), SubscriptionCommand::Resume) => {
                started.transition(Action::Resume, SubscriptionEvent::Resumed)
            }
            (Some(started), SubscriptionCommand::Cancel) => {
                started.transition(Action::Cancel, SubscriptionEvent::Cancelled)
            }
            (Some(started), SubscriptionCommand::RestartNextMonth) => {
                started.transition(Action::Restart, SubscriptionEvent::Restarted { due_from: this_month.next() })
            }
            (Some(started), SubscriptionCommand::MakeDue { month }) => Ok(started.make_due(*month)),
        }
    }

    fn evolve(&mut self, event: &SubscriptionEvent) {
        match *event {
            SubscriptionEvent::Subscribed { subscription_id, subscriber, plan, due_from } => {
                self.started = Some(Started {
                    id: subscription_id,
                    subscriber,
                    plan,
                    funding: Funding::Subscriber,
                    status: Status::Active,
                    due_from,
                    months_due: Vec::new(),
                });
                return;
            }
            SubscriptionEvent::Gifted { subscription_id, payer, recipient, plan, months, due_from } => {
                self.started = Some(Started {
                    id: subscription_id,
                    subscriber: recipient,
                    plan,
                    funding: Funding::Gift { payer, months },
                    status: Status::Active,
                    due_from,
                    months_due: Vec::new(),
                });
                return;
            }
            _ => {}
        }
        // Every other event follows a creation event in its stream.
        let Some(started) = self.started.as_mut() else { return };
        match *event {
            SubscriptionEvent::Subscribed { .. } | SubscriptionEvent::Gifted { .. } => {}
            SubscriptionEvent::Paused => started.status = Status::Paused,
            SubscriptionEvent::Resumed => started.status = Status::Active,
            SubscriptionEvent::Cancelled => started.status = Status::Cancelled,
            SubscriptionEvent::Restarted { due_from } => {
                started.status = Status::Active;
                started.due_from = due_from;
            }
            SubscriptionEvent::BoxFellDue { month } => started.months_due.push(month),
            SubscriptionEvent::GiftFulfilled => started.status = Status::Ended,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use kernel::ids::SequentialIds;
    use kernel::testing::{check_aggregate, given};
    use kernel::Timestamp;
    use proptest::prelude::*;

    use crate::domain::ids::tests::{customer, subscription};
    use crate::domain::plan::BooksPerMonth;

    pub(crate) fn month(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    pub(crate) fn first_of(m: Month) -> Timestamp {
        Timestamp::parse(&format!("{m}-01T00:00:00Z")).unwrap()
    }

    pub(crate) fn two_books() -> Plan {
        Plan::at_current_prices(BooksPerMonth::Two)
    }

    fn subscribed(from: &str) -> SubscriptionEvent {
        SubscriptionEvent::Subscribed {
            subscription_id: subscription(1),
            subscriber: customer(1),
            plan: two_books(),
            due_from: month(from),
        }
    }

    fn gifted(months: u32, from: &str) -> SubscriptionEvent {
        SubscriptionEvent::Gifted {
            subscription_id: subscription(1),
            payer: customer(2),
            recipient: customer(1),
            plan: two_books(),
            months: GiftMonths::new(months).unwrap(),
            due_from: month(from),
        }
    }

    fn due(m: &str) -> SubscriptionEvent {
        SubscriptionEvent::BoxFellDue { month: month(m) }
    }

    fn make_due(m: &str) -> SubscriptionCommand {
        SubscriptionCommand::MakeDue { month: month(m) }
    }

    #[test]
    fn a_customer_subscribes_from_this_month() {
        let command = SubscriptionCommand::Subscribe {
            subscription_id: subscription(1),
            subscriber: customer(1),
            plan: two_books(),
        };
        let state = given::<Subscription>([])
            .at(Timestamp::parse("2026-03-15T10:00:00Z").unwrap())
            .when(command)
            .then([subscribed("2026-03")]);
        let started = state.started().unwrap();
        assert_eq!((started.status(), started.payer()), (Status::Active, customer(1)));
    }

    #[test]
    fn a_gift_is_paid_by_the_giver_and_received_by_the_recipient() {
        let command = SubscriptionCommand::Gift {
            subscription_id: subscription(1),
            payer: customer(2),
            recipient: customer(1),
            plan: two_books(),
            months: GiftMonths::new(3).unwrap(),
        };
        let state = given::<Subscription>([]).at(first_of(month("2026-03"))).when(command).then([gifted(3, "2026-03")]);
        let started = state.started().unwrap();
        assert_eq!((started.subscriber(), started.payer()), (customer(1), customer(2)));
    }

    #[test]
    fn a_gift_to_oneself_is_refused() {
        let command = SubscriptionCommand::Gift {
            subscription_id: subscription(1),
            payer: customer(1),
            recipient: customer(1),
            plan: two_books(),
            months: GiftMonths::new(3).unwrap(),
        };
        given::<Subscription>([]).when(command).then_rejected(SubscriptionError::GiftToSelf);
    }

    #[test]
    fn a_subscription_starts_once_and_nothing_happens_to_one_that_does_not_exist() {
        let again = SubscriptionCommand::Subscribe {
            subscription_id: subscription(1),
            subscriber: customer(3),
            plan: two_books(),
        };
        given::<Subscription>([subscribed("2026-03")])
            .when(again)
            .then_rejected(SubscriptionError::AlreadyExists(subscription(1)));
        for command in [SubscriptionCommand::Pause, SubscriptionCommand::Cancel, make_due("2026-03")] {
            given::<Subscription>([]).when(command).then_rejected(SubscriptionError::NotFound);
        }
    }

    #[test]
    fn the_lifecycle_follows_its_table() {
        let history = |tail: &[SubscriptionEvent]| [&[subscribed("2026-03")][..], tail].concat();
        given::<Subscription>(history(&[])).when(SubscriptionCommand::Pause).then([SubscriptionEvent::Paused]);
        given::<Subscription>(history(&[SubscriptionEvent::Paused]))
            .when(SubscriptionCommand::Resume)
            .then([SubscriptionEvent::Resumed]);
        given::<Subscription>(history(&[SubscriptionEvent::Paused]))
            .when(SubscriptionCommand::Cancel)
            .then([SubscriptionEvent::Cancelled]);
        given::<Subscription>(history(&[]))
            .when(SubscriptionCommand::Resume)
            .then_rejected(SubscriptionError::InvalidTransition { action: Action::Resume, status: Status::Active });
        given::<Subscription>(history(&[SubscriptionEvent::Paused]))
            .when(SubscriptionCommand::Pause)
            .then_rejected(SubscriptionError::InvalidTransition { action: Action::Pause, status: Status::Paused });
    }

    #[test]
    fn a_cancelled_subscription_cannot_be_resumed_only_restarted() {
        let cancelled = [subscribed("2026-03"), SubscriptionEvent::Cancelled];
        let err = SubscriptionError::InvalidTransition { action: Action::Resume, status: Status::Cancelled };
        assert_eq!(err.to_string(), "cannot resume a subscription that is cancelled");
        given::<Subscription>(cancelled.clone()).when(SubscriptionCommand::Resume).then_rejected(err);
        given::<Subscription>(cancelled.clone())
            .when(SubscriptionCommand::Cancel)
            .then_rejected(SubscriptionError::InvalidTransition { action: Action::Cancel, status: Status::Cancelled });
        given::<Subscription>(cancelled)
            .at(Timestamp::parse("2026-04-20T00:00:00Z").unwrap())
            .when(SubscriptionCommand::RestartNextMonth)
            .then([SubscriptionEvent::Restarted { due_from: month("2026-05") }]);
    }

    #[test]
    fn an_active_subscription_falls_due_once_per_month() {
        let state = given::<Subscription>([subscribed("2026-03")]).when(make_due("2026-03")).then([due("2026-03")]);
        assert_eq!(state.started().unwrap().months_due(), [month("2026-03")]);
        given::<Subscription>([subscribed("2026-03"), due("2026-03")]).when(make_due("2026-03")).then([]);
        given::<Subscription>([subscribed("2026-03"), due("2026-04")]).when(make_due("2026-03")).then([]);
        given::<Subscription>([subscribed("2026-03"), due("2026-03")]).when(make_due("2026-04")).then([due("2026-04")]);
    }

    #[test]
    fn nothing_falls_due_before_it_started_nor_while_paused_or_cancelled() {
        given::<Subscription>([subscribed("2026-03")]).when(make_due("2026-02")).then([]);
        given::<Subscription>([subscribed("2026-03"), SubscriptionEvent::Paused]).when(make_due("2026-03")).then([]);
        given::<Subscription>([subscribed("2026-03"), SubscriptionEvent::Cancelled]).when(make_due("2026-03")).then([]);
    }

    #[test]
    fn a_restart_takes_effect_the_month_after_it_was_asked_for() {
        let restarted = [
            subscribed("2026-03"),
            SubscriptionEvent::Cancelled,
            SubscriptionEvent::Restarted { due_from: month("2026-05") },
        ];
        given::<Subscription>(restarted.clone()).when(make_due("2026-04")).then([]);
        given::<Subscription>(restarted).when(make_due("2026-05")).then([due("2026-05")]);
    }

    #[test]
    fn a_gift_ends_when_its_last_box_falls_due_and_paused_months_do_not_count() {
        let history = [gifted(2, "2026-03"), due("2026-03"), SubscriptionEvent::Paused, SubscriptionEvent::Resumed];
        let state = given::<Subscription>(history.clone())
            .when(make_due("2026-05"))
            .then([due("2026-05"), SubscriptionEvent::GiftFulfilled]);
        assert_eq!(state.started().unwrap().status(), Status::Ended);
        let ended = [&history[..], &[due("2026-05"), SubscriptionEvent::GiftFulfilled]].concat();
        given::<Subscription>(ended.clone()).when(make_due("2026-06")).then([]);
        given::<Subscription>(ended)
            .when(SubscriptionCommand::RestartNextMonth)
            .then_rejected(SubscriptionError::InvalidTransition { action: Action::Restart, status: Status::Ended });
    }

    /// A command, and how many months pass before it is decided.
    pub(crate) fn timed_commands() -> impl Strategy<Value = Vec<(SubscriptionCommand, u8)>> {
        let months = prop::sample::select(vec![1u32, 2, 3]);
        let create = prop_oneof![
            Just(SubscriptionCommand::Subscribe {
                subscription_id: subscription(1),
                subscriber: customer(1),
                plan: two_books()
            }),
            (months, 1u128..3).prop_map(|(months, payer)| SubscriptionCommand::Gift {
                subscription_id: subscription(1),
                payer: customer(payer),
                recipient: customer(1),
                plan: two_books(),
                months: GiftMonths::new(months).unwrap(),
            }),
        ];
        let lifecycle = prop_oneof![
            Just(SubscriptionCommand::Pause),
            Just(SubscriptionCommand::Resume),
            Just(SubscriptionCommand::Cancel),
            Just(SubscriptionCommand::RestartNextMonth),
        ];
        // Cycles for months around 2026-01: behind, at and ahead of the clock.
        let cycle = (0u8..8).prop_map(|k| {
            let mut m = month("2025-12");
            (0..k).for_each(|_| m = m.next());
            SubscriptionCommand::MakeDue { month: m }
        });
        let command = prop_oneof![1 => create, 3 => lifecycle, 4 => cycle];
        proptest::collection::vec((command, 0u8..2), 0..30)
    }

    fn invariant(state: &Subscription) -> Result<(), String> {
        let Some(s) = state.started() else { return Ok(()) };
        if !s.months_due().windows(2).all(|w| w[0] < w[1]) {
            return Err(format!("months due are not strictly increasing: {:?}", s.months_due()));
        }
        match s.funding() {
            Funding::Subscriber if s.status() == Status::Ended => Err("a paid subscription ended".into()),
            Funding::Gift { months, .. } => {
                let boxes = s.months_due().len();
                if boxes > usize::from(months.get()) {
                    return Err(format!("a gift of {} months had {boxes} boxes", months.get()));
                }
                if (s.status() == Status::Ended) != (boxes == usize::from(months.get())) {
                    return Err(format!("a gift with {boxes} of {} boxes is {}", months.get(), s.status()));
                }
                Ok(())
            }
            Funding::Subscriber => Ok(()),
        }
    }

    #[test]
    fn invariants_hold_and_replay_rebuilds_the_state() {
        check_aggregate::<Subscription>(
            timed_commands().prop_map(|cs| cs.into_iter().map(|(c, _)| c).collect()),
            invariant,
        );
    }

    proptest! {
        /// Against the clock: a box falls due only for an active subscription, never before
        /// it is due from, never twice for a month; lifecycle commands move the status exactly
        /// as the table says; and the invariants hold after every command.
        #[test]
        fn the_state_machine_against_the_clock(commands in timed_commands()) {
            let ids = SequentialIds::new(0);
            let mut now = month("2026-01");
            let mut state = Subscription::default();
            for (command, months_later) in commands {
                (0..months_later).for_each(|_| now = now.next());
                let before = state.started().cloned();
                let env = Env { now: first_of(now), ids: &ids };
                let Ok(events) = state.decide(&command, &env) else { continue };
                for event in &events {
                    state.evolve(event);
                }
                prop_assert_eq!(invariant(&state), Ok(()));
                let (Some(before), Some(after)) = (before, state.started()) else { continue };
                let action = match command {
                    SubscriptionCommand::Pause => Some(Action::Pause),
                    SubscriptionCommand::Resume => Some(Action::Resume),
                    SubscriptionCommand::Cancel => Some(Action::Cancel),
                    SubscriptionCommand::RestartNextMonth => Some(Action::Restart),
                    _ => None,
                };
                if let Some(action) = action {
                    prop_assert_eq!(before.status().after(action), Ok(after.status()));
                }
                if action == Some(Action::Restart) {
                    prop_assert_eq!(after.due_from(), now.next(), "a restart takes effect next month");
                }
                for event in &events {
                    if let SubscriptionEvent::BoxFellDue { month } = event {
                        prop_assert_eq!(before.status(), Status::Active, "only an active subscription falls due");
                        prop_assert!(*month >= before.due_from());
                        prop_assert!(!before.months_due().contains(month), "{} fell due twice", month);
                    }
                }
            }
        }
    }
}
