//! `bookbox replay reporting [--as-of T]`: rebuilds the reporting read models from scratch by
//! replaying the other contexts' published logs (kappa: the log that fed them live feeds the
//! rebuild), with a progress bar. Without `--as-of` it then checks that the rebuilt models
//! answer exactly as the live ones do; with it, it shows the models as of that time. The
//! rebuild itself is [`crate::rebuild::rebuild_reporting`], shared with the HTTP reports'
//! `as_of`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use kernel::context::BoundedContext;
use kernel::store::EventStore;
use kernel::unit_of_work::StoreRepository;
use kernel::Timestamp;
use reporting::ports::ReportingQuery;
use reporting::ReportingContext;

use super::events::{context_dirs, open_store};
use crate::rebuild::{rebuild_reporting, Progress, Rebuild, Rebuilt};

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The read model to rebuild: `reporting` (every reporting model).
    pub read_model: String,
    /// Rebuild only from what was published at or before this time (RFC 3339).
    #[arg(long, value_parser = |s: &str| Timestamp::parse(s).map_err(|e| e.to_string()))]
    pub as_of: Option<Timestamp>,
    #[arg(long)]
    pub quiet: bool,
}

/// The questions asked of the live and the rebuilt models.
fn questions() -> Vec<ReportingQuery> {
    vec![
        ReportingQuery::SalesByState { state: None },
        ReportingQuery::OrdersByEndState { month: None },
        ReportingQuery::StockByBook { isbn: None },
        ReportingQuery::CustomersOver { amount_cents: 0, limit: Some(reporting::ports::CUSTOMERS_LISTED_MAX) },
    ]
}

pub fn run(data_dir: &Path, args: ReplayArgs) -> anyhow::Result<ExitCode> {
    if args.read_model != "reporting" {
        bail!("there is no read model `{}` (the read models live in `reporting`)", args.read_model);
    }
    let contexts = context_dirs(data_dir)?;
    if !contexts.iter().any(|c| c == "reporting") {
        bail!("no reporting store under {} (run `bookbox simulate` first)", data_dir.display());
    }
    let stores = contexts
        .iter()
        .filter(|c| *c != "reporting")
        .map(|name| Ok((name.as_str(), open_store(data_dir, name)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bar = if args.quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(0) };
    let logs = stores.iter().map(|(name, store)| (*name, store as &dyn EventStore));
    let Rebuilt { models, messages, refused, .. } =
        rebuild_reporting(logs, Rebuild::as_of(args.as_of), |progress| match progress {
            Progress::Gathered(n) => bar.set_length(n),
            Progress::Applied(n) => bar.set_position(n),
        })?;
    bar.finish_and_clear();
    println!("rebuilt reporting from {messages} published messages ({refused} could not be applied)");
    if args.as_of.is_some() {
        for question in questions() {
            println!("{}", serde_json::to_string(&models.query(&question)?)?);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let live_store = open_store(data_dir, "reporting")?;
    let mut differences = 0;
    for question in questions() {
        let rebuilt = models.query(&question)?;
        let live = ReportingContext
            .query(question.clone(), &mut StoreRepository(&live_store as &dyn EventStore))
            .with_context(|| format!("asking the live model {question:?}"))?;
        if rebuilt != live {
            differences += 1;
            println!(
                "DIFFERS {question:?}\n  live:    {}\n  rebuilt: {}",
                serde_json::to_string(&live)?,
                serde_json::to_string(&rebuilt)?
            );
        }
    }
    if differences == 0 {
        println!("the rebuilt read models answer exactly as the live ones");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: {differences} answers differ between the rebuilt and the live read models");
        Ok(ExitCode::FAILURE)
    }
}
