//! From what a caller typed to value objects. Every failure names the field, in the words of
//! the value object's own error, so "invalid lines[1].isbn: `97803…` fails its check digit"
//! tells the caller exactly what to fix.

use std::fmt::Display;

use crate::domain::genre::Genres;
use crate::domain::ids::{OrderId, TransferId};
use crate::domain::isbn::Isbn;
use crate::domain::quantity::Quantity;
use crate::domain::reservation::{ReservationLine, ReservationLines};
use crate::domain::title::Title;
use crate::domain::warehouse::Warehouse;
use crate::ports::InventoryError;

/// A reservation request, parsed: the same for the `ReserveStock` command and the
/// `reserve-stock` message.
#[derive(Debug, Clone)]
pub(super) struct ReservationRequest {
    pub order_id: OrderId,
    pub warehouse: Warehouse,
    pub lines: ReservationLines,
}

fn invalid(field: impl Into<String>, error: impl Display) -> InventoryError {
    InventoryError::InvalidInput { field: field.into(), reason: error.to_string() }
}

pub(super) fn isbn(raw: &str) -> Result<Isbn, InventoryError> {
    Isbn::parse(raw).map_err(|e| invalid("isbn", e))
}

pub(super) fn title(raw: &str) -> Result<Title, InventoryError> {
    Title::parse(raw).map_err(|e| invalid("title", e))
}

pub(super) fn genres(raw: &[String]) -> Result<Genres, InventoryError> {
    Genres::parse(raw.iter().map(String::as_str)).map_err(|e| invalid("genres", e))
}

pub(super) fn warehouse(field: &'static str, raw: &str) -> Result<Warehouse, InventoryError> {
    Warehouse::parse(raw).map_err(|e| invalid(field, e))
}

pub(super) fn quantity(raw: u32) -> Result<Quantity, InventoryError> {
    Quantity::new(u64::from(raw)).map_err(|e| invalid("quantity", e))
}

pub(super) fn order_id(raw: &str) -> Result<OrderId, InventoryError> {
    raw.trim().parse().map_err(|e| invalid("order_id", e))
}

pub(super) fn transfer_id(raw: &str) -> Result<TransferId, InventoryError> {
    raw.trim().parse().map_err(|e| invalid("transfer_id", e))
}

pub(super) fn reservation_request<'a>(
    order_id: OrderId,
    warehouse_raw: &str,
    lines_raw: impl IntoIterator<Item = (&'a str, u32)>,
) -> Result<ReservationRequest, InventoryError> {
    let warehouse = warehouse("warehouse", warehouse_raw)?;
    let mut lines = Vec::new();
    for (n, (isbn_raw, quantity_raw)) in lines_raw.into_iter().enumerate() {
        let isbn = Isbn::parse(isbn_raw).map_err(|e| invalid(format!("lines[{n}].isbn"), e))?;
        let quantity =
            Quantity::new(u64::from(quantity_raw)).map_err(|e| invalid(format!("lines[{n}].quantity"), e))?;
        lines.push(ReservationLine { isbn, quantity });
    }
    let lines = ReservationLines::new(lines).map_err(|e| invalid("lines", e))?;
    Ok(ReservationRequest { order_id, warehouse, lines })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_bad_line_is_named_by_its_position() {
        let err = reservation_request(
            OrderId::from_uuid(uuid::Uuid::from_u128(1)),
            "dallas",
            [("9780306406157", 1), ("9780306406158", 1)],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid lines[1].isbn: `9780306406158` fails its check digit: expected 7, found 8"
        );
        let err = order_id("not-an-order").unwrap_err();
        assert_eq!(err.to_string(), "invalid order_id: `not-an-order` is not a valid OrderId (expected a UUID)");
        let err = reservation_request(OrderId::from_uuid(uuid::Uuid::from_u128(1)), "dallas", []).unwrap_err();
        assert_eq!(err.to_string(), "invalid lines: a reservation needs at least one line");
    }

    proptest! {
        #[test]
        fn any_reservation_request_parses_or_is_refused_without_panicking(
            order in any::<String>(),
            warehouse in any::<String>(),
            lines in proptest::collection::vec((any::<String>(), any::<u32>()), 0..4),
        ) {
            let _ = order_id(&order);
            let order = OrderId::from_uuid(uuid::Uuid::from_u128(1));
            let _ = reservation_request(order, &warehouse, lines.iter().map(|(i, q)| (i.as_str(), *q)));
        }
    }
}
