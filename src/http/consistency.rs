//! How fresh a report must be, asked on every `/reports/...` query:
//!
//! - live (the default): what reporting's read models say now;
//! - `after=<context>:<position>` (the `Bookbox-Position` header of a command's answer, as
//!   is) and `wait_ms`: read-your-writes. Before answering, wait until reporting has
//!   processed every message that context published up to that position (so the report
//!   reflects the command), at most `wait_ms` milliseconds ([`WAIT_MS_DEFAULT`], at most
//!   [`WAIT_MS_MAX`]); past that, `503 not-caught-up` with `Retry-After`. A position not
//!   written yet is waited for like any other, and times out the same way;
//! - `as_of=<RFC 3339 time>`: time travel. The read models are rebuilt in memory from the
//!   other contexts' published logs up to that time ([`crate::rebuild::rebuild_reporting`],
//!   as `bookbox replay reporting --as-of` does) and the same question is answered from them.
//!
//! `after` and `as_of` exclude each other: a rebuild from the logs up to a time does not
//! depend on what reporting has processed, so waiting for it would mean nothing.
//!
//! The waiting and the rebuild run on the blocking pool ([`AppState::blocking`]), never on an
//! HTTP worker; at most [`crate::http::state::REBUILDS_AT_ONCE`] rebuilds run at once.

use std::fmt;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use kernel::context::Answers;
use kernel::{Position, Timestamp};
use reporting::ports::ReadModelQuery;
use reporting::ReportingContext;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::{IntoParams, IntoResponses};

use crate::http::input::truncate;
use crate::http::problem::{query_problem, Kind, Problem};
use crate::http::startup::query_error;
use crate::http::state::AppState;
use crate::rebuild::{rebuild_reporting, Rebuild};
use crate::runtime::WaitError;

/// How long `after` waits when `wait_ms` is not given.
pub const WAIT_MS_DEFAULT: u64 = 5_000;
/// The longest `wait_ms` accepted.
pub const WAIT_MS_MAX: u64 = 30_000;
/// What `Retry-After` says when a read model has not caught up.
pub const RETRY_AFTER_SECONDS: u32 = 1;

/// The query parameters every report takes, besides its own.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Freshness {
    /// Read-your-writes: `<context>:<position>`, the `Bookbox-Position` header of a command's
    /// answer as is (e.g. `orders:42`). The report waits until reporting has processed every
    /// message that context published up to that position. Only for the contexts reporting
    /// listens to (orders, billing, inventory); excludes `as_of`.
    #[param(example = "orders:42")]
    pub after: Option<String>,
    /// With `after`: how long to wait, in milliseconds, before answering 503 `not-caught-up`
    /// (0 to 30000; 5000 when absent).
    #[param(minimum = 0, maximum = 30000, example = 5000)]
    pub wait_ms: Option<u64>,
    /// Time travel: answer from the read models as they were at this time (RFC 3339, e.g.
    /// `2026-03-01T00:00:00Z`; encode a `+` offset as `%2B`), rebuilt from the published logs.
    /// Excludes `after`.
    #[param(example = "2026-03-01T00:00:00Z")]
    pub as_of: Option<String>,
}

/// A position in a context's log, as a command's `Bookbox-Position` header gives it:
/// `<context>:<position>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub context: String,
    pub position: Position,
}

impl After {
    /// The longest context name accepted.
    const CONTEXT_MAX: usize = 64;

    /// Parses `<context>:<position>`: a context name (lowercase letters, digits and `-`,
    /// starting with a letter) and a whole number, nothing else (no sign, no spaces).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let shape = || {
            format!(
                "after: `{}` is not `<context>:<position>` (a command's `Bookbox-Position` header, e.g. `orders:42`)",
                truncate(raw)
            )
        };
        let (context, position) = raw.split_once(':').ok_or_else(shape)?;
        let named = context.len() <= Self::CONTEXT_MAX
            && context.starts_with(|c: char| c.is_ascii_lowercase())
            && context.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !named {
            return Err(format!(
                "after: `{}` is not a context name (lowercase letters, digits and `-`), in `{}`",
                truncate(context),
                truncate(raw)
            ));
        }
        if position.is_empty() || !position.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "after: position `{}` is not a whole number, in `{}`",
                truncate(position),
                truncate(raw)
            ));
        }
        let position = position.parse::<u64>().map_err(|_| {
            format!(
                "after: position `{}` is too large (at most {}), in `{}`",
                truncate(position),
                u64::MAX,
                truncate(raw)
            )
        })?;
        Ok(Self { context: context.to_owned(), position: Position::new(position) })
    }
}

