//! The pure incident state: filtering, selection, intents as records to
//! write, `:` commands, dedupe of automatic captures.

use std::path::Path;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use warroom::incident::{EntryKind, Event, Journal, ReadOutcome, Record, Status};
use warroom::state::incident::{DeclareDraft, IncidentCommand, IncidentState, IntentError, TimeDisplay};

fn fixture() -> ReadOutcome {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident/db-down.jsonl");
    Journal::read_all(&path).expect("fixture reads")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T11:10:00Z").expect("valid time").with_timezone(&Utc)
}

fn loaded() -> IncidentState {
    let mut s = IncidentState::new("dave");
    s.load("2026-11-22-db-down", fixture());
    s
}

fn read(records: Vec<Record>) -> ReadOutcome {
    ReadOutcome { records, warnings: Vec::new() }
}

/// Selects the entry created by note `id`.
fn select_note(s: &mut IncidentState, id: &str) {
    let pos = s
        .visible()
        .iter()
        .position(|e| e.note_id.as_deref() == Some(id) && matches!(s.records()[e.record].event, Event::Note { .. }))
        .expect("note entry");
    let cur = s.selected().expect("a selection") as isize;
    s.move_selection(pos as isize - cur);
}

#[test]
fn load_selects_the_latest_and_filters_by_kind() {
    let mut s = loaded();
    let n = s.visible().len();
    assert_eq!(n, 22, "the duplicate alert capture is folded");
    assert_eq!(s.selected(), Some(n - 1));
    s.filter(Some(EntryKind::Note));
    assert!(s.visible().iter().all(|e| e.kind == EntryKind::Note));
    assert_eq!(s.visible().len(), 9);
    assert_eq!(s.selected(), Some(8));
    s.toggle_kind(EntryKind::Alert);
    assert!(s.is_shown(EntryKind::Alert));
    assert_eq!(s.visible().len(), 13);
    s.filter(None);
    assert_eq!(s.visible().len(), n);
    s.move_selection(-1000);
    assert_eq!(s.selected(), Some(0));
}

/// A note's id is its record's, which the journal assigns when it writes
/// it: globally unique, never a position.
#[test]
fn notes_get_the_id_of_their_record_when_written() {
    let mut s = loaded();
    let a = s.new_note("!action page the DBA", now()).expect("note");
    assert!(matches!(&a.event, Event::Note { id, .. } if id.is_empty()));
    assert!(a.id.is_empty(), "not written yet");
    assert_eq!(a.author, "dave");
    let dir = tempfile::tempdir().expect("tempdir");
    let decl = warroom::incident::Declaration {
        title: "t".into(),
        severity: "page".into(),
        commander: "dave".into(),
        at: now(),
        author: "dave".into(),
    };
    let mut j = warroom::incident::Journal::create_on(dir.path(), &decl, "laptop-7").expect("create");
    j.append(&a).expect("append");
    let b = s.new_note("second", now()).expect("note");
    j.append(&b).expect("append");
    let back = j.read_new().expect("read").records;
    let notes: Vec<&Record> = back.iter().filter(|r| matches!(r.event, Event::Note { .. })).collect();
    assert_eq!(notes.len(), 2);
    for n in &notes {
        assert!(warroom::incident::recid::is_valid(&n.id), "{}", n.id);
        assert!(n.id.ends_with("@laptop-7"), "{}", n.id);
        assert_eq!(n.host, "laptop-7");
        assert!(matches!(&n.event, Event::Note { id, .. } if *id == n.id));
    }
    assert!(notes[0].id < notes[1].id, "written in order, ids in order");
    assert_eq!(s.new_note("  \n", now()), Err(IntentError::Empty));
    let mut empty = IncidentState::new("dave");
    assert_eq!(empty.new_note("x", now()), Err(IntentError::NoIncident));
}

