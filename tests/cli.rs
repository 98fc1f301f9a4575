//! The `bookbox` binary as a user meets it: the main job, its report and exit codes, the log
//! queries, the store check, and clear one-line errors (never a panic) on bad arguments.

use std::path::Path;
use std::process::{Command, Output};

fn bookbox(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bookbox"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const SMALL: &[&str] =
    &["simulate", "--quiet", "--subscribers", "40", "--months", "2", "--catalog", "60", "--selection", "40"];

#[test]
fn simulate_reports_and_checks_its_invariants_then_the_logs_can_be_queried() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = bookbox(&data, SMALL);
    let report = stdout(&run);
    assert!(run.status.success(), "{report}\n{}", stderr(&run));
    for section in
        ["Bookbox simulation: 40 subscribers, 2 months", "Boxes", "Messages by kind", "Throughput", "Invariants"]
    {
        assert!(report.contains(section), "the report lacks `{section}`:\n{report}");
    }
    assert!(!report.contains("FAIL"), "{report}");
    assert!(report.contains("ok   every due box was curated or failed, once"), "{report}");

    // The same seed gives the same business.
    let again = bookbox(&dir.path().join("again"), SMALL);
    let boxes = |r: &str| r.lines().skip_while(|l| *l != "Boxes").take(4).collect::<Vec<_>>().join("\n");
    assert_eq!(boxes(&report), boxes(&stdout(&again)));

    // `events` prints CloudEvents as JSON lines.
    let events = bookbox(&data, &["events", "--context", "customers", "--format", "jsonl", "--limit", "3"]);
    assert!(events.status.success(), "{}", stderr(&events));
    let lines: Vec<serde_json::Value> =
        stdout(&events).lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert_eq!(lines.len(), 3);
    for line in &lines {
        assert_eq!(line["specversion"], "1.0");
        assert_eq!(line["source"], "/bookbox/customers");
        assert!(line["type"].as_str().unwrap().starts_with("bookbox.customers."));
    }
    let published = bookbox(
        &data,
        &[
            "events",
            "--context",
            "subscriptions",
            "--published",
            "--type",
            "bookbox.subscriptions.box-due.v1",
            "--limit",
            "2",
        ],
    );
    assert_eq!(stdout(&published).lines().filter(|l| l.contains("box-due")).count(), 2, "{}", stdout(&published));
    let as_of =
        bookbox(&data, &["events", "--context", "curation", "--until", "2025-12-31T00:00:00Z", "--format", "jsonl"]);
    assert_eq!(stdout(&as_of), "", "nothing happened before the simulation started");

    // `check` verifies every store.
    let check = bookbox(&data, &["check"]);
    assert!(check.status.success(), "{}", stdout(&check));
    assert_eq!(stdout(&check).lines().filter(|l| l.contains(" ok ")).count(), stdout(&check).lines().count());

    // `replay` rebuilds reporting from the published logs; it answers as the live model does.
    let replay = bookbox(&data, &["replay", "reporting", "--quiet"]);
    assert!(replay.status.success(), "{}{}", stdout(&replay), stderr(&replay));
    assert!(stdout(&replay).contains("the rebuilt read models answer exactly as the live ones"), "{}", stdout(&replay));
    let before = bookbox(&data, &["replay", "reporting", "--quiet", "--as-of", "2025-06-01T00:00:00Z"]);
    assert!(stdout(&before).starts_with("rebuilt reporting from 0 published messages"), "{}", stdout(&before));
    let unknown = bookbox(&data, &["replay", "nothing"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("there is no read model `nothing`"));

    let letters = bookbox(&data, &["dead-letters", "list"]);
    assert_eq!(stdout(&letters).trim(), "no dead letters");
}

#[test]
fn an_injected_fault_fails_the_invariants_and_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = SMALL.to_vec();
    args.extend(["--inject-fault", "duplicate-curated-box"]);
    let run = bookbox(dir.path(), &args);
    assert_eq!(run.status.code(), Some(1), "{}", stdout(&run));
    assert!(stdout(&run).contains("FAIL every due box was curated or failed, once"), "{}", stdout(&run));
    assert_eq!(stderr(&run).trim(), "error: an invariant failed (see above)");
}

#[test]
fn bad_arguments_get_one_clear_sentence_and_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["simulate", "--decline-rate", "2"], "error: the decline rate must be between 0 and 1, not 2"),
        (&["simulate", "--subscribers", "0"], "error: a simulation needs at least one subscriber and one month"),
        (&["events", "--context", "customers"], "error: there is no store for context `customers`"),
        (&["check"], "error: no context stores under"),
        (&["dead-letters", "replay", "curation", "not-a-uuid", "h"], "error: no context stores under"),
    ];
    for (args, expected) in cases {
        let run = bookbox(dir.path(), args);
        assert_eq!(run.status.code(), Some(1), "{args:?}: {}", stderr(&run));
        assert!(stderr(&run).starts_with(expected), "{args:?}: {}", stderr(&run));
        assert!(!stderr(&run).contains("panicked"), "{args:?}");
    }
    let bad_time = bookbox(dir.path(), &["events", "--context", "x", "--since", "yesterday"]);
    assert_eq!(bad_time.status.code(), Some(2), "clap reports a malformed argument");
    assert!(stderr(&bad_time).contains("`yesterday` is not an RFC 3339 timestamp"), "{}", stderr(&bad_time));
}

#[test]
fn simulate_never_clears_a_directory_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let run = bookbox(dir.path(), SMALL);
    assert_eq!(run.status.code(), Some(1));
    assert!(stderr(&run).contains("holds data that a simulation did not write"), "{}", stderr(&run));
    assert!(dir.path().join("notes.txt").exists());
}

#[test]
fn map_prints_the_committed_context_map() {
    let dir = tempfile::tempdir().unwrap();
    let map = bookbox(dir.path(), &["map"]);
    assert!(map.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/context-map.md")).unwrap();
    assert_eq!(stdout(&map), committed, "regenerate with {}", bookbox::context_map::REGENERATE);
    assert!(committed.contains("flowchart"), "the map is Mermaid");
}
