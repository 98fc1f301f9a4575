//! The ids orders deals in. Its own (`OrderId`, `ShipmentId`) and other contexts' ids it
//! refers to, each its own type so that one can never be passed for another.

kernel::typed_id!(
    /// A box order: assigned by orders when it accepts a curated box.
    OrderId
);

kernel::typed_id!(
    /// The curated box an order was made for (curation's id).
    BoxId
);

kernel::typed_id!(
    /// The subscription the box belongs to (subscriptions' id).
    SubscriptionId
);

kernel::typed_id!(
    /// A customer: who receives a box, or who pays for it (customers' id).
    CustomerId
);

kernel::typed_id!(
    /// A shipment: chosen by orders, so that one request can carry several orders.
    ShipmentId
);

kernel::typed_id!(
    /// A payment billing captured for an order (billing's id).
    PaymentId
);

kernel::typed_id!(
    /// A refund the order asks billing for: chosen by orders, so that asking again refunds
    /// once.
    RefundId
);

impl ShipmentId {
    /// The shipment of an order that travels alone: it bears the order's own id, so asking
    /// again for the same order's shipment is always the same request (shipping is idempotent
    /// by shipment id). Combined shipments get a new id of their own.
    pub fn of_single_order(order_id: OrderId) -> Self {
        Self::from_uuid(order_id.as_uuid())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn order(n: u128) -> OrderId {
        OrderId::from_uuid(uuid::Uuid::from_u128(0x0d0e_0000 + n))
    }

    pub fn customer(n: u128) -> CustomerId {
        CustomerId::from_uuid(uuid::Uuid::from_u128(0xc000_0000 + n))
    }

    pub fn payment(n: u128) -> PaymentId {
        PaymentId::from_uuid(uuid::Uuid::from_u128(0xfa00_0000 + n))
    }

    pub fn shipment(n: u128) -> ShipmentId {
        ShipmentId::from_uuid(uuid::Uuid::from_u128(0x5400_0000 + n))
    }

    #[test]
    fn a_single_order_ships_under_its_own_id() {
        assert_eq!(ShipmentId::of_single_order(order(1)).as_uuid(), order(1).as_uuid());
    }
}
