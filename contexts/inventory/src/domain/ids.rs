//! Ids inventory keys its aggregates by, besides the ISBN.

kernel::typed_id!(
    /// An order, as the context that asked for stock named it: the key of a reservation.
    OrderId
);

kernel::typed_id!(
    /// One movement of copies from one warehouse to another.
    TransferId
);

kernel::typed_id!(
    /// A parcel, as shipping named it: inventory keeps it only to say which shipment an
    /// order's copies were lost with.
    ShipmentId
);
