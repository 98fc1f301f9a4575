//! Values checked at the gate, before any context sees them (zero2prod's `domain` newtypes):
//! each parses once, from a string, and refuses with a sentence naming what is wrong. They
//! check the shape (a month is `YYYY-MM`, an ISBN is digits); the contexts check the meaning
//! (an ISBN's checksum, a warehouse that exists) and refuse with a typed rejection.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$", example = "2026-11")]
pub struct Month(String);

impl Month {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bytes = raw.as_bytes();
        let shaped =
            bytes.len() == 7 && bytes[4] == b'-' && bytes.iter().enumerate().all(|(i, b)| i == 4 || b.is_ascii_digit());
        if !shaped {
            return Err(format!("month `{}` is not YYYY-MM", truncate(raw)));
        }
        let month: u8 = raw[5..].parse().unwrap_or(0);
        if !(1..=12).contains(&month) {
            return Err(format!("month `{raw}` has no month {month:02} (01 to 12)"));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// An ISBN-10 or ISBN-13 as typed: digits, hyphens, and a final `X` for an ISBN-10 (the
/// catalog checks the checksum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = r"^[0-9][0-9-]{8,15}[0-9Xx]$", example = "9780141439518")]
pub struct Isbn(String);

impl Isbn {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits = raw.bytes().filter(u8::is_ascii_digit).count();
        let shaped = (10..=17).contains(&raw.len())
            && raw.bytes().enumerate().all(|(i, b)| {
                b.is_ascii_digit() || (b == b'-' && i > 0) || (matches!(b, b'X' | b'x') && i == raw.len() - 1)
            })
            && (digits == 13 || digits + usize::from(raw.ends_with(['X', 'x'])) == 10);
        if !shaped {
            return Err(format!(
                "isbn `{}` is not an ISBN-10 or ISBN-13 (digits, optionally hyphenated)",
                truncate(raw)
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// A name of the kind used for warehouses and contexts: 1 to 40 lowercase letters, digits
/// and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, pattern = r"^[a-z0-9][a-z0-9-]{0,39}$", example = "dallas")]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let shaped = (1..=40).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-');
        if !shaped {
            return Err(format!("`{}` is not a name (1 to 40 lowercase letters, digits and hyphens)", truncate(raw)));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// A value that parses once from a string: read from JSON through `parse` (and written back as
/// the string it was), and seen as that string.
macro_rules! checked_string {
    ($($name:ident),*) => {
        $(impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        })*
    };
}
checked_string!(Month, Isbn, Slug);

/// Declares request bodies (`Debug, Clone, Deserialize, ToSchema`), each strict: a field the
/// body does not declare is refused (`deny_unknown_fields`), never silently ignored.
macro_rules! bodies {
    ($($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* })*) => {
        $(#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        $(#[$meta])*
        pub struct $name { $($fields)* })*
    };
}
pub(crate) use bodies;

/// Echoes at most 40 characters of bad input back, so an error stays one readable line.
pub fn truncate(raw: &str) -> String {
    let mut chars = raw.chars();
    let head: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn months_are_yyyy_mm() {
        assert!(Month::parse("2026-11").is_ok());
        for bad in ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "2026-11-01", "２０２６-11"] {
            assert!(Month::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn isbns_have_ten_or_thirteen_digits() {
        for good in ["9780141439518", "978-0-14-143951-8", "014143951X", "0-14-143951-x"] {
            assert!(Isbn::parse(good).is_ok(), "{good} was refused");
        }
        for bad in ["", "123", "97801414395181", "-780141439518", "978014143951X", "abcdefghijk"] {
            assert!(Isbn::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn slugs_are_short_lowercase_names() {
        assert!(Slug::parse("dallas").is_ok());
        for bad in ["", "Dallas", "-x", "a b", &"x".repeat(41)] {
            assert!(Slug::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_errors_stay_short(raw in ".{0,200}") {
            for error in [Month::parse(&raw).err(), Isbn::parse(&raw).err(), Slug::parse(&raw).err()].into_iter().flatten() {
                prop_assert!(error.chars().count() < 160, "{}", error);
            }
        }
    }
}
