//! Series behind the sparklines: each alert's own expression (from its rule)
//! and the golden signals of its service, fetched as range queries aligned
//! to wall-clock steps (so flat data redraws nothing), cached, and extended
//! by their tail only.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::SourceError;
use crate::model::metrics::{AlertRule, Series};
use crate::model::{Alert, Labels};

pub mod rows;

pub use crate::model::units::{Unit, format_value};

pub use crate::model::settings::{SignalTemplate, default_templates};
pub use crate::msg::fetch::{Fetch, Purpose, SeriesKey};

/// Fills `{{label}}` from `labels` (values escaped for a PromQL string).
/// `None` when a placeholder names a label the alert does not have.
pub fn fill(template: &str, labels: &Labels) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}")? + start;
        let name = rest[start + 2..end].trim();
        let value = labels.get(name)?;
        out.push_str(&value.replace('\\', "\\\\").replace('"', "\\\""));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    Some(out)
}

/// How far back a tail fetch reaches before the cached end: the newest
/// points of a range answer may be missing or change later. VictoriaMetrics
/// leaves out the last `-search.latencyOffset` (30 s by default) and
/// Prometheus computes the last step from a scrape that may not have landed
/// yet; asked once and marked fetched, those points would stay wrong.
pub const TAIL_OVERLAP_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cached {
    pub series: Vec<Series>,
    /// Aligned end of the data held (unix seconds).
    pub end: i64,
    /// How its last fetches went.
    pub tries: Tries,
}

/// How a cached range query's last fetches went, the same for every cache
/// of range queries (signals, histories): its error, when to ask again.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tries {
    pub error: Option<SourceError>,
    /// Failed fetches in a row (an answer resets it).
    pub failures: u32,
    /// After a failure, not asked again before this (unix seconds).
    pub retry_at: i64,
    /// The server rejected the query itself (a 4xx: bad PromQL, too many
    /// samples): asking again would be rejected again, so it is not asked
    /// again in this context (a new query, window or context is a new entry).
    pub rejected: bool,
}

impl Tries {
    /// Whether the query is not to be asked at `now` (unix seconds): never
    /// again once rejected, not before its retry time after a failure.
    pub fn holds_off(&self, now: i64) -> bool {
        self.rejected || (self.error.is_some() && now < self.retry_at)
    }

    /// A failed fetch at `now`: asked again after [`retry_delay`] (whole
    /// seconds, rounded up, plus one: `now` is the last tick), or never if
    /// the server refused the query itself.
    pub fn failed(&mut self, error: SourceError, refresh: Duration, now: DateTime<Utc>) {
        self.failures = self.failures.saturating_add(1);
        self.rejected = is_rejection(&error);
        let delay = retry_delay(refresh, self.failures).as_secs_f64().ceil() as i64;
        self.retry_at = now.timestamp() + delay + 1;
        self.error = Some(error);
    }

    /// An answer: no error, no wait.
    pub fn answered(&mut self) {
        *self = Self::default();
    }
}

/// A range query's server error that says the query itself is refused, not
/// that the server is in trouble: a 4xx other than 408 and 429 (or a request
/// we could not even build).
pub fn is_rejection(e: &SourceError) -> bool {
    match e {
        SourceError::Api { status, .. } | SourceError::Status { status, .. } => {
            (400..500).contains(status) && !matches!(status, 408 | 429)
        }
        SourceError::Request(_) => true,
        _ => false,
    }
}

/// How long to wait before asking again after `failures` failures in a row:
/// the refresh interval (at least a second, the clock's step), doubled with
/// each failure, up to 32 times that or 5 minutes, whichever is longer.
pub fn retry_delay(refresh: Duration, failures: u32) -> Duration {
    let base = refresh.max(Duration::from_secs(1));
    let factor = 1u32 << failures.clamp(1, 6).saturating_sub(1);
    (base * factor).min((base * 32).max(Duration::from_secs(300)))
}

/// The default refresh interval (`refresh` in the config).
pub const DEFAULT_REFRESH: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq)]
pub struct SignalsState {
    pub rules: Vec<AlertRule>,
    pub templates: Vec<SignalTemplate>,
    pub window: Duration,
    pub cache: HashMap<SeriesKey, Cached>,
    pub in_flight: HashSet<SeriesKey>,
    /// Whether any Prometheus is configured to ask.
    pub enabled: bool,
    /// The refresh interval: a failed query is never asked again sooner.
    pub refresh: Duration,
    /// Series shown per golden signal in the detail (`signal_top_n`).
    pub top_n: usize,
    /// Rule expression → what is graphed (see [`graph_expr`]), for every
    /// rule, made when the rules arrive ([`SignalsState::set_rules`]):
    /// parsing PromQL for every visible row on every message and frame is
    /// what made a refresh of 200 sparklines slow.
    graphed: HashMap<String, String>,
}

impl SignalsState {
    pub fn new(templates: Vec<SignalTemplate>, window: Duration, enabled: bool) -> Self {
        Self {
            rules: Vec::new(),
            templates,
            window,
            cache: HashMap::new(),
            in_flight: HashSet::new(),
            enabled,
            refresh: DEFAULT_REFRESH,
            top_n: rows::DEFAULT_TOP_N,
            graphed: HashMap::new(),
        }
    }

    /// The rule an alert comes from: same name, and the rule's own labels
    /// all on the alert.
    pub fn rule_for(&self, alert: &Alert) -> Option<&AlertRule> {
        self.rules
            .iter()
            .find(|r| r.name == alert.name() && r.labels.iter().all(|(k, v)| alert.labels.get(k) == Some(v)))
    }

