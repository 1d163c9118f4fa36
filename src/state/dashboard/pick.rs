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
pub use crate::state::picker::words;
use crate::state::picker::{ListFilter, Step};
use crate::state::prompt::LineEdit;
use crate::text::{clean, truncate_width};

/// The dashboard picker: the selection among the files the filter keeps.
pub type Picker = ListFilter;

/// The indices of the files whose title, file name or tags hold every
/// word of the picker's filter.
pub fn kept_files(picker: &Picker, files: &[DashFile]) -> Vec<usize> {
    files
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            let tags = f.dashboard.as_ref().map(|d| d.tags.as_slice()).unwrap_or_default();
            let mut fields: Vec<&str> = vec![&f.title, &f.file];
            fields.extend(tags.iter().map(String::as_str));
            picker.keeps(&fields)
        })
        .map(|(i, _)| i)
        .collect()
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
    /// The selection among the choices the filter keeps.
    pub list: ListFilter,
}

impl ValueList {
    /// The indices into `choices` the filter keeps (All is matched as `All`).
    pub fn visible(&self, choices: &[String]) -> Vec<usize> {
        kept_choices(&self.list, choices)
    }
}

fn kept_choices(list: &ListFilter, choices: &[String]) -> Vec<usize> {
    (0..choices.len()).filter(|i| list.keeps(&[shown(&choices[*i])])).collect()
}

/// A choice as the list shows it.
pub fn shown(choice: &str) -> &str {
    if choice == "$__all" { "All" } else { choice }
}

/// Keys while the dashboard picker is open: ↑↓ (j/k), Enter opens, `/`
/// filters, Backspace edits, Esc clears the filter then closes.
pub fn picker_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let action = state.prefs.keymap.action(&key);
    let files = state.dashboard.files.as_deref().unwrap_or_default();
    let Some(picker) = state.dashboard.picker.as_mut() else { return Vec::new() };
    match picker.key(key, action, &[Action::Dashboards], |p| kept_files(p, files)) {
        Step::Close => state.dashboard.picker = None,
        Step::Choose(Some(i)) => return open_index(state, i),
        Step::Choose(None) => state.flash_error("no dashboard matches the filter"),
        Step::Done => {}
    }
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
            ValueEdit::List(ValueList {
                multi: var.multi,
                marked,
                list: ListFilter { selected, ..ListFilter::default() },
            })
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
    if key.code == KeyCode::Char(' ') && list.multi {
        let visible = list.visible(&choices);
        if let Some(&i) = visible.get(list.list.selected) {
            toggle(&mut list.marked, &choices[i]);
        }
        return Vec::new();
    }
    match list.list.key(key, action, &[], |l| kept_choices(l, &choices)) {
        Step::Close => open.values = None,
        Step::Choose(selected) => {
            // The marks still offered (the options may have been answered
            // anew since), in the options' order, as Grafana writes them.
            let marked: Vec<String> =
                choices.iter().filter(|c| list.multi && list.marked.contains(c)).cloned().collect();
            let chosen = if !marked.is_empty() {
                marked
            } else if let Some(i) = selected {
                vec![choices[i].clone()]
            } else {
                state.flash_error("no value matches the filter");
                return Vec::new();
            };
            open.values = None;
            return apply(state, at, chosen, false);
        }
        Step::Done => {}
    }
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
    open.expand();
    let cmds = dependents(open, &name, &mut d.asks, enabled);
    d.bump();
    state.frame.dirty = true;
    cmds
}
