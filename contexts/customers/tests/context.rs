//! The customers context driven through its public API in an in-memory harness, as the
//! runtime drives it: commands, queries, what is published, and the uniqueness of emails
//! across customers under random command sequences.

use customers::ports::queries::{CustomerByEmail, Profile};
use customers::ports::{
    AddressError, CustomerId, CustomerProfile, CustomerReply, CustomersCommand, CustomersError, EmailError, GenreError,
    NameError, PostalAddress, Registration, TextProblem,
};
use customers::Customers;
use kernel::context::{HandleError, QueryError};
use kernel::testing::ContextHarness;
use kernel::EventStore;
use proptest::prelude::*;

fn address(line1: &str) -> PostalAddress {
    PostalAddress {
        line1: line1.into(),
        line2: None,
        city: "Dallas".into(),
        state: "TX".into(),
        postal_code: "75201".into(),
        country: "US".into(),
    }
}

fn registration(name: &str, email: &str) -> CustomersCommand {
    CustomersCommand::Register(Registration {
        name: name.into(),
        email: email.into(),
        shipping_address: address("1 Main St"),
    })
}

fn register(harness: &ContextHarness<Customers>, name: &str, email: &str) -> CustomerId {
    harness.execute(registration(name, email)).expect("registration accepted").customer_id
}

fn profile(harness: &ContextHarness<Customers>, customer_id: CustomerId) -> CustomerProfile {
    harness.query(Profile { customer_id }).expect("a registered customer has a profile")
}

fn holder_of(harness: &ContextHarness<Customers>, email: &str) -> Option<CustomerId> {
    match harness.query(CustomerByEmail { email: email.into() }) {
        Ok(customer_id) => Some(customer_id),
        Err(QueryError::NotFound(_)) => None,
        Err(e) => panic!("expected a customer or not found, got {e}"),
    }
}

fn rejection(result: Result<CustomerReply, HandleError<CustomersError>>) -> CustomersError {
    kernel::testing::refusal(result)
}

#[test]
fn a_customer_registers_and_is_found_by_id_and_by_email() {
    // Arrange
    let mut harness = ContextHarness::new(Customers);
    // Act
    let reply = harness.execute(registration("  Ada Lovelace ", " Ada@Example.COM ")).unwrap();
    // Assert
    assert_eq!(reply.version, 1);
    assert!(reply.changed);
    let profile = profile(&harness, reply.customer_id);
    assert_eq!(profile.name, "Ada Lovelace");
    assert_eq!(profile.email, "Ada@example.com", "trimmed, domain lowercased, local part as typed");
    assert_eq!(profile.genres, Vec::<String>::new());
    assert_eq!(holder_of(&harness, "ada@example.com"), Some(reply.customer_id), "lookup ignores case");
    assert_eq!(harness.take_published().len(), 1);
}

#[test]
fn a_second_customer_with_the_same_email_is_refused_and_leaves_nothing_behind() {
    let mut harness = ContextHarness::new(Customers);
    let ada = register(&harness, "Ada", "ada@example.com");
    harness.take_published();
    let before = harness.store.last_position().unwrap();

    let error = rejection(harness.execute(registration("Impostor", "ADA@example.com")));

    assert_eq!(error, CustomersError::EmailAlreadyRegistered);
    assert_eq!(error.field(), Some("email"));
    assert_eq!(harness.store.last_position().unwrap(), before, "no event of the refused command was written");
    assert!(harness.take_published().is_empty());
    assert_eq!(holder_of(&harness, "ada@example.com"), Some(ada));
}

#[test]
fn changing_email_frees_the_old_address_and_takes_the_new_one() {
    let mut harness = ContextHarness::new(Customers);
    let ada = register(&harness, "Ada", "ada@example.com");
    harness.take_published();

    let reply =
        harness.execute(CustomersCommand::ChangeEmail { customer_id: ada, email: "countess@example.org".into() });

    assert_eq!(reply.unwrap(), CustomerReply { customer_id: ada, version: 2, changed: true });
    assert_eq!(holder_of(&harness, "countess@example.org"), Some(ada));
    assert_eq!(holder_of(&harness, "ada@example.com"), None);
    assert_eq!(harness.take_published().len(), 1);
    let bo = register(&harness, "Bo", "ada@example.com");
    assert_eq!(holder_of(&harness, "ada@example.com"), Some(bo), "a released address can be registered again");
}

