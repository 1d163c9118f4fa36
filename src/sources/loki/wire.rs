//! Loki's JSON as it arrives, and its conversion into [`LogLine`]s that are
//! safe to draw: every line is cleaned by `text` (escape sequences and
//! controls removed, invalid UTF-8 replaced) and cut when very long, here in
//! the client task, so the UI thread never pays for it.

use std::sync::Arc;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::follow_line::metric_query;
use super::raw::{RawLine, RawText};
use super::{Entry, LogLine, QueryResult, Stream};
use crate::model::Labels;
use crate::sources::SourceError;
use crate::sources::http::Body;
use crate::sources::prometheus::{Envelope, numeric_result};

pub use crate::model::logs::MAX_LINE_BYTES;

/// Reads bytes as JSON; bytes that are not UTF-8 are read again lossily, so
/// one bad byte in a log line does not lose the whole answer.
pub(crate) fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(e) if std::str::from_utf8(bytes).is_err() => {
            serde_json::from_str(&String::from_utf8_lossy(bytes)).map_err(|_| e)
        }
        Err(e) => Err(e),
    }
}

fn decode_error(e: &serde_json::Error) -> SourceError {
    SourceError::Decode(crate::text::clean(&e.to_string()).into_owned())
}

/// Reads an enveloped answer. Loki's own errors (a LogQL parse error, a 429
/// limit) are plain text: they become `Status` with the cleaned text, which
/// is what the user needs to fix the query.
pub(crate) fn decode<T: DeserializeOwned>(body: &Body) -> Result<Option<T>, SourceError> {
    if !body.is_success() {
        if let Ok(env) = from_bytes::<Envelope<IgnoredAny>>(&body.bytes)
            && env.status == "error"
        {
            return Err(api_error(body, env.error_type, env.error));
        }
        return Err(SourceError::Status { status: body.status, message: body.error_text() });
    }
    match from_bytes::<Envelope<T>>(&body.bytes) {
        Ok(env) if env.status == "success" => Ok(env.data),
        Ok(env) => Err(api_error(body, env.error_type, env.error)),
        Err(_) if !body.is_json() && !body.content_type.is_empty() => {
            Err(SourceError::ContentType(body.content_type.clone()))
        }
        Err(e) => Err(decode_error(&e)),
    }
}

/// Reads an answer that has no envelope (`/index/stats`).
pub(crate) fn decode_bare<T: DeserializeOwned>(body: &Body) -> Result<T, SourceError> {
    if !body.is_success() {
        return Err(SourceError::Status { status: body.status, message: body.error_text() });
    }
    from_bytes(&body.bytes).map_err(|e| decode_error(&e))
}

fn api_error(body: &Body, kind: Option<String>, message: Option<String>) -> SourceError {
    SourceError::Api {
        status: body.status,
        kind: body.clean(kind.as_deref().unwrap_or("error")),
        message: body.clean(message.as_deref().unwrap_or_default()),
    }
}

/// `data` of `query` and `query_range`.
#[derive(Deserialize)]
pub(crate) struct QueryData {
    #[serde(rename = "resultType")]
    result_type: String,
    #[serde(default)]
    result: serde_json::Value,
}

#[derive(Deserialize)]
pub(crate) struct WireStream {
    #[serde(default)]
    stream: Labels,
    #[serde(default)]
    values: Vec<WireEntry>,
}

