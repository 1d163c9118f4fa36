//! Alerting rules evaluated like Prometheus' `rules/alerting.go`: a series in
//! the result becomes a pending alert, firing once it has lasted `for`, and
//! resolved (kept 15 minutes, invisible in the API) when it disappears.

use std::collections::BTreeMap;

use super::clock::Clock;
use super::promql::{Evaluator, Value};
use super::series::Store;
use super::spec::{AlertRule, Labels};

/// How long Prometheus keeps resolved alerts (for resending to Alertmanager).
const RESOLVED_RETENTION_SECS: f64 = 15.0 * 60.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum AlertState {
    Pending,
    Firing,
}

#[derive(Debug, Clone)]
pub(crate) struct ActiveAlert {
    pub labels: Labels,
    pub annotations: Labels,
    pub state: AlertState,
    /// Wall-clock Unix seconds.
    pub active_at: f64,
    pub fired_at: Option<f64>,
    pub resolved_at: Option<f64>,
    pub value: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct RuleState {
    pub rule: AlertRule,
    pub alerts: BTreeMap<Labels, ActiveAlert>,
    pub last_eval: Option<f64>,
    pub eval_secs: f64,
    pub last_error: Option<String>,
}

/// Expands `{{ $labels.name }}` and `{{ $value }}` (the two forms scenario
/// annotations use); anything else is left as written.
pub(crate) fn expand(template: &str, labels: &Labels, value: f64) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = rest[open + 2..open + close].trim();
        if inner == "$value" {
            out.push_str(&format_value(value));
        } else if let Some(name) = inner.strip_prefix("$labels.") {
            out.push_str(labels.get(name.trim()).map_or("", String::as_str));
        } else {
            out.push_str(&rest[open..open + close + 2]);
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// Short human form of a value for annotations (4 significant digits).
fn format_value(v: f64) -> String {
    if v.is_finite() && v != 0.0 {
        let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 10) as usize;
        let s = format!("{v:.digits$}");
        if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
    } else {
        super::prom_format::value_str(v)
    }
}

impl RuleState {
    pub(crate) fn new(rule: AlertRule) -> RuleState {
        RuleState { rule, alerts: BTreeMap::new(), last_eval: None, eval_secs: 0.0, last_error: None }
    }

    /// One evaluation at wall instant `now`. Range selectors and `for` are in
    /// scenario time, hence the `1/speed` scale.
    pub(crate) fn eval(&mut self, store: &Store, clock: &Clock, now: f64) {
        let began = std::time::Instant::now();
        let ts = (now * 1000.0).round() as i64;
        let ev = Evaluator { store, ts, start: ts, end: ts, range_scale: 1.0 / clock.speed };
        let samples = match ev.eval(&self.rule.expr) {
            Ok(Value::Vector(v)) => {
                self.last_error = None;
                v
            }
            Ok(Value::Scalar(s)) => vec![super::promql::Sample { labels: Labels::new(), value: s }],
            Ok(_) => {
                self.last_error = Some("alerting rule expression must return a vector".into());
                Vec::new()
            }
            Err(e) => {
                self.last_error = Some(e.to_string());
                Vec::new()
            }
        };
        let mut seen = Vec::new();
        for s in samples {
            let mut labels = super::promql::drop_name(s.labels);
            let template_labels = labels.clone();
            labels.extend(self.rule.labels.clone());
            labels.insert("alertname".into(), self.rule.name.clone());
            let annotations =
                self.rule.annotations.iter().map(|(k, v)| (k.clone(), expand(v, &template_labels, s.value))).collect();
            seen.push(labels.clone());
            match self.alerts.get_mut(&labels) {
                Some(a) if a.resolved_at.is_none() => {
                    a.value = s.value;
                    a.annotations = annotations;
                }
                _ => {
                    let alert = ActiveAlert {
                        labels: labels.clone(),
                        annotations,
                        state: AlertState::Pending,
                        active_at: now,
                        fired_at: None,
                        resolved_at: None,
                        value: s.value,
                    };
                    self.alerts.insert(labels, alert);
                }
            }
        }
        self.alerts.retain(|labels, a| {
            if seen.contains(labels) {
                return true;
            }
            match (a.state, a.resolved_at) {
                (AlertState::Pending, _) => false,
                (AlertState::Firing, None) => {
                    a.resolved_at = Some(now);
                    true
                }
                (AlertState::Firing, Some(r)) => now - r < RESOLVED_RETENTION_SECS,
            }
        });
        for a in self.alerts.values_mut() {
            let lasted = clock.scenario_elapsed(a.active_at, now);
            if a.state == AlertState::Pending && a.resolved_at.is_none() && lasted >= self.rule.for_secs {
                a.state = AlertState::Firing;
                a.fired_at = Some(now);
            }
        }
        self.last_eval = Some(now);
        self.eval_secs = began.elapsed().as_secs_f64();
    }

    /// Pending and firing alerts (resolved ones are not shown by the API).
    pub(crate) fn visible(&self) -> impl Iterator<Item = &ActiveAlert> {
        self.alerts.values().filter(|a| a.resolved_at.is_none())
    }

    pub(crate) fn state(&self) -> &'static str {
        let mut state = "inactive";
        for a in self.visible() {
            match a.state {
                AlertState::Firing => return "firing",
                AlertState::Pending => state = "pending",
            }
        }
        state
    }
}

#[cfg(test)]
mod tests;
