//! The task behind the logs pane: resolve the query, fetch the window with
//! `query_range`, then follow live through the tail websocket, or by polling
//! `query_range` from the last seen timestamp when the websocket is refused.
//!
//! Lines reach the app in batches, at most one per `batch_every` (~50 ms),
//! so a burst of 100 000 lines costs the event loop a handful of messages,
//! not 100 000. Dropping or aborting the task's handle stops it (the lead
//! aborts it when the selection changes; stale batches carry an old
//! `generation` and are ignored by the state).

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinHandle;

use super::follower::Follower;
use super::{LogLine, LogsConfig, LokiClient, selector_for};
use crate::model::Labels;
use crate::sources::SourceError;

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
    /// (the view's ring would evict them anyway).
    pub max_pending: usize,
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
    /// The lines of the first `query_range`.
    Initial,
    /// Live lines, or only a change of mode or error.
    #[default]
    Live,
}

/// One message from the follower to the app.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogBatch {
    pub generation: u64,
    pub kind: BatchKind,
    pub query: Option<String>,
    /// Oldest first.
    pub lines: Vec<LogLine>,
    pub mode: Option<FollowMode>,
    /// A batch without an error means the last error is over.
    pub error: Option<SourceError>,
    /// The follower stopped: the error will not go away by retrying.
    pub ended: bool,
    /// Lines Loki dropped because this client read too slowly.
    pub dropped: u64,
    /// Lines skipped because more arrived in one batch than the view holds.
    pub skipped: u64,
}

/// Builds the selector from the labels Loki has in the window; `None` when
/// none of the template's labels applies.
pub async fn resolve_selector(
    client: &LokiClient,
    alert_labels: &Labels,
    template: &[String],
    start_ns: i64,
    end_ns: i64,
) -> Result<Option<String>, SourceError> {
    let known = client.labels(Some(start_ns), Some(end_ns)).await?;
    Ok(selector_for(alert_labels, &known, template))
}

/// Starts the follower. `send` hands a batch to the app and returns false
/// once the app is gone, which ends the task.
pub fn follow<F>(client: LokiClient, spec: FollowSpec, send: F) -> JoinHandle<()>
where
    F: FnMut(LogBatch) -> bool + Send + 'static,
{
    let follower = Follower::new(client, spec.generation, spec.settings, send);
    tokio::spawn(follower.run(spec.query, spec.start_ns))
}

/// Start of an alert's logs window: `margin` before the alert started.
pub fn window_start(starts_at: DateTime<Utc>, margin: Duration) -> i64 {
    let margin = chrono::Duration::from_std(margin).unwrap_or(chrono::Duration::zero());
    let start = starts_at.checked_sub_signed(margin).unwrap_or(starts_at);
    start.timestamp_nanos_opt().unwrap_or(0)
}

/// Now, in Loki's nanoseconds.
pub fn now_ns() -> i64 {
    Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
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
