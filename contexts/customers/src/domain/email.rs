//! The customer's contact email, and the key that makes it unique.
//!
//! **Normalization** ([`EmailAddress::parse`]):
//! 1. surrounding whitespace is trimmed;
//! 2. the domain is lowercased: domains are case-insensitive (RFC 5321 §2.4);
//! 3. the local part (before `@`) is kept as typed: RFC 5321 lets a mail server treat it
//!    case-sensitively, so mail goes to exactly what the customer gave.
//!
//! **Uniqueness** is decided on the [`EmailKey`]: the normalized address with the local part
//! lowercased too. No mainstream provider distinguishes `Jane@` from `jane@`, and two
//! accounts for one mailbox cost more than refusing a (theoretical) second mailbox that
//! differs only by case.
//!
//! **Accepted shape** (a deliberate subset of RFC 5322, what real shops accept): one `@`;
//! a local part of at most 64 bytes made of ASCII letters, digits, `.` and
//! ``!#$%&'*+/=?^_`{|}~-``, not starting or ending with `.` and without `..`; a domain of at
//! least two dot-separated labels of ASCII letters, digits and `-` (at most 63 bytes each,
//! not starting or ending with `-`), whose last label is not all digits. Quoted local parts,
//! IP-literal domains and non-ASCII addresses are refused: an internationalized domain must
//! be given in its ASCII (`xn--`) form. The whole address is at most
//! [`EMAIL_BYTES_MAX`] bytes.
//!
//! Errors name the rule broken but never echo the address: it is personal data.

use std::fmt;

use serde::{Deserialize, Serialize};

use kernel::{Aggregate, StreamId};

use crate::domain::email_claim::EmailClaim;

/// The longest address accepted, in bytes. RFC 5321 allows 254; Bookbox keys the
/// [`EmailClaim`] stream by the address, and a stream id is at most 255 bytes including the
/// `email-claim-` prefix, so the limit is a little lower. No real address is this long.
pub const EMAIL_BYTES_MAX: usize = 240;
const LOCAL_PART_BYTES_MAX: usize = 64;
const DOMAIN_LABEL_BYTES_MAX: usize = 63;

// A claim's stream id is `<category>-<key>`; it must always be a valid stream id.
const _: () = assert!(<EmailClaim as Aggregate>::CATEGORY.len() + 1 + EMAIL_BYTES_MAX <= StreamId::MAX_LEN);

/// A contact email, normalized. Invariant: it passed [`EmailAddress::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// What makes two addresses the same mailbox: the normalized address, lowercased.
/// Invariant: a valid address, all lowercase; so it is always a valid stream-id suffix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EmailKey(String);

/// Why an email was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("email: is empty")]
    Empty,
    #[error("email: is {len} bytes long; the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error("email: is not an email address: it has no `@`")]
    MissingAt,
    #[error("email: is not an email address: it has more than one `@` (quoted local parts are not accepted)")]
    SeveralAts,
    #[error("email: the part before `@` {0}")]
    LocalPart(LocalPartProblem),
    #[error("email: the domain after `@` {0}")]
    Domain(DomainProblem),
}

/// What is wrong with the part before `@`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalPartProblem {
    #[error("is empty")]
    Empty,
    #[error("is longer than 64 bytes")]
    TooLong,
    #[error("starts or ends with a dot")]
    EdgeDot,
    #[error("has two dots in a row")]
    DoubleDot,
    #[error("has a character other than ASCII letters, digits and .!#$%&'*+/=?^_`{{|}}~-")]
    BadCharacter,
}

/// What is wrong with the part after `@`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DomainProblem {
    #[error("is empty")]
    Empty,
    #[error("has no dot (expected a domain such as example.com)")]
    NoDot,
    #[error("has an empty label (a leading, trailing or doubled dot)")]
    EmptyLabel,
    #[error("has a label longer than 63 bytes")]
    LabelTooLong,
    #[error("has a label that starts or ends with `-`")]
    EdgeHyphen,
    #[error(
        "has a character other than ASCII letters, digits, `-` and `.` (give an international domain in its xn-- form)"
    )]
    BadCharacter,
    #[error("ends in an all-digit label (IP addresses are not accepted)")]
    NumericTopLevel,
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > EMAIL_BYTES_MAX {
            return Err(EmailError::TooLong { len: trimmed.len(), max: EMAIL_BYTES_MAX });
        }
        let mut parts = trimmed.split('@');
        let (Some(local), Some(domain)) = (parts.next(), parts.next()) else {
            return Err(EmailError::MissingAt);
        };
        if parts.next().is_some() {
            return Err(EmailError::SeveralAts);
        }
        check_local_part(local).map_err(EmailError::LocalPart)?;
        let domain = domain.to_ascii_lowercase();
        check_domain(&domain).map_err(EmailError::Domain)?;
        Ok(Self(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key under which this address must be unique.
    pub fn key(&self) -> EmailKey {
        EmailKey(self.0.to_ascii_lowercase())
    }
}

impl EmailKey {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_local_part(local: &str) -> Result<(), LocalPartProblem> {
    const SPECIALS: &[u8] = b".!#$%&'*+/=?^_`{|}~-";
    if local.is_empty() {
        return Err(LocalPartProblem::Empty);
    }
    if local.len() > LOCAL_PART_BYTES_MAX {
        return Err(LocalPartProblem::TooLong);
    }
    if !local.bytes().all(|b| b.is_ascii_alphanumeric() || SPECIALS.contains(&b)) {
        return Err(LocalPartProblem::BadCharacter);
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err(LocalPartProblem::EdgeDot);
    }
    if local.contains("..") {
        return Err(LocalPartProblem::DoubleDot);
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), DomainProblem> {
    if domain.is_empty() {
        return Err(DomainProblem::Empty);
    }
    if !domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') {
        return Err(DomainProblem::BadCharacter);
    }
    if !domain.contains('.') {
        return Err(DomainProblem::NoDot);
    }
    for label in domain.split('.') {
        if label.is_empty() {
            return Err(DomainProblem::EmptyLabel);
        }
        if label.len() > DOMAIN_LABEL_BYTES_MAX {
            return Err(DomainProblem::LabelTooLong);
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainProblem::EdgeHyphen);
        }
    }
    let top_level = domain.rsplit('.').next().unwrap_or_default();
    if top_level.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainProblem::NumericTopLevel);
    }
    Ok(())
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, EmailError> {
        Self::parse(&s)
    }
}

