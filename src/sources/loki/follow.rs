//! The task behind the logs pane: resolve the query, fetch the window with
//! `query_range`, then follow live through the tail websocket, or by polling
//! `query_range` from the last seen timestamp when the websocket is refused.
//! [`follow_raw`] is the same task for raw lines (the shared war room):
//! every line from the start, paged forward, then live; after a dropped
//! websocket it pages forward from the last seen timestamp before tailing
//! again, so nothing is lost and nothing repeated.
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
use super::raw::RawLine;
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
/// logs pane, [`RawLine`] for [`follow_raw`].
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
    let follower = Follower::<F, LogLine>::new(client, spec.generation, spec.settings, send);
    tokio::spawn(follower.run(spec.query, spec.start_ns))
}

/// Starts a follower of raw lines: every line from `spec.start_ns` on
/// (inclusive), in `Initial` batches (one page of up to `settings.limit`
/// each; the first batch with `mode` set ends the history), then live ones
/// from the tail (no `delay_for`, structured metadata apart), or from
/// polling when the tail is refused. Each line is handed on once, late
/// ones (an older timestamp than lines already seen) included: a reconnect
/// and every poll re-read from `late_window` before the newest line seen,
/// and what was seen is not sent again; a tail reporting dropped entries is
/// re-read from the oldest of them. Batches are never thinned
/// (`max_pending` makes a batch go early instead). `send` returning false
/// ends the task, as does an error that retrying will not cure (`ended`).
pub fn follow_raw<F>(client: LokiClient, spec: FollowSpec, send: F) -> JoinHandle<()>
where
    F: FnMut(LogBatch<RawLine>) -> bool + Send + 'static,
{
    let follower = Follower::<F, RawLine>::new(client, spec.generation, spec.settings, send);
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
