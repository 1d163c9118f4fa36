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
use crate::state::signals::{SignalTemplate, default_templates};

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

/// The context the top-level `prometheus`/`alertmanager`/`loki` form.
pub const DEFAULT_CONTEXT: &str = "default";

/// A named set of sources, as k9s' contexts: one cluster or region, switched
/// at run time with `:ctx NAME`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ContextConfig {
    /// Refuse every write (silences, acks) while in this context.
    pub read_only: bool,
    pub prometheus: Vec<Endpoint>,
    pub alertmanager: Vec<Endpoint>,
    pub loki: Vec<Endpoint>,
}

impl ContextConfig {
    fn has_sources(&self) -> bool {
        !(self.prometheus.is_empty() && self.alertmanager.is_empty() && self.loki.is_empty())
    }

    pub fn summary(&self, name: &str) -> crate::state::contexts::ContextSummary {
        crate::state::contexts::ContextSummary {
            name: name.to_string(),
            read_only: self.read_only,
            prometheus: self.prometheus.len(),
            alertmanager: self.alertmanager.len(),
            loki: self.loki.len(),
        }
    }
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
    /// The logs pane: selector template, margin before the alert, buffer.
    pub logs: crate::sources::loki::LogsConfig,
    /// Action name → key(s), over the defaults (see `?`).
    pub keymap: BTreeMap<String, KeyList>,
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
            logs: crate::sources::loki::LogsConfig::default(),
            keymap: BTreeMap::new(),
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
        if self.refresh < Duration::from_millis(200) {
            return Err(format!("refresh = {:?} is too fast (at least 200ms)", self.refresh));
        }
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

    /// With named contexts, the top-level sources (if any) become the
    /// context "default", so that they can be switched back to.
    fn fold_default_context(&mut self) -> Result<(), String> {
        let top = ContextConfig {
            read_only: false,
            prometheus: self.prometheus.clone(),
            alertmanager: self.alertmanager.clone(),
            loki: self.loki.clone(),
        };
        if self.contexts.is_empty() || !top.has_sources() {
            return Ok(());
        }
        if self.contexts.contains_key(DEFAULT_CONTEXT) {
            return Err(format!(
                "[contexts.{DEFAULT_CONTEXT}] and top-level sources both define the context \"{DEFAULT_CONTEXT}\": \
                 move the top-level prometheus/alertmanager/loki into it"
            ));
        }
        self.contexts.insert(DEFAULT_CONTEXT.into(), top);
        Ok(())
    }

    /// The context started in when none is named: "default" if it exists,
    /// else the first named one.
    fn first_context(&self) -> &str {
        if self.contexts.is_empty() || self.contexts.contains_key(DEFAULT_CONTEXT) {
            return DEFAULT_CONTEXT;
        }
        self.contexts.keys().next().map_or(DEFAULT_CONTEXT, String::as_str)
    }

    /// Every context's name, in order ("default" alone without named ones).
    pub fn context_names(&self) -> Vec<String> {
        if self.contexts.is_empty() {
            return vec![DEFAULT_CONTEXT.to_string()];
        }
        self.contexts.keys().cloned().collect()
    }

    /// What the picker lists: each context with its source counts.
    pub fn context_summaries(&self) -> Vec<crate::state::contexts::ContextSummary> {
        if self.contexts.is_empty() {
            let top = ContextConfig {
                read_only: false,
                prometheus: self.prometheus.clone(),
                alertmanager: self.alertmanager.clone(),
                loki: self.loki.clone(),
            };
            return vec![top.summary(DEFAULT_CONTEXT)];
        }
        self.contexts.iter().map(|(name, c)| c.summary(name)).collect()
    }

    /// The active context's name.
    pub fn active_context(&self) -> &str {
        self.context.as_deref().unwrap_or(DEFAULT_CONTEXT)
    }

    /// Whether the active context refuses writes.
    pub fn active_read_only(&self) -> bool {
        self.contexts.get(self.active_context()).is_some_and(|c| c.read_only)
    }

