//! A dispute: the payer told their bank the charge is wrong ("the customer is disputing the
//! charge, we need to respond"). Opened by the bank, answered with evidence, then won (the
//! money stays) or lost (the bank takes it back: a charge-back).
//!
//! A dispute is an entity inside the `Payment` aggregate, not an aggregate of its own: while it
//! is open its amount is held (it cannot also be refunded), and when it is lost the amount
//! leaves the payment. Both are rules about the payment's money, which only one consistency
//! boundary can keep: refunds plus charge-backs never exceed what was captured.

use serde::{Deserialize, Serialize};

use crate::domain::ids::DisputeId;
use crate::domain::money::{Currency, Money};
use crate::domain::text::{DisputeReason, Evidence};

/// How a dispute ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisputeOutcome {
    /// The bank sided with billing: the money stays.
    Won,
    /// The bank sided with the payer: the amount is charged back.
    Lost,
}

impl DisputeOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Won => "won",
            Self::Lost => "lost",
        }
    }
}

/// Where a dispute stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisputeStage {
    Opened,
    Responded { evidence: Evidence },
    Resolved { outcome: DisputeOutcome, evidence: Option<Evidence> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispute {
    dispute_id: DisputeId,
    amount: Money,
    reason: DisputeReason,
    stage: DisputeStage,
}

/// Why a dispute cannot take a step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisputeStepError {
    #[error("the dispute was already answered")]
    AlreadyResponded,
    #[error("the dispute was already resolved ({})", .0.as_str())]
    AlreadyResolved(DisputeOutcome),
}

impl Dispute {
    pub fn opened(dispute_id: DisputeId, amount: Money, reason: DisputeReason) -> Self {
        Self { dispute_id, amount, reason, stage: DisputeStage::Opened }
    }

    pub fn dispute_id(&self) -> DisputeId {
        self.dispute_id
    }

    pub fn amount(&self) -> Money {
        self.amount
    }

    pub fn reason(&self) -> &DisputeReason {
        &self.reason
    }

    pub fn stage(&self) -> &DisputeStage {
        &self.stage
    }

    pub fn outcome(&self) -> Option<DisputeOutcome> {
        match &self.stage {
            DisputeStage::Resolved { outcome, .. } => Some(*outcome),
            DisputeStage::Opened | DisputeStage::Responded { .. } => None,
        }
    }

    /// The money the dispute holds: its amount while it is open, nothing once resolved.
    pub fn held(&self) -> Money {
        match self.outcome() {
            None => self.amount,
            Some(_) => Money::zero(self.amount.currency()),
        }
    }

    /// The money the dispute took away: its amount if lost.
    pub fn charged_back(&self, currency: Currency) -> Money {
        match self.outcome() {
            Some(DisputeOutcome::Lost) => self.amount,
            Some(DisputeOutcome::Won) | None => Money::zero(currency),
        }
    }

    /// Checks that billing may still answer the dispute.
    pub fn can_respond(&self) -> Result<(), DisputeStepError> {
        match &self.stage {
            DisputeStage::Opened => Ok(()),
            DisputeStage::Responded { .. } => Err(DisputeStepError::AlreadyResponded),
            DisputeStage::Resolved { outcome, .. } => Err(DisputeStepError::AlreadyResolved(*outcome)),
        }
    }

    /// Whether resolving with `outcome` is a step (`true`), already done (`false`), or a
    /// contradiction of an earlier resolution.
    pub fn can_resolve(&self, outcome: DisputeOutcome) -> Result<bool, DisputeStepError> {
        match self.outcome() {
            None => Ok(true),
            Some(done) if done == outcome => Ok(false),
            Some(done) => Err(DisputeStepError::AlreadyResolved(done)),
        }
    }

    pub(crate) fn record_response(&mut self, evidence: Evidence) {
        self.stage = DisputeStage::Responded { evidence };
    }

    pub(crate) fn record_outcome(&mut self, outcome: DisputeOutcome) {
        let evidence = match std::mem::replace(&mut self.stage, DisputeStage::Opened) {
            DisputeStage::Responded { evidence } => Some(evidence),
            DisputeStage::Resolved { evidence, .. } => evidence,
            DisputeStage::Opened => None,
        };
        self.stage = DisputeStage::Resolved { outcome, evidence };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispute() -> Dispute {
        Dispute::opened(
            DisputeId::from_uuid(uuid::Uuid::from_u128(9)),
            Money::positive(1999, Currency::Usd).unwrap(),
            DisputeReason::parse("not received").unwrap(),
        )
    }

    #[test]
    fn an_open_dispute_holds_its_amount_and_a_lost_one_charges_it_back() {
        let mut d = dispute();
        assert_eq!(d.held().amount_cents(), 1999);
        d.record_response(Evidence::parse("tracking 1Z").unwrap());
        assert_eq!(d.can_respond(), Err(DisputeStepError::AlreadyResponded));
        d.record_outcome(DisputeOutcome::Lost);
        assert!(d.held().is_zero());
        assert_eq!(d.charged_back(Currency::Usd).amount_cents(), 1999);
        assert!(matches!(d.stage(), DisputeStage::Resolved { evidence: Some(_), .. }));
    }

    #[test]
    fn a_resolution_is_final() {
        let mut d = dispute();
        assert_eq!(d.can_resolve(DisputeOutcome::Won), Ok(true));
        d.record_outcome(DisputeOutcome::Won);
        assert_eq!(d.can_resolve(DisputeOutcome::Won), Ok(false));
        assert_eq!(d.can_resolve(DisputeOutcome::Lost), Err(DisputeStepError::AlreadyResolved(DisputeOutcome::Won)));
        assert_eq!(d.can_respond(), Err(DisputeStepError::AlreadyResolved(DisputeOutcome::Won)));
        assert!(d.charged_back(Currency::Usd).is_zero());
    }
}
