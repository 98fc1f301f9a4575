//! Where a parcel goes: a US postal address, as the customer gave it to the orders context.
//!
//! Bookbox ships from Dallas and Chicago to the US only, so the country is a one-value type.
//! Normalization: every part is trimmed, the state code and country uppercased, an empty
//! second line is no second line. Errors name the field (`address.<part>`) and echo only the
//! state and country, which identify no one: an address is personal data.

use kernel::formats::us_state::parse_us_state;
use serde::{Deserialize, Serialize};

use crate::domain::{clean_text, excerpt, TextProblem};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line2: Option<String>,
    city: String,
    state: String,
    postal_code: String,
    country: Country,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Country {
    #[serde(rename = "US")]
    UnitedStates,
}

impl Country {
    pub fn as_str(self) -> &'static str {
        match self {
            Country::UnitedStates => "US",
        }
    }
}

/// The parts of an address as a caller typed them.
#[derive(Debug, Clone, Copy)]
pub struct AddressParts<'a> {
    pub line1: &'a str,
    pub line2: Option<&'a str>,
    pub city: &'a str,
    pub state: &'a str,
    pub postal_code: &'a str,
    pub country: &'a str,
}

/// Why an address was refused; [`AddressError::field`] names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("{problem}")]
    Text { field: &'static str, problem: TextProblem },
    #[error("`{input}` is not a US state code (two letters, e.g. TX)")]
    UnknownState { input: String },
    #[error("is not a US ZIP code (12345 or 12345-6789)")]
    InvalidPostalCode,
    #[error("`{input}` is not served; Bookbox ships to the US only (`US`)")]
    UnsupportedCountry { input: String },
}

impl AddressError {
    /// The path of the part at fault, e.g. `address.city`.
    pub fn field(&self) -> &'static str {
        match self {
            AddressError::Text { field, .. } => field,
            AddressError::UnknownState { .. } => "address.state",
            AddressError::InvalidPostalCode => "address.postal_code",
            AddressError::UnsupportedCountry { .. } => "address.country",
        }
    }
}

impl Address {
    /// A street line or city is at most this long (the longest a shipping label prints).
    pub const TEXT_CHARS_MAX: usize = 100;

    /// Parses an address from its parts; the first problem found is reported.
    pub fn parse(parts: AddressParts<'_>) -> Result<Self, AddressError> {
        let text = |field, input| {
            clean_text(input, Self::TEXT_CHARS_MAX).map_err(|problem| AddressError::Text { field, problem })
        };
        let line2 = match parts.line2.map(str::trim) {
            None | Some("") => None,
            Some(line) => Some(text("address.line2", line)?),
        };
        let state = parse_us_state(parts.state)
            .map_err(|_| AddressError::UnknownState { input: excerpt(parts.state) })?
            .to_owned();
        let country = match parts.country.trim().to_ascii_uppercase().as_str() {
            "US" => Country::UnitedStates,
            _ => return Err(AddressError::UnsupportedCountry { input: excerpt(parts.country) }),
        };
        Ok(Self {
            line1: text("address.line1", parts.line1)?,
            line2,
            city: text("address.city", parts.city)?,
            state,
            postal_code: postal_code(parts.postal_code)?,
            country,
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
    pub fn country(&self) -> Country {
        self.country
    }
}

/// `12345` or ZIP+4 `12345-6789`.
fn postal_code(input: &str) -> Result<String, AddressError> {
    let code = input.trim();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let valid = match code.split_once('-') {
        None => digits(code, 5),
        Some((zip, plus4)) => digits(zip, 5) && digits(plus4, 4),
    };
    if valid {
        Ok(code.to_owned())
    } else {
        Err(AddressError::InvalidPostalCode)
    }
}

#[cfg(test)]
pub(crate) fn sample() -> Address {
    Address::parse(AddressParts {
        line1: "12 Elm Street",
        line2: Some("Apt 3"),
        city: "Austin",
        state: "TX",
        postal_code: "73301",
        country: "US",
    })
    .expect("a valid address")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn parts() -> AddressParts<'static> {
        AddressParts {
            line1: " 12 Elm Street ",
            line2: Some("  "),
            city: "Austin",
            state: "tx",
            postal_code: "73301-0001",
            country: "us",
        }
    }

    #[test]
    fn an_address_is_normalized() {
        let address = Address::parse(parts()).unwrap();
        assert_eq!(address.line1(), "12 Elm Street");
        assert_eq!(address.line2(), None);
        assert_eq!(
            (address.state(), address.postal_code(), address.country()),
            ("TX", "73301-0001", Country::UnitedStates)
        );
    }

    #[test]
    fn each_bad_part_is_named() {
        let err = |parts| {
            let error = Address::parse(parts).unwrap_err();
            format!("{}: {error}", error.field())
        };
        assert_eq!(err(AddressParts { line1: "", ..parts() }), "address.line1: is empty");
        assert_eq!(err(AddressParts { city: "A\nB", ..parts() }), "address.city: contains a control character");
        assert_eq!(
            err(AddressParts { state: "XX", ..parts() }),
            "address.state: `XX` is not a US state code (two letters, e.g. TX)"
        );
        assert_eq!(
            err(AddressParts { postal_code: "7330", ..parts() }),
            "address.postal_code: is not a US ZIP code (12345 or 12345-6789)"
        );
        assert_eq!(
            err(AddressParts { country: "CA", ..parts() }),
            "address.country: `CA` is not served; Bookbox ships to the US only (`US`)"
        );
    }

    proptest! {
        #[test]
        fn any_parts_parse_or_are_refused_without_panicking(
            line1 in any::<String>(), line2 in proptest::option::of(any::<String>()), city in any::<String>(),
            state in any::<String>(), postal_code in any::<String>(), country in any::<String>(),
        ) {
            let _ = Address::parse(AddressParts {
                line1: &line1, line2: line2.as_deref(), city: &city, state: &state, postal_code: &postal_code, country: &country,
            });
        }
    }
}
