//! The `CuratedBox` aggregate: the books chosen for one subscription for one month (stream
//! `curated-box-<subscription id>-<YYYY-MM>`).
//!
//! Why an aggregate per subscription and month: "curating the same box twice has no second
//! effect" is a rule about exactly that pair, whatever the message ids. Once a box is curated
//! it is final. A box that could not be curated (no finalized selection yet, no profile of the
//! subscriber yet, too few suitable books) records why, and stays open to an explicit retry;
//! a repeated `box-due` does not retry it, so that a message redelivered under a new id never
//! has a second effect.
//!
//! The decision is made here, by the curator, from facts the application reads in the same
//! unit of work (the selection, the subscriber's replica, the books' replicas, the reading
//! history) and passes in the command.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::address::ShippingAddress;
use crate::domain::book_replica::BookFacts;
use crate::domain::curator::{pick, Brief, CuratedBook};
use crate::domain::customer_replica::Subscriber;
use crate::domain::ids::{BoxId, CustomerId, SubscriptionId};
use crate::domain::isbn::Isbn;
use crate::domain::month::Month;
use crate::domain::plan::Plan;
use crate::domain::selection::SelectionList;

/// Which box: one subscription, one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CuratedBoxId {
    pub subscription_id: SubscriptionId,
    pub month: Month,
}

impl fmt::Display for CuratedBoxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.subscription_id, self.month)
    }
}

/// A box that came due, in curation's words: who receives it, who pays, the plan, the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueBox {
    pub subscription_id: SubscriptionId,
    /// The subscriber who receives the box.
    pub customer_id: CustomerId,
    /// Who pays: the subscriber, or the giver of a gift.
    pub payer_id: CustomerId,
    pub plan: Plan,
    pub month: Month,
}

impl DueBox {
    pub fn id(&self) -> CuratedBoxId {
        CuratedBoxId { subscription_id: self.subscription_id, month: self.month }
    }
}

/// What curation knows when it curates, read in the deciding unit of work.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CurationInputs {
    /// The month's selection, if finalized.
    pub selection: Option<SelectionList>,
    /// The subscriber, if curation has replicated their profile.
    pub subscriber: Option<Subscriber>,
    /// Curation's replica of each selected book it has heard of.
    pub books: BTreeMap<Isbn, BookFacts>,
    /// What the subscriber has already received.
    pub received: BTreeSet<Isbn>,
}

/// Why a box could not be curated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum FailureReason {
    NoFinalizedSelection,
    NoCustomerProfile,
    NotEnoughSuitableBooks { needed: usize, found: usize },
}

