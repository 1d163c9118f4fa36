use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::model::Matcher;
use crate::msg::{Cmd, Msg, Payload, SourceId, SourceKind};
use crate::state::silences::{SilenceMsg, SilenceOrigin};
use crate::state::tests::{alert, board, now, poll, state};
use crate::state::{State, update};

const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

fn k(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn key(s: &mut State, code: KeyCode) -> Vec<Cmd> {
    update(s, Msg::Key(k(code)))
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
}

fn form(s: &State) -> &SilenceForm {
    s.silences.form.as_ref().expect("form open")
}

/// The board with HighErrorRate (service=api, critical) selected first.
fn loaded() -> State {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(board())))));
    s
}

fn posted(cmds: &[Cmd]) -> Option<&crate::state::silences::SilenceDraft> {
    cmds.iter().find_map(|c| match c {
        Cmd::PostSilence { draft, .. } => Some(&**draft),
        _ => None,
    })
}

#[test]
fn prefill_drops_noise_and_keeps_identifying_labels() {
    let a = alert("X", "page", &[("service", "api"), ("__name__", "up")], 1, "am0");
    let f = SilenceForm::for_alert(&a, "bob");
    let names: Vec<&str> = f.rows.iter().map(|r| r.matcher.name.as_str()).collect();
    assert_eq!(names, ["alertname", "service", "severity"]);
    assert!(f.rows.iter().all(|r| r.enabled && r.matcher.operator() == "="));
    assert_eq!((f.created_by.as_str(), f.until_text(), f.field()), ("bob", "1h", Field::Matcher(0)));
}

#[test]
fn toggles_operators_values_and_durations() {
    let a = alert("X", "page", &[("service", "api")], 1, "am0");
    let mut f = SilenceForm::for_alert(&a, "bob");
    f.on_key(k(KeyCode::Tab)); // service
    f.on_key(k(KeyCode::Char(' ')));
    assert!(!f.rows[1].enabled);
    f.on_key(k(KeyCode::Char(' ')));
    let ops: Vec<&str> = (0..4)
        .map(|_| {
            f.on_key(k(KeyCode::Right));
            f.rows[1].matcher.operator()
        })
        .collect();
    assert_eq!(ops, ["!=", "=~", "!~", "="]);
    f.on_key(k(KeyCode::Left));
    assert_eq!(f.rows[1].matcher.operator(), "!~");
    f.on_key(k(KeyCode::Backspace));
    f.on_key(k(KeyCode::Char('.')));
    f.on_key(k(KeyCode::Char('*')));
    assert_eq!(f.rows[1].matcher.value, "ap.*");
    f.on_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert_eq!(f.rows[1].matcher.value, "");

    f.focus(Field::Until);
    let seen: Vec<String> = (0..4)
        .map(|_| {
            f.on_key(k(KeyCode::Right));
            f.until_text().to_string()
        })
        .collect();
    assert_eq!(seen, ["4h", "", "15m", "1h"], "presets, then custom");
    for c in "2h30m".chars() {
        f.on_key(k(KeyCode::Char(c)));
    }
    assert_eq!((f.until, f.until_text()), (Until::Custom, "2h30m"));
    f.on_key(k(KeyCode::BackTab));
    assert_eq!(f.field(), Field::Matcher(2));
    assert_eq!(f.on_key(k(KeyCode::Esc)), FormKey::Cancel);
}

#[test]
fn preview_counts_board_alerts_including_muted() {
    let mut s = loaded();
    let mut muted = alert("Muted", "critical", &[("service", "api")], 1, "am0");
    muted.state = crate::model::AlertState::Silenced;
    let mut all = board();
    all.push(muted);
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(all)))));
    key(&mut s, KeyCode::Char('s'));
    assert_eq!(form(&s).preview.count, 1, "exact labels: the alert itself");
    // Keep only service=api.
    key(&mut s, KeyCode::Char(' ')); // alertname off
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::Char(' ')); // severity off
    let p = &form(&s).preview;
    assert_eq!((p.count, p.names.clone()), (3, vec!["HighErrorRate".into(), "HighLatency".into(), "Muted".into()]));
    key(&mut s, KeyCode::BackTab);
    key(&mut s, KeyCode::Right);
    key(&mut s, KeyCode::Right); // service=~"api"
    key(&mut s, KeyCode::Char('('));
    assert!(form(&s).preview.error.as_deref().unwrap_or_default().contains("invalid regex"));
}

#[test]
fn enter_refuses_until_valid_and_posts_nothing() {
    let mut s = loaded();
    key(&mut s, KeyCode::Char('s'));
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(form(&s).error.as_deref().unwrap_or_default().contains("comment is required"));
    form_focus(&mut s, Field::Until);
    typed(&mut s, "yesterday");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(form(&s).error.as_deref().unwrap_or_default().contains("cannot read"));
    form_focus(&mut s, Field::Matcher(1));
    key(&mut s, KeyCode::Right);
    key(&mut s, KeyCode::Right);
    typed(&mut s, "[");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(form(&s).error.as_deref().unwrap_or_default().contains("invalid regex"), "{:?}", form(&s).error);
    for i in 0..3 {
        form_focus(&mut s, Field::Matcher(i));
        key(&mut s, KeyCode::Char(' '));
    }
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(form(&s).error.as_deref().unwrap_or_default().contains("no matcher"));
}

