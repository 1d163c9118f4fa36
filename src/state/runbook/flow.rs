//! The runbook view in the event loop: opening the selected alert's
//! runbook, its keys, and what it reports (steps ticked go to the incident
//! timeline; a code block copied goes to the clipboard through OSC 52).

use crossterm::event::KeyEvent;

use crate::incident::Event;
use crate::keymap::{Action, Scope};
use crate::msg::Cmd;
use crate::runbook::render::{Prepared, RunbookStyles};
use crate::state::runbook::{RunbookAction, RunbookEvent, RunbookView};
use crate::state::{Prompt, PromptKind, State};

/// `r` / Enter: the selected alert's runbook.
pub fn open(state: &mut State) -> Vec<Cmd> {
    let Some(sel) = state.alerts.selected() else {
        state.flash_error("no alert selected");
        return Vec::new();
    };
    let a = &sel.alert;
    let annotations = a.annotations.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let vars = state.runbook.live.then(|| {
        let labels = a.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        Box::new(crate::runbook::live::Vars { labels, value: a.value.clone() })
    });
    let cmd = Cmd::OpenRunbook {
        request: state.runbook.ask(),
        alertname: a.name().to_string(),
        url: a.runbook_url().map(str::to_string),
        annotations,
        width: pane_width(state),
        vars,
    };
    state.flash_info("opening the runbook…");
    vec![cmd]
}

/// The width the runbook is laid out for: the body inside its borders.
fn pane_width(state: &State) -> u16 {
    state.body_area().width.saturating_sub(2).max(20)
}

/// The document arrived, laid out: show it, and record that it was opened;
/// unless it is not the load awaited (overtaken by a later `r`, or given up
/// with Esc), which is dropped.
pub fn loaded(state: &mut State, request: u64, prepared: Prepared) -> Vec<Cmd> {
    if !state.runbook.take_answer(request) {
        return Vec::new();
    }
    let area = state.body_area();
    let width = pane_width(state);
    let mut view = RunbookView::prepared(prepared, width, RunbookStyles::default());
    view.resize(width, area.height.saturating_sub(3).max(3));
    view.hyperlinks = state.prefs.hyperlinks;
    view.set_live(state.runbook.live && !crate::runbook::live::is_static(&view.document().markdown));
    let name = view.name().to_string();
    state.runbook.view = Some(view);
    sync_steps(state);
    state.view.flash = None;
    state.frame.dirty = true;
    capture(state, Event::RunbookOpened { runbook: name })
}

/// The open runbook's steps as the incident's records last say: ticked
/// before it was closed, or by a teammate in the shared room.
pub fn sync_steps(state: &mut State) {
    let Some(view) = state.runbook.view.as_mut() else { return };
    let mut done = std::collections::BTreeMap::new();
    for r in state.incident.records() {
        if let Event::RunbookStep { runbook, step, done: d, .. } = &r.event
            && runbook == view.name()
        {
            done.insert(*step, *d);
        }
    }
    view.set_steps(&done);
}

fn capture(state: &State, event: Event) -> Vec<Cmd> {
    state.incident.capture(state.clock.now, event).map(Cmd::Capture).into_iter().collect()
}

/// Keys while the runbook is shown: its own bindings first, then the
/// board's navigation. Returns `None` for keys it leaves to the board
/// (quit, help, note, incident…).
pub fn on_key(state: &mut State, key: KeyEvent) -> Option<Vec<Cmd>> {
    state.runbook.view.as_ref()?;
    if let Some(action) = state.prefs.keymap.local(&key, Scope::Runbook)
        && let Some(cmds) = act(state, action)
    {
        return Some(cmds);
    }
    let action = match state.prefs.keymap.action(&key)? {
        Action::Up => RunbookAction::Up,
        Action::Down => RunbookAction::Down,
        Action::PageUp => RunbookAction::PageUp,
        Action::PageDown => RunbookAction::PageDown,
        Action::Top => RunbookAction::Top,
        Action::Bottom => RunbookAction::Bottom,
        _ => return None,
    };
    Some(apply(state, action))
}

