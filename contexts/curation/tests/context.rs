//! Curation as the runtime hosts it, driven through the in-memory harness with messages built
//! from the upstream examples (`tests/fixtures`), as customers, inventory and subscriptions
//! would have published them.

use std::fmt::Debug;

use curation::ports::queries::{BookReplica, CuratedBox, CustomerReplica, ReceivedBooks, Selection};
use curation::ports::{
    CuratedBoxStatus, CuratedBoxView, CurationError, DraftSelection, FinalizeSelection, RetryCuration,
};
use curation::CurationContext;
use kernel::context::{HandleError, MessageError, QueryError};
use kernel::message::Envelope;
use kernel::testing::{incoming, ContextHarness, Delivery};
use kernel::MessageKind;
use serde_json::{json, Value};

const ADA_PROFILE: &str = include_str!("fixtures/customers/customer-profile.v1/registered.json");
const GRACE_PROFILE: &str = include_str!("fixtures/customers/customer-profile.v1/with-preferences.json");
const IN_STOCK: &str = include_str!("fixtures/inventory/book-availability.v1/in-stock.json");
const WITHDRAWN: &str = include_str!("fixtures/inventory/book-availability.v1/withdrawn.json");
const SUBSCRIPTION_DUE: &str = include_str!("fixtures/subscriptions/box-due.v1/subscription.json");
const GIFT_DUE: &str = include_str!("fixtures/subscriptions/box-due.v1/gift.json");

/// No stated preference; subscribed to 2 books a month (`subscription.json`, 2026-03).
const ADA: &str = "3f2b8c1e-6a4d-4f7e-9b1a-2c5d8e0f1a23";
const ADA_SUBSCRIPTION: &str = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
/// Likes mystery, science fiction and biography; pays for a gift (`gift.json`, 2026-04).
const GRACE: &str = "9c4e7a20-1b3f-4d58-8e6a-7f0b2d9c4e11";
const GRACE_SUBSCRIPTION: &str = "1e2d3c4b-5a69-4788-9766-554433221100";
const GIFT_RECIPIENT: &str = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
const GIFT_SUBSCRIPTION: &str = "b2e4f6a8-0c1d-4e2f-9a3b-5c6d7e8f9a0b";

/// Mystery, thriller; 7 available (`in-stock.json`).
const HOUND: &str = "9780306406157";
/// Withdrawn (`withdrawn.json`).
const PRIDE: &str = "9780804429573";
const PRINCE: &str = "9791090636071";
const FOUNDATION: &str = "9780000000002";
const GONE_GIRL: &str = "9780000000019";
const JOBS: &str = "9780000000026";

type Harness = ContextHarness<CurationContext>;

/// `fixture` with the fields of `changes` replaced (top level only).
fn with(fixture: &str, changes: Value) -> String {
    let mut value: Value = serde_json::from_str(fixture).unwrap();
    for (key, field) in changes.as_object().unwrap() {
        value[key] = field.clone();
    }
    value.to_string()
}

fn profile(harness: &Harness, data: &str) -> Envelope {
    let customer: Value = serde_json::from_str(data).unwrap();
    let subject = customer["customer_id"].as_str().unwrap().to_owned();
    incoming(&harness.ids, "customers", "customer-profile", 1, MessageKind::StateTransfer, &subject, data)
}

fn availability(harness: &Harness, data: &str) -> Envelope {
    let book: Value = serde_json::from_str(data).unwrap();
    let subject = book["isbn"].as_str().unwrap().to_owned();
    incoming(&harness.ids, "inventory", "book-availability", 1, MessageKind::StateTransfer, &subject, data)
}

/// A book in the shape of inventory's example, with other facts.
fn book(isbn: &str, title: &str, genres: &[&str], available: u64, version: u64) -> String {
    with(
        IN_STOCK,
        json!({ "isbn": isbn, "title": title, "genres": genres, "available": available, "version": version }),
    )
}

fn box_due(harness: &Harness, data: &str) -> Envelope {
    let due: Value = serde_json::from_str(data).unwrap();
    let subject = due["subscription_id"].as_str().unwrap().to_owned();
    incoming(&harness.ids, "subscriptions", "box-due", 1, MessageKind::DomainEvent, &subject, data)
}

