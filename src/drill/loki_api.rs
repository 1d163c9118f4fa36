//! Loki HTTP API: `query_range`, `query`, `labels`, `label/<name>/values`,
//! `series`, `ready` (the `tail` websocket is in `loki_tail.rs`, `push` in
//! `loki_push.rs`). Errors are plain text, as Loki writes them. Every query
//! reads the generated streams and the pushed streams of the request's
//! tenant; `X-Loki-Response-Encoding-Flags: categorize-labels` gives
//! structured metadata and extracted labels as a third element per entry.

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value as Json, json};

use super::clock::now_secs;
use super::logql::{LogQuery, parse};
use super::loki_eval::{LogView, eval_metric, select_logs, streams_json};
use super::params::Params;
use super::prom_format::{labels_json, parse_duration, point};
use super::server::{Shared, json as json_response, text};
use super::spec::Labels;

const MAX_ENTRIES: usize = 5000;
const MAX_POINTS: i64 = 11_000;
const HOUR_NS: i64 = 3600 * 1_000_000_000;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/loki/api/v1/query_range", get(query_range).post(query_range))
        .route("/loki/api/v1/query", get(query).post(query))
        .route("/loki/api/v1/labels", get(labels))
        .route("/loki/api/v1/label/{name}/values", get(label_values))
        .route("/loki/api/v1/series", get(series).post(series))
        .route("/loki/api/v1/tail", get(super::loki_tail::tail))
        .route("/loki/api/v1/push", post(super::loki_push::push))
        .route("/ready", get(|| async { text(StatusCode::OK, "ready\n") }))
}

pub(crate) fn bad(msg: &str) -> Response {
    text(StatusCode::BAD_REQUEST, msg)
}

/// Integer of ≤ 10 digits = seconds, longer = nanoseconds; floats are
/// seconds; otherwise RFC 3339.
pub(crate) fn loki_time(s: &str) -> Option<i64> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        let v: i64 = s.parse().ok()?;
        return Some(if s.len() <= 10 { v.checked_mul(1_000_000_000)? } else { v });
    }
    if let Ok(f) = s.parse::<f64>() {
        return f.is_finite().then_some((f * 1e9) as i64);
    }
    chrono::DateTime::parse_from_rfc3339(s).ok()?.timestamp_nanos_opt()
}

pub(crate) fn time_param(p: &Params, name: &str, default: i64) -> Result<i64, Response> {
    match p.get(name) {
        None => Ok(default),
        Some(s) => loki_time(s).ok_or_else(|| bad(&format!("invalid {name}: cannot parse {s:?} as a timestamp"))),
    }
}

pub(crate) fn limit_param(p: &Params) -> Result<usize, Response> {
    let limit = match p.get("limit") {
        None => 100,
        Some(s) => s.parse::<usize>().map_err(|_| bad(&format!("invalid limit: {s:?}")))?,
    };
    if limit > MAX_ENTRIES {
        return Err(bad(&format!(
            "max entries limit per query exceeded, limit > max_entries_limit ({limit} > {MAX_ENTRIES})"
        )));
    }
    Ok(limit)
}

fn stats(lines: usize, bytes: usize, returned: usize, secs: f64) -> Json {
    let mut s: Json = serde_json::from_str(include_str!("loki_stats.json")).unwrap_or_else(|_| json!({}));
    if let Some(sum) = s.get_mut("summary").and_then(Json::as_object_mut) {
        sum.insert("totalLinesProcessed".into(), json!(lines));
        sum.insert("totalBytesProcessed".into(), json!(bytes));
        sum.insert("totalEntriesReturned".into(), json!(returned));
        sum.insert("totalPostFilterLines".into(), json!(returned));
        sum.insert("execTime".into(), json!(secs));
    }
    s
}

/// Whether the request asks for `categorize-labels` (the header holds a
/// comma-separated list of flags).
pub(crate) fn categorize(headers: &HeaderMap) -> bool {
    headers
        .get_all("x-loki-response-encoding-flags")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|f| f.trim() == "categorize-labels")
}

struct Answer {
    result_type: &'static str,
    result: Vec<Json>,
    returned: usize,
    lines: usize,
    bytes: usize,
    categorized: bool,
}

fn envelope(a: Answer, began: std::time::Instant) -> Response {
    let st = stats(a.lines, a.bytes, a.returned, began.elapsed().as_secs_f64());
    let mut data = json!({"resultType": a.result_type, "result": a.result, "stats": st});
    if a.categorized {
        data["encodingFlags"] = json!(["categorize-labels"]);
    }
    json_response(StatusCode::OK, &json!({"status": "success", "data": data}))
}

fn parsed(p: &Params) -> Result<LogQuery, Response> {
    parse(p.get("query").unwrap_or("")).map_err(|e| bad(&e))
}

