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

use chrono::Utc;
use tokio::task::JoinHandle;

use super::follower::Follower;
use super::raw::RawLine;
use super::{FollowSpec, LogBatch, LogLine, LokiClient, selector_for};
use crate::model::Labels;
use crate::sources::SourceError;

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
/// ones (an older timestamp than lines already seen) included: each time
/// the tail is open, every few polls while it is, and every poll re-read
/// from `late_window` before the newest line seen,
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

/// Now, in Loki's nanoseconds.
pub fn now_ns() -> i64 {
    Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}
