//! Money as the published language writes it: `{ "amount_cents": n, "currency": "USD" }`,
//! whole cents of the one currency Bookbox sells in, never a float.

/// The ISO 4217 code of the only currency Bookbox trades in.
pub const USD: &str = "USD";

/// A currency code other than [`USD`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("is not USD, the only currency Bookbox trades in")]
pub struct NotUsd;

/// A negative amount of cents, where money is never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{amount_cents} cents is negative")]
pub struct NegativeAmount {
    pub amount_cents: i64,
}

/// Checks a currency code: `USD`, surrounding whitespace forgiven, letter case not (ISO
/// codes are capitals, and `usd` is more likely a bug upstream than a person typing).
pub fn parse_currency(code: &str) -> Result<&'static str, NotUsd> {
    if code.trim() == USD {
        Ok(USD)
    } else {
        Err(NotUsd)
    }
}

/// Signed cents as they arrive in JSON, as the non-negative amount they must be.
pub fn cents_from_signed(amount_cents: i64) -> Result<u64, NegativeAmount> {
    u64::try_from(amount_cents).map_err(|_| NegativeAmount { amount_cents })
}

/// An amount as people read it: `19.99 USD`.
pub fn format_usd_cents(amount_cents: u64) -> String {
    format!("{}.{:02} {USD}", amount_cents / 100, amount_cents % 100)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn only_usd_is_a_currency() {
        assert_eq!(parse_currency("USD"), Ok("USD"));
        assert_eq!(parse_currency(" USD\n"), Ok("USD"));
        for bad in ["usd", "EUR", "", "US D", "USDX"] {
            assert_eq!(parse_currency(bad), Err(NotUsd), "{bad}");
        }
    }

    #[test]
    fn amounts_are_never_negative_and_print_as_dollars() {
        assert_eq!(cents_from_signed(0), Ok(0));
        assert_eq!(cents_from_signed(-1), Err(NegativeAmount { amount_cents: -1 }));
        assert_eq!(format_usd_cents(1999), "19.99 USD");
        assert_eq!(format_usd_cents(5), "0.05 USD");
        assert_eq!(format_usd_cents(100_000), "1000.00 USD");
    }

    proptest! {
        #[test]
        fn printed_amounts_read_back_to_the_same_cents(cents in any::<u64>()) {
            let printed = format_usd_cents(cents);
            let (dollars, rest) = printed.trim_end_matches(" USD").split_once('.').unwrap();
            prop_assert_eq!(rest.len(), 2);
            prop_assert_eq!(u128::from(dollars.parse::<u64>().unwrap()) * 100 + u128::from(rest.parse::<u64>().unwrap()), u128::from(cents));
        }

        #[test]
        fn signed_cents_are_kept_iff_not_negative(cents in any::<i64>()) {
            prop_assert_eq!(cents_from_signed(cents).is_ok(), cents >= 0);
            if let Ok(kept) = cents_from_signed(cents) {
                prop_assert_eq!(kept as i64, cents);
            }
        }
    }
}