/// A runbook action (from its key or `:runbook-…`). `None` when no runbook
/// is open or it has nothing to do now (`n` with no search).
pub fn act(state: &mut State, action: Action) -> Option<Vec<Cmd>> {
    let view = state.runbook.view.as_mut()?;
    let searching = !view.query().is_empty();
    let action = match action {
        Action::RunbookClose if view.toc_selection().is_none() && !searching => {
            state.runbook.close();
            return Some(Vec::new());
        }
        Action::RunbookClose => RunbookAction::Cancel,
        Action::RunbookLeft => RunbookAction::Left,
        Action::RunbookRight => RunbookAction::Right,
        Action::RunbookContents => RunbookAction::ToggleToc,
        Action::RunbookGo if view.toc_selection().is_none() && view.live_block_at(view.cursor()).is_some() => {
            return Some(open_live(state));
        }
        Action::RunbookGo => RunbookAction::Accept,
        Action::RunbookNextMatch if searching => RunbookAction::NextMatch,
        Action::RunbookPrevMatch if searching => RunbookAction::PrevMatch,
        Action::RunbookNextStep => RunbookAction::NextStep,
        Action::RunbookTick => RunbookAction::Tick,
        Action::RunbookCopy => RunbookAction::Copy,
        Action::RunbookSearch => {
            state.view.prompt.open = Some(Prompt { kind: PromptKind::Search, input: view.query().to_string() });
            return Some(Vec::new());
        }
        _ => return None,
    };
    Some(apply(state, action))
}

/// Applies an action to the open view and reports what it produced.
fn apply(state: &mut State, action: RunbookAction) -> Vec<Cmd> {
    let Some(view) = state.runbook.view.as_mut() else { return Vec::new() };
    match view.apply(action) {
        Some(RunbookEvent::Copy { text }) => {
            state.flash_info("copied to the clipboard (OSC 52)");
            vec![Cmd::Clipboard(text)]
        }
        Some(RunbookEvent::Step { runbook, step, text, done, values }) => {
            capture(state, Event::RunbookStep { runbook, step, text, done, values })
        }
        None => Vec::new(),
    }
}

/// Enter on a live block: a PromQL one in the full chart (as `:query`), a
/// LogQL one in the logs pane (as `:logs`, the runbook closed to show it).
fn open_live(state: &mut State) -> Vec<Cmd> {
    let Some(view) = state.runbook.view.as_ref() else { return Vec::new() };
    let Some((lang, query, unit)) = view.live_block_at(view.cursor()).and_then(|i| view.live().query_of(i)) else {
        return Vec::new();
    };
    let query = query.to_string();
    match lang {
        crate::runbook::live::Lang::PromQl => {
            let step = state.signals.step_for(crate::state::update::CHART_WIDTH);
            let key = crate::state::signals::SeriesKey::new(query.clone(), step);
            state.view.chart = Some(crate::state::ChartView { title: query, key, unit });
            Vec::new()
        }
        crate::runbook::live::Lang::LogQl => {
            state.runbook.close();
            crate::state::logs::flow::command(state, &query)
        }
    }
}

/// The live blocks on screen whose answer is due (none with the chart
/// over the runbook: the blocks are hidden).
pub fn ask_live(state: &mut State) -> Vec<Cmd> {
    if state.view.chart.is_some() {
        return Vec::new();
    }
    let (now, refresh, window) = (state.clock.now, state.signals.refresh, state.signals.window);
    let Some(view) = state.runbook.view.as_mut() else { return Vec::new() };
    view.ask_live(now, refresh, window).into_iter().map(|a| Cmd::LiveQuery(Box::new(a))).collect()
}

/// A live block answered: shown when it is still the open runbook's.
pub fn live_answer(state: &mut State, result: crate::state::runbook::live::LiveResult) {
    if let Some(view) = state.runbook.view.as_mut()
        && view.merge_live(result)
    {
        state.frame.dirty = true;
    }
}

/// The terminal changed size: re-wrap the runbook.
pub fn resize(state: &mut State, width: u16, height: u16) {
    if let Some(view) = state.runbook.view.as_mut() {
        // Header, status bar and the pane's borders.
        view.resize(width.saturating_sub(2).max(20), height.saturating_sub(4).max(3));
    }
}
