//! Shipping's domain: value objects, the `Shipment` aggregate and its lifecycle, and two small
//! aggregates that answer questions no single shipment can (which shipment carries an order;
//! which shipments are stalled). Nothing here does I/O, reads a clock or draws randomness:
//! time and ids arrive through the kernel's `Env`, and what the carrier answered arrives in
//! commands.

pub mod address;
pub mod carrier;
pub mod consignment;
pub mod delivery;
pub mod ids;
pub mod money;
pub mod order_shipment;
pub mod parcel;
pub mod shipment;
pub mod stalled;
pub mod warehouse;

/// Why a piece of free text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("is empty")]
    Empty,
    #[error("contains a control character")]
    ControlCharacter,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
}

/// Free text as the domain keeps it: trimmed, not empty, printable, bounded.
pub(crate) fn clean_text(input: &str, chars_max: usize) -> Result<String, TextProblem> {
    let text = input.trim();
    if text.is_empty() {
        return Err(TextProblem::Empty);
    }
    if text.chars().any(char::is_control) {
        return Err(TextProblem::ControlCharacter);
    }
    if text.chars().count() > chars_max {
        return Err(TextProblem::TooLong { max: chars_max });
    }
    Ok(text.to_owned())
}

pub(crate) use kernel::text::{excerpt, excerpt_of};

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
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(clean_text("  Main St ", 10), Ok("Main St".to_owned()));
        assert_eq!(clean_text(" \t", 10), Err(TextProblem::Empty));
        assert_eq!(clean_text("a\u{7}b", 10), Err(TextProblem::ControlCharacter));
        assert_eq!(clean_text("abcdef", 5), Err(TextProblem::TooLong { max: 5 }));
    }

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("abc"), "abc");
        assert_eq!(excerpt("a\nb"), "a\\nb");
        assert_eq!(excerpt(&"x".repeat(100)), format!("{}…", "x".repeat(40)));
    }

    proptest! {
        #[test]
        fn any_text_is_cleaned_or_refused_without_panicking(input in any::<String>(), max in 0usize..50) {
            if let Ok(text) = clean_text(&input, max) {
                prop_assert!(!text.is_empty() && text.chars().count() <= max);
            }
            prop_assert!(excerpt(&input).chars().count() <= 41);
        }
    }
}