impl From<EmailAddress> for String {
    fn from(email: EmailAddress) -> String {
        email.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parsed(s: &str) -> String {
        EmailAddress::parse(s).map(String::from).unwrap_or_else(|e| panic!("`{s}` should parse: {e}"))
    }

    #[test]
    fn an_address_is_trimmed_and_its_domain_lowercased_but_not_its_local_part() {
        assert_eq!(parsed("  Jane.Doe@Example.COM \n"), "Jane.Doe@example.com");
        assert_eq!(parsed("o'brien+books@mail.example.co.uk"), "o'brien+books@mail.example.co.uk");
        assert_eq!(parsed("x@xn--bcher-kva.example"), "x@xn--bcher-kva.example");
    }

    #[test]
    fn the_key_ignores_case_everywhere() {
        let a = EmailAddress::parse("Jane.Doe@Example.com").unwrap();
        let b = EmailAddress::parse("jane.doe@example.COM").unwrap();
        assert_ne!(a, b, "the address keeps the local part as typed");
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key().as_str(), "jane.doe@example.com");
    }

    #[test]
    fn what_is_not_an_email_is_refused_with_the_reason() {
        let cases = [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("jane.example.com", EmailError::MissingAt),
            ("jane@doe@example.com", EmailError::SeveralAts),
            ("@example.com", EmailError::LocalPart(LocalPartProblem::Empty)),
            (".jane@example.com", EmailError::LocalPart(LocalPartProblem::EdgeDot)),
            ("jane..doe@example.com", EmailError::LocalPart(LocalPartProblem::DoubleDot)),
            ("jane doe@example.com", EmailError::LocalPart(LocalPartProblem::BadCharacter)),
            ("jané@example.com", EmailError::LocalPart(LocalPartProblem::BadCharacter)),
            ("jane@", EmailError::Domain(DomainProblem::Empty)),
            ("jane@localhost", EmailError::Domain(DomainProblem::NoDot)),
            ("jane@example..com", EmailError::Domain(DomainProblem::EmptyLabel)),
            ("jane@-example.com", EmailError::Domain(DomainProblem::EdgeHyphen)),
            ("jane@exa_mple.com", EmailError::Domain(DomainProblem::BadCharacter)),
            ("jane@bücher.de", EmailError::Domain(DomainProblem::BadCharacter)),
            ("jane@127.0.0.1", EmailError::Domain(DomainProblem::NumericTopLevel)),
        ];
        for (input, expected) in cases {
            assert_eq!(EmailAddress::parse(input), Err(expected), "input {input:?}");
        }
        let long_local = format!("{}@example.com", "j".repeat(65));
        assert_eq!(EmailAddress::parse(&long_local), Err(EmailError::LocalPart(LocalPartProblem::TooLong)));
        let long_label = format!("jane@{}.com", "d".repeat(64));
        assert_eq!(EmailAddress::parse(&long_label), Err(EmailError::Domain(DomainProblem::LabelTooLong)));
        let long = format!("jane@{}.com", vec!["d".repeat(60); 4].join("."));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong { len: long.len(), max: 240 }));
    }

    #[test]
    fn errors_name_the_field_and_do_not_echo_the_address() {
        let err = EmailAddress::parse("secret.person.example.com").unwrap_err();
        assert_eq!(err.to_string(), "email: is not an email address: it has no `@`");
        let err = EmailAddress::parse("secret person@example.com").unwrap_err().to_string();
        assert!(err.starts_with("email: the part before `@` has a character"), "{err}");
        assert!(!err.contains("secret"));
    }

    #[test]
    fn a_stored_address_is_validated_when_read_back() {
        assert!(serde_json::from_str::<EmailAddress>(r#""not-an-email""#).is_err());
        let back: EmailAddress = serde_json::from_str(r#""Jane@example.com""#).unwrap();
        assert_eq!(back.as_str(), "Jane@example.com");
    }

    proptest! {
        #[test]
        fn parsing_any_string_never_panics_and_what_parses_is_normalized(input in any::<String>()) {
            if let Ok(email) = EmailAddress::parse(&input) {
                prop_assert!(email.as_str().len() <= EMAIL_BYTES_MAX);
                prop_assert_eq!(EmailAddress::parse(email.as_str()), Ok(email.clone()), "normalizing is idempotent");
                let stream = format!("email-claim-{}", email.key());
                prop_assert!(StreamId::parse(stream).is_ok());
            }
        }

        #[test]
        fn well_formed_addresses_parse(
            local in "[A-Za-z0-9+_-]{1,20}(\\.[A-Za-z0-9+_-]{1,10}){0,2}",
            domain in "[a-z0-9]{1,20}(-[a-z0-9]{1,5})?(\\.[a-z0-9]{1,10}){0,2}\\.[a-z]{2,6}",
        ) {
            let email = EmailAddress::parse(&format!(" {local}@{} ", domain.to_uppercase()));
            prop_assert_eq!(email.map(String::from), Ok(format!("{local}@{domain}")));
        }
    }
}