impl fmt::Display for After {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.context, self.position)
    }
}

/// What a report is answered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadAt {
    /// The live read models, as they are.
    Live,
    /// The live read models, once they reflect `after` (waiting at most `wait`).
    After { after: After, wait: Duration },
    /// The read models rebuilt as of a time.
    AsOf(Timestamp),
}

impl Freshness {
    /// Checks the parameters together.
    pub fn read_at(self) -> Result<ReadAt, Problem> {
        let refuse = |field: &str, detail: String| Problem::new(Kind::InvalidQuery, detail).with_field(Some(field));
        match self {
            Self { after: Some(_), as_of: Some(_), .. } => Err(refuse(
                "as_of",
                "after and as_of: give one or the other (a report as of a time is rebuilt from the logs, \
                 whatever reporting has processed, so waiting for a write means nothing there)"
                    .to_owned(),
            )),
            Self { after: None, wait_ms: Some(_), .. } => {
                Err(refuse("wait_ms", "wait_ms: only with `after` (how long to wait for it)".to_owned()))
            }
            Self { after: Some(after), wait_ms, as_of: None } => {
                let wait_ms = wait_ms.unwrap_or(WAIT_MS_DEFAULT);
                if wait_ms > WAIT_MS_MAX {
                    return Err(refuse("wait_ms", format!("wait_ms: {wait_ms}; from 0 to {WAIT_MS_MAX}")));
                }
                let after = After::parse(&after).map_err(|detail| refuse("after", detail))?;
                Ok(ReadAt::After { after, wait: Duration::from_millis(wait_ms) })
            }
            Self { after: None, wait_ms: None, as_of: Some(as_of) } => {
                Timestamp::parse(&as_of).map(ReadAt::AsOf).map_err(|_| {
                    refuse(
                        "as_of",
                        format!(
                        "as_of: `{}` is not an RFC 3339 time (e.g. 2026-03-01T00:00:00Z; encode a `+` offset as `%2B`)",
                        truncate(&as_of)
                    ),
                    )
                })
            }
            Self { after: None, wait_ms: None, as_of: None } => Ok(ReadAt::Live),
        }
    }
}

/// A report's query string: the report's own parameters `F` (strict: an unknown one is
/// refused) and the [`Freshness`] parameters every report takes, checked together.
#[derive(Debug)]
pub struct ReportQuery<F> {
    pub filter: F,
    pub at: ReadAt,
}

const FRESHNESS_KEYS: [&str; 3] = ["after", "wait_ms", "as_of"];

/// Splits a query string into its freshness parameters and the others, each still encoded.
fn split(query: &str) -> (String, String) {
    let (mut freshness, mut others) = (Vec::new(), Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let raw_key = pair.split('=').next().unwrap_or_default();
        let key = web::Query::<Vec<(String, String)>>::from_query(raw_key)
            .ok()
            .and_then(|q| q.into_inner().into_iter().next())
            .map(|(key, _)| key);
        if key.is_some_and(|k| FRESHNESS_KEYS.contains(&k.as_str())) {
            freshness.push(pair);
        } else {
            others.push(pair);
        }
    }
    (freshness.join("&"), others.join("&"))
}

impl<F: DeserializeOwned> ReportQuery<F> {
    fn extract(request: &HttpRequest) -> Result<Self, actix_web::Error> {
        let (freshness, others) = split(request.query_string());
        let filter = web::Query::<F>::from_query(&others).map_err(|e| query_error(e, request))?.into_inner();
        let freshness = web::Query::<Freshness>::from_query(&freshness).map_err(|e| query_error(e, request))?;
        let at = freshness.into_inner().read_at().map_err(|p| p.with_instance(request.path()))?;
        Ok(Self { filter, at })
    }
}

impl<F: DeserializeOwned> FromRequest for ReportQuery<F> {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::extract(request))
    }
}

