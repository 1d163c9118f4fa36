//! The alert's own history: when it fired over `history_window`, read from
//! Prometheus' own `ALERTS{…, alertstate="firing"}` series (Thanos, Mimir
//! and vmalert write the same), one range query per alert on screen through
//! the range runner the sparklines use, cached and asked again every few
//! minutes; and what the detail and the board read from it.
//!
//! The query is `max_over_time(ALERTS{…}[step + gap])` at `step`: each point
//! says the alert fired at some time in the range before it, so a firing
//! shorter than the step is not missed, and one missed evaluation (`gap`
//! is the rule's evaluation interval) does not split a firing in two. The
//! step is the window over [`MAX_POINTS`], at least the gap: a week is read
//! a point a minute, fine enough for a median duration and for flapping
//! (more than `flap_threshold` transitions within an hour).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::State;
use super::signals::{Fetch, Purpose, SeriesKey, Tries};
use crate::model::SourceError;
use crate::model::history::{self, Firing};
use crate::model::metrics::{AlertRule, Series};
use crate::model::{Alert, AlertState};

mod flow;
mod summary;

pub use flow::{MAX_RECORDED, record, schedule};
pub use summary::{Summary, View};

/// Points one query asks for at most: a week at one a minute (Prometheus
/// refuses more than 11 000 a series).
pub const MAX_POINTS: u64 = 10_080;
/// The evaluation interval assumed for an alert whose rule is not known
/// (Prometheus' default `evaluation_interval`), in seconds.
pub const DEFAULT_EVAL_GAP: u64 = 60;
/// A history is asked again after this long (seconds): it changes slowly,
/// and a new firing of an alert on screen is asked for at once anyway.
pub const REFRESH_SECS: i64 = 300;
/// Histories kept at most; past that, those of alerts off screen go.
pub const MAX_ENTRIES: usize = 256;
/// History queries in flight at most: they share the range runner's few
/// connections with the sparklines and must never hold those up.
pub const MAX_IN_FLIGHT: usize = 2;
/// Cells of the detail's strip at most: a week in hours.
pub const STRIP_MAX_CELLS: usize = 168;
/// The span flapping is counted over (seconds).
pub const FLAP_SPAN: i64 = 3600;

/// How an alert's history is asked: the query at its step, and the
/// evaluation interval of its rule (seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryQuery {
    pub key: SeriesKey,
    pub gap: u64,
}

/// The query for `alert` over `window`, its rule's evaluation interval
/// setting the finest step (and the slack of each point's range).
pub fn query_for(alert: &Alert, rule: Option<&AlertRule>, window: Duration) -> HistoryQuery {
    let gap = rule.map(|r| r.interval.as_secs_f64().ceil() as u64).filter(|g| *g > 0).unwrap_or(DEFAULT_EVAL_GAP);
    let raw = window.as_secs().div_ceil(MAX_POINTS).max(1);
    let step = raw.div_ceil(gap) * gap;
    let query = format!("max_over_time({}[{}s])", selector(alert), step + gap);
    HistoryQuery { key: SeriesKey::new(query, step), gap }
}

/// [`query_for`] with the state's rules and window.
pub fn query_of(state: &State, alert: &Alert) -> HistoryQuery {
    query_for(alert, state.signals.rule_for(alert), state.alerts.history.window)
}

/// `ALERTS{alertname="…", <every label of the alert>, alertstate="firing"}`:
/// the series Prometheus writes for this alert while it fires. Every label
/// is matched (severity too: a warning and a critical of one name are two
/// alerts); values are escaped for a PromQL string.
pub fn selector(alert: &Alert) -> String {
    let mut m = vec![matcher("alertname", alert.name())];
    m.extend(
        alert
            .labels
            .iter()
            .filter(|(k, v)| !matches!(k.as_str(), "alertname" | "alertstate") && !v.is_empty())
            .map(|(k, v)| matcher(k, v)),
    );
    m.push(matcher("alertstate", "firing"));
    format!("ALERTS{{{}}}", m.join(","))
}

fn matcher(name: &str, value: &str) -> String {
    let legacy = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    // Other names only in Prometheus 3's quoted form; an older server
    // rejects the query, and the row says so.
    let name = if legacy { name.to_string() } else { format!("\"{}\"", escape(name)) };
    format!("{name}=\"{}\"", escape(value))
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n").replace('\r', "\\r")
}

/// One alert's history as read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Entry {
    /// Runs of consecutive points (the first and the last point's time,
    /// unix seconds, multiples of the step), oldest first.
    pub runs: Vec<(i64, i64)>,
    /// Aligned end of the data held (unix seconds; 0: none yet).
    pub end: i64,
    /// How its last fetches went.
    pub tries: Tries,
}

