//! The silences view (`S`, `:silences`): active, pending and expired
//! silences with a filter, and the keys that act on the selected one
//! (`x` expire after a y/n question, `e` edit, `+` extend).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keymap::{Action, Scope};
use crate::model::{Silence, SilenceState};
use crate::msg::Cmd;
use crate::state::State;
use crate::state::silences::state_at;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SilencesView {
    pub filter: String,
    /// `/` was pressed: keys type into the filter until Enter or Esc.
    pub filtering: bool,
    pub selected: usize,
    /// `x` was pressed on this silence: `y` expires it.
    pub confirm_expire: Option<String>,
}

/// The rows of the view: active (ending soonest first), pending (starting
/// soonest first), then expired (most recently ended first), filtered.
pub fn rows<'a>(merged: &'a [Silence], filter: &str, now: chrono::DateTime<chrono::Utc>) -> Vec<&'a Silence> {
    let needle = filter.trim().to_lowercase();
    let mut rows: Vec<&Silence> = merged.iter().filter(|s| needle.is_empty() || hit(s, &needle)).collect();
    rows.sort_by_key(|s| match state_at(s, now) {
        SilenceState::Active => (0, s.ends_at.timestamp(), s.id.clone()),
        SilenceState::Pending => (1, s.starts_at.timestamp(), s.id.clone()),
        SilenceState::Expired => (2, -s.ends_at.timestamp(), s.id.clone()),
    });
    rows
}

fn hit(s: &Silence, needle: &str) -> bool {
    let matchers = s.matchers.iter().map(ToString::to_string).collect::<Vec<_>>().join(" ");
    [matchers.as_str(), &s.created_by, &s.comment, &s.id].iter().any(|f| f.to_lowercase().contains(needle))
}

/// Opens the view on the first row.
pub fn open(state: &mut State) {
    state.silences.view = Some(SilencesView::default());
}

/// The silence under the cursor.
pub fn selected(state: &State) -> Option<Silence> {
    let view = state.silences.view.as_ref()?;
    rows(&state.silences.merged, &view.filter, state.clock.now).get(view.selected).map(|s| (*s).clone())
}

/// Keys while the view is open. Only the board's `:` and `?` keys and
/// control keys reach the keymap (`None`), unless the view binds them; the
/// rest is swallowed so a stray key cannot act on the board hidden under
/// the view.
pub fn on_key(state: &mut State, key: KeyEvent) -> Option<Vec<Cmd>> {
    let local = state.prefs.keymap.local(&key, Scope::Silences);
    let board = state.prefs.keymap.action(&key);
    let view = state.silences.view.as_ref()?;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if !view.filtering
        && view.confirm_expire.is_none()
        && local.is_none()
        && (ctrl || matches!(board, Some(Action::Command | Action::Help)))
    {
        return None;
    }
    Some(on_view_key(state, key))
}

fn on_view_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let Some(view) = state.silences.view.as_mut() else {
        return Vec::new();
    };
    if let Some(id) = view.confirm_expire.take() {
        if matches!(key.code, KeyCode::Char('y' | 'Y')) {
            return crate::state::silences::flow::expire(state, id);
        }
        state.flash_info("not expired");
        return Vec::new();
    }
    if view.filtering {
        match key.code {
            KeyCode::Esc => {
                view.filter.clear();
                view.filtering = false;
            }
            KeyCode::Enter => view.filtering = false,
            KeyCode::Backspace => {
                view.filter.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => view.filter.push(c),
            _ => {}
        }
        view.selected = 0;
        return Vec::new();
    }
    let len = rows(&state.silences.merged, &view.filter, state.clock.now).len();
    match state.prefs.keymap.action_in(&key, Scope::Silences) {
        Some(Action::Down) => view.selected = (view.selected + 1).min(len.saturating_sub(1)),
        Some(Action::Up) => view.selected = view.selected.saturating_sub(1),
        Some(Action::Top) => view.selected = 0,
        Some(Action::Bottom) => view.selected = len.saturating_sub(1),
        Some(action) if action.scope() == Scope::Silences => return act(state, action),
        _ => {}
    }
    Vec::new()
}

/// A silences-view action (from its key or `:silence-…`).
pub fn act(state: &mut State, action: Action) -> Vec<Cmd> {
    let Some(view) = state.silences.view.as_mut() else {
        state.flash_error("open the silences list first");
        return Vec::new();
    };
    match action {
        Action::SilencesClose => state.silences.view = None,
        Action::SilencesFilter => view.filtering = true,
        Action::SilenceExpire => return ask_expire(state),
        Action::SilenceEdit => {
            if let Some(s) = selected(state) {
                crate::state::silences::flow::edit(state, &s);
            }
        }
        Action::SilenceExtend => {
            if let Some(s) = selected(state) {
                return crate::state::silences::flow::extend(state, &s);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// `x`: asks before expiring (an expired silence cannot be revived, only
/// recreated).
fn ask_expire(state: &mut State) -> Vec<Cmd> {
    if crate::state::silences::flow::refuse_read_only(state) {
        return Vec::new();
    }
    let Some(s) = selected(state) else {
        return Vec::new();
    };
    if state_at(&s, state.clock.now) == SilenceState::Expired {
        state.flash_error(format!("silence {} has already ended", s.id));
        return Vec::new();
    }
    state.flash_info(format!("expire silence {}? y/n", s.id));
    if let Some(view) = state.silences.view.as_mut() {
        view.confirm_expire = Some(s.id);
    }
    Vec::new()
}
