//! The application layer of customers: turns each command into one unit of work over the
//! `Customer` and `EmailClaim` aggregates, publishes the profile after every change, and
//! answers queries.
//!
//! Everything a command does commits atomically or not at all: a registration whose email
//! is taken leaves no customer behind, and a change of email never leaves an address
//! claimed by nobody or by two.

use kernel::context::{Answers, BoundedContext, ContextDescriptor, HandleError, Handles, QueryError};
use kernel::unit_of_work::{ExecuteError, Repository, UnitOfWork};
use kernel::{Aggregate, StreamId, Version};

use crate::domain::address::ShippingAddress;
use crate::domain::customer::{Customer, CustomerCommand, CustomerError, CustomerEvent, CustomerId, Profile};
use crate::domain::email::{EmailAddress, EmailKey};
use crate::domain::email_claim::{EmailClaim, EmailClaimCommand, EmailClaimError};
use crate::domain::genre::{Genre, GenrePreferences};
use crate::domain::name::CustomerName;
use crate::ports::queries::{CustomerByEmail, Profile as ProfileOf};
use crate::ports::{
    CustomerId as Id, CustomerProfile, CustomerReply, CustomersCommand, CustomersError, PostalAddress, Registration,
};
use crate::published::{CustomerProfileV1, GenreV1, ShippingAddressV1, CUSTOMER_PROFILE};

/// The customers context, as the runtime hosts it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Customers;

type Handled<T> = Result<T, HandleError<CustomersError>>;

impl BoundedContext for Customers {
    const CONTEXT: &'static ContextDescriptor = &crate::CONTEXT;
    type Error = CustomersError;
}

// Customers is upstream of everyone: it consumes nothing.
kernel::inbox!(Customers {});

// Every command answers the same way, so they are one command type.
impl kernel::context::Command for CustomersCommand {
    type Context = crate::Customers;
    type Reply = CustomerReply;
}

impl Handles<CustomersCommand> for Customers {
    fn handle<R: Repository>(&self, command: CustomersCommand, uow: &mut UnitOfWork<'_, R>) -> Handled<CustomerReply> {
        match command {
            CustomersCommand::Register(registration) => register(uow, &registration),
            CustomersCommand::ChangeEmail { customer_id, email } => change_email(uow, customer_id, &email),
            CustomersCommand::ChangeShippingAddress { customer_id, shipping_address } => {
                let shipping_address = parse_address(&shipping_address).map_err(refuse)?;
                let command = CustomerCommand::ChangeShippingAddress { shipping_address };
                let events = execute_customer(uow, customer_id, &command)?;
                conclude(uow, customer_id, !events.is_empty())
            }
            CustomersCommand::UpdateGenrePreferences { customer_id, genres } => {
                let genres = GenrePreferences::parse(&genres).map_err(refuse)?;
                let events = execute_customer(uow, customer_id, &CustomerCommand::UpdateGenrePreferences { genres })?;
                conclude(uow, customer_id, !events.is_empty())
            }
        }
    }
}

impl kernel::context::Query for ProfileOf {
    type Context = crate::Customers;
    type Answer = CustomerProfile;
}

impl Answers<ProfileOf> for Customers {
    fn answer<R: Repository>(&self, query: ProfileOf, repository: &mut R) -> Result<CustomerProfile, QueryError> {
        let customer_id = query.customer_id;
        let loaded = repository.load::<Customer>(&StreamId::for_aggregate(Customer::CATEGORY, customer_id))?;
        let Some(profile) = loaded.state.profile() else {
            return Err(QueryError::NotFound(format!("customer {customer_id}")));
        };
        Ok(profile_view(profile, loaded.version))
    }
}

impl kernel::context::Query for CustomerByEmail {
    type Context = crate::Customers;
    type Answer = CustomerId;
}

