//! Identities and positions: what names a stream, where an event sits in it, and where it
//! sits in its context's global log.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Declares a typed id: a `Uuid` newtype, so that a `CustomerId` can never be passed where a
/// `SubscriptionId` is expected.
#[macro_export]
macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name($crate::__private::uuid::Uuid);

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                $crate::__private::serde::Serialize::serialize(&self.0, s)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <$crate::__private::uuid::Uuid as $crate::__private::serde::Deserialize>::deserialize(d).map(Self)
            }
        }

        impl $name {
            pub fn from_uuid(uuid: $crate::__private::uuid::Uuid) -> Self {
                Self(uuid)
            }
            /// A new id drawn from the id-source port.
            pub fn generate(ids: &dyn $crate::ids::IdSource) -> Self {
                Self(ids.next_id())
            }
            pub fn as_uuid(&self) -> $crate::__private::uuid::Uuid {
                self.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::ids::InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::__private::uuid::Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| $crate::ids::InvalidId { kind: stringify!($name), input: s.to_owned() })
            }
        }
    };
}

/// A string that should have been an id of the named kind but is not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {kind} (expected a UUID)")]
pub struct InvalidId {
    pub kind: &'static str,
    pub input: String,
}

typed_id!(
    /// The id of one recorded event; unique across the whole system.
    EventId
);

typed_id!(
    /// Shared by every event and message that one original request caused, however far
    /// the consequences travel.
    CorrelationId
);

typed_id!(
    /// The id of the event, message or command that directly caused this one.
    CausationId
);

impl CausationId {
    /// The same id, seen as a correlation id (a request that starts a new flow).
    pub fn as_correlation(self) -> CorrelationId {
        CorrelationId::from_uuid(self.as_uuid())
    }
}

/// The port through which new ids reach pure code. Deterministic implementations let a
/// simulation run the same business twice from one seed.
pub trait IdSource: Send + Sync {
    fn next_id(&self) -> Uuid;
}

/// Deterministic ids: a seed and a counter, laid out as a version-4-shaped UUID.
#[derive(Debug)]
pub struct SequentialIds {
    seed: u64,
    next: AtomicU64,
}

impl SequentialIds {
    pub fn new(seed: u64) -> Self {
        Self { seed, next: AtomicU64::new(1) }
    }
}

impl IdSource for SequentialIds {
    fn next_id(&self) -> Uuid {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        // Mix seed and counter so ids from different seeds do not collide on a shared log.
        let hi = self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ n.rotate_left(17);
        let raw = ((hi as u128) << 64) | n as u128;
        uuid::Builder::from_random_bytes(raw.to_be_bytes()).into_uuid()
    }
}

/// The name of an event stream: `<category>-<id>`, e.g. `customer-0b6f…`.
///
/// Invariant: 1 to 255 bytes, no control characters. Stream ids are keys at rest, so the
/// limit keeps index keys small and the check keeps them printable in error messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidStreamId {
    #[error("stream id is empty")]
    Empty,
    #[error("stream id is {len} bytes long; the limit is 255")]
    TooLong { len: usize },
    #[error("stream id `{0}` contains a control character")]
    ControlCharacter(String),
}

impl StreamId {
    pub const MAX_LEN: usize = 255;

    pub fn parse(s: impl Into<String>) -> Result<Self, InvalidStreamId> {
        let s = s.into();
        if s.is_empty() {
            return Err(InvalidStreamId::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(InvalidStreamId::TooLong { len: s.len() });
        }
        if s.chars().any(char::is_control) {
            return Err(InvalidStreamId::ControlCharacter(s.escape_debug().to_string()));
        }
        Ok(Self(s))
    }

    /// The stream of one aggregate instance: `<category>-<id>`.
    pub fn for_aggregate(category: &str, id: impl fmt::Display) -> Self {
        Self::parse(format!("{category}-{id}")).expect("an aggregate category and id always make a valid stream id")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StreamId {
    type Error = InvalidStreamId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl From<StreamId> for String {
    fn from(s: StreamId) -> String {
        s.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The version of a stream: the number of events in it. The first event has version 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Version(u64);

impl Version {
    /// The version of a stream with no events.
    pub const INITIAL: Version = Version(0);

    pub const fn new(n: u64) -> Self {
        Self(n)
    }
    pub const fn get(self) -> u64 {
        self.0
    }
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What the writer believes the stream's version to be (optimistic concurrency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExpectedVersion {
    /// No check: append whatever the version is.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be at exactly this version.
    Exact(Version),
}

impl ExpectedVersion {
    /// The expectation that holds for a stream last seen at `version`.
    pub fn from_seen(version: Version) -> Self {
        if version == Version::INITIAL {
            Self::NoStream
        } else {
            Self::Exact(version)
        }
    }

    pub fn admits(self, actual: Version) -> bool {
        match self {
            Self::Any => true,
            Self::NoStream => actual == Version::INITIAL,
            Self::Exact(v) => v == actual,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any"),
            Self::NoStream => f.write_str("no stream"),
            Self::Exact(v) => write!(f, "{v}"),
        }
    }
}

/// The place of an event in its context's global log: a total order, starting at 1, with no
/// gaps.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Position(u64);

impl Position {
    /// Before the first event: reading from here reads everything.
    pub const START: Position = Position(0);

    pub const fn new(n: u64) -> Self {
        Self(n)
    }
    pub const fn get(self) -> u64 {
        self.0
    }
    pub const fn next(self) -> Self {
        Self(self.0 + 1)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_ids_reject_empty_long_and_control_characters() {
        assert_eq!(StreamId::parse(""), Err(InvalidStreamId::Empty));
        assert_eq!(StreamId::parse("x".repeat(256)), Err(InvalidStreamId::TooLong { len: 256 }));
        assert!(matches!(StreamId::parse("a\nb"), Err(InvalidStreamId::ControlCharacter(_))));
        assert_eq!(StreamId::parse("customer-1").unwrap().as_str(), "customer-1");
    }

    #[test]
    fn expected_version_admits_only_what_it_says() {
        assert!(ExpectedVersion::NoStream.admits(Version::INITIAL));
        assert!(!ExpectedVersion::NoStream.admits(Version::new(1)));
        assert!(ExpectedVersion::Exact(Version::new(3)).admits(Version::new(3)));
        assert!(!ExpectedVersion::Exact(Version::new(3)).admits(Version::new(4)));
        assert!(ExpectedVersion::Any.admits(Version::new(9)));
    }

    #[test]
    fn sequential_ids_are_deterministic_and_distinct() {
        let a = SequentialIds::new(7);
        let b = SequentialIds::new(7);
        let xs: Vec<_> = (0..100).map(|_| a.next_id()).collect();
        let ys: Vec<_> = (0..100).map(|_| b.next_id()).collect();
        assert_eq!(xs, ys);
        let unique: std::collections::HashSet<_> = xs.iter().collect();
        assert_eq!(unique.len(), 100);
        assert_ne!(SequentialIds::new(8).next_id(), xs[0]);
    }

    #[test]
    fn typed_ids_parse_and_name_the_kind_on_error() {
        let err = "nope".parse::<EventId>().unwrap_err();
        assert_eq!(err.to_string(), "`nope` is not a valid EventId (expected a UUID)");
    }
}
