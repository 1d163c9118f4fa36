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

use crate::keymap::KeyList;
use crate::sources::Endpoint;

mod contexts;
pub mod diagnostic;
use crate::model::settings::{SignalTemplate, default_templates};
pub use contexts::{ContextConfig, DEFAULT_CONTEXT};
use diagnostic::{KeyPath, Located, Problem};

/// `history_window` when the file does not say: a week, the rhythm of
/// on-call rotations (the alert that fires every night shows).
pub const DEFAULT_HISTORY_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);
/// `flap_threshold` when the file does not say: more than 4 transitions an
/// hour (three firings) is flapping.
pub const DEFAULT_FLAP_THRESHOLD: u32 = 4;
/// The history window's bounds: shorter than 10 minutes says nothing, longer
/// than 90 days needs a step too coarse to see a flap.
const HISTORY_WINDOW_RANGE: (Duration, Duration) = (Duration::from_secs(600), Duration::from_secs(90 * 24 * 3600));

/// The sample config shipped in `assets/` and printed by
/// `--print-default-config`; a test checks that it parses.
pub const SAMPLE: &str = include_str!("../assets/config.sample.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {1}", path = .0.display())]
    Read(PathBuf, std::io::Error),
    #[error("invalid config {path}: {1}", path = .0.display())]
    Parse(PathBuf, String),
    /// A problem found at a place in the file: `FILE:LINE:COLUMN: …`.
    #[error("invalid config {0}")]
    At(Box<Located>),
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
    /// Runbook links as OSC 8 hyperlinks: `"auto"` (when the terminal is
    /// known to show them), `true`, `false`.
    pub hyperlinks: Hyperlinks,
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
    /// Directories of Grafana dashboard files (`--dashboards` replaces them).
    pub dashboards: Vec<PathBuf>,
    /// Window of the sparklines and charts.
    #[serde(with = "humantime_serde")]
    pub signal_window: Duration,
    /// Golden-signal queries; `{{label}}` is filled from the selected alert.
    pub signals: Vec<SignalTemplate>,
    /// Series shown per golden signal in the detail (top N by current value).
    pub signal_top_n: usize,
    /// How far back the detail's History row looks in Prometheus' `ALERTS`.
    #[serde(with = "humantime_serde")]
    pub history_window: Duration,
    /// More firing/resolved transitions than this within an hour is flapping.
    pub flap_threshold: u32,
    /// The logs pane: selector template, margin before the alert, buffer.
    pub logs: crate::sources::loki::LogsConfig,
    /// Action name → key(s), over the defaults (see `?`).
    pub keymap: BTreeMap<String, KeyList>,
    /// No silence or ack is ever written (also `--read-only`).
    pub read_only: bool,
    /// Runbooks run their `promql` / `logql` blocks and show the answers
    /// under them (per runbook off with `<!-- warroom: static -->`).
    pub live_runbooks: bool,
    /// A silence matching more alerts than this asks for a confirmation.
    pub silence_confirm_over: usize,
    /// How long an ack (`a`) lasts, and how much `+` or a re-ack extends.
    #[serde(with = "humantime_serde")]
    pub ack_duration: Duration,
    /// Where the `:` history is kept (the data dir; not a config key).
    #[serde(skip)]
    pub history_file: Option<PathBuf>,
    /// Where a theme name is looked up as `NAME.toml` (the config dir's and
    /// the shared data dirs' `themes/`; not a config key).
    #[serde(skip)]
    pub theme_dirs: Vec<PathBuf>,
    /// Bell / desktop notification when an alert newly fires.
    pub notify: crate::model::settings::NotifyConfig,
    /// The shared war room: the incident's records are pushed to Loki and
    /// the teammates' read from it (also `--share`; per context too).
    pub share: bool,
    /// The Loki endpoint (its `name`, or its URL) that carries the shared
    /// incident; default the first `[[loki]]`.
    pub share_via: Option<String>,
    /// The name this warroom's records carry as their origin (default: the
    /// machine's host name; set it where host names say nothing, such as
    /// containers).
    pub host: Option<String>,
    /// How far back `warroom incidents` and `--join` look for incidents.
    #[serde(with = "humantime_serde")]
    pub share_lookback: Duration,
    /// Time to detect (first alert → declared) the team aims for: the
    /// post-mortem and `warroom stats` say whether it was met.
    #[serde(with = "humantime_serde")]
    pub mttd_target: Duration,
    /// Time to resolve (first alert, or the declaration → resolved).
    #[serde(with = "humantime_serde")]
    pub mttr_target: Duration,
}

