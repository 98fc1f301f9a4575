//! `/gifts`: one customer gives another a subscription of some months, paid up front. A gift
//! is a subscription: the answer is the new subscription, and `Location` points at it.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use subscriptions::ports::{CustomerId, SubscriptionsCommand};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::problem::Problem;
use crate::http::reply::Accepted;
use crate::http::state::AppState;
use crate::http::subscriptions::{subscription_command, Subscription};

/// A gift subscription, from this month.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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

/// Give a subscription.
#[utoipa::path(
    tag = "subscriptions",
    request_body = Gift,
    responses(
        (status = 201, description = "Given; `Location` is the new subscription", body = Accepted<Subscription>,
            headers(("Location" = String))),
        (status = 409, description = "The recipient already has a current subscription"),
        (status = 422, description = "The plan, the months or the recipient is refused (named in `field`)"),
    )
)]
#[post("/gifts")]
pub async fn give(state: web::Data<AppState>, body: web::Json<Gift>) -> Result<HttpResponse, Problem> {
    let gift = body.into_inner();
    let command = SubscriptionsCommand::Gift {
        payer_id: CustomerId::from_uuid(gift.payer_id),
        recipient_id: CustomerId::from_uuid(gift.recipient_id),
        books_per_month: gift.books_per_month,
        months: gift.months,
    };
    subscription_command(&state, command, true).await
}
