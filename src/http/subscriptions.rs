//! Subscriptions' resources. `/subscriptions`: subscribing, and the lifecycle as resources: a
//! subscription's `pause` (PUT to pause, DELETE to resume), its `cancellation`, its `restart`
//! next month. `/gifts`: one customer gives another a subscription of some months, paid up
//! front (a gift is a subscription: the answer is the new subscription, and `Location` points
//! at it). `/cycles/{month}`: a month's subscription cycle; starting it (PUT) makes every
//! active subscription due that month fall due, and each due box goes on to curation; starting
//! a month again does nothing.

use actix_web::web::{Json, Path};
use actix_web::{delete, get, post, put};
use serde::{Deserialize, Serialize};
use subscriptions::ports::{
    queries, CustomerId, CycleReport, CycleView, PlanView, StartCycle, Status, SubscriptionId, SubscriptionView,
    SubscriptionsCommand, SubscriptionsError,
};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::http::input::{bodies, Month};
use crate::http::mirror::{ids_as_uuids, mirror, FromView};
use crate::http::problem::{Kind, Rejection};
use crate::http::reply::{self, Accepted, Answer, Reply};
use crate::http::state::State;

/// The subscriptions' routes: subscriptions, gifts, cycles.
pub fn routes(config: &mut ServiceConfig) {
    config
        .service(subscribe)
        .service(live)
        .service(get_subscription)
        .service(current)
        .service(pause)
        .service(resume)
        .service(cancel)
        .service(restart)
        .service(give)
        .service(start)
        .service(cycle);
}

bodies! {
    /// A new subscription, paid monthly, from this month.
    pub struct NewSubscription {
        pub customer_id: Uuid,
        /// The plan: 1, 2 or 3 books a month.
        #[schema(example = 2)]
        pub books_per_month: u32,
    }

    /// A gift subscription, from this month.
    pub struct Gift {
        /// Who pays.
        pub payer_id: Uuid,
        /// Who receives the boxes (another customer).
        pub recipient_id: Uuid,
        /// The plan: 1, 2 or 3 books a month.
        #[schema(example = 1)]
        pub books_per_month: u32,
        /// How many boxes: 1 to 24.
        #[schema(example = 6)]
        pub months: u32,
    }
}

mirror! {
    /// A subscription.
    pub struct Subscription from SubscriptionView {
        pub subscription_id: Uuid,
        /// Who receives the boxes.
        pub customer_id: Uuid,
        /// Who pays: the giver of a gift, else the customer.
        pub payer_id: Uuid,
        pub plan: Plan,
        pub status: SubscriptionStatus,
        /// For a gift, how many boxes it pays for.
        pub gift_months: Option<u8>,
        /// The first month a box may fall due (`YYYY-MM`).
        pub due_from: String,
        /// The months in which a box fell due, oldest first.
        pub months_due: Vec<String>,
    }

    pub struct Plan from PlanView {
        pub books_per_month: u8,
        pub monthly_price_cents: u64,
        pub currency: String,
    }

    #[serde(rename_all = "kebab-case")]
    pub enum SubscriptionStatus from Status {
        Active,
        Paused,
        Cancelled,
        /// A gift whose last box fell due.
        Ended,
    }

    /// What starting a cycle did.
    pub struct CycleStarted from CycleReport {
        pub month: String,
        /// True when the month had already been started: this request did nothing.
        pub already_started: bool,
        /// The subscriptions whose box fell due, in id order.
        pub boxes_due: Vec<Uuid>,
    }

    /// A month's cycle.
    pub struct Cycle from CycleView {
        pub month: String,
        pub started: bool,
        pub boxes_due: u32,
    }
}

/// The live (active or paused) subscriptions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiveSubscriptions {
    pub subscription_ids: Vec<Uuid>,
}

ids_as_uuids!(SubscriptionId, CustomerId);

impl Rejection for SubscriptionsError {
    fn kind(&self) -> Kind {
        match self {
            Self::Plan(_) | Self::GiftMonths(_) | Self::Month(_) | Self::GiftToSelf => Kind::Rejected,
            Self::InvalidTransition { .. } => Kind::Rejected,
            Self::UnknownSubscription(_) => Kind::NotFound,
            Self::AlreadyExists(_) | Self::AlreadySubscribed { .. } => Kind::Conflict,
        }
    }

    fn field(&self) -> Option<String> {
        SubscriptionsError::field(self).map(str::to_owned)
    }
}

/// Runs a command that creates a subscription: `201`, with its `Location`.
async fn create(state: State, command: SubscriptionsCommand) -> Reply {
    let executed = state.execute(command).await?;
    Ok(reply::created(executed, |s: &Subscription| format!("/subscriptions/{}", s.subscription_id)))
}

/// Runs a step of a subscription's lifecycle.
async fn lifecycle(state: State, path: Path<Uuid>, command: fn(SubscriptionId) -> SubscriptionsCommand) -> Reply {
    let executed = state.execute(command(SubscriptionId::from_uuid(path.into_inner()))).await?;
    Ok(reply::ok::<Subscription>(executed))
}