/// Whether runbook links are sent as OSC 8 hyperlinks (clickable, the URL
/// hidden behind the text). A terminal that does not know OSC 8 should
/// ignore it, but some print it raw, so `auto` turns them on only where
/// `supports-hyperlinks` knows the terminal does (`FORCE_HYPERLINK=1` too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hyperlinks {
    #[default]
    Auto,
    On,
    Off,
}

impl Hyperlinks {
    /// On or off, asking `detect` (the terminal's support) only for `auto`.
    pub fn enabled(self, detect: impl FnOnce() -> bool) -> bool {
        match self {
            Self::Auto => detect(),
            Self::On => true,
            Self::Off => false,
        }
    }
}

impl<'de> Deserialize<'de> for Hyperlinks {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Word(String),
        }
        match Raw::deserialize(d) {
            Ok(Raw::Bool(true)) => Ok(Self::On),
            Ok(Raw::Bool(false)) => Ok(Self::Off),
            Ok(Raw::Word(w)) if w == "auto" => Ok(Self::Auto),
            _ => Err(serde::de::Error::custom(r#"expected "auto", true or false"#)),
        }
    }
}

impl ConfigError {
    /// `problem` in the file `path` (whose text is `text`), located when the
    /// place can be found.
    pub fn in_file(path: &Path, text: &str, problem: &Problem) -> Self {
        match diagnostic::locate(path, text, problem) {
            Some(at) => Self::At(Box::new(at)),
            None => Self::Parse(path.to_path_buf(), problem.message.clone()),
        }
    }

    /// `problem` in the file `path`, read again to locate it (for checks
    /// made after loading: the theme, the secrets).
    pub fn in_file_at(path: &Path, problem: &Problem) -> Self {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::in_file(path, &text, problem),
            Err(_) => Self::Invalid(problem.message.clone()),
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
            hyperlinks: Hyperlinks::Auto,
            incident_dir: None,
            context: None,
            contexts: BTreeMap::new(),
            prometheus: Vec::new(),
            alertmanager: Vec::new(),
            loki: Vec::new(),
            runbooks: crate::runbook::RunbookConfig::default(),
            dashboards: Vec::new(),
            signal_window: Duration::from_secs(30 * 60),
            signals: default_templates(),
            signal_top_n: crate::model::settings::DEFAULT_TOP_N,
            history_window: DEFAULT_HISTORY_WINDOW,
            flap_threshold: DEFAULT_FLAP_THRESHOLD,
            logs: crate::sources::loki::LogsConfig::default(),
            keymap: BTreeMap::new(),
            read_only: false,
            live_runbooks: true,
            silence_confirm_over: 5,
            ack_duration: Duration::from_secs(30 * 60),
            history_file: None,
            theme_dirs: Vec::new(),
            notify: crate::model::settings::NotifyConfig::default(),
            share: false,
            share_via: None,
            host: None,
            share_lookback: Duration::from_secs(7 * 24 * 3600),
            // The ops notes' targets (also `incident::stats::Targets`'s).
            mttd_target: Duration::from_secs(5 * 60),
            mttr_target: Duration::from_secs(30 * 60),
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
    pub dashboards: Vec<PathBuf>,
    pub incident_dir: Option<PathBuf>,
    pub theme: Option<String>,
    pub refresh: Option<f64>,
    pub no_mouse: bool,
    pub read_only: bool,
    /// `--share`.
    pub share: bool,
}

impl Config {
    /// Reads `path`; a missing file at the default location is not an error
    /// (flags alone are enough), a missing file named by `--config` is.
    pub fn load(path: &Path, required: bool) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse_located(&text).map_err(|p| ConfigError::in_file(path, &text, &p)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(Self::default()),
            Err(e) => Err(ConfigError::Read(path.to_path_buf(), e)),
        }
    }

