//! The logs pane in the event loop: following the selected alert's logs
//! (a new follower whenever the selection changes), `:logs <logql>`, and the
//! pane's keys (scroll, search, line filter, wrap, full screen, UTC, pin).

use crossterm::event::KeyEvent;

use crate::incident::Event;
use crate::keymap::{Action, Scope};
use crate::model::logs::{self, FollowSettings, FollowSpec, QuerySpec};
use crate::msg::Cmd;
use crate::state::logs::SearchOutcome;
use crate::state::{Pane, Prompt, PromptKind, State};

/// Starts following the selected alert's logs if the selection changed.
pub fn follow_selection(state: &mut State) -> Vec<Cmd> {
    if !state.logs.follow.enabled || state.logs.follow.pinned_query {
        return Vec::new();
    }
    let fp = state.alerts.selected().map(|b| b.alert.fingerprint.clone());
    if fp == state.logs.follow.fingerprint {
        return Vec::new();
    }
    state.logs.follow.fingerprint = fp;
    let Some(b) = state.alerts.selected() else {
        state.logs.view.clear();
        return vec![Cmd::StopLogs];
    };
    let a = b.alert.clone();
    let generation = state.logs.view.begin(Some(a.name().to_string()), None);
    let spec = FollowSpec {
        generation,
        query: QuerySpec::Alert { labels: a.labels.clone(), template: state.logs.follow.cfg.selector.clone() },
        start_ns: logs::window_start(a.starts_at, state.logs.follow.cfg.margin),
        settings: FollowSettings::from_config(&state.logs.follow.cfg),
    };
    vec![Cmd::FollowLogs(Box::new(spec))]
}

/// `:logs <logql>` follows a query of your own until `:logs` alone goes
/// back to the selected alert's.
pub fn command(state: &mut State, arg: &str) -> Vec<Cmd> {
    if !state.logs.follow.enabled {
        state.flash_error("no Loki configured (--loki URL)");
        return Vec::new();
    }
    if arg.is_empty() {
        state.logs.follow.pinned_query = false;
        state.logs.follow.fingerprint = None;
        return follow_selection(state);
    }
    state.logs.follow.pinned_query = true;
    state.view.focus = Pane::Logs;
    let generation = state.logs.view.begin(Some("query".into()), Some(arg.to_string()));
    let start = logs::window_start(state.clock.now, state.logs.follow.cfg.margin);
    let spec = FollowSpec {
        generation,
        query: QuerySpec::LogQl(arg.to_string()),
        start_ns: start,
        settings: FollowSettings::from_config(&state.logs.follow.cfg),
    };
    vec![Cmd::FollowLogs(Box::new(spec))]
}

/// Keys while the logs pane has the focus; `None` leaves the key to the
/// board. The pane's own bindings come first, then the board's navigation.
pub fn on_key(state: &mut State, key: KeyEvent) -> Option<Vec<Cmd>> {
    // The chart overlay (over any pane) takes the keys, `p` included.
    if state.view.focus != Pane::Logs || state.view.chart.is_some() {
        return None;
    }
    if let Some(action) = state.prefs.keymap.local(&key, Scope::Logs)
        && let Some(cmds) = act(state, action)
    {
        return Some(cmds);
    }
    let page = state.logs_page();
    let v = &mut state.logs.view;
    match state.prefs.keymap.action(&key)? {
        Action::Up => v.scroll_up(1),
        Action::Down => v.scroll_down(1),
        Action::PageUp => v.scroll_up(page),
        Action::PageDown => v.scroll_down(page),
        Action::Top => v.scroll_top(),
        Action::Bottom => v.follow(),
        Action::Pin => return Some(pin(state)),
        Action::Copy => return Some(crate::state::copy::copy(state)),
        _ => return None,
    }
    Some(Vec::new())
}

