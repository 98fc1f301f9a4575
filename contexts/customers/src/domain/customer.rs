//! The `Customer` aggregate: one person's profile (name, contact email, shipping address,
//! genre preferences).
//!
//! It guards what one customer can decide alone: registering once, changing only a
//! registered profile, and recording a change only when something changed (so consumers of
//! the profile see a new version only when there is news). Email uniqueness spans customers
//! and is not its business: see [`crate::domain::email_claim`].

use serde::{Deserialize, Serialize};

use kernel::{Aggregate, DomainEvent, Env};

use crate::domain::address::ShippingAddress;
use crate::domain::email::EmailAddress;
use crate::domain::genre::GenrePreferences;
use crate::domain::name::CustomerName;

kernel::typed_id!(
    /// Identifies a customer across Bookbox: other contexts know a customer only by it.
    CustomerId
);

/// The state: nothing before registration, then a profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    profile: Option<Profile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    id: CustomerId,
    name: CustomerName,
    email: EmailAddress,
    shipping_address: ShippingAddress,
    genres: GenrePreferences,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerCommand {
    Register { customer_id: CustomerId, name: CustomerName, email: EmailAddress, shipping_address: ShippingAddress },
    ChangeEmail { email: EmailAddress },
    ChangeShippingAddress { shipping_address: ShippingAddress },
    UpdateGenrePreferences { genres: GenrePreferences },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CustomerEvent {
    Registered {
        customer_id: CustomerId,
        name: CustomerName,
        email: EmailAddress,
        shipping_address: ShippingAddress,
    },
    /// Carries the previous address too: what was given up is part of the fact (and is
    /// what the application releases for others to claim).
    EmailChanged {
        previous: EmailAddress,
        email: EmailAddress,
    },
    ShippingAddressChanged {
        shipping_address: ShippingAddress,
    },
    GenrePreferencesUpdated {
        genres: GenrePreferences,
    },
}

impl DomainEvent for CustomerEvent {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("customer {0} is already registered")]
    AlreadyRegistered(CustomerId),
    #[error("the customer is not registered")]
    NotRegistered,
}

impl Customer {
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }
}

impl Profile {
    pub fn id(&self) -> CustomerId {
        self.id
    }
    pub fn name(&self) -> &CustomerName {
        &self.name
    }
    pub fn email(&self) -> &EmailAddress {
        &self.email
    }
    pub fn shipping_address(&self) -> &ShippingAddress {
        &self.shipping_address
    }
    pub fn genres(&self) -> &GenrePreferences {
        &self.genres
    }

    // Asking for what is already so is not an error, and not news either: no event, so
    // consumers of the profile see a new version only when something changed.

    fn change_email(&self, email: &EmailAddress) -> Vec<CustomerEvent> {
        if *email == self.email {
            return Vec::new();
        }
        vec![CustomerEvent::EmailChanged { previous: self.email.clone(), email: email.clone() }]
    }

    fn change_shipping_address(&self, shipping_address: &ShippingAddress) -> Vec<CustomerEvent> {
        if *shipping_address == self.shipping_address {
            return Vec::new();
        }
        vec![CustomerEvent::ShippingAddressChanged { shipping_address: shipping_address.clone() }]
    }

    fn update_genre_preferences(&self, genres: &GenrePreferences) -> Vec<CustomerEvent> {
        if *genres == self.genres {
            return Vec::new();
        }
        vec![CustomerEvent::GenrePreferencesUpdated { genres: genres.clone() }]
    }
}

impl Aggregate for Customer {
    const CATEGORY: &'static str = "customer";
    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;

    fn decide(&self, command: &CustomerCommand, _env: &Env<'_>) -> Result<Vec<CustomerEvent>, CustomerError> {
        match (&self.profile, command) {
            (None, CustomerCommand::Register { customer_id, name, email, shipping_address }) => {
                Ok(vec![CustomerEvent::Registered {
                    customer_id: *customer_id,
                    name: name.clone(),
                    email: email.clone(),
                    shipping_address: shipping_address.clone(),
                }])
            }
            (Some(profile), CustomerCommand::Register { .. }) => Err(CustomerError::AlreadyRegistered(profile.id)),
            (None, _) => Err(CustomerError::NotRegistered),
            (Some(profile), CustomerCommand::ChangeEmail { email }) => Ok(profile.change_email(email)),
            (Some(profile), CustomerCommand::ChangeShippingAddress { shipping_address }) => {
                Ok(profile.change_shipping_address(shipping_address))
            }
            (Some(profile), CustomerCommand::UpdateGenrePreferences { genres }) => {
                Ok(profile.update_genre_preferences(genres))
            }
        }
    }

