//! Reporting's domain: the value objects of what it reports on, the facts it learns from other
//! contexts' messages, the small aggregates that make up its read models, and the projection
//! that routes each fact to them. Nothing here does I/O, reads a clock or draws an id: a read
//! model is a pure function of the facts it was given, in the order it was given them.

pub mod book_stock;
pub mod customer_value;
pub mod directory;
pub mod end_state;
pub mod facts;
pub mod ids;
pub mod isbn;
pub mod ledger;
pub mod models;
pub mod money;
pub mod month;
pub mod monthly_outcomes;
pub mod order_record;
pub mod projection;
pub mod reading;
pub mod state_sales;
pub mod title;
pub mod us_state;
pub mod warehouse;

pub(crate) use kernel::text::excerpt;

/// The stored form of each event (type, schema version, JSON payload), for snapshot tests that
/// make any change to what is at rest visible: a changed shape needs a new schema version and
/// an upcaster, not a silent edit.
#[cfg(test)]
pub(crate) fn stored_forms<E: kernel::DomainEvent>(events: &[E]) -> Vec<(String, u32, serde_json::Value)> {
    let codec = kernel::EventCodec::<E>::new();
    events
        .iter()
        .map(|event| {
            let encoded = codec.encode(event).expect("every event encodes");
            let back = codec.decode(&encoded.event_type, encoded.schema_version, &encoded.payload);
            assert!(back.is_ok(), "{event:?} does not decode back: {back:?}");
            let payload = serde_json::from_str(encoded.payload.get()).expect("payloads are JSON");
            (encoded.event_type, encoded.schema_version, payload)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("abc"), "abc");
        assert_eq!(excerpt("a\tb"), "a\\tb");
        assert_eq!(excerpt(&"x".repeat(100)), format!("{}…", "x".repeat(40)));
    }
}
