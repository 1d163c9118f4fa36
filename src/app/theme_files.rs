//! Where a theme's TOML comes from: a shipped theme, a file by path, or
//! `NAME.toml` in the first theme directory that has it; and whether
//! `NO_COLOR` asks for no colour. This is the half of theming that reads
//! files and the environment, so it lives with the runtime: `:theme NAME`
//! asks for it with [`Cmd::LoadTheme`](crate::msg::Cmd::LoadTheme) and the
//! state parses the answer ([`Theme::parse`] is pure).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::msg::{Msg, ThemeToml};
use crate::theme::{Theme, builtin_names, builtin_toml};

/// The TOML `name` stands for: a shipped theme first, then a path (it ends
/// in `.toml` or has a `/`), then `NAME.toml` in the first of `dirs` that
/// has it. An empty name is the default theme.
pub fn resolve(name: &str, dirs: &[PathBuf]) -> Result<ThemeToml, String> {
    let name = if name.is_empty() { "default" } else { name };
    let found = |toml: String| Ok(ThemeToml { name: name.to_string(), toml });
    if let Some(toml) = builtin_toml(name) {
        return found(toml.to_string());
    }
    let path = Path::new(name);
    if path.extension().is_some_and(|e| e == "toml") || name.contains('/') {
        return std::fs::read_to_string(path).map_err(|e| format!("theme {name}: {e}")).and_then(found);
    }
    if let Some(file) = dirs.iter().map(|d| d.join(format!("{name}.toml"))).find(|f| f.is_file()) {
        return std::fs::read_to_string(&file).map_err(|e| format!("theme {}: {e}", file.display())).and_then(found);
    }
    let looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let dirs = if looked.is_empty() { String::new() } else { format!(", NAME.toml in {}", looked.join(", ")) };
    Err(format!("unknown theme {name:?} (known: {}{dirs}, or a path to a .toml file)", builtin_names().join(", ")))
}

/// [`resolve`], then parsed: the theme the console starts with.
pub fn find(name: &str, no_color: bool, dirs: &[PathBuf]) -> Result<Theme, String> {
    let found = resolve(name, dirs)?;
    Theme::parse(&found.name, &found.toml, no_color)
}

/// Whether `NO_COLOR` asks for no colour (set and not empty, per no-color.org).
pub fn no_color_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Reads the themes `:theme` asks for on a blocking thread. Only the last
/// one asked for is answered: `:theme a` then `:theme b` never ends on `a`,
/// however long `a`'s file took.
pub(super) struct ThemeLoader {
    dirs: Vec<PathBuf>,
    /// The number of the latest load; held while an answer is sent, so an
    /// older one cannot be sent after a newer one.
    latest: Arc<Mutex<u64>>,
}

impl ThemeLoader {
    pub(super) fn new(dirs: Vec<PathBuf>) -> Self {
        Self { dirs, latest: Arc::default() }
    }

    pub(super) fn load(&self, name: String, tx: mpsc::UnboundedSender<Msg>) {
        let mine = {
            let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            *latest += 1;
            *latest
        };
        let (dirs, latest) = (self.dirs.clone(), self.latest.clone());
        tokio::task::spawn_blocking(move || {
            let found = resolve(&name, &dirs);
            let latest = latest.lock().unwrap_or_else(|e| e.into_inner());
            if *latest == mine {
                let _ = tx.send(Msg::Theme(found));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use ratatui::style::Color;

    use super::*;
    use crate::theme::Role;

    #[test]
    fn a_theme_name_is_looked_up_in_the_theme_dirs_in_order() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        std::fs::write(b.path().join("ops.toml"), "[styles]\ncritical = { fg = \"#010203\" }\n").unwrap();
        let dirs = [a.path().to_path_buf(), b.path().to_path_buf()];
        let t = find("ops", false, &dirs).unwrap();
        assert_eq!(t.style(Role::Critical).fg, Some(Color::Rgb(1, 2, 3)));
        std::fs::write(a.path().join("ops.toml"), "[styles]\ncritical = { fg = \"#040506\" }\n").unwrap();
        assert_eq!(find("ops", false, &dirs).unwrap().style(Role::Critical).fg, Some(Color::Rgb(4, 5, 6)));
        let err = find("nope", false, &dirs).unwrap_err();
        assert!(err.contains(&a.path().display().to_string()), "{err}");
        assert_eq!(find("light", false, &dirs).unwrap().name, "light", "built-ins first");
    }

    #[test]
    fn names_paths_and_errors() {
        assert_eq!(resolve("", &[]).unwrap().name, "default");
        assert!(find("nope", false, &[]).unwrap_err().contains("known: default"));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mine.toml");
        std::fs::write(&file, "[styles]\ncritical = { fg = \"#ff00ff\" }\n").unwrap();
        let path = file.display().to_string();
        assert_eq!(find(&path, false, &[]).unwrap().style(Role::Critical).fg, Some(Color::Rgb(255, 0, 255)));
        let missing = dir.path().join("gone.toml").display().to_string();
        assert!(resolve(&missing, &[]).unwrap_err().starts_with(&format!("theme {missing}: ")));
    }

    /// `:theme a` then `:theme b`: only `b` is answered.
    #[tokio::test]
    async fn only_the_latest_load_is_answered() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let loader = ThemeLoader::new(Vec::new());
        loader.load("light".into(), tx.clone());
        loader.load("high-contrast".into(), tx.clone());
        drop(tx);
        let mut answers = Vec::new();
        while let Some(Msg::Theme(t)) = rx.recv().await {
            answers.push(t.unwrap().name);
        }
        assert!(answers.last().is_some_and(|n| n == "high-contrast"), "{answers:?}");
        assert!(answers.len() <= 2);
    }
}
