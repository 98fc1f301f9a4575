//! `/orders`: box orders, opened by curation's curated boxes and driven by a process manager
//! (reserve, charge, ship, deliver, or compensate). A customer acts on one through its
//! sub-resources: its `cancellation` (allowed until its shipment is requested) and its
//! `combination` with another order (one parcel for two boxes of a month to one address).

use actix_web::{get, put, web, HttpResponse};
use orders::ports::{
    queries, AwaitingView, BoxId, BoxOrderError, CancelOrder, CombinationError, CombineOrders, CombinedOrders,
    CustomerId, MoneyView, OrderId, OrderView, OrdersError, Status, StatusCountsView, Step, Warehouse,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted, Money};
use crate::http::state::AppState;

/// Cancel an order: `{}`, or with a reason kept with the order.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancellation {
    #[schema(example = "moving house")]
    pub reason: Option<String>,
}

/// Combine this order with another, into one parcel.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CombinationRequest {
    /// The other order.
    pub with: Uuid,
}

/// A box order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Order {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OrderStatus {
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
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderStock {
    /// `requested` (no answer yet), `held`, `released`, `shipped`, or `none`.
    pub state: String,
    pub warehouse: Option<String>,
    pub release_requested: bool,
    pub ship_requested: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tracking {
    pub carrier: String,
    pub tracking_number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderBook {
    pub isbn: String,
    pub title: String,
}

/// A step waiting for another context's answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Awaiting {
    /// `reservation`, `payment`, `shipment`, `delivery` or `refund`.
    pub step: String,
    pub attempt: u8,
    /// When the order stops waiting (RFC 3339).
    pub until: String,
}

/// Two orders combined into one parcel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Combination {
    pub shipment_id: Uuid,
    pub orders: Vec<Order>,
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

fn money(m: MoneyView) -> Money {
    Money { amount_cents: m.amount_cents, currency: m.currency.to_owned() }
}

fn warehouse(w: Warehouse) -> String {
    match w {
        Warehouse::Dallas => "dallas",
        Warehouse::Chicago => "chicago",
    }
    .to_owned()
}

impl From<Status> for OrderStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Placed => Self::Placed,
            Status::Reserved => Self::Reserved,
            Status::Charged => Self::Charged,
            Status::Shipping => Self::Shipping,
            Status::Shipped => Self::Shipped,
            Status::Delivered => Self::Delivered,
            Status::Cancelled => Self::Cancelled,
            Status::Failed => Self::Failed,
            Status::Refunded => Self::Refunded,
        }
    }
}

fn step(s: Step) -> &'static str {
    match s {
        Step::Reservation => "reservation",
        Step::Payment => "payment",
        Step::Shipment => "shipment",
        Step::Delivery => "delivery",
        Step::Refund => "refund",
    }
}

impl From<OrderView> for Order {
    fn from(v: OrderView) -> Self {
        Self {
            order_id: v.order_id.as_uuid(),
            box_id: v.box_id.as_uuid(),
            subscription_id: v.subscription_id.as_uuid(),
            customer_id: v.customer_id.as_uuid(),
            payer_id: v.payer_id.as_uuid(),
            month: v.month,
            status: v.status.into(),
            ended: v.ended,
            end_reason: v.end_reason,
            shipping_state: v.shipping_state,
            amount: money(v.amount),
            captured: money(v.captured),
            refunded: money(v.refunded),
            warehouse: v.warehouse.map(warehouse),
            stock: OrderStock {
                state: v.stock.state.to_owned(),
                warehouse: v.stock.warehouse.map(warehouse),
                release_requested: v.stock.release_requested,
                ship_requested: v.stock.ship_requested,
            },
            refund_requested: money(v.refund_requested),
            shipment_id: v.shipment_id.map(|id| id.as_uuid()),
            combined_with: v.combined_with.map(|id| id.as_uuid()),
            tracking: v.tracking.map(|t| Tracking { carrier: t.carrier, tracking_number: t.tracking_number }),
            books: v.books.into_iter().map(|b| OrderBook { isbn: b.isbn, title: b.title }).collect(),
            awaiting: v.awaiting.map(|AwaitingView { step: s, attempt, until }| Awaiting {
                step: step(s).to_owned(),
                attempt,
                until: until.to_string(),
            }),
        }
    }
}

