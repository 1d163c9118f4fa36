//! The journal on a real file system: round trip, torn-write recovery,
//! incremental reads between handles, ids, listing, a full disk.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use warroom::incident::{self, Declaration, Event, Journal, JournalError, Record, Status, journal_path};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").expect("valid time").with_timezone(&Utc)
}

fn decl(title: &str) -> Declaration {
    Declaration {
        title: title.into(),
        severity: "critical".into(),
        commander: "alice".into(),
        at: t0(),
        author: "alice".into(),
    }
}

fn note(id: &str, text: &str) -> Record {
    Record::new(t0() + Duration::minutes(1), "alice", Event::Note { id: id.into(), text: text.into() })
}

/// Records read back as written: each with a valid id ending in its host,
/// which are then cleared to compare with what was appended.
fn as_written(records: &[Record]) -> Vec<Record> {
    records
        .iter()
        .map(|r| {
            assert!(incident::recid::is_valid(&r.id), "{}", r.id);
            assert!(!r.host.is_empty() && r.id.ends_with(&format!("@{}", r.host)), "{r:?}");
            Record { id: String::new(), host: String::new(), ..r.clone() }
        })
        .collect()
}

/// One record of every kind, already clean.
fn every_kind() -> Vec<Record> {
    let at = t0() + Duration::minutes(2);
    let labels: BTreeMap<String, String> = [("job".to_string(), "api".to_string())].into();
    let events = vec![
        Event::Status { status: Status::Mitigated },
        Event::Commander { name: "bob".into() },
        Event::Note { id: "a.1".into(), text: "!action line one\nline two".into() },
        Event::NoteEdited { id: "a.1".into(), text: "!action better".into() },
        Event::NoteStruck { id: "a.1".into() },
        Event::AlertFired {
            fingerprint: "f1".into(),
            alertname: "APIDown".into(),
            severity: "critical".into(),
            labels: labels.clone(),
            summary: "API down".into(),
            runbook_url: Some("https://rb.example/api".into()),
        },
        Event::AlertResolved { fingerprint: "f1".into(), alertname: "APIDown".into(), starts_at: None },
        Event::AlertSilenced { fingerprint: "f1".into(), alertname: "APIDown".into(), silence_id: "s1".into() },
        Event::SilenceCreated {
            id: "s1".into(),
            matchers: vec!["alertname=\"APIDown\"".into()],
            comment: "deploying".into(),
            ends_at: at + Duration::hours(1),
            created_by: "bob".into(),
        },
        Event::SilenceExpired { id: "s1".into() },
        Event::RunbookOpened { runbook: "runbooks/api-down.md".into() },
        Event::RunbookStep {
            runbook: "runbooks/api-down.md".into(),
            step: 2,
            text: "restart".into(),
            done: true,
            values: Vec::new(),
        },
        Event::PinnedGraph {
            title: "5xx".into(),
            query: "sum(rate(http_requests_total{status=~\"5..\"}[5m]))".into(),
            sparkline: "▁▃▇".into(),
            min: Some(0.0),
            max: None,
            unit: "req/s".into(),
            from: at - Duration::minutes(30),
            to: at,
        },
        Event::PinnedLog { ts: at, labels, line: "panic: nil map".into() },
    ];
    events.into_iter().map(|e| Record::new(at, "alice", e)).collect()
}

#[test]
fn journal_round_trips_every_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut j = Journal::create(dir.path(), &decl("API down")).expect("create");
    assert_eq!(j.id(), "2026-11-22-api-down");
    let recs = every_kind();
    for r in &recs {
        j.append(r).expect("append");
    }
    let read = Journal::read_all(j.path()).expect("read");
    assert!(read.warnings.is_empty());
    assert_eq!(read.records.len(), recs.len() + 1);
    assert!(matches!(read.records[0].event, Event::Declared { .. }));
    assert_eq!(as_written(&read.records[1..]), recs);
    // The incremental reader of the writer sees the same.
    assert_eq!(j.read_new().expect("read_new").records, read.records);
    assert!(j.read_new().expect("nothing new").records.is_empty());
}

