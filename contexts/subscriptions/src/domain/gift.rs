//! How long a gift lasts: a number of monthly boxes, 1 to 24, paid up front by the giver.
//!
//! A gift of N months is N boxes: months in which the gift is paused do not count, so the
//! recipient receives every box that was paid for.

use serde::{Deserialize, Serialize};

/// Invariant: 1 to [`GiftMonths::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct GiftMonths(u8);

/// A gift length out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("months: {months} is not a gift length; a gift lasts 1 to 24 months")]
pub struct GiftMonthsError {
    pub months: u32,
}

impl GiftMonths {
    pub const MAX: u8 = 24;

    pub fn new(months: u32) -> Result<Self, GiftMonthsError> {
        match u8::try_from(months) {
            Ok(n @ 1..=Self::MAX) => Ok(Self(n)),
            _ => Err(GiftMonthsError { months }),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for GiftMonths {
    type Error = GiftMonthsError;
    fn try_from(n: u8) -> Result<Self, GiftMonthsError> {
        Self::new(n.into())
    }
}

impl From<GiftMonths> for u8 {
    fn from(months: GiftMonths) -> u8 {
        months.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_gift_of_no_months_or_of_more_than_two_years_is_refused() {
        assert_eq!(GiftMonths::new(0), Err(GiftMonthsError { months: 0 }));
        assert_eq!(GiftMonths::new(25), Err(GiftMonthsError { months: 25 }));
        assert_eq!(
            GiftMonths::new(0).unwrap_err().to_string(),
            "months: 0 is not a gift length; a gift lasts 1 to 24 months"
        );
        assert_eq!(GiftMonths::new(24).map(GiftMonths::get), Ok(24));
        assert!(serde_json::from_str::<GiftMonths>("0").is_err());
    }

    proptest! {
        #[test]
        fn only_1_to_24_months_are_gifts(n in any::<u32>()) {
            prop_assert_eq!(GiftMonths::new(n).is_ok(), (1..=24).contains(&n));
        }
    }
}
