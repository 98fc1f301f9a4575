//! Kappa: the logs that feed the live read models also rebuild them. These properties drive a
//! random small business (orders to a few states, paid by a few payers, ending in every way;
//! books restocked) whose producers' messages reach reporting interleaved in any order, some of
//! them twice (redelivered under the same id, or republished under a new one), and check that:
//!
//! - the live context (through the harness: inbox, unit of work, event store) and
//!   [`ReadModels::apply`] (pure, in memory) record the same number of events after every
//!   message, and answer every query identically, midway and at the end: a rebuild up to any
//!   point is the live model as of that point;
//! - applying every message again changes nothing (no inbox is needed for a rebuild);
//! - once every message arrived, the answers are what the business did, whatever the order of
//!   arrival, and revenue over all states equals lifetime value over all payers.

mod support;

use std::collections::BTreeMap;

use kernel::context::{Answers, QueryError};
use kernel::ids::SequentialIds;
use kernel::message::{Envelope, MessageId};
use kernel::testing::{ContextHarness, Delivery};
use kernel::EventStore;
use proptest::prelude::*;
use reporting::ports::queries::{CustomerLifetimeValue, CustomersOver, OrdersByEndState, SalesByState, StockByBook};
use reporting::ports::{
    Applied, BookStockView, CustomerValueView, CustomersOverView, MoneyView, MonthOutcomesView, OutcomeCountsView,
    OutcomesView, ReadModelQuery, ReadModels, SalesByStateView, SalesView, StockView,
};
use reporting::ReportingContext;

use support::{
    book_availability, box_order, capture, order_end, order_ended, order_state, payment_captured, refund, stock,
};

const STATES: [&str; 3] = ["TX", "IL", "CA"];
const MONTHS: [&str; 3] = ["2026-01", "2026-02", "2026-03"];
const PAYERS: [&str; 3] = [
    "c0ffee00-1234-4abc-9def-001122334455",
    "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
    "f00dface-0000-4abc-8def-000000000001",
];
const BOOKS: [&str; 3] = ["9780306406157", "9780804429573", "9791090636071"];
const WAREHOUSES: [&str; 3] = ["dallas", "chicago", "reno"];

/// How an order of the generated business goes.
#[derive(Debug, Clone, Copy)]
enum Course {
    /// Still under way; maybe charged.
    Open {
        charged: bool,
    },
    Delivered,
    /// Cancelled before or after the charge (then refunded in full).
    Cancelled {
        charged: bool,
    },
    /// Never charged.
    Failed,
    /// Charged, shipped, refunded: in one refund or two.
    Refunded {
        in_two: bool,
    },
}

#[derive(Debug, Clone)]
struct Order {
    id: String,
    payer: &'static str,
    month: &'static str,
    state: &'static str,
    amount: u64,
    course: Course,
}

impl Order {
    fn charged(&self) -> bool {
        !matches!(self.course, Course::Open { charged: false } | Course::Cancelled { charged: false } | Course::Failed)
    }

    /// Billing's running refund totals, in order.
    fn refund_totals(&self) -> Vec<u64> {
        match self.course {
            Course::Cancelled { charged: true } | Course::Refunded { in_two: false } => vec![self.amount],
            Course::Refunded { in_two: true } => vec![self.amount / 3, self.amount],
            _ => vec![],
        }
    }

    fn refunded(&self) -> u64 {
        self.refund_totals().last().copied().unwrap_or(0)
    }

    fn captured(&self) -> u64 {
        if self.charged() {
            self.amount
        } else {
            0
        }
    }

