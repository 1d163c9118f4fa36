//! The follower task's steps: resolve, first fetch, tail, poll. Generic
//! over the kind of line ([`FollowLine`]): the logs pane's first look is
//! the newest `limit` lines, and it follows by timestamp (a line older than
//! the last one shown is not shown); raw lines are read whole from the
//! start, caught up by paging over the last `late_window` once the tail is
//! open (again), every few polls while it is, and at each poll, and kept
//! unless already seen ([`Seen`]).

use std::marker::PhantomData;
use std::time::Duration;

use tokio::time::Instant;

use super::cursor::{Cursor, Seen};
use super::follow::{now_ns, resolve_selector};
use super::follow_line::FollowLine;
use super::page::forward_page;
use super::tail::Tail;
use super::{BatchKind, FollowMode, FollowSettings, LogBatch, QuerySpec};
use super::{Direction, LokiClient, RangeQuery};
use crate::sources::SourceError;
use crate::sources::backoff::backoff;

/// How long a follower that fell back to polling because of a network error
/// (not a refusal) waits before trying the websocket again.
const TAIL_RETRY: Duration = Duration::from_secs(60);

/// A follower of raw lines reads its late window again every this many
/// `poll_every` while the tail is live.
const TAIL_REREAD_POLLS: u32 = 5;

/// Why live following stopped.
enum Stop {
    /// The app is gone, or the error is final.
    Done,
    /// The websocket cannot be used: poll instead.
    Refused(SourceError),
}

pub(super) struct Follower<F, L> {
    client: LokiClient,
    generation: u64,
    settings: FollowSettings,
    send: F,
    /// The newest timestamp seen (where the tail resumes), and the lines
    /// seen at it.
    cursor: Cursor,
    /// Raw lines handed on (their late ones too).
    seen: Seen,
    failures: u32,
    errored: bool,
    /// Where to read again from, after a tail dropped entries.
    rewind: Option<i64>,
    line: PhantomData<L>,
}