/// The refusals every report may answer, besides those of every route (documentation only).
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum ReportRefusals {
    /// The gate refused the input (named in `detail` and `field`): a report's own parameter;
    /// `after` malformed, naming a context that does not exist or that reporting does not
    /// listen to (it never reflects that context's writes); `wait_ms` over 30000 or without
    /// `after`; `as_of` not RFC 3339; `after` and `as_of` together.
    #[response(status = 400)]
    BadInput,
    /// `context-unavailable`: reporting is stopped. Or `not-caught-up` (with `Retry-After`):
    /// reporting did not reach the `after` position within `wait_ms` (the producer has not
    /// written it yet, or reporting has not processed what it published up to there); `detail`
    /// says which context and position, how far it got, and how long it waited. 503 rather than
    /// 504, since nothing is wrong with an upstream: the read side is behind, and the same
    /// request is likely to succeed once it catches up.
    #[response(status = 503, headers(("Retry-After" = u32, description = "Seconds to wait before asking again (on `not-caught-up`)")))]
    NotYet,
}

fn reporting() -> &'static str {
    reporting::CONTEXT.name
}

/// Asks reporting `query`, from the read models `at` says.
pub async fn answer<Q>(state: &AppState, at: ReadAt, query: Q) -> Result<Q::Answer, Problem>
where
    Q: ReadModelQuery,
    ReportingContext: Answers<Q>,
{
    match at {
        ReadAt::Live => {}
        ReadAt::After { after, wait } => wait_for(state, after, wait).await?,
        ReadAt::AsOf(time) => return as_of(state, time, query).await,
    }
    state.query(query).await
}

/// Waits until reporting has processed everything `after.context` published up to
/// `after.position`, at most `wait`.
async fn wait_for(state: &AppState, after: After, wait: Duration) -> Result<(), Problem> {
    let outcome = state
        .blocking(move |runtime| Ok(runtime.wait_for_consumer(reporting(), &after.context, after.position, wait)))
        .await?;
    let Err(error) = outcome else { return Ok(()) };
    let waited_ms = wait.as_millis();
    let refuse = |detail: String| Problem::new(Kind::InvalidQuery, detail).with_field(Some("after"));
    let listens_to = || reporting::CONTEXT.upstreams.iter().map(|u| u.context).collect::<Vec<_>>().join(", ");
    let behind = |detail: String| {
        let problem = if state.runtime.context_running(reporting()) == Some(false) {
            Problem::new(Kind::ContextUnavailable, format!("context `{}` is stopped; try again later", reporting()))
        } else {
            Problem::new(Kind::NotCaughtUp, detail).with_retry_after(RETRY_AFTER_SECONDS)
        };
        problem.with_context(reporting())
    };
    Err(match error {
        WaitError::UnknownContext(name) => {
            refuse(format!("after: there is no context `{}` (reporting listens to {})", truncate(&name), listens_to()))
        }
        WaitError::NotAConsumer { producer, .. } => refuse(format!(
            "after: reporting does not listen to `{producer}` (only to {}), so no write of `{producer}` ever shows in \
             a report: there is nothing to wait for",
            listens_to()
        )),
        WaitError::NotCommitted { producer, position, reached, .. } => behind(format!(
            "after {producer}:{position}: waited {waited_ms} ms, and `{producer}` has not written position \
             {position} (its log is at {reached})"
        )),
        WaitError::NotProcessed { producer, position, processed_up_to, target, .. } => behind(format!(
            "after {producer}:{position}: waited {waited_ms} ms, and reporting has not processed every message \
             `{producer}` published up to there (done up to outbox entry {processed_up_to} of {target})"
        )),
        WaitError::Store(e) => Problem::internal(e.to_string()),
    })
}