    fn end_state(&self) -> Option<&'static str> {
        match self.course {
            Course::Open { .. } => None,
            Course::Delivered => Some("delivered"),
            Course::Cancelled { .. } => Some("cancelled"),
            Course::Failed => Some("failed"),
            Course::Refunded { .. } => Some("refunded"),
        }
    }

    /// What orders publishes about it, in its order: states as they change, and its end.
    fn orders_messages(&self, ids: &SequentialIds) -> Vec<Envelope> {
        let state = |status: &str, captured: u64, refunded: u64| {
            box_order(ids, &order_state(&self.id, self.payer, self.month, self.state, status, captured, refunded))
        };
        let mut messages = vec![state("placed", 0, 0)];
        if self.charged() {
            messages.push(state("charged", self.amount, 0));
        }
        if let Some(end_state) = self.end_state() {
            messages.push(state(end_state, self.captured(), self.refunded()));
            let end =
                order_end(&self.id, self.payer, self.month, self.state, end_state, self.captured(), self.refunded());
            messages.push(order_ended(ids, &end));
        }
        messages
    }

    /// What billing publishes about it, in its order.
    fn billing_messages(&self, ids: &SequentialIds) -> Vec<Envelope> {
        let mut messages = Vec::new();
        if self.charged() {
            messages.push(payment_captured(ids, &capture(&self.id, self.payer, self.amount)));
        }
        let mut before = 0;
        for total in self.refund_totals() {
            messages.push(support::payment_refunded(ids, &refund(&self.id, total - before, total)));
            before = total;
        }
        messages
    }
}

/// One state of a book, as inventory publishes it.
#[derive(Debug, Clone)]
struct Restock {
    book: usize,
    by_warehouse: Vec<u64>,
    unavailable: bool,
}

fn course() -> impl Strategy<Value = Course> {
    prop_oneof![
        any::<bool>().prop_map(|charged| Course::Open { charged }),
        Just(Course::Delivered),
        any::<bool>().prop_map(|charged| Course::Cancelled { charged }),
        Just(Course::Failed),
        any::<bool>().prop_map(|in_two| Course::Refunded { in_two }),
    ]
}

fn orders() -> impl Strategy<Value = Vec<Order>> {
    let order = (0usize..3, 0usize..3, 0usize..3, 100u64..5_000, course());
    proptest::collection::vec(order, 0..8).prop_map(|orders| {
        orders
            .into_iter()
            .enumerate()
            .map(|(n, (payer, month, state, amount, course))| Order {
                id: format!("00000000-0000-4000-8000-{n:012}"),
                payer: PAYERS[payer],
                month: MONTHS[month],
                state: STATES[state],
                amount,
                course,
            })
            .collect()
    })
}

fn restocks() -> impl Strategy<Value = Vec<Restock>> {
    let restock = (0usize..3, proptest::collection::vec(0u64..20, 2..=3), any::<bool>())
        .prop_map(|(book, by_warehouse, unavailable)| Restock { book, by_warehouse, unavailable });
    proptest::collection::vec(restock, 0..6)
}

/// A business, and the order its messages reach reporting in.
#[derive(Debug, Clone)]
struct Scenario {
    orders: Vec<Order>,
    restocks: Vec<Restock>,
    /// A sort key per message, and which messages come again (and how).
    shuffle: Vec<(u32, Again)>,
    /// Where to compare the live and the rebuilt models midway.
    cut: usize,
}

#[derive(Debug, Clone, Copy)]
enum Again {
    Once,
    /// Redelivered: the same envelope, the same id.
    Redelivered,
    /// Republished: the same data under a new id.
    Republished,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let again = prop_oneof![6 => Just(Again::Once), 1 => Just(Again::Redelivered), 1 => Just(Again::Republished)];
    (orders(), restocks(), proptest::collection::vec((any::<u32>(), again), 64), any::<prop::sample::Index>())
        .prop_map(|(orders, restocks, shuffle, cut)| Scenario { orders, restocks, shuffle, cut: cut.index(1 << 16) })
}

impl Scenario {
    /// Every message the producers publish, interleaved and repeated as the scenario says.
    fn messages(&self) -> Vec<Envelope> {
        let ids = SequentialIds::new(7);
        let mut published: Vec<Envelope> = Vec::new();
        for order in &self.orders {
            published.extend(order.orders_messages(&ids));
            published.extend(order.billing_messages(&ids));
        }
        let mut versions = [0u64; BOOKS.len()];
        for restock in &self.restocks {
            versions[restock.book] += 1;
            published.push(book_availability(&ids, &restock_data(restock, versions[restock.book])));
        }
        let mut arriving = Vec::new();
        for (n, message) in published.into_iter().enumerate() {
            let (key, again) = self.shuffle[n % self.shuffle.len()];
            let key = key.wrapping_add(n as u32);
            match again {
                Again::Once => {}
                Again::Redelivered => arriving.push((key.wrapping_mul(3), message.clone())),
                Again::Republished => {
                    let mut republished = message.clone();
                    republished.id = MessageId::generate(&ids);
                    arriving.push((key.wrapping_mul(5), republished));
                }
            }
            arriving.push((key, message));
        }
        arriving.sort_by_key(|(key, _)| *key);
        arriving.into_iter().map(|(_, message)| message).collect()
    }

