//! The runbook view in the event loop: opening the selected alert's
//! runbook, its keys, and what it reports (steps ticked go to the incident
//! timeline; a code block copied goes to the clipboard through OSC 52).

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};

use super::runbook::{RunbookAction, RunbookEvent, RunbookView};
use super::{Prompt, PromptKind, State};
use crate::incident::Event;
use crate::keymap::Action;
use crate::msg::Cmd;
use crate::runbook::Document;
use crate::runbook::render::RunbookStyles;

/// `r` / Enter: the selected alert's runbook.
pub fn open(state: &mut State) -> Vec<Cmd> {
    let Some(sel) = state.alerts.selected() else {
        state.flash_error("no alert selected");
        return Vec::new();
    };
    let a = &sel.alert;
    let annotations = a.annotations.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let cmd =
        Cmd::OpenRunbook { alertname: a.name().to_string(), url: a.runbook_url().map(str::to_string), annotations };
    state.flash_info("opening the runbook…");
    vec![cmd]
}

/// The document arrived: show it, and record that it was opened.
pub fn loaded(state: &mut State, doc: Arc<Document>) -> Vec<Cmd> {
    let area = state.body_area.get();
    let width = area.width.saturating_sub(2).max(20);
    let mut view = RunbookView::new(doc, width, RunbookStyles::default());
    view.resize(width, area.height.saturating_sub(3).max(3));
    let name = view.name().to_string();
    state.runbook = Some(view);
    state.flash = None;
    state.dirty = true;
    capture(state, Event::RunbookOpened { runbook: name })
}

fn capture(state: &State, event: Event) -> Vec<Cmd> {
    state
        .incident
        .capture(state.now, event)
        .map(|record| Cmd::Append { record, from_editor: false })
        .into_iter()
        .collect()
}

/// Keys while the runbook is shown. Returns `None` for keys it leaves to
/// the board (quit, help, note, incident…).
pub fn on_key(state: &mut State, key: KeyEvent) -> Option<Vec<Cmd>> {
    let view = state.runbook.as_mut()?;
    let searching = !view.query().is_empty();
    let action = match key.code {
        KeyCode::Esc | KeyCode::Char('q') if view.toc_selection().is_none() && !searching => {
            state.runbook = None;
            return Some(Vec::new());
        }
        KeyCode::Esc | KeyCode::Char('q') => RunbookAction::Cancel,
        KeyCode::Left | KeyCode::Char('h') => RunbookAction::Left,
        KeyCode::Right | KeyCode::Char('l') => RunbookAction::Right,
        KeyCode::Char('t') => RunbookAction::ToggleToc,
        KeyCode::Enter => RunbookAction::Accept,
        KeyCode::Char('n') if searching => RunbookAction::NextMatch,
        KeyCode::Char('N') if searching => RunbookAction::PrevMatch,
        KeyCode::Char(']') => RunbookAction::NextStep,
        KeyCode::Char(' ') | KeyCode::Char('x') => RunbookAction::Tick,
        KeyCode::Char('y') => RunbookAction::Copy,
        KeyCode::Char('/') => {
            state.prompt = Some(Prompt { kind: PromptKind::Search, input: view.query().to_string() });
            return Some(Vec::new());
        }
        _ => match state.keymap.action(&key)? {
            Action::Up => RunbookAction::Up,
            Action::Down => RunbookAction::Down,
            Action::PageUp => RunbookAction::PageUp,
            Action::PageDown => RunbookAction::PageDown,
            Action::Top => RunbookAction::Top,
            Action::Bottom => RunbookAction::Bottom,
            _ => return None,
        },
    };
    Some(match view.apply(action) {
        Some(RunbookEvent::Copy { text }) => {
            state.flash_info("copied to the clipboard (OSC 52)");
            vec![Cmd::Clipboard(text)]
        }
        Some(RunbookEvent::Step { runbook, step, text, done }) => {
            capture(state, Event::RunbookStep { runbook, step, text, done })
        }
        None => Vec::new(),
    })
}

/// The terminal changed size: re-wrap the runbook.
pub fn resize(state: &mut State, width: u16, height: u16) {
    if let Some(view) = state.runbook.as_mut() {
        // Header, status bar and the pane's borders.
        view.resize(width.saturating_sub(2).max(20), height.saturating_sub(4).max(3));
    }
}
