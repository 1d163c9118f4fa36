//! What a user can bind, as data: each action has a name (used in the config
//! and the command prompt), a task group and a description. The help overlay
//! and the key lookup are both generated from the same table, so `?` always
//! shows the bindings actually in force.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::KeyList;

macro_rules! actions {
    ($( $variant:ident, $name:literal, $group:literal, $desc:literal, [$($key:literal),*]; )*) => {
        /// Something a key can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
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

actions! {
    Quit, "quit", "General", "quit warroom", ["q", "ctrl-c"];
    Help, "help", "General", "show this help", ["?"];
    Command, "command", "General", "command prompt (:group, :filter, :theme, :q)", [":"];
    Refresh, "refresh", "General", "poll every source now", ["ctrl-r"];
    Contexts, "contexts", "General", "switch context: pick a set of sources (:ctx NAME)", ["ctrl-x"];
    FocusNext, "focus-next", "General", "focus the next pane", ["tab"];
    FocusPrev, "focus-prev", "General", "focus the previous pane", ["backtab"];
    Up, "up", "Navigate", "select previous", ["k", "up"];
    Down, "down", "Navigate", "select next", ["j", "down"];
    Top, "top", "Navigate", "go to top", ["g", "home"];
    Bottom, "bottom", "Navigate", "go to bottom", ["G", "end"];
    PageUp, "page-up", "Navigate", "page up", ["pageup", "ctrl-b"];
    PageDown, "page-down", "Navigate", "page down", ["pagedown", "ctrl-f"];
    Filter, "filter", "Alerts", "filter by label or annotation text", ["/"];
    ClearFilter, "clear-filter", "Alerts", "clear the filter / close overlay", ["esc"];
    GroupBy, "group-by", "Alerts", "cycle grouping: alertname, service, severity, none", ["b"];
    ToggleMuted, "toggle-muted", "Alerts", "show/hide silenced and inhibited alerts", ["m"];
    Runbook, "runbook", "Runbook", "open the alert's runbook", ["r", "enter"];
    Logs, "logs", "Logs", "show the alert's logs", ["l"];
    Chart, "chart", "Signals", "full-size chart of the selected series", ["c"];
    Pin, "pin", "Incident", "pin the graph or log line to the timeline", ["p"];
    Note, "note", "Incident", "add a note to the incident", ["n"];
    Incident, "incident", "Incident", "declare or resume an incident", ["i"];
    Export, "export", "Incident", "write the post-mortem draft", ["e"];
    EditNote, "edit-note", "Incident", "edit the note selected in the timeline", ["E"];
    StrikeNote, "strike-note", "Incident", "strike out the selected note (kept in history)", ["X"];
    Silence, "silence", "Act", "silence the alert", ["s"];
    Ack, "ack", "Act", "acknowledge (short silence on this alert)", ["a"];
    Silences, "silences", "Act", "list silences (x expire, e edit, + extend)", ["S"];
    Copy, "copy", "Act", "copy the alert or log line to the clipboard (OSC 52)", ["y"];
}

impl Action {
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.name() == name)
    }
}

/// A key as written in the config: `q`, `G`, `ctrl-r`, `enter`, `pageup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeKey,
    pub ctrl: bool,
    pub alt: bool,
}

/// `KeyCode` reduced to what can be bound, ordered for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeKey {
    Char(char),
    Named(&'static str),
    F(u8),
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("delete", KeyCode::Delete),
    ("space", KeyCode::Char(' ')),
];

impl Key {
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut ctrl = false;
        let mut alt = false;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").or_else(|| rest.strip_prefix("C-")) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").or_else(|| rest.strip_prefix("M-")) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        let code = if let Some((name, _)) = NAMED.iter().find(|(n, _)| *n == lower) {
            if *name == "space" { KeyCodeKey::Char(' ') } else { KeyCodeKey::Named(name) }
        } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
            KeyCodeKey::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCodeKey::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                _ => return Err(format!("unknown key {s:?}")),
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) => KeyCodeKey::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeKey::F(n),
            other => NAMED.iter().find(|(_, k)| *k == other).map(|(n, _)| KeyCodeKey::Named(n))?,
        };
        Some(Key { code, ctrl, alt })
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCodeKey::Char(' ') => f.write_str("space"),
            KeyCodeKey::Char(c) => write!(f, "{c}"),
            KeyCodeKey::Named(n) => f.write_str(n),
            KeyCodeKey::F(n) => write!(f, "f{n}"),
        }
    }
}