    /// What reporting must answer once every message arrived: the business as it happened.
    fn expected(&self) -> Vec<Expected> {
        let mut states: BTreeMap<&str, SalesView> = BTreeMap::new();
        let mut payers: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
        let mut months: BTreeMap<&str, OutcomeCountsView> = BTreeMap::new();
        for order in &self.orders {
            let row = states.entry(order.state).or_default();
            row.orders += 1;
            if let Some(end_state) = order.end_state() {
                row.ended += 1;
                row.captured.amount_cents += order.captured() as i64;
                row.refunded.amount_cents += order.refunded() as i64;
                row.revenue.amount_cents += order.captured() as i64 - order.refunded() as i64;
                let month = months.entry(order.month).or_default();
                match end_state {
                    "delivered" => month.delivered += 1,
                    "cancelled" => month.cancelled += 1,
                    "failed" => month.failed += 1,
                    _ => month.refunded += 1,
                }
                month.total += 1;
            } else {
                row.open += 1;
            }
            if order.charged() {
                let payer = payers.entry(order.payer).or_default();
                *payer = (payer.0 + 1, payer.1 + order.captured(), payer.2 + order.refunded());
            }
        }
        let mut expected = Vec::new();
        for state in STATES {
            let row = states.get(state).copied().unwrap_or_default();
            expected.push(Expected::SalesByState(sales_query(Some(state)), sales_answer(&[(state, row)])));
        }
        let seen: Vec<(&str, SalesView)> = states.into_iter().collect();
        expected.push(Expected::SalesByState(sales_query(None), sales_answer(&seen)));

        let value = |payer: &str, (orders, captured, refunded): (u64, u64, u64)| CustomerValueView {
            customer_id: payer.to_owned(),
            orders,
            captured: MoneyView::usd(captured as i64),
            refunded: MoneyView::usd(refunded as i64),
            lifetime_value: MoneyView::usd(captured as i64 - refunded as i64),
        };
        for payer in PAYERS {
            let query = CustomerLifetimeValue { customer_id: payer.into() };
            expected.push(Expected::CustomerLifetimeValue(
                query,
                value(payer, payers.get(payer).copied().unwrap_or_default()),
            ));
        }
        for threshold in [0, 2_000] {
            let mut over: Vec<CustomerValueView> = payers
                .iter()
                .map(|(payer, totals)| value(payer, *totals))
                .filter(|v| v.lifetime_value.amount_cents > threshold)
                .collect();
            over.sort_by(|a, b| {
                b.lifetime_value
                    .amount_cents
                    .cmp(&a.lifetime_value.amount_cents)
                    .then(a.customer_id.cmp(&b.customer_id))
            });
            let answer =
                CustomersOverView { over: MoneyView::usd(threshold), matching: over.len() as u64, customers: over };
            expected.push(Expected::CustomersOver(customers_over(threshold as u64), answer));
        }

        let month_rows: Vec<MonthOutcomesView> =
            months.into_iter().map(|(month, counts)| MonthOutcomesView { month: month.into(), counts }).collect();
        expected.push(Expected::OrdersByEndState(OrdersByEndState { month: None }, outcomes_answer(month_rows)));

        let mut latest: BTreeMap<usize, (&Restock, u64)> = BTreeMap::new();
        let mut versions = [0u64; BOOKS.len()];
        for restock in &self.restocks {
            versions[restock.book] += 1;
            latest.insert(restock.book, (restock, versions[restock.book]));
        }
        let books = latest.values().map(|(restock, version)| book_view(restock, *version)).collect();
        expected.push(Expected::StockByBook(StockByBook { isbn: None }, StockView { books }));
        expected
    }
}

fn restock_data(restock: &Restock, version: u64) -> String {
    let by_warehouse: Vec<(&str, u64)> = WAREHOUSES.iter().copied().zip(restock.by_warehouse.iter().copied()).collect();
    stock(BOOKS[restock.book], &by_warehouse, restock.unavailable, version)
}

