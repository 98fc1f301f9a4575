//! Why the runtime did not do what it was asked: a command not carried out, or a runtime
//! operation that failed.

use std::time::Duration;

use kernel::store::StoreError;

/// Why a command was not carried out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError<E> {
    #[error(transparent)]
    Rejected(E),
    #[error("context `{context}` failed: {message}")]
    Infrastructure { context: &'static str, message: String },
    #[error("context `{context}` panicked while handling the command: {message}")]
    Panicked { context: &'static str, message: String },
    #[error("context `{0}` is stopped")]
    Unavailable(&'static str),
    #[error("this runtime does not host the context")]
    NotHosted,
}

/// Runtime operations that are not commands.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuntimeError {
    #[error("no context named `{0}` is hosted")]
    UnknownContext(String),
    #[error("context `{0}` is hosted twice")]
    HostedTwice(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the runtime did not settle within {0:?}: {1}")]
    NotSettled(Duration, String),
    #[error("the actix system could not start: {0}")]
    System(String),
}
