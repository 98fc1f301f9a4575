//! The box order as a state machine against a reference model of its process: a world that
//! answers each request once, in order (inventory reserves or refuses, billing captures or
//! declines and refunds, the carrier dispatches and delivers, returns or damages), a customer
//! who may cancel at any moment, and any answer already heard delivered again. The model says
//! in a few lines where the order must stand after each input (its status, whether it ended,
//! the money captured and refunded) and whether the input is refused, changes nothing, or
//! moves it; the aggregate must agree after every step, and keep its invariants.

use proptest_state_machine::{prop_state_machine, ReferenceStateMachine, StateMachineTest};

use super::*;

/// Where the model says the order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for `warehouse` to reserve the books; `last` once the other one refused.
    Reserving {
        warehouse: Warehouse,
        last: bool,
    },
    Charging,
    Shipping,
    InTransit,
    /// Cancelled while charging: waiting to hear what became of the charge.
    AwaitingCharge,
    /// The outcome decided: waiting for billing to give back what was captured.
    AwaitingRefund(EndState),
    Ended(EndState),
}

impl Phase {
    fn status(self) -> Status {
        match self {
            Phase::Reserving { .. } => Status::Placed,
            Phase::Charging => Status::Reserved,
            Phase::Shipping => Status::Shipping,
            Phase::InTransit => Status::Shipped,
            Phase::AwaitingCharge => Status::Cancelled,
            Phase::AwaitingRefund(end_state) | Phase::Ended(end_state) => end_state.status(),
        }
    }
}

/// What the last input must have done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Moved,
    Nothing,
    Refused,
}

#[derive(Debug, Clone)]
struct Model {
    phase: Phase,
    captured: u64,
    refunded: u64,
    /// Every answer delivered so far: delivered again, none changes anything.
    heard: Vec<Answer>,
    effect: Effect,
}

#[derive(Debug, Clone)]
enum Input {
    Hear(Answer),
    HearAgain(Answer),
    Cancel,
}

struct BoxOrderProcess;

impl ReferenceStateMachine for BoxOrderProcess {
    type State = Model;
    type Transition = Input;

    fn init_state() -> BoxedStrategy<Model> {
        // The terms ship to Illinois: Chicago is asked first.
        let phase = Phase::Reserving { warehouse: Chicago, last: false };
        Just(Model { phase, captured: 0, refunded: 0, heard: Vec::new(), effect: Effect::Moved }).boxed()
    }

    fn transitions(model: &Model) -> BoxedStrategy<Input> {
        let hear = |answer: Answer| Just(Input::Hear(answer)).boxed();
        let ours = own_shipment();
        let news: Vec<BoxedStrategy<Input>> = match model.phase {
            Phase::Reserving { warehouse, .. } => vec![
                hear(Answer::StockReserved { warehouse }),
                hear(Answer::StockReservationRejected { warehouse, reason: reason("insufficient-stock") }),
            ],
            Phase::Charging | Phase::AwaitingCharge => vec![
                hear(Answer::PaymentCaptured { payment_id: payment(1), amount: PRICE }),
                hear(Answer::PaymentFailed { reason: reason("card declined") }),
            ],
            Phase::Shipping => vec![
                hear(Answer::ShipmentDispatched {
                    shipment_id: ours,
                    carrier: label("UPS"),
                    tracking_number: label("1Z"),
                }),
                // News of the delivery may overtake the news of the dispatch.
                hear(Answer::ShipmentDelivered { shipment_id: ours }),
            ],
            Phase::InTransit => vec![
                hear(Answer::ShipmentDelivered { shipment_id: ours }),
                hear(Answer::ShipmentReturned { shipment_id: ours }),
                (0u64..=PRICE.amount_cents())
                    .prop_map(move |claim| {
                        Input::Hear(Answer::ShipmentDamaged { shipment_id: ours, insurance_claim: Money::usd(claim) })
                    })
                    .boxed(),
            ],
            // Billing may refund in parts; the total it reports only grows.
            Phase::AwaitingRefund(_) => vec![(model.refunded + 1..=model.captured)
                .prop_map(|total| Input::Hear(Answer::PaymentRefunded { refunded_total: Money::usd(total) }))
                .boxed()],
            Phase::Ended(_) => vec![],
        };
        let mut inputs = news;
        inputs.push(Just(Input::Cancel).boxed());
        if !model.heard.is_empty() {
            inputs.push(prop::sample::select(model.heard.clone()).prop_map(Input::HearAgain).boxed());
        }
        proptest::strategy::Union::new(inputs).boxed()
    }

    /// Shrinking drops inputs: an answer the order is not waiting for is no longer this test.
    fn preconditions(model: &Model, input: &Input) -> bool {
        match input {
            Input::Cancel => true,
            Input::HearAgain(answer) => model.heard.contains(answer),
            Input::Hear(answer) => next(model, answer).is_some(),
        }
    }