/// `[ "<ns>", "<line>" ]`, or with `categorize-labels` a third element
/// `{structuredMetadata, parsed}`.
#[derive(Deserialize)]
struct WireEntry(String, String, #[serde(default)] Option<Categories>);

#[derive(Deserialize, Default)]
struct Categories {
    #[serde(default, rename = "structuredMetadata")]
    structured_metadata: Option<Labels>,
    #[serde(default)]
    parsed: Option<Labels>,
}

/// One websocket message of `/loki/api/v1/tail`.
#[derive(Deserialize)]
pub(crate) struct TailMessage {
    #[serde(default)]
    streams: Vec<WireStream>,
    #[serde(default)]
    dropped_entries: Option<Vec<WireDropped>>,
}

/// `{timestamp, labels}` of an entry Loki could not send this tailer.
#[derive(Deserialize)]
struct WireDropped {
    #[serde(default)]
    timestamp: Option<String>,
}

/// What one tail message brought: lines (display [`LogLine`]s, or
/// [`RawLine`]s), and how many Loki says it dropped because this client
/// was too slow.
#[derive(Debug, Clone, PartialEq)]
pub struct TailChunk<L = LogLine> {
    pub lines: Vec<L>,
    pub dropped: usize,
    /// The oldest timestamp among the dropped entries: where a reader that
    /// must miss nothing reads again from.
    pub oldest_dropped_ns: Option<i64>,
}

impl<L> Default for TailChunk<L> {
    fn default() -> Self {
        TailChunk { lines: Vec::new(), dropped: 0, oldest_dropped_ns: None }
    }
}

pub(crate) fn parse_query(data: QueryData) -> Result<QueryResult, SourceError> {
    let bad = |e: serde_json::Error| decode_error(&e);
    match data.result_type.as_str() {
        "streams" => {
            let wire: Vec<WireStream> = serde_json::from_value(data.result).map_err(bad)?;
            Ok(QueryResult::Streams(wire.into_iter().map(to_stream).collect::<Result<_, _>>()?))
        }
        other => Ok(QueryResult::Matrix(numeric_result(other, data.result)?)),
    }
}

/// The lines of a `query_range` answer as raw lines, oldest first; a
/// metric answer is an error (raw lines are read with log queries).
pub(crate) fn parse_query_raw(data: QueryData) -> Result<Vec<RawLine>, SourceError> {
    if data.result_type != "streams" {
        return Err(metric_query());
    }
    let wire: Vec<WireStream> = serde_json::from_value(data.result).map_err(|e| decode_error(&e))?;
    raw_lines(wire)
}

/// A tail message: its streams, and a chunk with the dropped entries.
fn tail_message<L>(bytes: &[u8]) -> Result<(Vec<WireStream>, TailChunk<L>), SourceError> {
    let msg: TailMessage = from_bytes(bytes).map_err(|e| decode_error(&e))?;
    let dropped = msg.dropped_entries.unwrap_or_default();
    let oldest = dropped.iter().filter_map(|d| d.timestamp.as_deref().and_then(|t| parse_ns(t).ok())).min();
    Ok((msg.streams, TailChunk { lines: Vec::new(), dropped: dropped.len(), oldest_dropped_ns: oldest }))
}

/// Parses one message of the tail websocket (also what the drill simulator sends).
pub fn parse_tail(bytes: &[u8]) -> Result<TailChunk, SourceError> {
    let (streams, chunk) = tail_message(bytes)?;
    let streams = streams.into_iter().map(to_stream).collect::<Result<Vec<_>, _>>()?;
    Ok(TailChunk { lines: flatten(streams), ..chunk })
}

/// One message of the tail websocket, as raw lines.
pub fn parse_tail_raw(bytes: &[u8]) -> Result<TailChunk<RawLine>, SourceError> {
    let (streams, chunk) = tail_message(bytes)?;
    Ok(TailChunk { lines: raw_lines(streams)?, ..chunk })
}

/// An entry's timestamp, line, structured metadata and parsed labels.
fn parts(WireEntry(ts, line, cats): WireEntry) -> Result<(i64, String, Labels, Labels), SourceError> {
    let cats = cats.unwrap_or_default();
    let metadata = cats.structured_metadata.unwrap_or_default();
    Ok((parse_ns(&ts)?, line, metadata, cats.parsed.unwrap_or_default()))
}

fn to_stream(w: WireStream) -> Result<Stream, SourceError> {
    let entries = w
        .values
        .into_iter()
        .map(|e| {
            let (ts_ns, line, metadata, parsed) = parts(e)?;
            Ok(Entry { ts_ns, line: clean_line(&line), metadata, parsed })
        })
        .collect::<Result<_, SourceError>>()?;
    Ok(Stream { labels: w.stream, entries })
}

/// Every entry of every stream as a raw line, oldest first (stable, so
/// lines of one stream sharing a timestamp keep Loki's order).
fn raw_lines(streams: Vec<WireStream>) -> Result<Vec<RawLine>, SourceError> {
    let mut out = Vec::with_capacity(streams.iter().map(|s| s.values.len()).sum());
    for w in streams {
        let labels = Arc::new(w.stream);
        for e in w.values {
            let (ts_ns, line, metadata, parsed) = parts(e)?;
            out.push(RawLine { ts_ns, labels: labels.clone(), metadata, parsed, text: RawText::new(line) });
        }
    }
    out.sort_by_key(|l| l.ts_ns);
    Ok(out)
}

/// A Loki timestamp: nanoseconds since the epoch, as a decimal string.
pub fn parse_ns(s: &str) -> Result<i64, SourceError> {
    s.trim()
        .parse()
        .map_err(|_| SourceError::Decode(format!("bad timestamp {:?}", crate::text::clean_truncated(s, 40))))
}

/// A log line made safe to draw: cut at [`MAX_LINE_BYTES`] (on a character
/// boundary, before cleaning so a huge line costs nothing more), then cleaned.
pub fn clean_line(raw: &str) -> String {
    if raw.len() <= MAX_LINE_BYTES {
        return crate::text::clean(raw).into_owned();
    }
    let mut cut = MAX_LINE_BYTES;
    while !raw.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = crate::text::clean(&raw[..cut]).into_owned();
    out.push_str(&format!(" … [{} more bytes cut]", raw.len() - cut));
    out
}

/// Every entry of every stream as one line, oldest first. Streams share
/// their labels through an `Arc`, so 10 000 lines of one stream hold one copy.
pub fn flatten(streams: Vec<Stream>) -> Vec<LogLine> {
    let mut out = Vec::with_capacity(streams.iter().map(|s| s.entries.len()).sum());
    for s in streams {
        let labels = Arc::new(s.labels);
        out.extend(s.entries.into_iter().map(|e| LogLine {
            ts_ns: e.ts_ns,
            labels: labels.clone(),
            metadata: e.metadata,
            parsed: e.parsed,
            line: e.line,
        }));
    }
    // Stable: lines of one stream sharing a timestamp keep Loki's order.
    out.sort_by_key(|l| l.ts_ns);
    out
}
