//! The snapshot codec: an aggregate's state as bincode `=2.0.1` (serde API).
//!
//! This is the only module in the project that uses bincode. Snapshots are derived data
//! that can always be rebuilt from the events, which is what makes a binary format without
//! field names acceptable here (and only here: events and messages are JSON) and what makes
//! the crate's RUSTSEC-2025-0141 "unmaintained" advisory tolerable (see `deny.toml`).
//!
//! A bincode payload carries no field names or types, so bytes written for one shape of a
//! state decode "successfully" into another shape as garbage: swap two integer fields and
//! the values swap silently. Every snapshot is therefore stored with a schema hash, and
//! [`kernel::repository::load`] ignores a snapshot whose hash is not the codec's. The hash
//! covers:
//!
//! - the aggregate's name (by default `std::any::type_name`, which includes the module path:
//!   moving the type rebuilds its snapshots, which is safe);
//! - a revision number the developer raises when the state's *meaning* changes without its
//!   shape changing;
//! - the shape of the state as traced by `serde-reflection`: every container's name, fields
//!   in order with their formats, and enum variants. The trace first serializes the default
//!   state (which records samples for types whose `Deserialize` validates its input, such
//!   as ids and timestamps), then traces deserialization to reach every enum variant. A type
//!   the tracer cannot follow contributes its error message instead, which is still a
//!   deterministic function of the type.
//!
//! The hash is FNV-1a (64 bit), computed here rather than with `std::hash`, whose output is
//! not promised to be stable across Rust releases.

use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};

use kernel::repository::SnapshotCodec;
use kernel::Aggregate;
use serde_reflection::{Samples, Tracer, TracerConfig};

/// bincode's standard configuration, with a bound on what a length prefix may claim so that
/// damaged bytes cannot ask for an absurd allocation.
const CONFIG: bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<{ 1 << 30 }>,
> = bincode::config::standard().with_limit::<{ 1 << 30 }>();

/// Names the encoding itself, so a change of codec also changes every schema hash.
const CODEC: &str = "bookbox.snapshot.bincode-2.serde";

/// A [`SnapshotCodec`] for any aggregate, storing its state as bincode.
pub struct BincodeSnapshots<A> {
    schema: u64,
    _state: PhantomData<fn() -> A>,
}

impl<A> std::fmt::Debug for BincodeSnapshots<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BincodeSnapshots").field("schema", &format_args!("{:#018x}", self.schema)).finish()
    }
}

impl<A: Aggregate> Default for BincodeSnapshots<A> {
    fn default() -> Self {
        Self::new()
    }
}

impl<A: Aggregate> BincodeSnapshots<A> {
    /// The codec for `A`, named by its type name, at revision 1.
    pub fn new() -> Self {
        Self::custom(std::any::type_name::<A>(), 1)
    }

    /// The codec for `A` under an explicit name and revision. Raise `revision` when the
    /// state's meaning changes but its shape does not, so old snapshots are rebuilt.
    pub fn custom(name: &str, revision: u32) -> Self {
        let mut hash = Fnv64::new();
        for part in [CODEC.as_bytes(), name.as_bytes(), &revision.to_be_bytes(), describe_shape::<A>().as_bytes()] {
            hash.write(&(part.len() as u64).to_be_bytes());
            hash.write(part);
        }
        Self { schema: hash.finish(), _state: PhantomData }
    }
}

impl<A: Aggregate> SnapshotCodec<A> for BincodeSnapshots<A> {
    fn schema(&self) -> u64 {
        self.schema
    }

    fn encode(&self, state: &A) -> Result<Vec<u8>, String> {
        bincode::serde::encode_to_vec(state, CONFIG).map_err(|e| format!("snapshot does not encode: {e}"))
    }

    fn decode(&self, bytes: &[u8]) -> Result<A, String> {
        let (state, used) =
            bincode::serde::decode_from_slice(bytes, CONFIG).map_err(|e| format!("snapshot does not decode: {e}"))?;
        if used != bytes.len() {
            return Err(format!("snapshot has {} bytes left over after decoding", bytes.len() - used));
        }
        Ok(state)
    }
}

