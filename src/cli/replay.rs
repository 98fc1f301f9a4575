//! `bookbox replay reporting [--as-of T]`: rebuilds the reporting read models from scratch by
//! replaying the other contexts' published logs (kappa: the log that fed them live feeds the
//! rebuild), with a progress bar. Without `--as-of` it then checks that the rebuilt models
//! answer exactly as the live ones do; with it, it shows the models as of that time. The
//! rebuild itself is [`crate::rebuild::rebuild_reporting`], shared with the HTTP reports'
//! `as_of`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use kernel::context::Answers;
use kernel::store::EventStore;
use kernel::unit_of_work::StoreRepository;
use kernel::Timestamp;
use reporting::ports::queries::{CustomersOver, OrdersByEndState, SalesByState, StockByBook, CUSTOMERS_LISTED_MAX};
use reporting::ports::{ReadModelQuery, ReadModels};
use reporting::ReportingContext;
use serde::Serialize;

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

/// Asks every question of the rebuilt models, and of the live ones when there are.
fn ask_all(models: &ReadModels, live: Option<&dyn EventStore>) -> anyhow::Result<usize> {
    let differences = [
        ask(models, live, "sales-by-state", SalesByState { state: None })?,
        ask(models, live, "orders-by-end-state", OrdersByEndState { month: None })?,
        ask(models, live, "stock-by-book", StockByBook { isbn: None })?,
        ask(models, live, "customers-over", CustomersOver { amount_cents: 0, limit: Some(CUSTOMERS_LISTED_MAX) })?,
    ];
    Ok(differences.into_iter().filter(|differs| *differs).count())
}

/// An answer as printed: the view, tagged with the question's name.
#[derive(Serialize)]
struct Tagged<'a, T> {
    answer: &'static str,
    #[serde(flatten)]
    view: &'a T,
}

/// Without a live store, prints the rebuilt answer; with one, says whether the two differ
/// (printing both when they do).
fn ask<Q>(models: &ReadModels, live: Option<&dyn EventStore>, name: &'static str, question: Q) -> anyhow::Result<bool>
where
    Q: ReadModelQuery,
    ReportingContext: Answers<Q>,
{
    let rebuilt = models.answer(question.clone())?;
    let Some(live) = live else {
        println!("{}", serde_json::to_string(&Tagged { answer: name, view: &rebuilt })?);
        return Ok(false);
    };
    let live_answer = ReportingContext
        .answer(question.clone(), &mut StoreRepository(live))
        .with_context(|| format!("asking the live model {question:?}"))?;
    if rebuilt == live_answer {
        return Ok(false);
    }
    println!(
        "DIFFERS {question:?}\n  live:    {}\n  rebuilt: {}",
        serde_json::to_string(&Tagged { answer: name, view: &live_answer })?,
        serde_json::to_string(&Tagged { answer: name, view: &rebuilt })?
    );
    Ok(true)
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
        ask_all(&models, None)?;
        return Ok(ExitCode::SUCCESS);
    }
    let live_store = open_store(data_dir, "reporting")?;
    let differences = ask_all(&models, Some(&live_store as &dyn EventStore))?;
    if differences == 0 {
        println!("the rebuilt read models answer exactly as the live ones");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("error: {differences} answers differ between the rebuilt and the live read models");
        Ok(ExitCode::FAILURE)
    }
}
