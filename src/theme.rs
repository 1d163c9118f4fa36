//! Semantic themes: named styles per component, parsed from TOML: the files
//! in `themes/` (embedded in the binary), `NAME.toml` in a theme directory
//! (`~/.config/warroom/themes/`, `/usr/share/warroom/themes/`), or a user's
//! file. Finding and reading those files is the runtime's part
//! (`app::theme_files`); this module only parses. Without colour (`NO_COLOR`)
//! a theme keeps bold/reverse/underline and drops every colour.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

use crate::model::{AlertState, Severity};

/// Themes shipped with warroom (name, TOML).
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../themes/default.toml")),
    ("light", include_str!("../themes/light.toml")),
    ("high-contrast", include_str!("../themes/high-contrast.toml")),
];

/// Every style a theme must define; a test checks each shipped theme.
pub const KEYS: &[&str] = &[
    "base",
    "border",
    "border_focused",
    "title",
    "header",
    "selected",
    "group",
    "critical",
    "warning",
    "info",
    "other",
    "firing",
    "pending",
    "silenced",
    "inhibited",
    "stale",
    "age",
    "label_key",
    "label_value",
    "dim",
    "status_up",
    "status_slow",
    "status_down",
    "drill",
    "help_key",
    "flash_error",
    "flash_info",
    "prompt",
];

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    italic: bool,
    #[serde(default)]
    underline: bool,
    #[serde(default)]
    reversed: bool,
    #[serde(default)]
    dim: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    palette: BTreeMap<String, String>,
    styles: BTreeMap<String, StyleSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub no_color: bool,
    styles: BTreeMap<String, Style>,
}

/// The TOML of a shipped theme.
pub fn builtin_toml(name: &str) -> Option<&'static str> {
    BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, toml)| *toml)
}

impl Theme {
    /// A shipped theme by name.
    pub fn builtin(name: &str, no_color: bool) -> Result<Self, String> {
        match builtin_toml(name) {
            Some(toml) => Self::parse(name, toml, no_color),
            None => Err(format!("unknown theme {name:?} (known: {})", builtin_names().join(", "))),
        }
    }

    /// Parses a theme; styles it lacks are taken from `default`, so a user
    /// theme may change only what it cares about.
    pub fn parse(name: &str, toml_text: &str, no_color: bool) -> Result<Self, String> {
        let file: ThemeFile = toml::from_str(toml_text).map_err(|e| format!("theme {name}: {e}"))?;
        let mut styles =
            if name == "default" { BTreeMap::new() } else { Self::parse("default", BUILTIN[0].1, no_color)?.styles };
        let color = |s: &Option<String>| -> Result<Option<Color>, String> {
            let Some(s) = s else { return Ok(None) };
            let resolved = file.palette.get(s).unwrap_or(s);
            Color::from_str(resolved).map(Some).map_err(|_| format!("theme {name}: unknown colour {s:?}"))
        };
        for (key, spec) in &file.styles {
            if !KEYS.contains(&key.as_str()) {
                return Err(format!("theme {name}: unknown style {key:?}"));
            }
            let mut style = Style::default();
            if !no_color {
                if let Some(c) = color(&spec.fg)? {
                    style = style.fg(c);
                }
                if let Some(c) = color(&spec.bg)? {
                    style = style.bg(c);
                }
            }
            for (on, m) in [
                (spec.bold, Modifier::BOLD),
                (spec.italic, Modifier::ITALIC),
                (spec.underline, Modifier::UNDERLINED),
                (spec.reversed, Modifier::REVERSED),
                (spec.dim, Modifier::DIM),
            ] {
                if on {
                    style = style.add_modifier(m);
                }
            }
            styles.insert(key.clone(), style);
        }
        if no_color {
            // Without colour, the selection must still be seen.
            let sel = styles.entry("selected".to_string()).or_default();
            *sel = sel.add_modifier(Modifier::REVERSED);
        }
        if let Some(missing) = KEYS.iter().find(|k| !styles.contains_key(**k)) {
            return Err(format!("theme {name}: style {missing:?} is missing"));
        }
        Ok(Self { name: name.to_string(), no_color, styles })
    }

    pub fn style(&self, key: &str) -> Style {
        self.styles.get(key).copied().unwrap_or_default()
    }

    pub fn base(&self) -> Style {
        self.style("base")
    }

    pub fn border(&self, focused: bool) -> Style {
        self.style(if focused { "border_focused" } else { "border" })
    }

    pub fn severity(&self, s: Severity) -> Style {
        self.style(s.name())
    }

    pub fn state(&self, s: AlertState) -> Style {
        match s {
            AlertState::Firing => self.style("firing"),
            AlertState::Pending | AlertState::Unprocessed => self.style("pending"),
            AlertState::Silenced => self.style("silenced"),
            AlertState::Inhibited => self.style("inhibited"),
        }
    }

    /// The selected row: reversed under NO_COLOR so it still shows.
    pub fn selected(&self) -> Style {
        self.style("selected")
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::builtin("default", false).expect("the default theme is valid")
    }
}

/// The names of the shipped themes.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_theme_loads_whole() {
        for (name, _) in BUILTIN {
            let t = Theme::builtin(name, false).unwrap();
            for k in KEYS {
                assert!(t.styles.contains_key(*k), "{name} lacks {k}");
            }
        }
        // The files in themes/ are the embedded ones.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().to_string();
            assert!(BUILTIN.iter().any(|(n, _)| *n == stem), "{stem} is not embedded");
        }
    }

    #[test]
    fn no_color_keeps_modifiers_only() {
        let t = Theme::builtin("default", true).unwrap();
        for k in KEYS {
            let s = t.style(k);
            assert_eq!((s.fg, s.bg), (None, None), "{k} has colour under NO_COLOR");
        }
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn partial_user_theme_and_errors() {
        let t = Theme::parse("mine", "[styles]\ncritical = { fg = \"#ff00ff\", bold = true }\n", false).unwrap();
        assert_eq!(t.style("critical").fg, Some(Color::Rgb(255, 0, 255)));
        assert_eq!(t.style("info"), Theme::default().style("info"));
        assert!(Theme::parse("x", "[styles]\ncritical = { fg = \"blurple\" }", false).unwrap_err().contains("blurple"));
        assert!(Theme::parse("x", "[styles]\nsparkle = {}", false).unwrap_err().contains("sparkle"));
        assert!(Theme::builtin("nope", false).unwrap_err().contains("known: default"));
    }
}
