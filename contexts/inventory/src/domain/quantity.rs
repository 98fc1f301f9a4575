//! A number of copies moved by one operation.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Invariant: 1 to 100 000 copies. The upper bound is far above any real shipment and keeps
/// every ledger sum far from overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    #[error("must be at least 1 copy")]
    Zero,
    #[error("{requested} copies is more than the {max} one operation may move", max = Quantity::COPIES_MAX)]
    TooMany { requested: u64 },
}

impl Quantity {
    pub const COPIES_MAX: u32 = 100_000;

    pub fn new(copies: u64) -> Result<Self, QuantityError> {
        if copies == 0 {
            return Err(QuantityError::Zero);
        }
        match u32::try_from(copies) {
            Ok(n) if n <= Self::COPIES_MAX => Ok(Self(n)),
            _ => Err(QuantityError::TooMany { requested: copies }),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }

    /// As a ledger amount.
    pub fn copies(self) -> u64 {
        u64::from(self.0)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<u32> for Quantity {
    type Error = QuantityError;
    fn try_from(n: u32) -> Result<Self, Self::Error> {
        Self::new(u64::from(n))
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantity_is_at_least_one_and_bounded() {
        assert_eq!(Quantity::new(0), Err(QuantityError::Zero));
        assert_eq!(Quantity::new(5).unwrap().get(), 5);
        assert_eq!(Quantity::new(100_001), Err(QuantityError::TooMany { requested: 100_001 }));
        assert_eq!(Quantity::new(u64::MAX), Err(QuantityError::TooMany { requested: u64::MAX }));
        assert!(serde_json::from_str::<Quantity>("0").is_err());
    }
}
