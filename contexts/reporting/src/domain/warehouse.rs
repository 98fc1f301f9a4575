//! A warehouse, by the name inventory gives it (`dallas`, `chicago`). Inventory owns the list;
//! its `by_warehouse` map is open to more, so reporting takes any well-formed name and reports
//! stock at a new warehouse the day it opens.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// Invariant: 1 to 40 characters, lowercase ASCII letters, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Warehouse(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a warehouse name (1 to 40 lowercase letters, digits or inner hyphens, e.g. dallas)")]
pub struct WarehouseError {
    pub input: String,
}

impl Warehouse {
    pub const NAME_CHARS_MAX: usize = 40;

    pub fn parse(input: &str) -> Result<Self, WarehouseError> {
        let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        let well_formed = (1..=Self::NAME_CHARS_MAX).contains(&input.len())
            && input.bytes().all(allowed)
            && !input.starts_with('-')
            && !input.ends_with('-');
        if !well_formed {
            return Err(WarehouseError { input: excerpt(input) });
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Warehouse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Warehouse {
    type Error = WarehouseError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Warehouse> for String {
    fn from(warehouse: Warehouse) -> String {
        warehouse.0
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn warehouses_are_lowercase_names() {
        assert_eq!(Warehouse::parse("dallas").unwrap().as_str(), "dallas");
        assert_eq!(Warehouse::parse("new-york-2").unwrap().as_str(), "new-york-2");
        for bad in ["", "Dallas", "-dallas", "dallas-", "dal las", &"x".repeat(41)] {
            assert_eq!(Warehouse::parse(bad), Err(WarehouseError { input: excerpt(bad) }), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(warehouse) = Warehouse::parse(&input) {
                prop_assert_eq!(warehouse.as_str(), input.as_str());
            }
        }
    }
}
