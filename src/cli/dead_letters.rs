//! `bookbox dead-letters list|replay`: the messages a consumer could not process after every
//! retry, with the error; and replaying one once its cause is fixed (the inbox makes sure a
//! replayed message still has its effect only once).

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail};
use kernel::message::MessageId;

use super::events::context_dirs;
use crate::adapters::{RandomIds, SystemClock};
use crate::contexts::{host_all, OutsideWorld};
use crate::runtime::storage::{SledStorage, Storage};
use crate::runtime::{Runtime, RuntimeConfig};
use crate::store::StoreConfig;

#[derive(Debug, clap::Subcommand)]
pub enum DeadLettersCommand {
    /// List dead letters (of one context, or all).
    List {
        #[arg(long)]
        context: Option<String>,
    },
    /// Deliver a dead letter again, then wait until it is processed.
    Replay {
        /// The consuming context.
        context: String,
        /// The message's id.
        message_id: String,
        /// The handler that failed (as `list` shows it).
        handler_id: String,
    },
}

pub fn run(data_dir: &Path, command: DeadLettersCommand) -> anyhow::Result<ExitCode> {
    let contexts = context_dirs(data_dir)?;
    if contexts.is_empty() {
        bail!("no context stores under {} (run `bookbox simulate` first)", data_dir.display());
    }
    let clock = Arc::new(SystemClock);
    match command {
        DeadLettersCommand::List { context } => {
            if let Some(name) = &context {
                if !contexts.contains(name) {
                    bail!("there is no store for context `{name}` (found: {})", contexts.join(", "));
                }
            }
            let storage = SledStorage::new(data_dir, clock, StoreConfig::default());
            let mut total = 0;
            for name in contexts.iter().filter(|c| context.as_ref().is_none_or(|n| n == *c)) {
                for letter in storage.open(name)?.dead_letters.list()? {
                    total += 1;
                    println!(
                        "{name:<14} {}  {}  {}  after {} attempts, at {}: {}",
                        letter.envelope.id,
                        letter.handler_id,
                        letter.envelope.message_type,
                        letter.attempts,
                        letter.failed_at,
                        letter.error
                    );
                }
            }
            if total == 0 {
                println!("no dead letters");
            }
            Ok(ExitCode::SUCCESS)
        }
        DeadLettersCommand::Replay { context, message_id, handler_id } => {
            let message_id: MessageId = message_id.parse()?;
            let storage = Arc::new(SledStorage::new(data_dir, clock.clone(), StoreConfig::default()));
            let world = OutsideWorld::perfect(clock.clone());
            let runtime = host_all(Runtime::new(storage, clock, Arc::new(RandomIds), RuntimeConfig::default()), &world)
                .start()?;
            let replayed = runtime.replay_dead_letter(&context, message_id, &handler_id);
            let settled = runtime.settle(Duration::from_secs(60));
            runtime.shutdown();
            if !replayed? {
                return Err(anyhow!("no dead letter {message_id} for `{handler_id}` in `{context}`"));
            }
            settled?;
            println!("replayed {message_id} to {handler_id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
