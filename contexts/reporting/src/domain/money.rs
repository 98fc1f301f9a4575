//! Money as reporting sums it: whole US cents. The published language carries money as
//! `{ amount_cents, currency }`; reporting adds amounts up across orders, so it accepts one
//! currency only, and a sum never wraps (it saturates: no input can make it panic).

use std::fmt;

use kernel::formats::money::{parse_currency, USD};
use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// The only currency Bookbox charges in.
pub const CURRENCY: &str = USD;

/// A non-negative amount of US cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency `{currency}` is not USD, the only currency reporting adds up")]
    Currency { currency: String },
}

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub const fn new(cents: u64) -> Self {
        Self(cents)
    }

    /// An amount of the published language: `amount_cents` of `currency`, which must be USD.
    pub fn usd(amount_cents: u64, currency: &str) -> Result<Self, MoneyError> {
        match parse_currency(currency) {
            Ok(_) => Ok(Self(amount_cents)),
            Err(_) => Err(MoneyError::Currency { currency: excerpt(currency) }),
        }
    }

    pub const fn plus(self, other: Cents) -> Cents {
        Cents(self.0.saturating_add(other.0))
    }

    /// What is left of `self` after `other`, never below zero.
    pub const fn minus(self, other: Cents) -> Cents {
        Cents(self.0.saturating_sub(other.0))
    }

    /// The amount as signed cents (saturating at `i64::MAX`).
    pub fn signed(self) -> i64 {
        self.net_of(Cents::ZERO)
    }

    /// `self - other`, signed: a net amount (what was captured minus what was refunded).
    pub fn net_of(self, other: Cents) -> i64 {
        let net = i128::from(self.0) - i128::from(other.0);
        i64::try_from(net).unwrap_or(if net < 0 { i64::MIN } else { i64::MAX })
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {CURRENCY} cents", self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn only_us_dollars_are_accepted() {
        assert_eq!(Cents::usd(1999, "USD"), Ok(Cents::new(1999)));
        assert_eq!(Cents::usd(1999, "EUR"), Err(MoneyError::Currency { currency: "EUR".into() }));
        assert_eq!(Cents::usd(1, "usd"), Err(MoneyError::Currency { currency: "usd".into() }));
    }

    #[test]
    fn sums_saturate_and_nets_are_signed() {
        assert_eq!(Cents::new(u64::MAX).plus(Cents::new(1)), Cents::new(u64::MAX));
        assert_eq!(Cents::new(1).minus(Cents::new(5)), Cents::ZERO);
        assert_eq!(Cents::new(1).net_of(Cents::new(5)), -4);
        assert_eq!(Cents::new(u64::MAX).net_of(Cents::ZERO), i64::MAX);
        assert_eq!(Cents::ZERO.net_of(Cents::new(u64::MAX)), i64::MIN);
    }

    proptest! {
        #[test]
        fn any_currency_is_accepted_or_named_without_panicking(amount in any::<u64>(), currency in any::<String>()) {
            match Cents::usd(amount, &currency) {
                Ok(cents) => prop_assert_eq!((cents, currency.trim()), (Cents::new(amount), "USD")),
                Err(MoneyError::Currency { .. }) => prop_assert_ne!(currency.trim(), "USD"),
            }
        }
    }
}
