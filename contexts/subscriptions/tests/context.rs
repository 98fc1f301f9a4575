//! The subscriptions context driven through its public API in an in-memory harness, as the
//! runtime drives it: the lifecycle, the rules across subscriptions, the monthly cycle and
//! what it publishes, and a model-based property over random months of business.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Debug;

use kernel::context::{HandleError, QueryError};
use kernel::testing::ContextHarness;
use kernel::{EventStore, Timestamp};
use proptest::prelude::*;
use subscriptions::ports::queries::{CurrentSubscription, Cycle, LiveSubscriptions, Subscription};
use subscriptions::ports::{
    Action, CustomerId, CycleReport, CycleView, GiftMonthsError, MonthError, PlanError, StartCycle, Status,
    SubscriptionId, SubscriptionView, SubscriptionsCommand, SubscriptionsError,
};
use subscriptions::Subscriptions;

fn customer(n: u128) -> CustomerId {
    CustomerId::from_uuid(uuid::Uuid::from_u128(n))
}

/// Sets the clock to the first day of a month, `YYYY-MM`.
fn clock_at(harness: &ContextHarness<Subscriptions>, month: &str) {
    harness.clock.set(Timestamp::parse(&format!("{month}-01T00:00:00Z")).unwrap());
}

fn view(reply: Result<SubscriptionView, HandleError<SubscriptionsError>>) -> SubscriptionView {
    reply.expect("the command is accepted and answers the subscription")
}

fn rejection<T: Debug>(reply: Result<T, HandleError<SubscriptionsError>>) -> SubscriptionsError {
    kernel::testing::refusal(reply)
}

fn subscribe(harness: &ContextHarness<Subscriptions>, customer_id: CustomerId, books: u32) -> SubscriptionId {
    view(harness.execute(SubscriptionsCommand::Subscribe { customer_id, books_per_month: books })).subscription_id
}

fn cycle(harness: &ContextHarness<Subscriptions>, month: &str) -> CycleReport {
    harness.execute(StartCycle { month: month.into() }).expect("a well-formed month's cycle starts")
}

fn subscription(harness: &ContextHarness<Subscriptions>, subscription_id: SubscriptionId) -> SubscriptionView {
    harness.query(Subscription { subscription_id }).expect("a started subscription is found")
}

fn current(harness: &ContextHarness<Subscriptions>, customer_id: CustomerId) -> Option<SubscriptionId> {
    match harness.query(CurrentSubscription { customer_id }) {
        Ok(view) => Some(view.subscription_id),
        Err(QueryError::NotFound(_)) => None,
        Err(e) => panic!("expected a subscription or not found, got {e}"),
    }
}

fn live(harness: &ContextHarness<Subscriptions>) -> BTreeSet<SubscriptionId> {
    harness.query(LiveSubscriptions).expect("the roster always answers").into_iter().collect()
}

