//! Contexts, as in k9s: named sets of sources (`prod-eu`, `staging`), one
//! active at a time. This module holds what the state knows about them, the
//! picker (`ctrl-x`, `:ctx`), the `:ctx NAME` command, and the reset once the
//! runtime has switched.
//!
//! Switching is two steps. `update` only asks: [`Cmd::SwitchContext`]. The
//! runtime stops the old context's pollers, starts the new ones tagged with a
//! new generation, and answers [`ContextMsg::Switched`]; only then is the
//! per-source state reset. Results tagged with an older generation that were
//! already queued are dropped ([`is_current`]), so the old context's alerts
//! never reach the new board. The incident, its journal and the note editor
//! belong to the operator, not to a context: they are kept.

use crate::keymap::Action;
use crossterm::event::KeyEvent;

use super::alerts::AlertsState;
use super::picker::Step;
use super::signals::SignalsState;
use super::sources::SourceHealth;
use super::{Pane, State};
pub use crate::msg::contexts::{ContextMsg, Switched};
use crate::msg::{Cmd, SourceKind};

pub use crate::model::settings::ContextSummary;

/// What the state knows about contexts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContextsState {
    /// The active context's name (shown as `ctx:NAME`).
    pub active: String,
    /// No write to any source (silences, acks); shown in the header.
    /// `--read-only`, `read_only = true`, or the active context's.
    pub read_only: bool,
    /// The drill scenario when running against the embedded simulator.
    pub drill: Option<String>,
    /// Every configured context, in config order.
    pub known: Vec<ContextSummary>,
    /// Bumped by each switch; results tagged with another one are stale.
    pub generation: u64,
    /// `--read-only` for the whole process, whatever the context says.
    pub forced_read_only: bool,
    pub picker: Option<Picker>,
    /// The active context's sources and how each is doing.
    pub sources: Vec<super::sources::SourceHealth>,
}

impl ContextsState {
    fn get(&self, name: &str) -> Option<&ContextSummary> {
        self.known.iter().find(|c| c.name == name)
    }

    fn names(&self) -> String {
        self.known.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The context picker: a list, a selection, an optional `/` filter.
pub type Picker = crate::state::picker::ListFilter;

/// The contexts the picker's filter keeps (every word in the name).
pub fn visible<'a>(picker: &Picker, known: &'a [ContextSummary]) -> Vec<&'a ContextSummary> {
    kept(picker, known).into_iter().map(|i| &known[i]).collect()
}

fn kept(picker: &Picker, known: &[ContextSummary]) -> Vec<usize> {
    (0..known.len()).filter(|i| picker.keeps(&[&known[*i].name])).collect()
}

/// Whether a result tagged with `generation` belongs to the active context.
pub fn is_current(state: &State, generation: u64) -> bool {
    state.contexts.generation == generation
}

/// `ctrl-x`: the picker, the active context selected.
pub fn open_picker(state: &mut State) {
    let selected = state.contexts.known.iter().position(|c| c.name == state.contexts.active).unwrap_or(0);
    state.contexts.picker = Some(Picker { selected, ..Picker::default() });
}

/// `:ctx` opens the picker, `:ctx NAME` switches.
pub fn command(state: &mut State, arg: &str) -> Vec<Cmd> {
    if arg.is_empty() {
        open_picker(state);
        return Vec::new();
    }
    request(state, arg)
}

/// Asks the runtime to switch to `name`, if it is known and not active.
fn request(state: &mut State, name: &str) -> Vec<Cmd> {
    if state.contexts.get(name).is_none() {
        let known = state.contexts.names();
        state.flash_error(format!("unknown context {name:?} (known: {known})"));
        return Vec::new();
    }
    if name == state.contexts.active {
        state.flash_info(format!("already in context {name}"));
        return Vec::new();
    }
    state.flash_info(format!("switching to context {name}…"));
    vec![Cmd::SwitchContext(name.to_string())]
}

/// Keys while the picker is open: ↑↓ (j/k), Enter switches, `/` filters,
/// Esc clears the filter then closes.
pub fn on_picker_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let action = state.prefs.keymap.action(&key);
    let known = &state.contexts.known;
    let Some(picker) = state.contexts.picker.as_mut() else {
        return Vec::new();
    };
    match picker.key(key, action, &[Action::Contexts], |p| kept(p, known)) {
        Step::Close => state.contexts.picker = None,
        Step::Choose(chosen) => {
            let name = chosen.map(|i| known[i].name.clone());
            state.contexts.picker = None;
            if let Some(name) = name {
                return request(state, &name);
            }
        }
        Step::Done => {}
    }
    Vec::new()
}

/// The runtime switched: per-source state starts afresh, what belongs to
/// the operator (incident, journal, editor, grouping, filter) stays.
pub fn on_msg(state: &mut State, msg: ContextMsg) -> Vec<Cmd> {
    state.frame.dirty = true;
    match msg {
        ContextMsg::Failed { name, error } => {
            state.flash_error(format!("cannot switch to context {name}: {error}"));
            Vec::new()
        }
        ContextMsg::Switched(s) => {
            switched(state, *s);
            Vec::new()
        }
    }
}

fn switched(state: &mut State, s: Switched) {
    let has = |kind: SourceKind| s.sources.iter().any(|(id, _)| id.kind == kind);
    let mut alerts =
        AlertsState::new(state.alerts.grouping.clone(), state.alerts.show_muted, has(SourceKind::Alertmanager));
    alerts.filter = std::mem::take(&mut state.alerts.filter);
    // The notifier is the operator's (`:notify`), and knows the generation.
    alerts.notify = std::mem::take(&mut state.alerts.notify);
    let templates = std::mem::take(&mut state.signals.templates);
    let refresh = state.signals.refresh;
    state.signals = SignalsState::new(templates, state.signals.window, has(SourceKind::Prometheus));
    state.signals.refresh = refresh;
    // The histories were the old context's Prometheus'; the window and
    // threshold are the config's.
    let (window, threshold) = (state.alerts.history.window, state.alerts.history.flap_threshold);
    alerts.history = super::history::HistoryState::new(window, threshold, has(SourceKind::Prometheus));
    alerts.history.refresh = refresh;
    alerts.regroup();
    state.alerts = alerts;
    state.view.chart = None;
    super::dashboard::context_switched(state, has(SourceKind::Prometheus));
    state.logs.view = super::logs::LogsView::new(state.logs.follow.cfg.buffer);
    state.logs.follow.enabled = has(SourceKind::Loki);
    state.logs.follow.fingerprint = None;
    state.logs.follow.pinned_query = false;
    if state.view.focus == Pane::Logs && !state.logs.follow.enabled {
        state.view.focus = Pane::Alerts;
    }
    state.view.detail.scroll = 0;
    // Silences belong to the old context's Alertmanagers: forms and views
    // on them would write to the wrong cluster.
    // The settings are the config's, not the cluster's: they stay.
    state.silences = super::silences::SilencesState::new(state.silences.settings);
    state.contexts.sources = s.sources.into_iter().map(|(id, name)| SourceHealth::new(id, name)).collect();
    state.contexts.read_only = state.contexts.forced_read_only || s.read_only;
    state.contexts.generation = s.generation;
    let what = state.contexts.get(&s.name).map(ContextSummary::describe).unwrap_or_default();
    state.flash_info(format!("context {} ({what})", s.name));
    state.contexts.active = s.name;
}

#[cfg(test)]
mod tests;