/// Answers `query` from the read models rebuilt as of `time`.
async fn as_of<Q: ReadModelQuery>(state: &AppState, time: Timestamp, query: Q) -> Result<Q::Answer, Problem> {
    let _turn = state.rebuilds.acquire().await.map_err(|e| Problem::internal(e.to_string()))?;
    let rebuilt = state
        .blocking(move |runtime| {
            let stores = runtime
                .descriptors()
                .into_iter()
                .map(|d| runtime.store(d.name).map(|store| (d.name, store)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Problem::internal(e.to_string()))?;
            let logs = stores.iter().map(|(name, store)| (*name, store.as_ref()));
            rebuild_reporting(logs, Rebuild::as_of(Some(time)), |_| {}).map_err(|e| Problem::internal(e.to_string()))
        })
        .await?;
    rebuilt.models.answer(query).map_err(|e| query_problem(reporting(), e, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(context: &str, position: u64) -> After {
        After { context: context.to_owned(), position: Position::new(position) }
    }

    #[test]
    fn after_reads_the_position_header_as_is() {
        assert_eq!(After::parse("orders:42"), Ok(after("orders", 42)));
        assert_eq!(After::parse("billing:0"), Ok(after("billing", 0)));
        assert_eq!(After::parse("a-b2:18446744073709551615"), Ok(after("a-b2", u64::MAX)));
        // What a command's answer carries round-trips.
        let header = format!("{}:{}", "inventory", 7);
        assert_eq!(After::parse(&header).unwrap().to_string(), header);
    }

    #[test]
    fn after_refuses_anything_else_and_says_why() {
        for (raw, why) in [
            ("", "is not `<context>:<position>`"),
            ("orders", "is not `<context>:<position>`"),
            ("orders-42", "is not `<context>:<position>`"),
            (":42", "is not a context name"),
            ("Orders:42", "is not a context name"),
            ("9orders:42", "is not a context name"),
            ("or ders:42", "is not a context name"),
            ("orders:", "is not a whole number"),
            ("orders:-1", "is not a whole number"),
            ("orders:+1", "is not a whole number"),
            ("orders: 1", "is not a whole number"),
            ("orders:1.5", "is not a whole number"),
            ("orders:1:2", "is not a whole number"),
            ("orders:0x10", "is not a whole number"),
            ("orders:18446744073709551616", "is too large"),
        ] {
            let refused = After::parse(raw).expect_err(raw);
            assert!(refused.starts_with("after: "), "{raw}: {refused}");
            assert!(refused.contains(why), "{raw}: {refused}");
        }
        let long = format!("{}:1", "a".repeat(65));
        assert!(After::parse(&long).is_err());
    }

    fn freshness(after: Option<&str>, wait_ms: Option<u64>, as_of: Option<&str>) -> Freshness {
        Freshness { after: after.map(str::to_owned), wait_ms, as_of: as_of.map(str::to_owned) }
    }

    #[test]
    fn the_parameters_are_checked_together() {
        assert_eq!(freshness(None, None, None).read_at(), Ok(ReadAt::Live));
        assert_eq!(
            freshness(Some("orders:3"), None, None).read_at(),
            Ok(ReadAt::After { after: after("orders", 3), wait: Duration::from_millis(WAIT_MS_DEFAULT) })
        );
        assert_eq!(
            freshness(Some("orders:3"), Some(0), None).read_at(),
            Ok(ReadAt::After { after: after("orders", 3), wait: Duration::ZERO })
        );
        assert_eq!(
            freshness(None, None, Some("2026-03-01T00:00:00Z")).read_at(),
            Ok(ReadAt::AsOf(Timestamp::parse("2026-03-01T00:00:00Z").unwrap()))
        );
        for refused in [
            freshness(Some("orders:3"), Some(WAIT_MS_MAX + 1), None),
            freshness(None, Some(10), None),
            freshness(Some("orders:3"), None, Some("2026-03-01T00:00:00Z")),
            freshness(None, None, Some("yesterday")),
            freshness(Some("orders"), None, None),
        ] {
            let problem = refused.clone().read_at().expect_err(&format!("{refused:?}"));
            assert_eq!(problem.kind(), Kind::InvalidQuery, "{refused:?}");
        }
    }

    #[test]
    fn freshness_parameters_are_told_from_the_reports_own() {
        assert_eq!(split(""), (String::new(), String::new()));
        assert_eq!(
            split("state=TX&after=orders%3A4&wait_ms=10&as_of=x&%61fter=y&limit=3"),
            ("after=orders%3A4&wait_ms=10&as_of=x&%61fter=y".to_owned(), "state=TX&limit=3".to_owned())
        );
    }
}
