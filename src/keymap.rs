//! What a user can bind, as data: each action has a name (used in the config
//! and the command prompt), a scope (the board, or one pane), a task group
//! and a description. The help overlay and the key lookup are both generated
//! from the same table, so `?` always shows the bindings actually in force.
//!
//! A pane's keys are looked up in that pane's scope first, then in the
//! board's: `t` can mean "UTC" in the logs and "contents" in a runbook, and
//! a pane never has to repeat the navigation keys.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

mod key;
pub use key::{Key, KeyCodeKey};

/// The keys a config line binds to one action: `"x"` or `["x", "y"]`.
#[derive(Debug, Clone, serde::Deserialize, PartialEq)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            Self::One(k) => vec![k.as_str()],
            Self::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The board, and every pane as a fallback.
    Global,
    Logs,
    Runbook,
    Silences,
    Chart,
    Dashboard,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "board",
            Self::Logs => "logs",
            Self::Runbook => "runbook",
            Self::Silences => "silences",
            Self::Chart => "chart",
            Self::Dashboard => "dashboard",
        }
    }
}

macro_rules! actions {
    ($( $variant:ident, $name:literal, $scope:ident, $group:literal, $desc:literal, [$($key:literal),*]; )*) => {
        /// Something a key can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }
            pub fn scope(self) -> Scope {
                match self { $(Action::$variant => Scope::$scope),* }
            }
            pub fn group(self) -> &'static str {
                match self { $(Action::$variant => $group),* }
            }
            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => $desc),* }
            }
            fn default_keys(self) -> &'static [&'static str] {
                match self { $(Action::$variant => &[$($key),*]),* }
            }
        }
    };
}

