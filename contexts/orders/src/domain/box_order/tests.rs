//! The box order, one transition at a time (given these events, when this input, then these
//! events), and then as a whole: random sequences of answers, deadlines, cancellations and
//! combination steps, with its invariants checked after every step and every sequence driven
//! to its end by deadlines alone; and against a reference model of its process
//! ([`state_machine`]).

mod state_machine;

use kernel::ids::SequentialIds;
use kernel::testing::{check_aggregate, given, run_commands};
use kernel::{Aggregate, Env, Timestamp};
use proptest::prelude::*;

use super::commands::{Answer, BoxOrderCommand as C, BoxOrderError, CancelRefusal};
use super::events::BoxOrderEvent as E;
use super::patience::{Attempt, Step};
use super::shipment::{ShipmentPart, ShipmentRequest};
use super::{BoxOrder, EndState, Holding, Order, Stage, Status, Terms};
use crate::domain::address::tests::address;
use crate::domain::book::tests::{book, two_books};
use crate::domain::book::Books;
use crate::domain::ids::tests::{customer, order, payment, shipment};
use crate::domain::ids::{BoxId, OrderId, RefundId, ShipmentId, SubscriptionId};
use crate::domain::money::Money;
use crate::domain::month::Month;
use crate::domain::text::{Label, Reason};
use crate::domain::warehouse::Warehouse::{self, Chicago, Dallas};

const PRICE: Money = Money::usd(2999);
const HOUR: i64 = 3_600_000_000;

fn at(hours: i64) -> Timestamp {
    Timestamp::parse("2026-03-01T00:00:00Z").unwrap().plus_micros(hours * HOUR)
}

fn reason(text: &str) -> Reason {
    Reason::parse(text).unwrap()
}

fn label(text: &str) -> Label {
    Label::parse(text).unwrap()
}

/// A box for order 1, going to Illinois: Chicago is tried first.
fn terms() -> Terms {
    Terms {
        box_id: BoxId::from_uuid(uuid::Uuid::from_u128(0xb0c5)),
        subscription_id: SubscriptionId::from_uuid(uuid::Uuid::from_u128(0x5ab5)),
        customer_id: customer(1),
        payer_id: customer(2),
        month: Month::parse("2026-03").unwrap(),
        amount: PRICE,
        books: two_books(),
        address: address("12 Elm Street", "IL"),
    }
}

fn me() -> OrderId {
    order(1)
}

fn own_shipment() -> ShipmentId {
    ShipmentId::of_single_order(me())
}

fn own_part() -> ShipmentPart {
    ShipmentPart { order_id: me(), warehouse: Chicago, address: terms().address, books: two_books(), value: PRICE }
}

/// Order 2: the partner of a combined shipment, to the same door, held in Chicago.
fn partner_part() -> ShipmentPart {
    ShipmentPart {
        order_id: order(2),
        warehouse: Chicago,
        address: address("12 elm street", "IL"),
        books: Books::new(vec![book("9791090636071", "Le Petit Prince")]).unwrap(),
        value: Money::usd(1499),
    }
}

fn parcel(parts: &[&ShipmentPart], shipment_id: ShipmentId) -> ShipmentRequest {
    ShipmentRequest::of_parts(shipment_id, parts).unwrap()
}

fn answer(answer: Answer) -> C {
    C::HandleAnswer { answer }
}

fn timeout(step: Step, attempt: u8) -> C {
    C::HandleTimeout { step, attempt: Attempt::new(attempt) }
}

fn reservation_requested(warehouse: Warehouse, attempt: u8, hour: i64) -> E {
    E::StockReservationRequested { warehouse, attempt: Attempt::new(attempt), until: at(hour + 1) }
}

fn payment_requested(attempt: u8, hour: i64) -> E {
    E::PaymentRequested { amount: PRICE, attempt: Attempt::new(attempt), until: at(hour + 96) }
}

fn shipment_requested(request: ShipmentRequest, attempt: u8, hour: i64) -> E {
    E::ShipmentRequested { request, attempt: Attempt::new(attempt), until: at(hour + 48) }
}

/// The id a decision draws first (the fixture's ids are deterministic).
fn first_refund_id() -> RefundId {
    RefundId::generate(&SequentialIds::new(0))
}

fn refund_requested(amount: Money, why: &str, hour: i64) -> E {
    E::RefundRequested { refund_id: first_refund_id(), amount, reason: reason(why), until: Some(at(hour + 48)) }
}

fn refund_repeated(attempt: u8, hour: i64) -> E {
    E::RefundRequestRepeated { attempt: Attempt::new(attempt), until: at(hour + 48) }
}

fn ended(end_state: EndState, why: Option<&str>) -> E {
    E::Ended { end_state, reason: why.map(reason) }
}

