//! The one-line prompts (`:` commands, `/` filters and searches): editing
//! with a cursor (←/→, Home/End, Ctrl-A/E, Ctrl-W, Ctrl-U), and for `:`
//! Tab completion (cycling, shown as a dim suggestion) and Up/Down history.

pub mod complete;
pub mod history;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::alerts::Grouping;
use super::update::{CHART_WIDTH, on_action, set_filter};
use super::{PromptKind, State};
use crate::keymap::Action;
use crate::msg::Cmd;

/// The prompt's editing state beside `State::prompt` (which keeps only the
/// kind and the text, as every pane opens it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptEdit {
    /// Cursor as a char index; `None` is the end of the line.
    pub cursor: Option<usize>,
    /// Tab pressed: the candidates and the one shown.
    pub cycle: Option<Cycle>,
    pub history: history::History,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub start: usize,
    pub words: Vec<String>,
    pub index: usize,
}

/// The cursor as a byte offset into `input`.
pub fn cursor_byte(state: &State, input: &str) -> usize {
    match state.view.prompt.edit.cursor {
        Some(c) => input.char_indices().nth(c).map_or(input.len(), |(i, _)| i),
        None => input.len(),
    }
}

/// The rest of the first completion, shown dim after the cursor at the end
/// of a `:` line.
pub fn suggestion(state: &State) -> Option<String> {
    let p = state.view.prompt.open.as_ref().filter(|p| p.kind == PromptKind::Command)?;
    if state.view.prompt.edit.cursor.is_some() || state.view.prompt.edit.cycle.is_some() || p.input.is_empty() {
        return None;
    }
    let c = complete::candidates(state, &p.input);
    let first = c.words.first()?;
    first.strip_prefix(&p.input[c.start..]).map(str::to_string)
}

/// A key while a prompt is open.
pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let Some(kind) = state.view.prompt.open.as_ref().map(|p| p.kind) else { return Vec::new() };
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if !matches!(key.code, KeyCode::Tab | KeyCode::BackTab) {
        state.view.prompt.edit.cycle = None;
    }
    match key.code {
        KeyCode::Esc => {
            close(state);
            if kind == PromptKind::Filter {
                set_filter(state, String::new());
            }
            return Vec::new();
        }
        KeyCode::Enter => return enter(state, kind),
        KeyCode::Tab if kind == PromptKind::Command => complete(state, true),
        KeyCode::BackTab if kind == PromptKind::Command => complete(state, false),
        KeyCode::Up if kind == PromptKind::Command => recall(state, true),
        KeyCode::Down if kind == PromptKind::Command => recall(state, false),
        _ => edit(state, key.code, ctrl),
    }
    if kind == PromptKind::Filter
        && let Some(p) = &state.view.prompt.open
    {
        let input = p.input.clone();
        set_filter(state, input);
    }
    Vec::new()
}

fn close(state: &mut State) {
    state.view.prompt.open = None;
    state.view.prompt.edit.cursor = None;
    state.view.prompt.edit.cycle = None;
    state.view.prompt.edit.history.reset();
}

fn enter(state: &mut State, kind: PromptKind) -> Vec<Cmd> {
    let input = state.view.prompt.open.as_ref().map(|p| p.input.clone()).unwrap_or_default();
    close(state);
    match kind {
        PromptKind::Command => {
            state.view.flash = None;
            let mut cmds = run_command(state, input.trim());
            // Kept: what worked and is worth recalling (not `:q`, not typos;
            // a theme file once it is read, see `theme_found`).
            let failed = state.view.flash.as_ref().is_some_and(|f| f.error)
                || cmds.iter().any(|c| matches!(c, Cmd::LoadTheme { .. }));
            if !state.frame.quit && !failed && state.view.prompt.edit.history.push(&input) {
                cmds.push(Cmd::SaveHistory(state.view.prompt.edit.history.to_text()));
            }
            return cmds;
        }
        PromptKind::Search => {
            if let Some(view) = state.runbook.view.as_mut() {
                view.search(input.trim());
            }
        }
        PromptKind::LogSearch | PromptKind::LogFilter => super::logs::flow::apply_prompt(state, kind, input.trim()),
        PromptKind::Filter => {}
    }
    Vec::new()
}

