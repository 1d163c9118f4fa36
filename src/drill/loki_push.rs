//! `POST /loki/api/v1/push` with a JSON body, as Loki's distributor takes
//! it: `Content-Encoding` gzip or deflate, `{"streams":[{"stream":{…},
//! "values":[["<ns>","<line>"(,{metadata})]]}]}`, each stream and entry
//! validated ([`loki_validate`](super::loki_validate)), the valid ones
//! stored even when others are refused (Loki's partial success: the 400
//! lists what was refused), `204 No Content` when everything was taken.
//! Errors are plain text with a trailing newline, as Go's `http.Error`
//! writes them.
//!
//! Not emulated: the protobuf (snappy) body, Loki's default without
//! `Content-Type: application/json` (refused here with a 415 saying so),
//! and the exact wording of JSON syntax errors (Loki's JSON library
//! reports byte offsets and context; here serde_json's message is given).

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::{self, SeqAccess, Visitor};

use super::clock::now_secs;
use super::logs::LogEntry;
use super::loki_levels::add_detected_level;
use super::loki_tenant::PushEvent;
use super::loki_text::labels_string;
use super::loki_validate::{
    grouped, metadata_size, normalize_metadata, parse_labels, validate_entry, validate_labels, with_service_name,
};
use super::server::Shared;
use super::spec::Labels;

/// Largest push body, compressed or not (Loki's gRPC limit is 100 MB; a
/// simulator needs less).
const MAX_BODY: usize = 16 * 1024 * 1024;
/// What Go's zero `time.Time` is in Unix nanoseconds: the timestamp of an
/// entry pushed as `[]`.
const GO_ZERO_TIME_NS: i64 = -6_795_364_578_871_345_152;

fn error(status: StatusCode, msg: &str) -> Response {
    let headers = [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")];
    (status, headers, format!("{msg}\n")).into_response()
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST)
}

#[derive(Deserialize)]
struct PushRequest {
    #[serde(default)]
    streams: Option<Vec<PushStream>>,
}

#[derive(Deserialize)]
struct PushStream {
    #[serde(default)]
    stream: Option<Labels>,
    #[serde(default)]
    values: Option<Vec<PushValue>>,
}

/// `["<ns>", "<line>"]` or `["<ns>", "<line>", {metadata}]`.
struct PushValue {
    ts_ns: i64,
    line: String,
    metadata: Labels,
}

impl<'de> Deserialize<'de> for PushValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PushValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an entry [\"<unix epoch in nanoseconds>\", \"<log line>\"]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PushValue, A::Error> {
                let ts_ns = match seq.next_element::<String>()? {
                    None => GO_ZERO_TIME_NS,
                    Some(s) => s.parse::<i64>().map_err(|e| {
                        let why = match e.kind() {
                            std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                                "value out of range"
                            }
                            _ => "invalid syntax",
                        };
                        de::Error::custom(format!(
                            "error reading entry timestamp: strconv.ParseInt: parsing {s:?}: {why}"
                        ))
                    })?,
                };
                let line = seq.next_element::<String>()?.unwrap_or_default();
                let metadata = seq.next_element::<Labels>()?.unwrap_or_default();
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::custom("error reading entry: array must contains 2 values"));
                }
                Ok(PushValue { ts_ns, line, metadata })
            }
        }
        d.deserialize_seq(V)
    }
}

/// The body, decompressed, within [`MAX_BODY`].
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Response> {
    let too_large = |n: String| {
        error(StatusCode::PAYLOAD_TOO_LARGE, &format!("request body too large: {n} bytes, limit: {MAX_BODY} bytes"))
    };
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).unwrap_or("more than");
    let raw = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| too_large(declared.to_string()))?;
    let encoding = headers.get(header::CONTENT_ENCODING).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let mut out = Vec::new();
    let read = match encoding.as_deref().unwrap_or("") {
        "" | "snappy" => return Ok(raw.to_vec()),
        "gzip" => flate2::read::MultiGzDecoder::new(&raw[..]).take(MAX_BODY as u64 + 1).read_to_end(&mut out),
        "deflate" => flate2::read::DeflateDecoder::new(&raw[..]).take(MAX_BODY as u64 + 1).read_to_end(&mut out),
        other => return Err(error(StatusCode::BAD_REQUEST, &format!("Content-Encoding {other:?} not supported"))),
    };
    match read {
        Ok(n) if n > MAX_BODY => Err(too_large(n.to_string())),
        Ok(_) => Ok(out),
        Err(_) if out.is_empty() && encoding.as_deref() == Some("gzip") => {
            Err(error(StatusCode::BAD_REQUEST, "gzip: invalid header"))
        }
        Err(_) => Err(error(StatusCode::BAD_REQUEST, "unexpected EOF")),
    }
}