/// Grace's own subscription: 2 books a month, for `month`.
fn grace_due(month: &str) -> String {
    with(
        SUBSCRIPTION_DUE,
        json!({ "subscription_id": GRACE_SUBSCRIPTION, "customer_id": GRACE, "payer_id": GRACE, "month": month }),
    )
}

fn deliver(harness: &Harness, message: &Envelope) {
    assert_eq!(harness.deliver(message).unwrap(), Delivery::Processed, "{}", message.message_type);
}

fn finalize(harness: &Harness, month: &str, isbns: &[&str]) {
    let isbns = isbns.iter().map(|i| i.to_string()).collect();
    harness.execute(FinalizeSelection { month: month.into(), isbns }).unwrap();
}

/// Both profiles, and six books of which five are available, replicated.
fn replicated() -> Harness {
    let harness = ContextHarness::new(CurationContext);
    deliver(&harness, &profile(&harness, ADA_PROFILE));
    deliver(&harness, &profile(&harness, GRACE_PROFILE));
    deliver(&harness, &availability(&harness, IN_STOCK));
    deliver(&harness, &availability(&harness, WITHDRAWN));
    for (isbn, title, genres, available) in [
        (PRINCE, "Le Petit Prince", &["childrens", "fantasy"][..], 5),
        (FOUNDATION, "Foundation", &["science-fiction"][..], 2),
        (GONE_GIRL, "Gone Girl", &["mystery", "thriller"][..], 9),
        (JOBS, "Steve Jobs", &["biography"][..], 3),
    ] {
        deliver(&harness, &availability(&harness, &book(isbn, title, genres, available, 1)));
    }
    harness
}

fn curated_box(harness: &Harness, subscription: &str, month: &str) -> CuratedBoxView {
    let query = CuratedBox { subscription_id: subscription.into(), month: month.into() };
    harness.query(query).unwrap_or_else(|e| panic!("no box of {subscription} in {month}: {e}"))
}

fn isbns(view: &CuratedBoxView) -> Vec<&str> {
    view.books.iter().map(|b| b.isbn.as_str()).collect()
}

fn received(harness: &Harness, customer: &str) -> Vec<(String, String)> {
    let view = harness
        .query(ReceivedBooks { customer_id: customer.into() })
        .expect("any well-formed customer id has a reading history (empty if nothing was received)");
    view.books.into_iter().map(|b| (b.month, b.isbn)).collect()
}

fn data(envelope: &Envelope) -> Value {
    serde_json::from_str(envelope.data.as_ref().unwrap().get()).unwrap()
}

/// Snapshots an envelope as JSON with the ids and the time redacted.
macro_rules! assert_envelope_snapshot {
    ($envelope:expr) => {
        let envelope: Value = serde_json::to_value(&$envelope).expect("an envelope is JSON");
        insta::assert_json_snapshot!(envelope, {
            ".id" => "[message id]",
            ".time" => "[time]",
            ".correlationid" => "[correlation id]",
            ".causationid" => "[causation id]",
            ".data.box_id" => "[box id]",
        })
    };
}

#[test]
fn a_due_box_is_curated_to_the_subscribers_taste_and_published() {
    let mut harness = replicated();
    finalize(&harness, "2026-03", &[HOUND, PRIDE, PRINCE, FOUNDATION, GONE_GIRL]);
    let due = box_due(&harness, &grace_due("2026-03"));
    deliver(&harness, &due);
    // Grace likes mystery, science fiction, biography. Each of Gone Girl (9 available), the
    // Hound (7) and Foundation (2) shares one genre with her: the most available win. Pride is
    // withdrawn; the Petit Prince matches nothing she likes.
    let view = curated_box(&harness, GRACE_SUBSCRIPTION, "2026-03");
    assert_eq!((view.status, isbns(&view)), (CuratedBoxStatus::Curated, vec![GONE_GIRL, HOUND]));
    let published = harness.take_published();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].subject.as_deref(), Some(GRACE_SUBSCRIPTION));
    assert_eq!(published[0].correlationid, due.correlationid);
    assert_envelope_snapshot!(published[0]);
    assert_eq!(received(&harness, GRACE), [("2026-03".into(), GONE_GIRL.into()), ("2026-03".into(), HOUND.into())]);
}

