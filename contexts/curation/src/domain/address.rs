//! The shipping address a box goes to, as curation keeps it from the customer's profile and
//! passes it on in `box-curated`. Personal data: curation keeps nothing else of the customer's
//! (no name, no email), and only for as long as it replicates the profile.

use serde::{Deserialize, Serialize};

/// Invariant: required fields non-empty; every field trimmed, at most 200 characters, no
/// control characters; `state` and `country` two capital letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredAddress")]
pub struct ShippingAddress {
    line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    country: String,
}

/// The fields of an address as received, before validation.
#[derive(Debug, Clone, Copy)]
pub struct AddressFields<'a> {
    pub line1: &'a str,
    pub line2: Option<&'a str>,
    pub city: &'a str,
    pub state: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("shipping_address.{field} is empty")]
    Empty { field: &'static str },
    #[error("shipping_address.{field} is longer than {max} characters", max = ShippingAddress::FIELD_CHARS_MAX)]
    TooLong { field: &'static str },
    #[error("shipping_address.{field} contains a control character")]
    ControlCharacter { field: &'static str },
    #[error("shipping_address.{field} must be two capital letters")]
    NotACode { field: &'static str },
}

impl ShippingAddress {
    pub const FIELD_CHARS_MAX: usize = 200;

    pub fn new(fields: AddressFields<'_>) -> Result<Self, AddressError> {
        let line2 = match fields.line2.map(str::trim) {
            None | Some("") => None,
            Some(line2) => Some(text("line2", line2)?),
        };
        Ok(Self {
            line1: text("line1", fields.line1)?,
            line2,
            city: text("city", fields.city)?,
            state: code("state", fields.state)?,
            postal_code: text("postal_code", fields.postal_code)?,
            country: code("country", fields.country)?,
        })
    }

    pub fn line1(&self) -> &str {
        &self.line1
    }
    pub fn line2(&self) -> Option<&str> {
        self.line2.as_deref()
    }
    pub fn city(&self) -> &str {
        &self.city
    }
    pub fn state(&self) -> &str {
        &self.state
    }
    pub fn postal_code(&self) -> &str {
        &self.postal_code
    }
    pub fn country(&self) -> &str {
        &self.country
    }
}

/// An address as stored, validated again when read back: a damaged record is refused, never
/// taken for an address.
#[derive(Deserialize)]
struct StoredAddress {
    line1: String,
    #[serde(default)]
    line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    country: String,
}

impl TryFrom<StoredAddress> for ShippingAddress {
    type Error = AddressError;
    fn try_from(stored: StoredAddress) -> Result<Self, Self::Error> {
        ShippingAddress::new(AddressFields {
            line1: &stored.line1,
            line2: stored.line2.as_deref(),
            city: &stored.city,
            state: &stored.state,
            postal_code: &stored.postal_code,
            country: &stored.country,
        })
    }
}

fn text(field: &'static str, raw: &str) -> Result<String, AddressError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(AddressError::Empty { field });
    }
    if value.chars().count() > ShippingAddress::FIELD_CHARS_MAX {
        return Err(AddressError::TooLong { field });
    }
    if value.chars().any(char::is_control) {
        return Err(AddressError::ControlCharacter { field });
    }
    Ok(value.to_owned())
}

fn code(field: &'static str, raw: &str) -> Result<String, AddressError> {
    let value = raw.trim();
    if !(value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase())) {
        return Err(AddressError::NotACode { field });
    }
    Ok(value.to_owned())
}

#[cfg(test)]
pub(crate) fn sample_address() -> ShippingAddress {
    ShippingAddress::new(AddressFields {
        line1: "12 Elm Street",
        line2: None,
        city: "Springfield",
        state: "IL",
        postal_code: "62701",
        country: "US",
    })
    .expect("a valid address")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> AddressFields<'static> {
        AddressFields {
            line1: " 12 Elm Street ",
            line2: Some(""),
            city: "Springfield",
            state: "IL",
            postal_code: "62701",
            country: "US",
        }
    }

    #[test]
    fn an_address_is_trimmed_and_an_empty_second_line_dropped() {
        let address = ShippingAddress::new(fields()).unwrap();
        assert_eq!((address.line1(), address.line2()), ("12 Elm Street", None));
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(
            ShippingAddress::new(AddressFields { city: " ", ..fields() }),
            Err(AddressError::Empty { field: "city" })
        );
        assert_eq!(
            ShippingAddress::new(AddressFields { state: "Illinois", ..fields() }),
            Err(AddressError::NotACode { field: "state" })
        );
        let long = "x".repeat(201);
        assert_eq!(
            ShippingAddress::new(AddressFields { line1: &long, ..fields() }),
            Err(AddressError::TooLong { field: "line1" })
        );
        assert_eq!(
            ShippingAddress::new(AddressFields { line2: Some("a\u{0}"), ..fields() }),
            Err(AddressError::ControlCharacter { field: "line2" })
        );
        assert_eq!(
            AddressError::NotACode { field: "country" }.to_string(),
            "shipping_address.country must be two capital letters"
        );
    }

    #[test]
    fn a_stored_address_is_validated_when_read_back() {
        let stored = serde_json::to_value(ShippingAddress::new(fields()).unwrap()).unwrap();
        assert_eq!(
            serde_json::from_value::<ShippingAddress>(stored.clone()).unwrap(),
            ShippingAddress::new(fields()).unwrap()
        );
        let mut damaged = stored;
        damaged["state"] = "illinois".into();
        assert!(serde_json::from_value::<ShippingAddress>(damaged).is_err());
    }
}
