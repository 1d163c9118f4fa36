//! What the configuration hands the console, in the domain's own types:
//! the golden-signal templates, the notification settings, and the
//! contexts as the picker lists them. The config parses into these and the
//! state reads them; neither owns them.

use serde::Deserialize;

use super::Severity;
use super::units::Unit;

/// Top series shown per signal when the config does not say.
pub const DEFAULT_TOP_N: usize = 3;

/// A golden-signal query with `{{label}}` placeholders filled from the
/// selected alert's labels.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalTemplate {
    pub name: String,
    pub query: String,
    #[serde(default)]
    pub unit: Unit,
}

/// The PromQL of the seeds' dashboards (latency quantiles over the request
/// histogram, 5xx ratio, request rate), per service.
pub fn default_templates() -> Vec<SignalTemplate> {
    let q = |p: &str| {
        format!(
            "histogram_quantile({p}, sum by (le) (rate(http_request_duration_seconds_bucket{{service=\"{{{{service}}}}\"}}[5m])))"
        )
    };
    vec![
        SignalTemplate { name: "latency p50".into(), query: q("0.5"), unit: Unit::Seconds },
        SignalTemplate { name: "latency p95".into(), query: q("0.95"), unit: Unit::Seconds },
        SignalTemplate { name: "latency p99".into(), query: q("0.99"), unit: Unit::Seconds },
        SignalTemplate {
            name: "error ratio".into(),
            query: "sum(rate(http_requests_total{service=\"{{service}}\",status=~\"5..\"}[5m])) / sum(rate(http_requests_total{service=\"{{service}}\"}[5m]))".into(),
            unit: Unit::Ratio,
        },
        SignalTemplate {
            name: "throughput".into(),
            query: "sum(rate(http_requests_total{service=\"{{service}}\"}[5m]))".into(),
            unit: Unit::Reqps,
        },
    ]
}

/// `[notify]` in the config.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct NotifyConfig {
    /// Ring the terminal bell (BEL).
    pub bell: bool,
    pub desktop: Desktop,
    pub min_severity: MinSeverity,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self { bell: false, desktop: Desktop::Off, min_severity: MinSeverity::Critical }
    }
}

/// Which desktop notification escape the terminal understands.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Desktop {
    #[default]
    Off,
    /// `ESC ] 9 ; text BEL` (iTerm2, WezTerm, Windows Terminal, kitty).
    Osc9,
    /// `ESC ] 777 ; notify ; title ; text BEL` (urxvt, foot, WezTerm, VTE).
    Osc777,
}

/// The least severe alert that notifies.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MinSeverity {
    #[default]
    Critical,
    Warning,
    Info,
    /// Every alert, whatever its severity label says.
    Any,
}

impl MinSeverity {
    pub fn admits(self, s: Severity) -> bool {
        match self {
            Self::Critical => s == Severity::Critical,
            Self::Warning => matches!(s, Severity::Critical | Severity::Warning),
            Self::Info => s != Severity::Other,
            Self::Any => true,
        }
    }
}

/// A context as the picker lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextSummary {
    pub name: String,
    pub read_only: bool,
    pub prometheus: usize,
    pub alertmanager: usize,
    pub loki: usize,
}

impl ContextSummary {
    /// "2 prometheus, 2 alertmanager, 1 loki" (kinds with none left out).
    pub fn describe(&self) -> String {
        let parts: Vec<String> =
            [(self.prometheus, "prometheus"), (self.alertmanager, "alertmanager"), (self.loki, "loki")]
                .iter()
                .filter(|(n, _)| *n > 0)
                .map(|(n, kind)| format!("{n} {kind}"))
                .collect();
        if parts.is_empty() { "no source".into() } else { parts.join(", ") }
    }
}
