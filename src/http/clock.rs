//! `/clock`: the time the server runs on. With `bookbox serve --clock manual` (for tests and
//! demos) an operator moves it with `POST /clock`, and the deadlines it passes fire (card
//! retries, delivery attempts, timeouts), so days of business happen in a second. On the
//! system clock (the default) time is real and `POST /clock` answers 409.

use std::time::Duration;

use actix_web::web::Json;
use actix_web::{get, post};
use kernel::Clock as _;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::input::bodies;
use crate::http::problem::{Kind, Problem};
use crate::http::reply::Answer;
use crate::http::state::{ClockControl, State};

/// The longest step the clock takes at once: deadlines due in a step fire at its end, so a
/// step much longer than the gaps between deadlines (a day between delivery attempts) would
/// bunch them.
const STEP_MINUTES: u64 = 60;
/// How far one request may move the clock.
const ADVANCE_MINUTES_MAX: u64 = 366 * 24 * 60;
/// How long to wait for the effects of one step's deadlines to be delivered.
const SETTLE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClockReading {
    pub now: String,
    /// `system`, or `manual` (moved by `POST /clock`).
    pub mode: String,
}

bodies! {
    /// How far to move the manual clock: the sum of the parts (at least a minute, at most 366 days).
    #[derive(Default)]
    pub struct Advance {
        #[serde(default)]
        pub days: u32,
        #[serde(default)]
        pub hours: u32,
        #[serde(default)]
        pub minutes: u32,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Advanced {
    pub now: String,
    pub mode: String,
    /// Deadlines that fired on the way.
    pub deadlines_fired: u64,
}

fn reading(clock: &ClockControl) -> ClockReading {
    let mode = match clock {
        ClockControl::System(_) => "system",
        ClockControl::Manual(_) => "manual",
    };
    ClockReading { now: clock.now().to_string(), mode: mode.to_owned() }
}

/// The server's time.
#[utoipa::path(responses((status = 200, description = "Now", body = ClockReading)))]
#[get("/clock")]
pub async fn now(state: State) -> Json<ClockReading> {
    Json(reading(&state.clock))
}

/// Move the manual clock forward, firing the deadlines it passes (tests and demos only).
#[utoipa::path(
    request_body = Advance,
    responses(
        (status = 200, description = "Moved; every deadline passed has fired and its effects are delivered", body = Advanced),
        (status = 409, description = "The server runs on the system clock (start it with `--clock manual`)"),
    )
)]
#[post("/clock")]
pub async fn advance(state: State, body: Json<Advance>) -> Answer<Advanced> {
    let ClockControl::Manual(clock) = state.clock.clone() else {
        return Err(Problem::new(
            Kind::Conflict,
            "the server runs on the system clock; start it with `bookbox serve --clock manual` to move time",
        ));
    };
    let by = body.into_inner();
    let minutes = u64::from(by.days) * 24 * 60 + u64::from(by.hours) * 60 + u64::from(by.minutes);
    if !(1..=ADVANCE_MINUTES_MAX).contains(&minutes) {
        return Err(Problem::invalid_input(format!(
            "advance: {minutes} minutes; the clock moves by at least a minute and at most 366 days"
        )));
    }
    let _one_at_a_time = state.clock_lock.lock().await;
    let fired = state
        .blocking(move |runtime| {
            let target = clock.now().plus_micros(minutes as i64 * 60_000_000);
            let mut fired = 0u64;
            loop {
                let step_end = clock.now().plus_micros(STEP_MINUTES as i64 * 60_000_000).min(target);
                clock.set(step_end);
                // Firing can cause messages whose handling schedules deadlines already due:
                // fire until the step is quiet (bounded, in case a handler keeps rescheduling).
                for _ in 0..16 {
                    let n = runtime.fire_deadlines();
                    runtime.settle(SETTLE).map_err(|e| Problem::internal(e.to_string()))?;
                    fired += n as u64;
                    if n == 0 {
                        break;
                    }
                }
                if step_end >= target {
                    return Ok(fired);
                }
            }
        })
        .await?;
    let reading = reading(&state.clock);
    Ok(Json(Advanced { now: reading.now, mode: reading.mode, deadlines_fired: fired }))
}
