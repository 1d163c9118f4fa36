//! Loki HTTP API: `query_range`, `query`, `labels`, `label/<name>/values`,
//! `series`, `ready` (the `tail` websocket is in `loki_tail.rs`). Errors are
//! plain text, as Loki writes them.

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value as Json, json};

use super::clock::now_secs;
use super::logql::{LogQuery, parse};
use super::loki_eval::{eval_metric, select_logs};
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

fn envelope(result_type: &str, result: Vec<Json>, lines: usize, bytes: usize, began: std::time::Instant) -> Response {
    let returned = result.len();
    let st = stats(lines, bytes, returned, began.elapsed().as_secs_f64());
    json_response(
        StatusCode::OK,
        &json!({"status": "success", "data": {"resultType": result_type, "result": result, "stats": st}}),
    )
}

fn parsed(p: &Params) -> Result<LogQuery, Response> {
    parse(p.get("query").unwrap_or("")).map_err(|e| bad(&e))
}

async fn query_range(State(st): State<Shared>, p: Params) -> Response {
    let began = std::time::Instant::now();
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
    match q {
        LogQuery::Log(sel) => {
            let (streams, scanned) = select_logs(&sim.logs, &sel, start, end, limit, backward);
            let bytes = streams.iter().flat_map(|(_, v)| v.iter().map(|(_, l)| l.len())).sum();
            let result = streams.into_iter().map(|(l, v)| json!({"stream": labels_json(&l), "values": v.into_iter().map(|(ts, line)| json!([ts.to_string(), line])).collect::<Vec<_>>()})).collect();
            envelope("streams", result, scanned, bytes, began)
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
                for (l, v) in eval_metric(&sim.logs, &m, ts) {
                    series.entry(l).or_default().push(point(ts / 1_000_000, v));
                }
                ts += step_ns.max(1);
            }
            let result = series.into_iter().map(|(l, v)| json!({"metric": labels_json(&l), "values": v})).collect();
            envelope("matrix", result, 0, 0, began)
        }
    }
}

async fn query(State(st): State<Shared>, p: Params) -> Response {
    let began = std::time::Instant::now();
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
    let result = eval_metric(&sim.logs, &m, ts)
        .into_iter()
        .map(|(l, v)| json!({"metric": labels_json(&l), "value": point(ts / 1_000_000, v)}))
        .collect();
    envelope("vector", result, 0, 0, began)
}

async fn labels(State(st): State<Shared>) -> Response {
    let sim = st.read();
    let names: BTreeSet<&String> = sim.logs.streams.iter().flat_map(|s| s.labels.keys()).collect();
    json_response(StatusCode::OK, &json!({"status": "success", "data": names}))
}

async fn label_values(State(st): State<Shared>, Path(name): Path<String>) -> Response {
    let sim = st.read();
    let values: BTreeSet<&String> = sim.logs.streams.iter().filter_map(|s| s.labels.get(&name)).collect();
    json_response(StatusCode::OK, &json!({"status": "success", "data": values}))
}

async fn series(State(st): State<Shared>, p: Params) -> Response {
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
    let sim = st.read();
    let data: Vec<Json> = sim
        .logs
        .streams
        .iter()
        .filter(|s| sels.iter().any(|sel| sel.matches_stream(&s.labels)))
        .map(|s| labels_json(&s.labels))
        .collect();
    json_response(StatusCode::OK, &json!({"status": "success", "data": data}))
}
