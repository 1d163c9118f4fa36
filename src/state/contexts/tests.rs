//! The picker, `:ctx`, and what a switch resets and keeps.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::msg::{Msg, Payload, SourceId};
use crate::state::tests::{alert, board, poll, state};
use crate::state::tests::{command, press};
use crate::state::update;

const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

fn summary(name: &str, read_only: bool) -> ContextSummary {
    ContextSummary { name: name.into(), read_only, prometheus: 2, alertmanager: 1, loki: 0 }
}

fn with_contexts() -> State {
    let mut s = state();
    s.contexts.active = "prod-eu".into();
    s.contexts.known = vec![summary("prod-eu", false), summary("prod-us", true), summary("staging", false)];
    s
}

fn switched(name: &str, generation: u64, read_only: bool) -> Msg {
    let sources = vec![(AM0, "am-other".to_string())];
    Msg::Context(ContextMsg::Switched(Box::new(Switched { name: name.into(), generation, read_only, sources })))
}

#[test]
fn ctx_command_switches_known_contexts_only() {
    let mut s = with_contexts();
    let cmds = command(&mut s, "ctx prod-us");
    assert_eq!(cmds[0], Cmd::SwitchContext("prod-us".into()));
    assert!(matches!(&cmds[1..], [Cmd::SaveHistory(h)] if h.contains("ctx prod-us")), "kept in the history: {cmds:?}");
    assert!(command(&mut s, "ctx nowhere").is_empty());
    let flash = s.view.flash.clone().unwrap();
    assert!(flash.error && flash.text.contains("unknown context \"nowhere\""), "{flash:?}");
    assert!(flash.text.contains("prod-eu, prod-us, staging"), "{flash:?}");
    let cmds = command(&mut s, "ctx prod-eu");
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::SwitchContext(_))), "already there: {cmds:?}");
    assert!(s.view.flash.as_ref().unwrap().text.contains("already in context prod-eu"));
}

#[test]
fn picker_opens_on_the_current_context_and_switches_on_enter() {
    let mut s = with_contexts();
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)));
    assert_eq!(s.contexts.picker.as_ref().unwrap().selected, 0);
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(s.contexts.picker.as_ref().unwrap().selected, 2, "stops at the last");
    press(&mut s, KeyCode::Char('k'));
    assert_eq!(press(&mut s, KeyCode::Enter), vec![Cmd::SwitchContext("prod-us".into())]);
    assert!(s.contexts.picker.is_none());
    command(&mut s, "ctx");
    assert!(s.contexts.picker.is_some(), ":ctx alone opens the picker");
    press(&mut s, KeyCode::Esc);
    assert!(s.contexts.picker.is_none());
}

#[test]
fn picker_filter_narrows_and_esc_clears_it_first() {
    let mut s = with_contexts();
    open_picker(&mut s);
    press(&mut s, KeyCode::Char('/'));
    for c in "US".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let p = s.contexts.picker.clone().unwrap();
    let names: Vec<&str> =
        crate::state::contexts::visible(&p, &s.contexts.known).iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["prod-us"]);
    press(&mut s, KeyCode::Esc);
    let p = s.contexts.picker.clone().unwrap();
    assert!(p.filter.is_empty() && !p.filtering, "Esc clears the filter, picker stays");
    press(&mut s, KeyCode::Char('/'));
    press(&mut s, KeyCode::Char('z'));
    assert!(press(&mut s, KeyCode::Enter).is_empty(), "nothing matches: nothing to switch to");
}

#[test]
fn switch_resets_sources_but_keeps_the_operator_s_things() {
    let mut s = with_contexts();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(board())))));
    s.alerts.filter = "db".into();
    s.incident.load("2026-11-22-db-down", crate::incident::ReadOutcome { records: vec![], warnings: vec![] });
    assert!(!s.alerts.alerts.is_empty());
    s.alerts.history.window = std::time::Duration::from_secs(3600);
    let settings =
        crate::state::silences::SilenceSettings { confirm_over: 2, ack_duration: std::time::Duration::from_secs(600) };
    s.silences.settings = settings;
    s.alerts.notify.enabled = true;
    let a = s.alerts.alerts[0].alert.clone();
    crate::state::history::tests::load(&mut s, &a, &[(600, 0)]);
    assert_eq!(s.alerts.history.cache.len(), 1);
    update(&mut s, switched("prod-us", 1, true));
    assert!(s.alerts.history.cache.is_empty(), "the old context's histories are gone");
    assert!(!s.alerts.history.enabled, "no Prometheus in prod-us's sources here");
    assert_eq!(s.alerts.history.window, std::time::Duration::from_secs(3600), "the window is the config's");
    assert!(s.alerts.alerts.is_empty(), "the old context's alerts are gone");
    assert_eq!(s.contexts.active, "prod-us");
    assert!(s.contexts.read_only, "prod-us is read-only");
    assert_eq!(s.alerts.filter, "db", "the filter is the operator's");
    assert_eq!(s.silences.settings, settings, "the silence settings are the config's");
    assert!(s.alerts.notify.enabled, "`:notify on` is the operator's");
    assert_eq!(s.incident.id(), Some("2026-11-22-db-down"), "the incident is kept");
    assert_eq!(s.contexts.sources.len(), 1);
    assert_eq!(s.contexts.sources[0].name, "am-other");
    assert_eq!(s.view.flash.as_ref().unwrap().text, "context prod-us (2 prometheus, 1 alertmanager)");
}

#[test]
fn late_results_of_the_old_context_are_dropped() {
    let mut s = with_contexts();
    update(&mut s, switched("staging", 1, false));
    let late = alert("OldContextAlert", "critical", &[], 1, "am0");
    update(
        &mut s,
        Msg::Tagged { generation: 0, msg: Box::new(poll(AM0, Ok(Payload::AmAlerts(crate::model::share(vec![late]))))) },
    );
    assert!(s.alerts.alerts.is_empty(), "generation 0 is stale");
    let fresh = alert("NewContextAlert", "critical", &[], 1, "am0");
    update(
        &mut s,
        Msg::Tagged {
            generation: 1,
            msg: Box::new(poll(AM0, Ok(Payload::AmAlerts(crate::model::share(vec![fresh]))))),
        },
    );
    assert_eq!(s.alerts.alerts.len(), 1);
    assert_eq!(s.alerts.alerts[0].alert.name(), "NewContextAlert");
}

#[test]
fn forced_read_only_survives_a_switch_and_failures_say_why() {
    let mut s = with_contexts();
    s.contexts.forced_read_only = true;
    update(&mut s, switched("staging", 1, false));
    assert!(s.contexts.read_only, "--read-only wins over the context");
    let failed = ContextMsg::Failed { name: "prod-us".into(), error: "secret env T: not set".into() };
    update(&mut s, Msg::Context(failed));
    let flash = s.view.flash.clone().unwrap();
    assert!(flash.error && flash.text == "cannot switch to context prod-us: secret env T: not set", "{flash:?}");
    assert_eq!(s.contexts.active, "staging");
}
