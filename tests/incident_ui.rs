//! The timeline pane and the note editor rendered on a `TestBackend`.

use std::path::Path;

use chrono::FixedOffset;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use ratatui_textarea::{Input, Key};
use warroom::incident::{EntryKind, Journal};
use warroom::state::incident::{IncidentState, TimeDisplay};
use warroom::ui::note_editor::{self, EditorAction, EditorPurpose, NoteEditor};
use warroom::ui::timeline;

fn screen(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height).map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect()).collect()
}

fn state() -> IncidentState {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident/db-down.jsonl");
    let mut s = IncidentState::new("dave");
    s.load("2026-11-22-db-down", Journal::read_all(&path).expect("fixture"));
    s
}

fn render(w: u16, h: u16, f: impl FnOnce(&mut ratatui::Frame)) -> Buffer {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    term.draw(f).expect("draw");
    term.backend().buffer().clone()
}

fn row_of(lines: &[String], needle: &str) -> usize {
    lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{}", lines.join("\n")))
}

#[test]
fn timeline_shows_events_in_time_order() {
    let s = state();
    let buf = render(100, 30, |f| timeline::draw(f, f.area(), &s, true));
    let lines = screen(&buf);
    assert!(lines[0].contains("Incident 2026-11-22-db-down · resolved · IC carol"));
    let first = row_of(&lines, "10:01:58 bob        pinned   pinned log");
    let declared = row_of(&lines, "10:07:30 alice      incident declared");
    assert!(first < declared);
    // No escape sequence reaches the screen, the text of it does.
    assert!(lines.iter().any(|l| l.contains("restarted api-1 now | watching")));
    assert!(lines.iter().all(|l| !l.contains('\u{1b}')));
    // The last entry is selected and, focused, reversed.
    let last = row_of(&lines, "11:02:00 carol");
    assert!(buf[(1, last as u16)].modifier.contains(Modifier::REVERSED));
    let footer = &lines[28];
    assert!(footer.contains("incident note alert silence runbook pinned · times UTC"));
}

#[test]
fn struck_notes_are_crossed_out_and_filters_apply() {
    let mut s = state();
    s.filter(Some(EntryKind::Note));
    let buf = render(100, 16, |f| timeline::draw(f, f.area(), &s, false));
    let lines = screen(&buf);
    assert!(lines.iter().all(|l| !l.contains("alert firing")));
    let y = row_of(&lines, "maybe DNS?") as u16;
    let x = lines[y as usize].find("maybe").expect("text") as u16;
    assert!(buf[(x, y)].modifier.contains(Modifier::CROSSED_OUT));
    let last = row_of(&lines, "!action add an alert") as u16;
    assert!(!buf[(1, last)].modifier.contains(Modifier::REVERSED), "unfocused");
    let footer_y = 14;
    let x = lines[footer_y].find("alert").expect("filter chip") as u16;
    assert!(buf[(x, footer_y as u16)].modifier.contains(Modifier::CROSSED_OUT));
}

#[test]
fn local_time_and_empty_states() {
    let mut s = state();
    s.time = TimeDisplay::Local(FixedOffset::east_opt(3600).expect("offset"));
    let lines = screen(&render(100, 30, |f| timeline::draw(f, f.area(), &s, true)));
    row_of(&lines, "12:02:00 carol");
    row_of(&lines, "times local (+01:00)");

    let none = IncidentState::new("dave");
    let lines = screen(&render(60, 6, |f| timeline::draw(f, f.area(), &none, true)));
    row_of(&lines, "No incident. Press i to declare one.");
}

fn key(c: char) -> Input {
    Input { key: Key::Char(c), ..Input::default() }
}

fn ctrl_s() -> Input {
    Input { key: Key::Char('s'), ctrl: true, ..Input::default() }
}

#[test]
fn note_editor_saves_and_keeps_text_on_failure() {
    let mut ed = NoteEditor::new(EditorPurpose::NewNote, "");
    assert_eq!(ed.handle(ctrl_s()), EditorAction::None, "empty is not saved");
    assert_eq!(ed.error(), Some("nothing to save"));
    for c in "!cause pool".chars() {
        assert_eq!(ed.handle(key(c)), EditorAction::None);
    }
    ed.handle(Input { key: Key::Enter, ..Input::default() });
    ed.handle(key('x'));
    assert_eq!(ed.handle(ctrl_s()), EditorAction::Save("!cause pool\nx".into()));

    ed.save_failed("cannot write to journal.jsonl: Read-only file system (os error 30)");
    assert_eq!(ed.text(), "!cause pool\nx");
    let lines = screen(&render(80, 20, |f| note_editor::draw(f, f.area(), &ed)));
    row_of(&lines, "New note");
    row_of(&lines, "Ctrl-S save · Esc cancel");
    row_of(&lines, "!cause pool");
    row_of(&lines, "not saved: cannot write to journal.jsonl: Read-only");
    row_of(&lines, "tags: !action !decision !impact !cause");
    assert_eq!(ed.handle(Input { key: Key::Esc, ..Input::default() }), EditorAction::Cancel);
}

#[test]
fn edit_popup_is_prefilled() {
    let ed = NoteEditor::new(EditorPurpose::EditNote { id: "bob.1".into() }, "line one\nline two");
    assert_eq!(ed.text(), "line one\nline two");
    let lines = screen(&render(40, 10, |f| note_editor::draw(f, f.area(), &ed)));
    row_of(&lines, "Edit note bob.1");
    row_of(&lines, "line two");
}
