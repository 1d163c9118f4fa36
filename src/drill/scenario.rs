//! Loading and validating scenario files (format: `assets/drills/README.md`).

use std::collections::BTreeSet;

use serde::Deserialize;

use super::curve::{Curve, RawKey, TimeSpec};
use super::spec::{AlertRule, EventSpec, Labels, Latency, LineTemplate, LogStreamSpec, Rate, SeriesKind, SeriesSpec};
use super::{BUILTIN, DrillError, ScenarioInfo, ScenarioSource};

/// A parsed, validated scenario, ready to be played by a
/// [`DrillServer`](super::DrillServer).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub(crate) name: String,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) duration: f64,
    /// Scenario seconds between two samples of every series.
    pub(crate) scrape_interval: f64,
    pub(crate) series: Vec<SeriesSpec>,
    pub(crate) alerts: Vec<AlertRule>,
    pub(crate) logs: Vec<LogStreamSpec>,
    pub(crate) events: Vec<EventSpec>,
    /// Alertmanager inhibition rules applied to the scenario's alerts.
    pub(crate) inhibit_rules: Vec<super::inhibit::InhibitRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: String,
    title: String,
    description: String,
    duration: TimeSpec,
    scrape_interval: Option<TimeSpec>,
    #[serde(default)]
    series: Vec<RawSeries>,
    #[serde(default)]
    histograms: Vec<RawHistogram>,
    #[serde(default)]
    alerts: Vec<RawAlert>,
    #[serde(default)]
    logs: Vec<RawLogs>,
    #[serde(default)]
    events: Vec<RawEvent>,
    #[serde(default)]
    inhibit_rules: Vec<super::inhibit::RawInhibitRule>,
}