#[test]
fn remote_strings_are_cleaned_and_secrets_never_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut j = Journal::create(dir.path(), &decl("x\x1b]0;pwned\x07")).expect("create");
    let mut labels = BTreeMap::new();
    labels.insert("api_token".to_string(), "hunter2".to_string());
    j.append(&Record::new(
        t0(),
        "bob\x1b[2J",
        Event::PinnedLog { ts: t0(), labels, line: "auth ok password=hunter2 \x1b[31mred".into() },
    ))
    .expect("append");
    let raw = fs::read_to_string(j.path()).expect("raw journal");
    assert!(!raw.contains("hunter2"), "{raw}");
    assert!(!raw.contains("\\u001b") && !raw.contains('\u{1b}'), "{raw}");
    assert!(raw.contains("password=[redacted] red"));
}

#[test]
fn ids_get_a_suffix_when_taken_and_bad_ids_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = Journal::create(dir.path(), &decl("DB down")).expect("first");
    let b = Journal::create(dir.path(), &decl("DB down")).expect("second");
    assert_eq!(a.id(), "2026-11-22-db-down");
    assert_eq!(b.id(), "2026-11-22-db-down-2");
    assert!(matches!(Journal::open(dir.path(), "../etc"), Err(JournalError::InvalidId(_))));
    assert!(matches!(Journal::open(dir.path(), "2026-11-22-none"), Err(JournalError::NotFound { .. })));
}

#[test]
fn list_and_find_open_read_status_from_journals() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(incident::find_open(&dir.path().join("missing")).expect("no dir").is_none());
    let mut first = Journal::create(dir.path(), &decl("first")).expect("first");
    let mut d2 = decl("second");
    d2.at = t0() + Duration::hours(1);
    let second = Journal::create(dir.path(), &d2).expect("second");
    fs::create_dir(dir.path().join("not-an-incident")).expect("stray dir");
    assert_eq!(incident::list(dir.path()).expect("list").len(), 2);
    assert_eq!(incident::find_open(dir.path()).expect("open").map(|m| m.id), Some(second.id().to_string()));
    let mut second = Journal::open(dir.path(), second.id()).expect("reopen");
    let resolved = Event::Status { status: Status::Resolved };
    second.append(&Record::new(d2.at, "alice", resolved.clone())).expect("resolve");
    let open = incident::find_open(dir.path()).expect("open").expect("first is open");
    assert_eq!(open.id, first.id());
    assert_eq!(open.title, "first");
    first.append(&Record::new(t0(), "alice", resolved)).expect("resolve");
    assert!(incident::find_open(dir.path()).expect("none open").is_none());
}

#[test]
fn torn_last_line_is_skipped_and_the_next_append_survives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut j = Journal::create(dir.path(), &decl("torn")).expect("create");
    j.append(&note("a.1", "before the crash")).expect("append");
    // A crash mid-write: half a record, no newline.
    let mut f = OpenOptions::new().append(true).open(j.path()).expect("open raw");
    f.write_all(br#"{"v":1,"at":"2026-11-22T10:05:00Z","author":"alice","ev"#).expect("tear");
    drop(f);

    let mut reopened = Journal::open(dir.path(), j.id()).expect("opens despite the tear");
    let read = reopened.read_new().expect("read");
    assert_eq!(read.records.len(), 2);
    assert_eq!(read.warnings.len(), 1);
    assert!(read.warnings[0].to_string().contains("line 3"));

    reopened.append(&note("a.2", "after the crash")).expect("append after tear");
    let more = reopened.read_new().expect("read more");
    assert_eq!(as_written(&more.records), vec![note("a.2", "after the crash")]);
    assert!(more.warnings.is_empty());
    let all = Journal::read_all(j.path()).expect("read all");
    assert_eq!(all.records.len(), 3);
    assert_eq!(all.warnings.len(), 1, "{:?}", all.warnings);
}