/// Cursor moves and edits at the cursor.
fn edit(state: &mut State, code: KeyCode, ctrl: bool) {
    let Some(p) = state.view.prompt.open.as_ref() else { return };
    let mut line = LineEdit { text: p.input.clone(), cursor: state.view.prompt.edit.cursor };
    if line.key(code, ctrl) {
        let at = line.cursor.unwrap_or(line.text.chars().count());
        set_line(state, line.text, at);
    }
}

/// One line of text being edited as the prompt edits it (←/→, Home/End,
/// Ctrl-A/E, Ctrl-W, Ctrl-U, Backspace, Delete): the prompt's, and the
/// dashboard's textbox variables'.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    pub text: String,
    /// Cursor as a char index; `None` is the end of the line.
    pub cursor: Option<usize>,
}

impl LineEdit {
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), cursor: None }
    }

    /// The cursor as a byte offset into the text.
    pub fn cursor_byte(&self) -> usize {
        match self.cursor {
            Some(c) => self.text.char_indices().nth(c).map_or(self.text.len(), |(i, _)| i),
            None => self.text.len(),
        }
    }

    /// Applies an editing key; false when it is not one (nothing changed).
    pub fn key(&mut self, code: KeyCode, ctrl: bool) -> bool {
        let mut chars: Vec<char> = self.text.chars().collect();
        let mut at = self.cursor.unwrap_or(chars.len()).min(chars.len());
        match code {
            KeyCode::Left => at = at.saturating_sub(1),
            KeyCode::Right => at = (at + 1).min(chars.len()),
            KeyCode::Home => at = 0,
            KeyCode::End => at = chars.len(),
            KeyCode::Char('a') if ctrl => at = 0,
            KeyCode::Char('e') if ctrl => at = chars.len(),
            KeyCode::Char('u') if ctrl => {
                chars.drain(..at);
                at = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let mut from = at;
                while from > 0 && chars[from - 1].is_whitespace() {
                    from -= 1;
                }
                while from > 0 && !chars[from - 1].is_whitespace() {
                    from -= 1;
                }
                chars.drain(from..at);
                at = from;
            }
            KeyCode::Backspace if at > 0 => {
                chars.remove(at - 1);
                at -= 1;
            }
            KeyCode::Delete if at < chars.len() => {
                chars.remove(at);
            }
            KeyCode::Char(c) if !ctrl => {
                chars.insert(at, c);
                at += 1;
            }
            _ => return false,
        }
        let len = chars.len();
        self.text = chars.into_iter().collect();
        self.cursor = (at < len).then_some(at);
        true
    }
}

fn set_line(state: &mut State, input: String, at: usize) {
    let len = input.chars().count();
    if let Some(p) = state.view.prompt.open.as_mut() {
        p.input = input;
    }
    state.view.prompt.edit.cursor = (at < len).then_some(at);
}

/// Tab / Shift-Tab: the next (previous) candidate in place of the word.
fn complete(state: &mut State, forward: bool) {
    let Some(input) = state.view.prompt.open.as_ref().map(|p| p.input.clone()) else { return };
    let cursor = cursor_byte(state, &input);
    let (start, words, index, end) = match state.view.prompt.edit.cycle.take() {
        Some(c) => {
            let n = c.words.len();
            let end = c.start + c.words[c.index].len();
            let index = if forward { (c.index + 1) % n } else { (c.index + n - 1) % n };
            (c.start, c.words, index, end)
        }
        None => {
            let c = complete::candidates(state, &input[..cursor]);
            if c.words.is_empty() {
                return;
            }
            let index = if forward { 0 } else { c.words.len() - 1 };
            (c.start, c.words, index, cursor)
        }
    };
    let word = &words[index];
    let line = format!("{}{word}{}", &input[..start], input.get(end..).unwrap_or_default());
    let at = input[..start].chars().count() + word.chars().count();
    set_line(state, line, at);
    if words.len() > 1 {
        state.view.prompt.edit.cycle = Some(Cycle { start, words, index });
    }
}

