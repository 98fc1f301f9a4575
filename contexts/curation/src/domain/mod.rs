//! Curation's domain: value objects, the aggregates (`MonthlySelection`, `CuratedBox`,
//! `ReadingHistory`, and the replicas `CustomerReplica` and `BookReplica`), and the curator,
//! the pure domain service that picks a subscriber's books. Nothing here does I/O, reads a
//! clock or draws randomness; facts read from other aggregates arrive in commands.

pub mod address;
pub mod book_replica;
pub mod curated_box;
pub mod curator;
pub mod customer_replica;
pub mod genre;
pub mod ids;
pub mod isbn;
pub mod month;
pub mod plan;
pub mod reading_history;
pub mod replication;
pub mod selection;
pub mod title;

pub(crate) use kernel::text::excerpt;

/// The stored form of each event (type, schema version, JSON payload), for snapshot tests that
/// make any change to what is at rest visible: a changed shape needs a new schema version
/// and an upcaster, not a silent edit.
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