/// The bindings in force: defaults with the config's `[keymap]` over them.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    by_key: BTreeMap<Key, Action>,
}

impl Keymap {
    pub fn new(overrides: &BTreeMap<String, KeyList>) -> Result<Self, String> {
        let mut bindings: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for a in Action::ALL {
            let keys = a.default_keys().iter().map(|k| Key::parse(k)).collect::<Result<_, _>>()?;
            bindings.insert(*a, keys);
        }
        for (name, keys) in overrides {
            let action = Action::from_name(name).ok_or_else(|| format!("[keymap]: unknown action {name:?}"))?;
            let keys: Vec<Key> = keys
                .keys()
                .iter()
                .map(|k| Key::parse(k).map_err(|e| format!("[keymap] {name}: {e}")))
                .collect::<Result<_, _>>()?;
            // A key taken by the override is released from its old action.
            for list in bindings.values_mut() {
                list.retain(|k| !keys.contains(k));
            }
            bindings.insert(action, keys);
        }
        let by_key = bindings.into_iter().flat_map(|(a, ks)| ks.into_iter().map(move |k| (k, a))).collect();
        Ok(Self { by_key })
    }

    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(ev)?;
        self.by_key.get(&key).copied()
    }

    /// Keys bound to `action`, for the help overlay and hints.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.by_key.iter().filter(|(_, a)| **a == action).map(|(k, _)| *k).collect()
    }

    /// The first key of `action`, as shown in hints ("r runbook").
    pub fn hint(&self, action: Action) -> String {
        self.keys_for(action).first().map(ToString::to_string).unwrap_or_else(|| format!(":{}", action.name()))
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Self::new(&BTreeMap::new()).expect("built-in keymap is valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn defaults_cover_every_action_once() {
        let km = Keymap::default();
        for a in Action::ALL {
            assert!(!km.keys_for(*a).is_empty(), "{a:?} has no key");
        }
        assert_eq!(km.action(&ev(KeyCode::Char('q'), KeyModifiers::NONE)), Some(Action::Quit));
        assert_eq!(km.action(&ev(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(km.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Action::Bottom));
        assert_eq!(km.action(&ev(KeyCode::PageDown, KeyModifiers::NONE)), Some(Action::PageDown));
    }

    #[test]
    fn overrides_rebind_and_release() {
        let mut o = BTreeMap::new();
        o.insert("silence".to_string(), KeyList::One("S".into()));
        o.insert("refresh".to_string(), KeyList::Many(vec!["R".into(), "s".into()]));
        let km = Keymap::new(&o).unwrap();
        assert_eq!(km.action(&ev(KeyCode::Char('S'), KeyModifiers::SHIFT)), Some(Action::Silence));
        assert_eq!(km.action(&ev(KeyCode::Char('s'), KeyModifiers::NONE)), Some(Action::Refresh));
        assert_eq!(km.hint(Action::Silence), "S");
    }

    #[test]
    fn bad_overrides_are_named() {
        let mut o = BTreeMap::new();
        o.insert("fly".to_string(), KeyList::One("f".into()));
        assert!(Keymap::new(&o).unwrap_err().contains("fly"));
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), KeyList::One("hyper-x".into()));
        assert!(Keymap::new(&o).unwrap_err().contains("hyper-x"));
    }

    #[test]
    fn keys_round_trip() {
        for s in ["q", "G", "ctrl-r", "enter", "pageup", "f5", "space", "alt-x", "?"] {
            assert_eq!(Key::parse(s).unwrap().to_string(), s);
        }
    }
}
