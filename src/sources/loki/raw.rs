//! Lines as Loki stored them, for programs that parse them (the shared war
//! room reads records as JSON lines): not cleaned for display, only capped
//! in size, with their stream labels, structured metadata and nanosecond
//! timestamps. Whoever shows a part of them cleans it (`crate::text`).
//!
//! [`ForwardReader`] reads a selector's lines oldest first over a span, in
//! pages of `limit`, resuming each page at the last timestamp seen (Loki's
//! `start` is inclusive) without repeating the lines already returned.

use std::sync::Arc;

use super::LokiClient;
use super::cursor::Cursor;
use super::page::forward_page;
use crate::model::Labels;
use crate::sources::SourceError;

/// Longest raw line kept: Loki's default `max_line_size` (256 KiB), so a
/// line Loki accepted with its defaults is never cut. Longer ones (a Loki
/// configured for more) are reported as [`RawText::TooLong`].
pub const MAX_RAW_LINE_BYTES: usize = 256 * 1024;

/// A line's text, or how long it was when over [`MAX_RAW_LINE_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RawText {
    Line(String),
    TooLong { bytes: usize },
}

impl RawText {
    pub(crate) fn new(line: String) -> Self {
        if line.len() > MAX_RAW_LINE_BYTES { RawText::TooLong { bytes: line.len() } } else { RawText::Line(line) }
    }

    /// The line, unless it was too long.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            RawText::Line(s) => Some(s),
            RawText::TooLong { .. } => None,
        }
    }
}

/// One raw log line with its stream.
#[derive(Debug, Clone, PartialEq)]
pub struct RawLine {
    pub ts_ns: i64,
    /// The stream's labels (as Loki returns them: possibly with labels it
    /// added, such as `service_name`), shared by the stream's lines.
    pub labels: Arc<Labels>,
    /// Structured metadata (possibly with keys Loki added, such as
    /// `detected_level`).
    pub metadata: Labels,
    /// Labels the query's parsers extracted.
    pub parsed: Labels,
    pub text: RawText,
}

/// Reads a selector forward over `[start, end)`, a page at a time.
#[derive(Debug)]
pub struct ForwardReader {
    client: LokiClient,
    query: String,
    end_ns: i64,
    limit: u32,
    cursor: Cursor,
    done: bool,
    skipped: u64,
}

impl ForwardReader {
    /// `limit` lines per page (at most Loki's 5000).
    pub fn new(client: LokiClient, query: impl Into<String>, start_ns: i64, end_ns: i64, limit: u32) -> Self {
        let cursor = Cursor::at(start_ns);
        ForwardReader { client, query: query.into(), end_ns, limit, cursor, done: false, skipped: 0 }
    }

    /// The next page, oldest first, never empty; `None` once the span is
    /// read. On an error the reader stays where it was: call again to retry.
    /// (See [`forward_page`] for what a hostile stream cannot do to it.)
    pub async fn next_page(&mut self) -> Result<Option<Vec<RawLine>>, SourceError> {
        if self.done {
            return Ok(None);
        }
        let page = forward_page(&self.client, &self.query, &mut self.cursor, self.end_ns, self.limit).await?;
        self.skipped += page.skipped;
        self.done = !page.more;
        Ok((!page.lines.is_empty()).then_some(page.lines))
    }

    /// Where the next page starts (inclusive): where to follow from.
    pub fn position(&self) -> i64 {
        self.cursor.ts
    }

    /// Nanoseconds skipped because more lines shared one than a page holds.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}
