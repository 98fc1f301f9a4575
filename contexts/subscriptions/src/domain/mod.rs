//! The subscriptions domain: pure, no I/O, no clock, no randomness ("this month" is read from
//! the time the unit of work hands to each decision).
//!
//! - value objects: [`month`], [`plan`] (books per month and the price agreed), [`gift`]
//!   (a gift's length), [`ids`];
//! - aggregates: [`subscription::Subscription`] (one subscription's lifecycle and the months
//!   its box fell due), [`subscriber::Subscriber`] (a customer's one current subscription),
//!   [`roster::SubscriptionRoster`] (the index of live subscriptions a cycle walks) and
//!   [`cycle::Cycle`] (one month's cycle, started once).
//!
//! Value objects deserialize through their constructors, so a stored event cannot hold an
//! invalid value; tightening a rule therefore needs an upcaster for old events.

pub mod cycle;
pub mod gift;
pub mod ids;
pub mod month;
pub mod plan;
pub mod roster;
pub mod subscriber;
pub mod subscription;

/// Stored payloads of every event type and version ever written, which must keep decoding
/// for as long as events live: (aggregate category, event type, schema version, JSON).
#[cfg(test)]
const CORPUS: &[(&str, &str, u32, &str)] = &[
    ("subscription", "subscribed", 1, include_str!("../../corpus/subscription/subscribed.v1.json")),
    ("subscription", "gifted", 1, include_str!("../../corpus/subscription/gifted.v1.json")),
    ("subscription", "paused", 1, include_str!("../../corpus/subscription/paused.v1.json")),
    ("subscription", "resumed", 1, include_str!("../../corpus/subscription/resumed.v1.json")),
    ("subscription", "cancelled", 1, include_str!("../../corpus/subscription/cancelled.v1.json")),
    ("subscription", "restarted", 1, include_str!("../../corpus/subscription/restarted.v1.json")),
    ("subscription", "box-fell-due", 1, include_str!("../../corpus/subscription/box-fell-due.v1.json")),
    ("subscription", "gift-fulfilled", 1, include_str!("../../corpus/subscription/gift-fulfilled.v1.json")),
    (
        "subscriber",
        "current-subscription-claimed",
        1,
        include_str!("../../corpus/subscriber/current-subscription-claimed.v1.json"),
    ),
    (
        "subscriber",
        "current-subscription-released",
        1,
        include_str!("../../corpus/subscriber/current-subscription-released.v1.json"),
    ),
    (
        "subscription-roster",
        "subscription-listed",
        1,
        include_str!("../../corpus/subscription-roster/subscription-listed.v1.json"),
    ),
    (
        "subscription-roster",
        "subscription-delisted",
        1,
        include_str!("../../corpus/subscription-roster/subscription-delisted.v1.json"),
    ),
    ("cycle", "cycle-started", 1, include_str!("../../corpus/cycle/cycle-started.v1.json")),
];

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;

    use kernel::{Aggregate, DomainEvent, EventCodec};

    use super::cycle::{Cycle, CycleEvent};
    use super::gift::GiftMonths;
    use super::ids::tests::{customer, subscription};
    use super::month::Month;
    use super::roster::{RosterEvent, SubscriptionRoster};
    use super::subscriber::{Subscriber, SubscriberEvent};
    use super::subscription::tests::two_books;
    use super::subscription::{Status, Subscription, SubscriptionEvent};
    use super::CORPUS;

    fn decode_corpus<A: Aggregate>() -> Vec<A::Event> {
        let codec = EventCodec::<A::Event>::new();
        CORPUS
            .iter()
            .filter(|(category, ..)| *category == A::CATEGORY)
            .map(|(category, event_type, version, json)| {
                let payload = RawValue::from_string(json.trim().to_owned()).expect("corpus files are JSON");
                codec
                    .decode(event_type, *version, &payload)
                    .unwrap_or_else(|e| panic!("corpus {category}/{event_type}.v{version} no longer decodes: {e}"))
            })
            .collect()
    }

    /// Every event type the code can write has a corpus entry at its current version.
    fn assert_covered<E: DomainEvent>(category: &str, samples: &[E]) {
        let codec = EventCodec::<E>::new();
        for sample in samples {
            let encoded = codec.encode(sample).unwrap();
            let covered = CORPUS
                .iter()
                .any(|(c, t, v, _)| *c == category && *t == encoded.event_type && *v == encoded.schema_version);
            assert!(covered, "add corpus/{category}/{}.v{}.json", encoded.event_type, encoded.schema_version);
        }
    }

    #[test]
    fn the_corpus_still_decodes_and_covers_every_event_type() {
        let month = Month::parse("2026-03").unwrap();
        let subscription_events = decode_corpus::<Subscription>();
        assert_eq!(subscription_events.len(), 8);
        assert_covered(
            Subscription::CATEGORY,
            &[
                SubscriptionEvent::Subscribed {
                    subscription_id: subscription(1),
                    subscriber: customer(1),
                    plan: two_books(),
                    due_from: month,
                },
                SubscriptionEvent::Gifted {
                    subscription_id: subscription(1),
                    payer: customer(2),
                    recipient: customer(1),
                    plan: two_books(),
                    months: GiftMonths::new(1).unwrap(),
                    due_from: month,
                },
                SubscriptionEvent::Paused,
                SubscriptionEvent::Resumed,
                SubscriptionEvent::Cancelled,
                SubscriptionEvent::Restarted { due_from: month },
                SubscriptionEvent::BoxFellDue { month },
                SubscriptionEvent::GiftFulfilled,
            ],
        );
        // The gift's stream, replayed from the corpus, reads as a story that makes sense.
        let gift = Subscription::replay(subscription_events.iter().skip(1));
        assert_eq!(gift.started().map(|s| s.status()), Some(Status::Ended));

        assert_eq!(decode_corpus::<Subscriber>().len(), 2);
        let id = subscription(1);
        assert_covered(
            Subscriber::CATEGORY,
            &[
                SubscriberEvent::CurrentSubscriptionClaimed { subscription_id: id },
                SubscriberEvent::CurrentSubscriptionReleased { subscription_id: id },
            ],
        );
        assert_eq!(decode_corpus::<SubscriptionRoster>().len(), 2);
        assert_covered(
            SubscriptionRoster::CATEGORY,
            &[
                RosterEvent::SubscriptionListed { subscription_id: id },
                RosterEvent::SubscriptionDelisted { subscription_id: id },
            ],
        );
        assert_eq!(decode_corpus::<Cycle>().len(), 1);
        assert_covered(Cycle::CATEGORY, &[CycleEvent::CycleStarted { month, boxes_due: 0 }]);
    }
}
