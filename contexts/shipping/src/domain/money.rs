//! Money, as shipping handles it: insured values and insurance claims.

use std::fmt;

use kernel::formats::money::{cents_from_signed, format_usd_cents, parse_currency, USD};
use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// An amount of money. Invariant: not negative, in a currency Bookbox trades in (US dollars
/// only, so the currency is a one-value type rather than a free string).
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

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("amount_cents: {amount_cents} is negative")]
    Negative { amount_cents: i64 },
    #[error("currency: `{input}` is not traded; Bookbox trades in USD only")]
    UnsupportedCurrency { input: String },
}

impl Currency {
    pub fn as_str(self) -> &'static str {
        match self {
            Currency::Usd => USD,
        }
    }
}

impl Money {
    #[cfg(test)]
    pub(crate) const fn usd(amount_cents: u64) -> Self {
        Self { amount_cents, currency: Currency::Usd }
    }

    /// Money from its published form (`amount_cents`, `currency`).
    pub fn parse(amount_cents: i64, currency: &str) -> Result<Self, MoneyError> {
        let currency = match parse_currency(currency) {
            Ok(_) => Currency::Usd,
            Err(_) => return Err(MoneyError::UnsupportedCurrency { input: excerpt(currency.trim()) }),
        };
        let amount_cents = cents_from_signed(amount_cents).map_err(|_| MoneyError::Negative { amount_cents })?;
        Ok(Self { amount_cents, currency })
    }

    pub fn amount_cents(self) -> u64 {
        self.amount_cents
    }

    pub fn currency(self) -> Currency {
        self.currency
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
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn money_is_non_negative_us_dollars() {
        assert_eq!(Money::parse(4_999, "USD"), Ok(Money::usd(4_999)));
        assert_eq!(Money::parse(0, " USD "), Ok(Money::usd(0)));
        assert_eq!(Money::parse(-1, "USD"), Err(MoneyError::Negative { amount_cents: -1 }));
        assert_eq!(
            Money::parse(100, "EUR").unwrap_err().to_string(),
            "currency: `EUR` is not traded; Bookbox trades in USD only"
        );
        assert_eq!(Money::usd(4_905).to_string(), "49.05 USD");
        assert_eq!(
            serde_json::to_value(Money::usd(1)).unwrap(),
            serde_json::json!({ "amount_cents": 1, "currency": "USD" })
        );
    }

    proptest! {
        #[test]
        fn any_amount_and_currency_parse_or_are_refused_without_panicking(cents in any::<i64>(), currency in any::<String>()) {
            if let Ok(money) = Money::parse(cents, &currency) {
                prop_assert_eq!(money.amount_cents() as i64, cents);
            }
        }
    }
}
