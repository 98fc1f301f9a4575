//! Domain events at rest: how a context's event enum becomes `(type, schema version, JSON)`
//! and back, and how old JSON is upcast to the current shape before typed decoding.
//!
//! Events live for years, so the stored form is JSON (an added field never breaks a reader)
//! with the type name and schema version beside it, never inside a binary layout.

use std::collections::HashMap;
use std::fmt::Debug;
use std::marker::PhantomData;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A domain event: something that happened, named in the past tense.
///
/// Implement it on an externally tagged enum (serde's default) whose variants are the event
/// types, renamed to kebab case: `#[serde(rename_all = "kebab-case")]`. The variant name is
/// the type name at rest; its content is the payload.
pub trait DomainEvent: Serialize + DeserializeOwned + Clone + Debug + Send + Sync + 'static {
    /// The current schema version of an event type; raise it (and register an
    /// [`Upcaster`] from the old one) when the payload's shape changes.
    fn schema_version(event_type: &str) -> u32 {
        let _ = event_type;
        1
    }

    /// Upcasters from every older schema version to the next one.
    fn upcasters() -> Vec<Upcaster> {
        Vec::new()
    }
}

/// Turns the JSON of `event_type` at `from_version` into the JSON of `from_version + 1`.
#[derive(Clone, Copy)]
pub struct Upcaster {
    pub event_type: &'static str,
    pub from_version: u32,
    pub upcast: fn(Value) -> Result<Value, UpcastError>,
}

impl Debug for Upcaster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Upcaster({} v{} -> v{})", self.event_type, self.from_version, self.from_version + 1)
    }
}

/// Why an upcaster could not transform a payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UpcastError(pub String);

/// An event encoded for the store.
#[derive(Debug, Clone)]
pub struct EncodedEvent {
    pub event_type: String,
    pub schema_version: u32,
    pub payload: Box<RawValue>,
}

/// Why an event could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("event does not serialize as an externally tagged enum variant: {0}")]
    NotATaggedVariant(String),
    #[error("`{event_type}` v{version} was written by a newer schema (this code knows up to v{known})")]
    FromTheFuture { event_type: String, version: u32, known: u32 },
    #[error("no upcaster for `{event_type}` from v{version}")]
    MissingUpcaster { event_type: String, version: u32 },
    #[error("upcasting `{event_type}` from v{version} failed: {reason}")]
    Upcast { event_type: String, version: u32, reason: String },
    #[error("`{event_type}` v{version} does not decode: {reason}")]
    Decode { event_type: String, version: u32, reason: String },
}

/// Encodes and decodes one event enum, applying its upcasters on the way in.
///
/// Cheap to make: the table of upcasters is built on the first decode that needs one, so
/// encoding (once per event written) and decoding current payloads never build it.
#[derive(Debug)]
pub struct EventCodec<E> {
    upcasters: OnceLock<HashMap<(String, u32), Upcaster>>,
    _event: PhantomData<fn() -> E>,
}

impl<E: DomainEvent> Default for EventCodec<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: DomainEvent> EventCodec<E> {
    pub fn new() -> Self {
        Self { upcasters: OnceLock::new(), _event: PhantomData }
    }

    fn upcasters(&self) -> &HashMap<(String, u32), Upcaster> {
        self.upcasters.get_or_init(|| {
            E::upcasters().into_iter().map(|u| ((u.event_type.to_owned(), u.from_version), u)).collect()
        })
    }

    pub fn encode(&self, event: &E) -> Result<EncodedEvent, CodecError> {
        let value = serde_json::to_value(event).map_err(|e| CodecError::NotATaggedVariant(e.to_string()))?;
        let (event_type, payload) = match value {
            Value::Object(map) if map.len() == 1 => map.into_iter().next().expect("one entry"),
            Value::String(unit) => (unit, Value::Null),
            other => return Err(CodecError::NotATaggedVariant(other.to_string())),
        };
        let payload =
            serde_json::value::to_raw_value(&payload).map_err(|e| CodecError::NotATaggedVariant(e.to_string()))?;
        let schema_version = E::schema_version(&event_type);
        Ok(EncodedEvent { event_type, schema_version, payload })
    }

