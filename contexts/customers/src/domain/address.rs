//! Where a customer's boxes go: a US postal address (Bookbox ships from Dallas and Chicago to
//! the US only, so the country is a one-value type rather than a free string).
//!
//! Normalization: every part is trimmed; the state code and country are uppercased; an empty
//! second line is no second line. Errors name the field (`shipping_address.<part>`); only
//! the state and country, which identify no one, are echoed.

use std::fmt;

use kernel::formats::us_state::parse_us_state;
use serde::{Deserialize, Serialize};

use crate::domain::text::{self, TextProblem};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingAddress {
    line1: AddressLine,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line2: Option<AddressLine>,
    city: City,
    state: UsState,
    postal_code: PostalCode,
    country: Country,
}

/// A street line. Invariant: trimmed, 1 to [`AddressLine::CHARS_MAX`] characters, no
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AddressLine(String);

/// Invariant: as [`AddressLine`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct City(String);

/// A USPS two-letter code: a state, the District of Columbia, a territory, or an armed
/// forces code. Invariant: one of the kernel's `US_STATE_CODES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsState(&'static str);

/// A ZIP code: `12345` or ZIP+4 `12345-6789`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostalCode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Country {
    #[serde(rename = "US")]
    UnitedStates,
}

/// Every code [`UsState`] accepts: the 50 states, DC, the five inhabited territories and
/// the three armed-forces codes, as the kernel's published-language format lists them.
/// (Only tests name the list: the code asks the kernel to parse.)
#[cfg(test)]
pub use kernel::formats::us_state::US_STATE_CODES;

/// The free-text parts of an address, to name them in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressField {
    Line1,
    Line2,
    City,
}

impl fmt::Display for AddressField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Line1 => "line1",
            Self::Line2 => "line2",
            Self::City => "city",
        })
    }
}

/// Why an address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("shipping_address.{field}: {problem}")]
    Text { field: AddressField, problem: TextProblem },
    #[error("shipping_address.state: `{input}` is not a US state code (two letters, e.g. TX)")]
    UnknownState { input: String },
    #[error("shipping_address.postal_code: is not a US ZIP code (12345 or 12345-6789)")]
    InvalidPostalCode,
    #[error("shipping_address.country: `{input}` is not served; Bookbox ships to the US only (`US`)")]
    UnsupportedCountry { input: String },
}

impl AddressError {
    /// The path of the field at fault, e.g. `shipping_address.city`.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Text { field: AddressField::Line1, .. } => "shipping_address.line1",
            Self::Text { field: AddressField::Line2, .. } => "shipping_address.line2",
            Self::Text { field: AddressField::City, .. } => "shipping_address.city",
            Self::UnknownState { .. } => "shipping_address.state",
            Self::InvalidPostalCode => "shipping_address.postal_code",
            Self::UnsupportedCountry { .. } => "shipping_address.country",
        }
    }
}

impl ShippingAddress {
    /// Parses an address from its parts; the first problem found is reported.
    pub fn parse(
        line1: &str,
        line2: Option<&str>,
        city: &str,
        state: &str,
        postal_code: &str,
        country: &str,
    ) -> Result<Self, AddressError> {
        let line2 = match line2.map(str::trim) {
            None | Some("") => None,
            Some(line) => Some(AddressLine::parse(AddressField::Line2, line)?),
        };
        Ok(Self {
            line1: AddressLine::parse(AddressField::Line1, line1)?,
            line2,
            city: City::parse(city)?,
            state: UsState::parse(state)?,
            postal_code: PostalCode::parse(postal_code)?,
            country: Country::parse(country)?,
        })
    }

    pub fn line1(&self) -> &str {
        &self.line1.0
    }
    pub fn line2(&self) -> Option<&str> {
        self.line2.as_ref().map(|l| l.0.as_str())
    }
    pub fn city(&self) -> &str {
        &self.city.0
    }
    pub fn state(&self) -> &'static str {
        self.state.0
    }
    pub fn postal_code(&self) -> &str {
        &self.postal_code.0
    }
    pub fn country(&self) -> Country {
        self.country
    }
}

impl AddressLine {
    pub const CHARS_MAX: usize = 100;

    fn parse(field: AddressField, input: &str) -> Result<Self, AddressError> {
        text::clean(input, Self::CHARS_MAX).map(Self).map_err(|problem| AddressError::Text { field, problem })
    }
}

impl City {
    fn parse(input: &str) -> Result<Self, AddressError> {
        text::clean(input, AddressLine::CHARS_MAX)
            .map(Self)
            .map_err(|problem| AddressError::Text { field: AddressField::City, problem })
    }
}

impl UsState {
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        match parse_us_state(input) {
            Ok(code) => Ok(Self(code)),
            Err(_) => Err(AddressError::UnknownState { input: text::shown(input) }),
        }
    }
}

impl PostalCode {
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let trimmed = input.trim();
        let digits = |s: &str| s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit());
        let plus_four = |s: &str| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
        let valid = match trimmed.split_once('-') {
            None => digits(trimmed),
            Some((zip, extension)) => digits(zip) && plus_four(extension),
        };
        if !valid {
            return Err(AddressError::InvalidPostalCode);
        }
        Ok(Self(trimmed.to_owned()))
    }
}