#[test]
fn each_handle_sees_the_others_appends() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = Journal::create(dir.path(), &decl("shared")).expect("create");
    let mut b = Journal::open(dir.path(), a.id()).expect("open");
    assert_eq!(a.read_new().expect("a").records.len(), 1);
    assert_eq!(b.read_new().expect("b").records.len(), 1);
    a.append(&note("a.1", "from a")).expect("a writes");
    b.append(&note("b.1", "from b")).expect("b writes");
    let seen_by_a = a.read_new().expect("a reads");
    let seen_by_b = b.read_new().expect("b reads");
    assert_eq!(seen_by_a.records, seen_by_b.records);
    assert_eq!(seen_by_a.records.len(), 2);
}

#[test]
fn a_full_disk_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::create(dir.path(), &decl("full")).expect("create");
    let path = j.path().to_path_buf();
    drop(j);
    fs::remove_file(&path).expect("remove");
    // /dev/full accepts an open for writing and fails every write with ENOSPC.
    std::os::unix::fs::symlink("/dev/full", &path).expect("symlink");
    let mut full = Journal::open(dir.path(), "2026-11-22-full").expect("open");
    let err = full.append(&note("a.1", "lost?")).expect_err("disk full");
    let msg = err.to_string();
    assert!(msg.contains("No space left"), "{msg}");
    assert!(msg.contains(&*path.to_string_lossy()), "{msg}");
}

#[test]
fn journal_path_is_per_incident_directory() {
    assert_eq!(journal_path(Path::new("/var/inc"), "x"), Path::new("/var/inc/x/journal.jsonl"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn reading_any_file_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..1024),
        keep in 0usize..1024,
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut j = Journal::create(dir.path(), &decl("fuzz")).expect("create");
        j.append(&note("a.1", "kept")).expect("append");
        let mut raw = fs::read(j.path()).expect("raw");
        raw.extend_from_slice(&bytes[..keep.min(bytes.len())]);
        fs::write(j.path(), &raw).expect("write garbage");
        let read = Journal::read_all(j.path()).expect("read never refuses");
        prop_assert!(read.records.len() >= 2);
        prop_assert_eq!(&as_written(&read.records[1..2])[0], &note("a.1", "kept"));
    }
}

/// Two consoles on one incident capture the same alert firing and
/// resolving: each at its own poll time, with the labels its own source
/// gave. The journal holds each event once.
#[test]
fn two_consoles_capturing_the_same_events_write_each_once() {
    use warroom::incident::journal::Appended;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = Journal::create(dir.path(), &decl("shared")).expect("create");
    let mut b = Journal::open(dir.path(), a.id()).expect("open");
    a.read_new().expect("a reads");
    b.read_new().expect("b reads");
    let starts = t0() - Duration::minutes(5);
    let fired = |summary: &str| {
        let event = Event::AlertFired {
            fingerprint: "f1".into(),
            alertname: "APIDown".into(),
            severity: "critical".into(),
            labels: BTreeMap::new(),
            summary: summary.into(),
            runbook_url: None,
        };
        Record::new(starts, "alice", event)
    };
    let resolved = |secs: i64| {
        let event =
            Event::AlertResolved { fingerprint: "f1".into(), alertname: "APIDown".into(), starts_at: Some(starts) };
        Record::new(t0() + Duration::seconds(secs), "bob", event)
    };
    let silence = |who: &str| {
        let event = Event::SilenceExpired { id: "s1".into() };
        Record::new(t0(), who, event)
    };
    assert_eq!(a.append(&fired("from a")).expect("a"), Appended::Written);
    // b has not read a's line yet: the writer looks under its lock.
    assert_eq!(b.append(&fired("from b")).expect("b"), Appended::Duplicate);
    assert_eq!(b.append(&resolved(31)).expect("b"), Appended::Written);
    assert_eq!(a.append(&resolved(32)).expect("a"), Appended::Duplicate);
    assert_eq!(a.append(&silence("alice")).expect("a"), Appended::Written);
    b.read_new().expect("b reads");
    assert_eq!(b.append(&silence("bob")).expect("b"), Appended::Duplicate);
    // A note is what a person wrote: never a duplicate.
    assert_eq!(a.append(&note("a.1", "same")).expect("a"), Appended::Written);
    assert_eq!(b.append(&note("a.1", "same")).expect("b"), Appended::Written);
    let all = Journal::read_all(a.path()).expect("read all");
    let kinds: Vec<&str> = all.records.iter().map(|r| r.event.kind_name()).collect();
    assert_eq!(kinds, ["declared", "alert_fired", "alert_resolved", "silence_expired", "note", "note"]);
}

