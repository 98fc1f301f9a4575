//! The `EmailClaim` aggregate: the registry entry for one mailbox, keyed by its
//! [`EmailKey`](crate::domain::email::EmailKey) (stream `email-claim-<key>`).
//!
//! "No two customers share an email" is a rule over a set of aggregates, which no single
//! `Customer` can check. Instead of a query before the write (which races), each mailbox
//! gets its own small aggregate that a customer must *claim*. The application writes the
//! claim and the customer in one unit of work; the unit of work commits both streams
//! atomically, each at the version it was loaded at. Two registrations racing for one
//! mailbox both load the claim free, both decide to claim it, and the store accepts only the
//! first commit: the second fails its expected-version check, is retried, and this time the
//! claim is held, so it is refused. A change of email claims the new mailbox and releases
//! the old one in the same unit of work.

use serde::{Deserialize, Serialize};

use kernel::{Aggregate, DomainEvent, Env};

use crate::domain::customer::CustomerId;

/// Who holds the mailbox, if anyone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailClaim {
    holder: Option<CustomerId>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EmailClaimCommand {
    Claim { customer_id: CustomerId },
    Release { customer_id: CustomerId },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmailClaimEvent {
    Claimed { customer_id: CustomerId },
    Released { customer_id: CustomerId },
}

impl DomainEvent for EmailClaimEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailClaimError {
    /// The holder is not named in the message: whose mailbox it is is nobody else's business.
    #[error("the email is already held by another customer")]
    HeldByAnother { holder: CustomerId },
}

impl EmailClaim {
    pub fn holder(&self) -> Option<CustomerId> {
        self.holder
    }
}

impl Aggregate for EmailClaim {
    const CATEGORY: &'static str = "email-claim";
    type Command = EmailClaimCommand;
    type Event = EmailClaimEvent;
    type Error = EmailClaimError;

    fn decide(&self, command: &EmailClaimCommand, _env: &Env<'_>) -> Result<Vec<EmailClaimEvent>, EmailClaimError> {
        match (*command, self.holder) {
            (EmailClaimCommand::Claim { customer_id }, None) => Ok(vec![EmailClaimEvent::Claimed { customer_id }]),
            // Claiming again what one holds changes nothing.
            (EmailClaimCommand::Claim { customer_id }, Some(holder)) if holder == customer_id => Ok(Vec::new()),
            (EmailClaimCommand::Claim { .. }, Some(holder)) => Err(EmailClaimError::HeldByAnother { holder }),
            (EmailClaimCommand::Release { customer_id }, Some(holder)) if holder == customer_id => {
                Ok(vec![EmailClaimEvent::Released { customer_id }])
            }
            // Both commands state a goal ("X holds it", "X does not hold it"): when the goal
            // already holds, there is nothing to do. Only the holder ever releases.
            (EmailClaimCommand::Release { .. }, _) => Ok(Vec::new()),
        }
    }

    fn evolve(&mut self, event: &EmailClaimEvent) {
        self.holder = match *event {
            EmailClaimEvent::Claimed { customer_id } => Some(customer_id),
            EmailClaimEvent::Released { .. } => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    use crate::domain::customer::tests::id;

    #[test]
    fn a_free_mailbox_is_claimed() {
        let claim = given::<EmailClaim>([])
            .when(EmailClaimCommand::Claim { customer_id: id(1) })
            .then([EmailClaimEvent::Claimed { customer_id: id(1) }]);
        assert_eq!(claim.holder(), Some(id(1)));
    }

    #[test]
    fn a_held_mailbox_cannot_be_claimed_by_another_customer() {
        given::<EmailClaim>([EmailClaimEvent::Claimed { customer_id: id(1) }])
            .when(EmailClaimCommand::Claim { customer_id: id(2) })
            .then_rejected(EmailClaimError::HeldByAnother { holder: id(1) });
    }

    #[test]
    fn claiming_again_what_one_holds_records_nothing() {
        given::<EmailClaim>([EmailClaimEvent::Claimed { customer_id: id(1) }])
            .when(EmailClaimCommand::Claim { customer_id: id(1) })
            .then([]);
    }

    #[test]
    fn only_the_holder_releases_and_then_anyone_may_claim() {
        given::<EmailClaim>([EmailClaimEvent::Claimed { customer_id: id(1) }])
            .when(EmailClaimCommand::Release { customer_id: id(2) })
            .then([]);
        given::<EmailClaim>([]).when(EmailClaimCommand::Release { customer_id: id(1) }).then([]);
        let released =
            [EmailClaimEvent::Claimed { customer_id: id(1) }, EmailClaimEvent::Released { customer_id: id(1) }];
        given::<EmailClaim>(released)
            .when(EmailClaimCommand::Claim { customer_id: id(2) })
            .then([EmailClaimEvent::Claimed { customer_id: id(2) }]);
    }

    fn commands() -> impl Strategy<Value = Vec<EmailClaimCommand>> {
        let command = prop_oneof![
            (1u128..4).prop_map(|n| EmailClaimCommand::Claim { customer_id: id(n) }),
            (1u128..4).prop_map(|n| EmailClaimCommand::Release { customer_id: id(n) }),
        ];
        proptest::collection::vec(command, 0..30)
    }

    /// What holds in every state: the mailbox answers as one with at most one holder. Its
    /// holder's claim records nothing and anyone else's is refused naming the holder; a free
    /// mailbox goes to whoever claims it; only the holder's release frees it.
    fn invariant(claim: &EmailClaim) -> Result<(), String> {
        let ids = kernel::ids::SequentialIds::new(0);
        let env = Env { now: kernel::Timestamp::UNIX_EPOCH, ids: &ids };
        for customer_id in (1u128..4).map(id) {
            let claimed = claim.decide(&EmailClaimCommand::Claim { customer_id }, &env);
            let released = claim.decide(&EmailClaimCommand::Release { customer_id }, &env);
            let expected = match claim.holder() {
                Some(holder) if holder == customer_id => {
                    (Ok(vec![]), Ok(vec![EmailClaimEvent::Released { customer_id }]))
                }
                Some(holder) => (Err(EmailClaimError::HeldByAnother { holder }), Ok(vec![])),
                None => (Ok(vec![EmailClaimEvent::Claimed { customer_id }]), Ok(vec![])),
            };
            if (&claimed, &released) != (&expected.0, &expected.1) {
                return Err(format!("held by {:?}, {customer_id} gets {claimed:?} and {released:?}", claim.holder()));
            }
        }
        Ok(())
    }

    #[test]
    fn invariants_hold_and_replay_rebuilds_the_state() {
        check_aggregate::<EmailClaim>(commands(), invariant);
    }

    proptest! {
        /// The history of a mailbox alternates claim, release by that claimant, claim...: it
        /// never has two holders, and only its holder gives it up.
        #[test]
        fn a_mailbox_has_at_most_one_holder_and_only_it_releases(commands in commands()) {
            let run = run_commands::<EmailClaim>(&commands, invariant)?;
            let mut holder = None;
            for event in &run.events {
                match (*event, holder) {
                    (EmailClaimEvent::Claimed { customer_id }, None) => holder = Some(customer_id),
                    (EmailClaimEvent::Released { customer_id }, Some(h)) if h == customer_id => holder = None,
                    (event, holder) => prop_assert!(false, "{event:?} while held by {holder:?}"),
                }
            }
            prop_assert_eq!(run.state.holder(), holder);
        }
    }
}