#[test]
fn edit_and_strike_keep_both_versions() {
    let mut s = loaded();
    select_note(&mut s, "bob.2");
    let edit = s.edit_selected("restarted api-1 and api-2", now()).expect("edit");
    assert_eq!(
        s.edit_selected("restarted api-1 \u{1b}[31mnow\u{1b}[0m | watching", now()),
        Err(IntentError::Unchanged)
    );
    let strike = s.strike_selected(now() + Duration::seconds(1)).expect("strike");
    s.merge(read(vec![edit, strike]));
    let note = &s.timeline().notes["bob.2"];
    assert_eq!(note.versions.len(), 2);
    assert_eq!(note.current().text, "restarted api-1 and api-2");
    assert!(note.struck.is_some());
    assert_eq!(s.strike_selected(now()), Err(IntentError::Struck));
    assert_eq!(s.edit_selected("again", now()), Err(IntentError::Struck));
    s.filter(Some(EntryKind::Alert));
    assert_eq!(s.strike_selected(now()), Err(IntentError::NotANote));
}

#[test]
fn merge_keeps_the_selection_unless_following_the_tail() {
    let mut s = loaded();
    s.move_selection(-3);
    let before = s.selected_entry().map(|e| e.record);
    let note = s.new_note("later", now()).expect("note");
    s.merge(read(vec![note]));
    assert_eq!(s.selected_entry().map(|e| e.record), before);
    s.move_selection(1000);
    let note = s.new_note("latest", now()).expect("note");
    s.merge(read(vec![note]));
    assert_eq!(s.selected(), Some(s.visible().len() - 1));
}

#[test]
fn status_commander_and_commands() {
    let mut s = IncidentState::new("dave");
    let draft = DeclareDraft::from_alert("APIDown", "critical", "API is down", "dave");
    assert_eq!(draft.title, "APIDown: API is down");
    let parsed = DeclareDraft::parse(&draft.to_text()).expect("round trip");
    assert_eq!(parsed, draft);
    let mut d = parsed;
    d.commander.clear();
    let decl = s.declare(&d, now());
    assert_eq!(decl.commander, "dave");
    let declared = Record::new(
        now(),
        "dave",
        Event::Declared { title: decl.title, severity: decl.severity, commander: decl.commander },
    );
    s.load("2026-11-22-apidown-api-is-down", read(vec![declared]));

    assert_eq!(s.set_status(Status::Investigating, now()), Err(IntentError::Unchanged));
    let rec = s.advance_status(now()).expect("advance");
    assert_eq!(rec.event, Event::Status { status: Status::Mitigated });
    let local = FixedOffset::east_opt(3600).expect("offset");
    let cmd = IncidentCommand::parse(":commander erin", local).expect("parse");
    let rec = s.command(cmd, now()).expect("command").expect("a record");
    assert_eq!(rec.event, Event::Commander { name: "erin".into() });
    let cmd = IncidentCommand::parse("time local", local).expect("parse");
    assert_eq!(s.command(cmd, now()), Ok(None));
    assert_eq!(s.time, TimeDisplay::Local(local));
    assert_eq!(IncidentCommand::parse("res", local), Err(IntentError::UnknownCommand("res".into())));
    assert_eq!(IncidentCommand::parse("status res", local), Ok(IncidentCommand::Status(Status::Resolved)));
    assert_eq!(IncidentCommand::parse("filter note", local), Ok(IncidentCommand::Filter(Some(EntryKind::Note))));
    assert!(IncidentCommand::parse("filter bogus", local).is_err());
}

#[test]
fn captures_are_not_written_twice() {
    let s = loaded();
    let again = s.records()[1].clone();
    assert!(matches!(again.event, Event::AlertFired { .. }));
    assert_eq!(s.capture(again.at, again.event.clone()), None);
    let resolved = Event::AlertResolved {
        fingerprint: "e5f6a7b8".into(),
        alertname: "VezaReadinessFailed\u{1b}[0m".into(),
        starts_at: None,
    };
    let rec = s.capture(now(), resolved).expect("new capture");
    assert_eq!(
        rec.event,
        Event::AlertResolved {
            fingerprint: "e5f6a7b8".into(),
            alertname: "VezaReadinessFailed".into(),
            starts_at: None
        }
    );
    let mut with = s.clone();
    with.merge(read(vec![rec.clone()]));
    assert_eq!(with.capture(rec.at, rec.event), None);
    assert_eq!(IncidentState::new("x").capture(now(), Event::SilenceExpired { id: "s".into() }), None);
}
