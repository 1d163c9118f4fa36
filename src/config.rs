//! The configuration file (TOML) and how command-line flags override it.
//!
//! Layers, lowest first: built-in defaults, the file (`--config`, or
//! `warroom/config.toml` in the platform config dir), environment variables
//! amtool and logcli users already set (`ALERTMANAGER_URL`, `LOKI_ADDR`,
//! `LOKI_ORG_ID`), then flags.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::sources::Endpoint;

mod contexts;
use crate::state::signals::{SignalTemplate, default_templates};
pub use contexts::{ContextConfig, DEFAULT_CONTEXT};

/// The sample config shipped in `assets/` and printed by
/// `--print-default-config`; a test checks that it parses.
pub const SAMPLE: &str = include_str!("../assets/config.sample.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {1}", path = .0.display())]
    Read(PathBuf, std::io::Error),
    #[error("invalid config {path}: {1}", path = .0.display())]
    Parse(PathBuf, String),
    #[error("{0}")]
    Invalid(String),
    #[error("unknown context {name:?} (known: {})", .known.join(", "))]
    UnknownContext { name: String, known: Vec<String> },
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// How often sources are polled.
    #[serde(with = "humantime_serde")]
    pub refresh: Duration,
    pub theme: String,
    /// Label the board groups alerts by; `"none"` for a flat list.
    pub group_by: String,
    /// Show silenced and inhibited alerts (toggle with `m`).
    pub show_muted: bool,
    pub mouse: bool,
    pub incident_dir: Option<PathBuf>,
    /// The context to start in (`--context`, `WARROOM_CONTEXT` override it);
    /// after loading, the active one.
    pub context: Option<String>,
    /// Named contexts. The top-level sources below form [`DEFAULT_CONTEXT`]
    /// and, once a context is selected, mirror the active context's.
    pub contexts: BTreeMap<String, ContextConfig>,
    pub prometheus: Vec<Endpoint>,
    pub alertmanager: Vec<Endpoint>,
    pub loki: Vec<Endpoint>,
    pub runbooks: crate::runbook::RunbookConfig,
    /// Window of the sparklines and charts.
    #[serde(with = "humantime_serde")]
    pub signal_window: Duration,
    /// Golden-signal queries; `{{label}}` is filled from the selected alert.
    pub signals: Vec<SignalTemplate>,
    /// Series shown per golden signal in the detail (top N by current value).
    pub signal_top_n: usize,
    /// The logs pane: selector template, margin before the alert, buffer.
    pub logs: crate::sources::loki::LogsConfig,
    /// Action name → key(s), over the defaults (see `?`).
    pub keymap: BTreeMap<String, KeyList>,
    /// No silence or ack is ever written (also `--read-only`).
    pub read_only: bool,
    /// A silence matching more alerts than this asks for a confirmation.
    pub silence_confirm_over: usize,
    /// How long an ack (`a`) lasts, and how much `+` or a re-ack extends.
    #[serde(with = "humantime_serde")]
    pub ack_duration: Duration,
    /// Where the `:` history is kept (the data dir; not a config key).
    #[serde(skip)]
    pub history_file: Option<PathBuf>,
    /// Bell / desktop notification when an alert newly fires.
    pub notify: crate::state::notify::NotifyConfig,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
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

impl Default for Config {
    fn default() -> Self {
        Self {
            refresh: Duration::from_secs(5),
            theme: "default".into(),
            group_by: "alertname".into(),
            show_muted: false,
            mouse: true,
            incident_dir: None,
            context: None,
            contexts: BTreeMap::new(),
            prometheus: Vec::new(),
            alertmanager: Vec::new(),
            loki: Vec::new(),
            runbooks: crate::runbook::RunbookConfig::default(),
            signal_window: Duration::from_secs(30 * 60),
            signals: default_templates(),
            signal_top_n: crate::state::signals::rows::DEFAULT_TOP_N,
            logs: crate::sources::loki::LogsConfig::default(),
            keymap: BTreeMap::new(),
            read_only: false,
            silence_confirm_over: 5,
            ack_duration: Duration::from_secs(30 * 60),
            history_file: None,
            notify: crate::state::notify::NotifyConfig::default(),
        }
    }
}