    pub fn decode(&self, event_type: &str, schema_version: u32, payload: &RawValue) -> Result<E, CodecError> {
        let current = E::schema_version(event_type);
        let decode_err =
            |reason: String| CodecError::Decode { event_type: event_type.to_owned(), version: schema_version, reason };
        if schema_version > current {
            return Err(CodecError::FromTheFuture {
                event_type: event_type.to_owned(),
                version: schema_version,
                known: current,
            });
        }
        let mut value: Value = serde_json::from_str(payload.get()).map_err(|e| decode_err(e.to_string()))?;
        for version in schema_version..current {
            let Some(upcaster) = self.upcasters().get(&(event_type.to_owned(), version)) else {
                return Err(CodecError::MissingUpcaster { event_type: event_type.to_owned(), version });
            };
            value = (upcaster.upcast)(value).map_err(|e| CodecError::Upcast {
                event_type: event_type.to_owned(),
                version,
                reason: e.0,
            })?;
        }
        let tagged = if value.is_null() {
            Value::String(event_type.to_owned())
        } else {
            Value::Object([(event_type.to_owned(), value)].into_iter().collect())
        };
        serde_json::from_value(tagged).map_err(|e| decode_err(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    enum Lamp {
        SwitchedOn { watts: u32, room: String },
        SwitchedOff,
    }

    impl DomainEvent for Lamp {
        fn schema_version(event_type: &str) -> u32 {
            match event_type {
                "switched-on" => 2,
                _ => 1,
            }
        }
        fn upcasters() -> Vec<Upcaster> {
            // v1 had no room; old lamps were all in the hall.
            vec![Upcaster {
                event_type: "switched-on",
                from_version: 1,
                upcast: |mut v| {
                    let obj = v.as_object_mut().ok_or_else(|| UpcastError("not an object".into()))?;
                    obj.insert("room".into(), Value::String("hall".into()));
                    Ok(v)
                },
            }]
        }
    }

    #[test]
    fn events_round_trip_with_type_and_version_beside_the_payload() {
        let codec = EventCodec::<Lamp>::new();
        for event in [Lamp::SwitchedOn { watts: 60, room: "den".into() }, Lamp::SwitchedOff] {
            let enc = codec.encode(&event).unwrap();
            let back = codec.decode(&enc.event_type, enc.schema_version, &enc.payload).unwrap();
            assert_eq!(back, event);
        }
        let enc = codec.encode(&Lamp::SwitchedOn { watts: 1, room: "x".into() }).unwrap();
        assert_eq!((enc.event_type.as_str(), enc.schema_version), ("switched-on", 2));
        assert_eq!(enc.payload.get(), r#"{"room":"x","watts":1}"#);
    }

    #[test]
    fn old_payloads_are_upcast_before_decoding() {
        let codec = EventCodec::<Lamp>::new();
        let v1 = RawValue::from_string(r#"{"watts":40}"#.into()).unwrap();
        assert_eq!(codec.decode("switched-on", 1, &v1).unwrap(), Lamp::SwitchedOn { watts: 40, room: "hall".into() });
    }

    #[test]
    fn payloads_from_a_newer_schema_or_of_the_wrong_shape_are_errors() {
        let codec = EventCodec::<Lamp>::new();
        let p = RawValue::from_string(r#"{"watts":"bright"}"#.into()).unwrap();
        assert!(matches!(codec.decode("switched-on", 3, &p), Err(CodecError::FromTheFuture { .. })));
        assert!(matches!(codec.decode("switched-on", 2, &p), Err(CodecError::Decode { .. })));
        assert!(matches!(codec.decode("exploded", 1, &p), Err(CodecError::Decode { .. })));
    }
}
