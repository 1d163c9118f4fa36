//! The logs pane's model: a ring of the latest lines for the selected alert,
//! the query, how it is followed, the filter, the search and where the
//! view is. Pure: batches come in from `sources::loki::follow`, keys become
//! method calls; nothing here does I/O.
//!
//! Lines are numbered by a sequence that never goes back (`seq`), so the
//! cursor and the first drawn row stay on the same line while older lines
//! leave the ring and new ones arrive.

pub mod flow;

mod find;
mod level;
mod nav;
pub mod rows;

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

pub use find::{LineFilter, Search, SearchOutcome};
pub use level::Level;

use crate::model::Labels;
use crate::model::logs::{BatchKind, FollowMode, LogBatch, LogLine};

/// Lines kept per view unless configured (`[logs] buffer`).
pub const DEFAULT_CAP: usize = 10_000;
/// Horizontal scrolling stops where the longest kept line ends.
pub const MAX_HSCROLL: usize = crate::model::logs::MAX_LINE_BYTES;

/// A line as the view keeps it: with its level, found once on arrival.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewLine {
    pub line: LogLine,
    pub level: Level,
}

/// A line pinned to the incident timeline: the lead turns it into a
/// journal record. The text is already clean; labels are raw.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnedLine {
    pub at: DateTime<Utc>,
    pub ts_ns: i64,
    pub labels: Labels,
    pub metadata: Labels,
    pub line: String,
    pub level: Level,
    pub query: Option<String>,
}

/// What the logs pane follows: the selected alert's logs (by its
/// fingerprint) or a query of the user's own, from Loki if there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct LogFollow {
    /// The config's `[logs]`.
    pub cfg: crate::model::logs::LogsConfig,
    /// A Loki is configured.
    pub enabled: bool,
    /// Whose logs are followed (the selected alert's fingerprint).
    pub fingerprint: Option<String>,
    /// A `:logs` query of the user's own replaces the alert's.
    pub pinned_query: bool,
}

/// The logs pane: the lines it shows, and what it follows.
#[derive(Debug)]
pub struct Logs {
    pub view: LogsView,
    pub follow: LogFollow,
}

#[derive(Debug)]
pub struct LogsView {
    lines: VecDeque<ViewLine>,
    /// `seq` of `lines[0]`.
    first_seq: u64,
    cap: usize,
    generation: u64,
    /// What the logs are for (the alert's name), for the title.
    pub target: Option<String>,
    pub query: Option<String>,
    pub loading: bool,
    pub mode: Option<FollowMode>,
    pub error: Option<String>,
    /// The follower stopped for good (a query Loki rejects).
    pub ended: bool,
    filter: Option<LineFilter>,
    /// `seq`s of the lines that pass the filter (`None`: all do).
    shown: Option<VecDeque<u64>>,
    search: Option<Search>,
    /// `None` while following the newest line.
    cursor: Option<u64>,
    /// Lines that arrived below the view since the user scrolled up.
    pub new_below: usize,
    pub wrap: bool,
    pub utc: bool,
    pub fullscreen: bool,
    /// Columns skipped on the left when not wrapping.
    pub hscroll: usize,
    /// Lines Loki dropped (tail too slow), and lines pushed out of the ring.
    pub dropped: u64,
    pub evicted: u64,
    /// `seq` of the first line drawn, moved by `update` after each message
    /// ([`LogsView::place`], at the pane's size in the layout) so the view
    /// holds still while scrolled up; the pane only reads it.
    pub top: u64,
}

impl Default for LogsView {
    fn default() -> Self {
        Self::new(DEFAULT_CAP)
    }
}

