//! Where a box goes. Orders needs the address to request a shipment, its state to choose the
//! warehouse, and a way to tell whether two boxes go to the same door (to combine them).

use std::fmt;

use kernel::formats::us_state::parse_us_state;
use serde::{Deserialize, Serialize};

/// A US state, district, territory or armed-forces code: the codes customers accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UsState(&'static str);

/// Every code [`UsState`] accepts: the 50 states, DC, the five inhabited territories and the
/// three armed-forces codes, as the kernel's published-language format lists them.
/// (Only tests name the list: the code asks the kernel to parse.)
#[cfg(test)]
pub use kernel::formats::us_state::US_STATE_CODES;

impl UsState {
    pub fn parse(raw: &str) -> Result<Self, AddressError> {
        parse_us_state(raw).map(Self).map_err(|_| AddressError::UnknownState(raw.to_owned()))
    }

    pub fn code(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for UsState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl TryFrom<String> for UsState {
    type Error = AddressError;
    fn try_from(raw: String) -> Result<Self, AddressError> {
        Self::parse(&raw)
    }
}

impl From<UsState> for String {
    fn from(state: UsState) -> String {
        state.0.to_owned()
    }
}

/// A shipping address. Invariant: every text field 1 to 100 characters once trimmed, no
/// control characters (what shipping accepts on a label); a ZIP code; a known state; the US.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AddressFields", into = "AddressFields")]
pub struct ShippingAddress(AddressFields);

/// The fields of an address, as they are stored and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressFields {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("address {0} is empty")]
    Empty(&'static str),
    #[error("address {0} is longer than 100 characters")]
    TooLong(&'static str),
    #[error("`{0}` is not a ZIP code (12345 or 12345-6789)")]
    NotAZipCode(String),
    #[error("address {0} contains a control character")]
    ControlCharacter(&'static str),
    #[error("`{0}` is not a US state code (e.g. TX)")]
    UnknownState(String),
    #[error("country `{0}` is not served (Bookbox ships within the US only)")]
    UnknownCountry(String),
}

impl AddressError {
    /// The address field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Empty(field) | Self::TooLong(field) | Self::ControlCharacter(field) => field,
            Self::NotAZipCode(_) => "postal_code",
            Self::UnknownState(_) => "state",
            Self::UnknownCountry(_) => "country",
        }
    }
}

fn text(field: &'static str, raw: &str) -> Result<String, AddressError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AddressError::Empty(field));
    }
    if value.chars().count() > 100 {
        return Err(AddressError::TooLong(field));
    }
    if value.chars().any(char::is_control) {
        return Err(AddressError::ControlCharacter(field));
    }
    Ok(value.to_owned())
}

fn zip_code(raw: &str) -> Result<String, AddressError> {
    let zip = raw.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let valid = match zip.split_once('-') {
        None => digits(zip, 5),
        Some((five, four)) => digits(five, 5) && digits(four, 4),
    };
    if !valid {
        return Err(AddressError::NotAZipCode(raw.to_owned()));
    }
    Ok(zip.to_owned())
}

impl ShippingAddress {
    pub fn parse(fields: AddressFields) -> Result<Self, AddressError> {
        let state = UsState::parse(fields.state.trim())?;
        if fields.country.trim() != "US" {
            return Err(AddressError::UnknownCountry(fields.country));
        }
        let line2 = match fields.line2.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(line2) => Some(text("line2", line2)?),
        };
        Ok(Self(AddressFields {
            line1: text("line1", &fields.line1)?,
            line2,
            city: text("city", &fields.city)?,
            state: state.code().to_owned(),
            postal_code: zip_code(&fields.postal_code)?,
            country: "US".to_owned(),
        }))
    }

    pub fn fields(&self) -> &AddressFields {
        &self.0
    }

    pub fn state(&self) -> UsState {
        UsState::parse(&self.0.state).expect("a parsed address holds a known state")
    }

    /// Whether two addresses are the same door, whatever the case and spacing they were
    /// typed with: what combining two boxes into one parcel needs.
    pub fn same_destination(&self, other: &ShippingAddress) -> bool {
        fn norm(s: &str) -> String {
            s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
        }
        let key = |a: &AddressFields| {
            (norm(&a.line1), a.line2.as_deref().map(norm), norm(&a.city), a.state.clone(), norm(&a.postal_code))
        };
        key(&self.0) == key(&other.0)
    }
}

impl TryFrom<AddressFields> for ShippingAddress {
    type Error = AddressError;
    fn try_from(fields: AddressFields) -> Result<Self, AddressError> {
        Self::parse(fields)
    }
}

impl From<ShippingAddress> for AddressFields {
    fn from(address: ShippingAddress) -> AddressFields {
        address.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn address(line1: &str, state: &str) -> ShippingAddress {
        ShippingAddress::parse(AddressFields {
            line1: line1.into(),
            line2: None,
            city: "Springfield".into(),
            state: state.into(),
            postal_code: "62701".into(),
            country: "US".into(),
        })
        .unwrap()
    }

    #[test]
    fn addresses_are_validated_field_by_field() {
        let fields = |line1: &str, state: &str, country: &str| AddressFields {
            line1: line1.into(),
            line2: Some("  ".into()),
            city: "Austin".into(),
            state: state.into(),
            postal_code: "78701".into(),
            country: country.into(),
        };
        let ok = ShippingAddress::parse(fields(" 1 Main St ", "TX", "US")).unwrap();
        assert_eq!(ok.fields().line1, "1 Main St");
        assert_eq!(ok.fields().line2, None, "a blank second line is no second line");
        assert_eq!(ok.state().code(), "TX");
        let err = ShippingAddress::parse(fields("", "TX", "US")).unwrap_err();
        assert_eq!((err.field(), err.to_string().as_str()), ("line1", "address line1 is empty"));
        assert_eq!(ShippingAddress::parse(fields("1", "ZZ", "US")).unwrap_err().field(), "state");
        assert_eq!(ShippingAddress::parse(fields("1", "TX", "CA")).unwrap_err().field(), "country");
        assert_eq!(ShippingAddress::parse(fields(&"x".repeat(101), "TX", "US")), Err(AddressError::TooLong("line1")));
        let bad_zip = AddressFields { postal_code: "7870".into(), ..fields("1", "TX", "US") };
        assert_eq!(ShippingAddress::parse(bad_zip), Err(AddressError::NotAZipCode("7870".into())));
    }

    #[test]
    fn the_same_door_is_recognised_whatever_the_typing() {
        let a = address("12 Elm  Street", "IL");
        let b = address("12 elm street", "IL");
        assert!(a.same_destination(&b));
        assert!(!a.same_destination(&address("14 Elm Street", "IL")));
    }
}
