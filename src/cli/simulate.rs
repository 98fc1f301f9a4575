//! `bookbox simulate`: the main job. Runs the business on an embedded data directory (sled,
//! no server) for N subscribers and M months, deterministically from a seed, with a progress
//! bar; prints a report; exits non-zero if a cross-context invariant fails.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use kernel::ids::SequentialIds;
use kernel::time::ManualClock;

use crate::contexts::host_all;
use crate::runtime::storage::SledStorage;
use crate::runtime::{Runtime, RuntimeConfig};
use crate::simulation::{self, SimulationConfig, Step};
use crate::store::StoreConfig;

/// Marks a data directory as a simulation's, so that a new run may clear it.
const MARKER: &str = "SIMULATION";

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Subscribers to enrol.
    #[arg(long, default_value_t = SimulationConfig::default().subscribers)]
    pub subscribers: u32,
    /// Months to run.
    #[arg(long, default_value_t = SimulationConfig::default().months)]
    pub months: u32,
    /// The seed: the same seed gives the same business.
    #[arg(long, default_value_t = SimulationConfig::default().seed)]
    pub seed: u64,
    /// Books in the catalog, and in each month's selection.
    #[arg(long, default_value_t = SimulationConfig::default().catalog)]
    pub catalog: u32,
    #[arg(long, default_value_t = SimulationConfig::default().selection)]
    pub selection: u32,
    /// Share of card tries declined (0 to 1).
    #[arg(long, default_value_t = SimulationConfig::default().decline_rate)]
    pub decline_rate: f64,
    /// Share of payment-gateway calls failing transiently (0 to 1).
    #[arg(long, default_value_t = SimulationConfig::default().gateway_error_rate)]
    pub gateway_error_rate: f64,
    /// Share of carrier calls failing transiently (0 to 1).
    #[arg(long, default_value_t = SimulationConfig::default().carrier_error_rate)]
    pub carrier_error_rate: f64,
    /// Share of delivery attempts finding no one home (0 to 1).
    #[arg(long, default_value_t = SimulationConfig::default().no_one_home_rate)]
    pub no_one_home_rate: f64,
    /// Share of parcels damaged in transit (0 to 1).
    #[arg(long, default_value_t = SimulationConfig::default().damage_rate)]
    pub damage_rate: f64,
    /// Monthly share of subscriptions that pause, resume, cancel or restart (0 to 1).
    #[arg(long, default_value_t = SimulationConfig::default().churn)]
    pub churn: f64,
    /// Share of new subscriptions that are gifts (0 to 1).
    #[arg(long, default_value_t = SimulationConfig::default().gift_share)]
    pub gift_share: f64,
    /// No progress bar (for logs and CI).
    #[arg(long)]
    pub quiet: bool,
    /// Injects a fault after the run, to show the invariant checks catch it (exit code 1).
    #[arg(long, value_enum, hide = true)]
    pub inject_fault: Option<simulation::Fault>,
}

impl SimulateArgs {
    fn config(&self) -> SimulationConfig {
        SimulationConfig {
            subscribers: self.subscribers,
            months: self.months,
            seed: self.seed,
            catalog: self.catalog,
            selection: self.selection,
            gift_share: self.gift_share,
            churn: self.churn,
            decline_rate: self.decline_rate,
            gateway_error_rate: self.gateway_error_rate,
            carrier_error_rate: self.carrier_error_rate,
            no_one_home_rate: self.no_one_home_rate,
            damage_rate: self.damage_rate,
            ..SimulationConfig::default()
        }
    }
}

/// Empties `dir` for a new simulation, refusing to touch a directory that is not one.
fn prepare(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let is_simulation = dir.join(MARKER).is_file();
        let is_empty = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?.next().is_none();
        if !is_simulation && !is_empty {
            bail!(
                "{} holds data that a simulation did not write; choose another --data-dir (a simulation clears its directory)",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(MARKER), "written by `bookbox simulate`; the next simulation clears this directory\n")
        .with_context(|| format!("writing to {}", dir.display()))?;
    Ok(())
}

pub fn run(data_dir: &Path, args: SimulateArgs) -> anyhow::Result<ExitCode> {
    let config = args.config();
    config.validate()?;
    prepare(data_dir)?;
    let clock = Arc::new(ManualClock::new(config.start));
    let world = simulation::outside_world(&config, clock.clone())?;
    let storage = Arc::new(SledStorage::new(data_dir, clock.clone(), StoreConfig::default()));
    let runtime_config = RuntimeConfig { tick_every: None, ..RuntimeConfig::default() };
    let runtime = host_all(
        Runtime::new(storage, clock.clone(), Arc::new(SequentialIds::new(config.seed)), runtime_config),
        &world,
    )
    .start()?;

    let bar =
        if args.quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(config.months as u64) };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {msg:<28} [{bar:30}] {pos}/{len} months ({elapsed})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let mut progress = |step: Step| match step {
        Step::Setup => bar.set_message("enrolling subscribers"),
        Step::Month { done, .. } => {
            bar.set_position(done as u64);
            bar.set_message("running the months");
        }
    };
    let result = simulation::run(&runtime, &clock, &config, args.inject_fault, &mut progress);
    bar.finish_and_clear();
    runtime.shutdown();
    let report = result?;
    println!("{report}");
    println!("Data: {} (inspect with `bookbox events --data-dir {0} --context <name>`)", data_dir.display());
    if report.all_invariants_hold() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: an invariant failed (see above)");
        Ok(ExitCode::FAILURE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::time::Timestamp;

    #[test]
    fn a_directory_with_other_data_is_never_cleared() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("precious.txt"), "keep me").unwrap();
        let err = prepare(dir.path()).unwrap_err().to_string();
        assert!(err.contains("holds data that a simulation did not write"), "{err}");
        assert!(dir.path().join("precious.txt").exists());
        let sim = dir.path().join("sim");
        prepare(&sim).unwrap();
        std::fs::write(sim.join("old"), "x").unwrap();
        prepare(&sim).unwrap();
        assert!(!sim.join("old").exists(), "a simulation's own directory is cleared");
    }

    #[test]
    fn timestamps_parse_for_the_default_start() {
        assert_eq!(SimulationConfig::default().start, Timestamp::parse("2026-01-01T00:00:00Z").unwrap());
    }
}