// The story so far, stage by stage (each step an hour after the last).

fn placed() -> Vec<E> {
    vec![E::Placed { order_id: me(), terms: terms() }, reservation_requested(Chicago, 1, 0)]
}

fn reserved() -> Vec<E> {
    let mut events = placed();
    events.extend([E::StockReserved { warehouse: Chicago }, payment_requested(1, 1)]);
    events
}

fn shipping() -> Vec<E> {
    let mut events = reserved();
    events.extend([
        E::PaymentCaptured { payment_id: payment(1), amount: PRICE },
        shipment_requested(parcel(&[&own_part()], own_shipment()), 1, 2),
    ]);
    events
}

fn in_transit() -> Vec<E> {
    let mut events = shipping();
    events.extend([
        E::ShipmentDispatched { carrier: label("UPS"), tracking_number: label("1Z999"), until: at(3 + 21 * 24) },
        E::StockShipmentRequested,
    ]);
    events
}

fn combined() -> Vec<E> {
    let mut events = reserved();
    events.push(E::CombinedForShipment { partner: order(2), shipment_id: shipment(9) });
    events
}

fn with(mut events: Vec<E>, more: impl IntoIterator<Item = E>) -> Vec<E> {
    events.extend(more);
    events
}

/// One event of each type, for the corpus of stored payloads.
pub(crate) fn one_of_each() -> Vec<E> {
    let why = reason("the parcel came back after the carrier's last delivery attempt");
    let both = parcel(&[&own_part(), &partner_part()], shipment(9));
    let mut events = in_transit();
    events.extend([
        E::StockReservationRejected { warehouse: Dallas, reason: reason("insufficient-stock (9780804429573)") },
        E::PaymentFailed { reason: reason("card declined") },
        E::PaymentOutcomeAwaited { attempt: Attempt::FIRST, until: at(97) },
        E::CombinedForShipment { partner: order(2), shipment_id: shipment(9) },
        E::ShipmentJoined { request: both, until: at(51) },
        E::ShipmentDelivered,
        E::ShipmentReturned,
        E::ShipmentDamaged { insurance_claim: PRICE },
        E::AnswerOverdue { step: Step::Refund, attempt: Attempt::UNASKED },
        E::OutcomeDecided { outcome: EndState::Refunded, reason: why.clone() },
        E::ReservationReleaseRequested,
        E::ReservationReleased { warehouse: Chicago },
        E::ReservedStockShipped { warehouse: Chicago },
        E::RefundExpected { amount: PRICE, until: at(148) },
        refund_requested(PRICE, why.as_str(), 148),
        refund_repeated(2, 196),
        E::PaymentRefunded { refunded_total: PRICE },
        ended(EndState::Refunded, Some(why.as_str())),
    ]);
    events
}

#[test]
fn a_placed_order_asks_the_warehouse_nearest_the_address() {
    given::<BoxOrder>([]).at(at(0)).when(C::Place { order_id: me(), terms: terms() }).then(placed());
    let texas = Terms { address: address("1 Main St", "TX"), ..terms() };
    given::<BoxOrder>([])
        .at(at(0))
        .when(C::Place { order_id: me(), terms: texas.clone() })
        .then([E::Placed { order_id: me(), terms: texas }, reservation_requested(Dallas, 1, 0)]);
    given::<BoxOrder>(placed())
        .when(C::Place { order_id: me(), terms: terms() })
        .then_rejected(BoxOrderError::AlreadyPlaced);
    given::<BoxOrder>([]).when(C::Cancel { reason: reason("x") }).then_rejected(BoxOrderError::NotPlaced);
}

#[test]
fn reserved_books_are_charged_at_the_plans_monthly_price() {
    let order = given::<BoxOrder>(placed())
        .at(at(1))
        .when(answer(Answer::StockReserved { warehouse: Chicago }))
        .then([E::StockReserved { warehouse: Chicago }, payment_requested(1, 1)]);
    assert_eq!(order.placed().unwrap().status(), Status::Reserved);
}

#[test]
fn a_rejected_reservation_tries_the_other_warehouse_then_fails_holding_nothing() {
    let rejected = |w| answer(Answer::StockReservationRejected { warehouse: w, reason: reason("insufficient-stock") });
    given::<BoxOrder>(placed()).at(at(1)).when(rejected(Chicago)).then([
        E::StockReservationRejected { warehouse: Chicago, reason: reason("insufficient-stock") },
        reservation_requested(Dallas, 1, 1),
    ]);
    let both = with(
        placed(),
        [
            E::StockReservationRejected { warehouse: Chicago, reason: reason("insufficient-stock") },
            reservation_requested(Dallas, 1, 1),
        ],
    );
    let why = "no warehouse could serve the box (chicago: insufficient-stock; dallas: insufficient-stock)";
    given::<BoxOrder>(both.clone()).at(at(2)).when(rejected(Dallas)).then([
        E::StockReservationRejected { warehouse: Dallas, reason: reason("insufficient-stock") },
        E::OutcomeDecided { outcome: EndState::Failed, reason: reason(why) },
        ended(EndState::Failed, Some(why)),
    ]);
    // A rejection from the warehouse the order no longer waits for changes nothing.
    given::<BoxOrder>(both).at(at(2)).when(rejected(Chicago)).then([]);
}

