//! `update(state, msg) -> commands`: the only place the model changes.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseEventKind};

use super::{Pane, Prompt, PromptKind, State};
use crate::keymap::{Action, Scope};
use crate::msg::{Cmd, Msg, Payload, PollResult};

pub fn update(state: &mut State, msg: Msg) -> Vec<Cmd> {
    let mut cmds = apply(state, msg);
    if state.frame.quit || cmds.contains(&Cmd::Quit) {
        // The words being typed are kept before anything stops.
        let mut first = super::incident::flow::keep_draft(state);
        first.append(&mut cmds);
        cmds = first;
    }
    cmds.extend(super::notify::flush(state));
    super::layout::follow_cursor(state);
    if !state.frame.quit {
        cmds.extend(super::schedule::schedule(state));
        cmds.extend(super::dashboard::schedule(state));
        cmds.extend(super::logs::flow::follow_selection(state));
        cmds.extend(super::runbook::flow::ask_live(state));
    }
    super::layout::place_logs(state);
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
            // The first size is the one the terminal started at: nothing
            // on screen to repaint yet.
            let known = state.view.size.replace(ratatui::layout::Size::new(w, h)).is_some();
            super::runbook::flow::resize(state, w, h);
            state.frame.dirty = true;
            state.frame.repaint |= known;
            Vec::new()
        }
        Msg::Tick(now) => {
            // Ages are shown to the minute: repaint only when one turns.
            if now.timestamp() / 60 != state.clock.now.timestamp() / 60 {
                state.frame.dirty = true;
            }
            let read = super::incident::flow::is_open(state) && now.timestamp() % 2 == 0;
            state.clock.now = now;
            // Notes from another warroom on the same incident show within 2 s.
            super::incident::flow::share_tick(state);
            let mut cmds = super::incident::flow::retry_unwritten(state);
            cmds.extend(super::incident::flow::keep_draft(state));
            if read {
                cmds.push(Cmd::ReadJournal);
            }
            cmds
        }
        Msg::LocalOffset(offset) => {
            state.clock.local_offset = offset;
            Vec::new()
        }
        Msg::Poll(p) => on_poll(state, *p),
        Msg::Incident(m) => super::incident::flow::on_msg(state, m),
        Msg::Share(m) => super::incident::flow::on_share(state, m),
        Msg::Runbook { request, prepared } => super::runbook::flow::loaded(state, request, *prepared),
        Msg::Logs(batch) => {
            if state.logs.view.push_batch(*batch) {
                state.frame.dirty = true;
            }
            Vec::new()
        }
        Msg::Range(r) => {
            let (fetch, result) = *r;
            match fetch.purpose {
                super::signals::Purpose::Signal => state.signals.merge(&fetch, result, state.clock.now),
                super::signals::Purpose::History => state.alerts.history.merge(&fetch, result, state.clock.now),
                super::signals::Purpose::Dashboard { view } => {
                    super::dashboard::range_answer(state, view, &fetch, result);
                }
            }
            state.frame.dirty = true;
            Vec::new()
        }
        Msg::Live(r) => {
            match r.tag.dashboard {
                Some(view) => super::dashboard::live_answer(state, view, *r),
                None => super::runbook::flow::live_answer(state, *r),
            }
            Vec::new()
        }
        Msg::Silence(m) => super::silences::flow::on_msg(state, m),
        Msg::Terminate => {
            state.frame.quit = true;
            vec![Cmd::Quit]
        }
        Msg::Tagged { generation, msg } if super::contexts::is_current(state, generation) => apply(state, *msg),
        Msg::Tagged { .. } => Vec::new(),
        Msg::Context(m) => super::contexts::on_msg(state, m),
        Msg::Theme(found) => super::prompt::theme_found(state, found),
        Msg::Dashboards(files) => super::dashboard::loaded(state, files),
        Msg::DashVar(answer) => super::dashboard::var_answer(state, *answer),
    }
}

