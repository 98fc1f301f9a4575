//! Domain -> published language and views, field by field, so that a change of the domain
//! cannot silently change what other contexts read.

use crate::domain::box_order::{EndState, Holding, Order, Stage, Status};
use crate::domain::money::{Currency, Money};
use crate::domain::status_board::{Standing, StatusBoard};
use crate::domain::warehouse::Warehouse;
use crate::ports::{AwaitingView, BookView, MoneyView, OrderView, StatusCountsView, StockView, TrackingView};
use crate::published::{BookV1, BoxOrderV1, CurrencyV1, EndStateV1, MoneyV1, OrderEndedV1, StatusV1, WarehouseV1};

pub(crate) fn box_order_v1(order: &Order) -> BoxOrderV1 {
    let terms = order.terms();
    let ledger = order.ledger();
    BoxOrderV1 {
        order_id: order.id().as_uuid(),
        customer_id: terms.customer_id.as_uuid(),
        payer_id: terms.payer_id.as_uuid(),
        subscription_id: terms.subscription_id.as_uuid(),
        month: terms.month.to_string(),
        status: status_v1(order.status()),
        ended: order.is_ended(),
        shipping_state: terms.address.state().code().to_owned(),
        amount: money_v1(terms.amount),
        captured: money_v1(ledger.captured()),
        refunded: money_v1(ledger.refunded()),
        warehouse: order.warehouse().map(warehouse_v1),
        shipment_id: order.shipment_id().map(|id| id.as_uuid()),
        books: terms
            .books
            .iter()
            .map(|b| BookV1 { isbn: b.isbn.to_string(), title: b.title.as_str().to_owned() })
            .collect(),
    }
}

/// `order-ended` for an order that has ended.
pub(crate) fn order_ended_v1(order: &Order) -> Option<OrderEndedV1> {
    let Stage::Ended { end_state, reason } = order.stage() else { return None };
    let terms = order.terms();
    Some(OrderEndedV1 {
        order_id: order.id().as_uuid(),
        customer_id: terms.customer_id.as_uuid(),
        month: terms.month.to_string(),
        end_state: end_state_v1(*end_state),
        reason: reason.as_ref().map(|r| r.as_str().to_owned()),
        captured: money_v1(order.ledger().captured()),
        refunded: money_v1(order.ledger().refunded()),
        shipping_state: terms.address.state().code().to_owned(),
    })
}

pub(crate) fn order_view(order: &Order) -> OrderView {
    let terms = order.terms();
    let ledger = order.ledger();
    OrderView {
        order_id: order.id(),
        box_id: terms.box_id,
        subscription_id: terms.subscription_id,
        customer_id: terms.customer_id,
        payer_id: terms.payer_id,
        month: terms.month.to_string(),
        status: order.status(),
        ended: order.is_ended(),
        end_reason: order.end_reason().map(|r| r.as_str().to_owned()),
        shipping_state: terms.address.state().code().to_owned(),
        amount: money_view(terms.amount),
        captured: money_view(ledger.captured()),
        refunded: money_view(ledger.refunded()),
        warehouse: order.warehouse(),
        stock: stock_view(order),
        refund_requested: money_view(ledger.refund_target()),
        shipment_id: order.shipment_id(),
        combined_with: order.combination().map(|c| c.partner),
        tracking: order.dispatch().map(|d| TrackingView {
            carrier: d.carrier.as_str().to_owned(),
            tracking_number: d.tracking_number.as_str().to_owned(),
        }),
        books: terms
            .books
            .iter()
            .map(|b| BookView { isbn: b.isbn.to_string(), title: b.title.as_str().to_owned() })
            .collect(),
        awaiting: order.wait().map(|w| AwaitingView { step: w.step, attempt: w.attempt.get(), until: w.until }),
    }
}

fn stock_view(order: &Order) -> StockView {
    let state = match order.holding() {
        Holding::Nothing if order.reservation_unanswered() => "requested",
        Holding::Nothing => "none",
        Holding::Held(_) => "held",
        Holding::Released(_) => "released",
        Holding::Shipped(_) => "shipped",
    };
    StockView {
        state,
        warehouse: order.holding().warehouse(),
        release_requested: order.release_requested(),
        ship_requested: order.ship_requested(),
    }
}

pub(crate) fn standing(order: &Order) -> Standing {
    Standing { status: order.status(), ended: order.is_ended() }
}

pub(crate) fn status_counts(board: &StatusBoard) -> StatusCountsView {
    let by_status = Status::ALL.into_iter().map(|status| (status, board.count(status))).collect();
    let total = board.total();
    StatusCountsView { by_status, total, open: total.saturating_sub(board.ended()), ended: board.ended() }
}

fn status_v1(status: Status) -> StatusV1 {
    match status {
        Status::Placed => StatusV1::Placed,
        Status::Reserved => StatusV1::Reserved,
        Status::Charged => StatusV1::Charged,
        Status::Shipping => StatusV1::Shipping,
        Status::Shipped => StatusV1::Shipped,
        Status::Delivered => StatusV1::Delivered,
        Status::Cancelled => StatusV1::Cancelled,
        Status::Failed => StatusV1::Failed,
        Status::Refunded => StatusV1::Refunded,
    }
}

fn end_state_v1(end_state: EndState) -> EndStateV1 {
    match end_state {
        EndState::Delivered => EndStateV1::Delivered,
        EndState::Cancelled => EndStateV1::Cancelled,
        EndState::Failed => EndStateV1::Failed,
        EndState::Refunded => EndStateV1::Refunded,
    }
}

fn warehouse_v1(warehouse: Warehouse) -> WarehouseV1 {
    match warehouse {
        Warehouse::Dallas => WarehouseV1::Dallas,
        Warehouse::Chicago => WarehouseV1::Chicago,
    }
}

fn money_v1(money: Money) -> MoneyV1 {
    MoneyV1 {
        amount_cents: money.amount_cents(),
        currency: match money.currency() {
            Currency::Usd => CurrencyV1::Usd,
        },
    }
}

fn money_view(money: Money) -> MoneyView {
    MoneyView { amount_cents: money.amount_cents(), currency: money.currency().code() }
}