/// The History row's window when the config sets none.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);
/// Transitions an hour past which an alert is flapping, when the config sets none.
pub const DEFAULT_FLAP_THRESHOLD: u32 = 4;

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryState {
    pub window: Duration,
    pub flap_threshold: u32,
    /// Whether any Prometheus is configured to ask.
    pub enabled: bool,
    /// The sources' refresh interval: after a failure, the wait before
    /// asking again grows from it.
    pub refresh: Duration,
    pub cache: HashMap<SeriesKey, Entry>,
    pub in_flight: HashSet<SeriesKey>,
    /// The incident the histories below were recorded into, and the
    /// firings (fingerprint and start) recorded, so each is captured once.
    pub recorded: (Option<String>, HashSet<String>),
}

impl Default for HistoryState {
    /// The defaults, with no Prometheus to ask.
    fn default() -> Self {
        Self::new(DEFAULT_WINDOW, DEFAULT_FLAP_THRESHOLD, false)
    }
}

impl HistoryState {
    pub fn new(window: Duration, flap_threshold: u32, enabled: bool) -> Self {
        Self {
            window,
            flap_threshold,
            enabled,
            refresh: super::signals::DEFAULT_REFRESH,
            cache: HashMap::new(),
            in_flight: HashSet::new(),
            recorded: (None, HashSet::new()),
        }
    }

    /// What to fetch for `key` now: nothing while it is being fetched, while
    /// [`MAX_IN_FLIGHT`] others are, while a failed one waits for its retry
    /// (a rejected one, never), nor while it is younger than
    /// [`REFRESH_SECS`] — unless the alert's current firing (since
    /// `firing_since`) is not in it yet (see [`firing_missing`]). Then its tail (from two steps, at least a minute,
    /// before the cached end: the newest points may not have been written
    /// yet), else the whole window. Marks the key in flight.
    pub fn plan(&mut self, key: &SeriesKey, firing_since: Option<i64>, now: DateTime<Utc>) -> Option<Fetch> {
        if !self.enabled || self.in_flight.contains(key) || self.in_flight.len() >= MAX_IN_FLIGHT {
            return None;
        }
        let step = key.step_secs.max(1) as i64;
        let now = now.timestamp();
        let end = now.div_euclid(step) * step;
        let window_start = end - self.window.as_secs() as i64;
        let start = match self.cache.get(key) {
            Some(c) if c.tries.holds_off(now) => return None,
            Some(c) if c.tries.error.is_none() && c.end > window_start => {
                let stale = end - c.end >= REFRESH_SECS;
                if !stale && !firing_missing(c, firing_since, step, end) {
                    return None;
                }
                let overlap = (2 * step).max(60 + step - 1) / step * step;
                (c.end - overlap).max(window_start)
            }
            _ => window_start,
        };
        self.in_flight.insert(key.clone());
        Some(Fetch { key: key.clone(), start, end, purpose: Purpose::History })
    }

    /// Merges an answer: a tail replaces the runs from its start on; points
    /// of every series are one history (replicas, external labels); runs
    /// older than the window go. A failure (at `now`) sets when to ask
    /// again, or that the query is not to be asked again.
    pub fn merge(&mut self, fetch: &Fetch, result: Result<Vec<Series>, SourceError>, now: DateTime<Utc>) {
        self.in_flight.remove(&fetch.key);
        let step = fetch.key.step_secs.max(1) as i64;
        let window_start = fetch.end - self.window.as_secs() as i64;
        let refresh = self.refresh;
        let entry = self.cache.entry(fetch.key.clone()).or_default();
        let fresh = match result {
            Err(e) => {
                entry.tries.failed(e, refresh, now);
                return;
            }
            Ok(fresh) => fresh,
        };
        let tail = entry.tries.error.is_none() && entry.end > 0 && fetch.start > window_start;
        if tail {
            entry.runs.retain(|r| r.0 < fetch.start);
            if let Some(last) = entry.runs.last_mut() {
                last.1 = last.1.min(fetch.start - step);
            }
        } else {
            entry.runs.clear();
        }
        // Aligned to the step and inside the range asked: a server's odd
        // timestamps cannot make more points than the range holds.
        let mut points: Vec<i64> = fresh
            .iter()
            .flat_map(|s| &s.samples)
            .filter(|(t, v)| v.is_finite() && t.is_finite())
            .map(|(t, _)| (t.round() as i64).div_euclid(step) * step)
            .filter(|t| (fetch.start..=fetch.end).contains(t))
            .collect();
        points.sort_unstable();
        points.dedup();
        for t in points {
            match entry.runs.last_mut() {
                Some(r) if t <= r.1 + step => r.1 = r.1.max(t),
                _ => entry.runs.push((t, t)),
            }
        }
        entry.runs.retain(|r| r.1 >= window_start);
        if let Some(first) = entry.runs.first_mut() {
            first.0 = first.0.max(window_start);
        }
        entry.end = fetch.end;
        entry.tries.answered();
    }

