//! The warehouses Bookbox ships from, and which one serves an address first.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::address::UsState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Warehouse {
    Dallas,
    Chicago,
}

/// The codes [`Warehouse::Dallas`] serves first: the US Census Bureau's West and South
/// regions, the Pacific and Caribbean territories, and the armed-forces codes of the Americas
/// (AA) and the Pacific (AP). Everything else (the Midwest and Northeast regions, and AE,
/// whose mail leaves from New York) is Chicago's.
///
/// Census regions rather than distances: a stable, public, reviewable definition that an
/// operator can check by eye; "the nearer warehouse" is only a first choice anyway, since a
/// reservation the first warehouse cannot serve is tried at the other.
const SERVED_FROM_DALLAS: [&str; 37] = [
    // West.
    "AK", "AZ", "CA", "CO", "HI", "ID", "MT", "NV", "NM", "OR", "UT", "WA", "WY", // South.
    "AL", "AR", "DE", "DC", "FL", "GA", "KY", "LA", "MD", "MS", "NC", "OK", "SC", "TN", "TX", "VA", "WV",
    // Territories and the armed forces in the Americas and the Pacific.
    "AS", "GU", "MP", "PR", "VI", "AA", "AP",
];

impl Warehouse {
    /// The warehouse tried first for a box going to `state`.
    pub fn nearest_to(state: UsState) -> Warehouse {
        if SERVED_FROM_DALLAS.contains(&state.code()) {
            Warehouse::Dallas
        } else {
            Warehouse::Chicago
        }
    }

    /// The warehouse tried when this one cannot serve a reservation.
    pub fn other(self) -> Warehouse {
        match self {
            Warehouse::Dallas => Warehouse::Chicago,
            Warehouse::Chicago => Warehouse::Dallas,
        }
    }

    pub fn parse(raw: &str) -> Result<Warehouse, UnknownWarehouse> {
        match raw {
            "dallas" => Ok(Warehouse::Dallas),
            "chicago" => Ok(Warehouse::Chicago),
            other => Err(UnknownWarehouse(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Warehouse::Dallas => "dallas",
            Warehouse::Chicago => "chicago",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a warehouse (dallas or chicago)")]
pub struct UnknownWarehouse(pub String);

impl fmt::Display for Warehouse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::address::US_STATE_CODES;

    fn nearest(code: &str) -> Warehouse {
        Warehouse::nearest_to(UsState::parse(code).unwrap())
    }

    #[test]
    fn the_south_and_west_start_from_dallas_the_rest_from_chicago() {
        for code in ["TX", "CA", "FL", "GA", "WA", "PR", "AP"] {
            assert_eq!(nearest(code), Warehouse::Dallas, "{code}");
        }
        for code in ["IL", "NY", "MA", "OH", "MN", "PA", "AE"] {
            assert_eq!(nearest(code), Warehouse::Chicago, "{code}");
        }
        // Every listed code is a real one.
        assert!(SERVED_FROM_DALLAS.iter().all(|code| US_STATE_CODES.contains(code)));
    }

    #[test]
    fn each_warehouse_has_another() {
        assert_eq!(Warehouse::Dallas.other(), Warehouse::Chicago);
        assert_eq!(Warehouse::Chicago.other().other(), Warehouse::Chicago);
        assert_eq!(Warehouse::parse("dallas"), Ok(Warehouse::Dallas));
        assert_eq!(Warehouse::parse("Dallas"), Err(UnknownWarehouse("Dallas".into())));
    }
}