impl<F: FnMut(LogBatch<L>) -> bool + Send, L: FollowLine> Follower<F, L> {
    pub(super) fn new(client: LokiClient, generation: u64, settings: FollowSettings, send: F) -> Self {
        Self {
            client,
            generation,
            settings,
            send,
            cursor: Cursor::default(),
            seen: Seen::default(),
            failures: 0,
            errored: false,
            rewind: None,
            line: PhantomData,
        }
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

    fn batch(&self) -> LogBatch<L> {
        LogBatch { generation: self.generation, ..LogBatch::default() }
    }

    /// Sends a batch; an empty one only when it ends an error.
    fn emit(&mut self, b: LogBatch<L>) -> bool {
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

    /// The window up to now: the newest `limit` lines, or for raw lines
    /// every line, page by page. False when stopped.
    async fn initial(&mut self, query: &str, start_ns: i64) -> bool {
        if L::READ_ALL {
            self.cursor = Cursor::at(start_ns);
            return self.catch_up(query, BatchKind::Initial, start_ns).await;
        }
        loop {
            let end_ns = now_ns().max(start_ns + 1);
            let q = RangeQuery {
                query: query.to_string(),
                start_ns,
                end_ns,
                limit: self.settings.limit,
                direction: Direction::Backward,
            };
            match L::range(&self.client, &q).await {
                Ok(lines) => {
                    self.cursor = Cursor::at(end_ns);
                    if let Some(last) = lines.last() {
                        self.cursor = Cursor::at(last.ts_ns());
                        lines.iter().for_each(|l| self.cursor.advance(l));
                    }
                    return self.emit(LogBatch { kind: BatchKind::Initial, lines, ..self.batch() });
                }
                Err(e) => {
                    if !self.fail(e).await {
                        return false;
                    }
                }
            }
        }
    }

    /// Raw lines: pages forward from `from` up to now, each page's new
    /// lines a batch of `kind`. False when stopped.
    async fn catch_up(&mut self, query: &str, kind: BatchKind, from: i64) -> bool {
        let mut pages = Cursor::at(from);
        loop {
            let end_ns = now_ns().max(pages.ts + 1);
            match forward_page::<L>(&self.client, query, &mut pages, end_ns, self.settings.limit).await {
                Ok(page) => {
                    let lines = self.keep_new(page.lines);
                    let useful = !lines.is_empty() || page.skipped > 0;
                    if useful && !self.emit(LogBatch { kind, lines, skipped: page.skipped, ..self.batch() }) {
                        return false;
                    }
                    if !page.more {
                        return true;
                    }
                }
                Err(e) => {
                    if !self.fail(e).await {
                        return false;
                    }
                }
            }
        }
    }

    /// Raw lines not handed on yet; the cursor moves to the newest.
    fn keep_new(&mut self, mut lines: Vec<L>) -> Vec<L> {
        lines.retain(|l| self.seen.insert(l));
        lines.iter().for_each(|l| self.cursor.advance(l));
        let window = self.late_window_ns();
        self.seen.forget_before(self.cursor.ts.saturating_sub(window.saturating_mul(2)));
        lines
    }

    fn late_window_ns(&self) -> i64 {
        i64::try_from(self.settings.late_window.as_nanos()).unwrap_or(i64::MAX)
    }

    /// Where a raw re-read starts: the late window before the newest line
    /// seen, or the oldest entry a tail dropped.
    fn reread_from(&mut self) -> i64 {
        let from = self.cursor.ts.saturating_sub(self.late_window_ns());
        self.rewind.take().map_or(from, |r| r.min(from))
    }

    /// One forward page from the cursor to now (the logs pane's polling):
    /// whether more follow, and the batch (`None` when there was nothing).
    async fn page(&mut self, query: &str) -> Result<Option<(bool, LogBatch<L>)>, SourceError> {
        let end_ns = now_ns().max(self.cursor.ts + 1);
        let page = forward_page::<L>(&self.client, query, &mut self.cursor, end_ns, self.settings.limit).await?;
        if page.lines.is_empty() && page.skipped == 0 {
            return Ok(None);
        }
        Ok(Some((page.more, LogBatch { lines: page.lines, skipped: page.skipped, ..self.batch() })))
    }

    /// Follows through the websocket, reconnecting after a drop.
    async fn tail(&mut self, query: &str) -> Stop {
        loop {
            let tail = match L::open_tail(&self.client, query, self.cursor.ts, self.settings.limit).await {
                Ok(t) => t,
                Err(e) => return Stop::Refused(e),
            };
            if !self.emit(LogBatch { mode: Some(FollowMode::Tail), ..self.batch() }) {
                return Stop::Done;
            }
            // A line stored between the last read and the tail's
            // subscription, with a timestamp behind the newest seen, is in
            // neither the tail's backfill (from the newest seen on) nor its
            // live entries; and after a reconnect, what came while it was
            // closed: read the late window again now that the tail is open.
            if L::READ_ALL {
                let from = self.reread_from();
                if !self.catch_up(query, BatchKind::Live, from).await {
                    return Stop::Done;
                }
            }
            match self.pump(tail, query).await {
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
    /// the websocket ended, `Err` when the app is gone. Raw lines are never
    /// thinned: a full batch goes early; dropped entries end the tail so
    /// that they are read again; and the late window is read again every
    /// [`TAIL_REREAD_POLLS`] polls, since a tail is Loki's best effort
    /// (a subscription that came late, an ingester that restarted), not a
    /// record of every line.
    async fn pump(&mut self, mut tail: Tail, query: &str) -> Result<Option<SourceError>, ()> {
        let resume = self.cursor.clone();
        let mut pending = LogBatch::default();
        let mut tick = tokio::time::interval(self.settings.batch_every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let every = self.settings.poll_every.saturating_mul(TAIL_REREAD_POLLS).max(Duration::from_millis(100));
        let mut reread = tokio::time::interval_at(Instant::now() + every, every);
        reread.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = reread.tick(), if L::READ_ALL => {
                    self.flush(&mut pending)?;
                    let from = self.reread_from();
                    if !self.catch_up(query, BatchKind::Live, from).await {
                        return Err(());
                    }
                }
                msg = L::next_chunk(&mut tail) => match msg {
                    Some(Ok(mut chunk)) => {
                        if L::READ_ALL {
                            chunk.lines = self.keep_new(std::mem::take(&mut chunk.lines));
                        } else {
                            self.cursor.admit(&resume, &mut chunk.lines);
                        }
                        pending.lines.append(&mut chunk.lines);
                        pending.dropped += chunk.dropped as u64;
                        let over = pending.lines.len().saturating_sub(self.settings.max_pending);
                        if L::READ_ALL && (over > 0 || chunk.dropped > 0) {
                            self.flush(&mut pending)?;
                        } else if over > 0 {
                            pending.lines.drain(..over);
                            pending.skipped += over as u64;
                        }
                        if L::READ_ALL && chunk.dropped > 0 {
                            self.rewind = chunk.oldest_dropped_ns.or(Some(resume.ts));
                            tail.close().await;
                            return Ok(None);
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

    fn flush(&mut self, pending: &mut LogBatch<L>) -> Result<(), ()> {
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
            if L::READ_ALL {
                let from = self.reread_from();
                if !self.catch_up(query, BatchKind::Live, from).await || !self.emit(self.batch()) {
                    return false;
                }
                continue;
            }
            match self.page(query).await {
                Ok(Some((more, batch))) => {
                    if more {
                        // More are waiting: fetch them now, not in 2 s.
                        wait = Duration::ZERO;
                    }
                    if !self.emit(batch) {
                        return false;
                    }
                }
                Ok(None) => {
                    if !self.emit(self.batch()) {
                        return false;
                    }
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
