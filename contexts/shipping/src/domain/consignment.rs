//! What a shipment is asked to carry, where from, where to, and insured for how much: the
//! terms of a shipment request, fixed once accepted.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::domain::address::Address;
use crate::domain::ids::{OrderId, ShipmentId};
use crate::domain::money::Money;
use crate::domain::parcel::Parcel;
use crate::domain::warehouse::Warehouse;

/// The orders one shipment carries: one, or several combined to the same address.
/// Invariant: 1 to [`OrderIds::MAX`] distinct orders, kept in id order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<OrderId>", into = "Vec<OrderId>")]
pub struct OrderIds(BTreeSet<OrderId>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderIdsError {
    #[error("a shipment carries at least one order")]
    Empty,
    #[error("order {0} is listed twice")]
    Duplicate(OrderId),
    #[error("one shipment combines at most {max} orders", max = OrderIds::MAX)]
    TooMany,
}

impl OrderIds {
    pub const MAX: usize = 20;

    pub fn new(order_ids: impl IntoIterator<Item = OrderId>) -> Result<Self, OrderIdsError> {
        let mut set = BTreeSet::new();
        for order_id in order_ids {
            if set.len() == Self::MAX {
                return Err(OrderIdsError::TooMany);
            }
            if !set.insert(order_id) {
                return Err(OrderIdsError::Duplicate(order_id));
            }
        }
        if set.is_empty() {
            return Err(OrderIdsError::Empty);
        }
        Ok(Self(set))
    }

    pub fn iter(&self) -> impl Iterator<Item = OrderId> + '_ {
        self.0.iter().copied()
    }

    pub fn contains(&self, order_id: OrderId) -> bool {
        self.0.contains(&order_id)
    }
}

impl TryFrom<Vec<OrderId>> for OrderIds {
    type Error = OrderIdsError;
    fn try_from(order_ids: Vec<OrderId>) -> Result<Self, Self::Error> {
        Self::new(order_ids)
    }
}

impl From<OrderIds> for Vec<OrderId> {
    fn from(order_ids: OrderIds) -> Self {
        order_ids.0.into_iter().collect()
    }
}

/// The shipping insurance a parcel travels under (the seed's "policy", in shipping's sense):
/// if the carrier loses or damages it, Bookbox claims the insured value. An insured value of
/// zero is an uninsured parcel, whose claim is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsurancePolicy {
    pub insured_value: Money,
}

impl InsurancePolicy {
    /// What Bookbox claims when the parcel is lost: the whole insured value (the books are
    /// new and sold at list price, so there is no depreciation to argue about).
    pub fn claim_for_loss(&self) -> Money {
        self.insured_value
    }
}

/// The terms of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consignment {
    pub shipment_id: ShipmentId,
    pub order_ids: OrderIds,
    pub warehouse: Warehouse,
    pub address: Address,
    pub parcel: Parcel,
    pub insurance: InsurancePolicy,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(n: u128) -> OrderId {
        OrderId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn orders_are_distinct_bounded_and_ordered() {
        assert_eq!(OrderIds::new([order(2), order(1)]), OrderIds::new([order(1), order(2)]));
        assert_eq!(OrderIds::new([]), Err(OrderIdsError::Empty));
        assert_eq!(OrderIds::new([order(1), order(1)]), Err(OrderIdsError::Duplicate(order(1))));
        assert_eq!(OrderIds::new((0..=20).map(order)), Err(OrderIdsError::TooMany));
        assert!(OrderIds::new((0..20).map(order)).is_ok());
    }

    #[test]
    fn a_loss_claims_the_insured_value() {
        let policy = InsurancePolicy { insured_value: Money::usd(4_999) };
        assert_eq!(policy.claim_for_loss(), Money::usd(4_999));
    }
}
