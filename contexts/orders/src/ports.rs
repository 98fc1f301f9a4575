//! The inbound ports of orders: what the runtime, the HTTP API, the CLI and tests may ask of
//! it, and what it answers. Orders needs nothing from outside besides what the kernel's unit
//! of work gives it (time, ids, aggregates, the outbox, deadlines), so there is no outbound
//! port trait: the other contexts it works with are reached by messages.
//!
//! Commands carry plain input; the context parses it into its value objects and refuses bad
//! input with an [`OrdersError`] naming the field and the reason.

use std::collections::BTreeMap;

use kernel::Timestamp;
use serde::Serialize;

pub use crate::domain::box_order::commands::{BoxOrderError, CancelRefusal};
pub use crate::domain::box_order::patience::Step;
pub use crate::domain::box_order::{EndState, Status};
pub use crate::domain::combination::CombinationError;
pub use crate::domain::ids::{BoxId, CustomerId, OrderId, ShipmentId, SubscriptionId};
pub use crate::domain::text::ReasonError;
pub use crate::domain::warehouse::Warehouse;

// Commands to orders, each with the type of its reply. (Box orders themselves are opened by
// curation's `box-curated`.)

/// The customer cancels a box order: allowed until its shipment is requested. `reason`
/// (optional) is kept with the order and published when it ends. Answers the order after the
/// command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelOrder {
    pub order_id: OrderId,
    pub reason: Option<String>,
}

/// Two box orders to the same address, for the same month, travel in one parcel: both must
/// hold their books in the same warehouse and still await their payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombineOrders {
    pub first: OrderId,
    pub second: OrderId,
}

/// What [`CombineOrders`] answers: the two orders after they were combined (first, second),
/// and the parcel they will share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CombinedOrders {
    pub shipment_id: ShipmentId,
    pub orders: Vec<OrderView>,
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrdersError {
    #[error("order {0} does not exist")]
    UnknownOrder(OrderId),
    #[error("reason: {0}")]
    Reason(#[from] ReasonError),
    #[error("order {order_id}: {error}")]
    Refused { order_id: OrderId, error: BoxOrderError },
    #[error("the orders cannot be combined: {0}")]
    Combination(#[from] CombinationError),
}

impl OrdersError {
    /// The input field at fault, when one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Reason(_) => Some("reason"),
            Self::UnknownOrder(_) | Self::Refused { .. } | Self::Combination(_) => None,
        }
    }
}

/// Questions to orders, each with the type of its answer.
pub mod queries {

    use super::{BoxId, CustomerId, OrderId};

    /// An order.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Order {
        pub order_id: OrderId,
    }

    /// The order a curated box became.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OrderForBox {
        pub box_id: BoxId,
    }

    /// The orders a customer receives or pays for, oldest first.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OrdersOfCustomer {
        pub customer_id: CustomerId,
    }

    /// How many orders stand in each status, for an operator.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StatusCounts;
}

/// A box order as the query port shows it: what `box-order` carries, and what an operator
/// needs besides (why it ended, what it waits for, its partner, its parcel's tracking).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderView {
    pub order_id: OrderId,
    pub box_id: BoxId,
    pub subscription_id: SubscriptionId,
    pub customer_id: CustomerId,
    pub payer_id: CustomerId,
    pub month: String,
    pub status: Status,
    pub ended: bool,
    /// Why the order ends or ended, when not delivered.
    pub end_reason: Option<String>,
    pub shipping_state: String,
    pub amount: MoneyView,
    pub captured: MoneyView,
    pub refunded: MoneyView,
    pub warehouse: Option<Warehouse>,
    /// What inventory holds for the order, as far as its answers told, and what the order
    /// asked it to do with it.
    pub stock: StockView,
    /// What the order asked billing to refund in all.
    pub refund_requested: MoneyView,
    pub shipment_id: Option<ShipmentId>,
    pub combined_with: Option<OrderId>,
    pub tracking: Option<TrackingView>,
    pub books: Vec<BookView>,
    /// The answer the order waits for, if any.
    pub awaiting: Option<AwaitingView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MoneyView {
    pub amount_cents: u64,
    pub currency: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StockView {
    /// `requested` (no answer yet), `held`, `released`, `shipped`, or `none`.
    pub state: &'static str,
    pub warehouse: Option<Warehouse>,
    pub release_requested: bool,
    pub ship_requested: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookView {
    pub isbn: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackingView {
    pub carrier: String,
    pub tracking_number: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AwaitingView {
    pub step: Step,
    pub attempt: u8,
    pub until: Timestamp,
}

/// Orders by status; `ended` counts the orders whose process is over, `open` the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusCountsView {
    pub by_status: BTreeMap<Status, u64>,
    pub total: u64,
    pub open: u64,
    pub ended: u64,
}
