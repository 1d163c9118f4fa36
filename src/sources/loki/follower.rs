//! The follower task's steps: resolve, first fetch, tail, poll.

use std::time::Duration;

use tokio::time::Instant;

use super::cursor::Cursor;
use super::follow::{BatchKind, FollowMode, FollowSettings, LogBatch, QuerySpec, now_ns, resolve_selector};
use super::tail::Tail;
use super::{Direction, LokiClient, QueryResult, RangeQuery, flatten};
use crate::sources::SourceError;
use crate::sources::poller::backoff;

/// How long a follower that fell back to polling because of a network error
/// (not a refusal) waits before trying the websocket again.
const TAIL_RETRY: Duration = Duration::from_secs(60);

/// A metric query typed in the logs pane: nothing to show as lines.
fn metric_query() -> SourceError {
    SourceError::Request("a metric query: the logs pane shows log queries ({…} |= …)".into())
}

/// Why live following stopped.
enum Stop {
    /// The app is gone, or the error is final.
    Done,
    /// The websocket cannot be used: poll instead.
    Refused(SourceError),
}

pub(super) struct Follower<F> {
    client: LokiClient,
    generation: u64,
    settings: FollowSettings,
    send: F,
    cursor: Cursor,
    failures: u32,
    errored: bool,
}

impl<F: FnMut(LogBatch) -> bool + Send> Follower<F> {
    pub(super) fn new(client: LokiClient, generation: u64, settings: FollowSettings, send: F) -> Self {
        Self { client, generation, settings, send, cursor: Cursor::default(), failures: 0, errored: false }
    }

    pub(super) async fn run(mut self, query: QuerySpec, start_ns: i64) {
        let Some(query) = self.resolve(query, start_ns).await else { return };
        let resolved = LogBatch { kind: BatchKind::Resolved, query: Some(query.clone()), ..self.batch() };
        if !(self.send)(resolved) || !self.initial(&query, start_ns).await {
            return;
        }
        loop {
            match self.tail(&query).await {
                Stop::Done => return,
                Stop::Refused(e) => {
                    let retry = !matches!(e, SourceError::Status { .. } | SourceError::Request(_));
                    let reason = format!("websocket refused: {e}");
                    if !self.emit(LogBatch { mode: Some(FollowMode::Poll { reason }), ..self.batch() }) {
                        return;
                    }
                    let until = retry.then(|| Instant::now() + TAIL_RETRY);
                    if !self.poll(&query, until).await {
                        return;
                    }
                }
            }
        }
    }

    fn batch(&self) -> LogBatch {
        LogBatch { generation: self.generation, ..LogBatch::default() }
    }

    /// Sends a batch; an empty one only when it ends an error.
    fn emit(&mut self, b: LogBatch) -> bool {
        let useful = !b.lines.is_empty() || b.kind != BatchKind::Live || b.mode.is_some() || b.error.is_some();
        if !useful && !self.errored {
            return true;
        }
        self.errored = b.error.is_some();
        if b.error.is_none() {
            self.failures = 0;
        }
        (self.send)(b)
    }

    /// Reports an error; returns whether to go on (after a backoff).
    async fn fail(&mut self, e: SourceError) -> bool {
        let ended = !e.is_transient();
        if !self.emit(LogBatch { error: Some(e), ended, ..self.batch() }) || ended {
            return false;
        }
        self.failures = self.failures.saturating_add(1);
        tokio::time::sleep(backoff(self.settings.poll_every, self.failures)).await;
        true
    }

    async fn resolve(&mut self, query: QuerySpec, start_ns: i64) -> Option<String> {
        let (labels, template) = match query {
            QuerySpec::LogQl(q) => return Some(q),
            QuerySpec::Alert { labels, template } => (labels, template),
        };
        loop {
            match resolve_selector(&self.client, &labels, &template, start_ns, now_ns()).await {
                Ok(Some(q)) => return Some(q),
                Ok(None) => {
                    let tried = template.join(", ");
                    let msg = format!("Loki knows none of the alert's labels ({tried}); type :logs {{…}}");
                    self.fail(SourceError::Request(msg)).await;
                    return None;
                }
                Err(e) => {
                    if !self.fail(e).await {
                        return None;
                    }
                }
            }
        }
    }

