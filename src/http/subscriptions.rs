//! `/subscriptions`: subscribing, and the lifecycle as resources: a subscription's `pause`
//! (PUT to pause, DELETE to resume), its `cancellation`, its `restart` next month. Gifts
//! (`/gifts`) and monthly cycles (`/cycles`) have their own modules.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::{Deserialize, Serialize};
use subscriptions::ports::{
    queries, CustomerId, PlanView, Status, SubscriptionId, SubscriptionView, SubscriptionsCommand, SubscriptionsError,
};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::problem::{Kind, Problem, Rejection};
use crate::http::reply::{self, Accepted};
use crate::http::state::AppState;

/// A new subscription, paid monthly, from this month.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    pub customer_id: Uuid,
    /// The plan: 1, 2 or 3 books a month.
    #[schema(example = 2)]
    pub books_per_month: u32,
}

/// A subscription.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Subscription {
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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    pub books_per_month: u8,
    pub monthly_price_cents: u64,
    pub currency: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SubscriptionStatus {
    Active,
    Paused,
    Cancelled,
    /// A gift whose last box fell due.
    Ended,
}

/// The live (active or paused) subscriptions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LiveSubscriptions {
    pub subscription_ids: Vec<Uuid>,
}

impl From<Status> for SubscriptionStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Active => Self::Active,
            Status::Paused => Self::Paused,
            Status::Cancelled => Self::Cancelled,
            Status::Ended => Self::Ended,
        }
    }
}

impl From<PlanView> for Plan {
    fn from(p: PlanView) -> Self {
        Self { books_per_month: p.books_per_month, monthly_price_cents: p.monthly_price_cents, currency: p.currency }
    }
}

impl From<SubscriptionView> for Subscription {
    fn from(v: SubscriptionView) -> Self {
        Self {
            subscription_id: v.subscription_id.as_uuid(),
            customer_id: v.customer_id.as_uuid(),
            payer_id: v.payer_id.as_uuid(),
            plan: v.plan.into(),
            status: v.status.into(),
            gift_months: v.gift_months,
            due_from: v.due_from,
            months_due: v.months_due,
        }
    }
}

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

/// Runs a command whose reply is a subscription.
pub(crate) async fn subscription_command(
    state: &AppState,
    command: SubscriptionsCommand,
    created: bool,
) -> Result<HttpResponse, Problem> {
    let executed = state.execute(command).await?;
    let subscription = Subscription::from(executed.reply.clone());
    if created {
        let location = format!("/subscriptions/{}", subscription.subscription_id);
        return Ok(reply::created(&executed, subscription, location));
    }
    Ok(reply::ok(&executed, subscription))
}

async fn lifecycle(
    state: &AppState,
    subscription_id: Uuid,
    command: fn(SubscriptionId) -> SubscriptionsCommand,
) -> Result<HttpResponse, Problem> {
    subscription_command(state, command(SubscriptionId::from_uuid(subscription_id)), false).await
}

/// Subscribe a customer (paid monthly, from this month).
#[utoipa::path(
    tag = "subscriptions",
    request_body = NewSubscription,
    responses(
        (status = 201, description = "Subscribed; `Location` is the new subscription", body = Accepted<Subscription>,
            headers(("Location" = String))),
        (status = 409, description = "The customer already has a current subscription"),
        (status = 422, description = "The plan is refused"),
    )
)]
#[post("/subscriptions")]
pub async fn subscribe(state: web::Data<AppState>, body: web::Json<NewSubscription>) -> Result<HttpResponse, Problem> {
    let body = body.into_inner();
    let command = SubscriptionsCommand::Subscribe {
        customer_id: CustomerId::from_uuid(body.customer_id),
        books_per_month: body.books_per_month,
    };
    subscription_command(&state, command, true).await
}

/// The live (active or paused) subscriptions, in id order.
#[utoipa::path(tag = "subscriptions", responses((status = 200, description = "Their ids", body = LiveSubscriptions)))]
#[get("/subscriptions")]
pub async fn live(state: web::Data<AppState>) -> Result<web::Json<LiveSubscriptions>, Problem> {
    let ids = state.query(queries::LiveSubscriptions).await?;
    Ok(web::Json(LiveSubscriptions { subscription_ids: ids.iter().map(|id| id.as_uuid()).collect() }))
}

/// A subscription.
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 404, description = "No such subscription"),
    )
)]
#[get("/subscriptions/{subscription_id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<web::Json<Subscription>, Problem> {
    let query = queries::Subscription { subscription_id: SubscriptionId::from_uuid(path.into_inner()) };
    Ok(web::Json(state.query(query).await?.into()))
}

/// A customer's current (active or paused) subscription, as its recipient.
#[utoipa::path(
    tag = "subscriptions",
    params(("customer_id" = Uuid, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The subscription", body = Subscription),
        (status = 404, description = "The customer has no current subscription"),
    )
)]
#[get("/customers/{customer_id}/subscription")]
pub async fn current(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<web::Json<Subscription>, Problem> {
    let query = queries::CurrentSubscription { customer_id: CustomerId::from_uuid(path.into_inner()) };
    Ok(web::Json(state.query(query).await?.into()))
}

/// Pause a subscription: no box falls due while it is paused.
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Paused", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It cannot be paused in its status"),
    )
)]
#[put("/subscriptions/{subscription_id}/pause")]
pub async fn pause(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    lifecycle(&state, path.into_inner(), |subscription_id| SubscriptionsCommand::Pause { subscription_id }).await
}

/// Resume a paused subscription (remove its pause).
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Resumed", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It is not paused"),
    )
)]
#[delete("/subscriptions/{subscription_id}/pause")]
pub async fn resume(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    lifecycle(&state, path.into_inner(), |subscription_id| SubscriptionsCommand::Resume { subscription_id }).await
}

/// Cancel a subscription.
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Cancelled", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It cannot be cancelled in its status"),
    )
)]
#[put("/subscriptions/{subscription_id}/cancellation")]
pub async fn cancel(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    lifecycle(&state, path.into_inner(), |subscription_id| SubscriptionsCommand::Cancel { subscription_id }).await
}

/// Restart a paused or cancelled subscription from next month.
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "Restarts next month", body = Accepted<Subscription>),
        (status = 404, description = "No such subscription"),
        (status = 422, description = "It cannot be restarted in its status"),
    )
)]
#[put("/subscriptions/{subscription_id}/restart")]
pub async fn restart(state: web::Data<AppState>, path: web::Path<Uuid>) -> Result<HttpResponse, Problem> {
    lifecycle(&state, path.into_inner(), |subscription_id| SubscriptionsCommand::RestartNextMonth { subscription_id })
        .await
}
