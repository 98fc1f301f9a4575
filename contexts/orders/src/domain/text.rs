//! Text orders keeps: why something happened, in words for an operator or a customer (a
//! cancellation's reason, a rejection from inventory, why an order failed), and short labels
//! other contexts hand it (a carrier, a tracking number).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Free text: 1 to 200 characters once trimmed, no control characters. (200: what billing
/// accepts as the reason of a refund, where a reason may end up.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("reason is empty")]
    Empty,
    #[error("reason is {0} characters long; the limit is 200")]
    TooLong(usize),
    #[error("reason contains a control character")]
    ControlCharacter,
}

impl Reason {
    pub const CHARS_MAX: usize = 200;

    /// Parses a reason someone typed or another context sent.
    pub fn parse(raw: &str) -> Result<Self, ReasonError> {
        let reason = raw.trim();
        let chars = reason.chars().count();
        if chars == 0 {
            return Err(ReasonError::Empty);
        }
        if chars > Self::CHARS_MAX {
            return Err(ReasonError::TooLong(chars));
        }
        if reason.chars().any(char::is_control) {
            return Err(ReasonError::ControlCharacter);
        }
        Ok(Self(reason.to_owned()))
    }

    /// A reason orders composes itself (from its own words and validated parts): shortened
    /// to the limit if it ever grew past it, so composing one cannot fail.
    pub fn composed(text: String) -> Self {
        let text: String = text.chars().filter(|c| !c.is_control()).collect();
        match Self::parse(&text) {
            Ok(reason) => reason,
            Err(ReasonError::TooLong(_)) => Self(text.trim().chars().take(Self::CHARS_MAX).collect()),
            Err(_) => Self("no reason given".to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Reason {
    type Error = ReasonError;
    fn try_from(raw: String) -> Result<Self, ReasonError> {
        Self::parse(&raw)
    }
}

impl From<Reason> for String {
    fn from(reason: Reason) -> String {
        reason.0
    }
}

/// A short label: 1 to 100 characters once trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Label(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("label is empty")]
    Empty,
    #[error("label is {0} characters long; the limit is 100")]
    TooLong(usize),
    #[error("label contains a control character")]
    ControlCharacter,
}

impl Label {
    pub const CHARS_MAX: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, LabelError> {
        let label = raw.trim();
        let chars = label.chars().count();
        if chars == 0 {
            return Err(LabelError::Empty);
        }
        if chars > Self::CHARS_MAX {
            return Err(LabelError::TooLong(chars));
        }
        if label.chars().any(char::is_control) {
            return Err(LabelError::ControlCharacter);
        }
        Ok(Self(label.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Label {
    type Error = LabelError;
    fn try_from(raw: String) -> Result<Self, LabelError> {
        Self::parse(&raw)
    }
}

impl From<Label> for String {
    fn from(label: Label) -> String {
        label.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_bounded_text() {
        assert_eq!(Reason::parse("  moving house ").unwrap().as_str(), "moving house");
        assert_eq!(Reason::parse(" "), Err(ReasonError::Empty));
        assert_eq!(Reason::parse(&"x".repeat(201)), Err(ReasonError::TooLong(201)));
        assert_eq!(Reason::parse("a\nb"), Err(ReasonError::ControlCharacter));
        assert_eq!(Reason::composed("x".repeat(600)).as_str().len(), 200);
        assert_eq!(Reason::composed("\n".into()).as_str(), "no reason given");
    }

    #[test]
    fn labels_are_short_text() {
        assert_eq!(Label::parse(" UPS ").unwrap().as_str(), "UPS");
        assert_eq!(Label::parse(""), Err(LabelError::Empty));
        assert_eq!(Label::parse(&"1".repeat(101)), Err(LabelError::TooLong(101)));
        assert_eq!(Label::parse("1Z\t9"), Err(LabelError::ControlCharacter));
    }
}
