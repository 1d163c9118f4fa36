//! Loki HTTP API client (`/loki/api/v1/*`): labels, log and metric queries,
//! and the live tail, plus [`follow`], the task that feeds the logs pane;
//! pushes ([`push`](LokiClient::push)), and lines as stored for programs
//! that parse them ([`RawLine`], [`ForwardReader`], [`follow_raw`]), which
//! the shared war room builds on.
//!
//! Timestamps are nanoseconds since the epoch as `i64` (what Loki and chrono
//! use; good until 2262). Lines for display come out cleaned (see
//! [`wire::clean_line`]); raw lines only capped; labels stay raw, as
//! everywhere in the model, and are cleaned where drawn or written.

mod cursor;
mod follow;
mod follow_line;
mod follower;
mod page;
mod push;
mod raw;
mod selector;
mod tail;
mod wire;

use serde::Deserialize;

use super::{HttpClient, SourceError};
use crate::model::Labels;
use crate::sources::prometheus::Series;

pub use crate::model::logs::{
    BatchKind, FollowMode, FollowSettings, FollowSpec, LogBatch, LogLine, LogsConfig, QuerySpec, window_start,
};
pub use follow::{follow, follow_raw, now_ns, resolve_selector};
pub use follow_line::FollowLine;
pub use push::{MAX_PUSH_BYTES, PushEntry, PushError, PushStream, encode as encode_push, gzip};
pub use raw::{ForwardReader, MAX_RAW_LINE_BYTES, RawLine, RawText};
pub use selector::{DEFAULT_TEMPLATE, escape, is_label_name, selector_for};
pub use tail::{DELAY_FOR_SECS, ENCODING_FLAGS_HEADER, Tail, TailOptions, tail_url};
pub use wire::{MAX_LINE_BYTES, TailChunk, clean_line, flatten, parse_ns, parse_tail, parse_tail_raw};

/// One log entry of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub ts_ns: i64,
    /// Cleaned for display.
    pub line: String,
    /// Structured metadata (Loki 3, with `categorize-labels`).
    pub metadata: Labels,
    /// Labels extracted by the query's parsers (same condition).
    pub parsed: Labels,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    pub labels: Labels,
    pub entries: Vec<Entry>,
}

/// What a query returned: log lines, or samples for a metric query
/// (`rate({job="api"}[5m])`), which the signals pane can draw.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryResult {
    Streams(Vec<Stream>),
    Matrix(Vec<Series>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    Forward,
    /// Newest first: what the first look at an alert wants within `limit`.
    #[default]
    Backward,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Self::Forward => "forward",
            Self::Backward => "backward",
        }
    }
}

/// A `query_range` request. `start_ns` is inclusive, `end_ns` exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeQuery {
    pub query: String,
    pub start_ns: i64,
    pub end_ns: i64,
    pub limit: u32,
    pub direction: Direction,
}

/// `/loki/api/v1/index/stats`: how much a selector would read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct IndexStats {
    #[serde(default)]
    pub streams: u64,
    #[serde(default)]
    pub chunks: u64,
    #[serde(default)]
    pub entries: u64,
    #[serde(default)]
    pub bytes: u64,
}

#[derive(Debug, Clone)]
pub struct LokiClient {
    http: HttpClient,
    name: String,
}

/// `start`/`end` parameters, when given.
fn window(start_ns: Option<i64>, end_ns: Option<i64>) -> Vec<(&'static str, String)> {
    let mut q = Vec::new();
    if let Some(s) = start_ns {
        q.push(("start", s.to_string()));
    }
    if let Some(e) = end_ns {
        q.push(("end", e.to_string()));
    }
    q
}

