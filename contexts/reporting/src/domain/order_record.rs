//! The `OrderRecord` aggregate (stream `order-record-<order id>`): everything reporting knows of
//! one box order, joined from orders (where it goes, how it ended) and billing (who paid, what
//! was captured and refunded). It is the one place each order's facts are deduplicated, so the
//! counters it feeds never count an order twice:
//!
//! - **Seen once.** The first message about an order records it (`order-recorded`); later
//!   ones add nothing, whatever their ids. `box-order` is state transfer, published after every
//!   change, and carries no version: reporting needs none, because what it takes from it
//!   (month, state, and the end) never changes once known.
//! - **Ended once.** The first message showing the order ended (`box-order` with
//!   `ended: true`, or `order-ended`; orders publishes both in one commit) records the end with
//!   its final money (`order-end-recorded`); a second one is a repeat.
//! - **Money moves up only.** A capture is recorded once (billing captures an order at most
//!   once); a refund is recorded when its `refunded_total` is above the one held, so a repeated
//!   or overtaken `payment-refunded` changes nothing.
//! - **Attributed as it is known.** Once the capture is known (it names the payer), every cent
//!   billed and not yet counted in the payer's lifetime value is attributed to them
//!   (`value-attributed`, a delta): a refund that overtook the capture waits for it.
//!
//! Every event that changes a count carries what the counter needs (the state, the month), so
//! the projection routes it without reading anything back.

