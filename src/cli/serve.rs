//! `bookbox serve`: the HTTP API (see `crate::http`) over the runtime, on one actix System.
//! The first line on stdout is `listening on http://<addr>` (with the port chosen when asked
//! for port 0), so scripts and tests can read where to connect. Ctrl-C or SIGTERM stops the
//! server, then the runtime.
//!
//! The outside world is simulated (a payment gateway that approves every card, behind the
//! resilient adapter, and a carrier that delivers every parcel). Time is the system clock,
//! and deadlines fire as it passes; `--clock manual` runs on a clock that moves only by
//! `POST /clock`, for tests and demos that need days to pass in a second.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use kernel::time::{Clock, ManualClock, Timestamp};

use crate::adapters::carrier::SimulatedCarrier;
use crate::adapters::payment_gateway::{self, ResilienceConfig, ResilientGateway, SimulatedGateway};
use crate::adapters::{RandomIds, SystemClock};
use crate::contexts::{host_all, OutsideWorld};
use crate::http::{AppState, Application, ClockControl};
use crate::runtime::storage::SledStorage;
use crate::runtime::{Runtime, RuntimeConfig};
use crate::store::StoreConfig;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen; port 0 picks a free port (printed on the first line of stdout).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// `system`: real time. `manual`: time moves only by `POST /clock` (tests and demos).
    #[arg(long, value_enum, default_value_t = ClockMode::System)]
    pub clock: ClockMode,
    /// With `--clock manual`: the time the clock starts at (RFC 3339; default: now).
    #[arg(long, value_parser = parse_time, requires = "clock")]
    pub clock_start: Option<Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockMode {
    System,
    Manual,
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

pub fn run(data_dir: &Path, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.clock_start.is_some() && args.clock != ClockMode::Manual {
        anyhow::bail!("--clock-start needs --clock manual");
    }
    let system = actix_web::rt::System::new();
    system.block_on(serve(data_dir, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(data_dir: &Path, args: ServeArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let control = match args.clock {
        ClockMode::System => ClockControl::System(Arc::new(SystemClock)),
        ClockMode::Manual => {
            let start = args.clock_start.unwrap_or_else(|| SystemClock.now());
            ClockControl::Manual(Arc::new(ManualClock::new(start)))
        }
    };
    let clock: Arc<dyn Clock> = control.as_clock();
    let gateway = SimulatedGateway::new(payment_gateway::SimulationConfig::default(), clock.clone())?;
    let gateway = Arc::new(ResilientGateway::new(Arc::new(gateway), ResilienceConfig::default(), clock.clone()));
    let world = OutsideWorld { payment_gateway: gateway.clone(), carrier: Arc::new(SimulatedCarrier::perfect(0)) };
    let storage = Arc::new(SledStorage::new(data_dir, clock.clone(), StoreConfig::default()));
    let runtime = host_all(Runtime::new(storage, clock, Arc::new(RandomIds), RuntimeConfig::default()), &world)
        .start()
        .with_context(|| format!("starting the contexts on {}", data_dir.display()))?;
    let state = AppState::new(runtime.clone(), control, Some(gateway));
    let application = match Application::build(state, args.addr) {
        Ok(application) => application,
        Err(e) => {
            runtime.shutdown();
            return Err(e).with_context(|| format!("could not listen on {}", args.addr));
        }
    };
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on http://{}", application.local_addr())?;
    stdout.flush()?;
    tracing::info!(addr = %application.local_addr(), data_dir = %data_dir.display(), "serving");
    let served = application.run_until_stopped().await;
    runtime.shutdown();
    served.context("the HTTP server failed")
}