impl Answers<CustomerByEmail> for Customers {
    fn answer<R: Repository>(&self, query: CustomerByEmail, repository: &mut R) -> Result<Id, QueryError> {
        let email = EmailAddress::parse(&query.email).map_err(|e| QueryError::Invalid(e.to_string()))?;
        let stream = StreamId::for_aggregate(EmailClaim::CATEGORY, email.key());
        repository
            .load::<EmailClaim>(&stream)?
            .state
            .holder()
            .ok_or_else(|| QueryError::NotFound("no customer is registered with this email".into()))
    }
}

fn register<R: Repository>(uow: &mut UnitOfWork<'_, R>, registration: &Registration) -> Handled<CustomerReply> {
    let name = CustomerName::parse(&registration.name).map_err(refuse)?;
    let email = EmailAddress::parse(&registration.email).map_err(refuse)?;
    let shipping_address = parse_address(&registration.shipping_address).map_err(refuse)?;
    let customer_id = CustomerId::generate(uow.ids());
    claim_email(uow, &email.key(), customer_id)?;
    execute_customer(uow, customer_id, &CustomerCommand::Register { customer_id, name, email, shipping_address })?;
    conclude(uow, customer_id, true)
}

fn change_email<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    email: &str,
) -> Handled<CustomerReply> {
    let email = EmailAddress::parse(email).map_err(refuse)?;
    let events = execute_customer(uow, customer_id, &CustomerCommand::ChangeEmail { email })?;
    // The claims follow what the customer decided: the event names both mailboxes.
    for event in &events {
        if let CustomerEvent::EmailChanged { previous, email } = event {
            move_claim(uow, customer_id, &previous.key(), &email.key())?;
        }
    }
    conclude(uow, customer_id, !events.is_empty())
}

/// Moves a customer's claim from one mailbox to another; a change of letter case only is
/// the same mailbox, and keeps its claim.
fn move_claim<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    from: &EmailKey,
    to: &EmailKey,
) -> Handled<()> {
    if from == to {
        return Ok(());
    }
    claim_email(uow, to, customer_id)?;
    uow.execute::<EmailClaim>(from, &EmailClaimCommand::Release { customer_id }).map_err(claim_refused)?;
    Ok(())
}

fn claim_email<R: Repository>(uow: &mut UnitOfWork<'_, R>, key: &EmailKey, customer_id: CustomerId) -> Handled<()> {
    uow.execute::<EmailClaim>(key, &EmailClaimCommand::Claim { customer_id }).map_err(claim_refused)?;
    Ok(())
}

fn claim_refused(error: ExecuteError<EmailClaimError>) -> HandleError<CustomersError> {
    match error {
        ExecuteError::Rejected(EmailClaimError::HeldByAnother { .. }) => refuse(CustomersError::EmailAlreadyRegistered),
        ExecuteError::Infrastructure(e) => HandleError::Infrastructure(e),
    }
}

fn execute_customer<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    command: &CustomerCommand,
) -> Handled<Vec<CustomerEvent>> {
    uow.execute::<Customer>(&customer_id, command).map_err(|error| match error {
        ExecuteError::Rejected(CustomerError::NotRegistered) => refuse(CustomersError::UnknownCustomer(customer_id)),
        ExecuteError::Rejected(CustomerError::AlreadyRegistered(id)) => refuse(CustomersError::AlreadyRegistered(id)),
        ExecuteError::Infrastructure(e) => HandleError::Infrastructure(e),
    })
}

/// Publishes the profile if the command changed it (state transfer on every change, and
/// only then), and replies with the profile's version.
fn conclude<R: Repository>(
    uow: &mut UnitOfWork<'_, R>,
    customer_id: CustomerId,
    changed: bool,
) -> Handled<CustomerReply> {
    let (customer, version) = uow.load::<Customer>(&customer_id)?;
    let Some(profile) = customer.profile() else {
        return Err(refuse(CustomersError::UnknownCustomer(customer_id)));
    };
    if changed {
        uow.publish(&CUSTOMER_PROFILE, &customer_id, &profile_v1(profile, version))?;
    }
    Ok(CustomerReply { customer_id, version: version.get(), changed })
}