async fn query_range(State(st): State<Shared>, headers: HeaderMap, p: Params) -> Response {
    let began = std::time::Instant::now();
    let tenant = match st.loki.tenant(&headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let now = (now_secs() * 1e9) as i64;
    let (q, end, limit) = match (parsed(&p), time_param(&p, "end", now), limit_param(&p)) {
        (Ok(q), Ok(e), Ok(l)) => (q, e, l),
        (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return r,
    };
    let start = match time_param(&p, "start", end - HOUR_NS) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if end < start {
        return bad("end timestamp must not be before or equal to start time");
    }
    let backward = match p.get("direction").map(str::to_ascii_lowercase).as_deref() {
        None | Some("backward") => true,
        Some("forward") => false,
        Some(other) => return bad(&format!("invalid direction {other:?}")),
    };
    let sim = st.read();
    let pushed = st.loki.read();
    let view = LogView { generated: &sim.logs.streams, pushed: pushed.tenant(&tenant) };
    match q {
        LogQuery::Log(sel) => {
            let (hits, scanned) = select_logs(view, &sel, start, end, limit, backward);
            let bytes = hits.iter().map(|h| h.line.len()).sum();
            let categorized = categorize(&headers);
            let result = streams_json(&hits, categorized);
            let a = Answer { result_type: "streams", result, returned: hits.len(), lines: scanned, bytes, categorized };
            envelope(a, began)
        }
        LogQuery::Metric(m) => {
            let default_step = (((end - start) / 1_000_000_000) / 250).max(1) as f64;
            let step = match p.get("step").map(|s| (s, parse_duration(s))) {
                None => default_step,
                Some((_, Some(d))) if d > 0.0 => d,
                Some((s, _)) => return bad(&format!("invalid step: {s:?}")),
            };
            let step_ns = (step * 1e9) as i64;
            if (end - start) / step_ns.max(1) > MAX_POINTS {
                return bad(
                    "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
                );
            }
            let mut series: BTreeMap<Labels, Vec<Json>> = BTreeMap::new();
            let mut ts = start;
            while ts <= end {
                for (l, v) in eval_metric(view, &m, ts) {
                    series.entry(l).or_default().push(point(ts / 1_000_000, v));
                }
                ts += step_ns.max(1);
            }
            let result: Vec<Json> =
                series.into_iter().map(|(l, v)| json!({"metric": labels_json(&l), "values": v})).collect();
            let returned = result.len();
            envelope(Answer { result_type: "matrix", result, returned, lines: 0, bytes: 0, categorized: false }, began)
        }
    }
}

async fn query(State(st): State<Shared>, headers: HeaderMap, p: Params) -> Response {
    let began = std::time::Instant::now();
    let tenant = match st.loki.tenant(&headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let now = (now_secs() * 1e9) as i64;
    let (q, ts) = match (parsed(&p), time_param(&p, "time", now)) {
        (Ok(q), Ok(t)) => (q, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let LogQuery::Metric(m) = q else {
        return bad(
            "log queries are not supported as an instant query type, please change your query to a range query type",
        );
    };
    let sim = st.read();
    let pushed = st.loki.read();
    let view = LogView { generated: &sim.logs.streams, pushed: pushed.tenant(&tenant) };
    let result: Vec<Json> = eval_metric(view, &m, ts)
        .into_iter()
        .map(|(l, v)| json!({"metric": labels_json(&l), "value": point(ts / 1_000_000, v)}))
        .collect();
    let returned = result.len();
    envelope(Answer { result_type: "vector", result, returned, lines: 0, bytes: 0, categorized: false }, began)
}

/// The label sets of the streams the request's tenant sees: every generated
/// stream (as before pushes existed), and the pushed streams with an entry
/// in the window (`start`, `end`; the last 6 hours by default, as Loki's).
fn stream_labels(st: &Shared, headers: &HeaderMap, p: &Params) -> Result<Vec<Labels>, Response> {
    let tenant = st.loki.tenant(headers)?;
    let now = (now_secs() * 1e9) as i64;
    let end = time_param(p, "end", now)?;
    let start = time_param(p, "start", end - 6 * HOUR_NS)?;
    let sim = st.read();
    let pushed = st.loki.read();
    let mut out: Vec<Labels> = sim.logs.streams.iter().map(|s| s.labels.clone()).collect();
    if let Some(t) = pushed.tenant(&tenant) {
        let in_window = |s: &&super::loki_store::PushedStream| {
            let e = &s.stream.entries;
            let lo = e.partition_point(|x| x.ts_ns < start);
            e.get(lo).is_some_and(|x| x.ts_ns <= end)
        };
        out.extend(t.streams.values().filter(in_window).map(|s| s.stream.labels.clone()));
    }
    Ok(out)
}

async fn labels(State(st): State<Shared>, headers: HeaderMap, p: Params) -> Response {
    let streams = match stream_labels(&st, &headers, &p) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let names: BTreeSet<&String> = streams.iter().flat_map(|s| s.keys()).collect();
    json_response(StatusCode::OK, &json!({"status": "success", "data": names}))
}

async fn label_values(State(st): State<Shared>, headers: HeaderMap, Path(name): Path<String>, p: Params) -> Response {
    let streams = match stream_labels(&st, &headers, &p) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let values: BTreeSet<&String> = streams.iter().filter_map(|s| s.get(&name)).collect();
    json_response(StatusCode::OK, &json!({"status": "success", "data": values}))
}

async fn series(State(st): State<Shared>, headers: HeaderMap, p: Params) -> Response {
    let mut sels = Vec::new();
    for m in p.all("match[]") {
        match parse(m) {
            Ok(LogQuery::Log(sel)) => sels.push(sel),
            Ok(LogQuery::Metric(_)) => {
                return bad(&format!("invalid match[] {m:?}: not a stream selector"));
            }
            Err(e) => return bad(&e),
        }
    }
    if sels.is_empty() {
        return bad("at least one match[] argument is required");
    }
    let streams = match stream_labels(&st, &headers, &p) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let data: Vec<Json> =
        streams.iter().filter(|l| sels.iter().any(|sel| sel.matches_stream(l))).map(labels_json).collect();
    json_response(StatusCode::OK, &json!({"status": "success", "data": data}))
}
