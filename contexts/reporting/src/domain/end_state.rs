//! How a box order ended, in orders' own words (reporting conforms to them): delivered,
//! cancelled, failed or refunded. Each order ends in exactly one of them, once.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::domain::excerpt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndState {
    /// The books arrived.
    Delivered,
    /// Cancelled by the customer before the shipment was requested.
    Cancelled,
    /// It could not be fulfilled (no stock, the payment failed, a context stopped answering).
    Failed,
    /// The parcel left but did not arrive, and the money went back.
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an end state (delivered, cancelled, failed or refunded)")]
pub struct EndStateError {
    pub input: String,
}

impl EndState {
    pub const ALL: [EndState; 4] = [Self::Delivered, Self::Cancelled, Self::Failed, Self::Refunded];

    pub fn parse(input: &str) -> Result<Self, EndStateError> {
        Self::ALL.into_iter().find(|s| s.as_str() == input).ok_or_else(|| EndStateError { input: excerpt(input) })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
            Self::Refunded => "refunded",
        }
    }
}

impl fmt::Display for EndState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn end_states_are_orders_words() {
        for state in EndState::ALL {
            assert_eq!(EndState::parse(state.as_str()), Ok(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert_eq!(EndState::parse("shipped"), Err(EndStateError { input: "shipped".into() }));
    }

    proptest! {
        #[test]
        fn any_string_parses_or_is_rejected_without_panicking(input in any::<String>()) {
            if let Ok(state) = EndState::parse(&input) {
                prop_assert_eq!(state.as_str(), input.as_str());
            }
        }
    }
}