#[test]
fn a_subscriber_never_receives_the_same_book_twice() {
    let harness = replicated();
    finalize(&harness, "2026-03", &[HOUND, FOUNDATION, GONE_GIRL]);
    finalize(&harness, "2026-04", &[HOUND, FOUNDATION, GONE_GIRL, JOBS]);
    deliver(&harness, &box_due(&harness, &grace_due("2026-03")));
    deliver(&harness, &box_due(&harness, &grace_due("2026-04")));
    assert_eq!(isbns(&curated_box(&harness, GRACE_SUBSCRIPTION, "2026-03")), [GONE_GIRL, HOUND]);
    assert_eq!(isbns(&curated_box(&harness, GRACE_SUBSCRIPTION, "2026-04")), [JOBS, FOUNDATION]);
    // Another subscriber's history is their own: Ada (no preference) gets the most available.
    deliver(&harness, &box_due(&harness, SUBSCRIPTION_DUE));
    assert_eq!(isbns(&curated_box(&harness, ADA_SUBSCRIPTION, "2026-03")), [GONE_GIRL, HOUND]);
    assert_eq!(received(&harness, ADA), [("2026-03".into(), GONE_GIRL.into()), ("2026-03".into(), HOUND.into())]);
}

#[test]
fn curating_the_same_box_twice_has_no_second_effect() {
    let mut harness = replicated();
    finalize(&harness, "2026-03", &[HOUND, GONE_GIRL, FOUNDATION]);
    let due = box_due(&harness, &grace_due("2026-03"));
    deliver(&harness, &due);
    harness.take_published();
    assert_eq!(harness.deliver(&due).unwrap(), Delivery::Duplicate, "the inbox stops a redelivery");
    let again = box_due(&harness, &grace_due("2026-03"));
    deliver(&harness, &again);
    assert!(harness.take_published().is_empty(), "the box stops the same box under a new message id");
    assert_eq!(received(&harness, GRACE).len(), 2);
}

#[test]
fn a_box_without_a_finalized_selection_fails_with_why_and_can_be_retried() {
    let mut harness = replicated();
    harness.execute(DraftSelection { month: "2026-03".into(), isbns: vec![HOUND.into(), GONE_GIRL.into()] }).unwrap();
    deliver(&harness, &box_due(&harness, &grace_due("2026-03")));
    let published = harness.take_published();
    assert_eq!(published[0].message_type, "bookbox.curation.box-curation-failed.v1");
    assert_envelope_snapshot!(published[0]);
    let view = curated_box(&harness, GRACE_SUBSCRIPTION, "2026-03");
    assert_eq!(view.status, CuratedBoxStatus::Failed);
    assert_eq!(view.failure.unwrap().reason, "no-finalized-selection");
    // Once the selection is final, an operator retries the box.
    finalize(&harness, "2026-03", &[HOUND, GONE_GIRL]);
    let retry = RetryCuration { subscription_id: GRACE_SUBSCRIPTION.into(), month: "2026-03".into() };
    let view = harness.execute(retry.clone()).expect("a failed box is retried once the selection is final");
    assert_eq!((view.status, isbns(&view)), (CuratedBoxStatus::Curated, vec![GONE_GIRL, HOUND]));
    assert_eq!(harness.take_published()[0].message_type, "bookbox.curation.box-curated.v1");
    assert_eq!(
        harness.execute(retry),
        Err(HandleError::Rejected(CurationError::AlreadyCurated {
            subscription_id: GRACE_SUBSCRIPTION.into(),
            month: "2026-03".into()
        }))
    );
}

#[test]
fn a_box_fails_when_curation_has_no_profile_or_too_few_suitable_books() {
    let mut harness = replicated();
    finalize(&harness, "2026-04", &[HOUND, PRIDE, PRINCE]);
    // The gift's recipient never had a profile replicated.
    deliver(&harness, &box_due(&harness, GIFT_DUE));
    let failed = data(&harness.take_published()[0]);
    assert_eq!(
        (failed["reason"].as_str(), failed["customer_id"].as_str()),
        (Some("no-customer-profile"), Some(GIFT_RECIPIENT))
    );
    // Grace's taste meets only the Hound among these: her plan needs two.
    deliver(&harness, &box_due(&harness, &grace_due("2026-04")));
    let failed = data(&harness.take_published()[0]);
    assert_eq!(failed["reason"], "not-enough-suitable-books");
    assert_eq!(failed["detail"], "suitable books available: 1 of the 2 the plan needs");
    assert!(received(&harness, GRACE).is_empty());
}

