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
/// Every style a theme defines, by what it is for: the compiler checks
/// each use (a typo is an error, not the default style). A theme file names
/// them by [`Role::key`]; a test checks each shipped theme has them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Base,
    Border,
    BorderFocused,
    Title,
    Header,
    Selected,
    Group,
    Critical,
    Warning,
    Info,
    Other,
    Firing,
    Pending,
    Silenced,
    Inhibited,
    Stale,
    Age,
    LabelKey,
    LabelValue,
    Dim,
    StatusUp,
    StatusSlow,
    StatusDown,
    Drill,
    HelpKey,
    FlashError,
    FlashInfo,
    Prompt,
    SearchMatch,
    SearchCurrent,
}

impl Role {
    pub const ALL: [Role; 30] = [
        Role::Base,
        Role::Border,
        Role::BorderFocused,
        Role::Title,
        Role::Header,
        Role::Selected,
        Role::Group,
        Role::Critical,
        Role::Warning,
        Role::Info,
        Role::Other,
        Role::Firing,
        Role::Pending,
        Role::Silenced,
        Role::Inhibited,
        Role::Stale,
        Role::Age,
        Role::LabelKey,
        Role::LabelValue,
        Role::Dim,
        Role::StatusUp,
        Role::StatusSlow,
        Role::StatusDown,
        Role::Drill,
        Role::HelpKey,
        Role::FlashError,
        Role::FlashInfo,
        Role::Prompt,
        Role::SearchMatch,
        Role::SearchCurrent,
    ];

    /// The style's name in a theme file.
    pub fn key(self) -> &'static str {
        match self {
            Role::Base => "base",
            Role::Border => "border",
            Role::BorderFocused => "border_focused",
            Role::Title => "title",
            Role::Header => "header",
            Role::Selected => "selected",
            Role::Group => "group",
            Role::Critical => "critical",
            Role::Warning => "warning",
            Role::Info => "info",
            Role::Other => "other",
            Role::Firing => "firing",
            Role::Pending => "pending",
            Role::Silenced => "silenced",
            Role::Inhibited => "inhibited",
            Role::Stale => "stale",
            Role::Age => "age",
            Role::LabelKey => "label_key",
            Role::LabelValue => "label_value",
            Role::Dim => "dim",
            Role::StatusUp => "status_up",
            Role::StatusSlow => "status_slow",
            Role::StatusDown => "status_down",
            Role::Drill => "drill",
            Role::HelpKey => "help_key",
            Role::FlashError => "flash_error",
            Role::FlashInfo => "flash_info",
            Role::Prompt => "prompt",
            Role::SearchMatch => "search_match",
            Role::SearchCurrent => "search_current",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }
}

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
    /// One style per [`Role`], in [`Role::ALL`]'s order.
    styles: [Style; Role::ALL.len()],
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
        let mut styles: [Option<Style>; Role::ALL.len()] = if name == "default" {
            [None; Role::ALL.len()]
        } else {
            Self::parse("default", BUILTIN[0].1, no_color)?.styles.map(Some)
        };
        let color = |s: &Option<String>| -> Result<Option<Color>, String> {
            let Some(s) = s else { return Ok(None) };
            let resolved = file.palette.get(s).unwrap_or(s);
            Color::from_str(resolved).map(Some).map_err(|_| format!("theme {name}: unknown colour {s:?}"))
        };
        for (key, spec) in &file.styles {
            let Some(role) = Role::from_key(key) else {
                return Err(format!("theme {name}: unknown style {key:?}"));
            };
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
            styles[role as usize] = Some(style);
        }
        if no_color {
            // Without colour, the selection must still be seen.
            let sel = styles[Role::Selected as usize].get_or_insert_default();
            *sel = sel.add_modifier(Modifier::REVERSED);
        }
        if let Some(missing) = Role::ALL.into_iter().find(|r| styles[*r as usize].is_none()) {
            return Err(format!("theme {name}: style {:?} is missing", missing.key()));
        }
        Ok(Self { name: name.to_string(), no_color, styles: styles.map(Option::unwrap_or_default) })
    }

    pub fn style(&self, role: Role) -> Style {
        self.styles[role as usize]
    }

    pub fn base(&self) -> Style {
        self.style(Role::Base)
    }

    pub fn border(&self, focused: bool) -> Style {
        self.style(if focused { Role::BorderFocused } else { Role::Border })
    }

    pub fn severity(&self, s: Severity) -> Style {
        self.style(match s {
            Severity::Critical => Role::Critical,
            Severity::Warning => Role::Warning,
            Severity::Info => Role::Info,
            Severity::Other => Role::Other,
        })
    }

    pub fn state(&self, s: AlertState) -> Style {
        match s {
            AlertState::Firing => self.style(Role::Firing),
            AlertState::Pending | AlertState::Unprocessed => self.style(Role::Pending),
            AlertState::Silenced => self.style(Role::Silenced),
            AlertState::Inhibited => self.style(Role::Inhibited),
        }
    }

    /// The selected row: reversed under NO_COLOR so it still shows.
    pub fn selected(&self) -> Style {
        self.style(Role::Selected)
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
            Theme::builtin(name, false).unwrap();
            let file: ThemeFile = toml::from_str(builtin_toml(name).unwrap()).unwrap();
            for r in Role::ALL {
                assert!(file.styles.contains_key(r.key()), "{name} lacks {}", r.key());
                assert_eq!(Role::from_key(r.key()), Some(r));
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
        for r in Role::ALL {
            let s = t.style(r);
            assert_eq!((s.fg, s.bg), (None, None), "{} has colour under NO_COLOR", r.key());
        }
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
    }

    #[test]
    fn partial_user_theme_and_errors() {
        let t = Theme::parse("mine", "[styles]\ncritical = { fg = \"#ff00ff\", bold = true }\n", false).unwrap();
        assert_eq!(t.style(Role::Critical).fg, Some(Color::Rgb(255, 0, 255)));
        assert_eq!(t.style(Role::Info), Theme::default().style(Role::Info));
        assert!(Theme::parse("x", "[styles]\ncritical = { fg = \"blurple\" }", false).unwrap_err().contains("blurple"));
        assert!(Theme::parse("x", "[styles]\nsparkle = {}", false).unwrap_err().contains("sparkle"));
        assert!(Theme::builtin("nope", false).unwrap_err().contains("known: default"));
    }
}
