//! The projection: where each fact goes. A pure domain service over a [`Ledger`], run by the
//! live handlers (one unit of work per message, committed with its inbox mark) and by a
//! rebuild in memory alike.
//!
//! Every fact about an order goes to its [`OrderRecord`] first, which keeps each order's facts
//! once and says, in its events, what changed; only those events move the counters:
//!
//! | order record event | counted in |
//! |---|---|
//! | `order-recorded` | `state-sales-<state>` (orders), state directory |
//! | `order-end-recorded` | `state-sales-<state>` (ended, money), `monthly-outcomes-<month>`, month directory |
//! | `value-attributed` | `customer-value-<payer>`, customer directory |
//! | `capture-recorded`, `refund-recorded` | nothing by themselves (they lead to `value-attributed`) |
//!
//! So a message that tells nothing new (a repeat under a new id, a stale state) records
//! nothing at all, and no counter ever counts an order twice.

use kernel::unit_of_work::InfrastructureError;
use kernel::Aggregate;

use crate::domain::book_stock::{BookStock, BookStockCommand};
use crate::domain::customer_value::{CustomerValue, CustomerValueCommand};
use crate::domain::directory::{Directory, DirectoryCommand, Entry};
use crate::domain::facts::Fact;
use crate::domain::ids::OrderId;
use crate::domain::ledger::Ledger;
use crate::domain::models::Kept;
use crate::domain::monthly_outcomes::{MonthlyOutcomes, MonthlyOutcomesCommand};
use crate::domain::order_record::{OrderRecord, OrderRecordCommand, OrderRecordEvent};
use crate::domain::state_sales::{StateSales, StateSalesCommand};

/// Records `fact` in the read models.
pub fn project(ledger: &mut impl Ledger, fact: &Fact) -> Result<(), InfrastructureError> {
    match fact {
        Fact::Order { sighting, end } => {
            let command = OrderRecordCommand::RecordOrder { sighting: *sighting, end: *end };
            order(ledger, sighting.order_id, &command)
        }
        Fact::PaymentCaptured { order_id, payer_id, amount } => {
            let command =
                OrderRecordCommand::RecordCapture { order_id: *order_id, payer_id: *payer_id, amount: *amount };
            order(ledger, *order_id, &command)
        }
        Fact::PaymentRefunded { order_id, refunded_total } => {
            let command = OrderRecordCommand::RaiseRefundTotal { order_id: *order_id, refunded_total: *refunded_total };
            order(ledger, *order_id, &command)
        }
        Fact::StockPublished { isbn, level, version } => {
            let command = BookStockCommand::RecordStock { isbn: isbn.clone(), level: level.clone(), version: *version };
            let recorded = ledger.record::<BookStock>(isbn, &command)?;
            if !recorded.is_empty() {
                list(ledger, isbn.clone())?;
            }
            Ok(())
        }
    }
}

/// Records a fact about an order on its record, then counts what the record says changed.
fn order(ledger: &mut impl Ledger, order_id: OrderId, command: &OrderRecordCommand) -> Result<(), InfrastructureError> {
    for event in ledger.record::<OrderRecord>(&order_id, command)? {
        count(ledger, &event)?;
    }
    Ok(())
}

fn count(ledger: &mut impl Ledger, event: &OrderRecordEvent) -> Result<(), InfrastructureError> {
    match *event {
        OrderRecordEvent::OrderRecorded { order_id, shipping_state, .. } => {
            list(ledger, shipping_state)?;
            ledger.record::<StateSales>(&shipping_state, &StateSalesCommand::CountOrder { order_id })?;
        }
        OrderRecordEvent::OrderEndRecorded { order_id, end_state, captured, refunded, month, shipping_state } => {
            let end = StateSalesCommand::CountEnd { order_id, captured, refunded };
            ledger.record::<StateSales>(&shipping_state, &end)?;
            list(ledger, month)?;
            ledger.record::<MonthlyOutcomes>(&month, &MonthlyOutcomesCommand::CountOutcome { order_id, end_state })?;
        }
        OrderRecordEvent::ValueAttributed { order_id, payer_id, captured, refunded } => {
            list(ledger, payer_id)?;
            ledger.record::<CustomerValue>(
                &payer_id,
                &CustomerValueCommand::CountValue { order_id, captured, refunded },
            )?;
        }
        OrderRecordEvent::CaptureRecorded { .. } | OrderRecordEvent::RefundRecorded { .. } => {}
    }
    Ok(())
}

/// Lists `entry` in its directory (nothing happens if it is listed already).
fn list<K: Entry>(ledger: &mut impl Ledger, entry: K) -> Result<(), InfrastructureError>
where
    Directory<K>: Kept + Aggregate<Command = DirectoryCommand<K>>,
{
    ledger.record::<Directory<K>>(&entry.shard(), &DirectoryCommand::List { entry })?;
    Ok(())
}
