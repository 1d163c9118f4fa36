//! The post-mortem rendered from a real-shaped journal, compared with a
//! golden file; the durations; template overrides; `export`.
//!
//! To bless a deliberate change of the output:
//! `WARROOM_BLESS=1 cargo test --test incident_postmortem`.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use warroom::incident::{self, Declaration, Event, Journal, Record, Status, Timeline, postmortem};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident")
}

fn records() -> Vec<Record> {
    let read = Journal::read_all(&fixtures().join("db-down.jsonl")).expect("fixture journal reads");
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    read.records
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("valid time").with_timezone(&Utc)
}

#[test]
fn postmortem_matches_the_golden_file() {
    let out = postmortem::render(&records(), None);
    let golden = fixtures().join("db-down.postmortem.md");
    if std::env::var_os("WARROOM_BLESS").is_some() {
        fs::write(&golden, &out).expect("bless golden");
    }
    let want = fs::read_to_string(&golden).expect("golden file exists");
    assert_eq!(out, want, "post-mortem changed; bless with WARROOM_BLESS=1 if intended");
}

#[test]
fn postmortem_is_clean_and_tables_hold() {
    let out = postmortem::render(&records(), None);
    assert!(!out.contains('\u{1b}'), "escape sequence leaked");
    assert!(out.contains("restarted api-1 now \\| watching"));
    assert!(out.contains("DB pool exhausted on api-1 \\| 50/50 connections"));
    // Every table row has as many unescaped pipes as its header.
    for table in out.split("\n\n").filter(|b| b.starts_with("| ")) {
        let cols = |l: &str| l.replace("\\|", "").matches('|').count();
        let header = cols(table.lines().next().unwrap_or_default());
        assert!(table.lines().all(|l| cols(l) == header), "ragged table:\n{table}");
    }
    // The duplicate capture by a second warroom appears once.
    assert_eq!(out.matches("alert firing: VezaDBPoolExhausted").count(), 1);
}

#[test]
fn durations_are_measured_from_the_first_alert() {
    let m = Timeline::build(&records()).milestones();
    assert_eq!(m.first_alert, Some(t("2026-11-22T10:02:00Z")));
    assert_eq!(m.time_to_detect(), Some(Duration::seconds(5 * 60 + 30)));
    assert_eq!(m.time_to_mitigate(), Some(Duration::minutes(28)));
    assert_eq!(m.time_to_resolve(), Some(Duration::minutes(60)));
}

fn rec(at: &str, event: Event) -> Record {
    Record::new(t(at), "alice", event)
}

fn declared(at: &str) -> Record {
    rec(at, Event::Declared { title: "t".into(), severity: "page".into(), commander: "alice".into() })
}

fn status(at: &str, status: Status) -> Record {
    rec(at, Event::Status { status })
}

#[test]
fn durations_without_alerts_count_from_the_declaration() {
    let recs = vec![declared("2026-11-22T10:00:00Z"), status("2026-11-22T10:10:00Z", Status::Resolved)];
    let m = Timeline::build(&recs).milestones();
    assert_eq!(m.time_to_detect(), None);
    // Resolved without passing through mitigated: mitigated then too.
    assert_eq!(m.time_to_mitigate(), Some(Duration::minutes(10)));
    assert_eq!(m.time_to_resolve(), Some(Duration::minutes(10)));
}

#[test]
fn a_reopened_incident_is_not_resolved() {
    let recs = vec![
        declared("2026-11-22T10:00:00Z"),
        status("2026-11-22T10:05:00Z", Status::Mitigated),
        status("2026-11-22T10:10:00Z", Status::Resolved),
        status("2026-11-22T10:20:00Z", Status::Investigating),
    ];
    let tl = Timeline::build(&recs);
    assert_eq!(tl.status, Some(Status::Investigating));
    let m = tl.milestones();
    assert_eq!(m.time_to_mitigate(), Some(Duration::minutes(5)));
    assert_eq!(m.time_to_resolve(), None);
    let out = postmortem::render(&recs, None);
    assert!(out.contains("not resolved yet"));
}

#[test]
fn empty_sections_are_todo_for_the_author() {
    let out = postmortem::render(&[declared("2026-11-22T10:00:00Z")], None);
    for section in ["## Impact", "## Root causes", "## Trigger", "## Action items"] {
        let body = out.split(section).nth(1).expect("section present");
        assert!(body.trim_start().starts_with("TODO:"), "{section} not TODO");
    }
    assert!(out.contains("#### Where we got lucky\n\nTODO:"));
}

#[test]
fn a_template_overrides_the_layout() {
    let tpl = "# {{title}} ({{status}})\nTTx:\n{{durations}}\n{{unknown}}\n";
    let out = postmortem::render(&records(), Some(tpl));
    assert!(out.starts_with("# DB down: API pool exhausted (resolved)\n"));
    assert!(out.contains("| Time to detect | first alert 2026-11-22 10:02:00Z"));
    assert!(out.ends_with("{{unknown}}\n"));
}

#[test]
fn export_writes_the_open_incident_atomically() {
    let dir = tempfile::tempdir().expect("tempdir");
    let decl = Declaration {
        title: "Disk full on db-1".into(),
        severity: "warning".into(),
        commander: "alice".into(),
        at: t("2026-11-23T08:00:00Z"),
        author: "alice".into(),
    };
    let mut j = Journal::create(dir.path(), &decl).expect("create");
    j.append(&rec("2026-11-23T08:05:00Z", Event::Note { id: "alice.1".into(), text: "!impact writes failing".into() }))
        .expect("append");
    let path = incident::export(dir.path(), None, None).expect("export");
    assert_eq!(path, dir.path().join(j.id()).join(incident::POSTMORTEM_FILE));
    let md = fs::read_to_string(&path).expect("read export");
    assert!(md.starts_with("# Post-mortem: Disk full on db-1"));
    assert!(md.contains("- writes failing (alice, 2026-11-23 08:05:00Z)"));

    let out = dir.path().join("pm.md");
    let written = incident::export(dir.path(), Some(j.id()), Some(&out)).expect("export --out");
    assert_eq!(written, out);
    assert_eq!(fs::read_to_string(&out).expect("read --out"), md);

    let err = incident::export(dir.path(), Some("2026-01-01-nope"), None).expect_err("missing id");
    assert!(err.to_string().contains("2026-01-01-nope"));
    let empty = tempfile::tempdir().expect("tempdir");
    let err = incident::export(empty.path(), None, None).expect_err("no incident");
    assert!(err.to_string().starts_with("no incident in"));
}

#[test]
fn template_is_loaded_from_the_config_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(incident::load_template(dir.path()).expect("no template"), None);
    fs::write(dir.path().join(incident::TEMPLATE_FILE), "{{title}}").expect("write");
    assert_eq!(incident::load_template(dir.path()).expect("template").as_deref(), Some("{{title}}"));
}
