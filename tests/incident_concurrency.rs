//! Two warroom processes writing to one incident: no interleaved or lost
//! records, and each sees the other's notes incrementally.
//!
//! The writers are this test binary re-executed with `WARROOM_TEST_WRITER`
//! set, so they are real processes with their own file descriptors and locks.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use warroom::incident::{Declaration, Event, Journal, Record};

/// `dir|id|name|count`: what a re-executed writer does.
const WRITER_ENV: &str = "WARROOM_TEST_WRITER";
const TEST_NAME: &str = "two_processes_lose_no_notes";
const NOTES_EACH: usize = 150;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").expect("valid time").with_timezone(&Utc)
}

/// The writer side: appends `count` notes, reading the journal as it goes
/// (as the UI does on refresh) and checking its own notes come back in order.
fn run_writer(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let [dir, id, name, count] = parts[..] else {
        panic!("bad {WRITER_ENV}: {spec}");
    };
    let count: usize = count.parse().expect("count");
    let mut journal = Journal::open(Path::new(dir), id).expect("writer opens journal");
    let mut mine_seen = 0;
    for i in 0..count {
        let rec = Record::new(
            now(),
            name,
            Event::Note { id: format!("{name}.{i}"), text: format!("note {i} from {name}\nsecond line") },
        );
        journal.append(&rec).expect("append");
        if i % 10 == 0 {
            let read = journal.read_new().expect("read_new");
            assert!(read.warnings.is_empty(), "{:?}", read.warnings);
            for r in read.records {
                if let Event::Note { id, .. } = r.event
                    && id.starts_with(&format!("{name}."))
                {
                    assert_eq!(id, format!("{name}.{mine_seen}"), "own notes out of order");
                    mine_seen += 1;
                }
            }
        }
    }
}

/// `dir|id|name`: a re-executed console that captures, poll after poll,
/// the same alert firing and resolving and the same silence as the other.
const CAPTURER_ENV: &str = "WARROOM_TEST_CAPTURER";
const CAPTURE_TEST: &str = "two_processes_capture_each_event_once";
const POLLS: usize = 60;

fn captured(name: &str) -> Vec<Record> {
    let starts = now() - chrono::Duration::minutes(3);
    let fired = Event::AlertFired {
        fingerprint: "4d3c2b1a".into(),
        alertname: "DatabaseDown".into(),
        severity: "critical".into(),
        labels: BTreeMap::from([("alertname".to_string(), "DatabaseDown".to_string())]),
        // Each console words it its own way: what it describes is the same.
        summary: format!("database down (seen by {name})"),
        runbook_url: None,
    };
    let resolved = Event::AlertResolved {
        fingerprint: "4d3c2b1a".into(),
        alertname: "DatabaseDown".into(),
        starts_at: Some(starts),
    };
    let silence = Event::SilenceCreated {
        id: "sil-1".into(),
        matchers: vec!["alertname=\"DatabaseDown\"".into()],
        comment: "failing over".into(),
        ends_at: now() + chrono::Duration::hours(1),
        created_by: "alice".into(),
    };
    vec![
        Record::new(starts, name, fired),
        Record::new(now() - chrono::Duration::minutes(2), name, silence),
        Record::new(now() - chrono::Duration::minutes(1), name, Event::SilenceExpired { id: "sil-1".into() }),
        // Resolved at each console's own poll time.
        Record::new(now() + chrono::Duration::milliseconds(name.len() as i64), name, resolved),
    ]
}

fn run_capturer(spec: &str) {
    let parts: Vec<&str> = spec.split('|').collect();
    let [dir, id, name] = parts[..] else {
        panic!("bad {CAPTURER_ENV}: {spec}");
    };
    let mut journal = Journal::open(Path::new(dir), id).expect("capturer opens journal");
    journal.set_host(name);
    for poll in 0..POLLS {
        for rec in captured(name) {
            journal.append(&rec).expect("append");
        }
        let note = Event::Note { id: String::new(), text: format!("poll {poll} by {name}") };
        journal.append(&Record::new(now(), name, note)).expect("note");
        if poll % 7 == 0 {
            journal.read_new().expect("read_new");
        }
    }
}

