//! The inbound ports of the customers context: what the runtime, the HTTP API, the CLI and
//! tests may ask of it, and what it answers. The context needs nothing from outside besides
//! what the kernel's unit of work gives it, so there is no outbound port.
//!
//! Commands carry plain input (strings as typed by a person); the context parses it into its
//! value objects and refuses bad input with a [`CustomersError`] that names the field and the
//! reason. Replies and answers are plain data as well. The domain's types stay private: only
//! the ids and the reasons for refusal are re-exported, so callers can name them.

use serde::{Deserialize, Serialize};

pub use crate::domain::address::{AddressError, AddressField};
pub use crate::domain::customer::CustomerId;
pub use crate::domain::email::{DomainProblem, EmailError, LocalPartProblem};
pub use crate::domain::genre::GenreError;
pub use crate::domain::name::NameError;
pub use crate::domain::TextProblem;

/// A command to the customers context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomersCommand {
    /// Registers a new customer; the reply carries the new customer's id.
    Register(Registration),
    ChangeEmail {
        customer_id: CustomerId,
        email: String,
    },
    ChangeShippingAddress {
        customer_id: CustomerId,
        shipping_address: PostalAddress,
    },
    /// Replaces the customer's genre preferences with this set (kebab-case names).
    UpdateGenrePreferences {
        customer_id: CustomerId,
        genres: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub name: String,
    pub email: String,
    pub shipping_address: PostalAddress,
}

/// A US postal address as plain text, for input and output alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalAddress {
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    pub city: String,
    /// A USPS two-letter code, e.g. `TX`.
    pub state: String,
    /// `12345` or `12345-6789`.
    pub postal_code: String,
    /// `US`: the only country Bookbox ships to.
    pub country: String,
}

/// What an accepted command answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerReply {
    pub customer_id: CustomerId,
    /// The version of the customer's profile after the command (the `version` of the
    /// `customer-profile` message that announced it).
    pub version: u64,
    /// Whether the command changed anything; a command asking for what is already so is
    /// accepted, records nothing and publishes nothing.
    pub changed: bool,
}

/// Why a command was refused. Each variant names the problem; none echoes personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomersError {
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Email(#[from] EmailError),
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error(transparent)]
    Genres(#[from] GenreError),
    #[error("email: is already registered to another customer")]
    EmailAlreadyRegistered,
    #[error("customer {0} is not registered")]
    UnknownCustomer(CustomerId),
    #[error("customer {0} is already registered")]
    AlreadyRegistered(CustomerId),
}

impl CustomersError {
    /// The input field at fault, e.g. `shipping_address.state`, when one is.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Name(_) => Some("name"),
            Self::Email(_) | Self::EmailAlreadyRegistered => Some("email"),
            Self::Address(e) => Some(e.field()),
            Self::Genres(_) => Some("genres"),
            Self::UnknownCustomer(_) | Self::AlreadyRegistered(_) => None,
        }
    }
}

/// Questions to the customers context, each with the type of its answer.
pub mod queries {

    use super::CustomerId;

    /// The customer's current profile.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Profile {
        pub customer_id: CustomerId,
    }

    /// Who holds this email (compared as the uniqueness rule compares: ignoring case).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct CustomerByEmail {
        pub email: String,
    }
}

/// A customer's profile as the query port shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerProfile {
    pub customer_id: CustomerId,
    pub name: String,
    pub email: String,
    pub shipping_address: PostalAddress,
    /// Kebab-case genre names, in the published order.
    pub genres: Vec<String>,
    pub version: u64,
}