fn on_poll(state: &mut State, p: PollResult) -> Vec<Cmd> {
    let Some(idx) = state.contexts.sources.iter().position(|s| s.id == p.source) else {
        return Vec::new();
    };
    let quiet = super::notify::first_poll(state, &p);
    let health_changed = state.contexts.sources[idx].record(p.at, p.latency, p.result.as_ref().err());
    let data_changed = match p.result {
        Ok(Payload::PromAlerts(a)) => state.alerts.set_prometheus(p.source.index, a),
        Ok(Payload::AmAlerts(a)) => state.alerts.set_alertmanager(p.source.index, a),
        Ok(Payload::PromRules(r)) => state.signals.set_rules(r),
        Ok(Payload::AmSilences(s)) => {
            // Acks show on the board: repaint when silences change.
            state.frame.dirty |= state.silences.set(p.source.index, s);
            false
        }
        Ok(Payload::AlertsCut(c)) => {
            let s = &mut state.contexts.sources[idx];
            state.frame.dirty |= s.cut != c;
            s.cut = c;
            false
        }
        Ok(Payload::Ready) => false,
        Err(_) => false,
    };
    if !(health_changed || data_changed) {
        return Vec::new();
    }
    let firing = super::notify::firing(state);
    let down = state.down_sources();
    let am_live = state.contexts.sources.iter().any(|s| {
        s.kind() == crate::msg::SourceKind::Alertmanager
            && matches!(s.health, super::sources::Health::Up | super::sources::Health::Slow(_))
    });
    state.alerts.set_alertmanager_live(am_live);
    let diff = state.alerts.rebuild(&down);
    state.frame.dirty = true;
    let mut cmds = super::notify::after_poll(state, &firing, quiet);
    if data_changed && super::incident::flow::is_open(state) {
        cmds.extend(super::incident::flow::captures(state, &diff.before, &diff.after(&state.alerts)));
    }
    cmds
}

/// In the help overlay, the navigation keys scroll it (on a small terminal
/// it does not fit); any other key closes it.
fn help_key(state: &mut State, key: KeyEvent) {
    let max = state.help_max_scroll();
    let page = state.body_area().height.saturating_sub(4).max(1);
    state.view.help.scroll = match state.prefs.keymap.action(&key) {
        Some(Action::Down) => state.view.help.scroll.saturating_add(1),
        Some(Action::Up) => state.view.help.scroll.saturating_sub(1),
        Some(Action::PageDown) => state.view.help.scroll.saturating_add(page),
        Some(Action::PageUp) => state.view.help.scroll.saturating_sub(page),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => max,
        _ => {
            state.view.help.open = false;
            0
        }
    }
    .min(max);
}

fn on_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    state.frame.dirty = true;
    if state.view.flash.take().is_some() && key.code == KeyCode::Esc {
        // Esc over "opening the runbook…": the user walked away from it.
        if !state.runbook.is_open() {
            state.runbook.awaiting = None;
        }
        return Vec::new();
    }
    if state.view.help.open {
        help_key(state, key);
        return Vec::new();
    }
    if state.view.chart.is_some() && state.prefs.keymap.local(&key, Scope::Chart) == Some(Action::ChartClose) {
        state.view.chart = None;
        return Vec::new();
    }
    if state.incident.editor.is_some() {
        return super::incident::flow::on_editor_key(state, key);
    }
    if state.silences.form.is_some() {
        return super::silences::flow::on_form_key(state, key);
    }
    if state.contexts.picker.is_some() {
        return super::contexts::on_picker_key(state, key);
    }
    if state.view.prompt.open.is_some() {
        return super::prompt::on_key(state, key);
    }
    if state.dashboard.is_shown()
        && let Some(cmds) = super::dashboard::on_key(state, key)
    {
        return cmds;
    }
    if state.runbook.view.is_some()
        && let Some(cmds) = super::runbook::flow::on_key(state, key)
    {
        return cmds;
    }
    if state.silences.view.is_some()
        && let Some(cmds) = super::silences::view::on_key(state, key)
    {
        return cmds;
    }
    if let Some(cmds) = super::logs::flow::on_key(state, key) {
        return cmds;
    }
    match state.prefs.keymap.action(&key) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