// The order here is the order of the groups and lines in `?`.
actions! {
    Quit, "quit", Global, "General", "quit warroom", ["q", "ctrl-c"];
    Help, "help", Global, "General", "show this help", ["?"];
    Command, "command", Global, "General", "command prompt (:group, :filter, :theme, :q)", [":"];
    Refresh, "refresh", Global, "General", "poll every source now", ["ctrl-r"];
    Contexts, "contexts", Global, "General", "switch context: pick a set of sources (:ctx NAME)", ["ctrl-x"];
    Dashboards, "dashboards", Global, "General", "pick a Grafana dashboard to open (:dash NAME)", ["D"];
    FocusNext, "focus-next", Global, "General", "focus the next pane", ["tab"];
    FocusPrev, "focus-prev", Global, "General", "focus the previous pane", ["backtab"];
    Up, "up", Global, "Navigate", "select previous", ["k", "up"];
    Down, "down", Global, "Navigate", "select next", ["j", "down"];
    Top, "top", Global, "Navigate", "go to top", ["g", "home"];
    Bottom, "bottom", Global, "Navigate", "go to bottom (logs: follow)", ["G", "end"];
    PageUp, "page-up", Global, "Navigate", "page up", ["pageup", "ctrl-b"];
    PageDown, "page-down", Global, "Navigate", "page down", ["pagedown", "ctrl-f"];
    Filter, "filter", Global, "Alerts", "filter by label or annotation text", ["/"];
    ClearFilter, "clear-filter", Global, "Alerts", "clear the filter / close overlay", ["esc"];
    GroupBy, "group-by", Global, "Alerts", "cycle grouping: alertname, service, severity, none", ["b"];
    ToggleMuted, "toggle-muted", Global, "Alerts", "show/hide silenced and inhibited alerts", ["m"];
    Runbook, "runbook", Global, "Runbook", "open the alert's runbook", ["r", "enter"];
    RunbookClose, "runbook-close", Runbook, "Runbook", "close the contents or search, then the runbook", ["esc", "q"];
    RunbookContents, "runbook-contents", Runbook, "Runbook", "table of contents", ["t"];
    RunbookGo, "runbook-go", Runbook, "Runbook", "go to the heading chosen in the contents; on a live block, open it in the chart (PromQL) or the logs (LogQL)", ["enter"];
    RunbookNextStep, "runbook-next-step", Runbook, "Runbook", "next step not yet done", ["]"];
    RunbookTick, "runbook-tick", Runbook, "Runbook", "tick the step (goes to the timeline)", ["space", "x"];
    RunbookCopy, "runbook-copy", Runbook, "Runbook", "copy the code block (OSC 52)", ["y"];
    RunbookSearch, "runbook-search", Runbook, "Runbook", "search the runbook", ["/"];
    RunbookNextMatch, "runbook-next-match", Runbook, "Runbook", "next match", ["n"];
    RunbookPrevMatch, "runbook-prev-match", Runbook, "Runbook", "previous match", ["N"];
    RunbookLeft, "runbook-left", Runbook, "Runbook", "scroll code blocks left", ["left", "h"];
    RunbookRight, "runbook-right", Runbook, "Runbook", "scroll code blocks right", ["right", "l"];
    Logs, "logs", Global, "Logs", "show the alert's logs", ["l"];
    LogSearch, "log-search", Logs, "Logs", "search the logs", ["/"];
    LogFilter, "log-filter", Logs, "Logs", "keep matching lines (LogQL line filter)", ["|"];
    LogNextMatch, "log-next-match", Logs, "Logs", "next match", ["n"];
    LogPrevMatch, "log-prev-match", Logs, "Logs", "previous match", ["N"];
    LogWrap, "log-wrap", Logs, "Logs", "wrap long lines", ["w"];
    LogFullscreen, "log-fullscreen", Logs, "Logs", "logs full screen", ["f"];
    LogUtc, "log-utc", Logs, "Logs", "times in UTC or local time", ["t"];
    LogLeft, "log-left", Logs, "Logs", "scroll left", ["left", "h"];
    LogRight, "log-right", Logs, "Logs", "scroll right", ["right"];
    LogBack, "log-back", Logs, "Logs", "clear the search, then the filter, then full screen", ["esc"];
    Chart, "chart", Global, "Signals", "full-size chart of the selected series", ["c"];
    ChartClose, "chart-close", Chart, "Chart", "close the chart", ["esc", "q", "c"];
    Pin, "pin", Global, "Incident", "pin the graph or log line to the timeline", ["p"];
    Note, "note", Global, "Incident", "add a note to the incident", ["n"];
    Incident, "incident", Global, "Incident", "declare or resume an incident", ["i"];
    Export, "export", Global, "Incident", "write the post-mortem draft", ["e"];
    EditNote, "edit-note", Global, "Incident", "edit the note selected in the timeline", ["E"];
    StrikeNote, "strike-note", Global, "Incident", "strike out the selected note (kept in history)", ["X"];
    Silence, "silence", Global, "Act", "silence the alert", ["s"];
    Ack, "ack", Global, "Act", "acknowledge (short silence on this alert)", ["a"];
    Silences, "silences", Global, "Act", "list silences (x expire, e edit, + extend)", ["S"];
    Copy, "copy", Global, "Act", "copy the alert or log line to the clipboard (OSC 52)", ["y"];
    SilencesClose, "silences-close", Silences, "Silences", "close the list", ["esc", "q", "S"];
    SilencesFilter, "silences-filter", Silences, "Silences", "filter the list", ["/"];
    SilenceExpire, "silence-expire", Silences, "Silences", "expire the selected silence (asks y/n)", ["x"];
    SilenceEdit, "silence-edit", Silences, "Silences", "edit the selected silence", ["e"];
    SilenceExtend, "silence-extend", Silences, "Silences", "extend the selected silence by one ack", ["+"];
    DashClose, "dash-close", Dashboard, "Dashboard", "close the full-size panel, then the dashboard", ["esc", "q"];
    DashVar, "dash-var", Dashboard, "Dashboard", "select the next variable", ["tab"];
    DashValue, "dash-value", Dashboard, "Dashboard", "next value of the selected variable", ["v"];
    DashPick, "dash-pick", Dashboard, "Dashboard", "choose the selected variable's values from a list (/ filters, space marks several); a textbox: edit its text", ["V"];
    DashRow, "dash-row", Dashboard, "Dashboard", "open or close the row; a panel: full size", ["enter", "space"];
}