    /// The window up to now, newest `limit` lines. False when stopped.
    async fn initial(&mut self, query: &str, start_ns: i64) -> bool {
        loop {
            let end_ns = now_ns().max(start_ns + 1);
            let q = RangeQuery {
                query: query.to_string(),
                start_ns,
                end_ns,
                limit: self.settings.limit,
                direction: Direction::Backward,
            };
            match self.client.query_range(&q).await {
                Ok(QueryResult::Streams(streams)) => {
                    let lines = flatten(streams);
                    self.cursor = Cursor::at(end_ns);
                    if let Some(last) = lines.last() {
                        self.cursor = Cursor::at(last.ts_ns);
                        lines.iter().for_each(|l| self.cursor.advance(l));
                    }
                    return self.emit(LogBatch { kind: BatchKind::Initial, lines, ..self.batch() });
                }
                Ok(QueryResult::Matrix(_)) => {
                    self.fail(metric_query()).await;
                    return false;
                }
                Err(e) => {
                    if !self.fail(e).await {
                        return false;
                    }
                }
            }
        }
    }

    /// Follows through the websocket, reconnecting after a drop.
    async fn tail(&mut self, query: &str) -> Stop {
        loop {
            let tail = match self.client.tail(query, self.cursor.ts, self.settings.limit).await {
                Ok(t) => t,
                Err(e) => return Stop::Refused(e),
            };
            if !self.emit(LogBatch { mode: Some(FollowMode::Tail), ..self.batch() }) {
                return Stop::Done;
            }
            match self.pump(tail).await {
                // Closed by Loki (a restart, a proxy's idle timeout): reconnect.
                Ok(None) => tokio::time::sleep(self.settings.poll_every).await,
                Ok(Some(e)) => {
                    if !self.fail(e).await {
                        return Stop::Done;
                    }
                }
                Err(()) => return Stop::Done,
            }
        }
    }

    /// Reads the tail, sending a batch per `batch_every`. `Ok(error)` when
    /// the websocket ended, `Err` when the app is gone.
    async fn pump(&mut self, mut tail: Tail) -> Result<Option<SourceError>, ()> {
        let resume = self.cursor.clone();
        let mut pending = LogBatch::default();
        let mut tick = tokio::time::interval(self.settings.batch_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                msg = tail.next() => match msg {
                    Some(Ok(mut chunk)) => {
                        self.cursor.admit(&resume, &mut chunk.lines);
                        pending.lines.append(&mut chunk.lines);
                        pending.dropped += chunk.dropped as u64;
                        let over = pending.lines.len().saturating_sub(self.settings.max_pending);
                        if over > 0 {
                            pending.lines.drain(..over);
                            pending.skipped += over as u64;
                        }
                    }
                    end => {
                        self.flush(&mut pending)?;
                        tail.close().await;
                        return Ok(end.and_then(Result::err));
                    }
                },
                _ = tick.tick() => self.flush(&mut pending)?,
            }
        }
    }

    fn flush(&mut self, pending: &mut LogBatch) -> Result<(), ()> {
        if pending.lines.is_empty() && pending.dropped == 0 && pending.skipped == 0 {
            return Ok(());
        }
        let b = std::mem::take(pending);
        if self.emit(LogBatch { lines: b.lines, dropped: b.dropped, skipped: b.skipped, ..self.batch() }) {
            Ok(())
        } else {
            Err(())
        }
    }

    /// Polls `query_range` forward from the cursor until `until` (then the
    /// websocket is tried again) or forever. False when stopped.
    async fn poll(&mut self, query: &str, until: Option<Instant>) -> bool {
        let mut wait = self.settings.poll_every;
        loop {
            tokio::time::sleep(wait).await;
            if until.is_some_and(|u| Instant::now() >= u) {
                return true;
            }
            wait = self.settings.poll_every;
            let q = RangeQuery {
                query: query.to_string(),
                start_ns: self.cursor.ts,
                end_ns: now_ns().max(self.cursor.ts + 1),
                limit: self.settings.limit,
                direction: Direction::Forward,
            };
            match self.client.query_range(&q).await {
                Ok(QueryResult::Streams(streams)) => {
                    let mut lines = flatten(streams);
                    let full = lines.len() >= self.settings.limit as usize;
                    let resume = self.cursor.clone();
                    self.cursor.admit(&resume, &mut lines);
                    if full && !lines.is_empty() {
                        // More are waiting: fetch them now, not in 2 s.
                        wait = Duration::ZERO;
                    }
                    if !self.emit(LogBatch { lines, ..self.batch() }) {
                        return false;
                    }
                }
                Ok(QueryResult::Matrix(_)) => {
                    self.fail(metric_query()).await;
                    return false;
                }
                Err(e) => {
                    if !self.fail(e).await {
                        return false;
                    }
                }
            }
        }
    }
}