pub(super) fn on_action(state: &mut State, action: Action) -> Vec<Cmd> {
    let page = (state.list_area().height.saturating_sub(2)).max(1) as isize;
    let detail = state.view.focus == Pane::Detail;
    let timeline = state.view.focus == Pane::Timeline;
    match action {
        Action::Quit => {
            state.frame.quit = true;
            return vec![Cmd::Quit];
        }
        Action::Help => state.view.help.open = true,
        Action::Refresh => return vec![Cmd::RefreshAll],
        Action::Command => state.view.prompt.open = Some(Prompt { kind: PromptKind::Command, input: String::new() }),
        Action::Filter => {
            state.view.prompt.open = Some(Prompt { kind: PromptKind::Filter, input: state.alerts.filter.clone() })
        }
        Action::ClearFilter => set_filter(state, String::new()),
        Action::FocusNext | Action::FocusPrev => {
            let with_timeline = super::incident::flow::is_open(state);
            state.view.focus =
                cycle(state.view.focus, action == Action::FocusNext, with_timeline, state.logs.follow.enabled)
        }
        Action::Up if timeline => state.incident.move_selection(-1),
        Action::Down if timeline => state.incident.move_selection(1),
        Action::Up if detail => super::pin::select_signal(state, -1),
        Action::Down if detail => super::pin::select_signal(state, 1),
        Action::Up => move_selection(state, -1),
        Action::Down => move_selection(state, 1),
        Action::PageUp => move_selection(state, -page),
        Action::PageDown => move_selection(state, page),
        Action::Top => {
            state.alerts.select_first();
            reset_detail(state);
        }
        Action::Bottom => {
            state.alerts.select_last();
            reset_detail(state);
        }
        Action::GroupBy => {
            state.alerts.grouping = state.alerts.grouping.next();
            state.alerts.regroup();
            state.flash_info(format!("grouped by {}", state.alerts.grouping.name()));
        }
        Action::Chart => open_chart(state),
        Action::Pin => return super::pin::pin(state),
        Action::Copy => return super::copy::copy(state),
        Action::Runbook => return super::runbook::flow::open(state),
        Action::Logs if state.logs.follow.enabled => state.view.focus = Pane::Logs,
        Action::Logs => state.flash_error("no Loki configured (--loki URL)"),
        Action::Incident => super::incident::flow::declare_or_focus(state),
        Action::Note => super::incident::flow::new_note(state),
        Action::EditNote => super::incident::flow::edit_note(state),
        Action::StrikeNote => return super::incident::flow::strike_note(state),
        Action::Export if super::incident::flow::is_open(state) => return vec![Cmd::Export],
        Action::Export => state.flash_error("no incident to export: declare one with i"),
        Action::ToggleMuted => {
            state.alerts.show_muted = !state.alerts.show_muted;
            state.alerts.regroup();
        }
        Action::Silence => super::silences::flow::open_form(state),
        Action::Ack => return super::silences::flow::ack(state),
        Action::Silences => super::silences::view::open(state),
        Action::Contexts => super::contexts::open_picker(state),
        Action::Dashboards => super::dashboard::open_picker(state),
        _ => return pane_action(state, action),
    }
    Vec::new()
}

/// A pane's action run from `:` (its keys reach the pane's own handler).
fn pane_action(state: &mut State, action: Action) -> Vec<Cmd> {
    let done = match action.scope() {
        Scope::Logs => super::logs::flow::act(state, action),
        Scope::Runbook => super::runbook::flow::act(state, action),
        Scope::Silences => Some(super::silences::view::act(state, action)),
        Scope::Chart => state.view.chart.take().map(|_| Vec::new()),
        Scope::Dashboard => None,
        Scope::Global => Some(Vec::new()),
    };
    done.unwrap_or_else(|| {
        state.flash_error(format!(":{} has nothing to do here", action.name()));
        Vec::new()
    })
}

/// Points across a full-size chart (braille doubles the columns).
pub(super) const CHART_WIDTH: u16 = 120;

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
    let key = super::signals::SeriesKey::new(line.key.query, state.signals.step_for(CHART_WIDTH));
    state.view.chart = Some(super::ChartView { title, key, unit: line.unit });
}

fn move_selection(state: &mut State, delta: isize) {
    state.alerts.move_by(delta);
    reset_detail(state);
}

/// Another alert: its detail starts at the top, no signal selected.
fn reset_detail(state: &mut State) {
    state.view.detail.scroll = 0;
    state.view.detail.signal = None;
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

pub(super) fn set_filter(state: &mut State, filter: String) {
    state.alerts.filter = filter;
    state.alerts.regroup();
}

fn on_mouse(state: &mut State, m: crossterm::event::MouseEvent) {
    let area = state.list_area();
    let inside =
        m.column >= area.x && m.column < area.x + area.width && m.row >= area.y && m.row < area.y + area.height;
    match m.kind {
        MouseEventKind::ScrollDown => move_selection(state, 1),
        MouseEventKind::ScrollUp => move_selection(state, -1),
        MouseEventKind::Down(_) if inside => {
            state.view.focus = Pane::Alerts;
            // One border row at the top of the list.
            let row = (m.row - area.y).saturating_sub(1) as usize + state.view.list_offset;
            state.alerts.select_row(row);
            reset_detail(state);
        }
        MouseEventKind::Down(_) => state.view.focus = Pane::Detail,
        _ => return,
    }
    state.frame.dirty = true;
}