impl LokiClient {
    pub fn new(http: HttpClient, name: impl Into<String>) -> Self {
        Self { http, name: name.into() }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// Label names with streams in the window (`data` is absent when none).
    pub async fn labels(&self, start_ns: Option<i64>, end_ns: Option<i64>) -> Result<Vec<String>, SourceError> {
        let body = self.http.get("/loki/api/v1/labels", &window(start_ns, end_ns)).await?;
        Ok(wire::decode(&body)?.unwrap_or_default())
    }

    pub async fn label_values(
        &self,
        label: &str,
        start_ns: Option<i64>,
        end_ns: Option<i64>,
    ) -> Result<Vec<String>, SourceError> {
        if !is_label_name(label) {
            return Err(SourceError::Request(format!("invalid label name {:?}", crate::text::clean(label))));
        }
        let body = self.http.get(&format!("/loki/api/v1/label/{label}/values"), &window(start_ns, end_ns)).await?;
        Ok(wire::decode(&body)?.unwrap_or_default())
    }

    /// Streams matching any of the selectors.
    pub async fn series(
        &self,
        selectors: &[&str],
        start_ns: Option<i64>,
        end_ns: Option<i64>,
    ) -> Result<Vec<Labels>, SourceError> {
        let mut q: Vec<(&str, String)> = selectors.iter().map(|s| ("match[]", s.to_string())).collect();
        q.extend(window(start_ns, end_ns));
        let body = self.http.get("/loki/api/v1/series", &q).await?;
        Ok(wire::decode(&body)?.unwrap_or_default())
    }

    async fn query_range_data(&self, q: &RangeQuery, categorize: bool) -> Result<wire::QueryData, SourceError> {
        let params = [
            ("query", q.query.clone()),
            ("start", q.start_ns.to_string()),
            ("end", q.end_ns.to_string()),
            ("limit", q.limit.to_string()),
            ("direction", q.direction.as_str().to_string()),
        ];
        let flags = [(reqwest::header::HeaderName::from_static(ENCODING_FLAGS_HEADER), "categorize-labels")];
        let headers: &[_] = if categorize { &flags } else { &[] };
        let body = self.http.get_with("/loki/api/v1/query_range", &params, headers).await?;
        wire::decode(&body)?.ok_or_else(|| SourceError::Decode("success without data".into()))
    }

    pub async fn query_range(&self, q: &RangeQuery) -> Result<QueryResult, SourceError> {
        let data = self.query_range_data(q, false).await?;
        let mut result = wire::parse_query(data)?;
        if let (QueryResult::Streams(streams), Direction::Backward) = (&mut result, q.direction) {
            // Oldest first everywhere in warroom.
            streams.iter_mut().for_each(|s| s.entries.reverse());
        }
        Ok(result)
    }

    /// The lines of a log query as stored (see [`RawLine`]), oldest first
    /// whatever the direction. Asks for `categorize-labels`, so stream
    /// labels and structured metadata come apart (a Loki without the flag
    /// folds metadata into the labels: then `metadata` is empty).
    pub async fn query_range_raw(&self, q: &RangeQuery) -> Result<Vec<RawLine>, SourceError> {
        wire::parse_query_raw(self.query_range_data(q, true).await?)
    }

    /// An instant query (metric queries; log queries return streams).
    pub async fn query(&self, query: &str, time_ns: Option<i64>, limit: u32) -> Result<QueryResult, SourceError> {
        let mut params = vec![("query", query.to_string()), ("limit", limit.to_string())];
        if let Some(t) = time_ns {
            params.push(("time", t.to_string()));
        }
        let body = self.http.get("/loki/api/v1/query", &params).await?;
        let data: wire::QueryData =
            wire::decode(&body)?.ok_or_else(|| SourceError::Decode("success without data".into()))?;
        wire::parse_query(data)
    }

    pub async fn index_stats(&self, query: &str, start_ns: i64, end_ns: i64) -> Result<IndexStats, SourceError> {
        let mut params = vec![("query", query.to_string())];
        params.extend(window(Some(start_ns), Some(end_ns)));
        wire::decode_bare(&self.http.get("/loki/api/v1/index/stats", &params).await?)
    }

    /// Loki's canonical spelling of a query; also a cheap syntax check.
    pub async fn format_query(&self, query: &str) -> Result<String, SourceError> {
        let body = self.http.get("/loki/api/v1/format_query", &[("query", query.to_string())]).await?;
        wire::decode(&body)?.ok_or_else(|| SourceError::Decode("success without data".into()))
    }

    /// Opens the live tail from `start_ns`.
    pub async fn tail(&self, query: &str, start_ns: i64, limit: u32) -> Result<Tail, SourceError> {
        Tail::connect(&self.http, query, start_ns, limit).await
    }

    /// Opens the live tail for raw lines ([`Tail::next_raw`]): no
    /// `delay_for` (lines as soon as Loki has them) and `categorize-labels`.
    pub async fn tail_raw(&self, query: &str, start_ns: i64, limit: u32) -> Result<Tail, SourceError> {
        Tail::connect_with(&self.http, query, start_ns, limit, TailOptions { delay_for: 0, categorize: true }).await
    }
}

#[cfg(test)]
mod tests;