impl Action {
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }
}

/// The bindings in force: defaults with the config's `[keymap]` over them.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    by_key: BTreeMap<(Scope, Key), Action>,
}

impl Keymap {
    /// Fails on an unknown action or key, and when two overridden actions
    /// of one scope claim the same key (which one wins would be a guess).
    /// A key an override takes is released from the default that had it in
    /// the same scope.
    pub fn new(overrides: &BTreeMap<String, KeyList>) -> Result<Self, String> {
        let mut bindings: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for a in Action::ALL {
            let keys = a.default_keys().iter().map(|k| Key::parse(k)).collect::<Result<_, _>>()?;
            bindings.insert(*a, keys);
        }
        let mut claimed: BTreeMap<(Scope, Key), Action> = BTreeMap::new();
        for (name, keys) in overrides {
            let action = Action::from_name(name).ok_or_else(|| format!("[keymap]: unknown action {name:?}"))?;
            let keys: Vec<Key> = keys
                .keys()
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("[keymap] {name}: {e}")))
                .collect::<Result<_, _>>()?;
            for k in &keys {
                if let Some(other) = claimed.insert((action.scope(), *k), action)
                    && other != action
                {
                    return Err(conflict(other, action, *k));
                }
            }
            for (a, list) in bindings.iter_mut() {
                if a.scope() == action.scope() {
                    list.retain(|k| !keys.contains(k));
                }
            }
            bindings.insert(action, keys);
        }
        let by_key =
            bindings.into_iter().flat_map(|(a, ks)| ks.into_iter().map(move |k| ((a.scope(), k), a))).collect();
        Ok(Self { by_key })
    }

    /// The board's action for a key.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.local(ev, Scope::Global)
    }

    /// The action bound to a key in `scope` only (no fallback).
    pub fn local(&self, ev: &KeyEvent, scope: Scope) -> Option<Action> {
        let key = Key::from_event(ev)?;
        self.by_key.get(&(scope, key)).copied()
    }

    /// The action for a key in a pane: the pane's own, else the board's.
    pub fn action_in(&self, ev: &KeyEvent, scope: Scope) -> Option<Action> {
        self.local(ev, scope).or_else(|| self.action(ev))
    }

    /// Keys bound to `action`, for the help overlay and hints.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.by_key.iter().filter(|(_, a)| **a == action).map(|((_, k), _)| *k).collect()
    }

    /// The help overlay's groups, in order: each task group's name and its
    /// actions that have a key with their keys (a group left with none is
    /// not listed).
    pub fn help_groups(&self) -> Vec<HelpGroup> {
        let mut names: Vec<&'static str> = Vec::new();
        for a in Action::ALL {
            if !names.contains(&a.group()) {
                names.push(a.group());
            }
        }
        names
            .into_iter()
            .filter_map(|g| {
                let bound: Vec<(Action, Vec<Key>)> = Action::ALL
                    .iter()
                    .filter(|a| a.group() == g)
                    .map(|a| (*a, self.keys_for(*a)))
                    .filter(|(_, keys)| !keys.is_empty())
                    .collect();
                (!bound.is_empty()).then_some((g, bound))
            })
            .collect()
    }

    /// The first key of `action`, as shown in hints ("r runbook").
    pub fn hint(&self, action: Action) -> String {
        self.keys_for(action).first().map(ToString::to_string).unwrap_or_else(|| format!(":{}", action.name()))
    }
}

/// A help group: its name, and its bound actions with their keys.
pub type HelpGroup = (&'static str, Vec<(Action, Vec<Key>)>);

fn conflict(a: Action, b: Action, key: Key) -> String {
    let (a, b) = if a < b { (a, b) } else { (b, a) };
    format!(
        "[keymap]: {} and {} are both bound to {:?} in the {} keys; give one of them another key",
        a.name(),
        b.name(),
        key.to_string(),
        a.scope().name()
    )
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new(&BTreeMap::new()).expect("built-in keymap is valid")
    }
}

#[cfg(test)]
mod tests;