/// Two consoles (two processes, two hosts' worth of ids) watching one
/// Alertmanager on one incident: every poll each sees the alert firing,
/// then resolved, and the silence; the journal holds each event once, the
/// timeline and the post-mortem show it once, and every note is kept.
#[test]
fn two_processes_capture_each_event_once() {
    if let Ok(spec) = std::env::var(CAPTURER_ENV) {
        run_capturer(&spec);
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let decl = Declaration {
        title: "database down".into(),
        severity: "critical".into(),
        commander: "alice".into(),
        at: now(),
        author: "alice".into(),
    };
    let watcher = Journal::create(dir.path(), &decl).expect("create");
    let id = watcher.id().to_string();
    let exe = std::env::current_exe().expect("test binary path");
    let mut consoles: Vec<Child> = ["alice", "bob"]
        .iter()
        .map(|name| {
            Command::new(&exe)
                .args(["--exact", CAPTURE_TEST, "--nocapture", "--test-threads=1"])
                .env(CAPTURER_ENV, format!("{}|{id}|{name}", dir.path().display()))
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn console")
        })
        .collect();
    for c in &mut consoles {
        assert!(c.wait().expect("exit status").success(), "a console failed");
    }
    let all = Journal::read_all(watcher.path()).expect("read all");
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    let count = |kind: &str| all.records.iter().filter(|r| r.event.kind_name() == kind).count();
    assert_eq!(count("alert_fired"), 1, "fired written once");
    assert_eq!(count("silence_created"), 1);
    assert_eq!(count("silence_expired"), 1);
    // The two resolutions differ in time but end the same firing.
    assert_eq!(count("alert_resolved"), 1);
    assert_eq!(count("note"), 2 * POLLS, "notes are never duplicates");
    let hosts: HashSet<&str> = all.records.iter().skip(1).map(|r| r.host.as_str()).collect();
    assert_eq!(hosts, HashSet::from(["alice", "bob"]));
    let pm = warroom::incident::postmortem::render(&all.records, None);
    assert_eq!(pm.matches("alert firing: DatabaseDown").count(), 1, "{pm}");
    assert_eq!(pm.matches("alert resolved: DatabaseDown").count(), 1, "{pm}");
}

fn spawn_writer(dir: &Path, id: &str, name: &str) -> Child {
    let exe = std::env::current_exe().expect("test binary path");
    Command::new(exe)
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(WRITER_ENV, format!("{}|{id}|{name}|{NOTES_EACH}", dir.display()))
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn writer")
}

#[test]
fn two_processes_lose_no_notes() {
    if let Ok(spec) = std::env::var(WRITER_ENV) {
        run_writer(&spec);
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let decl = Declaration {
        title: "shared incident".into(),
        severity: "page".into(),
        commander: "alice".into(),
        at: now(),
        author: "alice".into(),
    };
    let mut watcher = Journal::create(dir.path(), &decl).expect("create");
    let id = watcher.id().to_string();
    let mut writers = [spawn_writer(dir.path(), &id, "alice"), spawn_writer(dir.path(), &id, "bob")];

    // Meanwhile, a third handle reads incrementally, as the UI refresh does.
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while writers.iter_mut().any(|w| w.try_wait().expect("wait").is_none()) {
        assert!(Instant::now() < deadline, "writers took too long");
        let read = watcher.read_new().expect("watcher reads");
        assert!(read.warnings.is_empty(), "{:?}", read.warnings);
        seen.extend(read.records);
        std::thread::sleep(Duration::from_millis(20));
    }
    for w in &mut writers {
        assert!(w.wait().expect("exit status").success(), "a writer failed");
    }
    seen.extend(watcher.read_new().expect("final read").records);

    let all = Journal::read_all(watcher.path()).expect("read all");
    assert!(all.warnings.is_empty(), "{:?}", all.warnings);
    assert_eq!(all.records.len(), 1 + 2 * NOTES_EACH);
    assert_eq!(seen, all.records, "incremental reads differ from a full read");
    let ids: HashSet<String> = all
        .records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Note { id, text } => {
                assert!(text.ends_with("\nsecond line"), "mangled: {text:?}");
                Some(id.clone())
            }
            _ => None,
        })
        .collect();
    for name in ["alice", "bob"] {
        for i in 0..NOTES_EACH {
            assert!(ids.contains(&format!("{name}.{i}")), "lost {name}.{i}");
        }
    }
}
