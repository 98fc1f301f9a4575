//! The business begins, end to end in the runtime: customers register and set preferences,
//! subscribe, stock is received, a selection is finalized, a month starts, and every due box
//! is curated to the subscriber's taste, never repeating a book, while the customers context
//! is stopped.

use std::sync::Arc;
use std::time::Duration;

use bookbox::runtime::storage::MemoryStorage;
use bookbox::runtime::{Runtime, RuntimeConfig, RuntimeHandle};
use curation::ports::{queries, CuratedBoxStatus, FinalizeSelection};
use customers::ports::{CustomersCommand, PostalAddress, Registration};
use inventory::ports::{AddBook, ReceiveShipment};
use kernel::ids::SequentialIds;
use kernel::time::{ManualClock, Timestamp};
use subscriptions::ports::{StartCycle, SubscriptionsCommand};

const SETTLE: Duration = Duration::from_secs(30);

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn start(clock: Arc<ManualClock>) -> RuntimeHandle {
    let storage = Arc::new(MemoryStorage::new(clock.clone()));
    let config = RuntimeConfig { tick_every: None, ..RuntimeConfig::default() };
    let world = bookbox::contexts::OutsideWorld::perfect(clock.clone());
    bookbox::contexts::host_all(Runtime::new(storage, clock, Arc::new(SequentialIds::new(5)), config), &world)
        .start()
        .unwrap()
}

/// Registers a customer with these genres and subscribes them; returns (customer, subscription).
fn subscriber(runtime: &RuntimeHandle, name: &str, genres: &[&str], books_per_month: u32) -> (String, String) {
    let registration = Registration {
        name: name.into(),
        email: format!("{}@example.com", name.to_lowercase()),
        shipping_address: PostalAddress {
            line1: "1 Main St".into(),
            line2: None,
            city: "Austin".into(),
            state: "TX".into(),
            postal_code: "78701".into(),
            country: "US".into(),
        },
    };
    let customer = runtime.execute_blocking(CustomersCommand::Register(registration)).unwrap().reply.customer_id;
    let genres = genres.iter().map(|g| g.to_string()).collect();
    runtime.execute_blocking(CustomersCommand::UpdateGenrePreferences { customer_id: customer, genres }).unwrap();
    let subscriber_id = subscriptions::ports::CustomerId::from_uuid(customer.as_uuid());
    let reply = runtime
        .execute_blocking(SubscriptionsCommand::Subscribe { customer_id: subscriber_id, books_per_month })
        .unwrap()
        .reply;
    (customer.to_string(), reply.subscription_id.to_string())
}

fn curated(runtime: &RuntimeHandle, subscription_id: &str, month: &str) -> Vec<String> {
    let query = queries::CuratedBox { subscription_id: subscription_id.into(), month: month.into() };
    let view = runtime.query_blocking(query).unwrap();
    assert_eq!(view.status, CuratedBoxStatus::Curated, "{view:?}");
    view.books.into_iter().map(|b| b.isbn).collect()
}

/// Valid ISBN-13s, with their genres.
const BOOKS: &[(&str, &str)] = &[
    ("9780306406157", "mystery"),
    ("9780131103627", "mystery"),
    ("9780262033848", "fantasy"),
    ("9780201633610", "fantasy"),
    ("9780596007126", "science-fiction"),
    ("9781491927281", "science-fiction"),
];

#[test]
fn every_due_box_is_curated_to_taste_without_repeats_while_customers_is_stopped() {
    let clock = Arc::new(ManualClock::new(at("2026-10-20T09:00:00Z")));
    let runtime = start(clock.clone());
    for (i, (isbn, genre)) in BOOKS.iter().enumerate() {
        let add = AddBook { isbn: (*isbn).into(), title: format!("Book {i}"), genres: vec![(*genre).into()] };
        runtime.execute_blocking(add).unwrap();
        let receive = ReceiveShipment { isbn: (*isbn).into(), warehouse: "dallas".into(), quantity: 5 };
        runtime.execute_blocking(receive).unwrap();
    }
    let (_, ada) = subscriber(&runtime, "Ada", &["mystery"], 1);
    let (_, bo) = subscriber(&runtime, "Bo", &["fantasy", "science-fiction"], 2);
    let all: Vec<String> = BOOKS.iter().map(|(isbn, _)| (*isbn).to_owned()).collect();
    for month in ["2026-11", "2026-12"] {
        let finalize = FinalizeSelection { month: month.into(), isbns: all.clone() };
        runtime.execute_blocking(finalize).unwrap();
    }
    runtime.settle(SETTLE).unwrap();

    // Curation keeps working from its replicas while customers is down.
    runtime.stop_context("customers").unwrap();
    let mut received = std::collections::HashMap::<&str, Vec<String>>::new();
    for (month, day) in [("2026-11", "2026-11-01T06:00:00Z"), ("2026-12", "2026-12-01T06:00:00Z")] {
        clock.set(at(day));
        runtime.execute_blocking(StartCycle { month: month.into() }).unwrap();
        runtime.settle(SETTLE).unwrap();
        let ada_box = curated(&runtime, &ada, month);
        let bo_box = curated(&runtime, &bo, month);
        assert_eq!(ada_box.len(), 1, "plan of one book");
        assert_eq!(bo_box.len(), 2, "plan of two books");
        let genre_of = |isbn: &String| BOOKS.iter().find(|(i, _)| i == isbn).unwrap().1;
        assert!(ada_box.iter().all(|b| genre_of(b) == "mystery"), "{ada_box:?}");
        assert!(bo_box.iter().all(|b| ["fantasy", "science-fiction"].contains(&genre_of(b))), "{bo_box:?}");
        received.entry("ada").or_default().extend(ada_box);
        received.entry("bo").or_default().extend(bo_box);
    }
    for (who, books) in received {
        let distinct: std::collections::HashSet<_> = books.iter().collect();
        assert_eq!(distinct.len(), books.len(), "{who} received a book twice: {books:?}");
    }
    // Starting the same month again has no second effect.
    let again = runtime.execute_blocking(StartCycle { month: "2026-12".into() });
    let report = again.unwrap().reply;
    assert!(report.already_started);
    runtime.start_context("customers").unwrap();
    runtime.settle(SETTLE).unwrap();
    runtime.shutdown();
}
