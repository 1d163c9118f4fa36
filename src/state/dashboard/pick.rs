//! The two lists of `:dash`: the dashboard picker, filtered with `/` as
//! the contexts picker is (every word typed in the title, file name or
//! tags), and the value picker of the selected variable (`V`): its options
//! (All first when offered), filtered the same way, one picked or, for a
//! multi-value variable, several marked with space; a textbox variable's
//! text edited as the prompt edits. Applying a value is what `v` does: a
//! new view, the variables that depend on it asked again.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{choices, dependents, open_index};
use crate::dashboard::{MAX_TEXT, VariableKind};
use crate::keymap::Action;
use crate::model::dashboard::DashFile;
use crate::msg::Cmd;
use crate::state::State;
use crate::state::prompt::LineEdit;
use crate::text::{clean, truncate_width};

/// Widest a filter grows (a paste into it is cut there).
pub const MAX_FILTER: usize = 200;

/// The dashboard picker: the selection among the files the filter keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    /// Index into [`Picker::visible`].
    pub selected: usize,
    pub filter: String,
    /// Keys type into the filter (after `/`).
    pub filtering: bool,
}

impl Picker {
    /// The indices of the files whose title, file name or tags hold every
    /// word of the filter.
    pub fn visible(&self, files: &[DashFile]) -> Vec<usize> {
        let words = words(&self.filter);
        files
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                let tags = f.dashboard.as_ref().map(|d| d.tags.as_slice()).unwrap_or_default();
                let mut fields: Vec<&str> = vec![&f.title, &f.file];
                fields.extend(tags.iter().map(String::as_str));
                matches(&words, &fields)
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// The filter's words, lower case.
pub fn words(filter: &str) -> Vec<String> {
    filter.split_whitespace().map(str::to_lowercase).collect()
}

/// Every word is in one of the fields (any case).
pub fn matches(words: &[String], fields: &[&str]) -> bool {
    let fields: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    words.iter().all(|w| fields.iter().any(|f| f.contains(w.as_str())))
}

/// The value picker of variable `var` of the open dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValuePicker {
    pub var: usize,
    pub edit: ValueEdit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueEdit {
    /// Its options to choose from.
    List(ValueList),
    /// A textbox variable's text.
    Text(LineEdit),
}

/// A variable's options (as [`choices`] lists them, `$__all` for All), the
/// filter over them, and the values marked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueList {
    /// Space marks several values, Enter applies them.
    pub multi: bool,
    /// The values marked (multi), in the order they were marked.
    pub marked: Vec<String>,
    /// Index into [`ValueList::visible`].
    pub selected: usize,
    pub filter: String,
    pub filtering: bool,
}

impl ValueList {
    /// The indices into `choices` the filter keeps (All is matched as `All`).
    pub fn visible(&self, choices: &[String]) -> Vec<usize> {
        let words = words(&self.filter);
        choices.iter().enumerate().filter(|(_, c)| matches(&words, &[shown(c)])).map(|(i, _)| i).collect()
    }
}

/// A choice as the list shows it.
pub fn shown(choice: &str) -> &str {
    if choice == "$__all" { "All" } else { choice }
}

/// Where the selection goes when the list changes: the same row if it is
/// still there, else the nearest one that is.
fn reselect(before: Option<usize>, visible: &[usize], selected: usize) -> usize {
    before.and_then(|b| visible.iter().position(|v| *v == b)).unwrap_or(selected.min(visible.len().saturating_sub(1)))
}

/// Keys while the dashboard picker is open: ↑↓ (j/k), Enter opens, `/`
/// filters, Backspace edits, Esc clears the filter then closes.
pub fn picker_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let files = state.dashboard.files.as_deref().unwrap_or_default();
    let Some(picker) = state.dashboard.picker.as_mut() else { return Vec::new() };
    let visible = picker.visible(files);
    let before = visible.get(picker.selected).copied();
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc if picker.filtering || !picker.filter.is_empty() => {
            picker.filter.clear();
            picker.filtering = false;
        }
        KeyCode::Esc => {
            state.dashboard.picker = None;
            return Vec::new();
        }
        KeyCode::Enter => {
            let Some(i) = before else {
                state.flash_error("no dashboard matches the filter");
                return Vec::new();
            };
            return open_index(state, i);
        }
        KeyCode::Backspace if picker.filtering => {
            picker.filter.pop();
        }
        KeyCode::Char(c) if picker.filtering && !ctrl => {
            if picker.filter.chars().count() < MAX_FILTER {
                picker.filter.push(c);
            }
        }
        _ => {
            let n = visible.len();
            match state.prefs.keymap.action(&key) {
                Some(Action::Up) => picker.selected = picker.selected.saturating_sub(1),
                Some(Action::Down) => picker.selected = (picker.selected + 1).min(n.saturating_sub(1)),
                Some(Action::Top) => picker.selected = 0,
                Some(Action::Bottom) => picker.selected = n.saturating_sub(1),
                Some(Action::Filter) => picker.filtering = true,
                Some(Action::Quit | Action::Dashboards) => state.dashboard.picker = None,
                _ => {}
            }
            return Vec::new();
        }
    }
    let visible = picker.visible(files);
    picker.selected = reselect(before, &visible, picker.selected);
    Vec::new()
}

