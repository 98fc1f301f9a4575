//! The warehouses inventory keeps stock in.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// A warehouse. Opening a warehouse is a new variant here, a new name in the published
/// schemas, and nothing else: every ledger is per (book, warehouse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Warehouse {
    Dallas,
    Chicago,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarehouseError {
    #[error("`{input}` is not a warehouse; the warehouses are dallas, chicago")]
    Unknown { input: String },
    #[error("a transfer needs two different warehouses, not {0} twice")]
    SameWarehouse(Warehouse),
}

impl Warehouse {
    pub const ALL: [Warehouse; 2] = [Warehouse::Dallas, Warehouse::Chicago];

    pub fn as_str(self) -> &'static str {
        match self {
            Warehouse::Dallas => "dallas",
            Warehouse::Chicago => "chicago",
        }
    }

    pub fn parse(input: &str) -> Result<Self, WarehouseError> {
        let name = input.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|w| w.as_str() == name)
            .ok_or_else(|| WarehouseError::Unknown { input: excerpt(input) })
    }
}

impl fmt::Display for Warehouse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a transfer goes. Invariant: `from` and `to` differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    from: Warehouse,
    to: Warehouse,
}

impl Route {
    pub fn new(from: Warehouse, to: Warehouse) -> Result<Self, WarehouseError> {
        if from == to {
            return Err(WarehouseError::SameWarehouse(from));
        }
        Ok(Self { from, to })
    }

    pub fn from(self) -> Warehouse {
        self.from
    }

    pub fn to(self) -> Warehouse {
        self.to
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn warehouses_parse_by_name_in_any_case() {
        assert_eq!(Warehouse::parse("Dallas"), Ok(Warehouse::Dallas));
        assert_eq!(Warehouse::parse(" chicago"), Ok(Warehouse::Chicago));
        for warehouse in Warehouse::ALL {
            assert_eq!(serde_json::to_value(warehouse).unwrap(), warehouse.as_str());
        }
        let err = Warehouse::parse("houston").unwrap_err();
        assert_eq!(err.to_string(), "`houston` is not a warehouse; the warehouses are dallas, chicago");
    }

    #[test]
    fn a_route_joins_two_different_warehouses() {
        assert_eq!(
            Route::new(Warehouse::Dallas, Warehouse::Dallas),
            Err(WarehouseError::SameWarehouse(Warehouse::Dallas))
        );
        let route = Route::new(Warehouse::Dallas, Warehouse::Chicago).unwrap();
        assert_eq!((route.from(), route.to()), (Warehouse::Dallas, Warehouse::Chicago));
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            let _ = Warehouse::parse(&input);
        }
    }
}
