//! The inbound ports of the subscriptions context: what the runtime, the HTTP API, the CLI and
//! tests may ask of it, and what it answers. It needs nothing from outside besides what the
//! kernel's unit of work gives it (time, ids, aggregates), so there is no outbound port.
//!
//! Commands carry plain input; the context parses it into its value objects and refuses bad
//! input with a [`SubscriptionsError`] naming the field and the reason. Only ids, statuses
//! and the reasons for refusal are re-exported from the domain, so callers can name them.

use serde::Serialize;

pub use crate::domain::gift::GiftMonthsError;
pub use crate::domain::ids::{CustomerId, SubscriptionId};
pub use crate::domain::month::MonthError;
pub use crate::domain::plan::PlanError;
pub use crate::domain::subscription::{Action, Status};

/// A command to the subscriptions context that answers the subscription after it (starting a
/// month's cycle, which answers a report, is [`StartCycle`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionsCommand {
    /// Subscribes a customer, paying monthly, to the plan with this many books (1, 2 or 3),
    /// at today's prices, from this month.
    Subscribe {
        customer_id: CustomerId,
        books_per_month: u32,
    },
    /// `payer_id` gives `recipient_id` a subscription of `months` boxes (1 to 24), paid up
    /// front, from this month.
    Gift {
        payer_id: CustomerId,
        recipient_id: CustomerId,
        books_per_month: u32,
        months: u32,
    },
    Pause {
        subscription_id: SubscriptionId,
    },
    Resume {
        subscription_id: SubscriptionId,
    },
    Cancel {
        subscription_id: SubscriptionId,
    },
    /// Reactivates a paused or cancelled subscription from next month.
    RestartNextMonth {
        subscription_id: SubscriptionId,
    },
}

/// Starts the cycle of `month` (`YYYY-MM`): every active subscription due that month
/// falls due, and each due box is published as `box-due`. Starting a month again has no
/// effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartCycle {
    pub month: String,
}

/// What starting a cycle did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleReport {
    pub month: String,
    /// True when the month had already been started: this command did nothing.
    pub already_started: bool,
    /// The subscriptions whose box fell due by this command, in id order.
    pub boxes_due: Vec<SubscriptionId>,
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionsError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    GiftMonths(#[from] GiftMonthsError),
    #[error(transparent)]
    Month(#[from] MonthError),
    #[error("subscription {0} does not exist")]
    UnknownSubscription(SubscriptionId),
    #[error("subscription {0} already exists")]
    AlreadyExists(SubscriptionId),
    #[error(
        "customer {customer_id} already has a current subscription ({current}); cancel it before starting another"
    )]
    AlreadySubscribed { customer_id: CustomerId, current: SubscriptionId },
    #[error("cannot {action} subscription {subscription_id}: it is {status}")]
    InvalidTransition { subscription_id: SubscriptionId, action: Action, status: Status },
    #[error("a gift's payer and recipient must be different customers")]
    GiftToSelf,
}

impl SubscriptionsError {
    /// The input field at fault, when one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Plan(_) => Some("books_per_month"),
            Self::GiftMonths(_) => Some("months"),
            Self::Month(_) => Some("month"),
            Self::GiftToSelf => Some("recipient_id"),
            Self::UnknownSubscription(_)
            | Self::AlreadyExists(_)
            | Self::AlreadySubscribed { .. }
            | Self::InvalidTransition { .. } => None,
        }
    }
}

/// Questions to the subscriptions context, each with the type of its answer.
pub mod queries {

    use super::{CustomerId, SubscriptionId};

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Subscription {
        pub subscription_id: SubscriptionId,
    }

    /// The customer's current (active or paused) subscription, as its recipient.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CurrentSubscription {
        pub customer_id: CustomerId,
    }

    /// Whether a month's cycle was started, and how many boxes fell due in it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Cycle {
        pub month: String,
    }

    /// The live (active or paused) subscriptions a cycle considers, in id order.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct LiveSubscriptions;
}

/// A subscription as the query port shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubscriptionView {
    pub subscription_id: SubscriptionId,
    /// Who receives the boxes.
    pub customer_id: CustomerId,
    /// Who pays: the giver of a gift, else the customer.
    pub payer_id: CustomerId,
    pub plan: PlanView,
    pub status: Status,
    /// For a gift, how many boxes it pays for.
    pub gift_months: Option<u8>,
    /// The first month a box may fall due (`YYYY-MM`).
    pub due_from: String,
    /// The months in which a box fell due, oldest first.
    pub months_due: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanView {
    pub books_per_month: u8,
    pub monthly_price_cents: u64,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CycleView {
    pub month: String,
    pub started: bool,
    pub boxes_due: u32,
}
