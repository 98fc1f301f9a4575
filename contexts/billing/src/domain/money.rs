//! Money as billing counts it: whole cents of one currency, never a float.

use std::fmt;

use kernel::formats::money::{format_usd_cents, parse_currency, USD};
use serde::{Deserialize, Serialize};

use crate::domain::text::excerpt;

/// The currencies billing charges in. Bookbox sells in the US only; a second currency would be
/// a variant here, and every sum below already refuses to mix two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        match parse_currency(code) {
            Ok(_) => Ok(Self::Usd),
            Err(_) => Err(MoneyError::UnknownCurrency { code: excerpt(code.trim()) }),
        }
    }

    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Usd => USD,
        }
    }
}

/// An amount of money. Invariant: 0 to [`Money::CENTS_MAX`] cents.
///
/// The bound is far above any box and keeps every sum a payment keeps (captured, refunded,
/// charged back) far from overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyRecord", into = "MoneyRecord")]
pub struct Money {
    amount_cents: u64,
    currency: Currency,
}

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("must be more than zero")]
    Zero,
    #[error("{amount_cents} cents is more than the {max} one amount may be", max = Money::CENTS_MAX)]
    TooLarge { amount_cents: u64 },
    #[error("unknown currency `{code}` (billing charges in USD)")]
    UnknownCurrency { code: String },
}

impl Money {
    /// One million dollars.
    pub const CENTS_MAX: u64 = 100_000_000;

    pub fn new(amount_cents: u64, currency: Currency) -> Result<Self, MoneyError> {
        if amount_cents > Self::CENTS_MAX {
            return Err(MoneyError::TooLarge { amount_cents });
        }
        Ok(Self { amount_cents, currency })
    }

    /// An amount that moves money (a charge, a refund, a dispute): more than zero.
    pub fn positive(amount_cents: u64, currency: Currency) -> Result<Self, MoneyError> {
        if amount_cents == 0 {
            return Err(MoneyError::Zero);
        }
        Self::new(amount_cents, currency)
    }

    pub const fn zero(currency: Currency) -> Self {
        Self { amount_cents: 0, currency }
    }

    pub fn amount_cents(self) -> u64 {
        self.amount_cents
    }

    pub fn currency(self) -> Currency {
        self.currency
    }

    pub fn is_zero(self) -> bool {
        self.amount_cents == 0
    }

    /// The sum, if both are in one currency and it stays within the bound.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Money::new(self.amount_cents.checked_add(other.amount_cents)?, self.currency).ok()
    }

    /// The difference, if both are in one currency and it is not negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money { amount_cents: self.amount_cents.checked_sub(other.amount_cents)?, currency: self.currency })
    }

    /// For `evolve`, which cannot fail: the sum `decide` already checked, clamped to the bound.
    pub(crate) fn saturating_add(self, other: Money) -> Money {
        let amount_cents = self.amount_cents.saturating_add(other.amount_cents).min(Self::CENTS_MAX);
        Money { amount_cents, currency: self.currency }
    }

    /// Whether `self` is at most `other`, in the same currency.
    pub fn fits_within(self, other: Money) -> bool {
        self.currency == other.currency && self.amount_cents <= other.amount_cents
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.currency {
            Currency::Usd => f.write_str(&format_usd_cents(self.amount_cents)),
        }
    }
}

/// The stored and published shape: `{ "amount_cents": n, "currency": "USD" }`.
#[derive(Serialize, Deserialize)]
struct MoneyRecord {
    amount_cents: u64,
    currency: Currency,
}

impl TryFrom<MoneyRecord> for Money {
    type Error = MoneyError;
    fn try_from(record: MoneyRecord) -> Result<Self, MoneyError> {
        Money::new(record.amount_cents, record.currency)
    }
}

impl From<Money> for MoneyRecord {
    fn from(money: Money) -> Self {
        MoneyRecord { amount_cents: money.amount_cents, currency: money.currency }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn usd(cents: u64) -> Money {
        Money::new(cents, Currency::Usd).unwrap()
    }

    #[test]
    fn an_amount_is_bounded_and_a_moving_amount_is_positive() {
        assert_eq!(Money::positive(0, Currency::Usd), Err(MoneyError::Zero));
        assert_eq!(
            Money::new(Money::CENTS_MAX + 1, Currency::Usd),
            Err(MoneyError::TooLarge { amount_cents: 100_000_001 })
        );
        assert_eq!(usd(1999).to_string(), "19.99 USD");
        assert_eq!(usd(5).to_string(), "0.05 USD");
    }

    #[test]
    fn only_known_currencies_parse() {
        assert_eq!(Currency::parse(" USD "), Ok(Currency::Usd));
        let err = Currency::parse("usd").unwrap_err();
        assert_eq!(err.to_string(), "unknown currency `usd` (billing charges in USD)");
    }

    #[test]
    fn sums_stay_within_the_bound_and_differences_are_never_negative() {
        assert_eq!(usd(300).checked_sub(usd(100)), Some(usd(200)));
        assert_eq!(usd(100).checked_sub(usd(300)), None);
        assert_eq!(usd(Money::CENTS_MAX).checked_add(usd(1)), None);
        assert_eq!(usd(Money::CENTS_MAX).saturating_add(usd(1)), usd(Money::CENTS_MAX));
        assert!(usd(3).fits_within(usd(3)) && !usd(4).fits_within(usd(3)));
    }

    #[test]
    fn the_stored_shape_is_checked_on_the_way_in() {
        assert_eq!(serde_json::to_string(&usd(1999)).unwrap(), r#"{"amount_cents":1999,"currency":"USD"}"#);
        assert!(serde_json::from_str::<Money>(r#"{"amount_cents":100000001,"currency":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount_cents":1,"currency":"EUR"}"#).is_err());
    }

    proptest! {
        #[test]
        fn any_amount_and_currency_parse_or_are_refused_without_panicking(
            cents in any::<u64>(),
            code in any::<String>(),
        ) {
            let parsed = Currency::parse(&code).and_then(|c| Money::positive(cents, c));
            if let Ok(money) = parsed {
                prop_assert!(money.amount_cents() > 0 && money.amount_cents() <= Money::CENTS_MAX);
            }
        }
    }
}