use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::end_state::EndState;
use crate::domain::facts::{OrderEnd, OrderSighting};
use crate::domain::ids::{CustomerId, OrderId};
use crate::domain::ledger::ReadModel;
use crate::domain::money::Cents;
use crate::domain::month::Month;
use crate::domain::us_state::UsState;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderRecord {
    /// Which month's box and where it goes, once seen.
    placement: Option<Placement>,
    /// How it ended, once it did.
    end: Option<EndState>,
    /// Who paid, once billing captured.
    payer: Option<CustomerId>,
    /// What billing captured (once) and has refunded so far.
    billed: Money,
    /// How much of `billed` is counted in the payer's lifetime value. Never above `billed`.
    attributed: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Placement {
    month: Month,
    shipping_state: UsState,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Money {
    captured: Cents,
    refunded: Cents,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OrderRecordCommand {
    /// Record what a message of orders showed of the order.
    RecordOrder { sighting: OrderSighting, end: Option<OrderEnd> },
    /// Record billing's capture of the order's payment.
    RecordCapture { order_id: OrderId, payer_id: CustomerId, amount: Cents },
    /// Raise what is known refunded to billing's running total of the order's refunds.
    RaiseRefundTotal { order_id: OrderId, refunded_total: Cents },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderRecordEvent {
    OrderRecorded {
        order_id: OrderId,
        month: Month,
        shipping_state: UsState,
    },
    /// The order ended; `month` and `shipping_state` are those recorded when it was first seen.
    OrderEndRecorded {
        order_id: OrderId,
        end_state: EndState,
        captured: Cents,
        refunded: Cents,
        month: Month,
        shipping_state: UsState,
    },
    CaptureRecorded {
        order_id: OrderId,
        payer_id: CustomerId,
        amount: Cents,
    },
    RefundRecorded {
        order_id: OrderId,
        refunded_total: Cents,
    },
    /// Money of the order newly counted in the payer's lifetime value (amounts are deltas).
    ValueAttributed {
        order_id: OrderId,
        payer_id: CustomerId,
        captured: Cents,
        refunded: Cents,
    },
}

impl DomainEvent for OrderRecordEvent {}

impl OrderRecordCommand {
    fn order_id(&self) -> OrderId {
        match self {
            Self::RecordOrder { sighting, .. } => sighting.order_id,
            Self::RecordCapture { order_id, .. } | Self::RaiseRefundTotal { order_id, .. } => *order_id,
        }
    }
}

impl OrderRecord {
    /// The capture names the payer, so a known payer means a recorded capture.
    fn is_captured(&self) -> bool {
        self.payer.is_some()
    }

    fn record_order(&self, sighting: &OrderSighting, end: Option<&OrderEnd>) -> Vec<OrderRecordEvent> {
        let mut events = Vec::new();
        let placement = match self.placement {
            Some(placement) => placement,
            None => {
                let OrderSighting { order_id, month, shipping_state } = *sighting;
                events.push(OrderRecordEvent::OrderRecorded { order_id, month, shipping_state });
                Placement { month, shipping_state }
            }
        };
        if let (Some(end), None) = (end, self.end) {
            events.push(OrderRecordEvent::OrderEndRecorded {
                order_id: sighting.order_id,
                end_state: end.end_state(),
                captured: end.captured(),
                refunded: end.refunded(),
                month: placement.month,
                shipping_state: placement.shipping_state,
            });
        }
        events
    }

    /// The money billed but not yet attributed once `recorded` is applied: attributable as soon
    /// as the capture (and with it the payer) is known.
    fn attribution(&self, order_id: OrderId, recorded: &[OrderRecordEvent]) -> Option<OrderRecordEvent> {
        let mut after = self.clone();
        recorded.iter().for_each(|event| after.evolve(event));
        let payer_id = after.payer?;
        let captured = after.billed.captured.minus(after.attributed.captured);
        let refunded = after.billed.refunded.minus(after.attributed.refunded);
        if captured == Cents::ZERO && refunded == Cents::ZERO {
            return None;
        }
        Some(OrderRecordEvent::ValueAttributed { order_id, payer_id, captured, refunded })
    }
}

impl ReadModel for OrderRecord {
    fn record(&self, command: &OrderRecordCommand) -> Vec<OrderRecordEvent> {
        let mut events = match command {
            OrderRecordCommand::RecordOrder { sighting, end } => self.record_order(sighting, end.as_ref()),
            // Billing captures an order at most once: a second capture is a repeat.
            OrderRecordCommand::RecordCapture { order_id, payer_id, amount } if !self.is_captured() => {
                vec![OrderRecordEvent::CaptureRecorded { order_id: *order_id, payer_id: *payer_id, amount: *amount }]
            }
            OrderRecordCommand::RecordCapture { .. } => vec![],
            OrderRecordCommand::RaiseRefundTotal { order_id, refunded_total }
                if *refunded_total > self.billed.refunded =>
            {
                vec![OrderRecordEvent::RefundRecorded { order_id: *order_id, refunded_total: *refunded_total }]
            }
            OrderRecordCommand::RaiseRefundTotal { .. } => vec![],
        };
        events.extend(self.attribution(command.order_id(), &events));
        events
    }
}

impl Aggregate for OrderRecord {
    const CATEGORY: &'static str = "order-record";
    type Command = OrderRecordCommand;
    type Event = OrderRecordEvent;
    type Error = Infallible;

    fn decide(&self, command: &OrderRecordCommand, _env: &Env<'_>) -> Result<Vec<OrderRecordEvent>, Infallible> {
        Ok(self.record(command))
    }

    fn evolve(&mut self, event: &OrderRecordEvent) {
        match *event {
            OrderRecordEvent::OrderRecorded { month, shipping_state, .. } => {
                self.placement = Some(Placement { month, shipping_state });
            }
            OrderRecordEvent::OrderEndRecorded { end_state, .. } => self.end = Some(end_state),
            OrderRecordEvent::CaptureRecorded { payer_id, amount, .. } => {
                self.payer = Some(payer_id);
                self.billed.captured = amount;
            }
            OrderRecordEvent::RefundRecorded { refunded_total, .. } => {
                self.billed.refunded = self.billed.refunded.max(refunded_total);
            }
            OrderRecordEvent::ValueAttributed { captured, refunded, .. } => {
                self.attributed.captured = self.attributed.captured.plus(captured);
                self.attributed.refunded = self.attributed.refunded.plus(refunded);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    // What the tests look at; the projection needs none of it (events carry what it counts).
    impl OrderRecord {
        fn is_placed(&self) -> bool {
            self.placement.is_some()
        }

        fn end_state(&self) -> Option<EndState> {
            self.end
        }

        fn payer(&self) -> Option<CustomerId> {
            self.payer
        }

        /// What billing captured and has refunded, as far as reporting heard.
        fn billed(&self) -> (Cents, Cents) {
            (self.billed.captured, self.billed.refunded)
        }

        /// How much of it is counted in the payer's lifetime value.
        fn attributed(&self) -> (Cents, Cents) {
            (self.attributed.captured, self.attributed.refunded)
        }
    }

    fn order() -> OrderId {
        "5b8e2f1a-9c3d-4e7f-a1b2-c3d4e5f60718".parse().unwrap()
    }

    fn payer() -> CustomerId {
        "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a".parse().unwrap()
    }

    fn march() -> Month {
        Month::parse("2026-03").unwrap()
    }

    fn illinois() -> UsState {
        UsState::parse("IL").unwrap()
    }

    fn sighting() -> OrderSighting {
        OrderSighting { order_id: order(), month: march(), shipping_state: illinois() }
    }

    fn end(end_state: EndState, captured: u64, refunded: u64) -> OrderEnd {
        OrderEnd::new(end_state, Cents::new(captured), Cents::new(refunded)).unwrap()
    }

    fn seen(end: Option<OrderEnd>) -> OrderRecordCommand {
        OrderRecordCommand::RecordOrder { sighting: sighting(), end }
    }

    fn capture(amount: u64) -> OrderRecordCommand {
        OrderRecordCommand::RecordCapture { order_id: order(), payer_id: payer(), amount: Cents::new(amount) }
    }

    fn refund(total: u64) -> OrderRecordCommand {
        OrderRecordCommand::RaiseRefundTotal { order_id: order(), refunded_total: Cents::new(total) }
    }

    fn recorded() -> OrderRecordEvent {
        OrderRecordEvent::OrderRecorded { order_id: order(), month: march(), shipping_state: illinois() }
    }

    fn ended(end_state: EndState, captured: u64, refunded: u64) -> OrderRecordEvent {
        OrderRecordEvent::OrderEndRecorded {
            order_id: order(),
            end_state,
            captured: Cents::new(captured),
            refunded: Cents::new(refunded),
            month: march(),
            shipping_state: illinois(),
        }
    }

    fn captured(amount: u64) -> OrderRecordEvent {
        OrderRecordEvent::CaptureRecorded { order_id: order(), payer_id: payer(), amount: Cents::new(amount) }
    }

    fn refunded(total: u64) -> OrderRecordEvent {
        OrderRecordEvent::RefundRecorded { order_id: order(), refunded_total: Cents::new(total) }
    }

    fn attributed(captured: u64, refunded: u64) -> OrderRecordEvent {
        OrderRecordEvent::ValueAttributed {
            order_id: order(),
            payer_id: payer(),
            captured: Cents::new(captured),
            refunded: Cents::new(refunded),
        }
    }

    #[test]
    fn an_order_is_recorded_when_first_seen_and_never_again() {
        given::<OrderRecord>([]).when(seen(None)).then([recorded()]);
        given::<OrderRecord>([recorded()]).when(seen(None)).then([]);
    }

    #[test]
    fn an_order_first_seen_ending_is_recorded_then_ended_in_one_step() {
        let end = end(EndState::Delivered, 2999, 0);
        given::<OrderRecord>([]).when(seen(Some(end))).then([recorded(), ended(EndState::Delivered, 2999, 0)]);
    }

    #[test]
    fn an_end_is_recorded_once_with_where_the_order_was_first_seen_going() {
        let record = given::<OrderRecord>([recorded()])
            .when(seen(Some(end(EndState::Refunded, 2999, 2999))))
            .then([ended(EndState::Refunded, 2999, 2999)]);
        assert_eq!(record.end_state(), Some(EndState::Refunded));
        // order-ended after box-order with ended: true (or the same message again): a repeat.
        given::<OrderRecord>([recorded(), ended(EndState::Refunded, 2999, 2999)])
            .when(seen(Some(end(EndState::Refunded, 2999, 2999))))
            .then([]);
        // A moved address in a later message does not move an order already counted.
        let elsewhere = OrderSighting { shipping_state: UsState::parse("TX").unwrap(), ..sighting() };
        given::<OrderRecord>([recorded()])
            .when(OrderRecordCommand::RecordOrder { sighting: elsewhere, end: Some(end(EndState::Failed, 0, 0)) })
            .then([ended(EndState::Failed, 0, 0)]);
    }

    #[test]
    fn a_capture_is_attributed_to_its_payer_once() {
        let record = given::<OrderRecord>([]).when(capture(2999)).then([captured(2999), attributed(2999, 0)]);
        assert_eq!(
            (record.payer(), record.billed(), record.attributed()),
            (Some(payer()), record.billed(), record.billed())
        );
        given::<OrderRecord>([captured(2999), attributed(2999, 0)]).when(capture(2999)).then([]);
    }

    #[test]
    fn refunds_move_up_only_and_are_attributed_as_deltas() {
        let history = [captured(2999), attributed(2999, 0)];
        given::<OrderRecord>(history.clone()).when(refund(1000)).then([refunded(1000), attributed(0, 1000)]);
        let after_first = [captured(2999), attributed(2999, 0), refunded(1000), attributed(0, 1000)];
        given::<OrderRecord>(after_first.clone()).when(refund(2999)).then([refunded(2999), attributed(0, 1999)]);
        // The first refund again, or overtaken by the second: nothing new.
        given::<OrderRecord>(after_first.clone()).when(refund(1000)).then([]);
        given::<OrderRecord>(after_first).when(refund(400)).then([]);
    }

    #[test]
    fn a_refund_that_overtook_the_capture_waits_for_the_payer() {
        let record = given::<OrderRecord>([recorded()]).when(refund(500)).then([refunded(500)]);
        assert_eq!(record.attributed(), (Cents::ZERO, Cents::ZERO));
        given::<OrderRecord>([recorded(), refunded(500)])
            .when(capture(2999))
            .then([captured(2999), attributed(2999, 500)]);
    }

    fn commands() -> impl Strategy<Value = Vec<OrderRecordCommand>> {
        let end_state = proptest::sample::select(EndState::ALL.to_vec());
        let command = prop_oneof![
            Just(seen(None)),
            (end_state, 0u64..5000, 0u64..5000).prop_map(|(s, a, b)| seen(Some(end(s, a.max(b), a.min(b))))),
            (0u64..5000).prop_map(capture),
            (0u64..5000).prop_map(refund),
        ];
        proptest::collection::vec(command, 0..12)
    }

    /// Whatever arrives in whatever order: an order is counted at most once, ends at most once
    /// (and only once seen), and never attributes more than billed, nor anything without a payer.
    #[test]
    fn what_an_order_counts_never_exceeds_what_it_knows() {
        check_aggregate::<OrderRecord>(commands(), |record| {
            let billed = record.billed();
            let attributed = record.attributed();
            if record.end_state().is_some() && !record.is_placed() {
                return Err("ended but never seen".into());
            }
            if attributed.0 > billed.0 || attributed.1 > billed.1 {
                return Err(format!("attributed {attributed:?} exceeds billed {billed:?}"));
            }
            match record.payer() {
                None if attributed != (Cents::ZERO, Cents::ZERO) => Err("attributed without a payer".into()),
                Some(_) if attributed != billed => Err(format!("billed {billed:?} but attributed {attributed:?}")),
                _ => Ok(()),
            }
        });
    }

    proptest! {
        /// Each command recorded twice in a row records nothing the second time: every message
        /// about an order is idempotent whatever its id.
        #[test]
        fn the_second_of_two_identical_commands_records_nothing(commands in commands()) {
            let mut record = OrderRecord::default();
            for command in &commands {
                for event in record.record(command) {
                    record.evolve(&event);
                }
                prop_assert_eq!(record.record(command), vec![]);
            }
        }
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[
            recorded(),
            ended(EndState::Refunded, 2999, 2999),
            captured(2999),
            refunded(1000),
            attributed(2999, 1000),
        ]));
    }
}