/// Go's `mime.ParseMediaType`, as far as Loki looks at it.
fn media_type(headers: &HeaderMap) -> Result<String, Response> {
    let raw = headers.get(header::CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let kind = raw.as_deref().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if kind.is_empty() {
        return Err(error(StatusCode::BAD_REQUEST, "mime: no media type"));
    }
    Ok(kind)
}

/// The handler. See the module documentation.
pub(crate) async fn push(State(st): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let tenant = match st.loki.tenant(&headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let raw = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match media_type(&headers) {
        Ok(kind) if kind == "application/json" => {}
        Ok(kind) => {
            let msg = format!(
                "the warroom drill simulator reads JSON pushes only (Content-Type: application/json), not {kind:?}: Loki's protobuf push is not emulated"
            );
            return error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &msg);
        }
        Err(r) => return r,
    }
    let req: PushRequest = match serde_json::from_slice(&raw) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let streams = req.streams.unwrap_or_default();
    if streams.is_empty() {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "error at least one valid stream is required for ingestion");
    }
    let now_ns = (now_secs() * 1e9) as i64;
    let (valid, errors) = validate(&st, streams, now_ns);
    let invalid = (!errors.is_empty()).then(|| grouped(&errors));
    if valid.is_empty() {
        return match invalid {
            Some(msg) => error(StatusCode::BAD_REQUEST, &msg),
            None => StatusCode::NO_CONTENT.into_response(),
        };
    }
    if let Err((code, msg)) = ingest(&st, &tenant, valid, now_ns) {
        return error(status(code), &msg);
    }
    match invalid {
        Some(msg) => error(StatusCode::BAD_REQUEST, &msg),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

type Valid = Vec<(Labels, Vec<LogEntry>)>;

/// The distributor's checks: the streams and entries that pass, and the
/// messages of those that do not. Streams without entries are skipped.
fn validate(st: &Shared, streams: Vec<PushStream>, now_ns: i64) -> (Valid, Vec<String>) {
    let limits = &st.loki.limits;
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    for s in streams {
        let values = s.values.unwrap_or_default();
        if values.is_empty() {
            continue;
        }
        let labels = match parse_labels(&s.stream.unwrap_or_default()) {
            Ok(l) if limits.discover_service_name => with_service_name(l),
            Ok(l) => l,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Err(e) = validate_labels(&labels, limits) {
            errors.push(e);
            continue;
        }
        let name = labels_string(&labels);
        let mut kept = Vec::with_capacity(values.len());
        for v in values {
            if let Err(e) = validate_entry(&name, v.ts_ns, &v.line, &v.metadata, now_ns, limits) {
                errors.push(e);
                continue;
            }
            let mut metadata = normalize_metadata(v.metadata);
            if limits.allow_structured_metadata {
                add_detected_level(&labels, &mut metadata, &v.line);
            }
            kept.push(LogEntry { ts_ns: v.ts_ns, line: v.line, metadata });
        }
        if !kept.is_empty() {
            valid.push((labels, kept));
        }
    }
    (valid, errors)
}

/// The rate limit, then the ingester's append; the stored entries go to
/// the live tailers. The first refusal of the ingester is the answer.
fn ingest(st: &Shared, tenant: &str, valid: Valid, now_ns: i64) -> Result<(), (u16, String)> {
    let lines: usize = valid.iter().map(|(_, e)| e.len()).sum();
    let bytes: usize =
        valid.iter().flat_map(|(_, e)| e.iter().map(|e| e.line.len() + metadata_size(&e.metadata))).sum();
    let mut store = st.loki.write();
    store.tenant_mut(tenant, now_ns)?;
    if !store.allow(tenant, bytes, now_ns) {
        return Err((
            429,
            format!(
                "Ingestion rate limit exceeded for user {tenant} (limit: {} bytes/sec) while attempting to ingest '{lines}' lines totaling '{bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased",
                store.rate() as u64
            ),
        ));
    }
    let mut refusal = None;
    let mut stored = Vec::new();
    for (labels, entries) in valid {
        let logs = store.tenant_mut(tenant, now_ns)?;
        let (sent, refused) = logs.append(tenant, &labels, entries);
        if !sent.is_empty() {
            stored.push((labels, sent));
        }
        refusal = refusal.or(refused);
    }
    store.enforce_cap(tenant);
    if !stored.is_empty() {
        // Sent under the lock: a tailer that subscribed while holding the
        // read lock misses nothing and sees nothing twice.
        let _ = st.loki.events.send(Arc::new(PushEvent { tenant: tenant.to_string(), streams: stored }));
    }
    refusal.map_or(Ok(()), Err)
}
