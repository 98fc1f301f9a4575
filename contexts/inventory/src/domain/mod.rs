//! Inventory's domain: value objects, the `Book`, `StockItem` and `Reservation` aggregates, and
//! the pure rules between them. Nothing here does I/O, reads a clock or draws randomness: time
//! and ids arrive through the kernel's `Env`, facts about other aggregates arrive in commands.

pub mod availability;
pub mod book;
pub mod genre;
pub mod ids;
pub mod isbn;
pub mod quantity;
pub mod reservation;
pub mod stock_item;
pub mod title;
pub mod warehouse;

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
        assert_eq!(excerpt("a\nb"), "a\\nb");
        assert_eq!(excerpt(&"x".repeat(100)), format!("{}…", "x".repeat(40)));
    }
}