/// A logs-pane action (from its key or `:log-…`). `None` when it has
/// nothing to do now (`n` with no search, Esc with nothing to undo), so the
/// key can mean what it means on the board.
pub fn act(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    let searching = state.logs.view.search().is_some();
    let v = &mut state.logs.view;
    match action {
        Action::LogSearch => {
            state.view.prompt.open = Some(Prompt { kind: PromptKind::LogSearch, input: String::new() })
        }
        Action::LogFilter => {
            state.view.prompt.open = Some(Prompt { kind: PromptKind::LogFilter, input: "|= \"".into() })
        }
        Action::LogNextMatch if searching => flash_search(state, true),
        Action::LogPrevMatch if searching => flash_search(state, false),
        Action::LogWrap => v.toggle_wrap(),
        Action::LogFullscreen => v.toggle_fullscreen(),
        Action::LogUtc => v.toggle_utc(),
        Action::LogLeft => v.scroll_left(8),
        Action::LogRight => v.scroll_right(8),
        Action::LogBack if searching => v.clear_search(),
        Action::LogBack if v.filter().is_some() => {
            let _ = v.set_filter("");
        }
        Action::LogBack if v.fullscreen => v.toggle_fullscreen(),
        _ => return None,
    }
    Some(Vec::new())
}

fn flash_search(state: &mut State, forward: bool) {
    let outcome = if forward { state.logs.view.search_next() } else { state.logs.view.search_prev() };
    report(state, outcome);
}

fn report(state: &mut State, outcome: SearchOutcome) {
    match outcome {
        SearchOutcome::Wrapped => state.flash_info("search wrapped"),
        SearchOutcome::NotFound => state.flash_error("no match"),
        SearchOutcome::Found | SearchOutcome::NoSearch => {}
    }
}

/// Enter in the logs' search or filter prompt.
pub fn apply_prompt(state: &mut State, kind: PromptKind, input: &str) {
    let result = match kind {
        PromptKind::LogSearch => state.logs.view.set_search(input).map(|o| report(state, o)),
        PromptKind::LogFilter => state.logs.view.set_filter(input),
        _ => Ok(()),
    };
    if let Err(e) = result {
        state.flash_error(e);
    }
}

/// `p` on a log line: into the timeline with its timestamp and labels.
fn pin(state: &mut State) -> Vec<Cmd> {
    let Some(line) = state.logs.view.selected_line() else {
        state.flash_error("no log line selected");
        return Vec::new();
    };
    let event = Event::PinnedLog { ts: line.at, labels: line.labels.clone(), line: line.line.clone() };
    match state.incident.capture(line.at, event) {
        Some(record) => {
            state.flash_info("log line pinned to the timeline");
            vec![Cmd::Capture(record)]
        }
        None if state.incident.id().is_none() => {
            state.flash_error("no incident open: declare one with i to pin lines");
            Vec::new()
        }
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::keymap::{KeyList, Keymap};
    use crate::msg::Msg;
    use crate::state::{Pane, State, tests::state, update};

    fn press(s: &mut State, code: KeyCode) {
        update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn logs_state() -> State {
        let mut s = state();
        s.logs.follow.enabled = true;
        s.view.focus = Pane::Logs;
        s
    }

    #[test]
    fn pane_actions_run_from_the_prompt_and_idle_keys_fall_back_to_the_board() {
        let mut s = logs_state();
        crate::state::prompt::run_command(&mut s, "log-wrap");
        assert!(s.logs.view.wrap, ":log-wrap toggles like w");
        // No search: `n` is the board's "note" (which asks to declare first).
        press(&mut s, KeyCode::Char('n'));
        assert!(s.incident.editor.is_some(), "n opened the declaration form");
        let mut s = state();
        crate::state::prompt::run_command(&mut s, "runbook-tick");
        assert!(s.view.flash.as_ref().is_some_and(|f| f.error && f.text.contains("runbook-tick")));
    }

    #[test]
    fn remapped_chart_and_silences_keys() {
        let mut s = logs_state();
        let mut o = BTreeMap::new();
        o.insert("chart-close".to_string(), KeyList::One("x".into()));
        o.insert("silences-close".to_string(), KeyList::One("Q".into()));
        s.prefs.keymap = Keymap::new(&o).unwrap();
        s.view.chart = Some(crate::state::ChartView {
            title: "t".into(),
            key: crate::state::signals::SeriesKey::new("up", 60),
            unit: crate::state::signals::Unit::None,
        });
        press(&mut s, KeyCode::Esc);
        assert!(s.view.chart.is_some(), "esc no longer closes the chart");
        press(&mut s, KeyCode::Char('x'));
        assert!(s.view.chart.is_none(), "x does");
        s.silences.view = Some(Default::default());
        press(&mut s, KeyCode::Char('q'));
        assert!(s.silences.view.is_some() && !s.frame.quit, "q no longer closes the silences, nor quits under it");
        press(&mut s, KeyCode::Char('Q'));
        assert!(s.silences.view.is_none(), "Q does");
    }
}
