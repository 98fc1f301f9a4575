//! `/orders`: box orders, opened by curation's curated boxes and driven by a process manager
//! (reserve, charge, ship, deliver, or compensate). A customer acts on one through its
//! sub-resources: its `cancellation` (allowed until its shipment is requested) and its
//! `combination` with another order (one parcel for two boxes of a month to one address).

use actix_web::web::{Json, Path};
use actix_web::{get, put};
use orders::ports::{
    queries, AwaitingView, BookView, BoxId, BoxOrderError, CancelOrder, CombinationError, CombineOrders,
    CombinedOrders, CustomerId, MoneyView, OrderId, OrderView, OrdersError, ShipmentId, Status, StatusCountsView, Step,
    StockView, SubscriptionId, TrackingView, Warehouse,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::input::bodies;
use crate::http::mirror::{ids_as_uuids, mirror, FromView};
use crate::http::problem::{Kind, Rejection};
use crate::http::reply::{self, Accepted, Answer, Money, Reply};
use crate::http::state::State;

/// The orders' routes.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(get_order)
        .service(order_for_box)
        .service(orders_of_customer)
        .service(statistics)
        .service(cancel)
        .service(combine);
}

bodies! {
    /// Cancel an order: `{}`, or with a reason kept with the order.
    #[derive(Default)]
    pub struct Cancellation {
        #[schema(example = "moving house")]
        pub reason: Option<String>,
    }

    /// Combine this order with another, into one parcel.
    pub struct CombinationRequest {
        /// The other order.
        pub with: Uuid,
    }
}

mirror! {
    /// A box order.
    pub struct Order from OrderView {
        pub order_id: Uuid,
        pub box_id: Uuid,
        pub subscription_id: Uuid,
        pub customer_id: Uuid,
        pub payer_id: Uuid,
        /// `YYYY-MM`.
        pub month: String,
        pub status: OrderStatus,
        /// Whether the order's process is over.
        pub ended: bool,
        /// Why the order ends or ended, when not delivered.
        pub end_reason: Option<String>,
        pub shipping_state: String,
        pub amount: Money,
        pub captured: Money,
        pub refunded: Money,
        /// `dallas` or `chicago`, once known.
        pub warehouse: Option<String>,
        pub stock: OrderStock,
        /// What the order asked billing to refund in all.
        pub refund_requested: Money,
        pub shipment_id: Option<Uuid>,
        pub combined_with: Option<Uuid>,
        pub tracking: Option<Tracking>,
        pub books: Vec<OrderBook>,
        /// The answer the order waits for, if any.
        pub awaiting: Option<Awaiting>,
    }

    #[serde(rename_all = "kebab-case")]
    pub enum OrderStatus from Status {
        Placed,
        Reserved,
        Charged,
        Shipping,
        Shipped,
        Delivered,
        Cancelled,
        Failed,
        Refunded,
    }

    /// What inventory holds for the order, as far as its answers told.
    pub struct OrderStock from StockView {
        /// `requested` (no answer yet), `held`, `released`, `shipped`, or `none`.
        pub state: String,
        pub warehouse: Option<String>,
        pub release_requested: bool,
        pub ship_requested: bool,
    }

    pub struct Tracking from TrackingView {
        pub carrier: String,
        pub tracking_number: String,
    }

    pub struct OrderBook from BookView {
        pub isbn: String,
        pub title: String,
    }

    /// A step waiting for another context's answer.
    pub struct Awaiting from AwaitingView {
        /// `reservation`, `payment`, `shipment`, `delivery` or `refund`.
        pub step: String,
        pub attempt: u8,
        /// When the order stops waiting (RFC 3339).
        pub until: String,
    }

    /// Two orders combined into one parcel.
    pub struct Combination from CombinedOrders {
        pub shipment_id: Uuid,
        pub orders: Vec<Order>,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderList {
    pub orders: Vec<Order>,
}

/// How many orders stand in each status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderStatistics {
    /// Orders by status (kebab-case status names).
    pub by_status: std::collections::BTreeMap<String, u64>,
    pub total: u64,
    /// Orders whose process goes on.
    pub open: u64,
    /// Orders whose process is over.
    pub ended: u64,
}

ids_as_uuids!(OrderId, BoxId, SubscriptionId, CustomerId, ShipmentId);

impl FromView<MoneyView> for Money {
    fn from_view(m: MoneyView) -> Self {
        Money { amount_cents: m.amount_cents, currency: m.currency.to_owned() }
    }
}

impl FromView<Warehouse> for String {
    fn from_view(w: Warehouse) -> Self {
        match w {
            Warehouse::Dallas => "dallas",
            Warehouse::Chicago => "chicago",
        }
        .to_owned()
    }
}

impl FromView<Step> for String {
    fn from_view(s: Step) -> Self {
        match s {
            Step::Reservation => "reservation",
            Step::Payment => "payment",
            Step::Shipment => "shipment",
            Step::Delivery => "delivery",
            Step::Refund => "refund",
        }
        .to_owned()
    }
}

impl From<StatusCountsView> for OrderStatistics {
    fn from(v: StatusCountsView) -> Self {
        let name = |status| serde_json::to_value(OrderStatus::from(status)).ok()?.as_str().map(str::to_owned);
        let by_status = v.by_status.into_iter().map(|(status, n)| (name(status).unwrap_or_default(), n)).collect();
        Self { by_status, total: v.total, open: v.open, ended: v.ended }
    }
}

impl Rejection for OrdersError {
    fn kind(&self) -> Kind {
        match self {
            Self::UnknownOrder(_) => Kind::NotFound,
            Self::Reason(_) => Kind::Rejected,
            Self::Refused { error, .. } => match error {
                BoxOrderError::NotPlaced => Kind::NotFound,
                BoxOrderError::AlreadyPlaced | BoxOrderError::AlreadyCombined { .. } => Kind::Conflict,
                _ => Kind::Rejected,
            },
            Self::Combination(error) => match error {
                CombinationError::UnknownOrder(_) => Kind::NotFound,
                CombinationError::AlreadyCombined { .. } => Kind::Conflict,
                _ => Kind::Rejected,
            },
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::Combination(CombinationError::SameOrder) => Some("with".to_owned()),
            other => OrdersError::field(other).map(str::to_owned),
        }
    }
}

/// An order.
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 404, description = "No such order"),
    )
)]
#[get("/orders/{order_id}")]
pub async fn get_order(state: State, path: Path<Uuid>) -> Answer<Order> {
    Ok(Json(state.query(queries::Order { order_id: OrderId::from_uuid(path.into_inner()) }).await?.into()))
}

