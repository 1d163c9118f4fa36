//! Writing to Loki: `POST /loki/api/v1/push` with a gzip'd JSON body, over
//! the shared HTTP layer (its timeout, auth, tenant header, TLS, body cap
//! and redaction of echoed secrets).
//!
//! The answer is classified by what the caller should do next
//! ([`PushError`]): a 400 is about the content and will not change by
//! sending it again; a 429, a 5xx or no answer at all will pass later.
//! Resending after an unclear failure (a timeout after Loki stored the
//! lines) is safe: Loki stores an entry with the same stream, timestamp and
//! line once.

use std::io::Write;
use std::time::Duration;

use reqwest::header::{CONTENT_ENCODING, CONTENT_TYPE, HeaderName};
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use super::{LokiClient, is_label_name};
use crate::model::Labels;
use crate::model::source_error::suffix;
use crate::sources::SourceError;

/// Largest uncompressed body one push sends. Loki's default ingestion
/// burst is 6 MiB (a larger push is always refused with a 429); batches of
/// a war room's records are far below.
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;
/// Longest `Retry-After` honoured: a server's answer is untrusted.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// Longest error text kept from Loki's answer (Loki's 400s name the stream
/// and the entries refused; more is noise).
const MAX_MESSAGE_CHARS: usize = 1000;

/// One entry to push: a nanosecond timestamp, the line, and structured
/// metadata (Loki 3; an empty map sends none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushEntry {
    pub ts_ns: i64,
    pub line: String,
    pub metadata: Labels,
}

/// Entries of one stream. Keep `labels` few and fixed: every distinct set
/// is a stream in Loki's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushStream {
    pub labels: Labels,
    pub entries: Vec<PushEntry>,
}

/// Why a push failed, by what to do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PushError {
    /// Loki refused the content (400; also 413, 415, 422): too old, too
    /// long, bad labels, out of order… with Loki's own message. Sending it
    /// again gets the same answer. Loki may have stored the request's other
    /// entries (it takes what is valid and lists what is not).
    #[error("rejected by Loki ({status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("401 unauthorized{}", suffix(.0))]
    Unauthorized(String),
    #[error("403 forbidden{}", suffix(.0))]
    Forbidden(String),
    /// 429: the tenant's ingestion rate (or stream) limit. Nothing was
    /// stored; send again after `retry_after` when the server gave one.
    #[error("429 rate limited{}{}", .retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default(), suffix(.message))]
    RateLimited { retry_after: Option<Duration>, message: String },
    /// 5xx: Loki or a proxy in front of it failed; send again later.
    #[error("Loki error {status}{}", suffix(.message))]
    Server { status: u16, message: String },
    /// Any other status (a 404 from a wrong URL, a 405…).
    #[error("HTTP {status}{}", suffix(.message))]
    Unexpected { status: u16, message: String },
    /// No answer: refused, timed out, TLS, a reset. Loki may or may not
    /// have stored the lines: sending again is safe.
    #[error("Loki unreachable: {0}")]
    Unreachable(SourceError),
    /// Not sent: Loki would refuse the request as built (a label name it
    /// does not accept, no labels, a body over [`MAX_PUSH_BYTES`]).
    #[error("not sent: {0}")]
    Invalid(String),
}

impl PushError {
    /// Whether sending the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Server { .. } | Self::Unreachable(_) => true,
            Self::Unexpected { status, .. } => *status == 408,
            Self::Rejected { .. } | Self::Unauthorized(_) | Self::Forbidden(_) | Self::Invalid(_) => false,
        }
    }

    /// The server's `Retry-After`, for a 429 or a 503 that gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A few words for the status bar (`share: 401 unauthorized`).
    pub fn short(&self) -> String {
        crate::text::truncate_width(&self.to_string(), 60)
    }
}

/// `[ "<ns>", "<line>" ]`, or with metadata `[ "<ns>", "<line>", {…} ]`.
struct Value<'a>(&'a PushEntry);

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut seq = s.serialize_seq(Some(if e.metadata.is_empty() { 2 } else { 3 }))?;
        seq.serialize_element(&e.ts_ns.to_string())?;
        seq.serialize_element(&e.line)?;
        if !e.metadata.is_empty() {
            seq.serialize_element(&e.metadata)?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct WireStream<'a> {
    stream: &'a Labels,
    #[serde(serialize_with = "values")]
    values: &'a [PushEntry],
}

fn values<S: Serializer>(entries: &&[PushEntry], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(entries.iter().map(Value))
}

#[derive(Serialize)]
struct WireBody<'a> {
    streams: Vec<WireStream<'a>>,
}

/// The JSON body of a push (Loki's "Ingest logs" format), uncompressed.
/// Every string is JSON-escaped by serde_json, whatever it holds.
pub fn encode(streams: &[PushStream]) -> Vec<u8> {
    let body =
        WireBody { streams: streams.iter().map(|s| WireStream { stream: &s.labels, values: &s.entries }).collect() };
    // Serializing maps of strings and strings cannot fail.
    serde_json::to_vec(&body).unwrap_or_default()
}

/// `bytes` gzip'd (what `Content-Encoding: gzip` means).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc =
        flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 4 + 64), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// What Loki would refuse before anything is sent. (Structured metadata
