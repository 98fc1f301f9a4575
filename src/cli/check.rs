//! `bookbox check`: reads every context's store from end to end and reports, plainly, any
//! record that fails its checksum, any gap in versions or positions, and any published
//! message not yet delivered.

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use kernel::store::{EventStore, OutboxSeq};
use kernel::{Position, StreamId, Version};

use super::events::{context_dirs, open_store};

/// What a check found in one store.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Findings {
    pub events: u64,
    pub streams: usize,
    pub messages: u64,
    pub undelivered: u64,
    pub problems: Vec<String>,
}

/// Checks one store.
pub fn check_store(store: &dyn EventStore) -> Findings {
    let mut findings = Findings::default();
    let mut heads: HashMap<StreamId, Version> = HashMap::new();
    let mut after = Position::START;
    loop {
        // On a damaged page, read one event at a time to name the first position that fails.
        let page = match store.read_all(after, 4096).or_else(|_| store.read_all(after, 1)) {
            Ok(page) => page,
            Err(e) => {
                findings.problems.push(format!("the log cannot be read past position {after}: {e}"));
                break;
            }
        };
        let Some(last) = page.last() else { break };
        let next_after = last.position;
        for event in page {
            if event.position != after.next() {
                findings.problems.push(format!("gap in the log: position {} follows {after}", event.position));
            }
            after = event.position;
            let head = heads.entry(event.stream.clone()).or_insert(Version::INITIAL);
            if event.version != head.next() {
                findings.problems.push(format!(
                    "stream `{}` jumps from version {head} to {} at position {}",
                    event.stream, event.version, event.position
                ));
            }
            *head = event.version;
            findings.events += 1;
        }
        after = next_after;
    }
    findings.streams = heads.len();
    // Heads are only comparable when the whole log was read.
    let log_read = findings.problems.is_empty();
    for (stream, version) in heads.iter().filter(|_| log_read) {
        match store.stream_version(stream) {
            Ok(v) if v == *version => {}
            Ok(v) => findings.problems.push(format!("stream `{stream}` says version {v}, its events end at {version}")),
            Err(e) => findings.problems.push(format!("stream `{stream}`: {e}")),
        }
    }
    match store.read_outbox(OutboxSeq(0), usize::MAX) {
        Ok(outbox) => {
            findings.messages = outbox.len() as u64;
            for (i, entry) in outbox.iter().enumerate() {
                if entry.seq.0 != i as u64 + 1 {
                    findings.problems.push(format!("gap in the outbox at message {}", entry.seq.0));
                    break;
                }
            }
            match store.outbox_delivered() {
                Ok(delivered) => findings.undelivered = findings.messages.saturating_sub(delivered.0),
                Err(e) => findings.problems.push(format!("the delivery cursor cannot be read: {e}")),
            }
        }
        Err(e) => findings.problems.push(format!("the outbox cannot be read: {e}")),
    }
    findings
}

pub fn run(data_dir: &Path) -> anyhow::Result<ExitCode> {
    let contexts = context_dirs(data_dir)?;
    if contexts.is_empty() {
        anyhow::bail!("no context stores under {} (run `bookbox simulate` first)", data_dir.display());
    }
    let mut healthy = true;
    for context in contexts {
        let store = open_store(data_dir, &context).with_context(|| format!("opening the store of `{context}`"))?;
        let findings = check_store(&store);
        let verdict = if findings.problems.is_empty() { "ok" } else { "PROBLEMS" };
        println!(
            "{context:<14} {verdict:<8} {} events in {} streams, {} messages published, {} not yet delivered",
            findings.events, findings.streams, findings.messages, findings.undelivered
        );
        for problem in &findings.problems {
            println!("  - {problem}");
        }
        healthy &= findings.problems.is_empty();
    }
    Ok(if healthy { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::ids::SequentialIds;
    use kernel::store::AppendRequest;
    use kernel::testing::conformance::{event, message};
    use kernel::time::{ManualClock, Timestamp};
    use kernel::{ExpectedVersion, InMemoryEventStore};
    use std::sync::Arc;

    #[test]
    fn a_healthy_store_has_no_findings_and_damage_is_reported() {
        let store = InMemoryEventStore::new("test", Arc::new(ManualClock::new(Timestamp::UNIX_EPOCH)));
        let ids = SequentialIds::new(3);
        for i in 0..5u64 {
            let stream = StreamId::parse(format!("s-{}", i % 2)).unwrap();
            let request = AppendRequest::events(stream, ExpectedVersion::Any, vec![event(&ids, i)])
                .with_outbox(vec![message(&ids, i)]);
            store.append(request).unwrap();
        }
        store.mark_outbox_delivered(OutboxSeq(3)).unwrap();
        let findings = check_store(&store);
        assert_eq!((findings.events, findings.streams, findings.messages, findings.undelivered), (5, 2, 5, 2));
        assert!(findings.problems.is_empty(), "{:?}", findings.problems);
        store.corrupt_commit_at(Position::new(4));
        let findings = check_store(&store);
        assert_eq!(findings.problems.len(), 2, "{:?}", findings.problems);
        assert!(findings.problems[0].contains("cannot be read past position 3"), "{:?}", findings.problems);
    }
}