impl FailureReason {
    pub fn code(self) -> &'static str {
        match self {
            FailureReason::NoFinalizedSelection => "no-finalized-selection",
            FailureReason::NoCustomerProfile => "no-customer-profile",
            FailureReason::NotEnoughSuitableBooks { .. } => "not-enough-suitable-books",
        }
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureReason::NoFinalizedSelection => f.write_str("the month's selection is not finalized"),
            FailureReason::NoCustomerProfile => f.write_str("curation has not received the subscriber's profile"),
            FailureReason::NotEnoughSuitableBooks { needed, found } => {
                write!(f, "suitable books available: {found} of the {needed} the plan needs")
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoxStatus {
    #[default]
    NotCurated,
    Failed {
        due: DueBox,
        reason: FailureReason,
    },
    Curated {
        box_id: BoxId,
        due: DueBox,
        books: Vec<CuratedBook>,
        shipping_address: ShippingAddress,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CuratedBox {
    status: BoxStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CuratedBoxCommand {
    /// A box came due: curate it, unless it was already attempted.
    Curate { due: DueBox, inputs: CurationInputs },
    /// Try again a box that could not be curated.
    Retry { inputs: CurationInputs },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CuratedBoxEvent {
    BoxCurated { box_id: BoxId, due: DueBox, books: Vec<CuratedBook>, shipping_address: ShippingAddress },
    BoxCurationFailed { due: DueBox, reason: FailureReason },
}

impl DomainEvent for CuratedBoxEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CuratedBoxError {
    #[error("no curation of this box was attempted, so there is nothing to retry")]
    NothingToRetry,
    #[error("the box is already curated")]
    AlreadyCurated,
}

impl CuratedBox {
    pub fn status(&self) -> &BoxStatus {
        &self.status
    }
}

/// The curator's verdict on a due box.
fn curate(due: &DueBox, inputs: &CurationInputs, env: &Env<'_>) -> CuratedBoxEvent {
    let failed = |reason| CuratedBoxEvent::BoxCurationFailed { due: due.clone(), reason };
    let Some(selection) = &inputs.selection else {
        return failed(FailureReason::NoFinalizedSelection);
    };
    let Some(subscriber) = &inputs.subscriber else {
        return failed(FailureReason::NoCustomerProfile);
    };
    let brief = Brief {
        need: due.plan.books_per_month,
        selection,
        preferences: &subscriber.preferences,
        received: &inputs.received,
        books: &inputs.books,
    };
    match pick(brief) {
        Ok(books) => CuratedBoxEvent::BoxCurated {
            box_id: BoxId::generate(env.ids),
            due: due.clone(),
            books,
            shipping_address: subscriber.shipping_address.clone(),
        },
        Err(shortfall) => {
            failed(FailureReason::NotEnoughSuitableBooks { needed: shortfall.needed, found: shortfall.found })
        }
    }
}

impl Aggregate for CuratedBox {
    const CATEGORY: &'static str = "curated-box";
    type Command = CuratedBoxCommand;
    type Event = CuratedBoxEvent;
    type Error = CuratedBoxError;

    fn decide(&self, command: &CuratedBoxCommand, env: &Env<'_>) -> Result<Vec<CuratedBoxEvent>, CuratedBoxError> {
        match (command, &self.status) {
            (CuratedBoxCommand::Curate { due, inputs }, BoxStatus::NotCurated) => Ok(vec![curate(due, inputs, env)]),
            // Attempted already: a repeated `box-due` has no second effect.
            (CuratedBoxCommand::Curate { .. }, _) => Ok(vec![]),
            (CuratedBoxCommand::Retry { inputs }, BoxStatus::Failed { due, .. }) => Ok(vec![curate(due, inputs, env)]),
            (CuratedBoxCommand::Retry { .. }, BoxStatus::NotCurated) => Err(CuratedBoxError::NothingToRetry),
            (CuratedBoxCommand::Retry { .. }, BoxStatus::Curated { .. }) => Err(CuratedBoxError::AlreadyCurated),
        }
    }

    fn evolve(&mut self, event: &CuratedBoxEvent) {
        self.status = match event {
            CuratedBoxEvent::BoxCurated { box_id, due, books, shipping_address } => BoxStatus::Curated {
                box_id: *box_id,
                due: due.clone(),
                books: books.clone(),
                shipping_address: shipping_address.clone(),
            },
            CuratedBoxEvent::BoxCurationFailed { due, reason } => {
                BoxStatus::Failed { due: due.clone(), reason: *reason }
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use kernel::ids::SequentialIds;
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::address::sample_address;
    use crate::domain::genre::Genre;
    use crate::domain::plan::{BooksPerMonth, MonthlyPrice};
    use crate::domain::stored_forms;
    use crate::domain::title::Title;

    const DUNE: &str = "9780306406157";
    const EMMA: &str = "9780804429573";

    fn isbn(s: &str) -> Isbn {
        Isbn::parse(s).unwrap()
    }

    fn due(books_per_month: u64) -> DueBox {
        DueBox {
            subscription_id: SubscriptionId::from_uuid(uuid::Uuid::from_u128(1)),
            customer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(2)),
            payer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(2)),
            plan: Plan {
                books_per_month: BooksPerMonth::new(books_per_month).unwrap(),
                monthly_price: MonthlyPrice::new(1999, "USD").unwrap(),
            },
            month: Month::parse("2026-03").unwrap(),
        }
    }

    fn book(title: &str, genres: &[Genre], available: u64) -> BookFacts {
        BookFacts { title: Title::parse(title).unwrap(), genres: genres.iter().copied().collect(), available }
    }

    fn inputs() -> CurationInputs {
        CurationInputs {
            selection: Some(SelectionList::new([isbn(DUNE), isbn(EMMA)]).unwrap()),
            subscriber: Some(Subscriber {
                preferences: [Genre::ScienceFiction].into_iter().collect(),
                shipping_address: sample_address(),
            }),
            books: BTreeMap::from([
                (isbn(DUNE), book("Dune", &[Genre::ScienceFiction], 3)),
                (isbn(EMMA), book("Emma", &[Genre::Romance], 3)),
            ]),
            received: BTreeSet::new(),
        }
    }

    /// The first id the fixture's id source draws (seed 0).
    fn first_box_id() -> BoxId {
        BoxId::generate(&SequentialIds::new(0))
    }

    fn curated() -> CuratedBoxEvent {
        CuratedBoxEvent::BoxCurated {
            box_id: first_box_id(),
            due: due(1),
            books: vec![CuratedBook { isbn: isbn(DUNE), title: Title::parse("Dune").unwrap() }],
            shipping_address: sample_address(),
        }
    }

    fn failed(reason: FailureReason) -> CuratedBoxEvent {
        CuratedBoxEvent::BoxCurationFailed { due: due(1), reason }
    }

    #[test]
    fn a_due_box_is_curated_from_the_selection_to_the_subscribers_taste() {
        given::<CuratedBox>([]).when(CuratedBoxCommand::Curate { due: due(1), inputs: inputs() }).then([curated()]);
    }

    #[test]
    fn curating_the_same_box_again_has_no_second_effect() {
        given::<CuratedBox>([curated()]).when(CuratedBoxCommand::Curate { due: due(1), inputs: inputs() }).then([]);
        let no_profile = failed(FailureReason::NoCustomerProfile);
        given::<CuratedBox>([no_profile]).when(CuratedBoxCommand::Curate { due: due(1), inputs: inputs() }).then([]);
    }

    #[test]
    fn a_box_fails_with_why_when_the_selection_or_the_profile_is_missing() {
        let no_selection = CurationInputs { selection: None, ..inputs() };
        given::<CuratedBox>([])
            .when(CuratedBoxCommand::Curate { due: due(1), inputs: no_selection })
            .then([failed(FailureReason::NoFinalizedSelection)]);
        let no_profile = CurationInputs { subscriber: None, ..inputs() };
        given::<CuratedBox>([])
            .when(CuratedBoxCommand::Curate { due: due(1), inputs: no_profile })
            .then([failed(FailureReason::NoCustomerProfile)]);
    }

    #[test]
    fn a_box_fails_when_too_few_books_suit_the_subscriber() {
        given::<CuratedBox>([]).when(CuratedBoxCommand::Curate { due: due(2), inputs: inputs() }).then([
            CuratedBoxEvent::BoxCurationFailed {
                due: due(2),
                reason: FailureReason::NotEnoughSuitableBooks { needed: 2, found: 1 },
            },
        ]);
    }

    #[test]
    fn a_failed_box_can_be_retried_and_a_curated_one_cannot() {
        given::<CuratedBox>([failed(FailureReason::NoCustomerProfile)])
            .when(CuratedBoxCommand::Retry { inputs: inputs() })
            .then([curated()]);
        given::<CuratedBox>([curated()])
            .when(CuratedBoxCommand::Retry { inputs: inputs() })
            .then_rejected(CuratedBoxError::AlreadyCurated);
        given::<CuratedBox>([])
            .when(CuratedBoxCommand::Retry { inputs: inputs() })
            .then_rejected(CuratedBoxError::NothingToRetry);
    }

    fn commands() -> impl Strategy<Value = Vec<CuratedBoxCommand>> {
        let inputs = (any::<bool>(), any::<bool>(), 0u64..3, 0u64..3, any::<bool>()).prop_map(
            |(selected, profiled, dune_available, emma_available, received_dune)| {
                let mut inputs = inputs();
                if !selected {
                    inputs.selection = None;
                }
                if !profiled {
                    inputs.subscriber = None;
                }
                inputs.books.get_mut(&isbn(DUNE)).unwrap().available = dune_available;
                inputs.books.get_mut(&isbn(EMMA)).unwrap().available = emma_available;
                if received_dune {
                    inputs.received.insert(isbn(DUNE));
                }
                inputs
            },
        );
        let command = prop_oneof![
            (1u64..=2, inputs.clone()).prop_map(|(n, inputs)| CuratedBoxCommand::Curate { due: due(n), inputs }),
            inputs.prop_map(|inputs| CuratedBoxCommand::Retry { inputs }),
        ];
        proptest::collection::vec(command, 0..10)
    }

    /// A curated box holds exactly the plan's number of distinct books and never changes; a box
    /// is curated at most once, and nothing happens to it after.
    #[test]
    fn a_curated_box_is_final_and_full() {
        check_aggregate::<CuratedBox>(commands(), |curated| match curated.status() {
            BoxStatus::Curated { due, books, .. } => {
                let distinct: BTreeSet<_> = books.iter().map(|b| &b.isbn).collect();
                if books.len() != due.plan.books_per_month.get() || distinct.len() != books.len() {
                    return Err(format!(
                        "a box of {} distinct books for a plan of {}",
                        distinct.len(),
                        due.plan.books_per_month.get()
                    ));
                }
                Ok(())
            }
            _ => Ok(()),
        });
        proptest!(|(commands in commands())| {
            let run = run_commands::<CuratedBox>(&commands, |_| Ok(()))?;
            if let Some(at) = run.events.iter().position(|e| matches!(e, CuratedBoxEvent::BoxCurated { .. })) {
                prop_assert_eq!(run.events.len(), at + 1, "events after the box was curated: {:?}", run.events);
            }
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[
            curated(),
            failed(FailureReason::NotEnoughSuitableBooks { needed: 3, found: 1 }),
            failed(FailureReason::NoFinalizedSelection),
        ]));
    }
}