    fn evolve(&mut self, event: &CustomerEvent) {
        if let CustomerEvent::Registered { customer_id, name, email, shipping_address } = event {
            self.profile = Some(Profile {
                id: *customer_id,
                name: name.clone(),
                email: email.clone(),
                shipping_address: shipping_address.clone(),
                genres: GenrePreferences::default(),
            });
            return;
        }
        // Every other event follows a registration in its stream.
        let Some(profile) = self.profile.as_mut() else { return };
        match event {
            CustomerEvent::Registered { .. } => {}
            CustomerEvent::EmailChanged { email, .. } => profile.email = email.clone(),
            CustomerEvent::ShippingAddressChanged { shipping_address } => {
                profile.shipping_address = shipping_address.clone();
            }
            CustomerEvent::GenrePreferencesUpdated { genres } => profile.genres = genres.clone(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

    use crate::domain::genre::Genre;

    pub(crate) fn id(n: u128) -> CustomerId {
        CustomerId::from_uuid(uuid::Uuid::from_u128(n))
    }

    pub(crate) fn email(s: &str) -> EmailAddress {
        EmailAddress::parse(s).unwrap()
    }

    pub(crate) fn address(line1: &str) -> ShippingAddress {
        ShippingAddress::parse(line1, None, "Dallas", "TX", "75201", "US").unwrap()
    }

    fn registered(n: u128, mail: &str) -> CustomerEvent {
        CustomerEvent::Registered {
            customer_id: id(n),
            name: CustomerName::parse("Ada Lovelace").unwrap(),
            email: email(mail),
            shipping_address: address("1 Main St"),
        }
    }

    #[test]
    fn a_new_customer_registers() {
        let command = CustomerCommand::Register {
            customer_id: id(1),
            name: CustomerName::parse("Ada Lovelace").unwrap(),
            email: email("ada@example.com"),
            shipping_address: address("1 Main St"),
        };
        let state = given::<Customer>([]).when(command).then([registered(1, "ada@example.com")]);
        let profile = state.profile().unwrap();
        assert_eq!(profile.id(), id(1));
        assert_eq!(*profile.genres(), GenrePreferences::default(), "a new customer has no preferences yet");
    }

    #[test]
    fn a_customer_registers_only_once() {
        let command = CustomerCommand::Register {
            customer_id: id(2),
            name: CustomerName::parse("Someone Else").unwrap(),
            email: email("else@example.com"),
            shipping_address: address("2 Main St"),
        };
        given::<Customer>([registered(1, "ada@example.com")])
            .when(command)
            .then_rejected(CustomerError::AlreadyRegistered(id(1)));
    }

    #[test]
    fn nothing_changes_for_an_unregistered_customer() {
        given::<Customer>([])
            .when(CustomerCommand::ChangeEmail { email: email("ada@example.com") })
            .then_rejected(CustomerError::NotRegistered);
        given::<Customer>([])
            .when(CustomerCommand::UpdateGenrePreferences { genres: GenrePreferences::default() })
            .then_rejected(CustomerError::NotRegistered);
    }

    #[test]
    fn changing_the_email_records_the_previous_one() {
        let state = given::<Customer>([registered(1, "ada@example.com")])
            .when(CustomerCommand::ChangeEmail { email: email("countess@example.com") })
            .then([CustomerEvent::EmailChanged {
                previous: email("ada@example.com"),
                email: email("countess@example.com"),
            }]);
        assert_eq!(state.profile().unwrap().email().as_str(), "countess@example.com");
    }

    #[test]
    fn asking_for_what_is_already_so_records_nothing() {
        let genres = GenrePreferences::parse(&["poetry"]).unwrap();
        let history =
            [registered(1, "ada@example.com"), CustomerEvent::GenrePreferencesUpdated { genres: genres.clone() }];
        given::<Customer>(history.clone())
            .when(CustomerCommand::ChangeEmail { email: email("ada@EXAMPLE.com") })
            .then([]);
        given::<Customer>(history.clone())
            .when(CustomerCommand::ChangeShippingAddress { shipping_address: address("1 Main St") })
            .then([]);
        given::<Customer>(history).when(CustomerCommand::UpdateGenrePreferences { genres }).then([]);
    }

    #[test]
    fn a_case_only_change_of_the_local_part_is_a_change() {
        given::<Customer>([registered(1, "ada@example.com")])
            .when(CustomerCommand::ChangeEmail { email: email("Ada@example.com") })
            .then([CustomerEvent::EmailChanged {
                previous: email("ada@example.com"),
                email: email("Ada@example.com"),
            }]);
    }

    #[test]
    fn address_and_preferences_change() {
        let genres = GenrePreferences::parse(&["science-fiction", "mystery"]).unwrap();
        let state = given::<Customer>([registered(1, "ada@example.com")])
            .when(CustomerCommand::ChangeShippingAddress { shipping_address: address("9 Elm St") })
            .then([CustomerEvent::ShippingAddressChanged { shipping_address: address("9 Elm St") }]);
        assert_eq!(state.profile().unwrap().shipping_address().line1(), "9 Elm St");
        let state = given::<Customer>([registered(1, "ada@example.com")])
            .when(CustomerCommand::UpdateGenrePreferences { genres: genres.clone() })
            .then([CustomerEvent::GenrePreferencesUpdated { genres }]);
        let liked: Vec<Genre> = state.profile().unwrap().genres().iter().collect();
        assert_eq!(liked, [Genre::Mystery, Genre::ScienceFiction]);
    }

    pub(crate) fn commands() -> impl Strategy<Value = Vec<CustomerCommand>> {
        let emails =
            prop::sample::select(vec!["ada@example.com", "Ada@example.com", "bo@example.org", "cy@example.net"]);
        let lines = prop::sample::select(vec!["1 Main St", "9 Elm St"]);
        let genres = prop::sample::subsequence(Genre::ALL.map(Genre::name).to_vec(), 0..4);
        let command = prop_oneof![
            (1u128..3, emails.clone()).prop_map(|(n, mail)| CustomerCommand::Register {
                customer_id: id(n),
                name: CustomerName::parse("Ada").unwrap(),
                email: email(mail),
                shipping_address: address("1 Main St"),
            }),
            emails.prop_map(|mail| CustomerCommand::ChangeEmail { email: email(mail) }),
            lines.prop_map(|line| CustomerCommand::ChangeShippingAddress { shipping_address: address(line) }),
            genres.prop_map(|names| CustomerCommand::UpdateGenrePreferences {
                genres: GenrePreferences::parse(&names).unwrap(),
            }),
        ];
        proptest::collection::vec(command, 0..20)
    }

    /// What holds after any accepted command: the customer is registered (every other command
    /// needs a registration), registering again is refused naming it, and asking for the
    /// profile as it stands records nothing (so consumers see a version only for news).
    fn invariant(customer: &Customer) -> Result<(), String> {
        let Some(profile) = customer.profile() else { return Err("accepted, yet not registered".into()) };
        let ids = kernel::ids::SequentialIds::new(0);
        let env = Env { now: kernel::Timestamp::UNIX_EPOCH, ids: &ids };
        let again = CustomerCommand::Register {
            customer_id: id(9),
            name: profile.name().clone(),
            email: profile.email().clone(),
            shipping_address: profile.shipping_address().clone(),
        };
        if customer.decide(&again, &env) != Err(CustomerError::AlreadyRegistered(profile.id())) {
            return Err(format!("registering again is not refused as {}", profile.id()));
        }
        let as_it_stands = [
            CustomerCommand::ChangeEmail { email: profile.email().clone() },
            CustomerCommand::ChangeShippingAddress { shipping_address: profile.shipping_address().clone() },
            CustomerCommand::UpdateGenrePreferences { genres: profile.genres().clone() },
        ];
        for command in as_it_stands {
            match customer.decide(&command, &env) {
                Ok(events) if events.is_empty() => {}
                other => return Err(format!("{command:?} on the profile as it stands gives {other:?}")),
            }
        }
        Ok(())
    }

    #[test]
    fn invariants_hold_and_replay_rebuilds_the_state() {
        check_aggregate::<Customer>(commands(), invariant);
    }

    proptest! {
        #[test]
        fn the_stream_is_one_registration_then_real_changes(commands in commands()) {
            let run = run_commands::<Customer>(&commands, invariant)?;
            let mut replayed = Customer::default();
            for (i, event) in run.events.iter().enumerate() {
                let registration = matches!(event, CustomerEvent::Registered { .. });
                prop_assert_eq!(registration, i == 0, "only the first event registers: {:?}", event);
                if let (CustomerEvent::EmailChanged { previous, email }, Some(profile)) = (event, replayed.profile()) {
                    prop_assert_eq!(previous, profile.email(), "`previous` is the address being replaced");
                    prop_assert_ne!(previous, email, "a change changes something");
                }
                replayed.evolve(event);
            }
        }
    }
}
