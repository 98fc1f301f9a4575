//! Billing's domain: value objects, the `Payment` aggregate (with its `Dispute`), the `Receipt`
//! aggregate, and the retry policy of card tries. Nothing here does I/O, reads a clock or draws
//! randomness: time and ids arrive through the kernel's `Env`, and what the payment gateway
//! answered arrives in a command.

pub mod dispute;
pub mod ids;
pub mod money;
pub mod payment;
pub mod receipt;
pub mod retry_policy;
pub mod text;

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