#[test]
fn a_rejection_does_not_move_the_order_while_a_later_request_may_still_reserve() {
    // The first request timed out and was asked again; the first's rejection comes: the
    // second may still succeed, so the order waits for its answer before trying Dallas.
    let retried = with(placed(), [reservation_requested(Chicago, 2, 1)]);
    let rejected = E::StockReservationRejected { warehouse: Chicago, reason: reason("insufficient-stock") };
    let waiting = given::<BoxOrder>(retried.clone())
        .at(at(1))
        .when(answer(Answer::StockReservationRejected { warehouse: Chicago, reason: reason("insufficient-stock") }))
        .then([rejected.clone()]);
    assert_eq!(waiting.placed().unwrap().wait().map(|w| w.attempt), Some(Attempt::new(2)));
    given::<BoxOrder>(with(retried.clone(), [rejected.clone()]))
        .at(at(2))
        .when(answer(Answer::StockReserved { warehouse: Chicago }))
        .then([E::StockReserved { warehouse: Chicago }, payment_requested(1, 2)]);
    given::<BoxOrder>(with(retried, [rejected.clone()]))
        .at(at(2))
        .when(answer(Answer::StockReservationRejected { warehouse: Chicago, reason: reason("insufficient-stock") }))
        .then([rejected, reservation_requested(Dallas, 1, 2)]);
}

#[test]
fn an_unanswered_reservation_is_asked_again_then_released_and_failed() {
    given::<BoxOrder>(placed()).at(at(1)).when(timeout(Step::Reservation, 1)).then([
        E::AnswerOverdue { step: Step::Reservation, attempt: Attempt::new(1) },
        reservation_requested(Chicago, 2, 1),
    ]);
    let twice = with(placed(), [reservation_requested(Chicago, 2, 1), reservation_requested(Chicago, 3, 2)]);
    let why = "inventory did not answer 3 reservation request(s) in time";
    given::<BoxOrder>(twice.clone()).at(at(3)).when(timeout(Step::Reservation, 3)).then([
        E::AnswerOverdue { step: Step::Reservation, attempt: Attempt::new(3) },
        E::OutcomeDecided { outcome: EndState::Failed, reason: reason(why) },
        E::ReservationReleaseRequested,
        ended(EndState::Failed, Some(why)),
    ]);
    // Too early, or a deadline of an attempt the order is past: nothing.
    given::<BoxOrder>(twice.clone()).at(at(2)).when(timeout(Step::Reservation, 3)).then([]);
    given::<BoxOrder>(twice).at(at(9)).when(timeout(Step::Reservation, 1)).then([]);
}

#[test]
fn a_captured_payment_requests_the_shipment_of_the_order_alone() {
    let order = given::<BoxOrder>(reserved())
        .at(at(2))
        .when(answer(Answer::PaymentCaptured { payment_id: payment(1), amount: PRICE }))
        .then([
            E::PaymentCaptured { payment_id: payment(1), amount: PRICE },
            shipment_requested(parcel(&[&own_part()], own_shipment()), 1, 2),
        ]);
    assert_eq!(order.placed().unwrap().status(), Status::Shipping);
    assert_eq!(order.placed().unwrap().shipment_id(), Some(own_shipment()));
}

#[test]
fn a_failed_payment_releases_the_books_and_fails_the_order() {
    let why = "the payment failed: card declined 3 times";
    given::<BoxOrder>(reserved())
        .at(at(2))
        .when(answer(Answer::PaymentFailed { reason: reason("card declined 3 times") }))
        .then([
            E::PaymentFailed { reason: reason("card declined 3 times") },
            E::OutcomeDecided { outcome: EndState::Failed, reason: reason(why) },
            E::ReservationReleaseRequested,
            ended(EndState::Failed, Some(why)),
        ]);
}

