//! Keys as written in the config (`q`, `G`, `ctrl-r`, `enter`, `pageup`)
//! and as crossterm reports them, reduced to one comparable value.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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