    /// Past [`MAX_ENTRIES`], keeps only the histories in `wanted` (those on
    /// screen and being fetched).
    pub fn trim(&mut self, wanted: &HashSet<SeriesKey>) {
        if self.cache.len() > MAX_ENTRIES {
            let in_flight = &self.in_flight;
            self.cache.retain(|k, _| wanted.contains(k) || in_flight.contains(k));
        }
    }

    /// What the History row of `alert` (asked by `q`) shows.
    pub fn view(&self, q: &HistoryQuery, alert: &Alert) -> View<'_> {
        match self.cache.get(&q.key) {
            None if !self.enabled => View::Off,
            None => View::Loading,
            Some(Entry { tries: Tries { error: Some(error), rejected, .. }, .. }) => {
                View::Failed { error, rejected: *rejected }
            }
            Some(e) if e.end == 0 => View::Loading,
            Some(e) => View::Ready(self.summary(e, q, alert.state != AlertState::Pending)),
        }
    }

    /// Whether the board marks `alert` flapping (from its cached history).
    pub fn flapping(&self, q: &HistoryQuery) -> bool {
        let Some(e) = self.cache.get(&q.key).filter(|e| e.tries.error.is_none() && e.end > 0) else { return false };
        let from = e.end - FLAP_SPAN;
        let recent = e.runs.iter().rev().take_while(|r| r.1 >= from - q.key.step_secs as i64).count();
        let firings = firings(&e.runs[e.runs.len() - recent..], q);
        let ongoing = ongoing(e, q);
        history::transitions(&firings, time(from), time(e.end), ongoing) > self.flap_threshold as usize
    }

    fn summary(&self, e: &Entry, q: &HistoryQuery, firing: bool) -> Summary {
        let firings = firings(&e.runs, q);
        let ongoing = ongoing(e, q);
        let last_hour = history::transitions(&firings, time(e.end - FLAP_SPAN), time(e.end), ongoing);
        Summary {
            current: ongoing && firing,
            ongoing,
            end: time(e.end),
            window_secs: self.window.as_secs(),
            step: q.key.step_secs as i64,
            last_hour,
            flapping: last_hour > self.flap_threshold as usize,
            firings,
        }
    }
}

/// Asked again every this many seconds (at most) while an alert's current
/// firing is not in its history yet, for [`RECHECK_FOR_SECS`] after it fired.
pub const RECHECK_SECS: i64 = 30;
/// See [`RECHECK_SECS`]: a firing that never shows (an alert no Prometheus
/// asked writes `ALERTS` for) is not asked about forever.
pub const RECHECK_FOR_SECS: i64 = 300;

/// Whether the history held lacks the alert's current firing, which began
/// at `firing_since` (and has a point by `end`): asked at once when the data
/// ends before it, then every [`RECHECK_SECS`] while no point of it came
/// (VictoriaMetrics leaves the newest 30 s out of range answers; a
/// Prometheus writes the sample at its next evaluation), for a few minutes.
fn firing_missing(c: &Entry, firing_since: Option<i64>, step: i64, end: i64) -> bool {
    let Some(t) = firing_since else { return false };
    let seen = c.runs.last().is_some_and(|r| r.1 >= t);
    let due = c.end < t + step || (end - c.end >= RECHECK_SECS && end - t <= RECHECK_FOR_SECS);
    end >= t + step && !seen && due
}

fn time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Runs of points as firings: a point says the alert fired within the range
/// before it (`step + gap`), so a firing began about a step before its first
/// point and ended about a gap before its last.
fn firings(runs: &[(i64, i64)], q: &HistoryQuery) -> Vec<Firing> {
    let (step, gap) = (q.key.step_secs.max(1) as i64, q.gap as i64);
    runs.iter()
        .map(|(first, last)| {
            let start = first - step;
            Firing { start: time(start), end: time((last - gap).max(start)) }
        })
        .collect()
}

/// The last run reaches the data's end: that firing has not ended.
fn ongoing(e: &Entry, q: &HistoryQuery) -> bool {
    e.runs.last().is_some_and(|r| r.1 >= e.end - q.key.step_secs as i64)
}

/// The mark of a flapping alert, on its board row and in its History row.
pub const FLAP_MARK: &str = "⇅";

#[cfg(test)]
pub(crate) mod tests;