/// A deterministic description of the serde shape of `A`.
pub fn describe_shape<A: Aggregate>() -> String {
    // The tracer runs the type's own serde code on sample values; should any of it panic,
    // the shape is described by that fact rather than taking the caller down.
    catch_unwind(AssertUnwindSafe(trace::<A>)).unwrap_or_else(|_| "untraceable: the trace panicked".to_owned())
}

fn trace<A: Aggregate>() -> String {
    let mut tracer = Tracer::new(TracerConfig::default());
    let mut samples = Samples::new();
    let serialized = match tracer.trace_value(&mut samples, &A::default()) {
        Ok((format, _)) => serde_json::to_string(&format).unwrap_or_else(|e| format!("unprintable: {e}")),
        Err(e) => format!("untraced: {e}"),
    };
    let deserialized = match tracer.trace_type::<A>(&samples) {
        Ok((format, _)) => serde_json::to_string(&format).unwrap_or_else(|e| format!("unprintable: {e}")),
        Err(e) => format!("untraced: {e}"),
    };
    let registry = serde_json::to_string(&tracer.registry_unchecked()).unwrap_or_else(|e| format!("unprintable: {e}"));
    format!("serialized={serialized};deserialized={deserialized};containers={registry}")
}

/// FNV-1a, 64 bit: small, and stable by definition.
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::testing::sample::{Counter, CounterCommand, CounterError, CounterEvent};
    use kernel::Env;
    use serde::{Deserialize, Serialize};

    /// `Counter` with its fields in the other order: bincode would decode one as the other.
    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    struct Swapped {
        resets: u32,
        value: u64,
    }

    impl Aggregate for Swapped {
        const CATEGORY: &'static str = "counter";
        type Command = CounterCommand;
        type Event = CounterEvent;
        type Error = CounterError;
        fn decide(&self, _: &CounterCommand, _: &Env<'_>) -> Result<Vec<CounterEvent>, CounterError> {
            Ok(Vec::new())
        }
        fn evolve(&mut self, _: &CounterEvent) {}
    }

    #[test]
    fn the_schema_is_deterministic_and_changes_with_name_revision_and_shape() {
        let counter = BincodeSnapshots::<Counter>::custom("counter", 1).schema();
        assert_eq!(counter, BincodeSnapshots::<Counter>::custom("counter", 1).schema());
        assert_ne!(counter, BincodeSnapshots::<Counter>::custom("counter", 2).schema());
        assert_ne!(counter, BincodeSnapshots::<Counter>::custom("tally", 1).schema());
        assert_ne!(counter, BincodeSnapshots::<Swapped>::custom("counter", 1).schema());
        assert!(describe_shape::<Counter>().contains(r#""value""#), "{}", describe_shape::<Counter>());
    }

    #[test]
    fn state_round_trips_and_damage_is_an_error_not_a_panic() {
        let codec = BincodeSnapshots::<Counter>::new();
        let state = Counter { value: 300, resets: 2 };
        let bytes = codec.encode(&state).unwrap();
        assert_eq!(codec.decode(&bytes).unwrap(), state);
        assert!(codec.decode(&bytes[..bytes.len() - 1]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(codec.decode(&longer).is_err());
        assert!(codec.decode(&[0xFF; 3]).is_err());
    }

    #[test]
    fn without_the_schema_check_another_shape_would_decode_as_garbage() {
        // This is what the schema hash prevents: bincode happily decodes the bytes.
        let bytes = BincodeSnapshots::<Counter>::new().encode(&Counter { value: 7, resets: 1 }).unwrap();
        let garbage = BincodeSnapshots::<Swapped>::new().decode(&bytes).unwrap();
        assert_eq!(garbage, Swapped { resets: 7, value: 1 });
    }
}