fn form_focus(s: &mut State, field: Field) {
    s.silences.form.as_mut().unwrap().focus(field);
}

#[test]
fn valid_form_posts_once_and_closes_on_success() {
    let mut s = loaded();
    key(&mut s, KeyCode::Char('s'));
    form_focus(&mut s, Field::Comment);
    typed(&mut s, "deploy in progress");
    let cmds = key(&mut s, KeyCode::Enter);
    let d = posted(&cmds).expect("posted").clone();
    assert_eq!(d.comment, "deploy in progress");
    assert_eq!((d.starts_at, d.ends_at), (now(), now() + chrono::Duration::hours(1)));
    assert_eq!(d.matchers.len(), 3);
    assert!(form(&s).posting);
    assert!(key(&mut s, KeyCode::Enter).is_empty(), "no second post while waiting");

    let msg =
        SilenceMsg::Posted { id: "abc".into(), draft: Box::new(d), origin: SilenceOrigin::Form, via: "am0".into() };
    let cmds = update(&mut s, Msg::Silence(msg));
    assert!(s.silences.form.is_none());
    assert!(cmds.contains(&Cmd::RefreshAll));
    assert_eq!(s.view.flash.as_ref().unwrap().text, "silenced (id abc), until 13:00 UTC (via am0)");
    assert!(s.silences.get("abc").is_some(), "shown before the next poll");
}

/// An end time on the wall clock is read at the local offset the state was
/// told (`Msg::LocalOffset`), not at a time zone looked up while updating.
#[test]
fn a_wall_clock_end_is_read_at_the_offset_the_state_was_told() {
    let mut s = loaded();
    update(&mut s, Msg::LocalOffset(chrono::FixedOffset::east_opt(2 * 3600).unwrap()));
    key(&mut s, KeyCode::Char('s'));
    form_focus(&mut s, Field::Until);
    key(&mut s, KeyCode::Right);
    key(&mut s, KeyCode::Right);
    assert_eq!(form(&s).until, Until::Custom);
    typed(&mut s, "2026-11-24T18:00");
    form_focus(&mut s, Field::Comment);
    typed(&mut s, "maintenance");
    let cmds = key(&mut s, KeyCode::Enter);
    let d = posted(&cmds).expect("posted");
    assert_eq!(d.ends_at, Utc.with_ymd_and_hms(2026, 11, 24, 16, 0, 0).unwrap(), "18:00 at +02:00");
}

#[test]
fn errors_keep_the_form_and_what_was_typed() {
    let mut s = loaded();
    key(&mut s, KeyCode::Char('s'));
    form_focus(&mut s, Field::Comment);
    typed(&mut s, "why");
    key(&mut s, KeyCode::Enter);
    let err = SilenceMsg::Failed { error: "am0: 401 unauthorized".into(), origin: SilenceOrigin::Form };
    update(&mut s, Msg::Silence(err));
    let f = form(&s);
    assert_eq!((f.posting, f.comment.as_str()), (false, "why"));
    assert_eq!(f.error.as_deref(), Some("not posted: am0: 401 unauthorized"));
}

#[test]
fn broad_silences_ask_twice() {
    let mut s = loaded();
    s.silences.settings.confirm_over = 1;
    key(&mut s, KeyCode::Char('s'));
    for i in [0, 2] {
        form_focus(&mut s, Field::Matcher(i));
        key(&mut s, KeyCode::Char(' '));
    }
    form_focus(&mut s, Field::Comment);
    typed(&mut s, "api maintenance");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(form(&s).confirm.as_deref().unwrap_or_default().starts_with("this silences 2 alerts"));
    assert!(key(&mut s, KeyCode::Char('n')).is_empty(), "any other key goes back");
    assert!(form(&s).confirm.is_none());
    key(&mut s, KeyCode::Enter);
    let d = posted(&key(&mut s, KeyCode::Char('y'))).expect("y posts").clone();
    assert_eq!(
        d.matchers,
        vec![Matcher { name: "service".into(), value: "api".into(), is_regex: false, is_equal: true }]
    );
}

#[test]
fn read_only_never_produces_a_write() {
    let mut s = loaded();
    s.contexts.read_only = true;
    let mut cmds = Vec::new();
    for c in ['s', 'a'] {
        cmds.extend(key(&mut s, KeyCode::Char(c)));
        assert_eq!(s.view.flash.as_ref().unwrap().text, crate::state::silences::flow::READ_ONLY);
    }
    assert!(s.silences.form.is_none());
    s.silences.set(0, vec![crate::state::silences::tests::silence("s1", vec![], "x", 30)]);
    key(&mut s, KeyCode::Char('S'));
    for c in ['x', 'y', 'e', '+'] {
        cmds.extend(key(&mut s, KeyCode::Char(c)));
    }
    // A form opened before going read-only cannot post either.
    s.contexts.read_only = false;
    s.silences.view = None;
    key(&mut s, KeyCode::Char('s'));
    s.contexts.read_only = true;
    form_focus(&mut s, Field::Comment);
    typed(&mut s, "x");
    cmds.extend(key(&mut s, KeyCode::Enter));
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::PostSilence { .. } | Cmd::ExpireSilence { .. })), "{cmds:?}");
}
