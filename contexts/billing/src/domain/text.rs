//! Short free texts billing keeps: why a refund was made, why a payer disputes a charge, the
//! evidence billing answered with, why the bank declined a card, and the gateway's
//! authorization id. Each is its own type, so a refund reason cannot be filed as evidence.
//!
//! Texts from people are validated (a bad one is refused, naming the problem); texts from the
//! payment gateway are sanitized instead (a gateway's odd answer must not stop billing).

use std::fmt;

use serde::{Deserialize, Serialize};

/// What is wrong with a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("is empty")]
    Empty,
    #[error("is {chars} characters long; the limit is {max}")]
    TooLong { chars: usize, max: usize },
    #[error("contains a control character")]
    ControlCharacter,
}

/// Trims `input` and checks it: 1 to `max` characters, no control characters (but line breaks
/// when `multiline`).
fn clean(input: &str, max: usize, multiline: bool) -> Result<String, TextProblem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TextProblem::Empty);
    }
    let chars = trimmed.chars().count();
    if chars > max {
        return Err(TextProblem::TooLong { chars, max });
    }
    if trimmed.chars().any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t'))) {
        return Err(TextProblem::ControlCharacter);
    }
    Ok(trimmed.to_owned())
}

/// Makes any string a valid text: control characters become spaces, the rest is trimmed and
/// cut to `max` characters; nothing left is `fallback`.
fn sanitize(input: &str, max: usize, fallback: &str) -> String {
    let spaced: String = input.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let cut: String = spaced.trim().chars().take(max).collect();
    match cut.trim() {
        "" => fallback.to_owned(),
        kept => kept.to_owned(),
    }
}

pub(crate) use kernel::text::excerpt;

/// Declares a text type: a validated `String` newtype, stored as a plain JSON string and
/// checked again when read back.
macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident, max = $max:expr, multiline = $multiline:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const CHARS_MAX: usize = $max;

            pub fn parse(input: &str) -> Result<Self, TextProblem> {
                clean(input, Self::CHARS_MAX, $multiline).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextProblem;
            fn try_from(s: String) -> Result<Self, TextProblem> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> String {
                text.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// Why money went back to the payer ("the books arrived damaged").
    RefundReason, max = 200, multiline = false
);

text_type!(
    /// Why the payer disputes the charge, as their bank reported it.
    DisputeReason, max = 200, multiline = false
);

text_type!(
    /// What billing answered the bank with (tracking, receipts, correspondence).
    Evidence, max = 2_000, multiline = true
);

text_type!(
    /// Why the bank declined a card, in the gateway's words ("insufficient-funds").
    DeclineReason, max = 200, multiline = false
);

text_type!(
    /// The gateway's reference of an approved charge: what a refund or a dispute quotes.
    AuthorizationId, max = 64, multiline = false
);

impl DeclineReason {
    /// The gateway's reason, whatever it sent: a decline is a fact even when its wording is odd.
    pub fn from_gateway(raw: &str) -> Self {
        Self(sanitize(raw, Self::CHARS_MAX, "unspecified"))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(RefundReason::parse("  damaged in transit ").unwrap().as_str(), "damaged in transit");
        assert_eq!(RefundReason::parse(" "), Err(TextProblem::Empty));
        assert_eq!(AuthorizationId::parse(&"a".repeat(65)), Err(TextProblem::TooLong { chars: 65, max: 64 }));
        assert_eq!(DisputeReason::parse("fraud\u{7}"), Err(TextProblem::ControlCharacter));
    }

    #[test]
    fn evidence_may_span_lines_but_a_reason_may_not() {
        assert!(Evidence::parse("tracking 1Z999\nsigned by J. Doe").is_ok());
        assert_eq!(RefundReason::parse("a\nb"), Err(TextProblem::ControlCharacter));
    }

    #[test]
    fn a_gateway_decline_reason_is_sanitized_not_refused() {
        assert_eq!(DeclineReason::from_gateway("").as_str(), "unspecified");
        assert_eq!(DeclineReason::from_gateway("do\nnot honor").as_str(), "do not honor");
        assert_eq!(DeclineReason::from_gateway(&"x".repeat(500)).as_str().len(), DeclineReason::CHARS_MAX);
    }

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("a\nb"), "a\\nb");
        assert_eq!(excerpt(&"x".repeat(100)), format!("{}…", "x".repeat(40)));
    }

    #[test]
    fn a_stored_text_is_checked_when_read_back() {
        assert!(serde_json::from_str::<RefundReason>(r#""""#).is_err());
        let reason: RefundReason = serde_json::from_str(r#""late""#).unwrap();
        assert_eq!(serde_json::to_string(&reason).unwrap(), r#""late""#);
    }

    proptest! {
        #[test]
        fn any_input_is_parsed_or_refused_without_panicking(input in any::<String>()) {
            let _ = RefundReason::parse(&input);
            let _ = Evidence::parse(&input);
            let _ = AuthorizationId::parse(&input);
            let reason = DeclineReason::from_gateway(&input);
            prop_assert!(DeclineReason::parse(reason.as_str()).is_ok(), "a sanitized reason is valid");
        }
    }
}