/// Values from the command line that override the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--context` / `WARROOM_CONTEXT`: the context to start in.
    pub context: Option<String>,
    pub prometheus: Vec<String>,
    pub alertmanager: Vec<String>,
    pub loki: Option<String>,
    pub loki_org_id: Option<String>,
    pub runbooks: Vec<PathBuf>,
    pub incident_dir: Option<PathBuf>,
    pub theme: Option<String>,
    pub refresh: Option<f64>,
    pub no_mouse: bool,
    pub read_only: bool,
}

impl Config {
    /// Reads `path`; a missing file at the default location is not an error
    /// (flags alone are enough), a missing file named by `--config` is.
    pub fn load(path: &Path, required: bool) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|e| ConfigError::Parse(path.to_path_buf(), e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Self::default()),
            Err(e) => Err(ConfigError::Read(path.to_path_buf(), e)),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let mut cfg: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        cfg.validate()?;
        cfg.fold_default_context()?;
        let start = cfg.context.clone().unwrap_or_else(|| cfg.first_context().to_string());
        cfg.select_context(&start).map_err(|e| format!("context = {start:?}: {e}"))?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        if self.signal_window < Duration::from_secs(10) {
            return Err(format!("signal_window = {:?} is too short (at least 10s)", self.signal_window));
        }
        if self.ack_duration < Duration::from_secs(60) {
            return Err(format!("ack_duration = {:?} is too short (at least 1m)", self.ack_duration));
        }
        if !(1..=20).contains(&self.signal_top_n) {
            return Err(format!("signal_top_n = {} must be between 1 and 20", self.signal_top_n));
        }
        if self.refresh < Duration::from_millis(200) {
            return Err(format!("refresh = {:?} is too fast (at least 200ms)", self.refresh));
        }
        // A bad [keymap] is reported when the file is read (and by `check`).
        crate::keymap::Keymap::new(&self.keymap)?;
        for ep in self.prometheus.iter().chain(&self.alertmanager).chain(&self.loki) {
            ep.parsed_url().map_err(|e| e.to_string())?;
        }
        for (name, ctx) in &self.contexts {
            if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(format!("context name {name:?}: use letters, digits, '-', '_' or '.' (no spaces)"));
            }
            for ep in ctx.prometheus.iter().chain(&ctx.alertmanager).chain(&ctx.loki) {
                ep.parsed_url().map_err(|e| format!("contexts.{name}: {e}"))?;
            }
        }
        Ok(())
    }

    /// Applies flags over the file: a source given on the command line
    /// replaces the file's sources of that kind.
    pub fn apply(&mut self, o: &Overrides) -> Result<(), ConfigError> {
        if let Some(name) = &o.context {
            self.select_context(name)?;
        }
        if !o.prometheus.is_empty() {
            self.prometheus = o.prometheus.iter().map(|u| Endpoint::from_url(u)).collect();
        }
        if !o.alertmanager.is_empty() {
            self.alertmanager = o.alertmanager.iter().map(|u| Endpoint::from_url(u)).collect();
        }
        if let Some(url) = &o.loki {
            self.loki = vec![Endpoint::from_url(url)];
        }
        if let Some(org) = &o.loki_org_id {
            for ep in &mut self.loki {
                ep.headers.entry("X-Scope-OrgID".into()).or_insert_with(|| org.as_str().into());
            }
        }
        // The flags belong to the active context: switching away and back
        // keeps them.
        let active = self.active_context().to_string();
        if let Some(ctx) = self.contexts.get_mut(&active) {
            ctx.prometheus = self.prometheus.clone();
            ctx.alertmanager = self.alertmanager.clone();
            ctx.loki = self.loki.clone();
        }
        if !o.runbooks.is_empty() {
            self.runbooks.dirs = o.runbooks.clone();
        }
        if let Some(d) = &o.incident_dir {
            self.incident_dir = Some(d.clone());
        }
        if let Some(t) = &o.theme {
            self.theme = t.clone();
        }
        if let Some(r) = o.refresh {
            if !(0.2..=3600.0).contains(&r) {
                return Err(ConfigError::Invalid(format!("--refresh {r}: must be between 0.2 and 3600 seconds")));
            }
            self.refresh = Duration::from_secs_f64(r);
        }
        if o.no_mouse {
            self.mouse = false;
        }
        if o.read_only {
            self.read_only = true;
        }
        self.validate().map_err(ConfigError::Invalid)
    }

    pub fn has_sources(&self) -> bool {
        !(self.prometheus.is_empty() && self.alertmanager.is_empty() && self.loki.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_config_parses() {
        let cfg = Config::parse(SAMPLE).unwrap();
        assert!(!cfg.prometheus.is_empty() && !cfg.alertmanager.is_empty());
        assert_eq!(cfg.active_context(), "default", "the sample starts in its top-level sources");
        assert_eq!(cfg.context_names(), ["default", "prod-us"]);
        let mut us = cfg.clone();
        us.select_context("prod-us").unwrap();
        assert!(us.active_read_only() && us.prometheus.len() == 2 && us.alertmanager.len() == 2);
        assert!(us.prometheus[1].resolved_headers().is_err(), "the key file of the example does not exist here");
        assert!(cfg.alertmanager[0].basic_auth.is_some() || cfg.prometheus[0].bearer_token.is_some());
    }

    #[test]
    fn sample_keymap_and_notify_are_valid_and_a_pane_conflict_is_an_error() {
        let cfg = Config::parse(SAMPLE).unwrap();
        assert_eq!(cfg.notify, crate::state::notify::NotifyConfig::default(), "the sample keeps notifications off");
        assert!(crate::keymap::Keymap::new(&cfg.keymap).is_ok());
        let err = Config::parse("[keymap]\nlog-wrap = \"W\"\nlog-fullscreen = [\"F\", \"W\"]\n").unwrap_err();
        assert!(err.contains("log-wrap") && err.contains("log-fullscreen"), "{err}");
        let err = Config::parse("[keymap]\nlog-wrapp = \"W\"\n").unwrap_err();
        assert!(err.contains("log-wrapp"), "{err}");
    }

    /// The sample says its `[[signals]]` are the defaults: copying it must
    /// not lose any.
    #[test]
    fn sample_signals_are_the_defaults() {
        assert_eq!(Config::parse(SAMPLE).unwrap().signals, crate::state::signals::default_templates());
    }

    #[test]
    fn empty_file_is_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn errors_say_where() {
        let e = Config::parse("refresh = \"5 parsecs\"").unwrap_err();
        assert!(e.contains("refresh"), "{e}");
        let e = Config::parse("[[prometheus]]\nurl = \"ftp://x\"").unwrap_err();
        assert!(e.contains("scheme"), "{e}");
        let e = Config::parse("colour = \"red\"").unwrap_err();
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn silence_settings_and_read_only() {
        let cfg = Config::parse("read_only = true\nsilence_confirm_over = 10\nack_duration = \"45m\"").unwrap();
        assert!(cfg.read_only);
        assert_eq!((cfg.silence_confirm_over, cfg.ack_duration), (10, Duration::from_secs(45 * 60)));
        assert!(Config::parse("ack_duration = \"5s\"").unwrap_err().contains("ack_duration"));
        let mut cfg = Config::default();
        cfg.apply(&Overrides { read_only: true, ..Overrides::default() }).unwrap();
        assert!(cfg.read_only, "--read-only turns writes off whatever the file says");
    }

    #[test]
    fn flags_override_file() {
        let mut cfg = Config::parse("[[prometheus]]\nurl = \"http://a:9090\"\n").unwrap();
        let o = Overrides {
            prometheus: vec!["http://b:9090".into()],
            loki: Some("http://l:3100".into()),
            loki_org_id: Some("tenant1".into()),
            refresh: Some(2.0),
            ..Overrides::default()
        };
        cfg.apply(&o).unwrap();
        assert_eq!(cfg.prometheus[0].url, "http://b:9090");
        assert_eq!(cfg.loki[0].headers["X-Scope-OrgID"], "tenant1");
        assert_eq!(cfg.refresh, Duration::from_secs(2));
        assert!(cfg.apply(&Overrides { refresh: Some(0.01), ..Overrides::default() }).is_err());
    }
}