    /// Takes the rules Prometheus reported; whether they changed. Each
    /// expression is parsed for [`SignalsState::graphed`] here, once (those
    /// already parsed are kept).
    pub fn set_rules(&mut self, rules: Vec<AlertRule>) -> bool {
        if self.rules == rules {
            return false;
        }
        let mut graphed = HashMap::with_capacity(rules.len());
        for r in &rules {
            let q = self.graphed.remove(&r.query).unwrap_or_else(|| graph_expr(&r.query));
            graphed.insert(r.query.clone(), q);
        }
        self.graphed = graphed;
        self.rules = rules;
        true
    }

    /// [`graph_expr`] of a rule's expression: parsed when the rules came
    /// (any other expression is parsed now).
    pub fn graphed(&self, rule_query: &str) -> String {
        match self.graphed.get(rule_query) {
            Some(q) => q.clone(),
            None => graph_expr(rule_query),
        }
    }

    /// The step for a sparkline `width` columns wide over the window: about
    /// one point per column, rounded up to a multiple of 5 s (whole
    /// seconds below that, for short windows).
    pub fn step_for(&self, width: u16) -> u64 {
        let raw = (self.window.as_secs().max(1) / u64::from(width.max(1))).max(1);
        if raw < 5 { raw } else { raw.div_ceil(5) * 5 }
    }

    /// The seconds `key` covers: its own window, else the cache's.
    pub fn window_of(&self, key: &SeriesKey) -> i64 {
        let secs = if key.window_secs > 0 { key.window_secs } else { self.window.as_secs() };
        secs.min(i64::MAX as u64 / 2) as i64
    }

    /// What to fetch so that `key` covers the window ending now: nothing if
    /// it is current or already being fetched, nor while a failed one waits
    /// for its retry (one the server rejected, never), its new tail if
    /// cached (from [`TAIL_OVERLAP_SECS`] before the cached end, see there),
    /// the whole window otherwise. Marks the key in flight.
    pub fn plan(&mut self, key: SeriesKey, now: DateTime<Utc>) -> Option<Fetch> {
        if !self.enabled || self.in_flight.contains(&key) {
            return None;
        }
        let step = key.step_secs.max(1) as i64;
        let end = (now.timestamp() - key.shift_secs.min(i64::MAX as u64) as i64).div_euclid(step) * step;
        let window_start = end - self.window_of(&key);
        let start = match self.cache.get(&key) {
            Some(c) if c.tries.holds_off(now.timestamp()) => return None,
            Some(c) if c.tries.error.is_none() && c.end >= end => return None,
            Some(c) if c.tries.error.is_none() && c.end > window_start => {
                let overlap = (TAIL_OVERLAP_SECS.div_euclid(step) * step).max(step);
                (c.end + step - overlap).max(window_start)
            }
            _ => window_start,
        };
        self.in_flight.insert(key.clone());
        Some(Fetch { key, start, end, purpose: Purpose::Signal })
    }

    /// Merges a fetched range: a tail (a fetch that starts after its
    /// window's start, onto a good cache) replaces what is cached from its
    /// start on; samples older than the window dropped, series gone from the
    /// answer dropped too once they have nothing left in the window. A
    /// failure (at `now`) sets when to ask again, or that the query is not to
    /// be asked again.
    pub fn merge(&mut self, fetch: &Fetch, result: Result<Vec<Series>, SourceError>, now: DateTime<Utc>) {
        self.in_flight.remove(&fetch.key);
        let window = self.window_of(&fetch.key);
        let window_start = (fetch.end - window) as f64;
        let refresh = self.refresh;
        let entry = self.cache.entry(fetch.key.clone()).or_default();
        match result {
            Err(e) => entry.tries.failed(e, refresh, now),
            Ok(fresh) => {
                let whole_start = fetch.end - window;
                let tail = entry.tries.error.is_none() && entry.end > 0 && fetch.start > whole_start;
                if tail {
                    for s in &mut entry.series {
                        s.samples.retain(|(t, _)| *t < fetch.start as f64);
                    }
                } else {
                    entry.series.clear();
                }
                for s in fresh {
                    match entry.series.iter_mut().find(|c| c.labels == s.labels) {
                        Some(c) => c.samples.extend(s.samples),
                        None => entry.series.push(s),
                    }
                }
                for s in &mut entry.series {
                    s.samples.retain(|(t, _)| *t >= window_start);
                }
                entry.series.retain(|s| !s.samples.is_empty());
                entry.end = fetch.end;
                entry.tries.answered();
            }
        }
    }

    /// The series of `query` (at `step`) that belongs to `alert`: the one
    /// whose labels all appear on the alert (an expression returns one
    /// series per alert instance).
    pub fn alert_series(&self, alert: &Alert, key: &SeriesKey) -> Option<&Series> {
        let cached = self.cache.get(key)?;
        cached.series.iter().find(|s| {
            s.labels.iter().filter(|(k, _)| k.as_str() != "__name__").all(|(k, v)| alert.labels.get(k) == Some(v))
        })
    }
}

/// What to graph for an alert's expression: a comparison against a
/// threshold (`x > 0.05`) is graphed without it, so the line shows how far
/// from the threshold it is, not just 0/1.
pub fn graph_expr(rule_query: &str) -> String {
    use promql_parser::parser::{self, Expr};
    match parser::parse(rule_query) {
        Ok(Expr::Binary(b)) if b.op.is_comparison_operator() => match (&*b.lhs, &*b.rhs) {
            (_, Expr::NumberLiteral(_)) => b.lhs.to_string(),
            (Expr::NumberLiteral(_), _) => b.rhs.to_string(),
            _ => rule_query.to_string(),
        },
        _ => rule_query.to_string(),
    }
}

#[cfg(test)]
mod tests;