/// (subscription id, month) of each `box-due` published since the last call.
fn boxes_published(harness: &mut ContextHarness<Subscriptions>) -> Vec<(String, String)> {
    harness
        .take_published()
        .iter()
        .map(|m| {
            assert_eq!(m.message_type, "bookbox.subscriptions.box-due.v1");
            let data: serde_json::Value = serde_json::from_str(m.data.as_ref().unwrap().get()).unwrap();
            (data["subscription_id"].as_str().unwrap().to_owned(), data["month"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn a_customer_subscribes_to_a_plan_from_this_month() {
    let harness = ContextHarness::new(Subscriptions);
    clock_at(&harness, "2026-03");

    let view = view(harness.execute(SubscriptionsCommand::Subscribe { customer_id: customer(1), books_per_month: 2 }));

    assert_eq!(view.status, Status::Active);
    assert_eq!((view.customer_id, view.payer_id), (customer(1), customer(1)));
    assert_eq!(
        (view.plan.books_per_month, view.plan.monthly_price_cents, view.plan.currency.as_str()),
        (2, 3499, "USD")
    );
    assert_eq!((view.due_from.as_str(), view.gift_months), ("2026-03", None));
    assert_eq!(current(&harness, customer(1)), Some(view.subscription_id));
    assert_eq!(live(&harness), BTreeSet::from([view.subscription_id]));
}

#[test]
fn a_customer_cannot_hold_two_subscriptions_and_a_refusal_writes_nothing() {
    let harness = ContextHarness::new(Subscriptions);
    let first = subscribe(&harness, customer(1), 1);
    harness.execute(SubscriptionsCommand::Pause { subscription_id: first }).unwrap();
    let before = harness.store.last_position().unwrap();

    let again =
        rejection(harness.execute(SubscriptionsCommand::Subscribe { customer_id: customer(1), books_per_month: 3 }));
    let gifted = rejection(harness.execute(SubscriptionsCommand::Gift {
        payer_id: customer(2),
        recipient_id: customer(1),
        books_per_month: 1,
        months: 6,
    }));

    let expected = SubscriptionsError::AlreadySubscribed { customer_id: customer(1), current: first };
    assert_eq!(again, expected, "a paused subscription is still the customer's current one");
    assert_eq!(gifted, expected);
    assert_eq!(harness.store.last_position().unwrap(), before);
    assert_eq!(live(&harness).len(), 1);
}

#[test]
fn the_lifecycle_pauses_resumes_cancels_and_restarts_next_month() {
    let harness = ContextHarness::new(Subscriptions);
    clock_at(&harness, "2026-03");
    let id = subscribe(&harness, customer(1), 2);

    assert_eq!(view(harness.execute(SubscriptionsCommand::Pause { subscription_id: id })).status, Status::Paused);
    assert_eq!(view(harness.execute(SubscriptionsCommand::Resume { subscription_id: id })).status, Status::Active);
    assert_eq!(view(harness.execute(SubscriptionsCommand::Cancel { subscription_id: id })).status, Status::Cancelled);
    assert_eq!(current(&harness, customer(1)), None, "a cancelled subscription is nobody's current one");
    assert!(live(&harness).is_empty());

    let resume = rejection(harness.execute(SubscriptionsCommand::Resume { subscription_id: id }));
    assert_eq!(
        resume,
        SubscriptionsError::InvalidTransition {
            subscription_id: id,
            action: Action::Resume,
            status: Status::Cancelled
        }
    );
    assert_eq!(resume.to_string(), format!("cannot resume subscription {id}: it is cancelled"));

    let restarted = view(harness.execute(SubscriptionsCommand::RestartNextMonth { subscription_id: id }));
    assert_eq!((restarted.status, restarted.due_from.as_str()), (Status::Active, "2026-04"));
    assert_eq!(current(&harness, customer(1)), Some(id));
    assert_eq!(live(&harness), BTreeSet::from([id]));
}

#[test]
fn a_cancelled_subscription_cannot_restart_once_its_customer_subscribed_again() {
    let harness = ContextHarness::new(Subscriptions);
    let old = subscribe(&harness, customer(1), 1);
    harness.execute(SubscriptionsCommand::Cancel { subscription_id: old }).unwrap();
    let new = subscribe(&harness, customer(1), 3);

    let error = rejection(harness.execute(SubscriptionsCommand::RestartNextMonth { subscription_id: old }));

    assert_eq!(error, SubscriptionsError::AlreadySubscribed { customer_id: customer(1), current: new });
    assert_eq!(subscription(&harness, old).status, Status::Cancelled, "the refused restart left nothing behind");
}

#[test]
fn a_cycle_makes_every_active_subscription_due_once() {
    let mut harness = ContextHarness::new(Subscriptions);
    clock_at(&harness, "2026-03");
    let active = subscribe(&harness, customer(1), 1);
    let paused = subscribe(&harness, customer(2), 2);
    let cancelled = subscribe(&harness, customer(3), 3);
    harness.execute(SubscriptionsCommand::Pause { subscription_id: paused }).unwrap();
    harness.execute(SubscriptionsCommand::Cancel { subscription_id: cancelled }).unwrap();
    harness.take_published();

    let report = cycle(&harness, "2026-03");

    assert_eq!(report, CycleReport { month: "2026-03".into(), already_started: false, boxes_due: vec![active] });
    assert_eq!(boxes_published(&mut harness), [(active.to_string(), "2026-03".to_owned())]);
    assert_eq!(subscription(&harness, active).months_due, ["2026-03"]);

    let again = cycle(&harness, "2026-03");

    assert_eq!(again, CycleReport { month: "2026-03".into(), already_started: true, boxes_due: vec![] });
    assert!(boxes_published(&mut harness).is_empty(), "running a month twice has no second effect");
    let cycle_view = harness.query(Cycle { month: "2026-03".into() });
    assert_eq!(cycle_view, Ok(CycleView { month: "2026-03".into(), started: true, boxes_due: 1 }));
}

#[test]
fn a_gift_delivers_its_months_then_ends_and_frees_its_recipient() {
    let mut harness = ContextHarness::new(Subscriptions);
    clock_at(&harness, "2026-01");
    let gift = view(harness.execute(SubscriptionsCommand::Gift {
        payer_id: customer(2),
        recipient_id: customer(1),
        books_per_month: 1,
        months: 2,
    }));
    assert_eq!((gift.customer_id, gift.payer_id, gift.gift_months), (customer(1), customer(2), Some(2)));

    for month in ["2026-01", "2026-02", "2026-03"] {
        cycle(&harness, month);
    }

    let boxes = boxes_published(&mut harness);
    let months: Vec<&str> = boxes.iter().map(|(_, month)| month.as_str()).collect();
    assert_eq!(months, ["2026-01", "2026-02"], "a gift of two months is two boxes");
    assert_eq!(subscription(&harness, gift.subscription_id).status, Status::Ended);
    assert_eq!(current(&harness, customer(1)), None);
    assert!(live(&harness).is_empty());
    subscribe(&harness, customer(1), 2);
}

#[test]
fn a_restart_from_next_month_is_not_due_this_month() {
    let mut harness = ContextHarness::new(Subscriptions);
    clock_at(&harness, "2026-01");
    let id = subscribe(&harness, customer(1), 2);
    harness.execute(SubscriptionsCommand::Cancel { subscription_id: id }).unwrap();
    harness.execute(SubscriptionsCommand::RestartNextMonth { subscription_id: id }).unwrap();

    let january = cycle(&harness, "2026-01");
    let february = cycle(&harness, "2026-02");

    assert!(january.boxes_due.is_empty());
    assert_eq!(february.boxes_due, [id]);
    assert_eq!(boxes_published(&mut harness), [(id.to_string(), "2026-02".to_owned())]);
}

#[test]
fn bad_input_at_every_command_is_refused_naming_the_problem() {
    let harness = ContextHarness::new(Subscriptions);
    let unknown = SubscriptionId::from_uuid(uuid::Uuid::from_u128(99));
    let gift = |books_per_month, months, recipient| SubscriptionsCommand::Gift {
        payer_id: customer(2),
        recipient_id: customer(recipient),
        books_per_month,
        months,
    };
    let cases: Vec<(SubscriptionsCommand, SubscriptionsError, Option<&str>)> = vec![
        (
            SubscriptionsCommand::Subscribe { customer_id: customer(1), books_per_month: 4 },
            PlanError { books_per_month: 4 }.into(),
            Some("books_per_month"),
        ),
        (gift(0, 3, 1), PlanError { books_per_month: 0 }.into(), Some("books_per_month")),
        (gift(1, 0, 1), GiftMonthsError { months: 0 }.into(), Some("months")),
        (gift(1, 25, 1), GiftMonthsError { months: 25 }.into(), Some("months")),
        (gift(1, 3, 2), SubscriptionsError::GiftToSelf, Some("recipient_id")),
        (
            SubscriptionsCommand::Pause { subscription_id: unknown },
            SubscriptionsError::UnknownSubscription(unknown),
            None,
        ),
        (
            SubscriptionsCommand::Resume { subscription_id: unknown },
            SubscriptionsError::UnknownSubscription(unknown),
            None,
        ),
        (
            SubscriptionsCommand::Cancel { subscription_id: unknown },
            SubscriptionsError::UnknownSubscription(unknown),
            None,
        ),
        (
            SubscriptionsCommand::RestartNextMonth { subscription_id: unknown },
            SubscriptionsError::UnknownSubscription(unknown),
            None,
        ),
    ];
    for (command, expected, field) in cases {
        let description = format!("{command:?}");
        let error = rejection(harness.execute(command));
        assert_eq!(error, expected, "{description}");
        assert_eq!(error.field(), field, "{description}");
    }
    // Starting a cycle is a command of its own type, so it is checked beside the list.
    let command = StartCycle { month: "2026-13".into() };
    let description = format!("{command:?}");
    let error = rejection(harness.execute(command));
    assert_eq!(error, SubscriptionsError::from(MonthError { input: "2026-13".into() }), "{description}");
    assert_eq!(error.field(), Some("month"), "{description}");
    assert_eq!(harness.store.last_position().unwrap().get(), 0, "no refused command wrote anything");
}

#[test]
fn queries_answer_not_found_and_invalid_plainly() {
    let harness = ContextHarness::new(Subscriptions);
    let unknown = SubscriptionId::from_uuid(uuid::Uuid::from_u128(99));
    assert!(matches!(harness.query(Subscription { subscription_id: unknown }), Err(QueryError::NotFound(_))));
    assert!(matches!(harness.query(CurrentSubscription { customer_id: customer(1) }), Err(QueryError::NotFound(_))));
    assert!(matches!(harness.query(Cycle { month: "March".into() }), Err(QueryError::Invalid(_))));
    let not_started = harness.query(Cycle { month: "2026-03".into() });
    assert_eq!(not_started, Ok(CycleView { month: "2026-03".into(), started: false, boxes_due: 0 }));
}

#[derive(Debug, Clone)]
enum Step {
    Subscribe { customer: u128, books: u32 },
    Gift { payer: u128, recipient: u128, months: u32 },
    Lifecycle { action: Action, pick: usize },
    NextMonth,
    StartCycle { months_ahead: u8 },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let action = prop::sample::select(vec![Action::Pause, Action::Resume, Action::Cancel, Action::Restart]);
    let step = prop_oneof![
        2 => (1u128..4, 1u32..4).prop_map(|(customer, books)| Step::Subscribe { customer, books }),
        1 => (1u128..4, 1u128..4, 1u32..4).prop_map(|(payer, recipient, months)| Step::Gift { payer, recipient, months }),
        3 => (action, any::<usize>()).prop_map(|(action, pick)| Step::Lifecycle { action, pick }),
        2 => Just(Step::NextMonth),
        2 => (0u8..2).prop_map(|months_ahead| Step::StartCycle { months_ahead }),
    ];
    proptest::collection::vec(step, 1..40)
}

fn month_after(month: &str, n: u8) -> String {
    let (year, m) = month.split_once('-').unwrap();
    let index = year.parse::<u32>().unwrap() * 12 + m.parse::<u32>().unwrap() - 1 + u32::from(n);
    format!("{:04}-{:02}", index / 12, index % 12 + 1)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Months of random business, checked after every step against what must always be true:
    /// at most one current subscription per customer, and the query port agrees; the roster
    /// is exactly the live subscriptions; a box falls due only for a subscription that was
    /// active, at most once per subscription and month, and a gift never delivers more boxes
    /// than it paid for.
    #[test]
    fn the_rules_across_subscriptions_hold_whatever_customers_do(steps in steps()) {
        let mut harness = ContextHarness::new(Subscriptions);
        let mut month = "2026-01".to_owned();
        clock_at(&harness, &month);
        let mut known: Vec<SubscriptionId> = Vec::new();
        let mut boxes_seen: BTreeSet<(String, String)> = BTreeSet::new();
        let mut boxes_per_subscription: BTreeMap<String, u8> = BTreeMap::new();
        for step in steps {
            let before: BTreeMap<String, SubscriptionView> =
                known.iter().map(|id| (id.to_string(), subscription(&harness, *id))).collect();
            // The subscription a command answered, if it answers one (a cycle answers a report).
            let reply = match step {
                Step::Subscribe { customer: c, books } => harness
                    .execute(SubscriptionsCommand::Subscribe { customer_id: customer(c), books_per_month: books })
                    .map(Some),
                Step::Gift { payer, recipient, months } => harness
                    .execute(SubscriptionsCommand::Gift {
                        payer_id: customer(payer),
                        recipient_id: customer(recipient),
                        books_per_month: 1,
                        months,
                    })
                    .map(Some),
                Step::Lifecycle { .. } if known.is_empty() => continue,
                Step::Lifecycle { action, pick } => {
                    let subscription_id = known[pick % known.len()];
                    harness
                        .execute(match action {
                            Action::Pause => SubscriptionsCommand::Pause { subscription_id },
                            Action::Resume => SubscriptionsCommand::Resume { subscription_id },
                            Action::Cancel => SubscriptionsCommand::Cancel { subscription_id },
                            Action::Restart => SubscriptionsCommand::RestartNextMonth { subscription_id },
                        })
                        .map(Some)
                }
                Step::NextMonth => {
                    month = month_after(&month, 1);
                    clock_at(&harness, &month);
                    continue;
                }
                Step::StartCycle { months_ahead } => {
                    harness.execute(StartCycle { month: month_after(&month, months_ahead) }).map(|_report| None)
                }
            };
            match reply {
                Ok(Some(view)) if !known.contains(&view.subscription_id) => {
                    known.push(view.subscription_id);
                }
                Ok(_) => {}
                Err(HandleError::Rejected(_)) => {}
                Err(other) => prop_assert!(false, "infrastructure failure: {other}"),
            }

            let views: Vec<SubscriptionView> = known.iter().map(|id| subscription(&harness, *id)).collect();
            let is_live = |v: &SubscriptionView| matches!(v.status, Status::Active | Status::Paused);
            for c in 1..4 {
                let holding: Vec<SubscriptionId> =
                    views.iter().filter(|v| v.customer_id == customer(c) && is_live(v)).map(|v| v.subscription_id).collect();
                prop_assert!(holding.len() <= 1, "customer {} holds {:?}", c, holding);
                prop_assert_eq!(current(&harness, customer(c)), holding.first().copied());
            }
            let live_views: BTreeSet<SubscriptionId> = views.iter().filter(|v| is_live(v)).map(|v| v.subscription_id).collect();
            prop_assert_eq!(live(&harness), live_views);

            for (subscription_id, due_month) in boxes_published(&mut harness) {
                let was = &before[&subscription_id];
                prop_assert_eq!(was.status, Status::Active, "a box fell due for a {} subscription", was.status);
                prop_assert!(due_month >= was.due_from, "due in {} before {}", due_month, was.due_from);
                prop_assert!(boxes_seen.insert((subscription_id.clone(), due_month)), "a box fell due twice");
                let count = boxes_per_subscription.entry(subscription_id.clone()).or_default();
                *count += 1;
                if let Some(months) = was.gift_months {
                    prop_assert!(*count <= months, "a gift of {} months delivered {} boxes", months, count);
                }
            }
        }
    }
}
