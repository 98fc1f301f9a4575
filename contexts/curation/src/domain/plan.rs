//! The plan of a due box, as curation needs it: how many books to pick. The price travels
//! with it untouched, for the consumers of `box-curated`; curation never interprets it.

use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

/// Invariant: 1, 2 or 3 books a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct BooksPerMonth(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("{0} books a month is not a plan; plans are 1, 2 or 3 books a month")]
    BooksPerMonth(u64),
    #[error("`{0}` is not a currency code (three capital letters, e.g. USD)")]
    Currency(String),
}

impl BooksPerMonth {
    pub fn new(n: u64) -> Result<Self, PlanError> {
        match n {
            1..=3 => Ok(Self(n as u8)),
            _ => Err(PlanError::BooksPerMonth(n)),
        }
    }

    pub fn get(self) -> usize {
        usize::from(self.0)
    }
}

impl TryFrom<u8> for BooksPerMonth {
    type Error = PlanError;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(u64::from(n))
    }
}

impl From<BooksPerMonth> for u8 {
    fn from(n: BooksPerMonth) -> u8 {
        n.0
    }
}

/// A monthly price in integer cents of a currency. Invariant: the currency is three capital
/// letters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredPrice")]
pub struct MonthlyPrice {
    amount_cents: u64,
    currency: String,
}

impl MonthlyPrice {
    pub fn new(amount_cents: u64, currency: &str) -> Result<Self, PlanError> {
        if !(currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase())) {
            return Err(PlanError::Currency(excerpt(currency)));
        }
        Ok(Self { amount_cents, currency: currency.to_owned() })
    }

    pub fn amount_cents(&self) -> u64 {
        self.amount_cents
    }

    pub fn currency(&self) -> &str {
        &self.currency
    }
}

/// A price as stored, validated again when read back.
#[derive(Deserialize)]
struct StoredPrice {
    amount_cents: u64,
    currency: String,
}

impl TryFrom<StoredPrice> for MonthlyPrice {
    type Error = PlanError;
    fn try_from(stored: StoredPrice) -> Result<Self, Self::Error> {
        MonthlyPrice::new(stored.amount_cents, &stored.currency)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub books_per_month: BooksPerMonth,
    pub monthly_price: MonthlyPrice,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_has_one_to_three_books_a_month() {
        assert_eq!(BooksPerMonth::new(0), Err(PlanError::BooksPerMonth(0)));
        assert_eq!(BooksPerMonth::new(3).unwrap().get(), 3);
        assert_eq!(BooksPerMonth::new(4), Err(PlanError::BooksPerMonth(4)));
        assert!(serde_json::from_str::<BooksPerMonth>("9").is_err());
    }

    #[test]
    fn a_price_names_its_currency() {
        assert_eq!(MonthlyPrice::new(1999, "USD").unwrap().amount_cents(), 1999);
        assert_eq!(MonthlyPrice::new(1999, "usd"), Err(PlanError::Currency("usd".into())));
        assert!(serde_json::from_str::<MonthlyPrice>(r#"{"amount_cents":1,"currency":"dollars"}"#).is_err());
    }
}
