//! Prometheus HTTP API v1: queries (instant and range) with Prometheus'
//! response and error envelopes. Metadata endpoints are in `prom_meta.rs`.

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value as Json, json};

use super::clock::now_secs;
use super::params::Params;
use super::prom_format::{labels_json, parse_duration, parse_time, point, ts_json};
use super::promql::{EvalError, Evaluator, Value, parse_checked};
use super::server::{Shared, json as json_response};
use super::spec::Labels;

/// Prometheus' limit on points per series in a range query.
const MAX_POINTS: f64 = 11_000.0;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/query", get(query).post(query))
        .route("/api/v1/query_range", get(query_range).post(query_range))
        .merge(super::prom_meta::routes())
}

/// `{"status":"error","errorType":…,"error":…}` with the matching status.
pub(crate) fn api_error(status: StatusCode, kind: &str, msg: &str) -> Response {
    json_response(status, &json!({"status": "error", "errorType": kind, "error": msg}))
}

pub(crate) fn bad_data(msg: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, "bad_data", msg)
}

pub(crate) fn success(data: Json) -> Response {
    json_response(StatusCode::OK, &json!({"status": "success", "data": data}))
}

fn eval_error(e: EvalError, parse_stage: bool) -> Response {
    match e {
        EvalError::BadData(m) if parse_stage => bad_data(&format!("invalid parameter \"query\": {m}")),
        EvalError::BadData(m) => bad_data(&m),
        EvalError::Execution(m) => api_error(StatusCode::UNPROCESSABLE_ENTITY, "execution", &m),
    }
}

/// Reads a time parameter; absent → `default`.
pub(crate) fn time_param(p: &Params, name: &str, default: Option<f64>) -> Result<f64, Response> {
    match p.get(name) {
        Some(s) => parse_time(s).ok_or_else(|| {
            bad_data(&format!("invalid parameter \"{name}\": cannot parse \"{s}\" to a valid timestamp"))
        }),
        None => default
            .ok_or_else(|| bad_data(&format!("invalid parameter \"{name}\": cannot parse \"\" to a valid timestamp"))),
    }
}

fn check_unique(v: &Value) -> Result<(), EvalError> {
    if let Value::Vector(samples) = v {
        let mut seen = std::collections::HashSet::new();
        if !samples.iter().all(|s| seen.insert(&s.labels)) {
            return Err(EvalError::Execution("vector cannot contain metrics with the same labelset".into()));
        }
    }
    Ok(())
}

fn value_json(v: Value, ts: i64) -> Json {
    match v {
        Value::Scalar(x) => json!({"resultType": "scalar", "result": point(ts, x)}),
        Value::Str(s) => json!({"resultType": "string", "result": [ts_json(ts), s]}),
        Value::Vector(samples) => {
            json!({"resultType": "vector", "result": samples.into_iter().map(|s| json!({
            "metric": labels_json(&s.labels), "value": point(ts, s.value)
        })).collect::<Vec<_>>()})
        }
        Value::Matrix(series) => {
            json!({"resultType": "matrix", "result": series.into_iter().map(|s| json!({
            "metric": labels_json(&s.labels),
            "values": s.points.iter().map(|&(t, v)| point(t, v)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>()})
        }
    }
}

async fn query(State(st): State<Shared>, p: Params) -> Response {
    let expr = match parse_checked(p.get("query").unwrap_or("")) {
        Ok(e) => e,
        Err(e) => return eval_error(e, true),
    };
    let ts = match time_param(&p, "time", Some(now_secs())) {
        Ok(t) => (t * 1000.0).round() as i64,
        Err(r) => return r,
    };
    let sim = st.read();
    // Ranges and offsets in scenario time, as the rules see them: the
    // graph of an alert's expression agrees with its firing.
    let ev = Evaluator { store: &sim.store, ts, start: ts, end: ts, range_scale: 1.0 / sim.clock.speed };
    match ev.eval(&expr).and_then(|v| check_unique(&v).map(|()| v)) {
        Ok(v) => success(value_json(v, ts)),
        Err(e) => eval_error(e, false),
    }
}

async fn query_range(State(st): State<Shared>, p: Params) -> Response {
    let (start, end) = match (time_param(&p, "start", None), time_param(&p, "end", None)) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if end < start {
        return bad_data("invalid parameter \"end\": end timestamp must not be before start time");
    }
    let step = match p.get("step").map(|s| (s, parse_duration(s))) {
        Some((_, Some(d))) => d,
        Some((s, None)) => {
            return bad_data(&format!("invalid parameter \"step\": cannot parse \"{s}\" to a valid duration"));
        }
        None => {
            return bad_data("invalid parameter \"step\": cannot parse \"\" to a valid duration");
        }
    };
    if step <= 0.0 {
        return bad_data(
            "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer",
        );
    }
    if (end - start) / step > MAX_POINTS {
        return bad_data(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        );
    }
    let expr = match parse_checked(p.get("query").unwrap_or("")) {
        Ok(e) => e,
        Err(e) => return eval_error(e, true),
    };
    let (start_ms, end_ms, step_ms) =
        ((start * 1000.0).round() as i64, (end * 1000.0).round() as i64, ((step * 1000.0).round() as i64).max(1));
    let sim = st.read();
    let mut out: BTreeMap<Labels, Vec<(i64, f64)>> = BTreeMap::new();
    let mut ts = start_ms;
    while ts <= end_ms {
        let ev = Evaluator { store: &sim.store, ts, start: start_ms, end: end_ms, range_scale: 1.0 / sim.clock.speed };
        match ev.eval(&expr).and_then(|v| check_unique(&v).map(|()| v)) {
            Ok(Value::Scalar(v)) => out.entry(Labels::new()).or_default().push((ts, v)),
            Ok(Value::Vector(samples)) => {
                for s in samples {
                    out.entry(s.labels).or_default().push((ts, s.value));
                }
            }
            Ok(Value::Matrix(_)) => {
                return bad_data(
                    "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector",
                );
            }
            Ok(Value::Str(_)) => {
                return bad_data(
                    "invalid expression type \"string\" for range query, must be Scalar or instant Vector",
                );
            }
            Err(e) => return eval_error(e, false),
        }
        ts += step_ms;
    }
    let result: Vec<Json> = out
        .into_iter()
        .map(|(l, pts)| json!({"metric": labels_json(&l), "values": pts.iter().map(|&(t, v)| point(t, v)).collect::<Vec<_>>()}))
        .collect();
    success(json!({"resultType": "matrix", "result": result}))
}