impl LogsView {
    pub fn new(cap: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            first_seq: 0,
            cap: cap.max(1),
            generation: 0,
            target: None,
            query: None,
            loading: false,
            mode: None,
            error: None,
            ended: false,
            filter: None,
            shown: None,
            search: None,
            cursor: None,
            new_below: 0,
            wrap: false,
            utc: true,
            fullscreen: false,
            hscroll: 0,
            dropped: 0,
            evicted: 0,
            top: 0,
        }
    }

    /// Starts a new view (another alert, or `:logs <query>`): forgets the
    /// lines and returns the generation to give the follower, so batches
    /// of the previous one are ignored. Display toggles are kept.
    pub fn begin(&mut self, target: Option<String>, query: Option<String>) -> u64 {
        let (cap, wrap, utc, fullscreen) = (self.cap, self.wrap, self.utc, self.fullscreen);
        let (generation, first_seq) = (self.generation + 1, self.first_seq + self.lines.len() as u64);
        *self = Self { target, query, loading: true, wrap, utc, fullscreen, generation, first_seq, ..Self::new(cap) };
        self.top = first_seq;
        generation
    }

    /// No logs to show (selection cleared, no Loki): stale batches ignored.
    pub fn clear(&mut self) {
        self.begin(None, None);
        self.loading = false;
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Applies a batch from the follower; returns whether anything shown
    /// changed. Batches of an older generation are dropped.
    pub fn push_batch(&mut self, b: LogBatch) -> bool {
        if b.generation != self.generation {
            return false;
        }
        if b.query.is_some() {
            self.query = b.query;
        }
        if b.mode.is_some() {
            self.mode = b.mode;
        }
        if b.kind == BatchKind::Initial || b.error.is_some() {
            self.loading = false;
        }
        self.error = b.error.map(|e| e.to_string());
        self.ended = b.ended;
        self.dropped += b.dropped;
        self.evicted += b.skipped;
        self.append(b.lines);
        true
    }

    /// Appends in O(batch): a batch larger than the ring replaces it whole.
    pub fn append(&mut self, lines: Vec<LogLine>) {
        let skip = lines.len().saturating_sub(self.cap);
        if skip > 0 {
            let gone = (self.lines.len() + skip) as u64;
            self.evicted += gone;
            self.first_seq += gone;
            self.lines.clear();
            if let Some(s) = &mut self.shown {
                s.clear();
            }
        }
        let mut added = 0;
        for line in lines.into_iter().skip(skip) {
            let seq = self.first_seq + self.lines.len() as u64;
            let level = Level::detect(&line);
            if let (Some(f), Some(shown)) = (&self.filter, &mut self.shown) {
                if f.matches(&line.line) {
                    shown.push_back(seq);
                    added += 1;
                }
            } else {
                added += 1;
            }
            self.lines.push_back(ViewLine { line, level });
            if self.lines.len() > self.cap {
                self.evict_one();
            }
        }
        if self.cursor.is_some() {
            self.new_below += added;
        }
        self.clamp_cursor();
    }

    fn evict_one(&mut self) {
        self.lines.pop_front();
        self.first_seq += 1;
        self.evicted += 1;
        if let Some(s) = &mut self.shown {
            while s.front().is_some_and(|&q| q < self.first_seq) {
                s.pop_front();
            }
        }
    }

    /// All lines held, shown or not.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines that pass the filter.
    pub fn shown_len(&self) -> usize {
        self.shown.as_ref().map_or(self.lines.len(), VecDeque::len)
    }

    /// The `pos`-th line that passes the filter.
    pub fn shown_line(&self, pos: usize) -> Option<&ViewLine> {
        self.seq_at(pos).and_then(|s| self.lines.get((s - self.first_seq) as usize))
    }

    pub fn last_line(&self) -> Option<&ViewLine> {
        self.lines.back()
    }

    fn seq_at(&self, pos: usize) -> Option<u64> {
        match &self.shown {
            Some(s) => s.get(pos).copied(),
            None => (pos < self.lines.len()).then_some(self.first_seq + pos as u64),
        }
    }

    /// Position of `seq` among shown lines, or of the first shown after it.
    pub fn pos_of(&self, seq: u64) -> usize {
        match &self.shown {
            Some(s) => s.binary_search(&seq).unwrap_or_else(|i| i),
            None => seq.saturating_sub(self.first_seq).min(self.lines.len() as u64) as usize,
        }
    }

    /// `seq` of a shown position, for [`LogsView::top`].
    pub fn seq_of(&self, pos: usize) -> u64 {
        self.seq_at(pos).unwrap_or(self.first_seq + self.lines.len() as u64)
    }

    pub fn filter(&self) -> Option<&LineFilter> {
        self.filter.as_ref()
    }

    pub fn search(&self) -> Option<&Search> {
        self.search.as_ref()
    }

    /// The line under the cursor, for `p`: kept with its time and labels.
    pub fn selected_line(&self) -> Option<PinnedLine> {
        let v = self.shown_line(self.cursor_pos()?)?;
        Some(PinnedLine {
            at: DateTime::from_timestamp_nanos(v.line.ts_ns),
            ts_ns: v.line.ts_ns,
            labels: (*v.line.labels).clone(),
            metadata: v.line.metadata.clone(),
            line: v.line.line.clone(),
            level: v.level,
            query: self.query.clone(),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests;
