//! The command line: `bookbox <command>`. Each command lives in its own module.

mod check;
mod dead_letters;
pub use check::check_store;
mod events;
mod replay;
mod serve;
mod simulate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::telemetry::LogFormat;

#[derive(Debug, Parser)]
#[command(name = "bookbox", version, about = "A book-subscription business as one binary")]
pub struct Cli {
    /// Where every context keeps its database (one directory per context).
    #[arg(long, global = true, env = "BOOKBOX_DATA_DIR", default_value = ".bookbox")]
    pub data_dir: PathBuf,
    /// Log format on stderr (filter with RUST_LOG).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the business for N subscribers and M months on the data directory, report, and
    /// check the cross-context invariants (non-zero exit if one fails).
    Simulate(simulate::SimulateArgs),
    /// Query a context's event log or published messages.
    Events(events::EventsArgs),
    /// List or replay the messages consumers gave up on.
    #[command(subcommand)]
    DeadLetters(dead_letters::DeadLettersCommand),
    /// Print the context map (Mermaid, in Markdown) drawn from the hosted contexts.
    Map,
    /// Serve the HTTP API (OpenAPI at /openapi.json) on 127.0.0.1:8080 by default.
    Serve(serve::ServeArgs),
    /// Rebuild a read model from the published logs, and check it against the live one.
    Replay(replay::ReplayArgs),
    /// Verify every store: checksums, contiguous versions and positions, outbox delivered.
    Check,
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Simulate(args) => simulate::run(&cli.data_dir, args),
        Command::Events(args) => events::run(&cli.data_dir, args),
        Command::Check => check::run(&cli.data_dir),
        Command::Replay(args) => replay::run(&cli.data_dir, args),
        Command::Serve(args) => serve::run(&cli.data_dir, args),
        Command::Map => {
            print!("{}", crate::context_map::render(&crate::contexts::descriptors()));
            Ok(ExitCode::SUCCESS)
        }
        Command::DeadLetters(command) => dead_letters::run(&cli.data_dir, command),
    }
}
