//! `bookbox events`: query a context's log (or its published messages) by stream, type,
//! subject and time, or as of a time; print a table or JSON lines, each line a CloudEvent.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use kernel::message::{message_type, MessageKind};
use kernel::store::{EventStore, OutboxSeq, RecordedEvent};
use kernel::{Position, Timestamp};
use serde::Serialize;

use crate::adapters::SystemClock;
use crate::store::{SledEventStore, StoreConfig};

#[derive(Debug, clap::Args)]
pub struct EventsArgs {
    /// The context whose log to read (e.g. customers).
    #[arg(long)]
    pub context: String,
    /// Only this stream (e.g. customer-<id>).
    #[arg(long)]
    pub stream: Option<String>,
    /// Only this type: an event type (`customer-registered`) or, with --published, a message
    /// type (`bookbox.customers.customer-profile.v1`).
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// With --published: only messages about this subject.
    #[arg(long)]
    pub subject: Option<String>,
    /// Only what was recorded at or after this time (RFC 3339).
    #[arg(long, value_parser = parse_time)]
    pub since: Option<Timestamp>,
    /// Only what was recorded at or before this time (RFC 3339): the log as of that time.
    #[arg(long, alias = "as-of", value_parser = parse_time)]
    pub until: Option<Timestamp>,
    /// Read the published messages (the outbox) instead of the events.
    #[arg(long)]
    pub published: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// At most this many rows.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    /// One CloudEvent per line.
    Jsonl,
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

/// The context directories under a data directory, sorted.
pub fn context_dirs(data_dir: &Path) -> anyhow::Result<Vec<String>> {
    if !data_dir.exists() {
        return Ok(Vec::new());
    }
    let mut names = Vec::new();
    for entry in std::fs::read_dir(data_dir).with_context(|| format!("reading {}", data_dir.display()))? {
        let entry = entry?;
        if entry.path().join("conf").is_file() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// The directory of a context's store.
pub fn store_dir(data_dir: &Path, context: &str) -> PathBuf {
    data_dir.join(context)
}

/// Opens a context's store for reading; fails clearly if it does not exist.
pub fn open_store(data_dir: &Path, context: &str) -> anyhow::Result<SledEventStore> {
    let dir = store_dir(data_dir, context);
    if !dir.join("conf").is_file() {
        let known = context_dirs(data_dir)?.join(", ");
        anyhow::bail!("there is no store for context `{context}` in {} (found: {known})", data_dir.display());
    }
    SledEventStore::open(&dir, context, Arc::new(SystemClock), StoreConfig::default())
        .with_context(|| format!("opening {} (is a `bookbox serve` using it?)", dir.display()))
}

/// A recorded event as a CloudEvent (structured JSON mode).
#[derive(Serialize)]
struct EventAsCloudEvent<'a> {
    specversion: &'static str,
    id: String,
    source: String,
    #[serde(rename = "type")]
    message_type: String,
    subject: &'a str,
    time: Timestamp,
    datacontenttype: &'static str,
    kind: MessageKind,
    schemaversion: u32,
    correlationid: String,
    causationid: String,
    sequence: u64,
    data: &'a serde_json::value::RawValue,
}

fn as_cloud_event<'a>(context: &str, event: &'a RecordedEvent) -> EventAsCloudEvent<'a> {
    EventAsCloudEvent {
        specversion: "1.0",
        id: event.id.to_string(),
        source: format!("/bookbox/{context}"),
        message_type: message_type(context, &event.event_type, event.schema_version),
        subject: event.stream.as_str(),
        time: event.recorded_at,
        datacontenttype: "application/json",
        kind: MessageKind::DomainEvent,
        schemaversion: event.schema_version,
        correlationid: event.correlation_id.to_string(),
        causationid: event.causation_id.to_string(),
        sequence: event.position.get(),
        data: &event.payload,
    }
}

fn within(at: Timestamp, args: &EventsArgs) -> bool {
    args.since.is_none_or(|since| at >= since) && args.until.is_none_or(|until| at <= until)
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub fn run(data_dir: &Path, args: EventsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(data_dir, &args.context)?;
    if args.published {
        print_published(&store, &args)?;
    } else {
        print_events(&store, &args)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_events(store: &SledEventStore, args: &EventsArgs) -> anyhow::Result<()> {
    let mut shown = 0;
    let mut after = Position::START;
    if args.format == Format::Table {
        println!("{:>8}  {:<27}  {:<40}  {:>4}  {:<32}  data", "position", "time", "stream", "ver", "type");
    }
    'pages: loop {
        let page = store.read_all(after, 4096)?;
        let Some(last) = page.last() else { break };
        after = last.position;
        for event in &page {
            let matches = args.stream.as_deref().is_none_or(|s| s == event.stream.as_str())
                && args.event_type.as_deref().is_none_or(|t| t == event.event_type)
                && within(event.recorded_at, args);
            if !matches {
                continue;
            }
            if shown == args.limit {
                break 'pages;
            }
            shown += 1;
            match args.format {
                Format::Jsonl => println!("{}", serde_json::to_string(&as_cloud_event(store.context(), event))?),
                Format::Table => println!(
                    "{:>8}  {:<27}  {:<40}  {:>4}  {:<32}  {}",
                    event.position,
                    event.recorded_at.to_string(),
                    shorten(event.stream.as_str(), 40),
                    event.version,
                    shorten(&event.event_type, 32),
                    shorten(event.payload.get(), 60)
                ),
            }
        }
    }
    Ok(())
}

fn print_published(store: &SledEventStore, args: &EventsArgs) -> anyhow::Result<()> {
    let delivered = store.outbox_delivered()?;
    if args.format == Format::Table {
        println!("{:>6}  {:<27}  {:<15}  {:<45}  {:<38}  delivered", "seq", "time", "kind", "type", "subject");
    }
    let mut shown = 0;
    for entry in store.read_outbox(OutboxSeq(0), usize::MAX)? {
        let envelope = &entry.envelope;
        let matches = args.event_type.as_deref().is_none_or(|t| t == envelope.message_type)
            && args.subject.as_deref().is_none_or(|s| Some(s) == envelope.subject.as_deref())
            && within(envelope.time, args);
        if !matches {
            continue;
        }
        if shown == args.limit {
            break;
        }
        shown += 1;
        match args.format {
            Format::Jsonl => println!("{}", serde_json::to_string(envelope)?),
            Format::Table => println!(
                "{:>6}  {:<27}  {:<15}  {:<45}  {:<38}  {}",
                entry.seq.0,
                envelope.time.to_string(),
                envelope.kind.as_str(),
                shorten(&envelope.message_type, 45),
                shorten(envelope.subject.as_deref().unwrap_or("-"), 38),
                if entry.seq <= delivered { "yes" } else { "no" }
            ),
        }
    }
    Ok(())
}
