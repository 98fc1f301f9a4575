//! The ids billing keys its aggregates and records by.

kernel::typed_id!(
    /// An order, as orders named it: the key of its payment (stream `payment-<order id>`), so
    /// an order has one payment and can never be charged twice.
    OrderId
);

kernel::typed_id!(
    /// A payment, as billing names it to others (`payment_id` in its messages).
    PaymentId
);

kernel::typed_id!(
    /// Who pays: a customer id, as subscriptions named the payer of a box (a gift's giver).
    PayerId
);

kernel::typed_id!(
    /// A receipt document (stream `receipt-<receipt id>`, link `/bookbox/billing/receipts/<id>`).
    ReceiptId
);

kernel::typed_id!(
    /// One refund of a payment, chosen by whoever asks for it: asking twice with the same id
    /// refunds once.
    RefundId
);

kernel::typed_id!(
    /// The payer's dispute of a charge with their bank.
    DisputeId
);