fn recall(state: &mut State, up: bool) {
    let current = state.view.prompt.open.as_ref().map(|p| p.input.clone()).unwrap_or_default();
    let h = &mut state.view.prompt.edit.history;
    if let Some(line) = if up { h.up(&current) } else { h.down() } {
        let len = line.chars().count();
        set_line(state, line, len);
    }
}

/// `:` commands. Unknown ones say so rather than doing nothing.
pub fn run_command(state: &mut State, line: &str) -> Vec<Cmd> {
    let (cmd, arg) = line.split_once(char::is_whitespace).map(|(c, a)| (c, a.trim())).unwrap_or((line, ""));
    match cmd {
        "" => {}
        "q" | "quit" | "q!" => {
            state.frame.quit = true;
            return vec![Cmd::Quit];
        }
        "group" => {
            state.alerts.grouping = Grouping::parse(if arg.is_empty() { "none" } else { arg });
            state.alerts.regroup();
        }
        "filter" => set_filter(state, arg.to_string()),
        "logs" => return super::logs::flow::command(state, arg),
        "ctx" | "context" => return super::contexts::command(state, arg),
        "refresh" => return vec![Cmd::RefreshAll],
        "muted" => {
            state.alerts.show_muted = !state.alerts.show_muted;
            state.alerts.regroup();
        }
        "theme" => return theme(state, arg),
        "dash" => return super::dashboard::command(state, arg),
        "help" => state.view.help.open = true,
        "notify" => super::notify::command(state, arg),
        "query" if arg.is_empty() => state.flash_error("usage: :query <promql>"),
        "query" => {
            let step = state.signals.step_for(CHART_WIDTH);
            let key = super::signals::SeriesKey::new(arg.to_string(), step);
            state.view.chart = Some(super::ChartView { title: arg.to_string(), key, unit: super::signals::Unit::None });
        }
        other => {
            if let Some(action) = Action::from_name(other) {
                return on_action(state, action);
            }
            if let Some(cmds) = super::incident::flow::command(state, line) {
                return cmds;
            }
            state.flash_error(format!("unknown command :{other} (see ?)"));
        }
    }
    Vec::new()
}

/// `:theme NAME`: a shipped theme is parsed here and now; any other name
/// (a file) is found by the runtime, which answers with [`Msg::Theme`]
/// (see [`theme_found`]).
///
/// [`Msg::Theme`]: crate::msg::Msg::Theme
fn theme(state: &mut State, name: &str) -> Vec<Cmd> {
    let name = if name.is_empty() { "default" } else { name };
    match crate::theme::builtin_toml(name) {
        Some(toml) => {
            show_theme(state, name, toml);
            Vec::new()
        }
        None => vec![Cmd::LoadTheme { name: name.to_string() }],
    }
}

/// Parses and shows a theme; whether it could be.
fn show_theme(state: &mut State, name: &str, toml: &str) -> bool {
    match crate::theme::Theme::parse(name, toml, state.prefs.theme.no_color) {
        Ok(theme) => {
            state.prefs.theme = theme;
            true
        }
        Err(e) => {
            state.flash_error(e);
            false
        }
    }
}

/// The theme file `:theme` asked for, found or not: shown, and the command
/// kept in the history once it worked (as any other command is when run).
pub fn theme_found(state: &mut State, found: Result<crate::msg::ThemeToml, String>) -> Vec<Cmd> {
    state.frame.dirty = true;
    let found = match found {
        Ok(found) => found,
        Err(e) => {
            state.flash_error(e);
            return Vec::new();
        }
    };
    if show_theme(state, &found.name, &found.toml)
        && state.view.prompt.edit.history.push(&format!("theme {}", found.name))
    {
        return vec![Cmd::SaveHistory(state.view.prompt.edit.history.to_text())];
    }
    Vec::new()
}

#[cfg(test)]
mod tests;
