use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::msg::{Msg, Payload, SourceId, SourceKind};
use crate::state::tests::press;
use crate::state::tests::{board, poll, state};
use crate::state::update;
use crate::theme::Role;

fn loaded() -> State {
    let mut s = state();
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    update(&mut s, poll(am, Ok(Payload::AmAlerts(crate::model::share(board())))));
    s
}

fn ctrl(s: &mut State, c: char) {
    update(s, Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

fn input(s: &State) -> &str {
    s.view.prompt.open.as_ref().map(|p| p.input.as_str()).unwrap_or("<closed>")
}

#[test]
fn tab_cycles_candidates_and_suggests() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "gro");
    assert_eq!(suggestion(&s).as_deref(), Some("up"), "dim rest of the first candidate");
    press(&mut s, KeyCode::Tab);
    assert_eq!(input(&s), "group");
    press(&mut s, KeyCode::Tab);
    assert_eq!(input(&s), "group-by");
    press(&mut s, KeyCode::Tab);
    assert_eq!(input(&s), "group", "cycles back");
    typed(&mut s, " se");
    press(&mut s, KeyCode::BackTab);
    assert_eq!(input(&s), "group severity", "Shift-Tab from the end");
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.alerts.grouping.name(), "severity");
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "filter severity=cr");
    press(&mut s, KeyCode::Tab);
    assert_eq!(input(&s), "filter severity=critical", "a single candidate is taken");
    assert_eq!(suggestion(&s), None);
}

#[test]
fn cursor_moves_and_edits_in_place() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "group service");
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::Delete);
    typed(&mut s, "G");
    assert_eq!(input(&s), "Group service");
    ctrl(&mut s, 'e');
    ctrl(&mut s, 'w');
    assert_eq!(input(&s), "Group ");
    press(&mut s, KeyCode::Left);
    press(&mut s, KeyCode::Backspace);
    assert_eq!((input(&s), s.view.prompt.edit.cursor), ("Grou ", Some(4)));
    press(&mut s, KeyCode::Right);
    typed(&mut s, "é");
    assert_eq!((input(&s), s.view.prompt.edit.cursor), ("Grou é", None));
    ctrl(&mut s, 'a');
    press(&mut s, KeyCode::Right);
    ctrl(&mut s, 'u');
    assert_eq!(input(&s), "rou é");
    press(&mut s, KeyCode::Esc);
    assert!(s.view.prompt.open.is_none());
    assert_eq!(s.view.prompt.edit, PromptEdit { history: s.view.prompt.edit.history.clone(), ..Default::default() });
}

#[test]
fn history_is_recalled_and_saved() {
    let mut s = loaded();
    for line in ["group service", "theme light"] {
        press(&mut s, KeyCode::Char(':'));
        typed(&mut s, line);
        let cmds = press(&mut s, KeyCode::Enter);
        assert!(cmds.iter().any(|c| matches!(c, Cmd::SaveHistory(t) if t.ends_with(&format!("{line}\n")))), "{cmds:?}");
    }
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "mut");
    press(&mut s, KeyCode::Up);
    assert_eq!(input(&s), "theme light");
    press(&mut s, KeyCode::Up);
    assert_eq!(input(&s), "group service");
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Down);
    assert_eq!(input(&s), "mut", "back to what was typed");
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char(':'));
    let cmds = press(&mut s, KeyCode::Enter);
    assert!(cmds.iter().all(|c| !matches!(c, Cmd::SaveHistory(_))), "empty lines are not kept");
}

#[test]
fn the_filter_prompt_still_filters_as_you_type() {
    let mut s = loaded();
    press(&mut s, KeyCode::Char('/'));
    typed(&mut s, "db");
    assert_eq!(s.alerts.filter, "db");
    press(&mut s, KeyCode::Home);
    typed(&mut s, "x");
    assert_eq!(s.alerts.filter, "xdb");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.alerts.filter, "");
}