/// Journals written before the dedup (or by two old consoles): each
/// resolution at its own poll time is shown once, in the timeline and the
/// post-mortem.
#[test]
fn captured_twice_in_an_old_journal_reads_once() {
    let starts = t0() - Duration::minutes(5);
    let fired = Event::AlertFired {
        fingerprint: "f1".into(),
        alertname: "APIDown".into(),
        severity: "critical".into(),
        labels: BTreeMap::new(),
        summary: "API down".into(),
        runbook_url: None,
    };
    let mut recs = vec![Record::new(
        t0(),
        "alice",
        Event::Declared { title: "shared".into(), severity: "critical".into(), commander: "alice".into() },
    )];
    recs.push(Record::new(starts, "alice", fired.clone()));
    let mut other = fired;
    if let Event::AlertFired { summary, .. } = &mut other {
        *summary = "API down (from Prometheus)".into();
    }
    recs.push(Record::new(starts, "bob", other));
    for (who, secs, start) in [("alice", 31, None), ("bob", 32, None), ("alice", 33, Some(starts))] {
        let event = Event::AlertResolved { fingerprint: "f1".into(), alertname: "APIDown".into(), starts_at: start };
        recs.push(Record::new(t0() + Duration::seconds(secs), who, event));
    }
    let t = incident::Timeline::build(&recs);
    let alert_entries = t.entries.iter().filter(|e| e.kind == incident::EntryKind::Alert).count();
    assert_eq!(alert_entries, 2, "{:?}", t.entries);
    assert_eq!(t.alerts.len(), 1);
    assert_eq!(t.alerts[0].ended, Some(t0() + Duration::seconds(31)));
    let pm = incident::postmortem::render(&recs, None);
    assert_eq!(pm.matches("alert resolved: APIDown").count(), 1, "{pm}");
    assert_eq!(pm.matches("alert firing: APIDown").count(), 1, "{pm}");
}

/// The reason comes first: on a narrow screen (the status bar, the
/// editor's error line) it is what must still show, not the path.
#[test]
fn a_write_error_gives_its_reason_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let j = Journal::create(dir.path(), &decl("full")).expect("create");
    let path = j.path().to_path_buf();
    drop(j);
    fs::remove_file(&path).expect("remove");
    std::os::unix::fs::symlink("/dev/full", &path).expect("symlink");
    let mut full = Journal::open(dir.path(), "2026-11-22-full").expect("open");
    let msg = full.append(&note("a.1", "lost?")).expect_err("disk full").to_string();
    assert!(msg.starts_with("No space left on device"), "{msg}");
}

/// A journal written by a v1 warroom still reads: every line gets a stable
/// id of its own, the v2 records appended after it carry theirs, and the
/// post-mortem of the continued journal holds both.
#[test]
fn a_v1_journal_reads_and_continues_in_v2() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident/db-down.jsonl");
    let text = fs::read_to_string(&fixture).expect("fixture");
    assert!(text.lines().all(|l| l.starts_with(r#"{"v":1,"#)), "the fixture is a v1 journal");
    let dir = tempfile::tempdir().expect("tempdir");
    let id = "2026-11-22-db-down";
    fs::create_dir(dir.path().join(id)).expect("mkdir");
    fs::copy(&fixture, journal_path(dir.path(), id)).expect("copy");

    let mut j = Journal::open(dir.path(), id).expect("open");
    let old = j.read_new().expect("read");
    assert!(old.warnings.is_empty(), "{:?}", old.warnings);
    assert_eq!(old.records.len(), text.lines().count());
    let ids: std::collections::HashSet<&str> = old.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), old.records.len(), "each v1 line its own id");
    assert!(old.records.iter().all(|r| r.id.starts_with("v1-") && r.host.is_empty() && r.v == 1));
    assert_eq!(Journal::read_all(j.path()).expect("again").records, old.records, "the same ids every read");

    j.append(&note("", "a v2 note on a v1 incident")).expect("append");
    let new = j.read_new().expect("read new").records;
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].v, incident::FORMAT_VERSION);
    assert!(incident::recid::is_valid(&new[0].id));
    assert!(matches!(&new[0].event, Event::Note { id, .. } if *id == new[0].id), "a v2 note's id is its record's");
    let (pm, warnings) =
        incident::postmortem_of(dir.path(), id, &incident::postmortem::Layout::default()).expect("post-mortem");
    assert!(warnings.is_empty());
    assert!(pm.contains("a v2 note on a v1 incident"), "{pm}");
    assert!(pm.contains("DB down: API pool exhausted"), "{pm}");
}

