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

fn fired(at: &str, fingerprint: &str, name: &str) -> Record {
    let labels = [("alertname", name), ("instance", "api-1"), ("severity", "critical")];
    rec(
        at,
        Event::AlertFired {
            fingerprint: fingerprint.into(),
            alertname: name.into(),
            severity: "critical".into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            summary: String::new(),
            runbook_url: None,
        },
    )
}

fn history(fingerprint: &str, starts_at: &str, previous: &[(&str, &str)], omitted: usize) -> Record {
    use warroom::model::history::Firing;
    let previous = previous.iter().map(|(a, b)| Firing { start: t(a), end: t(b) }).collect();
    let event = Event::AlertHistory {
        fingerprint: fingerprint.into(),
        alertname: "ignored".into(),
        starts_at: t(starts_at),
        window_secs: 7 * 86_400,
        previous,
        omitted,
    };
    rec("2026-11-22T10:03:00Z", event)
}

/// Issue 18: the supporting information lists each alert's previous
/// firings, from the history the console recorded into the journal.
#[test]
fn previous_occurrences_of_every_alert_involved() {
    let recs = vec![
        declared("2026-11-22T10:00:00Z"),
        fired("2026-11-22T10:02:00Z", "aa", "PoolExhausted"),
        fired("2026-11-22T10:02:30Z", "bb", "ReadinessFailed"),
        fired("2026-11-22T10:04:00Z", "cc", "DiskFull"),
        history(
            "aa",
            "2026-11-22T10:02:00Z",
            &[("2026-11-20T03:10:00Z", "2026-11-20T03:22:00Z"), ("2026-11-21T03:05:00Z", "2026-11-21T03:19:00Z")],
            3,
        ),
        // A later firing's record does not replace the incident's first.
        history("aa", "2026-11-22T10:40:00Z", &[], 0),
        history("bb", "2026-11-22T10:02:30Z", &[], 0),
    ];
    let out = postmortem::render(&recs, None);
    let line = |needle: &str| out.lines().find(|l| l.contains(needle)).unwrap_or_default().to_string();
    assert_eq!(
        line("PoolExhausted `"),
        "- PoolExhausted `{instance=\"api-1\"}`: 5× in the 7d before 2026-11-22 10:02:00Z (median 12m00s): \
         3 earlier, 2026-11-20 03:10:00Z for 12m00s, 2026-11-21 03:05:00Z for 14m00s",
        "{out}"
    );
    assert_eq!(
        line("ReadinessFailed `"),
        "- ReadinessFailed `{instance=\"api-1\"}`: none in the 7d before (first time)"
    );
    assert!(line("DiskFull `").ends_with(": not recorded (its history was not read while the incident was open)"));
    assert_eq!(Timeline::build(&recs).entries.len(), 4, "history records are no timeline rows");
    let none = postmortem::render(&recs[..4], None);
    assert!(none.contains("Previous occurrences: not recorded"), "{none}");
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

/// Every remote string of a journal carries HTML and markdown that would
/// render where the post-mortem is pasted (GitHub, GitLab, wikis, chat).
/// Rendered with a CommonMark parser (tables on, as GitHub has them), the
/// document holds no HTML node and no link or image but the one the
/// engineer wrote in a note, every table row keeps its columns, and no
/// `@everyone` is left to ping a channel.
#[test]
fn remote_markup_renders_as_text_in_the_postmortem() {
    use pulldown_cmark::{Event as Md, Options, Parser, Tag, TagEnd};
    const PAYLOADS: &str = "<img src=x onerror=alert(1)> <script>alert(2)</script> </td></tr></table> \
        [click](javascript:alert(3)) ![t](http://tracker.example/p.gif) @everyone a|b <b>&amp; \
        <http://auto.example> `code` **bold** ~~s~~";
    let p = |s: &str| format!("{s} {PAYLOADS}");
    let at = t("2026-11-22T10:00:00Z");
    let labels: std::collections::BTreeMap<String, String> =
        [("job".to_string(), p("job")), (p("k"), "v".to_string())].into();
    let events = vec![
        (at, Event::Declared { title: p("title"), severity: p("sev"), commander: p("cmd") }),
        (
            at,
            Event::AlertFired {
                fingerprint: "f1".into(),
                alertname: p("name"),
                severity: p("crit"),
                labels: labels.clone(),
                summary: p("summary"),
                runbook_url: Some(p("http://rb.example/x")),
            },
        ),
        (
            at,
            Event::Note {
                id: "a.1".into(),
                text: format!("!cause see [the wiki](https://wiki.example/db) {PAYLOADS}"),
            },
        ),
        (at, Event::Note { id: "a.2".into(), text: format!("!action @bob {PAYLOADS}") }),
        (at, Event::Status { status: Status::Mitigated }),
        (at, Event::RunbookOpened { runbook: p("rb") }),
        (at, Event::PinnedLog { ts: at, labels: labels.clone(), line: p("log") }),
        (
            at,
            Event::PinnedGraph {
                title: p("graph"),
                query: p("q"),
                sparkline: "▁▃".into(),
                min: Some(1.0),
                max: Some(2.0),
                unit: p("unit"),
                from: at,
                to: at,
            },
        ),
        (
            at,
            Event::SilenceCreated {
                id: p("sil"),
                matchers: vec![p("m")],
                comment: p("comment"),
                ends_at: at,
                created_by: p("by"),
            },
        ),
    ];
    let records: Vec<Record> = events.into_iter().map(|(at, e)| Record::new(at, p("author"), e)).collect();
    let out = postmortem::render(&records, None);

    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut links = Vec::new();
    let mut in_code = 0;
    let mut html_blocks = Vec::new();
    for ev in Parser::new_ext(&out, opts) {
        match ev {
            Md::Start(Tag::HtmlBlock) => html_blocks.push(String::new()),
            Md::Html(h) => html_blocks.last_mut().expect("inside a block").push_str(&h),
            Md::InlineHtml(h) => panic!("inline HTML {h:?} in:\n{out}"),
            Md::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.to_string()),
            Md::Start(Tag::Image { dest_url, .. }) => panic!("image {dest_url} in:\n{out}"),
            Md::Start(Tag::CodeBlock(_)) => in_code += 1,
            Md::End(TagEnd::CodeBlock) => in_code -= 1,
            Md::Code(_) => {}
            Md::Text(s) if in_code == 0 => assert!(!s.contains("@everyone"), "a mention in {s:?}"),
            _ => {}
        }
    }
    assert_eq!(links, ["https://wiki.example/db"], "{out}");
    // The template's own comment is the only HTML.
    assert_eq!(html_blocks.len(), 1, "{html_blocks:?}");
    assert!(
        html_blocks[0].starts_with("<!-- Draft generated by warroom") && html_blocks[0].trim_end().ends_with("-->")
    );
    for table in out.split("\n\n").filter(|b| b.starts_with("| ")) {
        let cols = |l: &str| l.replace("\\|", "").matches('|').count();
        let header = cols(table.lines().next().unwrap_or_default());
        assert!(table.lines().all(|l| cols(l) == header), "ragged table:\n{table}");
    }
    // The text is still there to read.
    assert!(out.contains("onerror=alert(1)") || out.contains("onerror=alert\\(1\\)"), "{out}");
}