impl From<Box<OrderView>> for Order {
    fn from(v: Box<OrderView>) -> Self {
        Self::from(*v)
    }
}

impl From<StatusCountsView> for OrderStatistics {
    fn from(v: StatusCountsView) -> Self {
        let by_status = v
            .by_status
            .into_iter()
            .map(|(status, n)| {
                let name = serde_json::to_value(OrderStatus::from(status))
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                (name, n)
            })
            .collect();
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
    tag = "orders",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 404, description = "No such order"),
    )
)]
#[get("/orders/{order_id}")]
pub async fn get_order(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<web::Json<Order>, Problem> {
    let view = state.query(queries::Order { order_id: OrderId::from_uuid(path.into_inner()) }).await?;
    Ok(web::Json(view.into()))
}

/// The order a curated box became.
#[utoipa::path(
    tag = "orders",
    params(("box_id" = Uuid, Path, description = "The curated box's id")),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 404, description = "No order for the box (yet)"),
    )
)]
#[get("/boxes/{box_id}/order")]
pub async fn order_for_box(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<web::Json<Order>, Problem> {
    let view = state.query(queries::OrderForBox { box_id: BoxId::from_uuid(path.into_inner()) }).await?;
    Ok(web::Json(view.into()))
}

/// The orders a customer receives or pays for, oldest first.
#[utoipa::path(
    tag = "orders",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses((status = 200, description = "The orders", body = OrderList))
)]
#[get("/customers/{customer_id}/orders")]
pub async fn orders_of_customer(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<web::Json<OrderList>, Problem> {
    let query = queries::OrdersOfCustomer { customer_id: CustomerId::from_uuid(path.into_inner()) };
    let views = state.query(query).await?;
    Ok(web::Json(OrderList { orders: views.into_iter().map(Order::from).collect() }))
}

/// How many orders stand in each status.
#[utoipa::path(tag = "orders", responses((status = 200, description = "The counts", body = OrderStatistics)))]
#[get("/order-statistics")]
pub async fn statistics(state: web::Data<AppState>) -> Result<web::Json<OrderStatistics>, Problem> {
    Ok(web::Json(state.query(queries::StatusCounts).await?.into()))
}

/// Cancel an order (until its shipment is requested; after, return the parcel for a refund).
#[utoipa::path(
    tag = "orders",
    params(("order_id" = Uuid, Path, description = "The order's id")),
    request_body = Cancellation,
    responses(
        (status = 200, description = "Cancelled (its books are released and its payment refunded)", body = Accepted<Order>),
        (status = 404, description = "No such order"),
        (status = 422, description = "Too late to cancel (named in `detail`), or the reason is refused"),
    )
)]
#[put("/orders/{order_id}/cancellation")]
pub async fn cancel(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<Cancellation>,
) -> Result<HttpResponse, Problem> {
    let command = CancelOrder { order_id: OrderId::from_uuid(path.into_inner()), reason: body.into_inner().reason };
    let executed = state.execute(command).await?;
    Ok(reply::ok(&executed, Order::from(executed.reply.clone())))
}

/// Combine two orders into one parcel (same month, same address, same warehouse, both
/// awaiting their payment).
#[utoipa::path(
    tag = "orders",
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
pub async fn combine(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<CombinationRequest>,
) -> Result<HttpResponse, Problem> {
    let command = CombineOrders {
        first: OrderId::from_uuid(path.into_inner()),
        second: OrderId::from_uuid(body.into_inner().with),
    };
    let executed = state.execute(command).await?;
    let CombinedOrders { shipment_id, orders } = executed.reply.clone();
    let combination =
        Combination { shipment_id: shipment_id.as_uuid(), orders: orders.into_iter().map(Order::from).collect() };
    Ok(reply::ok(&executed, combination))
}
