//! `/metrics` in the Prometheus text format (0.0.4): commands handled through this API, and
//! for each context its log's length, its outbox and inbox lag, its dead letters, whether it
//! runs; and the payment gateway's circuit breaker.

use std::collections::HashMap;
use std::fmt::Write as _;

use actix_web::{get, HttpResponse};
use kernel::message::{Envelope, MessageKind};

use crate::adapters::payment_gateway::BreakerState;
use crate::http::problem::Problem;
use crate::http::reply::Reply;
use crate::http::state::State;
use crate::runtime::RuntimeHandle;

/// Undelivered outbox entries read per context at most: lag beyond this reads as this.
const LAG_READ_MAX: usize = 10_000;

/// Where one context stands.
#[derive(Debug, Clone)]
pub struct ContextGauges {
    pub name: &'static str,
    pub purpose: &'static str,
    pub running: bool,
    pub position: u64,
    pub outbox_lag: u64,
    pub inbox_lag: u64,
    pub dead_letters: u64,
}

/// Reads every context's gauges (store reads: call off the HTTP workers).
///
/// Inbox lag is counted from the producers' side: the messages a context subscribes to that
/// wait, undelivered, in another context's outbox. An outbox entry counts as delivered once
/// every consumer has processed it, so this is an upper bound of what this context has left.
pub fn context_gauges(runtime: &RuntimeHandle) -> Result<Vec<ContextGauges>, Problem> {
    let descriptors = runtime.descriptors();
    let mut undelivered: HashMap<&'static str, Vec<Envelope>> = HashMap::new();
    let mut gauges = Vec::new();
    for descriptor in &descriptors {
        let store = runtime.store(descriptor.name).map_err(|e| Problem::internal(e.to_string()))?;
        let delivered = store.outbox_delivered().map_err(|e| Problem::internal(e.to_string()))?;
        let waiting = store.read_outbox(delivered, LAG_READ_MAX).map_err(|e| Problem::internal(e.to_string()))?;
        let position = store.last_position().map_err(|e| Problem::internal(e.to_string()))?.get();
        let dead_letters = runtime.dead_letters(descriptor.name).map_err(|e| Problem::internal(e.to_string()))?.len();
        gauges.push(ContextGauges {
            name: descriptor.name,
            purpose: descriptor.purpose,
            running: runtime.context_running(descriptor.name).unwrap_or(false),
            position,
            outbox_lag: waiting.len() as u64,
            inbox_lag: 0,
            dead_letters: dead_letters as u64,
        });
        undelivered.insert(descriptor.name, waiting.into_iter().map(|entry| entry.envelope).collect());
    }
    for (gauge, descriptor) in gauges.iter_mut().zip(&descriptors) {
        let consumes = |envelope: &Envelope| {
            descriptor.consumes.iter().any(|s| s.message_type == envelope.message_type)
                && (envelope.kind != MessageKind::Command || envelope.recipient.as_deref() == Some(descriptor.name))
        };
        gauge.inbox_lag = undelivered
            .iter()
            .filter(|(producer, _)| **producer != descriptor.name)
            .flat_map(|(_, envelopes)| envelopes.iter())
            .filter(|envelope| consumes(envelope))
            .count() as u64;
    }
    Ok(gauges)
}

/// Prometheus metrics.
#[utoipa::path(
    responses((status = 200, description = "Metrics in the Prometheus text format 0.0.4", content_type = "text/plain; version=0.0.4", body = String))
)]
#[get("/metrics")]
pub async fn metrics(state: State) -> Reply {
    let gauges = state.blocking(|runtime| context_gauges(&runtime)).await?;
    let commands = state.commands.snapshot();
    let breaker = state.gateway.as_ref().map(|g| g.breaker_state());
    let text = render(&gauges, &commands, breaker);
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(text))
}

fn render(
    gauges: &[ContextGauges],
    commands: &[(&'static str, crate::http::state::Outcome, u64)],
    breaker: Option<BreakerState>,
) -> String {
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, u64)>| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    };
    family(
        "bookbox_commands_total",
        "counter",
        "Commands handled through the HTTP API, by context and outcome (accepted, rejected, failed).",
        commands.iter().map(|(c, o, n)| (format!("context=\"{c}\",outcome=\"{}\"", o.label()), *n)).collect(),
    );
    let per_context = |value: fn(&ContextGauges) -> u64| -> Vec<(String, u64)> {
        gauges.iter().map(|g| (format!("context=\"{}\"", g.name), value(g))).collect()
    };
    family(
        "bookbox_events_total",
        "counter",
        "Events in the context's log (the position of its last event).",
        per_context(|g| g.position),
    );
    family(
        "bookbox_outbox_lag_messages",
        "gauge",
        "Messages in the context's outbox not yet delivered to every consumer (published - delivered).",
        per_context(|g| g.outbox_lag),
    );
    family(
        "bookbox_inbox_lag_messages",
        "gauge",
        "Messages the context consumes still undelivered in other contexts' outboxes (an upper bound).",
        per_context(|g| g.inbox_lag),
    );
    family(
        "bookbox_dead_letters",
        "gauge",
        "Messages the context gave up on, kept for inspection and replay.",
        per_context(|g| g.dead_letters),
    );
    family(
        "bookbox_context_up",
        "gauge",
        "1 when the context's actor is running.",
        per_context(|g| u64::from(g.running)),
    );
    if let Some(state) = breaker {
        let (current, failures) = match state {
            BreakerState::Closed { consecutive_failures } => ("closed", consecutive_failures),
            BreakerState::Open { .. } => ("open", 0),
            BreakerState::HalfOpen { .. } => ("half-open", 0),
        };
        family(
            "bookbox_circuit_breaker_state",
            "gauge",
            "The circuit breaker in front of a dependency: 1 for its current state (closed, open, half-open).",
            ["closed", "open", "half-open"]
                .iter()
                .map(|s| {
                    (
                        format!("context=\"billing\",dependency=\"payment-gateway\",state=\"{s}\""),
                        u64::from(*s == current),
                    )
                })
                .collect(),
        );
        family(
            "bookbox_circuit_breaker_consecutive_failures",
            "gauge",
            "Transient failures in a row seen by a closed circuit breaker.",
            vec![("context=\"billing\",dependency=\"payment-gateway\"".to_owned(), u64::from(failures))],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::state::Outcome;

    #[test]
    fn the_text_format_has_help_type_and_labelled_samples() {
        let gauges = vec![ContextGauges {
            name: "customers",
            purpose: "",
            running: true,
            position: 7,
            outbox_lag: 1,
            inbox_lag: 0,
            dead_letters: 2,
        }];
        let text = render(
            &gauges,
            &[("customers", Outcome::Accepted, 3)],
            Some(BreakerState::Closed { consecutive_failures: 1 }),
        );
        for line in [
            "# TYPE bookbox_commands_total counter",
            "bookbox_commands_total{context=\"customers\",outcome=\"accepted\"} 3",
            "bookbox_events_total{context=\"customers\"} 7",
            "bookbox_outbox_lag_messages{context=\"customers\"} 1",
            "bookbox_dead_letters{context=\"customers\"} 2",
            "bookbox_circuit_breaker_state{context=\"billing\",dependency=\"payment-gateway\",state=\"closed\"} 1",
            "bookbox_circuit_breaker_state{context=\"billing\",dependency=\"payment-gateway\",state=\"open\"} 0",
        ] {
            assert!(text.lines().any(|l| l == line), "missing `{line}` in\n{text}");
        }
    }
}