/// `V`: the selected variable's value picker (a textbox: its text to edit).
pub fn open_values(state: &mut State) {
    let Some(open) = state.dashboard.open.as_mut() else { return };
    let Some(var) = open.dash.variables.get(open.selected_var) else {
        state.flash_error("this dashboard has no variables");
        return;
    };
    let name = truncate_width(&clean(&var.name), 40);
    let edit = match &var.kind {
        VariableKind::Textbox => ValueEdit::Text(LineEdit::new(var.current.first().cloned().unwrap_or_default())),
        VariableKind::Constant => {
            state.flash_error(format!("${name} is a constant: the dashboard sets it"));
            return;
        }
        _ => {
            let choices = choices(var);
            if choices.is_empty() {
                state.flash_error(format!("${name} has no values to choose from"));
                return;
            }
            let selected = var.current.first().and_then(|c| choices.iter().position(|o| o == c)).unwrap_or(0);
            let marked = if var.multi {
                var.current.iter().filter(|c| choices.contains(c)).cloned().collect()
            } else {
                Vec::new()
            };
            ValueEdit::List(ValueList { multi: var.multi, marked, selected, ..ValueList::default() })
        }
    };
    open.values = Some(ValuePicker { var: open.selected_var, edit });
}

/// Keys while the value picker is open. In the list: ↑↓ (j/k), `/`
/// filters, space marks (a multi-value variable, while filtering too),
/// Enter applies, Esc clears the filter then closes. A textbox: the
/// prompt's editing keys, Enter applies, Esc cancels.
pub fn values_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let action = state.prefs.keymap.action(&key);
    let Some(open) = state.dashboard.open.as_mut() else { return Vec::new() };
    let Some(picker) = open.values.as_mut() else { return Vec::new() };
    let Some(var) = open.dash.variables.get(picker.var) else {
        open.values = None;
        return Vec::new();
    };
    let at = picker.var;
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let list = match &mut picker.edit {
        ValueEdit::Text(line) => {
            match key.code {
                KeyCode::Esc => open.values = None,
                KeyCode::Enter => {
                    let text = truncate_width(&clean(&line.text), MAX_TEXT);
                    open.values = None;
                    return apply(state, at, vec![text], true);
                }
                code => {
                    line.key(code, ctrl);
                }
            }
            return Vec::new();
        }
        ValueEdit::List(list) => list,
    };
    let choices = choices(var);
    let visible = list.visible(&choices);
    let before = visible.get(list.selected).copied();
    match key.code {
        KeyCode::Esc if list.filtering || !list.filter.is_empty() => {
            list.filter.clear();
            list.filtering = false;
        }
        KeyCode::Esc => {
            open.values = None;
            return Vec::new();
        }
        KeyCode::Enter => {
            // The marks still offered (the options may have been answered
            // anew since), in the options' order, as Grafana writes them.
            let marked: Vec<String> =
                choices.iter().filter(|c| list.multi && list.marked.contains(c)).cloned().collect();
            let chosen = if !marked.is_empty() {
                marked
            } else if let Some(i) = before {
                vec![choices[i].clone()]
            } else {
                state.flash_error("no value matches the filter");
                return Vec::new();
            };
            open.values = None;
            return apply(state, at, chosen, false);
        }
        KeyCode::Char(' ') if list.multi => {
            if let Some(i) = before {
                toggle(&mut list.marked, &choices[i]);
            }
            return Vec::new();
        }
        KeyCode::Backspace if list.filtering => {
            list.filter.pop();
        }
        KeyCode::Char(c) if list.filtering && !ctrl => {
            if list.filter.chars().count() < MAX_FILTER {
                list.filter.push(c);
            }
        }
        _ => {
            let n = visible.len();
            match action {
                Some(Action::Up) => list.selected = list.selected.saturating_sub(1),
                Some(Action::Down) => list.selected = (list.selected + 1).min(n.saturating_sub(1)),
                Some(Action::Top) => list.selected = 0,
                Some(Action::Bottom) => list.selected = n.saturating_sub(1),
                Some(Action::Filter) => list.filtering = true,
                Some(Action::Quit) => open.values = None,
                _ => {}
            }
            return Vec::new();
        }
    }
    let visible = list.visible(&choices);
    list.selected = reselect(before, &visible, list.selected);
    Vec::new()
}

/// Marks or unmarks `value`; All and the other values exclude each other.
fn toggle(marked: &mut Vec<String>, value: &str) {
    if let Some(i) = marked.iter().position(|m| m == value) {
        marked.remove(i);
        return;
    }
    if value == "$__all" {
        marked.clear();
    } else {
        marked.retain(|m| m != "$__all");
    }
    marked.push(value.to_string());
}

/// Variable `i` takes `current` (a textbox: as its one option too). A
/// change is a new view (every answer before it stale), and the variables
/// that depend on it are asked again, as `v` does.
pub(super) fn apply(state: &mut State, i: usize, current: Vec<String>, textbox: bool) -> Vec<Cmd> {
    let enabled = state.dashboard.cache.enabled;
    let d = &mut state.dashboard;
    let Some(open) = d.open.as_mut() else { return Vec::new() };
    let Some(var) = open.dash.variables.get_mut(i) else { return Vec::new() };
    if var.current == current {
        return Vec::new();
    }
    if textbox {
        var.options = current.clone();
    }
    var.current = current;
    let name = var.name.clone();
    let cmds = dependents(open, &name, &mut d.asks, enabled);
    d.bump();
    state.frame.dirty = true;
    cmds
}
