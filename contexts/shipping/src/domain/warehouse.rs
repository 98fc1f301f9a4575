//! The warehouses shipments leave from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// Where a shipment is packed and handed to the carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Warehouse {
    Dallas,
    Chicago,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a warehouse; the warehouses are dallas, chicago")]
pub struct UnknownWarehouse {
    pub input: String,
}

impl Warehouse {
    pub const ALL: [Warehouse; 2] = [Warehouse::Dallas, Warehouse::Chicago];

    pub fn as_str(self) -> &'static str {
        match self {
            Warehouse::Dallas => "dallas",
            Warehouse::Chicago => "chicago",
        }
    }

    pub fn parse(input: &str) -> Result<Self, UnknownWarehouse> {
        let name = input.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|w| w.as_str() == name).ok_or_else(|| UnknownWarehouse { input: excerpt(input) })
    }
}

impl fmt::Display for Warehouse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warehouses_parse_by_name_in_any_case() {
        assert_eq!(Warehouse::parse(" Dallas"), Ok(Warehouse::Dallas));
        assert_eq!(Warehouse::parse("chicago"), Ok(Warehouse::Chicago));
        assert_eq!(
            Warehouse::parse("houston").unwrap_err().to_string(),
            "`houston` is not a warehouse; the warehouses are dallas, chicago"
        );
        for warehouse in Warehouse::ALL {
            assert_eq!(serde_json::to_value(warehouse).unwrap(), warehouse.as_str());
        }
    }
}