#[test]
fn an_unanswered_charge_is_asked_again_then_released_and_failed() {
    given::<BoxOrder>(reserved())
        .at(at(97))
        .when(timeout(Step::Payment, 1))
        .then([E::AnswerOverdue { step: Step::Payment, attempt: Attempt::new(1) }, payment_requested(2, 97)]);
    let third = with(reserved(), [payment_requested(3, 200)]);
    let why = "billing did not answer 3 charge request(s) in time";
    given::<BoxOrder>(third).at(at(296)).when(timeout(Step::Payment, 3)).then([
        E::AnswerOverdue { step: Step::Payment, attempt: Attempt::new(3) },
        E::OutcomeDecided { outcome: EndState::Failed, reason: reason(why) },
        E::ReservationReleaseRequested,
        ended(EndState::Failed, Some(why)),
    ]);
}

#[test]
fn a_dispatched_parcel_ships_the_reservation_and_ends_delivered() {
    given::<BoxOrder>(shipping())
        .at(at(3))
        .when(answer(Answer::ShipmentDispatched {
            shipment_id: own_shipment(),
            carrier: label("UPS"),
            tracking_number: label("1Z999"),
        }))
        .then(in_transit().split_off(shipping().len()));
    let delivered = given::<BoxOrder>(in_transit())
        .when(answer(Answer::ShipmentDelivered { shipment_id: own_shipment() }))
        .then([E::ShipmentDelivered, ended(EndState::Delivered, None)]);
    assert!(delivered.placed().unwrap().is_ended());
    // News of another parcel is not about this order.
    given::<BoxOrder>(in_transit()).when(answer(Answer::ShipmentDelivered { shipment_id: shipment(7) })).then([]);
}

#[test]
fn delivery_news_that_overtakes_the_dispatch_still_ships_the_reservation() {
    given::<BoxOrder>(shipping()).when(answer(Answer::ShipmentDelivered { shipment_id: own_shipment() })).then([
        E::StockShipmentRequested,
        E::ShipmentDelivered,
        ended(EndState::Delivered, None),
    ]);
}

#[test]
fn a_returned_parcel_is_refunded_and_ends_refunded_once_billing_confirms() {
    let why = "the parcel came back after the carrier's last delivery attempt";
    given::<BoxOrder>(in_transit())
        .at(at(100))
        .when(answer(Answer::ShipmentReturned { shipment_id: own_shipment() }))
        .then([
            E::ShipmentReturned,
            E::OutcomeDecided { outcome: EndState::Refunded, reason: reason(why) },
            refund_requested(PRICE, why, 100),
        ]);
    let refunding = with(
        in_transit(),
        [
            E::ShipmentReturned,
            E::OutcomeDecided { outcome: EndState::Refunded, reason: reason(why) },
            refund_requested(PRICE, why, 100),
        ],
    );
    // Half a refund is not a refund.
    given::<BoxOrder>(refunding.clone())
        .when(answer(Answer::PaymentRefunded { refunded_total: Money::usd(1000) }))
        .then([E::PaymentRefunded { refunded_total: Money::usd(1000) }]);
    let order = given::<BoxOrder>(refunding)
        .when(answer(Answer::PaymentRefunded { refunded_total: PRICE }))
        .then([E::PaymentRefunded { refunded_total: PRICE }, ended(EndState::Refunded, Some(why))]);
    let order = order.placed().unwrap();
    assert_eq!((order.ledger().captured(), order.ledger().refunded()), (PRICE, PRICE));
}

#[test]
fn a_damaged_parcel_waits_for_billings_own_refund_and_asks_only_if_it_does_not_come() {
    let why = "the parcel was damaged in transit";
    let damaged = [
        E::ShipmentDamaged { insurance_claim: PRICE },
        E::OutcomeDecided { outcome: EndState::Refunded, reason: reason(why) },
        E::RefundExpected { amount: PRICE, until: at(148) },
    ];
    given::<BoxOrder>(in_transit())
        .at(at(100))
        .when(answer(Answer::ShipmentDamaged { shipment_id: own_shipment(), insurance_claim: PRICE }))
        .then(damaged.clone());
    given::<BoxOrder>(with(in_transit(), damaged.clone()))
        .when(answer(Answer::PaymentRefunded { refunded_total: PRICE }))
        .then([E::PaymentRefunded { refunded_total: PRICE }, ended(EndState::Refunded, Some(why))]);
    given::<BoxOrder>(with(in_transit(), damaged))
        .at(at(148))
        .when(timeout(Step::Refund, 0))
        .then([E::AnswerOverdue { step: Step::Refund, attempt: Attempt::UNASKED }, refund_requested(PRICE, why, 148)]);
}

#[test]
fn a_parcel_without_news_for_three_weeks_is_presumed_lost_and_refunded() {
    let why = "no news of the parcel in 21 days: presumed lost in transit";
    given::<BoxOrder>(in_transit()).at(at(3 + 21 * 24)).when(timeout(Step::Delivery, 1)).then([
        E::AnswerOverdue { step: Step::Delivery, attempt: Attempt::FIRST },
        E::OutcomeDecided { outcome: EndState::Refunded, reason: reason(why) },
        refund_requested(PRICE, why, 3 + 21 * 24),
    ]);
}

