//! The shipment request a box order sends shipping: one parcel, from one warehouse, to one
//! door, for one order or for two combined ones.

use serde::{Deserialize, Serialize};

use crate::domain::address::ShippingAddress;
use crate::domain::book::{Book, Books};
use crate::domain::ids::{OrderId, ShipmentId};
use crate::domain::money::Money;
use crate::domain::warehouse::Warehouse;

/// What one order puts in a parcel: its books, from the warehouse holding them, to its door,
/// insured for what the customer paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentPart {
    pub order_id: OrderId,
    pub warehouse: Warehouse,
    pub address: ShippingAddress,
    pub books: Books,
    pub value: Money,
}

/// One parcel. Invariant (kept by [`ShipmentRequest::of_parts`]): at least one order, each
/// once, in id order; every part from the same warehouse to the same door.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentRequest {
    shipment_id: ShipmentId,
    order_ids: Vec<OrderId>,
    warehouse: Warehouse,
    address: ShippingAddress,
    books: Vec<Book>,
    insured_value: Money,
}

/// Why parts cannot travel as one parcel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParcelError {
    #[error("a parcel needs at least one order")]
    Empty,
    #[error("order {0} appears twice in one parcel")]
    DuplicateOrder(OrderId),
    #[error("a parcel leaves from one warehouse, but its orders hold their books in {0} and {1}")]
    TwoWarehouses(Warehouse, Warehouse),
    #[error("a parcel goes to one door, but its orders go to different addresses")]
    TwoAddresses,
}

impl ShipmentRequest {
    /// The parcel carrying `parts` under `shipment_id`.
    pub fn of_parts(shipment_id: ShipmentId, parts: &[&ShipmentPart]) -> Result<Self, ParcelError> {
        let mut parts: Vec<&ShipmentPart> = parts.to_vec();
        parts.sort_by_key(|part| part.order_id);
        let first = *parts.first().ok_or(ParcelError::Empty)?;
        for (i, part) in parts.iter().enumerate().skip(1) {
            if parts[i - 1].order_id == part.order_id {
                return Err(ParcelError::DuplicateOrder(part.order_id));
            }
            if part.warehouse != first.warehouse {
                return Err(ParcelError::TwoWarehouses(first.warehouse, part.warehouse));
            }
            if !part.address.same_destination(&first.address) {
                return Err(ParcelError::TwoAddresses);
            }
        }
        Ok(Self {
            shipment_id,
            order_ids: parts.iter().map(|part| part.order_id).collect(),
            warehouse: first.warehouse,
            address: first.address.clone(),
            books: parts.iter().flat_map(|part| part.books.iter().cloned()).collect(),
            insured_value: parts.iter().fold(Money::ZERO, |sum, part| sum.plus(part.value)),
        })
    }

    pub fn shipment_id(&self) -> ShipmentId {
        self.shipment_id
    }

    pub fn order_ids(&self) -> &[OrderId] {
        &self.order_ids
    }

    pub fn includes(&self, order_id: OrderId) -> bool {
        self.order_ids.contains(&order_id)
    }

    pub fn warehouse(&self) -> Warehouse {
        self.warehouse
    }

    pub fn address(&self) -> &ShippingAddress {
        &self.address
    }

    pub fn books(&self) -> &[Book] {
        &self.books
    }

    pub fn insured_value(&self) -> Money {
        self.insured_value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::address::tests::address;
    use crate::domain::book::tests::{book, two_books};
    use crate::domain::ids::tests::{order, shipment};

    fn part(n: u128, warehouse: Warehouse, line1: &str) -> ShipmentPart {
        ShipmentPart {
            order_id: order(n),
            warehouse,
            address: address(line1, "IL"),
            books: if n == 1 {
                two_books()
            } else {
                Books::new(vec![book("9791090636071", "Le Petit Prince")]).unwrap()
            },
            value: Money::usd(1000 * n as u64),
        }
    }

    #[test]
    fn two_parts_make_one_parcel_in_order_id_order() {
        let (a, b) = (part(1, Warehouse::Chicago, "1 Elm St"), part(2, Warehouse::Chicago, "1 ELM st"));
        let parcel = ShipmentRequest::of_parts(shipment(9), &[&b, &a]).unwrap();
        assert_eq!(parcel.order_ids(), [order(1), order(2)]);
        assert_eq!(parcel.books().len(), 3);
        assert_eq!(parcel.insured_value(), Money::usd(3000));
        assert!(parcel.includes(order(2)) && !parcel.includes(order(3)));
    }

    #[test]
    fn parts_that_cannot_travel_together_are_named() {
        let a = part(1, Warehouse::Chicago, "1 Elm St");
        assert_eq!(ShipmentRequest::of_parts(shipment(9), &[]), Err(ParcelError::Empty));
        assert_eq!(ShipmentRequest::of_parts(shipment(9), &[&a, &a]), Err(ParcelError::DuplicateOrder(order(1))));
        let dallas = part(2, Warehouse::Dallas, "1 Elm St");
        assert_eq!(
            ShipmentRequest::of_parts(shipment(9), &[&a, &dallas]),
            Err(ParcelError::TwoWarehouses(Warehouse::Chicago, Warehouse::Dallas))
        );
        let elsewhere = part(2, Warehouse::Chicago, "9 Oak St");
        assert_eq!(ShipmentRequest::of_parts(shipment(9), &[&a, &elsewhere]), Err(ParcelError::TwoAddresses));
    }
}
