//! The `bookbox` binary: parses the command line, sets up logging, runs the command, and
//! reports failure as one clear sentence and a non-zero exit code, never a panic.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = bookbox::cli::Cli::parse();
    if let Err(e) = bookbox::telemetry::init(cli.log_format) {
        eprintln!("error: {e:#}");
        return ExitCode::from(2);
    }
    match bookbox::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
