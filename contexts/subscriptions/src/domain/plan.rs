//! Plans and their prices: how many books a box holds each month, and what that costs.
//!
//! A plan is priced when a subscription starts and the price travels with it (in its events
//! and in every `box-due`): a later change of the price list does not reprice existing
//! subscriptions, and replaying old events never changes what a customer was charged.

use serde::{Deserialize, Serialize};

/// How many books a box holds: Bookbox offers 1, 2 or 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum BooksPerMonth {
    One = 1,
    Two = 2,
    Three = 3,
}

/// An amount of money in minor units (cents) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    amount_cents: u64,
    currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "USD")]
    Usd,
}

/// A plan: the books per month and the monthly price agreed for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    books_per_month: BooksPerMonth,
    monthly_price: Money,
}

/// A number of books Bookbox has no plan for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("books_per_month: {books_per_month} is not a plan; Bookbox offers 1, 2 or 3 books a month")]
pub struct PlanError {
    pub books_per_month: u32,
}

impl BooksPerMonth {
    pub fn new(books_per_month: u32) -> Result<Self, PlanError> {
        match books_per_month {
            1 => Ok(Self::One),
            2 => Ok(Self::Two),
            3 => Ok(Self::Three),
            _ => Err(PlanError { books_per_month }),
        }
    }

    pub fn get(self) -> u8 {
        self as u8
    }
}

impl TryFrom<u8> for BooksPerMonth {
    type Error = PlanError;
    fn try_from(n: u8) -> Result<Self, PlanError> {
        Self::new(n.into())
    }
}

impl From<BooksPerMonth> for u8 {
    fn from(books: BooksPerMonth) -> u8 {
        books.get()
    }
}

impl Money {
    pub const fn usd_cents(amount_cents: u64) -> Self {
        Self { amount_cents, currency: Currency::Usd }
    }

    pub fn amount_cents(self) -> u64 {
        self.amount_cents
    }

    pub fn currency(self) -> Currency {
        self.currency
    }
}

impl Currency {
    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Usd => kernel::formats::money::USD,
        }
    }
}

impl Plan {
    /// The price list: more books per box cost less per book.
    pub fn at_current_prices(books_per_month: BooksPerMonth) -> Self {
        let monthly_price = match books_per_month {
            BooksPerMonth::One => Money::usd_cents(19_99),
            BooksPerMonth::Two => Money::usd_cents(34_99),
            BooksPerMonth::Three => Money::usd_cents(49_99),
        };
        Self { books_per_month, monthly_price }
    }

    pub fn books_per_month(self) -> BooksPerMonth {
        self.books_per_month
    }

    pub fn monthly_price(self) -> Money {
        self.monthly_price
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn there_are_three_plans_and_more_books_cost_less_each() {
        let prices: Vec<u64> = [1, 2, 3]
            .map(|n| Plan::at_current_prices(BooksPerMonth::new(n).unwrap()).monthly_price().amount_cents())
            .to_vec();
        assert_eq!(prices, [1999, 3499, 4999]);
        assert!(prices[1] / 2 < prices[0] && prices[2] / 3 < prices[1] / 2);
    }

    #[test]
    fn an_unknown_plan_is_refused_naming_the_field() {
        assert_eq!(BooksPerMonth::new(0), Err(PlanError { books_per_month: 0 }));
        assert_eq!(
            BooksPerMonth::new(4).unwrap_err().to_string(),
            "books_per_month: 4 is not a plan; Bookbox offers 1, 2 or 3 books a month"
        );
    }

    #[test]
    fn a_plan_is_stored_with_its_price() {
        let plan = Plan::at_current_prices(BooksPerMonth::Two);
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(json, r#"{"books_per_month":2,"monthly_price":{"amount_cents":3499,"currency":"USD"}}"#);
        assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
        assert!(serde_json::from_str::<Plan>(&json.replace(":2,", ":5,")).is_err());
    }

    proptest! {
        #[test]
        fn only_one_two_and_three_are_plans(n in any::<u32>()) {
            prop_assert_eq!(BooksPerMonth::new(n).is_ok(), (1..=3).contains(&n));
        }
    }
}
