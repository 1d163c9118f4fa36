//! Where things live on this machine, and who is at the keyboard. Computed
//! once at start and passed down, never read from deep inside handlers.

use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Paths {
    pub config_file: PathBuf,
    pub log_file: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// Platform defaults: `~/.config/warroom`, `~/.local/state/warroom`,
    /// `~/.local/share/warroom` on Linux.
    pub fn detect() -> Self {
        let dirs = directories::ProjectDirs::from("", "", "warroom");
        let config_file =
            dirs.as_ref().map(|d| d.config_dir().join("config.toml")).unwrap_or_else(|| PathBuf::from("warroom.toml"));
        let data_dir = dirs.as_ref().map(|d| d.data_dir().to_path_buf()).unwrap_or_else(|| PathBuf::from(".warroom"));
        Self { config_file, log_file: crate::logging::default_log_file(), data_dir }
    }

    /// The `:` prompt's history (last 200 commands).
    pub fn history_file(&self) -> PathBuf {
        self.data_dir.join("history")
    }

    /// Incident journals, unless the config names another directory.
    pub fn default_incident_dir(&self) -> PathBuf {
        self.data_dir.join("incidents")
    }
}

/// The engineer's name for notes and silences: `$USER`, else `$LOGNAME`.
pub fn user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}