#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum RawKind {
    Gauge,
    Counter,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeries {
    name: String,
    #[serde(rename = "type")]
    kind: RawKind,
    #[serde(default)]
    labels: Labels,
    curve: Vec<RawKey>,
    #[serde(default)]
    noise: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistogram {
    name: String,
    #[serde(default)]
    labels: Labels,
    buckets: Vec<f64>,
    rate: Vec<RawKey>,
    p50: Vec<RawKey>,
    p99: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    name: String,
    expr: String,
    #[serde(rename = "for")]
    for_: Option<TimeSpec>,
    labels: Labels,
    annotations: Labels,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLogs {
    labels: Labels,
    rate: Vec<RawKey>,
    lines: Vec<RawLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLine {
    text: String,
    weight: Option<f64>,
    from: Option<TimeSpec>,
    until: Option<TimeSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    at: TimeSpec,
    labels: Labels,
    text: String,
}

const SEVERITIES: &[&str] = &["critical", "warning", "info"];
const REQUIRED_ANNOTATIONS: &[&str] = &["summary", "description", "runbook_url"];

impl Scenario {
    /// Reads, parses and validates a scenario; errors name the file and the
    /// offending item.
    pub fn load(src: &ScenarioSource) -> Result<Scenario, DrillError> {
        let (origin, text) = match src {
            ScenarioSource::Builtin(name) => {
                let Some((_, text)) = BUILTIN.iter().find(|(n, _)| n == name) else {
                    let available: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    return Err(DrillError::UnknownScenario { name: name.clone(), available: available.join(", ") });
                };
                (format!("built-in {name:?}"), (*text).to_string())
            }
            ScenarioSource::File(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| DrillError::Read { path: path.clone(), source })?;
                (path.display().to_string(), text)
            }
        };
        Scenario::parse(&text).map_err(|message| DrillError::Invalid { origin, message })
    }

    pub fn info(&self) -> ScenarioInfo {
        ScenarioInfo {
            name: self.name.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            duration: std::time::Duration::from_secs_f64(self.duration),
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Scenario, String> {
        let raw: RawScenario = toml::from_str(text).map_err(|e| e.to_string())?;
        let name_ok =
            !raw.name.is_empty() && raw.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !name_ok {
            return Err(format!("name {:?}: use lowercase letters, digits and '-'", raw.name));
        }
        let duration = raw.duration.seconds().map_err(|e| format!("duration: {e}"))?;
        if duration <= 0.0 {
            return Err("duration must be > 0".into());
        }
        let scrape_interval = match &raw.scrape_interval {
            Some(t) => t.seconds().map_err(|e| format!("scrape_interval: {e}"))?,
            None => 15.0,
        };
        if !(1.0..=300.0).contains(&scrape_interval) {
            return Err("scrape_interval must be between 1s and 5m".into());
        }
        let mut series = Vec::new();
        for (i, s) in raw.series.iter().enumerate() {
            series.push(series_spec(s).map_err(|e| format!("series[{i}] ({}): {e}", s.name))?);
        }
        for (i, h) in raw.histograms.iter().enumerate() {
            series.extend(histogram_specs(h).map_err(|e| format!("histograms[{i}] ({}): {e}", h.name))?);
        }
        let mut seen = BTreeSet::new();
        for s in &series {
            if !seen.insert(&s.labels) {
                return Err(format!("series {:?} is defined twice", s.labels));
            }
        }
        let mut alerts = Vec::new();
        for (i, a) in raw.alerts.iter().enumerate() {
            alerts.push(alert_rule(a).map_err(|e| format!("alerts[{i}] ({}): {e}", a.name))?);
        }
        let mut logs = Vec::new();
        for (i, l) in raw.logs.iter().enumerate() {
            logs.push(log_stream(l).map_err(|e| format!("logs[{i}]: {e}"))?);
        }
        let mut events = Vec::new();
        for (i, e) in raw.events.iter().enumerate() {
            check_labels(&e.labels).map_err(|m| format!("events[{i}]: {m}"))?;
            let at = e.at.seconds().map_err(|m| format!("events[{i}]: at: {m}"))?;
            events.push(EventSpec { at, labels: e.labels.clone(), text: e.text.clone() });
        }
        events.sort_by(|a, b| a.at.total_cmp(&b.at));
        let mut inhibit_rules = Vec::new();
        for (i, r) in raw.inhibit_rules.iter().enumerate() {
            inhibit_rules.push(super::inhibit::InhibitRule::parse(r).map_err(|e| format!("inhibit_rules[{i}]: {e}"))?);
        }
        Ok(Scenario {
            name: raw.name,
            title: raw.title,
            description: raw.description,
            duration,
            scrape_interval,
            series,
            alerts,
            logs,
            events,
            inhibit_rules,
        })
    }
}

pub(crate) fn valid_metric_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

pub(crate) fn valid_label_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_labels(labels: &Labels) -> Result<(), String> {
    for name in labels.keys() {
        if !valid_label_name(name) || name.starts_with("__") {
            return Err(format!("invalid label name {name:?}"));
        }
    }
    Ok(())
}

fn named(name: &str, labels: &Labels) -> Result<Labels, String> {
    if !valid_metric_name(name) {
        return Err("invalid metric name".into());
    }
    check_labels(labels)?;
    let mut l = labels.clone();
    l.insert("__name__".into(), name.into());
    Ok(l)
}

fn noise(n: f64) -> Result<f64, String> {
    if n.is_finite() && n >= 0.0 { Ok(n) } else { Err("noise must be >= 0".into()) }
}

fn series_spec(s: &RawSeries) -> Result<SeriesSpec, String> {
    let curve = Curve::from_raw(&s.curve).map_err(|e| format!("curve: {e}"))?;
    let kind = match s.kind {
        RawKind::Gauge => SeriesKind::Gauge(curve),
        RawKind::Counter => {
            if !s.name.ends_with("_total") {
                return Err("counter names end in _total".into());
            }
            SeriesKind::Counter(Rate::Curve(curve))
        }
    };
    Ok(SeriesSpec { labels: named(&s.name, &s.labels)?, kind, noise: noise(s.noise)? })
}

fn histogram_specs(h: &RawHistogram) -> Result<Vec<SeriesSpec>, String> {
    if h.buckets.is_empty() || h.buckets.windows(2).any(|w| w[0] >= w[1]) {
        return Err("buckets must be a non-empty increasing list".into());
    }
    if h.buckets.iter().any(|b| !b.is_finite() || *b <= 0.0) {
        return Err("buckets must be finite and > 0 (+Inf is added for you)".into());
    }
    let curve = |k: &[RawKey], what: &str| Curve::from_raw(k).map_err(|e| format!("{what}: {e}"));
    let dist = Latency { rate: curve(&h.rate, "rate")?, p50: curve(&h.p50, "p50")?, p99: curve(&h.p99, "p99")? };
    let mut out = Vec::new();
    let counter = |suffix: &str, extra: Option<(&str, String)>, rate: Rate| -> Result<SeriesSpec, String> {
        let mut labels = named(&format!("{}{suffix}", h.name), &h.labels)?;
        if let Some((k, v)) = extra {
            labels.insert(k.into(), v);
        }
        Ok(SeriesSpec { labels, kind: SeriesKind::Counter(rate), noise: 0.0 })
    };
    for le in h.buckets.iter().copied().chain([f64::INFINITY]) {
        let text = if le.is_infinite() { "+Inf".to_string() } else { le.to_string() };
        out.push(counter("_bucket", Some(("le", text)), Rate::Bucket { dist: dist.clone(), le })?);
    }
    out.push(counter("_sum", None, Rate::Sum(dist.clone()))?);
    out.push(counter("_count", None, Rate::Curve(dist.rate.clone()))?);
    Ok(out)
}

fn alert_rule(a: &RawAlert) -> Result<AlertRule, String> {
    if !valid_label_name(&a.name) {
        return Err("invalid alert name".into());
    }
    let expr = promql_parser::parser::parse(&a.expr).map_err(|e| format!("expr: {e}"))?;
    super::promql::check_supported(&expr).map_err(|e| format!("expr: {e}"))?;
    let for_secs = match &a.for_ {
        Some(t) => t.seconds().map_err(|e| format!("for: {e}"))?,
        None => 0.0,
    };
    check_labels(&a.labels)?;
    match a.labels.get("severity") {
        Some(s) if SEVERITIES.contains(&s.as_str()) => {}
        other => {
            return Err(format!("labels.severity must be one of {SEVERITIES:?}, got {other:?}"));
        }
    }
    if a.labels.get("service").is_none_or(|s| s.is_empty()) {
        return Err("labels.service is required".into());
    }
    for key in REQUIRED_ANNOTATIONS {
        if a.annotations.get(*key).is_none_or(|s| s.trim().is_empty()) {
            return Err(format!("annotations.{key} is required"));
        }
    }
    Ok(AlertRule {
        name: a.name.clone(),
        expr_text: a.expr.trim().to_string(),
        expr,
        for_secs,
        labels: a.labels.clone(),
        annotations: a.annotations.clone(),
    })
}

fn log_stream(l: &RawLogs) -> Result<LogStreamSpec, String> {
    if l.labels.is_empty() {
        return Err("labels: a stream needs at least one label".into());
    }
    check_labels(&l.labels)?;
    let rate = Curve::from_raw(&l.rate).map_err(|e| format!("rate: {e}"))?;
    if l.lines.is_empty() {
        return Err("lines: at least one line template is required".into());
    }
    let mut lines = Vec::new();
    for (i, line) in l.lines.iter().enumerate() {
        let weight = line.weight.unwrap_or(1.0);
        if !weight.is_finite() || weight <= 0.0 {
            return Err(format!("lines[{i}]: weight must be > 0"));
        }
        let secs = |t: &Option<TimeSpec>, default: f64| t.as_ref().map_or(Ok(default), |t| t.seconds());
        let from = secs(&line.from, 0.0).map_err(|e| format!("lines[{i}].from: {e}"))?;
        let until = secs(&line.until, f64::INFINITY).map_err(|e| format!("lines[{i}].until: {e}"))?;
        if until <= from {
            return Err(format!("lines[{i}]: until must be after from"));
        }
        lines.push(LineTemplate { text: line.text.clone(), weight, from, until });
    }
    Ok(LogStreamSpec { labels: l.labels.clone(), rate, lines })
}

#[cfg(test)]
mod tests;
