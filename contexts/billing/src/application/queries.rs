//! Billing's query port: an order's payment, a receipt document, and the links of its
//! `receipt-issued` notifications, which resolve only for the contexts its access policy names.

use kernel::context::{authorize, AccessPolicy, Caller, QueryError};
use kernel::ids::StreamId;
use kernel::unit_of_work::Repository;
use kernel::Aggregate;
use serde_json::value::RawValue;

use super::{input, views};
use crate::domain::ids::ReceiptId;
use crate::domain::payment::Payment;
use crate::domain::receipt::Receipt;
use crate::ports::PaymentView;
use crate::published::{ReceiptDocumentV1, RECEIPTS_PREFIX};

/// Who may read receipts (deny by default): customers (a payer asking for last month's
/// receipt) and reporting (revenue). The operator may read everything.
pub static RECEIPT_ACCESS: [AccessPolicy; 1] =
    [AccessPolicy { prefix: RECEIPTS_PREFIX, allowed: &["customers", "reporting"] }];

pub(super) fn payment<R: Repository>(repository: &mut R, order_id_raw: &str) -> Result<PaymentView, QueryError> {
    let order_id = input::order_id(order_id_raw).map_err(|e| QueryError::Invalid(e.to_string()))?;
    let payment = repository.load::<Payment>(&StreamId::for_aggregate(Payment::CATEGORY, order_id))?.state;
    let charge = payment.charge().ok_or_else(|| QueryError::NotFound(format!("order {order_id} has no payment")))?;
    Ok(views::payment_view(charge))
}

pub(super) fn receipt<R: Repository>(
    repository: &mut R,
    receipt_id_raw: &str,
) -> Result<ReceiptDocumentV1, QueryError> {
    let receipt_id = input::receipt_id(receipt_id_raw).map_err(|e| QueryError::Invalid(e.to_string()))?;
    document(repository, receipt_id)
}

/// Resolves a receipt link for `caller`. The policy is checked before anything is read, so a
/// caller it refuses learns nothing, not even whether the receipt exists.
pub(super) fn resolve<R: Repository>(
    repository: &mut R,
    caller: &Caller,
    link: &str,
) -> Result<Box<RawValue>, QueryError> {
    authorize(&RECEIPT_ACCESS, caller, link)?;
    let Some(id) = link.strip_prefix(RECEIPTS_PREFIX) else {
        return Err(QueryError::NotFound(link.to_owned()));
    };
    let receipt_id = input::receipt_id(id).map_err(|e| QueryError::Invalid(format!("`{link}`: {e}")))?;
    let document = document(repository, receipt_id)?;
    serde_json::value::to_raw_value(&document)
        .map_err(|e| QueryError::Invalid(format!("receipt {receipt_id} does not serialize: {e}")))
}

fn document<R: Repository>(repository: &mut R, receipt_id: ReceiptId) -> Result<ReceiptDocumentV1, QueryError> {
    let receipt = repository.load::<Receipt>(&StreamId::for_aggregate(Receipt::CATEGORY, receipt_id))?.state;
    let issued = receipt.issued().ok_or_else(|| QueryError::NotFound(format!("no receipt {receipt_id}")))?;
    Ok(views::receipt_document(issued))
}