fn book_view(restock: &Restock, version: u64) -> BookStockView {
    let by_warehouse: BTreeMap<String, u64> =
        WAREHOUSES.iter().map(|w| w.to_string()).zip(restock.by_warehouse.iter().copied()).collect();
    BookStockView {
        isbn: BOOKS[restock.book].into(),
        title: "The Hound of the Baskervilles".into(),
        available: if restock.unavailable { 0 } else { by_warehouse.values().sum() },
        by_warehouse,
        unavailable: restock.unavailable,
        version,
    }
}

fn sales_query(state: Option<&str>) -> SalesByState {
    SalesByState { state: state.map(str::to_owned) }
}

fn sales_answer(rows: &[(&str, SalesView)]) -> SalesByStateView {
    let mut total = SalesView::default();
    for (_, row) in rows {
        total.orders += row.orders;
        total.open += row.open;
        total.ended += row.ended;
        total.captured.amount_cents += row.captured.amount_cents;
        total.refunded.amount_cents += row.refunded.amount_cents;
        total.revenue.amount_cents += row.revenue.amount_cents;
    }
    let states = rows
        .iter()
        .map(|(state, sales)| reporting::ports::StateSalesView { state: state.to_string(), sales: *sales })
        .collect();
    SalesByStateView { states, total }
}

fn outcomes_answer(months: Vec<MonthOutcomesView>) -> OutcomesView {
    let mut total = OutcomeCountsView::default();
    for month in &months {
        total.delivered += month.counts.delivered;
        total.cancelled += month.counts.cancelled;
        total.failed += month.counts.failed;
        total.refunded += month.counts.refunded;
        total.total += month.counts.total;
    }
    OutcomesView { months, total }
}

fn customers_over(amount_cents: u64) -> CustomersOver {
    CustomersOver { amount_cents, limit: None }
}

/// One of reporting's questions, so that one list holds every kind: each kind is its own type,
/// answered with its own type.
#[derive(Debug, Clone)]
enum Question {
    SalesByState(SalesByState),
    CustomersOver(CustomersOver),
    CustomerLifetimeValue(CustomerLifetimeValue),
    StockByBook(StockByBook),
    OrdersByEndState(OrdersByEndState),
}

/// A question and the answer it must get.
#[derive(Debug, Clone)]
enum Expected {
    SalesByState(SalesByState, SalesByStateView),
    CustomersOver(CustomersOver, CustomersOverView),
    CustomerLifetimeValue(CustomerLifetimeValue, CustomerValueView),
    StockByBook(StockByBook, StockView),
    OrdersByEndState(OrdersByEndState, OutcomesView),
}

/// What answers reporting's queries: the live context, or read models in memory. (The
/// `where` is what the harness asks of a query's context; every reporting query meets it.)
trait Answerer {
    fn ask<Q: ReadModelQuery>(&self, query: Q) -> Result<Q::Answer, QueryError>
    where
        ReportingContext: Answers<Q>;
}

impl Answerer for ContextHarness<ReportingContext> {
    fn ask<Q: ReadModelQuery>(&self, query: Q) -> Result<Q::Answer, QueryError>
    where
        ReportingContext: Answers<Q>,
    {
        self.query(query)
    }
}

impl Answerer for ReadModels {
    fn ask<Q: ReadModelQuery>(&self, query: Q) -> Result<Q::Answer, QueryError>
    where
        ReportingContext: Answers<Q>,
    {
        self.answer(query)
    }
}

impl Question {
    /// Checks that `one` and `other` answer this question identically.
    fn answered_alike(&self, one: &impl Answerer, other: &impl Answerer) -> Result<(), TestCaseError> {
        fn alike<Q: ReadModelQuery>(one: &impl Answerer, other: &impl Answerer, query: &Q) -> Result<(), TestCaseError>
        where
            ReportingContext: Answers<Q>,
        {
            prop_assert_eq!(one.ask(query.clone()), other.ask(query.clone()), "{:?}", query);
            Ok(())
        }
        match self {
            Self::SalesByState(query) => alike(one, other, query),
            Self::CustomersOver(query) => alike(one, other, query),
            Self::CustomerLifetimeValue(query) => alike(one, other, query),
            Self::StockByBook(query) => alike(one, other, query),
            Self::OrdersByEndState(query) => alike(one, other, query),
        }
    }
}