/// names are not checked: Loki normalizes them, `host.name` to
/// `host_name`.)
fn check(streams: &[PushStream]) -> Result<(), PushError> {
    for s in streams {
        if s.labels.values().all(String::is_empty) {
            return Err(PushError::Invalid("a stream needs at least one label with a value".into()));
        }
        if let Some(bad) = s.labels.keys().find(|k| !is_label_name(k)) {
            return Err(PushError::Invalid(format!("invalid label name {:?}", crate::text::clean_truncated(bad, 60))));
        }
    }
    Ok(())
}

/// `Retry-After` as delta-seconds or an HTTP date, capped.
pub(crate) fn parse_retry_after(v: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = v.trim();
    let d = match v.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
            (at.with_timezone(&chrono::Utc) - now).to_std().unwrap_or(Duration::ZERO)
        }
    };
    Some(d.min(MAX_RETRY_AFTER))
}

fn classify(status: u16, message: String, retry_after: Option<Duration>) -> Result<(), PushError> {
    match status {
        200..=299 => Ok(()),
        400 | 413 | 415 | 422 => Err(PushError::Rejected { status, message }),
        401 => Err(PushError::Unauthorized(message)),
        403 => Err(PushError::Forbidden(message)),
        429 => Err(PushError::RateLimited { retry_after, message }),
        500..=599 => Err(PushError::Server { status, message }),
        _ => Err(PushError::Unexpected { status, message }),
    }
}

impl LokiClient {
    /// Pushes `streams` as one gzip'd JSON request. `Ok` once Loki answered
    /// 2xx (204 No Content): every entry is stored (or was already).
    pub async fn push(&self, streams: &[PushStream]) -> Result<(), PushError> {
        check(streams)?;
        let json = encode(streams);
        if json.len() > MAX_PUSH_BYTES {
            return Err(PushError::Invalid(format!(
                "{} KiB in one push, more than the {} KiB cap: send fewer entries at a time",
                json.len() / 1024,
                MAX_PUSH_BYTES / 1024
            )));
        }
        let headers: [(HeaderName, &str); 2] = [(CONTENT_TYPE, "application/json"), (CONTENT_ENCODING, "gzip")];
        let reply =
            self.http().post_bytes("/loki/api/v1/push", &headers, gzip(&json)).await.map_err(PushError::Unreachable)?;
        let message = reply.body.error_text_width(MAX_MESSAGE_CHARS);
        let retry_after = reply.retry_after.as_deref().and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        classify(reply.body.status, message, retry_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn the_body_is_lokis_json_with_metadata_only_when_there_is_some() {
        let s = PushStream {
            labels: Labels::from([pair("app", "warroom"), pair("incident", "i1")]),
            entries: vec![
                PushEntry { ts_ns: 1, line: "{\"v\":2}".into(), metadata: Labels::new() },
                PushEntry { ts_ns: 2, line: "b\u{1b}[31m\"".into(), metadata: Labels::from([pair("author", "alice")]) },
            ],
        };
        let body: serde_json::Value = serde_json::from_slice(&encode(&[s])).expect("json");
        let expected = serde_json::json!({"streams": [{"stream": {"app": "warroom", "incident": "i1"},
            "values": [["1", "{\"v\":2}"], ["2", "b\u{1b}[31m\"", {"author": "alice"}]]}]});
        assert_eq!(body, expected);
    }

    #[test]
    fn gzip_round_trips() {
        use std::io::Read;
        let data = b"{\"streams\":[]}".repeat(100);
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gzip(&data)[..]).read_to_end(&mut out).expect("gunzip");
        assert_eq!(out, data);
    }

    #[test]
    fn answers_are_classified_by_what_to_do() {
        assert_eq!(classify(204, String::new(), None), Ok(()));
        let r = classify(400, "entry too far behind".into(), None).unwrap_err();
        assert!(!r.is_retryable());
        assert_eq!(r.to_string(), "rejected by Loki (400): entry too far behind");
        let r = classify(429, "Ingestion rate limit exceeded".into(), Some(Duration::from_secs(7))).unwrap_err();
        assert!(r.is_retryable() && r.retry_after() == Some(Duration::from_secs(7)));
        assert_eq!(r.to_string(), "429 rate limited (retry after 7s): Ingestion rate limit exceeded");
        assert!(classify(503, String::new(), None).unwrap_err().is_retryable());
        assert!(matches!(classify(401, "no org id".into(), None), Err(PushError::Unauthorized(m)) if m == "no org id"));
        assert!(matches!(classify(403, String::new(), None), Err(PushError::Forbidden(_))));
        assert!(!classify(404, String::new(), None).unwrap_err().is_retryable());
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date_and_capped() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-01T20:00:00Z").expect("t").with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("12", now), Some(Duration::from_secs(12)));
        assert_eq!(parse_retry_after("Tue, 01 Dec 2026 20:00:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Tue, 01 Dec 2026 19:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn requests_loki_would_refuse_are_not_sent() {
        let bad = PushStream { labels: Labels::from([pair("bad-name", "x")]), entries: vec![] };
        assert!(matches!(check(&[bad]), Err(PushError::Invalid(m)) if m.contains("bad-name")));
        let empty = PushStream { labels: Labels::from([pair("app", "")]), entries: vec![] };
        assert!(matches!(check(&[empty]), Err(PushError::Invalid(_))));
    }
}