impl Country {
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        match input.trim().to_ascii_uppercase().as_str() {
            "US" => Ok(Self::UnitedStates),
            _ => Err(AddressError::UnsupportedCountry { input: text::shown(input) }),
        }
    }

    /// The ISO 3166-1 alpha-2 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnitedStates => "US",
        }
    }
}

macro_rules! string_conversions {
    ($type:ident, |$s:ident| $parse:expr) => {
        impl TryFrom<String> for $type {
            type Error = AddressError;
            fn try_from($s: String) -> Result<Self, AddressError> {
                $parse
            }
        }
        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.0
            }
        }
    };
}

// Stored addresses go through the same parsers, so a corrupt record cannot decode into an
// invalid address.
string_conversions!(AddressLine, |s| AddressLine::parse(AddressField::Line1, &s));
string_conversions!(City, |s| City::parse(&s));
string_conversions!(PostalCode, |s| PostalCode::parse(&s));

// Written by hand: serde's derive would tie the `&'static str` to the input's lifetime.
impl Serialize for UsState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for UsState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = std::borrow::Cow::<str>::deserialize(deserializer)?;
        UsState::parse(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(line2: Option<&str>, state: &str, zip: &str, country: &str) -> Result<ShippingAddress, AddressError> {
        ShippingAddress::parse(" 1 Main St ", line2, " Dallas ", state, zip, country)
    }

    #[test]
    fn an_address_is_trimmed_and_its_codes_uppercased() {
        let address = parse(Some("  "), " tx ", " 75201-1234 ", "us").unwrap();
        assert_eq!(address.line1(), "1 Main St");
        assert_eq!(address.line2(), None, "a blank second line is no second line");
        assert_eq!(address.city(), "Dallas");
        assert_eq!(address.state(), "TX");
        assert_eq!(address.postal_code(), "75201-1234");
        assert_eq!(address.country().code(), "US");
        assert_eq!(parse(Some(" Apt 4 "), "TX", "75201", "US").unwrap().line2(), Some("Apt 4"));
    }

    #[test]
    fn a_bad_state_zip_or_country_is_refused_naming_the_field() {
        let err = parse(None, "XX", "75201", "US").unwrap_err();
        assert_eq!(err, AddressError::UnknownState { input: "XX".into() });
        assert_eq!(err.to_string(), "shipping_address.state: `XX` is not a US state code (two letters, e.g. TX)");
        for zip in ["7520", "752011", "75201-12", "7520a", "75201 1234", ""] {
            assert_eq!(parse(None, "TX", zip, "US"), Err(AddressError::InvalidPostalCode), "zip {zip:?}");
        }
        let err = parse(None, "TX", "75201", "Canada").unwrap_err();
        assert_eq!(err.field(), "shipping_address.country");
        assert_eq!(
            err.to_string(),
            "shipping_address.country: `Canada` is not served; Bookbox ships to the US only (`US`)"
        );
    }

    #[test]
    fn empty_lines_and_cities_are_refused_naming_the_part() {
        let err = ShippingAddress::parse("", None, "Dallas", "TX", "75201", "US").unwrap_err();
        assert_eq!(err.to_string(), "shipping_address.line1: is empty");
        let err = ShippingAddress::parse("1 Main", None, " ", "TX", "75201", "US").unwrap_err();
        assert_eq!(err, AddressError::Text { field: AddressField::City, problem: TextProblem::Empty });
        assert_eq!(err.field(), "shipping_address.city");
        let err = ShippingAddress::parse("1 Main", Some("a\tb"), "Dallas", "TX", "75201", "US").unwrap_err();
        assert_eq!(err.field(), "shipping_address.line2");
    }

    #[test]
    fn an_address_round_trips_through_json_and_is_validated_on_the_way_back() {
        let address = parse(Some("Apt 4"), "IL", "60601", "US").unwrap();
        let json = serde_json::to_string(&address).unwrap();
        assert_eq!(
            json,
            r#"{"line1":"1 Main St","line2":"Apt 4","city":"Dallas","state":"IL","postal_code":"60601","country":"US"}"#
        );
        assert_eq!(serde_json::from_str::<ShippingAddress>(&json).unwrap(), address);
        assert!(serde_json::from_str::<ShippingAddress>(&json.replace("IL", "ZZ")).is_err());
    }

    #[test]
    fn the_state_list_has_no_duplicates() {
        let unique: std::collections::BTreeSet<_> = US_STATE_CODES.iter().collect();
        assert_eq!(unique.len(), US_STATE_CODES.len());
    }

    proptest! {
        #[test]
        fn parsing_any_strings_never_panics(parts in proptest::array::uniform6(any::<String>())) {
            let [line1, line2, city, state, zip, country] = &parts;
            let _ = ShippingAddress::parse(line1, Some(line2), city, state, zip, country);
        }

        #[test]
        fn every_zip_of_five_digits_with_an_optional_plus_four_parses(zip in "[0-9]{5}(-[0-9]{4})?") {
            prop_assert_eq!(PostalCode::parse(&zip).map(String::from), Ok(zip));
        }
    }
}
