//! From what a caller typed to value objects; every failure names the field.

use std::fmt::Display;

use crate::domain::ids::{CustomerId, SubscriptionId};
use crate::domain::isbn::Isbn;
use crate::domain::month::Month;
use crate::domain::selection::SelectionList;
use crate::ports::CurationError;

fn invalid(field: impl Into<String>, error: impl Display) -> CurationError {
    CurationError::InvalidInput { field: field.into(), reason: error.to_string() }
}

pub(super) fn month(raw: &str) -> Result<Month, CurationError> {
    Month::parse(raw).map_err(|e| invalid("month", e))
}

pub(super) fn subscription_id(raw: &str) -> Result<SubscriptionId, CurationError> {
    raw.trim().parse().map_err(|e| invalid("subscription_id", e))
}

pub(super) fn customer_id(raw: &str) -> Result<CustomerId, CurationError> {
    raw.trim().parse().map_err(|e| invalid("customer_id", e))
}

pub(super) fn selection(raw: &[String]) -> Result<SelectionList, CurationError> {
    let isbns = raw
        .iter()
        .enumerate()
        .map(|(n, isbn)| Isbn::parse(isbn).map_err(|e| invalid(format!("isbns[{n}]"), e)))
        .collect::<Result<Vec<_>, _>>()?;
    SelectionList::new(isbns).map_err(|e| invalid("isbns", e))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_bad_isbn_is_named_by_its_position() {
        let err = selection(&["9780306406157".into(), "97803064061".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid isbns[1]: `97803064061` is not an ISBN-13 (13 digits, starting 978 or 979, no separators)"
        );
        assert_eq!(selection(&[]).unwrap_err().to_string(), "invalid isbns: a selection needs at least one book");
    }

    proptest! {
        #[test]
        fn any_input_parses_or_is_refused_without_panicking(
            text in any::<String>(),
            isbns in proptest::collection::vec(any::<String>(), 0..4),
        ) {
            let _ = month(&text);
            let _ = subscription_id(&text);
            let _ = customer_id(&text);
            let _ = selection(&isbns);
        }
    }
}