impl Expected {
    /// Checks that `models` answer the question as expected.
    fn answered_by(self, models: &ReadModels) -> Result<(), TestCaseError> {
        fn answered<Q: ReadModelQuery>(models: &ReadModels, query: Q, answer: Q::Answer) -> Result<(), TestCaseError> {
            prop_assert_eq!(models.answer(query.clone()), Ok(answer), "{:?}", query);
            Ok(())
        }
        match self {
            Self::SalesByState(query, answer) => answered(models, query, answer),
            Self::CustomersOver(query, answer) => answered(models, query, answer),
            Self::CustomerLifetimeValue(query, answer) => answered(models, query, answer),
            Self::StockByBook(query, answer) => answered(models, query, answer),
            Self::OrdersByEndState(query, answer) => answered(models, query, answer),
        }
    }
}

/// Every question worth comparing the live and the rebuilt models on.
fn questions() -> Vec<Question> {
    let mut questions = vec![
        Question::SalesByState(sales_query(None)),
        Question::CustomersOver(customers_over(0)),
        Question::CustomersOver(customers_over(2_000)),
        Question::StockByBook(StockByBook { isbn: None }),
        Question::OrdersByEndState(OrdersByEndState { month: None }),
    ];
    questions.extend(STATES.iter().map(|s| Question::SalesByState(sales_query(Some(s)))));
    questions.extend(
        PAYERS.iter().map(|p| Question::CustomerLifetimeValue(CustomerLifetimeValue { customer_id: (*p).into() })),
    );
    questions.extend(BOOKS.iter().map(|b| Question::StockByBook(StockByBook { isbn: Some((*b).into()) })));
    questions.extend(MONTHS.iter().map(|m| Question::OrdersByEndState(OrdersByEndState { month: Some((*m).into()) })));
    questions
}

