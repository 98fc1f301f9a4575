//! What shipping keeps of the carrier's answers. The carrier is outside Bookbox, so its
//! answers are checked like any other input before the domain records them: a tracking
//! number that could not be printed on a label or used as a key is not a tracking number.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::{clean_text, excerpt, excerpt_of, TextProblem};

/// The carrier that took a parcel, by the name it gave. Invariant: trimmed, 1 to
/// [`CarrierName::CHARS_MAX`] printable characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CarrierName(String);

impl CarrierName {
    pub const CHARS_MAX: usize = 60;

    pub fn parse(input: &str) -> Result<Self, TextProblem> {
        clean_text(input, Self::CHARS_MAX).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The carrier's reference for a parcel. Invariant: 4 to [`TrackingNumber::CHARS_MAX`] ASCII
/// letters, digits or dashes, stored uppercase (carriers print and read them in any case).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a tracking number (4 to {max} letters, digits or dashes)", max = TrackingNumber::CHARS_MAX)]
pub struct InvalidTrackingNumber {
    pub input: String,
}

impl TrackingNumber {
    pub const CHARS_MIN: usize = 4;
    pub const CHARS_MAX: usize = 40;

    pub fn parse(input: &str) -> Result<Self, InvalidTrackingNumber> {
        let number = input.trim();
        let valid = (Self::CHARS_MIN..=Self::CHARS_MAX).contains(&number.len())
            && number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(InvalidTrackingNumber { input: excerpt(input) });
        }
        Ok(Self(number.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_serde {
    ($type:ident, $error:ty) => {
        impl TryFrom<String> for $type {
            type Error = $error;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.0
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_serde!(CarrierName, TextProblem);
string_serde!(TrackingNumber, InvalidTrackingNumber);

/// The carrier's receipt for a parcel: who took it and how to follow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub carrier: CarrierName,
    pub tracking_number: TrackingNumber,
}

/// Why a call to the carrier failed, as shipping records it: the carrier's words, cut to a
/// printable excerpt (an outage page is not an event payload). Never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub struct CarrierFault(String);

impl CarrierFault {
    pub const CHARS_MAX: usize = 200;

    pub fn new(reason: &str) -> Self {
        match excerpt_of(reason.trim(), Self::CHARS_MAX) {
            reason if reason.is_empty() => Self("the carrier gave no reason".to_owned()),
            reason => Self(reason),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for CarrierFault {
    fn from(reason: String) -> Self {
        Self::new(&reason)
    }
}

impl From<CarrierFault> for String {
    fn from(fault: CarrierFault) -> String {
        fault.0
    }
}

impl fmt::Display for CarrierFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn tracking_numbers_are_printable_keys() {
        assert_eq!(TrackingNumber::parse(" sim-00ab12 ").unwrap().as_str(), "SIM-00AB12");
        assert!(TrackingNumber::parse("abc").is_err());
        assert!(TrackingNumber::parse("SIM 12345").is_err());
        assert_eq!(
            TrackingNumber::parse("x/y/z").unwrap_err().to_string(),
            "`x/y/z` is not a tracking number (4 to 40 letters, digits or dashes)"
        );
    }

    #[test]
    fn faults_are_short_printable_and_never_empty() {
        assert_eq!(CarrierFault::new("  ").as_str(), "the carrier gave no reason");
        assert_eq!(CarrierFault::new("503\nService Unavailable").as_str(), "503\\nService Unavailable");
        assert_eq!(CarrierFault::new(&"x".repeat(500)).as_str().chars().count(), CarrierFault::CHARS_MAX + 1);
    }

    proptest! {
        #[test]
        fn any_carrier_answer_is_kept_or_refused_without_panicking(input in any::<String>()) {
            let _ = CarrierName::parse(&input);
            let _ = TrackingNumber::parse(&input);
            prop_assert!(!CarrierFault::new(&input).as_str().is_empty());
        }
    }
}