/// Merging another engineer's copy of the journal (the same records, some
/// twice, in another order) changes nothing in the timeline or the
/// post-mortem.
#[test]
fn merging_a_copy_in_any_order_gives_the_same_post_mortem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut j = Journal::create(dir.path(), &decl("copy")).expect("create");
    for r in every_kind() {
        j.append(&r).expect("append");
    }
    let mine = incident::merge::union(j.read_new().expect("read").records);
    let mut theirs: Vec<Record> = mine.iter().rev().cloned().collect();
    theirs.extend(mine.iter().step_by(2).cloned());
    let merged = incident::merge::union(mine.iter().cloned().chain(theirs));
    assert_eq!(merged, mine);
    assert_eq!(incident::postmortem::render(&merged, None), incident::postmortem::render(&mine, None));
}

/// What the shared war room receives: a record once whatever how often it
/// arrives, a forged record reusing an id refused, another console's copy
/// of a captured event kept (every journal then holds the same copies), and
/// a joined incident's journal created empty.
#[test]
fn received_records_are_written_once_and_forged_ids_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut j = Journal::create_on(dir.path(), &decl("db down"), "bastion").expect("create");
    let id = j.id().to_string();
    let bob = note("", "bob's note").with_id("01JDX3ZC8Q4M5T0V6B7N8P9R2S@laptop", "laptop");
    let got = j.append_received(&[bob.clone(), bob.clone()]).expect("append");
    assert_eq!((got.added, got.duplicate, got.refused), (1, 1, 0));
    let again = j.append_received(std::slice::from_ref(&bob)).expect("append");
    assert_eq!((again.added, again.duplicate), (0, 1), "received again: nothing written");
    let forged = Record { event: Event::Note { id: bob.id.clone(), text: "FORGED".into() }, ..bob.clone() };
    assert_eq!(j.append_received(&[forged]).expect("append").refused, 1);

    let fired = |host: &str, ulid: &str| {
        Record::new(
            t0(),
            "x",
            Event::AlertFired {
                fingerprint: "f1".into(),
                alertname: "DatabaseDown".into(),
                severity: "critical".into(),
                labels: BTreeMap::new(),
                summary: String::new(),
                runbook_url: None,
            },
        )
        .with_id(format!("{ulid}@{host}"), host)
    };
    j.append(&Record { id: String::new(), host: String::new(), ..fired("bastion", "01JDX3ZC8Q4M5T0V6B7N8P9R2T") })
        .expect("own capture");
    let theirs = fired("laptop", "01JDX3ZC8Q4M5T0V6B7N8P9R2V");
    assert_eq!(j.append_received(&[theirs]).expect("append").added, 1, "the other console's copy is kept");

    let all = Journal::read_all(&journal_path(dir.path(), &id)).expect("read");
    let texts: Vec<_> = all
        .records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Note { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, vec!["bob's note"]);
    let timeline = incident::Timeline::build(&incident::merge::union(all.records.clone()));
    let shown = timeline.entries.iter().filter(|e| e.kind == incident::EntryKind::Alert).count();
    assert_eq!(shown, 1, "the captured event shows once: {:?}", timeline.entries);

    let other = tempfile::tempdir().expect("tmp");
    let mut joined = Journal::join(other.path(), &id).expect("join");
    assert!(joined.read_new().expect("read").records.is_empty());
    assert_eq!(joined.append_received(&all.records).expect("append").added, all.records.len());
    assert!(Journal::join(other.path(), "../escape").is_err());
}
