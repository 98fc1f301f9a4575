//! `/dead-letters/{context}`: the messages a context's consumers gave up on after every
//! retry, and replaying one (the letter leaves the store and is delivered again; if it fails
//! again, it comes back).

use actix_web::web::{Json, Path};
use actix_web::{get, post, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::input::{truncate, Slug};
use crate::http::problem::Problem;
use crate::http::reply::{Answer, Reply};
use crate::http::state::State;
use crate::runtime::storage::DeadLetter as StoredLetter;
use crate::runtime::RuntimeError;

/// A message a consumer could not process.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeadLetter {
    /// The consuming context.
    pub consumer: String,
    /// The handler that failed (replay names it).
    pub handler_id: String,
    pub message_id: Uuid,
    /// The CloudEvents type, e.g. `bookbox.customers.customer-profile.v1`.
    pub message_type: String,
    /// The producing context, as a CloudEvents source.
    pub source: String,
    pub subject: Option<String>,
    /// Why the last attempt failed.
    pub error: String,
    pub attempts: u32,
    pub failed_at: String,
    /// The whole message: a CloudEvent.
    #[schema(value_type = Object)]
    pub envelope: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Replayed {
    pub replayed: bool,
}

/// The path of a dead letter.
#[derive(Debug, Clone, Deserialize)]
pub struct LetterPath {
    pub context: Slug,
    pub message_id: Uuid,
    pub handler_id: HandlerId,
}

/// A handler's stable id, e.g. `curation.on-customer-profile`.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct HandlerId(String);

impl TryFrom<String> for HandlerId {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        let shaped = (1..=100).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'));
        if !shaped {
            return Err(format!(
                "handler id `{}` is not one (lowercase letters, digits, `.`, `-`, `_`)",
                truncate(&raw)
            ));
        }
        Ok(Self(raw))
    }
}

fn unknown_context(e: RuntimeError) -> Problem {
    match e {
        RuntimeError::UnknownContext(_) => Problem::not_found(e.to_string()),
        other => Problem::internal(other.to_string()),
    }
}

impl From<StoredLetter> for DeadLetter {
    fn from(l: StoredLetter) -> Self {
        Self {
            consumer: l.consumer,
            handler_id: l.handler_id,
            message_id: l.envelope.id.as_uuid(),
            message_type: l.envelope.message_type.clone(),
            source: l.envelope.source.clone(),
            subject: l.envelope.subject.clone(),
            error: l.error,
            attempts: l.attempts,
            failed_at: l.failed_at.to_string(),
            envelope: serde_json::to_value(&l.envelope).unwrap_or_default(),
        }
    }
}

/// A context's dead letters.
#[utoipa::path(
    params(("context" = Slug, Path, description = "The consuming context")),
    responses(
        (status = 200, description = "Its dead letters", body = Vec<DeadLetter>),
        (status = 404, description = "No such context"),
    )
)]
#[get("/dead-letters/{context}")]
pub async fn list(state: State, path: Path<Slug>) -> Answer<Vec<DeadLetter>> {
    let context = path.into_inner();
    let letters =
        state.blocking(move |runtime| runtime.dead_letters(context.as_str()).map_err(unknown_context)).await?;
    Ok(Json(letters.into_iter().map(DeadLetter::from).collect()))
}

/// Deliver a dead letter again.
#[utoipa::path(
    params(
        ("context" = Slug, Path, description = "The consuming context"),
        ("message_id" = Uuid, Path, description = "The message's id"),
        ("handler_id" = String, Path, description = "The handler that gave up on it"),
    ),
    responses(
        (status = 202, description = "Taken out of the store and handed to the consumer again", body = Replayed),
        (status = 404, description = "No such context, or no such dead letter"),
    )
)]
#[post("/dead-letters/{context}/{message_id}/{handler_id}/replay")]
pub async fn replay(state: State, path: Path<LetterPath>) -> Reply {
    let LetterPath { context, message_id, handler_id } = path.into_inner();
    let detail =
        format!("no dead letter of message {message_id} for handler `{}` in `{}`", handler_id.0, context.as_str());
    let replayed = state
        .blocking(move |runtime| {
            let message_id = kernel::message::MessageId::from_uuid(message_id);
            runtime.replay_dead_letter(context.as_str(), message_id, &handler_id.0).map_err(unknown_context)
        })
        .await?;
    if !replayed {
        return Err(Problem::not_found(detail));
    }
    Ok(HttpResponse::Accepted().json(Replayed { replayed }))
}