/// The order a curated box became.
#[utoipa::path(
    params(("box_id" = Uuid, Path, description = "The curated box's id")),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 404, description = "No order for the box (yet)"),
    )
)]
#[get("/boxes/{box_id}/order")]
pub async fn order_for_box(state: State, path: Path<Uuid>) -> Answer<Order> {
    Ok(Json(state.query(queries::OrderForBox { box_id: BoxId::from_uuid(path.into_inner()) }).await?.into()))
}

/// The orders a customer receives or pays for, oldest first.
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses((status = 200, description = "The orders", body = OrderList))
)]
#[get("/customers/{customer_id}/orders")]
pub async fn orders_of_customer(state: State, path: Path<Uuid>) -> Answer<OrderList> {
    let query = queries::OrdersOfCustomer { customer_id: CustomerId::from_uuid(path.into_inner()) };
    Ok(Json(OrderList { orders: FromView::from_view(state.query(query).await?) }))
}

/// How many orders stand in each status.
#[utoipa::path(responses((status = 200, description = "The counts", body = OrderStatistics)))]
#[get("/order-statistics")]
pub async fn statistics(state: State) -> Answer<OrderStatistics> {
    Ok(Json(state.query(queries::StatusCounts).await?.into()))
}

/// Cancel an order (until its shipment is requested; after, return the parcel for a refund).
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = Cancellation,
    responses(
        (status = 200, description = "Cancelled (its books are released and its payment refunded)", body = Accepted<Order>),
        (status = 404, description = "No such order"),
        (status = 422, description = "Too late to cancel (named in `detail`), or the reason is refused"),
    )
)]
#[put("/orders/{order_id}/cancellation")]
pub async fn cancel(state: State, path: Path<Uuid>, body: Json<Cancellation>) -> Reply {
    let command = CancelOrder { order_id: OrderId::from_uuid(path.into_inner()), reason: body.into_inner().reason };
    Ok(reply::ok::<Order>(state.execute(command).await?))
}

/// Combine two orders into one parcel (same month, same address, same warehouse, both
/// awaiting their payment).
#[utoipa::path(
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = CombinationRequest,
    responses(
        (status = 200, description = "Combined; the parcel they will share", body = Accepted<Combination>),
        (status = 404, description = "No such order"),
        (status = 409, description = "An order is already combined"),
        (status = 422, description = "The orders cannot travel together (named in `detail`)"),
    )
)]
#[put("/orders/{order_id}/combination")]
pub async fn combine(state: State, path: Path<Uuid>, body: Json<CombinationRequest>) -> Reply {
    let (first, second) = (OrderId::from_uuid(path.into_inner()), OrderId::from_uuid(body.into_inner().with));
    Ok(reply::ok::<Combination>(state.execute(CombineOrders { first, second }).await?))
}