    fn apply(mut model: Model, input: &Input) -> Model {
        match input {
            Input::Cancel => match model.phase {
                // Nothing captured: the order ends at once, releasing what may be held.
                Phase::Reserving { .. } => {
                    (model.phase, model.effect) = (Phase::Ended(EndState::Cancelled), Effect::Moved)
                }
                Phase::Charging => (model.phase, model.effect) = (Phase::AwaitingCharge, Effect::Moved),
                // Once the parcel is asked for, or the end decided, a cancellation is refused.
                _ => model.effect = Effect::Refused,
            },
            Input::HearAgain(_) => model.effect = Effect::Nothing,
            Input::Hear(answer) => {
                let (phase, captured, refunded) = next(&model, answer).expect("an answer the order waits for");
                (model.phase, model.captured, model.refunded, model.effect) =
                    (phase, captured, refunded, Effect::Moved);
                model.heard.push(answer.clone());
            }
        }
        model
    }
}

/// Where an answer the order waits for takes it: its phase, captured and refunded cents.
fn next(model: &Model, answer: &Answer) -> Option<(Phase, u64, u64)> {
    let Model { phase, captured, refunded, .. } = *model;
    let phase = match (phase, answer) {
        (Phase::Reserving { warehouse, .. }, Answer::StockReserved { warehouse: w }) if *w == warehouse => {
            Phase::Charging
        }
        (Phase::Reserving { warehouse, last }, Answer::StockReservationRejected { warehouse: w, .. })
            if *w == warehouse =>
        {
            match last {
                true => Phase::Ended(EndState::Failed),
                false => Phase::Reserving { warehouse: warehouse.other(), last: true },
            }
        }
        (Phase::Charging, Answer::PaymentCaptured { amount, .. }) => {
            return Some((Phase::Shipping, amount.amount_cents(), 0))
        }
        (Phase::AwaitingCharge, Answer::PaymentCaptured { amount, .. }) => {
            // Captured after all: asked back at once, and the order waits for the refund.
            return Some((Phase::AwaitingRefund(EndState::Cancelled), amount.amount_cents(), 0));
        }
        (Phase::Charging, Answer::PaymentFailed { .. }) => Phase::Ended(EndState::Failed),
        (Phase::AwaitingCharge, Answer::PaymentFailed { .. }) => Phase::Ended(EndState::Cancelled),
        (Phase::Shipping, Answer::ShipmentDispatched { .. }) => Phase::InTransit,
        (Phase::Shipping | Phase::InTransit, Answer::ShipmentDelivered { .. }) => Phase::Ended(EndState::Delivered),
        (Phase::InTransit, Answer::ShipmentReturned { .. } | Answer::ShipmentDamaged { .. }) => {
            Phase::AwaitingRefund(EndState::Refunded)
        }
        (Phase::AwaitingRefund(end_state), Answer::PaymentRefunded { refunded_total }) => {
            let total = refunded_total.amount_cents();
            if !(refunded < total && total <= captured) {
                return None;
            }
            let phase = if total == captured { Phase::Ended(end_state) } else { phase };
            return Some((phase, captured, total));
        }
        _ => return None,
    };
    Some((phase, captured, refunded))
}

/// The aggregate under test, and the world's clock and ids it decides with.
struct Running {
    order: BoxOrder,
    ids: SequentialIds,
    hours: i64,
}

impl StateMachineTest for BoxOrderProcess {
    type SystemUnderTest = Running;
    type Reference = BoxOrderProcess;

    fn init_test(_model: &Model) -> Running {
        let mut running = Running { order: BoxOrder::default(), ids: SequentialIds::new(1), hours: 0 };
        running.decide(&C::Place { order_id: me(), terms: terms() }).expect("a new order is placed");
        running
    }

    fn apply(mut running: Running, model: &Model, input: Input) -> Running {
        let command = match input {
            Input::Hear(answer) | Input::HearAgain(answer) => C::HandleAnswer { answer },
            Input::Cancel => C::Cancel { reason: reason("changed my mind") },
        };
        let effect = match running.decide(&command) {
            Err(_) => Effect::Refused,
            Ok(0) => Effect::Nothing,
            Ok(_) => Effect::Moved,
        };
        assert_eq!(effect, model.effect, "{command:?} in {:?}", model.phase);
        running
    }

    fn check_invariants(running: &Running, model: &Model) {
        let order = running.order.placed().expect("placed");
        assert_eq!(order.status(), model.phase.status(), "{:?}", order.stage());
        assert_eq!(order.is_ended(), matches!(model.phase, Phase::Ended(_)), "{:?}", order.stage());
        assert_eq!(order.ledger().captured(), Money::usd(model.captured));
        assert_eq!(order.ledger().refunded(), Money::usd(model.refunded));
        if let (Phase::Reserving { warehouse, .. }, Stage::Reserving { warehouse: asked, .. }) =
            (model.phase, order.stage())
        {
            assert_eq!(*asked, warehouse, "the warehouse asked");
        }
        if let Err(why) = invariant(&running.order) {
            panic!("{why}: {:?}", order.stage());
        }
    }
}

impl Running {
    /// Decides and applies `command` an hour after the last one: how many events it recorded.
    fn decide(&mut self, command: &C) -> Result<usize, BoxOrderError> {
        self.hours += 1;
        let events = self.order.decide(command, &Env { now: at(self.hours), ids: &self.ids })?;
        for event in &events {
            self.order.evolve(event);
        }
        Ok(events.len())
    }
}

prop_state_machine! {
    #[test]
    fn the_box_order_follows_its_reference_model(sequential 1..24 => BoxOrderProcess);
}