#[test]
fn an_unconfirmed_refund_is_asked_three_times_then_the_order_ends_saying_so() {
    let why = "the parcel came back after the carrier's last delivery attempt";
    let refunding = with(
        in_transit(),
        [E::OutcomeDecided { outcome: EndState::Refunded, reason: reason(why) }, refund_requested(PRICE, why, 100)],
    );
    given::<BoxOrder>(refunding.clone())
        .at(at(148))
        .when(timeout(Step::Refund, 1))
        .then([E::AnswerOverdue { step: Step::Refund, attempt: Attempt::FIRST }, refund_repeated(2, 148)]);
    let last = with(refunding, [refund_repeated(3, 200)]);
    let order = given::<BoxOrder>(last).at(at(248)).when(timeout(Step::Refund, 3)).then([
        E::AnswerOverdue { step: Step::Refund, attempt: Attempt::new(3) },
        ended(
            EndState::Refunded,
            Some(&format!("{why}; billing did not confirm the refund of 29.99 USD; an operator must check it")),
        ),
    ]);
    assert_eq!(order.placed().unwrap().ledger().refund_target(), PRICE, "a repeated request asks nothing new");
}

#[test]
fn cancelling_before_the_charge_releases_the_books() {
    given::<BoxOrder>(placed()).when(C::Cancel { reason: reason("moving house") }).then([
        E::OutcomeDecided { outcome: EndState::Cancelled, reason: reason("moving house") },
        E::ReservationReleaseRequested,
        ended(EndState::Cancelled, Some("moving house")),
    ]);
}

#[test]
fn cancelling_during_the_charge_waits_for_billing_and_refunds_a_late_capture() {
    let cancelling = [
        E::OutcomeDecided { outcome: EndState::Cancelled, reason: reason("moving house") },
        E::ReservationReleaseRequested,
        E::PaymentOutcomeAwaited { attempt: Attempt::FIRST, until: at(97) },
    ];
    given::<BoxOrder>(reserved()).when(C::Cancel { reason: reason("moving house") }).then(cancelling.clone());
    let cancelled = with(reserved(), cancelling);
    given::<BoxOrder>(cancelled.clone())
        .at(at(5))
        .when(answer(Answer::PaymentCaptured { payment_id: payment(1), amount: PRICE }))
        .then([
            E::PaymentCaptured { payment_id: payment(1), amount: PRICE },
            refund_requested(PRICE, "moving house", 5),
        ]);
    given::<BoxOrder>(cancelled.clone())
        .when(answer(Answer::PaymentFailed { reason: reason("card expired") }))
        .then([E::PaymentFailed { reason: reason("card expired") }, ended(EndState::Cancelled, Some("moving house"))]);
    given::<BoxOrder>(cancelled).at(at(97)).when(timeout(Step::Payment, 1)).then([
        E::AnswerOverdue { step: Step::Payment, attempt: Attempt::FIRST },
        ended(EndState::Cancelled, Some("moving house")),
    ]);
}

#[test]
fn cancelling_after_the_shipment_was_requested_is_refused_with_the_reason() {
    let refused = given::<BoxOrder>(shipping()).when(C::Cancel { reason: reason("too late?") });
    let Err(error) = refused.result().clone() else { panic!("cancelled a parcel being prepared") };
    assert_eq!(error, BoxOrderError::CannotCancel(CancelRefusal::ShipmentRequested { shipment_id: own_shipment() }));
    assert_eq!(
        error.to_string(),
        format!(
            "the order cannot be cancelled: shipment {} was requested and the warehouse is preparing it; once it \
             arrives, return it for a refund",
            own_shipment()
        )
    );
    given::<BoxOrder>(in_transit()).when(C::Cancel { reason: reason("x") }).then_rejected(BoxOrderError::CannotCancel(
        CancelRefusal::Shipped { carrier: label("UPS"), tracking_number: label("1Z999") },
    ));
    let delivered = with(in_transit(), [E::ShipmentDelivered, ended(EndState::Delivered, None)]);
    given::<BoxOrder>(delivered)
        .when(C::Cancel { reason: reason("x") })
        .then_rejected(BoxOrderError::CannotCancel(CancelRefusal::AlreadyEnded(EndState::Delivered)));
}