#[test]
fn a_gift_goes_to_its_recipient_and_names_its_payer() {
    let mut harness = replicated();
    let recipient =
        with(GRACE_PROFILE, json!({ "customer_id": GIFT_RECIPIENT, "genres": ["childrens"], "version": 1 }));
    deliver(&harness, &profile(&harness, &recipient));
    finalize(&harness, "2026-04", &[HOUND, PRINCE]);
    deliver(&harness, &box_due(&harness, GIFT_DUE));
    let curated = data(&harness.take_published()[0]);
    assert_eq!(curated["subscription_id"], GIFT_SUBSCRIPTION);
    assert_eq!(curated["customer_id"], GIFT_RECIPIENT);
    assert_eq!(curated["payer_id"], GRACE);
    assert_eq!(curated["books"], json!([{ "isbn": PRINCE, "title": "Le Petit Prince" }]));
    assert_eq!(curated["shipping_address"]["city"], "Chicago");
    assert_eq!(received(&harness, GIFT_RECIPIENT), [("2026-04".into(), PRINCE.into())]);
}

#[test]
fn a_stale_profile_never_overwrites_a_newer_one() {
    let harness = replicated();
    let older = with(GRACE_PROFILE, json!({ "genres": ["romance"], "version": 3 }));
    deliver(&harness, &profile(&harness, &older));
    let preferences = |harness: &Harness| {
        let view = harness.query(CustomerReplica { customer_id: GRACE.into() }).expect("Grace's profile is replicated");
        (view.preferences, view.version)
    };
    assert_eq!(preferences(&harness), (vec!["mystery".into(), "science-fiction".into(), "biography".into()], Some(4)));
    let newer = with(GRACE_PROFILE, json!({ "genres": ["romance"], "version": 5 }));
    deliver(&harness, &profile(&harness, &newer));
    assert_eq!(preferences(&harness), (vec!["romance".into()], Some(5)));
}

#[test]
fn stale_availability_never_overwrites_newer() {
    let harness = replicated();
    let available = |harness: &Harness| {
        let view = harness.query(BookReplica { isbn: HOUND.into() }).expect("the Hound is replicated");
        (view.available, view.version)
    };
    assert_eq!(available(&harness), (7, Some(6)));
    deliver(&harness, &availability(&harness, &with(IN_STOCK, json!({ "available": 0, "version": 8 }))));
    deliver(&harness, &availability(&harness, &with(IN_STOCK, json!({ "available": 5, "version": 7 }))));
    assert_eq!(available(&harness), (0, Some(8)), "the message of version 7 arrived late");
}

#[test]
fn curation_curates_from_its_own_replicas_alone() {
    // The harness gives curation no way to reach another context (no link resolver): once the
    // replicas are in, customers and inventory may as well be stopped.
    let harness = replicated();
    finalize(&harness, "2026-03", &[HOUND, GONE_GIRL, FOUNDATION]);
    assert_eq!(harness.deliver_with_links(&box_due(&harness, SUBSCRIPTION_DUE), None).unwrap(), Delivery::Processed);
    assert_eq!(curated_box(&harness, ADA_SUBSCRIPTION, "2026-03").status, CuratedBoxStatus::Curated);
}