#[test]
fn changing_email_to_another_customers_address_is_refused() {
    let mut harness = ContextHarness::new(Customers);
    let ada = register(&harness, "Ada", "ada@example.com");
    let bo = register(&harness, "Bo", "bo@example.com");
    harness.take_published();

    let error =
        rejection(harness.execute(CustomersCommand::ChangeEmail { customer_id: ada, email: "BO@example.com".into() }));

    assert_eq!(error, CustomersError::EmailAlreadyRegistered);
    assert_eq!(profile(&harness, ada).email, "ada@example.com");
    assert_eq!(holder_of(&harness, "ada@example.com"), Some(ada), "the old claim is kept");
    assert_eq!(holder_of(&harness, "bo@example.com"), Some(bo));
    assert!(harness.take_published().is_empty());
}

#[test]
fn a_change_of_letter_case_keeps_the_claim() {
    let harness = ContextHarness::new(Customers);
    let ada = register(&harness, "Ada", "ada@example.com");

    let reply = harness.execute(CustomersCommand::ChangeEmail { customer_id: ada, email: "Ada@Example.com".into() });

    assert!(reply.unwrap().changed);
    assert_eq!(profile(&harness, ada).email, "Ada@example.com");
    assert_eq!(holder_of(&harness, "ADA@EXAMPLE.COM"), Some(ada));
}