/// `:theme FILE` reads no file here: the runtime is asked, and the answer
/// shows the theme (kept in the history) or says what is wrong.
#[test]
fn a_theme_file_is_asked_for_and_applied_when_it_arrives() {
    use crate::msg::ThemeToml;
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "theme ops");
    let cmds = press(&mut s, KeyCode::Enter);
    assert_eq!(cmds, vec![Cmd::LoadTheme { name: "ops".into() }], "no history before it worked");
    assert_eq!(s.prefs.theme.name, "default");
    let toml = "[styles]\ncritical = { fg = \"#010203\" }\n".to_string();
    s.frame.dirty = false;
    let cmds = update(&mut s, Msg::Theme(Ok(ThemeToml { name: "ops".into(), toml })));
    assert_eq!(s.prefs.theme.name, "ops");
    assert_eq!(s.prefs.theme.style(Role::Critical).fg, Some(ratatui::style::Color::Rgb(1, 2, 3)));
    assert!(s.frame.dirty);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::SaveHistory(t) if t.ends_with("theme ops\n"))), "{cmds:?}");

    update(&mut s, Msg::Theme(Err("unknown theme \"nope\"".into())));
    assert_eq!(s.prefs.theme.name, "ops", "kept");
    assert!(s.view.flash.as_ref().is_some_and(|f| f.error && f.text.contains("nope")));
    let bad = ThemeToml { name: "bad".into(), toml: "[styles]\nsparkle = {}\n".into() };
    let cmds = update(&mut s, Msg::Theme(Ok(bad)));
    assert_eq!(s.prefs.theme.name, "ops");
    assert!(s.view.flash.as_ref().is_some_and(|f| f.error && f.text.contains("sparkle")));
    assert!(cmds.iter().all(|c| !matches!(c, Cmd::SaveHistory(_))), "{cmds:?}");
}

#[test]
fn handoff_and_join_are_commands_for_the_runtime() {
    use crate::incident::{Event, ReadOutcome, Record};
    use crate::msg::IncidentMsg;
    let mut s = loaded();
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "handoff");
    assert!(press(&mut s, KeyCode::Enter).is_empty(), "no incident, no handoff");
    assert!(s.view.flash.as_ref().is_some_and(|f| f.error && f.text.contains("declare one first")));

    let declared = Record::new(
        s.clock.now,
        "alice",
        Event::Declared { title: "DB down".into(), severity: "critical".into(), commander: "alice".into() },
    )
    .with_id("01JDX3ZC8Q4M5T0V6B7N8P9R2S@h", "h");
    let read = ReadOutcome { records: vec![declared], warnings: Vec::new() };
    update(&mut s, Msg::Incident(IncidentMsg::Loaded { id: "2026-12-02-db-down".into(), read }));
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "handoff");
    let cmds = press(&mut s, KeyCode::Enter);
    let [Cmd::WriteHandoff(file), Cmd::Clipboard(copied), ..] = &cmds[..] else { panic!("{cmds:?}") };
    assert_eq!(file, copied);
    assert!(file.starts_with("# Handoff: DB down") && file.contains("In the room: alice."), "{file}");

    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "join 2026-12-02-db-down");
    assert!(press(&mut s, KeyCode::Enter).contains(&Cmd::Join("2026-12-02-db-down".into())));
    let cmds = update(&mut s, Msg::Incident(IncidentMsg::Joined(Ok("2026-12-02-db-down".into()))));
    assert_eq!(cmds, vec![Cmd::OpenIncident("2026-12-02-db-down".into())]);
    update(&mut s, Msg::Incident(IncidentMsg::Joined(Err("no shared incident".into()))));
    assert!(s.view.flash.as_ref().is_some_and(|f| f.error && f.text == "join failed: no shared incident"));
}

#[test]
fn join_completes_the_open_shared_incidents() {
    use crate::msg::IncidentMsg;
    let mut s = loaded();
    let open = vec![("2026-12-02-db-down".to_string(), "DB down".to_string())];
    update(&mut s, Msg::Incident(IncidentMsg::SharedOpen(open)));
    assert!(s.view.flash.as_ref().is_some_and(|f| f.text == "open shared incident: :join 2026-12-02-db-down"));
    press(&mut s, KeyCode::Char(':'));
    typed(&mut s, "join 2026");
    press(&mut s, KeyCode::Tab);
    assert_eq!(input(&s), "join 2026-12-02-db-down");
}
