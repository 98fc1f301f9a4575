//! Money: integer cents in one currency (US dollars, the only one Bookbox sells in).

use std::fmt;

use kernel::formats::money::{format_usd_cents, parse_currency, USD};
use serde::{Deserialize, Serialize};

/// An amount of money, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money {
    amount_cents: u64,
    currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => USD,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("currency `{0}` is not accepted (Bookbox sells in USD only)")]
    UnknownCurrency(String),
}

impl Money {
    pub const ZERO: Money = Money { amount_cents: 0, currency: Currency::Usd };

    pub const fn usd(amount_cents: u64) -> Self {
        Self { amount_cents, currency: Currency::Usd }
    }

    pub fn parse(amount_cents: u64, currency: &str) -> Result<Self, MoneyError> {
        match parse_currency(currency) {
            Ok(_) => Ok(Self::usd(amount_cents)),
            Err(_) => Err(MoneyError::UnknownCurrency(currency.to_owned())),
        }
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

    /// The sum; saturates (no business sums to 184 quadrillion dollars).
    pub fn plus(self, other: Money) -> Money {
        Money::usd(self.amount_cents.saturating_add(other.amount_cents))
    }

    /// What is left of `self` after `other`, never below zero.
    pub fn minus(self, other: Money) -> Money {
        Money::usd(self.amount_cents.saturating_sub(other.amount_cents))
    }
}

impl Default for Money {
    fn default() -> Self {
        Money::ZERO
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.currency {
            Currency::Usd => f.write_str(&format_usd_cents(self.amount_cents)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_usd_cents_and_never_negative() {
        assert_eq!(Money::parse(1999, "USD"), Ok(Money::usd(1999)));
        assert_eq!(Money::parse(1, "EUR"), Err(MoneyError::UnknownCurrency("EUR".into())));
        assert_eq!(Money::usd(500).minus(Money::usd(800)), Money::ZERO);
        assert_eq!(Money::usd(500).plus(Money::usd(800)), Money::usd(1300));
        assert_eq!(Money::usd(2999).to_string(), "29.99 USD");
        assert_eq!(serde_json::to_string(&Money::usd(5)).unwrap(), r#"{"amount_cents":5,"currency":"USD"}"#);
    }
}