#[test]
fn address_and_preferences_change_and_each_change_publishes_a_new_version() {
    let mut harness = ContextHarness::new(Customers);
    let ada = register(&harness, "Ada", "ada@example.com");
    let mut chicago = address("400 N Michigan Ave");
    chicago.city = "Chicago".into();
    chicago.state = "il".into();
    chicago.postal_code = "60611".into();

    let moved =
        harness.execute(CustomersCommand::ChangeShippingAddress { customer_id: ada, shipping_address: chicago });
    let genres = vec!["Science-Fiction".to_owned(), "mystery".to_owned()];
    let liked = harness.execute(CustomersCommand::UpdateGenrePreferences { customer_id: ada, genres });

    assert_eq!(moved.unwrap().version, 2);
    assert_eq!(liked.unwrap().version, 3);
    let profile = profile(&harness, ada);
    assert_eq!(profile.shipping_address.state, "IL");
    assert_eq!(profile.genres, ["mystery", "science-fiction"], "a set, in the published order");
    let versions: Vec<u64> = harness
        .take_published()
        .iter()
        .map(|m| {
            serde_json::from_str::<serde_json::Value>(m.data.as_ref().unwrap().get()).unwrap()["version"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(versions, [1, 2, 3]);
}

#[test]
fn asking_for_what_is_already_so_changes_and_publishes_nothing() {
    let mut harness = ContextHarness::new(Customers);
    let ada = register(&harness, "Ada", "ada@example.com");
    harness.take_published();

    let replies = [
        harness.execute(CustomersCommand::ChangeEmail { customer_id: ada, email: "ada@EXAMPLE.com".into() }),
        harness.execute(CustomersCommand::ChangeShippingAddress {
            customer_id: ada,
            shipping_address: address("1 Main St"),
        }),
        harness.execute(CustomersCommand::UpdateGenrePreferences { customer_id: ada, genres: vec![] }),
    ];

    for reply in replies {
        assert_eq!(reply.unwrap(), CustomerReply { customer_id: ada, version: 1, changed: false });
    }
    assert!(harness.take_published().is_empty());
}

#[test]
fn bad_input_at_every_command_is_refused_naming_the_field() {
    let harness = ContextHarness::new(Customers);
    let ada = register(&harness, "Ada", "ada@example.com");
    let unknown = CustomerId::from_uuid(uuid::Uuid::from_u128(7));
    let mut bad_state = address("1 Main St");
    bad_state.state = "ZZ".into();
    let mut bad_zip = address("1 Main St");
    bad_zip.postal_code = "ABCDE".into();
    let registration_with = |name: &str, email: &str, shipping_address: PostalAddress| {
        CustomersCommand::Register(Registration { name: name.into(), email: email.into(), shipping_address })
    };
    let cases: Vec<(CustomersCommand, CustomersError, Option<&str>)> = vec![
        (
            registration_with(" ", "x@example.com", address("1 Main St")),
            NameError(TextProblem::Empty).into(),
            Some("name"),
        ),
        (registration_with("X", "not-an-email", address("1 Main St")), EmailError::MissingAt.into(), Some("email")),
        (
            registration_with("X", "x@example.com", bad_state.clone()),
            AddressError::UnknownState { input: "ZZ".into() }.into(),
            Some("shipping_address.state"),
        ),
        (
            registration_with("X", "x@example.com", bad_zip),
            AddressError::InvalidPostalCode.into(),
            Some("shipping_address.postal_code"),
        ),
        (
            CustomersCommand::ChangeEmail { customer_id: ada, email: "ada@".into() },
            EmailError::Domain(customers::ports::DomainProblem::Empty).into(),
            Some("email"),
        ),
        (
            CustomersCommand::ChangeShippingAddress { customer_id: ada, shipping_address: bad_state },
            AddressError::UnknownState { input: "ZZ".into() }.into(),
            Some("shipping_address.state"),
        ),
        (
            CustomersCommand::UpdateGenrePreferences {
                customer_id: ada,
                genres: vec!["mystery".into(), "cooking".into()],
            },
            GenreError { index: 1, input: "cooking".into() }.into(),
            Some("genres"),
        ),
        (
            CustomersCommand::ChangeEmail { customer_id: unknown, email: "u@example.com".into() },
            CustomersError::UnknownCustomer(unknown),
            None,
        ),
        (
            CustomersCommand::UpdateGenrePreferences { customer_id: unknown, genres: vec![] },
            CustomersError::UnknownCustomer(unknown),
            None,
        ),
    ];
    for (command, expected, field) in cases {
        let description = format!("{command:?}");
        let error = rejection(harness.execute(command));
        assert_eq!(error, expected, "{description}");
        assert_eq!(error.field(), field, "{description}");
    }
    assert_eq!(holder_of(&harness, "x@example.com"), None, "no refused registration claimed its email");
}

#[test]
fn queries_answer_not_found_and_invalid_plainly() {
    let harness = ContextHarness::new(Customers);
    let unknown = CustomerId::from_uuid(uuid::Uuid::from_u128(7));
    assert!(matches!(harness.query(Profile { customer_id: unknown }), Err(QueryError::NotFound(_))));
    assert!(matches!(
        harness.query(CustomerByEmail { email: "nobody@example.com".into() }),
        Err(QueryError::NotFound(_))
    ));
    let invalid = harness.query(CustomerByEmail { email: "nope".into() });
    assert_eq!(invalid, Err(QueryError::Invalid("email: is not an email address: it has no `@`".into())));
}

#[derive(Debug, Clone)]
enum Step {
    Register { email: usize },
    ChangeEmail { customer: usize, email: usize },
}

const EMAILS: [&str; 4] = ["ada@example.com", "ADA@example.com", "bo@example.org", "cy@example.net"];

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        (0..EMAILS.len()).prop_map(|email| Step::Register { email }),
        (0..4usize, 0..EMAILS.len()).prop_map(|(customer, email)| Step::ChangeEmail { customer, email }),
    ];
    proptest::collection::vec(step, 1..25)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever customers do, no two profiles share an address (ignoring case), and each
    /// address's claim is held by exactly the customer whose profile carries it.
    #[test]
    fn no_two_customers_ever_share_an_email(steps in steps()) {
        let harness = ContextHarness::new(Customers);
        let mut customers: Vec<CustomerId> = Vec::new();
        for step in steps {
            let outcome = match step {
                Step::Register { email } => {
                    let outcome = harness.execute(registration("Someone", EMAILS[email]));
                    if let Ok(reply) = &outcome {
                        customers.push(reply.customer_id);
                    }
                    outcome
                }
                Step::ChangeEmail { customer, email } if !customers.is_empty() => {
                    let customer_id = customers[customer % customers.len()];
                    harness.execute(CustomersCommand::ChangeEmail { customer_id, email: EMAILS[email].into() })
                }
                Step::ChangeEmail { .. } => continue,
            };
            if let Err(error) = outcome {
                prop_assert_eq!(rejection(Err(error)), CustomersError::EmailAlreadyRegistered);
            }
            let mut keys: Vec<String> = customers.iter().map(|id| profile(&harness, *id).email.to_lowercase()).collect();
            for (customer_id, key) in customers.iter().zip(&keys) {
                prop_assert_eq!(holder_of(&harness, key), Some(*customer_id));
            }
            for email in EMAILS {
                let held = holder_of(&harness, email).is_some();
                prop_assert_eq!(held, keys.contains(&email.to_lowercase()), "a claim exists only for an address in use");
            }
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), customers.len(), "two customers share an email");
        }
    }
}
