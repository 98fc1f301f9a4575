//! From the domain to the ports' views and the published messages: the one place that knows
//! both shapes.

use crate::domain::address::ShippingAddress;
use crate::domain::book_replica::BookReplica;
use crate::domain::curated_box::{BoxStatus, CuratedBox, CuratedBoxId, DueBox, FailureReason};
use crate::domain::curator::CuratedBook;
use crate::domain::customer_replica::CustomerReplica;
use crate::domain::genre::Genres;
use crate::domain::ids::{BoxId, CustomerId};
use crate::domain::isbn::Isbn;
use crate::domain::month::Month;
use crate::domain::reading_history::ReadingHistory;
use crate::domain::selection::{MonthlySelection, SelectionList};
use crate::ports::{
    BookReplicaView, CuratedBookView, CuratedBoxStatus, CuratedBoxView, CustomerReplicaView, FailureView,
    ReceivedBookView, ReceivedBooksView, SelectionView,
};
use crate::published::{BoxCuratedV1, BoxCurationFailedV1, CuratedBookV1, MoneyV1, PlanV1, ShippingAddressV1};

fn names(genres: &Genres) -> Vec<String> {
    genres.iter().map(|g| g.as_str().to_owned()).collect()
}

fn isbns(list: &SelectionList) -> Vec<String> {
    list.iter().map(Isbn::to_string).collect()
}

pub(super) fn selection(month: Month, selection: &MonthlySelection) -> SelectionView {
    SelectionView {
        month: month.to_string(),
        draft: selection.draft().map(isbns).unwrap_or_default(),
        finalized: selection.finalized().map(isbns),
    }
}

/// The view of a box, if curation was attempted.
pub(super) fn curated_box(id: CuratedBoxId, curated: &CuratedBox) -> Option<CuratedBoxView> {
    let view = |due: &DueBox, status| CuratedBoxView {
        subscription_id: id.subscription_id.to_string(),
        month: id.month.to_string(),
        status,
        customer_id: due.customer_id.to_string(),
        payer_id: due.payer_id.to_string(),
        box_id: None,
        books: Vec::new(),
        failure: None,
    };
    match curated.status() {
        BoxStatus::NotCurated => None,
        BoxStatus::Failed { due, reason } => Some(CuratedBoxView {
            failure: Some(FailureView { reason: reason.code().to_owned(), detail: reason.to_string() }),
            ..view(due, CuratedBoxStatus::Failed)
        }),
        BoxStatus::Curated { box_id, due, books, .. } => Some(CuratedBoxView {
            box_id: Some(box_id.to_string()),
            books: books
                .iter()
                .map(|b| CuratedBookView { isbn: b.isbn.to_string(), title: b.title.to_string() })
                .collect(),
            ..view(due, CuratedBoxStatus::Curated)
        }),
    }
}

pub(super) fn received_books(customer_id: CustomerId, history: &ReadingHistory) -> ReceivedBooksView {
    let mut books: Vec<ReceivedBookView> = history
        .received()
        .map(|(isbn, receipt)| ReceivedBookView {
            isbn: isbn.to_string(),
            month: receipt.month.to_string(),
            box_id: receipt.box_id.to_string(),
        })
        .collect();
    books.sort_by(|a, b| (&a.month, &a.isbn).cmp(&(&b.month, &b.isbn)));
    ReceivedBooksView { customer_id: customer_id.to_string(), books }
}

fn address_line(address: &ShippingAddress) -> String {
    let mut parts = vec![address.line1()];
    parts.extend(address.line2());
    parts.push(address.city());
    format!("{}, {} {}, {}", parts.join(", "), address.state(), address.postal_code(), address.country())
}

pub(super) fn customer_replica(customer_id: CustomerId, replica: &CustomerReplica) -> Option<CustomerReplicaView> {
    let subscriber = replica.subscriber()?;
    Some(CustomerReplicaView {
        customer_id: customer_id.to_string(),
        preferences: names(&subscriber.preferences),
        shipping_address: address_line(&subscriber.shipping_address),
        version: replica.version(),
    })
}

pub(super) fn book_replica(isbn: &Isbn, replica: &BookReplica) -> Option<BookReplicaView> {
    let facts = replica.facts()?;
    Some(BookReplicaView {
        isbn: isbn.to_string(),
        title: facts.title.to_string(),
        genres: names(&facts.genres),
        available: facts.available,
        version: replica.version(),
    })
}

pub(super) fn box_curated(
    box_id: BoxId,
    due: &DueBox,
    books: &[CuratedBook],
    address: &ShippingAddress,
) -> BoxCuratedV1 {
    BoxCuratedV1 {
        box_id: box_id.as_uuid(),
        subscription_id: due.subscription_id.as_uuid(),
        customer_id: due.customer_id.as_uuid(),
        payer_id: due.payer_id.as_uuid(),
        month: due.month.to_string(),
        plan: PlanV1 {
            books_per_month: u8::from(due.plan.books_per_month),
            monthly_price: MoneyV1 {
                amount_cents: due.plan.monthly_price.amount_cents(),
                currency: due.plan.monthly_price.currency().to_owned(),
            },
        },
        books: books.iter().map(|b| CuratedBookV1 { isbn: b.isbn.to_string(), title: b.title.to_string() }).collect(),
        shipping_address: ShippingAddressV1 {
            line1: address.line1().to_owned(),
            line2: address.line2().map(str::to_owned),
            city: address.city().to_owned(),
            state: address.state().to_owned(),
            postal_code: address.postal_code().to_owned(),
            country: address.country().to_owned(),
        },
    }
}

pub(super) fn box_curation_failed(due: &DueBox, reason: FailureReason) -> BoxCurationFailedV1 {
    BoxCurationFailedV1 {
        subscription_id: due.subscription_id.as_uuid(),
        customer_id: due.customer_id.as_uuid(),
        month: due.month.to_string(),
        reason: reason.code().to_owned(),
        detail: reason.to_string(),
    }
}