fn refuse(error: impl Into<CustomersError>) -> HandleError<CustomersError> {
    HandleError::Rejected(error.into())
}

fn parse_address(input: &PostalAddress) -> Result<ShippingAddress, crate::ports::AddressError> {
    ShippingAddress::parse(
        &input.line1,
        input.line2.as_deref(),
        &input.city,
        &input.state,
        &input.postal_code,
        &input.country,
    )
}

// Domain -> published language and views. Written out field by field, so that a change of
// the domain cannot silently change what other contexts read.

fn profile_v1(profile: &Profile, version: Version) -> CustomerProfileV1 {
    let address = profile.shipping_address();
    CustomerProfileV1 {
        customer_id: profile.id().as_uuid(),
        name: profile.name().as_str().to_owned(),
        email: profile.email().as_str().to_owned(),
        shipping_address: ShippingAddressV1 {
            line1: address.line1().to_owned(),
            line2: address.line2().map(str::to_owned),
            city: address.city().to_owned(),
            state: address.state().to_owned(),
            postal_code: address.postal_code().to_owned(),
            country: address.country().code().to_owned(),
        },
        genres: profile.genres().iter().map(genre_v1).collect(),
        version: version.get(),
    }
}

fn genre_v1(genre: Genre) -> GenreV1 {
    match genre {
        Genre::Mystery => GenreV1::Mystery,
        Genre::Thriller => GenreV1::Thriller,
        Genre::Romance => GenreV1::Romance,
        Genre::ScienceFiction => GenreV1::ScienceFiction,
        Genre::Fantasy => GenreV1::Fantasy,
        Genre::HistoricalFiction => GenreV1::HistoricalFiction,
        Genre::LiteraryFiction => GenreV1::LiteraryFiction,
        Genre::Horror => GenreV1::Horror,
        Genre::Biography => GenreV1::Biography,
        Genre::History => GenreV1::History,
        Genre::Science => GenreV1::Science,
        Genre::SelfHelp => GenreV1::SelfHelp,
        Genre::Poetry => GenreV1::Poetry,
        Genre::YoungAdult => GenreV1::YoungAdult,
        Genre::Childrens => GenreV1::Childrens,
        Genre::GraphicNovel => GenreV1::GraphicNovel,
    }
}

fn profile_view(profile: &Profile, version: Version) -> CustomerProfile {
    let address = profile.shipping_address();
    CustomerProfile {
        customer_id: profile.id(),
        name: profile.name().as_str().to_owned(),
        email: profile.email().as_str().to_owned(),
        shipping_address: PostalAddress {
            line1: address.line1().to_owned(),
            line2: address.line2().map(str::to_owned),
            city: address.city().to_owned(),
            state: address.state().to_owned(),
            postal_code: address.postal_code().to_owned(),
            country: address.country().code().to_owned(),
        },
        genres: profile.genres().iter().map(|g| g.name().to_owned()).collect(),
        version: version.get(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_genre_is_published_under_its_own_name() {
        for genre in Genre::ALL {
            assert_eq!(serde_json::to_value(genre_v1(genre)).unwrap(), genre.name());
        }
    }

    #[test]
    fn the_schema_lists_exactly_the_domain_genres_and_states() {
        let schema: serde_json::Value = serde_json::from_str(CUSTOMER_PROFILE.schema).unwrap();
        let genres = &schema["properties"]["genres"]["items"]["enum"];
        assert_eq!(*genres, serde_json::json!(Genre::ALL.map(Genre::name).to_vec()));
        let states = &schema["properties"]["shipping_address"]["properties"]["state"]["enum"];
        assert_eq!(*states, serde_json::json!(crate::domain::address::US_STATE_CODES.to_vec()));
    }
}
