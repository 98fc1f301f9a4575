//! From what a caller typed (or another context sent) to value objects. Every failure names
//! the field, in the words of the value object's own error, so "invalid books[1].isbn:
//! `97803…` fails its check digit" tells the caller exactly what to fix.

use std::fmt::Display;

use crate::domain::address::{Address, AddressParts};
use crate::domain::consignment::{Consignment, InsurancePolicy, OrderIds};
use crate::domain::ids::{OrderId, ShipmentId};
use crate::domain::money::Money;
use crate::domain::parcel::{Book, Isbn, Parcel, Title};
use crate::domain::warehouse::Warehouse;
use crate::ports::{BookLine, PostalAddress, ShipmentRequest, ShippingError};
use crate::published::RequestShipmentV1;

fn invalid(field: impl Into<String>, error: impl Display) -> ShippingError {
    ShippingError::InvalidInput { field: field.into(), reason: error.to_string() }
}

pub(super) fn shipment_id(raw: &str) -> Result<ShipmentId, ShippingError> {
    raw.trim().parse().map_err(|e| invalid("shipment_id", e))
}

/// The terms of a shipment, whatever the ids were typed as.
struct Terms<'a> {
    shipment_id: ShipmentId,
    order_ids: Vec<OrderId>,
    warehouse: &'a str,
    address: AddressParts<'a>,
    books: Vec<(&'a str, &'a str)>,
    insured_value: (i64, &'a str),
}

fn address_parts(address: &PostalAddress) -> AddressParts<'_> {
    AddressParts {
        line1: &address.line1,
        line2: address.line2.as_deref(),
        city: &address.city,
        state: &address.state,
        postal_code: &address.postal_code,
        country: &address.country,
    }
}

fn books(books: &[BookLine]) -> Vec<(&str, &str)> {
    books.iter().map(|b| (b.isbn.as_str(), b.title.as_str())).collect()
}

/// A `RequestShipment` command.
pub(super) fn shipment_request(request: &ShipmentRequest) -> Result<Consignment, ShippingError> {
    let order_ids = request
        .order_ids
        .iter()
        .enumerate()
        .map(|(n, raw)| raw.trim().parse::<OrderId>().map_err(|e| invalid(format!("order_ids[{n}]"), e)))
        .collect::<Result<Vec<_>, _>>()?;
    consignment(Terms {
        shipment_id: shipment_id(&request.shipment_id)?,
        order_ids,
        warehouse: &request.warehouse,
        address: address_parts(&request.address),
        books: books(&request.books),
        insured_value: (request.insured_value.amount_cents, &request.insured_value.currency),
    })
}

/// A `request-shipment` message.
pub(super) fn request_shipment(message: &RequestShipmentV1) -> Result<Consignment, ShippingError> {
    let address = &message.address;
    consignment(Terms {
        shipment_id: ShipmentId::from_uuid(message.shipment_id),
        order_ids: message.order_ids.iter().copied().map(OrderId::from_uuid).collect(),
        warehouse: &message.warehouse,
        address: AddressParts {
            line1: &address.line1,
            line2: address.line2.as_deref(),
            city: &address.city,
            state: &address.state,
            postal_code: &address.postal_code,
            country: &address.country,
        },
        books: message.books.iter().map(|b| (b.isbn.as_str(), b.title.as_str())).collect(),
        insured_value: (message.insured_value.amount_cents, &message.insured_value.currency),
    })
}

fn consignment(terms: Terms<'_>) -> Result<Consignment, ShippingError> {
    let order_ids = OrderIds::new(terms.order_ids).map_err(|e| invalid("order_ids", e))?;
    let warehouse = Warehouse::parse(terms.warehouse).map_err(|e| invalid("warehouse", e))?;
    let address = Address::parse(terms.address).map_err(|e| invalid(e.field(), &e))?;
    let mut books = Vec::with_capacity(terms.books.len());
    for (n, (isbn, title)) in terms.books.into_iter().enumerate() {
        let isbn = Isbn::parse(isbn).map_err(|e| invalid(format!("books[{n}].isbn"), e))?;
        let title = Title::parse(title).map_err(|e| invalid(format!("books[{n}].title"), e))?;
        books.push(Book { isbn, title });
    }
    let parcel = Parcel::new(books).map_err(|e| invalid("books", e))?;
    let (amount_cents, currency) = terms.insured_value;
    let insured_value = Money::parse(amount_cents, currency).map_err(|e| invalid("insured_value", e))?;
    Ok(Consignment {
        shipment_id: terms.shipment_id,
        order_ids,
        warehouse,
        address,
        parcel,
        insurance: InsurancePolicy { insured_value },
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::ports::Amount;

    fn request() -> ShipmentRequest {
        ShipmentRequest {
            shipment_id: "3d6f0a9e-8c1b-4b7a-9e2f-5a4c3b2d1e0f".into(),
            order_ids: vec!["6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b".into()],
            warehouse: "dallas".into(),
            address: PostalAddress {
                line1: "12 Elm Street".into(),
                line2: None,
                city: "Austin".into(),
                state: "TX".into(),
                postal_code: "73301".into(),
                country: "US".into(),
            },
            books: vec![BookLine { isbn: "9780306406157".into(), title: "Dune".into() }],
            insured_value: Amount { amount_cents: 2_999, currency: "USD".into() },
        }
    }

    #[test]
    fn every_bad_field_is_named() {
        let err = |change: fn(&mut ShipmentRequest)| {
            let mut request = request();
            change(&mut request);
            shipment_request(&request).unwrap_err().to_string()
        };
        assert!(shipment_request(&request()).is_ok());
        assert_eq!(
            err(|r| r.shipment_id = "x".into()),
            "invalid shipment_id: `x` is not a valid ShipmentId (expected a UUID)"
        );
        assert_eq!(
            err(|r| r.order_ids.push("nope".into())),
            "invalid order_ids[1]: `nope` is not a valid OrderId (expected a UUID)"
        );
        assert_eq!(err(|r| r.order_ids.clear()), "invalid order_ids: a shipment carries at least one order");
        assert_eq!(
            err(|r| r.warehouse = "houston".into()),
            "invalid warehouse: `houston` is not a warehouse; the warehouses are dallas, chicago"
        );
        assert_eq!(
            err(|r| r.address.state = "ZZ".into()),
            "invalid address.state: `ZZ` is not a US state code (two letters, e.g. TX)"
        );
        assert_eq!(
            err(|r| r.books[0].isbn = "9780306406158".into()),
            "invalid books[0].isbn: `9780306406158` fails its check digit"
        );
        assert_eq!(err(|r| r.books[0].title = " ".into()), "invalid books[0].title: is empty");
        assert_eq!(err(|r| r.books.clear()), "invalid books: a parcel holds at least one book");
        assert_eq!(err(|r| r.insured_value.amount_cents = -1), "invalid insured_value: amount_cents: -1 is negative");
    }

    proptest! {
        #[test]
        fn any_request_parses_or_is_refused_without_panicking(
            shipment in any::<String>(),
            orders in proptest::collection::vec(any::<String>(), 0..3),
            warehouse in any::<String>(),
            books in proptest::collection::vec((any::<String>(), any::<String>()), 0..3),
            cents in any::<i64>(),
            currency in any::<String>(),
        ) {
            let mut request = request();
            request.shipment_id = shipment;
            request.order_ids = orders;
            request.warehouse = warehouse;
            request.books = books.into_iter().map(|(isbn, title)| BookLine { isbn, title }).collect();
            request.insured_value = Amount { amount_cents: cents, currency };
            let _ = shipment_request(&request);
        }
    }
}