fn same_answers(live: &ContextHarness<ReportingContext>, rebuilt: &ReadModels) -> Result<(), TestCaseError> {
    for question in questions() {
        question.answered_alike(live, rebuilt)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn the_live_and_the_rebuilt_read_models_are_the_same_after_every_message(scenario in scenario()) {
        let messages = scenario.messages();
        let live = ContextHarness::new(ReportingContext);
        let mut rebuilt = ReadModels::new();
        let cut = scenario.cut % (messages.len() + 1);
        for (n, message) in messages.iter().enumerate() {
            if n == cut {
                same_answers(&live, &rebuilt)?;
            }
            let delivery = live.deliver(message).expect("every generated message reads");
            let applied = rebuilt.apply(message).expect("every generated message reads");
            let live_events = live.store.last_position().unwrap().get();
            prop_assert_eq!(live_events, rebuilt.events_recorded(), "events recorded after {}", message.message_type);
            if delivery == Delivery::Duplicate {
                prop_assert_eq!(applied, Applied::Unchanged, "the inbox stopped it; its content must record nothing");
            }
        }
        same_answers(&live, &rebuilt)?;
    }

    #[test]
    fn once_every_message_arrived_the_answers_are_what_the_business_did(scenario in scenario()) {
        let messages = scenario.messages();
        let mut rebuilt = ReadModels::new();
        for message in &messages {
            rebuilt.apply(message).expect("every generated message reads");
        }
        for expected in scenario.expected() {
            expected.answered_by(&rebuilt)?;
        }

        // Applying every message again, in any order, changes nothing.
        let settled = rebuilt.clone();
        for message in messages.iter().rev() {
            prop_assert_ne!(rebuilt.apply(message).unwrap(), Applied::Recorded);
        }
        prop_assert_eq!(&rebuilt, &settled);

        // Once every order ended, revenue over the states is lifetime value over the payers.
        if scenario.orders.iter().all(|o| o.end_state().is_some()) {
            let sales = rebuilt.answer(sales_query(None)).expect("every state is a question");
            let payers = rebuilt.answer(customers_over(0)).expect("the default limit is the most one answer lists");
            let lifetime: i64 = payers.customers.iter().map(|c| c.lifetime_value.amount_cents).sum();
            prop_assert_eq!(sales.total.revenue.amount_cents, lifetime);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// A rebuild split by `ReadMessage::part` (as `bookbox replay` does, a part per core),
    /// each part applied in log order on its own and the parts combined in any order, is the
    /// rebuild of the whole log in order: the same models, the same events, the same answers.
    #[test]
    fn a_rebuild_split_into_parts_and_combined_is_the_rebuild_in_order(
        scenario in scenario(),
        parts in 1usize..5,
        reversed in any::<bool>(),
    ) {
        let messages = scenario.messages();
        let mut whole = ReadModels::new();
        let mut split = vec![ReadModels::new(); parts];
        for message in &messages {
            whole.apply(message).expect("every generated message reads");
            let read = ReadModels::read(message).expect("reads").expect("reporting consumes it");
            split[read.part(parts)].apply_read(&read).expect("applies");
        }
        if reversed {
            split.reverse();
        }
        let mut combined = ReadModels::new();
        for part in split {
            combined.combine(part).expect("parts split by home never overlap");
        }
        prop_assert_eq!(combined.events_recorded(), whole.events_recorded());
        for question in questions() {
            question.answered_alike(&combined, &whole)?;
        }
        prop_assert_eq!(&combined, &whole);
    }
}

#[test]
fn parts_that_share_an_order_are_refused() {
    let ids = SequentialIds::new(5);
    let placed = box_order(&ids, support::BOX_ORDER_PLACED);
    let (mut one, mut other) = (ReadModels::new(), ReadModels::new());
    one.apply(&placed).unwrap();
    other.apply(&placed).unwrap();
    let overlap = one.combine(other).unwrap_err();
    assert_eq!(overlap.kind, "order");
    assert!(overlap.to_string().contains("not split by their home"), "{overlap}");
}

#[test]
fn messages_reporting_does_not_consume_are_skipped_and_broken_ones_change_nothing() {
    let ids = SequentialIds::new(1);
    let mut models = ReadModels::new();
    let other = kernel::testing::incoming(
        &ids,
        "shipping",
        "shipment-delivered",
        1,
        kernel::MessageKind::DomainEvent,
        "x",
        "{}",
    );
    assert_eq!(models.apply(&other), Ok(Applied::NotConsumed));
    assert!(!ReadModels::consumes("bookbox.shipping.shipment-delivered.v1"));
    assert!(ReadModels::consumes("bookbox.orders.order-ended.v1"));
    let broken = box_order(&ids, r#"{"order_id":"00000000-0000-4000-8000-000000000000","ended":false}"#);
    assert!(matches!(models.apply(&broken), Err(kernel::context::MessageError::Decode(_))));
    assert_eq!(models, ReadModels::new());
    let placed = box_order(&ids, support::BOX_ORDER_PLACED);
    assert_eq!(models.apply(&placed), Ok(Applied::Recorded));
    assert_eq!(models.apply(&placed), Ok(Applied::Unchanged));
}

#[test]
fn a_rebuild_up_to_a_time_is_the_model_as_of_that_time() {
    // The producers' logs, each message stamped with when it was published.
    let ids = SequentialIds::new(3);
    let order = "00000000-0000-4000-8000-000000000001";
    let payer = PAYERS[0];
    let mut log = [
        box_order(&ids, &order_state(order, payer, "2026-01", "TX", "placed", 0, 0)),
        payment_captured(&ids, &capture(order, payer, 2999)),
        box_order(&ids, &order_state(order, payer, "2026-01", "TX", "delivered", 2999, 0)),
        order_ended(&ids, &order_end(order, payer, "2026-01", "TX", "delivered", 2999, 0)),
    ];
    for (day, message) in log.iter_mut().enumerate() {
        message.time = kernel::Timestamp::parse("2026-01-01T00:00:00Z").unwrap().plus_days(day as i64);
    }
    let as_of = |day: i64| {
        let until = kernel::Timestamp::parse("2026-01-01T00:00:00Z").unwrap().plus_days(day);
        let mut models = ReadModels::new();
        for message in log.iter().filter(|m| m.time <= until) {
            models.apply(message).unwrap();
        }
        let view = models.answer(sales_query(Some("TX"))).expect("TX is a state code");
        (view.total.orders, view.total.ended, view.total.revenue.amount_cents)
    };
    assert_eq!(as_of(0), (1, 0, 0), "placed, not ended: no revenue yet");
    assert_eq!(as_of(1), (1, 0, 0), "captured, not ended: still no revenue");
    assert_eq!(as_of(2), (1, 1, 2999), "ended: revenue recognized");
    assert_eq!(as_of(3), (1, 1, 2999), "order-ended repeats it");
}
