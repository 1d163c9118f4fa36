//! `update(state, msg) -> commands`: the only place the model changes.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use super::alerts::Grouping;
use super::{Pane, Prompt, PromptKind, State};
use crate::keymap::Action;
use crate::msg::{Cmd, Msg, Payload, PollResult};

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let mut cmds = apply(state, msg);
    if !state.quit {
        cmds.extend(super::schedule::schedule(state));
        cmds.extend(super::logs_flow::follow_selection(state));
    }
    cmds
}

fn apply(state: &mut State, msg: Msg) -> Vec<Cmd> {
    match msg {
        Msg::Key(key) if key.kind != KeyEventKind::Release => on_key(state, key),
        Msg::Key(_) => Vec::new(),
        Msg::Mouse(m) => {
            on_mouse(state, m);
            Vec::new()
        }
        Msg::Resize(w, h) => {
            super::runbook_flow::resize(state, w, h);
            state.dirty = true;
            state.repaint = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            // Ages are shown to the minute: repaint only when one turns.
            if now.timestamp() / 60 != state.now.timestamp() / 60 {
                state.dirty = true;
            }
            let read = super::incident_flow::is_open(state) && now.timestamp() % 2 == 0;
            state.now = now;
            // Notes from another warroom on the same incident show within 2 s.
            if read { vec![Cmd::ReadJournal] } else { Vec::new() }
        }
        Msg::Poll(p) => on_poll(state, *p),
        Msg::Incident(m) => super::incident_flow::on_msg(state, m),
        Msg::Runbook(doc) => super::runbook_flow::loaded(state, doc),
        Msg::Logs(batch) => {
            if state.logs.push_batch(*batch) {
                state.dirty = true;
            }
            Vec::new()
        }
        Msg::Range(r) => {
            let (fetch, result) = *r;
            state.signals.merge(&fetch, result);
            state.dirty = true;
            Vec::new()
        }
        Msg::Terminate => {
            state.quit = true;
            vec![Cmd::Quit]
        }
    }
}