    /// Parses a config given as text; the error says the line and column.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::parse_located(text).map_err(|p| match diagnostic::locate(Path::new("config"), text, &p) {
            Some(at) => at.to_string(),
            None => p.message,
        })
    }

    /// Parses and validates, the problem (if any) with the key or span it
    /// is about.
    pub fn parse_located(text: &str) -> Result<Self, Problem> {
        let mut cfg: Self = toml::from_str(text).map_err(|e| Problem::from_toml(&e))?;
        cfg.validate()?;
        cfg.fold_default_context().map_err(|e| Problem::at_key(crate::config_key!["contexts", DEFAULT_CONTEXT], e))?;
        let start = cfg.context.clone().unwrap_or_else(|| cfg.first_context().to_string());
        cfg.select_context(&start)
            .map_err(|e| Problem::at_key(crate::config_key!["context"], format!("context = {start:?}: {e}")))?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), Problem> {
        let at = |key: &str, message: String| Problem::at_key(crate::config_key![key], message);
        if self.signal_window < Duration::from_secs(10) {
            return Err(at(
                "signal_window",
                format!("signal_window = {:?} is too short (at least 10s)", self.signal_window),
            ));
        }
        if self.ack_duration < Duration::from_secs(60) {
            return Err(at(
                "ack_duration",
                format!("ack_duration = {:?} is too short (at least 1m)", self.ack_duration),
            ));
        }
        if !(1..=20).contains(&self.signal_top_n) {
            return Err(at("signal_top_n", format!("signal_top_n = {} must be between 1 and 20", self.signal_top_n)));
        }
        let (shortest, longest) = HISTORY_WINDOW_RANGE;
        if !(shortest..=longest).contains(&self.history_window) {
            return Err(at(
                "history_window",
                format!("history_window = {:?} must be between 10m and 90d", self.history_window),
            ));
        }
        if !(1..=1000).contains(&self.flap_threshold) {
            return Err(at(
                "flap_threshold",
                format!("flap_threshold = {} must be between 1 and 1000 transitions an hour", self.flap_threshold),
            ));
        }
        if self.refresh < Duration::from_millis(200) {
            return Err(at("refresh", format!("refresh = {:?} is too fast (at least 200ms)", self.refresh)));
        }
        // A bad [keymap] is reported when the file is read (and by `check`).
        crate::keymap::Keymap::new(&self.keymap).map_err(|e| at("keymap", e))?;
        for (kind, list) in self.sources() {
            for (i, ep) in list.iter().enumerate() {
                ep.parsed_url().map_err(|e| Problem::at_key(crate::config_key![kind, i, "url"], e.to_string()))?;
            }
        }
        for (name, ctx) in &self.contexts {
            if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Problem::at_key(
                    crate::config_key!["contexts", name.as_str()],
                    format!("context name {name:?}: use letters, digits, '-', '_' or '.' (no spaces)"),
                ));
            }
            for (kind, list) in ctx.sources() {
                for (i, ep) in list.iter().enumerate() {
                    ep.parsed_url().map_err(|e| {
                        Problem::at_key(
                            crate::config_key!["contexts", name.as_str(), kind, i, "url"],
                            format!("contexts.{name}: {e}"),
                        )
                    })?;
                }
            }
        }
        Ok(())
    }

    /// The top-level sources by kind, as the file names them.
    fn sources(&self) -> [(&'static str, &[Endpoint]); 3] {
        [("prometheus", &self.prometheus), ("alertmanager", &self.alertmanager), ("loki", &self.loki)]
    }

    /// Reads every secret the active context's sources name, as building
    /// their clients will, so that a token file that does not exist is
    /// reported at start with the key it is under, not as a source down.
    pub fn check_secrets(&self) -> Result<(), Problem> {
        let ctx = self.active_context().to_string();
        for (kind, list) in self.sources() {
            for (i, ep) in list.iter().enumerate() {
                let Err((rel, e)) = ep.check_secrets() else { continue };
                let rel: KeyPath = rel.into_iter().map(diagnostic::Seg::from).collect();
                let top: KeyPath = crate::config_key![kind, i].into_iter().chain(rel.clone()).collect();
                let nested: KeyPath =
                    crate::config_key!["contexts", ctx.as_str(), kind, i].into_iter().chain(rel).collect();
                return Err(Problem::at_any(vec![nested, top], e.to_string()));
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
        if !o.dashboards.is_empty() {
            self.dashboards = o.dashboards.clone();
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
        if o.share {
            self.share = true;
        }
        self.validate().map_err(|p| ConfigError::Invalid(p.message))
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
        assert_eq!(cfg.notify, crate::model::settings::NotifyConfig::default(), "the sample keeps notifications off");
        assert!(crate::keymap::Keymap::new(&cfg.keymap).is_ok());
        let err = Config::parse("[keymap]\nlog-wrap = \"W\"\nlog-fullscreen = [\"F\", \"W\"]\n").unwrap_err();
        assert!(err.contains("log-wrap") && err.contains("log-fullscreen"), "{err}");
        let err = Config::parse("[keymap]\nlog-wrapp = \"W\"\n").unwrap_err();
        assert!(err.contains("log-wrapp"), "{err}");
    }

    #[test]
    fn notify_section_parses_and_rejects_typos() {
        use crate::model::settings::{Desktop, MinSeverity, NotifyConfig};
        let c: Config =
            toml::from_str("[notify]\nbell = true\ndesktop = \"osc777\"\nmin_severity = \"warning\"\n").unwrap();
        assert_eq!(c.notify, NotifyConfig { bell: true, desktop: Desktop::Osc777, min_severity: MinSeverity::Warning });
        assert_eq!(Config::default().notify, NotifyConfig::default());
        assert!(toml::from_str::<Config>("[notify]\ndesktop = \"osc99\"\n").is_err());
        assert!(toml::from_str::<Config>("[notify]\nbel = true\n").is_err());
    }

    /// The sample says its `[[signals]]` are the defaults: copying it must
    /// not lose any.
    #[test]
    fn sample_signals_are_the_defaults() {
        assert_eq!(Config::parse(SAMPLE).unwrap().signals, crate::model::settings::default_templates());
    }

    #[test]
    fn hyperlinks_are_auto_true_or_false() {
        assert_eq!(Config::parse("").unwrap().hyperlinks, Hyperlinks::Auto);
        assert_eq!(Config::parse("hyperlinks = true").unwrap().hyperlinks, Hyperlinks::On);
        assert_eq!(Config::parse("hyperlinks = false").unwrap().hyperlinks, Hyperlinks::Off);
        assert_eq!(Config::parse(r#"hyperlinks = "auto""#).unwrap().hyperlinks, Hyperlinks::Auto);
        let e = Config::parse(r#"hyperlinks = "yes""#).unwrap_err();
        assert!(e.contains("hyperlinks") && e.contains(r#"expected "auto", true or false"#), "{e}");
        assert!(Hyperlinks::Auto.enabled(|| true) && !Hyperlinks::Auto.enabled(|| false));
        assert!(Hyperlinks::On.enabled(|| false) && !Hyperlinks::Off.enabled(|| true));
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
    fn dashboard_dirs_come_from_the_file_and_the_flags_replace_them() {
        let mut cfg = Config::parse(r#"dashboards = ["/srv/dashboards", "team"]"#).unwrap();
        assert_eq!(cfg.dashboards, vec![PathBuf::from("/srv/dashboards"), PathBuf::from("team")]);
        assert!(Config::parse("").unwrap().dashboards.is_empty());
        cfg.apply(&Overrides { dashboards: vec!["mine".into()], ..Overrides::default() }).unwrap();
        assert_eq!(cfg.dashboards, vec![PathBuf::from("mine")]);
    }

    #[test]
    fn live_runbooks_are_on_unless_turned_off() {
        assert!(Config::parse("").unwrap().live_runbooks);
        assert!(!Config::parse("live_runbooks = false").unwrap().live_runbooks);
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
    fn history_window_and_flap_threshold() {
        let cfg = Config::parse("").unwrap();
        assert_eq!((cfg.history_window, cfg.flap_threshold), (DEFAULT_HISTORY_WINDOW, DEFAULT_FLAP_THRESHOLD));
        let cfg = Config::parse("history_window = \"1d\"\nflap_threshold = 10").unwrap();
        assert_eq!((cfg.history_window, cfg.flap_threshold), (Duration::from_secs(86_400), 10));
        let e = Config::parse("history_window = \"5m\"").unwrap_err();
        assert!(e.contains("history_window") && e.contains("between 10m and 90d"), "{e}");
        let e = Config::parse("history_window = \"365d\"").unwrap_err();
        assert!(e.contains("history_window"), "{e}");
        let e = Config::parse("history_window = \"a week\"").unwrap_err();
        assert!(e.contains("history_window"), "{e}");
        let e = Config::parse("flap_threshold = 0").unwrap_err();
        assert!(e.contains("flap_threshold") && e.contains("between 1 and 1000"), "{e}");
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
