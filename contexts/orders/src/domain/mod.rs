//! The orders domain: pure, no I/O, no clock, no randomness (time and new ids come in the
//! decision's `Env`).
//!
//! - value objects: [`ids`], [`money`], [`month`], [`book`] (ISBN, title, a box's books),
//!   [`address`], [`warehouse`] (and which one serves an address first), [`text`];
//! - the process manager: [`box_order::BoxOrder`], one per order;
//! - a domain service over two orders: [`combination`];
//! - small aggregates that keep what no single order can: [`intake::BoxIntake`] (one box, one
//!   order), [`customer_orders::CustomerOrders`] (an index per customer) and
//!   [`status_board::StatusBoard`] (counts by status).
//!
//! Value objects deserialize through their constructors, so a stored event cannot hold an
//! invalid value; tightening a rule therefore needs an upcaster for old events.

pub mod address;
pub mod book;
pub mod box_order;
pub mod combination;
pub mod customer_orders;
pub mod ids;
pub mod intake;
pub mod money;
pub mod month;
pub mod status_board;
pub mod text;
pub mod warehouse;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use kernel::{Aggregate, EventCodec};
    use serde_json::value::RawValue;

    use super::box_order::BoxOrder;
    use super::box_order::Status;
    use super::customer_orders::{CustomerOrders, CustomerOrdersEvent};
    use super::ids::tests::order;
    use super::intake::{BoxIntake, IntakeEvent};
    use super::status_board::{BoardEvent, Standing, StatusBoard};

    proptest! {
        /// Bad input is refused with a typed error; no input panics.
        #[test]
        fn value_object_parsers_never_panic(text in ".{0,40}", cents in any::<u64>(), pick in 0usize..59) {
            let _ = super::book::Isbn::parse(&text);
            let _ = super::book::Title::parse(&text);
            let _ = super::month::Month::parse(&text);
            let _ = super::text::Reason::parse(&text);
            let _ = super::text::Reason::composed(text.clone());
            let _ = super::text::Label::parse(&text);
            let _ = super::warehouse::Warehouse::parse(&text);
            let _ = super::money::Money::parse(cents, &text);
            let _ = super::address::UsState::parse(&text);
            let fields = super::address::AddressFields {
                line1: text.clone(),
                line2: Some(text.clone()),
                city: text.clone(),
                state: super::address::US_STATE_CODES[pick].to_owned(),
                postal_code: text.clone(),
                country: "US".to_owned(),
            };
            let _ = super::address::ShippingAddress::parse(fields);
        }
    }

    /// One event of each type of each aggregate: (category, encoded type, version, JSON).
    fn samples() -> Vec<(&'static str, String, u32, String)> {
        fn encode<A: Aggregate>(events: &[A::Event]) -> Vec<(&'static str, String, u32, String)> {
            let codec = EventCodec::<A::Event>::new();
            events
                .iter()
                .map(|e| {
                    let encoded = codec.encode(e).unwrap();
                    (A::CATEGORY, encoded.event_type, encoded.schema_version, encoded.payload.get().to_owned())
                })
                .collect()
        }
        let standing = |status| Standing { status, ended: false };
        let mut all = encode::<BoxOrder>(&super::box_order::tests::one_of_each());
        all.extend(encode::<BoxIntake>(&[IntakeEvent::BoxAccepted { order_id: order(1) }]));
        all.extend(encode::<CustomerOrders>(&[CustomerOrdersEvent::OrderListed { order_id: order(1) }]));
        all.extend(encode::<StatusBoard>(&[BoardEvent::OrderCounted {
            from: Some(standing(Status::Placed)),
            to: standing(Status::Reserved),
        }]));
        all
    }

    /// Writes the corpus from the samples (run once per new event type or version, with
    /// `ORDERS_WRITE_CORPUS=1`); committed files are never rewritten.
    #[test]
    fn new_event_types_get_a_corpus_entry() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let write = std::env::var_os("ORDERS_WRITE_CORPUS").is_some();
        let mut missing = Vec::new();
        for (category, event_type, version, json) in samples() {
            let path = dir.join(category).join(format!("{event_type}.v{version}.json"));
            if path.exists() {
                continue;
            }
            if write {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                let pretty: serde_json::Value = serde_json::from_str(&json).unwrap();
                std::fs::write(&path, serde_json::to_string_pretty(&pretty).unwrap() + "\n").unwrap();
            } else {
                missing.push(path.display().to_string());
            }
        }
        assert!(missing.is_empty(), "no corpus entry (write it with ORDERS_WRITE_CORPUS=1): {missing:#?}");
    }

    fn decode_all<A: Aggregate>(dir: &std::path::Path) -> usize {
        let codec = EventCodec::<A::Event>::new();
        let mut decoded = 0;
        for entry in std::fs::read_dir(dir.join(A::CATEGORY)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().trim_end_matches(".json").to_owned();
            let (event_type, version) = name.rsplit_once(".v").unwrap();
            let json = std::fs::read_to_string(&path).unwrap();
            let payload = RawValue::from_string(json.trim().to_owned()).unwrap();
            codec
                .decode(event_type, version.parse().unwrap(), &payload)
                .unwrap_or_else(|e| panic!("corpus {} no longer decodes: {e}", path.display()));
            decoded += 1;
        }
        decoded
    }

    #[test]
    fn the_corpus_still_decodes_and_covers_every_event_type() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let types: BTreeSet<(&str, String)> = samples().into_iter().map(|(c, t, ..)| (c, t)).collect();
        assert_eq!(types.len(), 29, "one sample of each event type");
        let decoded = decode_all::<BoxOrder>(&dir)
            + decode_all::<BoxIntake>(&dir)
            + decode_all::<CustomerOrders>(&dir)
            + decode_all::<StatusBoard>(&dir);
        assert!(decoded >= types.len(), "{decoded} corpus entries for {} event types", types.len());
    }
}