#[test]
fn late_answers_are_undone_or_ignored_never_replayed() {
    let failed = with(
        placed(),
        [
            E::OutcomeDecided { outcome: EndState::Failed, reason: reason("gave up") },
            E::ReservationReleaseRequested,
            ended(EndState::Failed, Some("gave up")),
        ],
    );
    // Stock reserved after the order gave up: released again.
    given::<BoxOrder>(failed.clone())
        .when(answer(Answer::StockReserved { warehouse: Chicago }))
        .then([E::StockReserved { warehouse: Chicago }, E::ReservationReleaseRequested]);
    // A payment captured after the end: refunded, with nothing left waiting for it.
    let refund = E::RefundRequested {
        refund_id: first_refund_id(),
        amount: PRICE,
        reason: reason(&format!("payment {} was captured after the order ended as failed", payment(1))),
        until: None,
    };
    let order = given::<BoxOrder>(failed)
        .when(answer(Answer::PaymentCaptured { payment_id: payment(1), amount: PRICE }))
        .then([E::PaymentCaptured { payment_id: payment(1), amount: PRICE }, refund]);
    assert_eq!(order.placed().unwrap().wait(), None);
    assert_eq!(order.placed().unwrap().status(), Status::Failed);
    // The same capture told twice: nothing. A second capture: refunded.
    given::<BoxOrder>(in_transit())
        .when(answer(Answer::PaymentCaptured { payment_id: payment(1), amount: PRICE }))
        .then([]);
    let second = given::<BoxOrder>(in_transit())
        .when(answer(Answer::PaymentCaptured { payment_id: payment(2), amount: PRICE }))
        .then([
            E::PaymentCaptured { payment_id: payment(2), amount: PRICE },
            E::RefundRequested {
                refund_id: first_refund_id(),
                amount: PRICE,
                reason: reason(&format!("payment {} is a second payment for the order", payment(2))),
                until: None,
            },
        ]);
    assert_eq!(second.placed().unwrap().status(), Status::Shipped);
    // Stock reserved twice, a rejection after the hold, a refund beyond what was captured.
    given::<BoxOrder>(reserved()).when(answer(Answer::StockReserved { warehouse: Chicago })).then([]);
    given::<BoxOrder>(reserved())
        .when(answer(Answer::StockReservationRejected { warehouse: Chicago, reason: reason("late") }))
        .then([]);
    given::<BoxOrder>(reserved()).when(answer(Answer::PaymentRefunded { refunded_total: PRICE })).then([]);
}

#[test]
fn inventory_confirmations_are_recorded_once() {
    let delivered = with(in_transit(), [E::ShipmentDelivered, ended(EndState::Delivered, None)]);
    let order = given::<BoxOrder>(delivered.clone())
        .when(answer(Answer::ReservedStockShipped { warehouse: Chicago }))
        .then([E::ReservedStockShipped { warehouse: Chicago }]);
    assert_eq!(order.placed().unwrap().holding(), Holding::Shipped(Chicago));
    let shipped = with(delivered, [E::ReservedStockShipped { warehouse: Chicago }]);
    given::<BoxOrder>(shipped).when(answer(Answer::ReservedStockShipped { warehouse: Chicago })).then([]);
}

#[test]
fn only_an_order_holding_its_books_and_awaiting_payment_can_be_combined() {
    let combine = |partner| C::Combine { partner, shipment_id: shipment(9) };
    given::<BoxOrder>(reserved())
        .when(combine(order(2)))
        .then([E::CombinedForShipment { partner: order(2), shipment_id: shipment(9) }]);
    given::<BoxOrder>(reserved()).when(combine(me())).then_rejected(BoxOrderError::CombinedWithItself);
    given::<BoxOrder>(combined())
        .when(combine(order(3)))
        .then_rejected(BoxOrderError::AlreadyCombined { partner: order(2) });
    given::<BoxOrder>(placed())
        .when(combine(order(2)))
        .then_rejected(BoxOrderError::NotCombinable { status: Status::Placed });
    given::<BoxOrder>(shipping())
        .when(combine(order(2)))
        .then_rejected(BoxOrderError::NotCombinable { status: Status::Shipping });
}