    /// Makes `name` the active context: its sources become the top-level
    /// ones, which every client is built from.
    pub fn select_context(&mut self, name: &str) -> Result<(), ConfigError> {
        if self.contexts.is_empty() {
            // Only "default": already active (`context` stays as written).
            if name != DEFAULT_CONTEXT {
                return Err(ConfigError::UnknownContext { name: name.into(), known: self.context_names() });
            }
            return Ok(());
        } else {
            let Some(ctx) = self.contexts.get(name) else {
                return Err(ConfigError::UnknownContext { name: name.into(), known: self.context_names() });
            };
            self.prometheus = ctx.prometheus.clone();
            self.alertmanager = ctx.alertmanager.clone();
            self.loki = ctx.loki.clone();
        }
        self.context = Some(name.to_string());
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

    const CONTEXTS: &str = r#"
context = "prod-eu"

[[prometheus]]
url = "http://legacy:9090"

[contexts.prod-eu]
[[contexts.prod-eu.prometheus]]
url = "http://thanos-eu:10902"
[[contexts.prod-eu.prometheus]]
url = "http://mimir-eu/prometheus"
[[contexts.prod-eu.alertmanager]]
url = "http://am-0.eu:9093"
[[contexts.prod-eu.alertmanager]]
url = "http://am-1.eu:9093"

[contexts.prod-us]
read_only = true
[[contexts.prod-us.alertmanager]]
url = "http://am.us:9093"
[[contexts.prod-us.loki]]
url = "http://loki.us:3100"
"#;

    #[test]
    fn contexts_parse_and_the_named_one_is_active() {
        let cfg = Config::parse(CONTEXTS).unwrap();
        assert_eq!(cfg.active_context(), "prod-eu");
        assert_eq!(cfg.context_names(), ["default", "prod-eu", "prod-us"], "top-level sources form \"default\"");
        assert_eq!(cfg.prometheus.len(), 2, "the active context's sources are the top-level ones");
        assert_eq!(cfg.prometheus[1].url, "http://mimir-eu/prometheus");
        assert_eq!(cfg.alertmanager.len(), 2);
        assert!(!cfg.active_read_only());
        let us = cfg.context_summaries().into_iter().find(|c| c.name == "prod-us").unwrap();
        assert!(us.read_only && us.alertmanager == 1 && us.loki == 1 && us.prometheus == 0);
    }

    #[test]
    fn without_a_name_default_is_active_else_the_first() {
        let cfg = Config::parse(&CONTEXTS.replace("context = \"prod-eu\"", "")).unwrap();
        assert_eq!(cfg.active_context(), "default");
        assert_eq!(cfg.prometheus[0].url, "http://legacy:9090");
        let no_top =
            CONTEXTS.replace("context = \"prod-eu\"", "").replace("[[prometheus]]\nurl = \"http://legacy:9090\"", "");
        let cfg = Config::parse(&no_top).unwrap();
        assert_eq!(cfg.active_context(), "prod-eu");
        assert_eq!(cfg.context_names(), ["prod-eu", "prod-us"]);
        // A plain config is the context "default", as before contexts.
        let plain = Config::parse("[[alertmanager]]\nurl = \"http://am:9093\"\n").unwrap();
        assert_eq!(plain.active_context(), "default");
        assert_eq!(plain.context_summaries()[0].alertmanager, 1);
    }

    #[test]
    fn unknown_contexts_are_named_with_the_known_ones() {
        let e = Config::parse(&CONTEXTS.replace("context = \"prod-eu\"", "context = \"prod-ap\"")).unwrap_err();
        assert!(e.contains("prod-ap") && e.contains("known: default, prod-eu, prod-us"), "{e}");
        let mut cfg = Config::parse(CONTEXTS).unwrap();
        let e = cfg.apply(&Overrides { context: Some("nope".into()), ..Overrides::default() }).unwrap_err();
        assert_eq!(e.to_string(), "unknown context \"nope\" (known: default, prod-eu, prod-us)");
        let e = Config::default().select_context("prod").unwrap_err();
        assert_eq!(e.to_string(), "unknown context \"prod\" (known: default)");
    }

    #[test]
    fn every_context_is_validated_at_load() {
        let e = Config::parse(&CONTEXTS.replace("http://am.us:9093", "ftp://am.us")).unwrap_err();
        assert!(e.contains("contexts.prod-us") && e.contains("scheme"), "{e}");
        let e = Config::parse("[contexts.\"prod eu\"]\n").unwrap_err();
        assert!(e.contains("no spaces"), "{e}");
        let e = Config::parse(&format!("{CONTEXTS}\n[contexts.default]\n")).unwrap_err();
        assert!(e.contains("both define the context"), "{e}");
        let e = Config::parse(&CONTEXTS.replace("read_only = true", "readonly = true")).unwrap_err();
        assert!(e.contains("readonly"), "{e}");
    }

    #[test]
    fn flags_override_the_active_context_and_stick_to_it() {
        let mut cfg = Config::parse(CONTEXTS).unwrap();
        let o = Overrides {
            context: Some("prod-us".into()),
            alertmanager: vec!["http://127.0.0.1:9093".into()],
            ..Overrides::default()
        };
        cfg.apply(&o).unwrap();
        assert_eq!(cfg.active_context(), "prod-us");
        assert!(cfg.active_read_only());
        assert_eq!(cfg.alertmanager[0].url, "http://127.0.0.1:9093");
        assert_eq!(cfg.loki[0].url, "http://loki.us:3100", "kinds not given keep the context's");
        cfg.select_context("prod-eu").unwrap();
        assert_eq!(cfg.alertmanager[0].url, "http://am-0.eu:9093", "other contexts untouched");
        cfg.select_context("prod-us").unwrap();
        assert_eq!(cfg.alertmanager[0].url, "http://127.0.0.1:9093", "back: the flag still applies");
    }
}