/// Subscribe a customer (paid monthly, from this month).
#[utoipa::path(
    request_body = NewSubscription,
    responses(
        (status = 201, description = "Subscribed; `Location` is the new subscription", body = Accepted<Subscription>,
            headers(("Location" = String))),
        (status = 409, description = "The customer already has a current subscription"),
        (status = 422, description = "The plan is refused"),
    )
)]
#[post("/subscriptions")]
pub async fn subscribe(state: State, body: Json<NewSubscription>) -> Reply {
    let NewSubscription { customer_id, books_per_month } = body.into_inner();
    create(state, SubscriptionsCommand::Subscribe { customer_id: CustomerId::from_uuid(customer_id), books_per_month })
        .await
}

/// The live (active or paused) subscriptions, in id order.
#[utoipa::path(responses((status = 200, description = "Their ids", body = LiveSubscriptions)))]
#[get("/subscriptions")]
pub async fn live(state: State) -> Answer<LiveSubscriptions> {
    let ids = state.query(queries::LiveSubscriptions).await?;
    Ok(Json(LiveSubscriptions { subscription_ids: FromView::from_view(ids) }))
}

/// A subscription.
#[utoipa::path(
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 404, description = "No such subscription"),
    )
)]
#[get("/subscriptions/{subscription_id}")]
pub async fn get_subscription(state: State, path: Path<Uuid>) -> Answer<Subscription> {
    let query = queries::Subscription { subscription_id: SubscriptionId::from_uuid(path.into_inner()) };
    Ok(Json(state.query(query).await?.into()))
}

/// A customer's current (active or paused) subscription, as its recipient.
#[utoipa::path(
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 404, description = "The customer has no current subscription"),
    )
)]
#[get("/customers/{customer_id}/subscription")]
pub async fn current(state: State, path: Path<Uuid>) -> Answer<Subscription> {
    let query = queries::CurrentSubscription { customer_id: CustomerId::from_uuid(path.into_inner()) };
    Ok(Json(state.query(query).await?.into()))
}

/// Pause a subscription: no box falls due while it is paused.
#[utoipa::path(
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Paused", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It cannot be paused in its status"),
    )
)]
#[put("/subscriptions/{subscription_id}/pause")]
pub async fn pause(state: State, path: Path<Uuid>) -> Reply {
    lifecycle(state, path, |subscription_id| SubscriptionsCommand::Pause { subscription_id }).await
}

/// Resume a paused subscription (remove its pause).
#[utoipa::path(
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Resumed", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It is not paused"),
    )
)]
#[delete("/subscriptions/{subscription_id}/pause")]
pub async fn resume(state: State, path: Path<Uuid>) -> Reply {
    lifecycle(state, path, |subscription_id| SubscriptionsCommand::Resume { subscription_id }).await
}

/// Cancel a subscription.
#[utoipa::path(
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Cancelled", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It cannot be cancelled in its status"),
    )
)]
#[put("/subscriptions/{subscription_id}/cancellation")]
pub async fn cancel(state: State, path: Path<Uuid>) -> Reply {
    lifecycle(state, path, |subscription_id| SubscriptionsCommand::Cancel { subscription_id }).await
}

/// Restart a paused or cancelled subscription from next month.
#[utoipa::path(
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Restarts next month", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It cannot be restarted in its status"),
    )
)]
#[put("/subscriptions/{subscription_id}/restart")]
pub async fn restart(state: State, path: Path<Uuid>) -> Reply {
    lifecycle(state, path, |subscription_id| SubscriptionsCommand::RestartNextMonth { subscription_id }).await
}

/// Give a subscription.
#[utoipa::path(
    request_body = Gift,
    responses(
        (status = 201, description = "Given; `Location` is the new subscription", body = Accepted<Subscription>,
            headers(("Location" = String))),
        (status = 409, description = "The recipient already has a current subscription"),
        (status = 422, description = "The plan, the months or the recipient is refused (named in `field`)"),
    )
)]
#[post("/gifts")]
pub async fn give(state: State, body: Json<Gift>) -> Reply {
    let Gift { payer_id, recipient_id, books_per_month, months } = body.into_inner();
    let (payer_id, recipient_id) = (CustomerId::from_uuid(payer_id), CustomerId::from_uuid(recipient_id));
    create(state, SubscriptionsCommand::Gift { payer_id, recipient_id, books_per_month, months }).await
}

/// Start a month's cycle.
#[utoipa::path(
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    responses(
        (status = 200, description = "Started (or already started)", body = Accepted<CycleStarted>),
        (status = 422, description = "The month is refused"),
    )
)]
#[put("/cycles/{month}")]
pub async fn start(state: State, path: Path<Month>) -> Reply {
    Ok(reply::ok::<CycleStarted>(state.execute(StartCycle { month: path.into_inner().into() }).await?))
}

/// A month's cycle: whether it started, and how many boxes fell due.
#[utoipa::path(
    params(("month" = Month, Path, description = "The month, `YYYY-MM`")),
    responses((status = 200, description = "The cycle", body = Cycle))
)]
#[get("/cycles/{month}")]
pub async fn cycle(state: State, path: Path<Month>) -> Answer<Cycle> {
    Ok(Json(state.query(queries::Cycle { month: path.into_inner().into() }).await?.into()))
}