#[test]
fn a_combined_order_charged_first_waits_and_the_second_requests_for_both() {
    let captured = E::PaymentCaptured { payment_id: payment(1), amount: PRICE };
    let waiting = given::<BoxOrder>(combined())
        .when(answer(Answer::PaymentCaptured { payment_id: payment(1), amount: PRICE }))
        .then([captured.clone()]);
    assert_eq!(waiting.placed().unwrap().status(), Status::Charged);
    assert_eq!(waiting.placed().unwrap().shipment_id(), Some(shipment(9)));
    let charged = with(combined(), [captured]);
    let both = parcel(&[&own_part(), &partner_part()], shipment(9));
    given::<BoxOrder>(charged.clone())
        .at(at(3))
        .when(C::ShipTogether { partner: partner_part() })
        .then([shipment_requested(both.clone(), 1, 3)]);
    given::<BoxOrder>(charged.clone())
        .at(at(3))
        .when(C::JoinShipment { request: both.clone() })
        .then([E::ShipmentJoined { request: both, until: at(51) }]);
    given::<BoxOrder>(charged.clone()).at(at(3)).when(C::ShipAlone).then([shipment_requested(
        parcel(&[&own_part()], shipment(9)),
        1,
        3,
    )]);
    // Someone else's parcel, or a partner it is not combined with: refused.
    let stranger = ShipmentPart { order_id: order(3), ..partner_part() };
    given::<BoxOrder>(charged.clone())
        .when(C::ShipTogether { partner: stranger })
        .then_rejected(BoxOrderError::NotCombinedWith(order(3)));
    given::<BoxOrder>(charged)
        .when(C::JoinShipment { request: parcel(&[&own_part(), &partner_part()], shipment(8)) })
        .then_rejected(BoxOrderError::ForeignShipment(shipment(8)));
    given::<BoxOrder>(reserved())
        .when(C::ShipAlone)
        .then_rejected(BoxOrderError::NotReadyToShip { status: Status::Reserved });
}

#[test]
fn a_charged_order_waiting_for_its_partner_can_still_be_cancelled_and_refunded() {
    let charged = with(combined(), [E::PaymentCaptured { payment_id: payment(1), amount: PRICE }]);
    given::<BoxOrder>(charged).at(at(4)).when(C::Cancel { reason: reason("changed my mind") }).then([
        E::OutcomeDecided { outcome: EndState::Cancelled, reason: reason("changed my mind") },
        E::ReservationReleaseRequested,
        refund_requested(PRICE, "changed my mind", 4),
    ]);
}

// Random sequences.

/// Every input a box order may meet, with the ids the scenarios above use: the answers carry
/// the order's own shipment id or the combined one (or a stranger's), so that sequences reach
/// every stage.
fn any_command() -> impl Strategy<Value = C> {
    let warehouse = prop_oneof![Just(Chicago), Just(Dallas)];
    let shipment_id = prop_oneof![Just(own_shipment()), Just(shipment(9)), Just(shipment(7))];
    let step = prop_oneof![
        Just(Step::Reservation),
        Just(Step::Payment),
        Just(Step::Shipment),
        Just(Step::Delivery),
        Just(Step::Refund)
    ];
    let amount = (0u64..=6000).prop_map(Money::usd);
    prop_oneof![
        3 => warehouse.clone().prop_map(|warehouse| answer(Answer::StockReserved { warehouse })),
        2 => warehouse.clone().prop_map(|warehouse| answer(Answer::StockReservationRejected { warehouse, reason: reason("insufficient-stock") })),
        1 => warehouse.clone().prop_map(|warehouse| answer(Answer::ReservationReleased { warehouse })),
        1 => warehouse.prop_map(|warehouse| answer(Answer::ReservedStockShipped { warehouse })),
        3 => (1u128..=2).prop_map(|n| answer(Answer::PaymentCaptured { payment_id: payment(n), amount: PRICE })),
        1 => Just(answer(Answer::PaymentFailed { reason: reason("card declined") })),
        2 => amount.clone().prop_map(|refunded_total| answer(Answer::PaymentRefunded { refunded_total })),
        3 => shipment_id.clone().prop_map(|shipment_id| answer(Answer::ShipmentDispatched { shipment_id, carrier: label("UPS"), tracking_number: label("1Z") })),
        2 => shipment_id.clone().prop_map(|shipment_id| answer(Answer::ShipmentDelivered { shipment_id })),
        1 => shipment_id.clone().prop_map(|shipment_id| answer(Answer::ShipmentReturned { shipment_id })),
        1 => (shipment_id, amount).prop_map(|(shipment_id, insurance_claim)| answer(Answer::ShipmentDamaged { shipment_id, insurance_claim })),
        4 => (step, 0u8..=3).prop_map(|(step, attempt)| timeout(step, attempt)),
        1 => Just(C::Cancel { reason: reason("changed my mind") }),
        1 => Just(C::Combine { partner: order(2), shipment_id: shipment(9) }),
        1 => Just(C::ShipAlone),
        1 => Just(C::ShipTogether { partner: partner_part() }),
        1 => Just(C::JoinShipment { request: parcel(&[&own_part(), &partner_part()], shipment(9)) }),
    ]
}

fn sequences() -> impl Strategy<Value = Vec<C>> {
    proptest::collection::vec(any_command(), 0..40).prop_map(|rest| {
        let mut commands = vec![C::Place { order_id: me(), terms: terms() }];
        commands.extend(rest);
        commands
    })
}

