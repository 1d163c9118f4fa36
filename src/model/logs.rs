//! The logs pane's vocabulary, shared by the Loki client that fills it and
//! the state that keeps it: log lines, the follower's settings and what it
//! reports in each batch.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{Labels, SourceError};

/// Longest line kept whole, in bytes; the rest is replaced by a marker. A
/// Java stack trace in one line is a few KiB; a 10 MiB base64 blob is not
/// something anyone reads in a terminal.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// Default template: the labels that name a workload in most setups, both in
/// Prometheus alerts and in Promtail/Alloy streams.
pub const DEFAULT_TEMPLATE: &[&str] = &["service", "app", "job", "namespace", "instance"];

/// One log line with its stream, as the logs pane keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub ts_ns: i64,
    /// The stream's labels, shared by all its lines.
    pub labels: Arc<Labels>,
    pub metadata: Labels,
    pub parsed: Labels,
    /// Cleaned for display and cut at [`MAX_LINE_BYTES`].
    pub line: String,
}

/// The `[logs]` section of the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogsConfig {
    /// Labels the selector is built from (`name` or `loki_name=alert_name`).
    pub selector: Vec<String>,
    /// How long before the alert started the logs begin.
    #[serde(with = "humantime_serde")]
    pub margin: Duration,
    /// Lines kept per view (a ring: the oldest go first).
    pub buffer: usize,
    /// Lines fetched by the first query.
    pub limit: u32,
    /// Interval of the `query_range` polling used when the tail websocket
    /// is refused.
    #[serde(with = "humantime_serde")]
    pub poll: Duration,
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            selector: DEFAULT_TEMPLATE.iter().map(|s| s.to_string()).collect(),
            margin: Duration::from_secs(15 * 60),
            buffer: 10_000,
            limit: 1_000,
            poll: Duration::from_secs(2),
        }
    }
}

/// Where the query comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum QuerySpec {
    /// Typed by the user (`:logs {job="api"} |= "timeout"`).
    LogQl(String),
    /// Built from the alert's labels through the template, against the
    /// labels Loki has in the window.
    Alert { labels: Labels, template: Vec<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowSettings {
    /// Lines asked for by the first query and by each poll.
    pub limit: u32,
    pub poll_every: Duration,
    /// Lines are sent to the app at most this often.
    pub batch_every: Duration,
    /// Lines held between two batches; beyond it the oldest are skipped
    /// (the view's ring would evict them anyway). Raw lines are never
    /// skipped: the batch goes early instead.
    pub max_pending: usize,
    /// Raw lines only: how far behind the newest line seen a re-read
    /// starts (after a reconnect, and at every poll), so that lines Loki
    /// took late with an older timestamp (a teammate's clock, a push
    /// delayed by a timeout) are not missed. Loki itself accepts lines up to
    /// an hour behind a stream's newest.
    pub late_window: Duration,
}

impl FollowSettings {
    pub fn from_config(cfg: &LogsConfig) -> Self {
        Self { limit: cfg.limit, poll_every: cfg.poll, max_pending: cfg.buffer.max(1), ..Self::default() }
    }
}

impl Default for FollowSettings {
    fn default() -> Self {
        Self {
            limit: 1_000,
            poll_every: Duration::from_secs(2),
            batch_every: Duration::from_millis(50),
            max_pending: 10_000,
            late_window: Duration::from_secs(10 * 60),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowSpec {
    /// Chosen by the state (`LogsView::begin`); echoed in every batch.
    pub generation: u64,
    pub query: QuerySpec,
    /// Start of the window (the alert's start minus the margin).
    pub start_ns: i64,
    pub settings: FollowSettings,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowMode {
    Tail,
    /// Polling `query_range`; the reason the websocket was not used.
    Poll {
        reason: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BatchKind {
    /// The query is known (sent before the first fetch, so the pane shows it).
    Resolved,
    /// The lines of the first `query_range` (for raw lines: of each page of
    /// the first read; the first batch with a `mode` ends it).
    Initial,
    /// Live lines, or only a change of mode or error.
    #[default]
    Live,
}

/// One message from the follower to the app; `L` is [`LogLine`] for the
/// logs pane, the sources' raw lines for the shared war room.
#[derive(Debug, Clone, PartialEq)]
pub struct LogBatch<L = LogLine> {
    pub generation: u64,
    pub kind: BatchKind,
    pub query: Option<String>,
    /// Oldest first.
    pub lines: Vec<L>,
    pub mode: Option<FollowMode>,
    /// A batch without an error means the last error is over.
    pub error: Option<SourceError>,
    /// The follower stopped: the error will not go away by retrying.
    pub ended: bool,
    /// Lines Loki dropped because this client read too slowly.
    pub dropped: u64,
    /// Lines skipped because more arrived in one batch than the view holds
    /// (never for raw lines), or nanoseconds skipped because more lines
    /// shared one than a page holds.
    pub skipped: u64,
}

impl<L> Default for LogBatch<L> {
    fn default() -> Self {
        LogBatch {
            generation: 0,
            kind: BatchKind::default(),
            query: None,
            lines: Vec::new(),
            mode: None,
            error: None,
            ended: false,
            dropped: 0,
            skipped: 0,
        }
    }
}

/// Start of an alert's logs window: `margin` before the alert started.
pub fn window_start(starts_at: DateTime<Utc>, margin: Duration) -> i64 {
    let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::zero());
    let start = starts_at.checked_sub_signed(margin).unwrap_or(starts_at);
    start.timestamp_nanos_opt().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_starts_a_margin_before_the_alert() {
        let t = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(window_start(t, Duration::from_secs(900)), (1_800_000_000 - 900) * 1_000_000_000);
        assert_eq!(window_start(t, Duration::ZERO), 1_800_000_000 * 1_000_000_000);
    }

    #[test]
    fn settings_follow_the_config() {
        let cfg = LogsConfig { buffer: 500, limit: 42, ..LogsConfig::default() };
        let s = FollowSettings::from_config(&cfg);
        assert_eq!((s.max_pending, s.limit, s.batch_every), (500, 42, Duration::from_millis(50)));
    }
}