fn on_poll(state: &mut State, p: PollResult) -> Vec<Cmd> {
    let Some(idx) = state.sources.iter().position(|s| s.id == p.source) else {
        return Vec::new();
    };
    let health_changed = state.sources[idx].record(p.at, p.latency, p.result.as_ref().err());
    let data_changed = match p.result {
        Ok(Payload::PromAlerts(a)) => state.alerts.set_prometheus(p.source.index, a),
        Ok(Payload::AmAlerts(a)) => state.alerts.set_alertmanager(p.source.index, a),
        Ok(Payload::PromRules(r)) => {
            let changed = state.signals.rules != r;
            state.signals.rules = r;
            changed
        }
        Ok(Payload::AmSilences(_) | Payload::Ready) => false,
        Err(_) => false,
    };
    if !(health_changed || data_changed) {
        return Vec::new();
    }
    let down = state.down_sources();
    let diff = state.alerts.rebuild(&down);
    state.dirty = true;
    if data_changed && super::incident_flow::is_open(state) {
        super::incident_flow::captures(state, &diff.before, &diff.after(&state.alerts))
    } else {
        Vec::new()
    }
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    state.dirty = true;
    if state.flash.take().is_some() && key.code == KeyCode::Esc {
        return Vec::new();
    }
    if state.help {
        state.help = false;
        return Vec::new();
    }
    if state.chart.is_some() && matches!(key.code, KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('c')) {
        state.chart = None;
        return Vec::new();
    }
    if state.editor.is_some() {
        return super::incident_flow::on_editor_key(state, key);
    }
    if state.prompt.is_some() {
        return on_prompt_key(state, key);
    }
    if state.runbook.is_some()
        && let Some(cmds) = super::runbook_flow::on_key(state, key)
    {
        return cmds;
    }
    if let Some(cmds) = super::logs_flow::on_key(state, key) {
        return cmds;
    }
    match state.keymap.action(&key) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

fn on_action(state: &mut State, action: Action) -> Vec<Cmd> {
    let page = (state.list_area.get().height.saturating_sub(2)).max(1) as isize;
    let detail = state.focus == Pane::Detail;
    let timeline = state.focus == Pane::Timeline;
    match action {
        Action::Quit => {
            state.quit = true;
            return vec![Cmd::Quit];
        }
        Action::Help => state.help = true,
        Action::Refresh => return vec![Cmd::RefreshAll],
        Action::Command => state.prompt = Some(Prompt { kind: PromptKind::Command, input: String::new() }),
        Action::Filter => state.prompt = Some(Prompt { kind: PromptKind::Filter, input: state.alerts.filter.clone() }),
        Action::ClearFilter => set_filter(state, String::new()),
        Action::FocusNext | Action::FocusPrev => {
            let with_timeline = super::incident_flow::is_open(state);
            state.focus = cycle(state.focus, action == Action::FocusNext, with_timeline, state.logs_enabled)
        }
        Action::Up if timeline => state.incident.move_selection(-1),
        Action::Down if timeline => state.incident.move_selection(1),
        Action::Up if detail => state.detail_scroll = state.detail_scroll.saturating_sub(1),
        Action::Down if detail => state.detail_scroll = state.detail_scroll.saturating_add(1),
        Action::Up => move_selection(state, -1),
        Action::Down => move_selection(state, 1),
        Action::PageUp => move_selection(state, -page),
        Action::PageDown => move_selection(state, page),
        Action::Top => {
            state.alerts.select_first();
            state.detail_scroll = 0;
        }
        Action::Bottom => {
            state.alerts.select_last();
            state.detail_scroll = 0;
        }
        Action::GroupBy => {
            state.alerts.grouping = state.alerts.grouping.next();
            state.alerts.regroup();
            state.flash_info(format!("grouped by {}", state.alerts.grouping.name()));
        }
        Action::Chart => open_chart(state),
        Action::Runbook => return super::runbook_flow::open(state),
        Action::Logs if state.logs_enabled => state.focus = Pane::Logs,
        Action::Logs => state.flash_error("no Loki configured (--loki URL)"),
        Action::Incident => super::incident_flow::declare_or_focus(state),
        Action::Note => super::incident_flow::new_note(state),
        Action::EditNote => super::incident_flow::edit_note(state),
        Action::StrikeNote => return super::incident_flow::strike_note(state),
        Action::Export if super::incident_flow::is_open(state) => return vec![Cmd::Export],
        Action::Export => state.flash_error("no incident to export: declare one with i"),
        Action::ToggleMuted => {
            state.alerts.show_muted = !state.alerts.show_muted;
            state.alerts.regroup();
        }
        other => state.flash_info(format!("{}: not available in this build yet", other.description())),
    }
    Vec::new()
}

/// Points across a full-size chart (braille doubles the columns).
const CHART_WIDTH: u16 = 120;

/// `c`: the selected alert's expression full size, or its first golden
/// signal when its rule is unknown.
fn open_chart(state: &mut State) {
    let Some(sel) = state.alerts.selected() else {
        state.flash_error("no alert selected");
        return;
    };
    let lines = super::schedule::detail_lines(state, &sel.alert);
    let Some(line) = lines.into_iter().next() else {
        state.flash_error("no expression or signal known for this alert (no rule from Prometheus)");
        return;
    };
    let title = format!("{} · {}", sel.alert.name(), line.name);
    let key = super::signals::SeriesKey { query: line.key.query, step_secs: state.signals.step_for(CHART_WIDTH) };
    state.chart = Some(super::ChartView { title, key, unit: line.unit });
}

fn move_selection(state: &mut State, delta: isize) {
    state.alerts.move_by(delta);
    state.detail_scroll = 0;
}

fn cycle(p: Pane, forward: bool, with_timeline: bool, with_logs: bool) -> Pane {
    let order: Vec<Pane> = Pane::ORDER
        .iter()
        .copied()
        .filter(|p| (*p != Pane::Timeline || with_timeline) && (*p != Pane::Logs || with_logs))
        .collect();
    let i = order.iter().position(|x| *x == p).unwrap_or(0);
    let n = order.len();
    order[if forward { (i + 1) % n } else { (i + n - 1) % n }]
}

fn set_filter(state: &mut State, filter: String) {
    state.alerts.filter = filter;
    state.alerts.regroup();
}

fn on_prompt_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let Some(prompt) = state.prompt.as_mut() else {
        return Vec::new();
    };
    let kind = prompt.kind;
    match key.code {
        KeyCode::Esc => {
            state.prompt = None;
            if kind == PromptKind::Filter {
                set_filter(state, String::new());
            }
        }
        KeyCode::Enter => {
            let input = state.prompt.take().map(|p| p.input).unwrap_or_default();
            match kind {
                PromptKind::Command => return run_command(state, input.trim()),
                PromptKind::Search => {
                    if let Some(view) = state.runbook.as_mut() {
                        view.search(input.trim());
                    }
                }
                PromptKind::LogSearch | PromptKind::LogFilter => {
                    super::logs_flow::apply_prompt(state, kind, input.trim())
                }
                PromptKind::Filter => {}
            }
        }
        KeyCode::Backspace => {
            prompt.input.pop();
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => prompt.input.clear(),
        KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => prompt.input.push(c),
        _ => {}
    }
    if kind == PromptKind::Filter
        && let Some(p) = &state.prompt
    {
        let input = p.input.clone();
        set_filter(state, input);
    }
    Vec::new()
}

/// `:` commands. Unknown ones say so rather than doing nothing.
fn run_command(state: &mut State, line: &str) -> Vec<Cmd> {
    let (cmd, arg) = line.split_once(char::is_whitespace).map(|(c, a)| (c, a.trim())).unwrap_or((line, ""));
    match cmd {
        "" => {}
        "q" | "quit" | "q!" => {
            state.quit = true;
            return vec![Cmd::Quit];
        }
        "group" => {
            state.alerts.grouping = Grouping::parse(if arg.is_empty() { "none" } else { arg });
            state.alerts.regroup();
        }
        "filter" => set_filter(state, arg.to_string()),
        "logs" => return super::logs_flow::command(state, arg),
        "refresh" => return vec![Cmd::RefreshAll],
        "muted" => {
            state.alerts.show_muted = !state.alerts.show_muted;
            state.alerts.regroup();
        }
        "theme" => match crate::ui::theme::Theme::named(arg, state.theme.no_color) {
            Ok(t) => state.theme = t,
            Err(e) => state.flash_error(e),
        },
        "help" => state.help = true,
        "query" if arg.is_empty() => state.flash_error("usage: :query <promql>"),
        "query" => {
            let step = state.signals.step_for(CHART_WIDTH);
            let key = super::signals::SeriesKey { query: arg.to_string(), step_secs: step };
            state.chart = Some(super::ChartView { title: arg.to_string(), key, unit: super::signals::Unit::None });
        }
        other => {
            if let Some(action) = Action::from_name(other) {
                return on_action(state, action);
            }
            if let Some(cmds) = super::incident_flow::command(state, line) {
                return cmds;
            }
            state.flash_error(format!("unknown command :{other} (see ?)"));
        }
    }
    Vec::new()
}

fn on_mouse(state: &mut State, m: crossterm::event::MouseEvent) {
    let area = state.list_area.get();
    let inside =
        m.column >= area.x && m.column < area.x + area.width && m.row >= area.y && m.row < area.y + area.height;
    match m.kind {
        MouseEventKind::ScrollDown => move_selection(state, 1),
        MouseEventKind::ScrollUp => move_selection(state, -1),
        MouseEventKind::Down(_) if inside => {
            state.focus = Pane::Alerts;
            // One border row at the top of the list.
            let row = (m.row - area.y).saturating_sub(1) as usize + state.list_offset.get();
            state.alerts.select_row(row);
            state.detail_scroll = 0;
        }
        MouseEventKind::Down(_) => state.focus = Pane::Detail,
        _ => return,
    }
    state.dirty = true;
}