/// What holds after every step.
fn invariant(order: &BoxOrder) -> Result<(), String> {
    let Some(order) = order.placed() else { return Err("the first command places the order".into()) };
    let ledger = order.ledger();
    if ledger.refunded() > ledger.captured() {
        return Err(format!("refunded {} of {} captured", ledger.refunded(), ledger.captured()));
    }
    if ledger.refund_target() > ledger.captured() {
        return Err(format!("asked back {} of {} captured", ledger.refund_target(), ledger.captured()));
    }
    let holds = order.holding().warehouse().is_some();
    let charged = !ledger.captured().is_zero();
    match order.stage() {
        Stage::Charging { .. } if !holds => return Err("charging without books".into()),
        Stage::Charged | Stage::Shipping { .. } if !(holds && charged) => {
            return Err("shipping what is not held or not paid".into())
        }
        Stage::InTransit { .. } if !(holds && charged && order.ship_requested()) => {
            return Err("in transit without the reservation shipped".into())
        }
        Stage::Ended { .. } if order.may_hold_stock() => {
            return Err(format!("ended with books possibly held: {:?}", order.holding()))
        }
        Stage::Ended { end_state, .. } if *end_state != EndState::Delivered && !ledger.unasked().is_zero() => {
            return Err(format!("ended {end_state} keeping {} not asked back", ledger.unasked()))
        }
        Stage::Ended { end_state: EndState::Delivered, .. } if !order.ship_requested() => {
            return Err("delivered without shipping the reservation".into())
        }
        _ => {}
    }
    if order.is_ended() != (order.wait().is_none() && order.outcome().is_some()) {
        return Err(format!("an ended order waits, or a settling one does not: {:?}", order.stage()));
    }
    Ok(())
}

#[test]
fn invariants_hold_after_every_step_and_replay_rebuilds_the_order() {
    check_aggregate::<BoxOrder>(sequences(), invariant);
}

/// Lets deadlines pass, and nothing else, until the order ends: each wait is bounded, and the
/// only wait without a deadline (a partner's charge) ends when the partner drops out.
fn drive_to_the_end(mut order: BoxOrder, mut now: Timestamp) -> Result<(BoxOrder, Vec<E>), String> {
    let ids = SequentialIds::new(7);
    let mut events = Vec::new();
    for _ in 0..32 {
        let Some(placed) = order.placed() else { return Err("not placed".into()) };
        if placed.is_ended() {
            return Ok((order, events));
        }
        let command = match placed.wait() {
            Some(wait) => {
                now = now.max(wait.until);
                C::HandleTimeout { step: wait.step, attempt: wait.attempt }
            }
            None => C::ShipAlone,
        };
        let decided = order.decide(&command, &Env { now, ids: &ids }).map_err(|e| format!("{command:?}: {e}"))?;
        if decided.is_empty() {
            return Err(format!("{command:?} changed nothing in {:?}", placed.stage()));
        }
        for event in decided {
            order.evolve(&event);
            events.push(event);
        }
        invariant(&order)?;
    }
    Err(format!("no end after 32 deadlines: {:?}", order.placed().map(Order::stage)))
}

proptest! {
    #[test]
    fn every_order_reaches_exactly_one_end_state(commands in sequences()) {
        let run = run_commands::<BoxOrder>(&commands, invariant)?;
        let now = Timestamp::from_micros(0).plus_days(commands.len() as i64);
        let (order, more) = drive_to_the_end(run.state, now).map_err(TestCaseError::fail)?;
        let story: Vec<&E> = run.events.iter().chain(&more).collect();
        let endings: Vec<&E> = story.iter().copied().filter(|e| matches!(e, E::Ended { .. })).collect();
        prop_assert_eq!(endings.len(), 1, "one ending: {:?}", endings);
        let decided: Vec<&E> = story.iter().copied().filter(|e| matches!(e, E::OutcomeDecided { .. })).collect();
        prop_assert!(decided.len() <= 1, "the outcome is decided once: {:?}", decided);
        // Nothing after the end moves the order: only compensations and confirmations.
        let after_end = story.iter().skip_while(|e| !matches!(e, E::Ended { .. })).skip(1);
        for event in after_end {
            let allowed = matches!(
                event,
                E::StockReserved { .. }
                    | E::ReservationReleaseRequested
                    | E::ReservationReleased { .. }
                    | E::ReservedStockShipped { .. }
                    | E::PaymentCaptured { .. }
                    | E::RefundRequested { until: None, .. }
                    | E::PaymentRefunded { .. }
            );
            prop_assert!(allowed, "after the end: {:?}", event);
        }
        prop_assert!(order.placed().is_some_and(Order::is_ended));
    }
}
