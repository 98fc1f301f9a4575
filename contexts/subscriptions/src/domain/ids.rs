//! The identities subscriptions works with. A customer is known here only by the id the
//! customers context gave them: subscriptions keeps no copy of profiles.

kernel::typed_id!(
    /// Identifies one subscription (paid or gifted) for its whole life.
    SubscriptionId
);

kernel::typed_id!(
    /// A customer, as subscriptions knows them: a subscriber (who receives the boxes) or a
    /// payer (who pays for them; the giver of a gift).
    CustomerId
);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn customer(n: u128) -> CustomerId {
        CustomerId::from_uuid(uuid::Uuid::from_u128(n))
    }

    pub(crate) fn subscription(n: u128) -> SubscriptionId {
        SubscriptionId::from_uuid(uuid::Uuid::from_u128(0x5u128 << 120 | n))
    }
}