#[test]
fn a_message_without_what_curation_needs_is_refused_naming_the_field() {
    let harness = replicated();
    let bad_plan = box_due(&harness, &with(SUBSCRIPTION_DUE, json!({ "plan": { "books_per_month": 5 } })));
    assert!(matches!(harness.deliver(&bad_plan), Err(MessageError::Decode(why)) if why.contains("monthly_price")));
    let bad_month = box_due(&harness, &with(SUBSCRIPTION_DUE, json!({ "month": "March" })));
    assert_eq!(
        harness.deliver(&bad_month),
        Err(MessageError::Decode("box-due: month: `March` is not a month written YYYY-MM (e.g. 2026-03)".into()))
    );
    let bad_address = with(
        ADA_PROFILE,
        json!({ "shipping_address": { "line1": "x", "city": "y", "state": "Texas", "postal_code": "1", "country": "US" } }),
    );
    assert_eq!(
        harness.deliver(&profile(&harness, &bad_address)),
        Err(MessageError::Decode("customer-profile: shipping_address.state must be two capital letters".into()))
    );
    assert!(matches!(
        harness.query(CuratedBox { subscription_id: ADA_SUBSCRIPTION.into(), month: "2026-03".into() }),
        Err(QueryError::NotFound(_))
    ));
}

/// Any of curation's commands, so that one table can list a case of each.
#[derive(Debug, Clone)]
enum AnyCommand {
    DraftSelection(DraftSelection),
    FinalizeSelection(FinalizeSelection),
    RetryCuration(RetryCuration),
}

impl AnyCommand {
    /// Executes the command; an accepted one answers its reply, as `Debug` shows it.
    fn execute(self, harness: &Harness) -> Result<String, HandleError<CurationError>> {
        fn shown(reply: impl Debug) -> String {
            format!("{reply:?}")
        }
        match self {
            Self::DraftSelection(command) => harness.execute(command).map(shown),
            Self::FinalizeSelection(command) => harness.execute(command).map(shown),
            Self::RetryCuration(command) => harness.execute(command).map(shown),
        }
    }
}

#[test]
fn bad_input_at_every_command_is_refused_naming_the_field() {
    let harness = replicated();
    let cases = [
        (AnyCommand::DraftSelection(DraftSelection { month: "2026-3".into(), isbns: vec![HOUND.into()] }), "month"),
        (
            AnyCommand::DraftSelection(DraftSelection {
                month: "2026-03".into(),
                isbns: vec![HOUND.into(), "97".into()],
            }),
            "isbns[1]",
        ),
        (AnyCommand::FinalizeSelection(FinalizeSelection { month: "2026-03".into(), isbns: vec![] }), "isbns"),
        (
            AnyCommand::FinalizeSelection(FinalizeSelection {
                month: "2026-03".into(),
                isbns: vec![HOUND.into(), HOUND.into()],
            }),
            "isbns",
        ),
        (AnyCommand::FinalizeSelection(FinalizeSelection { month: "".into(), isbns: vec![HOUND.into()] }), "month"),
        (
            AnyCommand::RetryCuration(RetryCuration { subscription_id: "sub-1".into(), month: "2026-03".into() }),
            "subscription_id",
        ),
        (
            AnyCommand::RetryCuration(RetryCuration {
                subscription_id: GRACE_SUBSCRIPTION.into(),
                month: "2026-00".into(),
            }),
            "month",
        ),
    ];
    for (command, field) in cases {
        match command.clone().execute(&harness) {
            Err(HandleError::Rejected(CurationError::InvalidInput { field: named, .. })) => {
                assert_eq!(named, field, "{command:?}")
            }
            other => panic!("{command:?} should be refused for its {field}, got {other:?}"),
        }
    }
}

#[test]
fn a_finalized_selection_cannot_change_and_only_failed_boxes_are_retried() {
    let harness = replicated();
    finalize(&harness, "2026-03", &[HOUND]);
    finalize(&harness, "2026-03", &[HOUND]);
    let change = DraftSelection { month: "2026-03".into(), isbns: vec![JOBS.into()] };
    assert_eq!(
        harness.execute(change),
        Err(HandleError::Rejected(CurationError::SelectionAlreadyFinalized { month: "2026-03".into() }))
    );
    let selection = harness.query(Selection { month: "2026-03".into() }).expect("the month's selection is finalized");
    assert_eq!(selection.finalized, Some(vec![HOUND.to_owned()]));
    let retry = RetryCuration { subscription_id: GRACE_SUBSCRIPTION.into(), month: "2026-03".into() };
    assert_eq!(
        harness.execute(retry),
        Err(HandleError::Rejected(CurationError::NothingToRetry {
            subscription_id: GRACE_SUBSCRIPTION.into(),
            month: "2026-03".into()
        }))
    );
}
