//! Prometheus metadata endpoints: alerts, rules, labels, series, buildinfo
//! and the management endpoints.

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeSet;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use promql_parser::parser::{Expr, VectorSelector};
use serde_json::{Value as Json, json};

use super::params::Params;
use super::prom_api::{bad_data, success};
use super::prom_format::{labels_json, rfc3339_nanos, value_exp};
use super::rules::{ActiveAlert, AlertState, RuleState};
use super::server::{Shared, text};
use super::sim::Sim;
use super::spec::Labels;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/alerts", get(alerts))
        .route("/api/v1/rules", get(rules))
        .route("/api/v1/labels", get(labels).post(labels))
        .route("/api/v1/label/{name}/values", get(label_values))
        .route("/api/v1/series", get(series).post(series))
        .route("/api/v1/status/buildinfo", get(buildinfo))
        .route("/-/ready", get(|| async { text(StatusCode::OK, "Prometheus Server is Ready.\n") }))
        .route("/-/healthy", get(|| async { text(StatusCode::OK, "Prometheus Server is Healthy.\n") }))
}

fn alert_json(a: &ActiveAlert) -> Json {
    json!({
        "labels": labels_json(&a.labels),
        "annotations": labels_json(&a.annotations),
        "state": if a.state == AlertState::Firing { "firing" } else { "pending" },
        "activeAt": rfc3339_nanos(a.active_at),
        "value": value_exp(a.value),
    })
}

async fn alerts(State(st): State<Shared>) -> Response {
    let sim = st.read();
    let list: Vec<Json> = sim.rules.iter().flat_map(|r| r.visible().map(alert_json)).collect();
    success(json!({"alerts": list}))
}

fn rule_json(r: &RuleState) -> Json {
    let last = r.last_eval.map_or_else(|| "0001-01-01T00:00:00Z".to_string(), rfc3339_nanos);
    let mut j = json!({
        "state": r.state(),
        "name": r.rule.name,
        "query": r.rule.expr_text,
        "duration": r.rule.for_secs,
        "keepFiringFor": 0,
        "labels": labels_json(&r.rule.labels),
        "annotations": labels_json(&r.rule.annotations),
        "alerts": r.visible().map(alert_json).collect::<Vec<_>>(),
        "health": if r.last_error.is_some() { "err" } else if r.last_eval.is_some() { "ok" } else { "unknown" },
        "evaluationTime": r.eval_secs,
        "lastEvaluation": last,
        "type": "alerting",
    });
    if let (Some(err), Some(obj)) = (&r.last_error, j.as_object_mut()) {
        obj.insert("lastError".into(), Json::String(err.clone()));
    }
    j
}

async fn rules(State(st): State<Shared>) -> Response {
    let sim = st.read();
    let last = sim.rules.iter().filter_map(|r| r.last_eval).fold(sim.started, f64::max);
    let group = json!({
        "name": sim.scenario.name,
        "file": format!("drills/{}.toml", sim.scenario.name),
        "rules": sim.rules.iter().map(rule_json).collect::<Vec<_>>(),
        "interval": sim.scenario.scrape_interval,
        "limit": 0,
        "evaluationTime": sim.rules.iter().map(|r| r.eval_secs).sum::<f64>(),
        "lastEvaluation": rfc3339_nanos(last),
    });
    success(json!({"groups": [group]}))
}

/// Parses every `match[]` as a series selector.
fn selectors(p: &Params) -> Result<Vec<VectorSelector>, Response> {
    p.all("match[]")
        .into_iter()
        .map(|m| match promql_parser::parser::parse(m) {
            Ok(Expr::VectorSelector(vs)) => Ok(vs),
            Ok(_) => Err(bad_data(&format!("invalid parameter \"match[]\": {m:?} is not a series selector"))),
            Err(e) => Err(bad_data(&format!("invalid parameter \"match[]\": {e}"))),
        })
        .collect()
}

fn matches(vs: &VectorSelector, l: &Labels) -> bool {
    let get = |n: &str| l.get(n).map_or("", String::as_str);
    vs.name.as_deref().is_none_or(|n| get("__name__") == n)
        && vs.matchers.matchers.iter().all(|m| m.is_match(get(&m.name)))
}

/// Label sets of the series selected by `match[]` (all when none given).
fn selected<'a>(sim: &'a Sim, sel: &[VectorSelector]) -> Vec<&'a Labels> {
    sim.store
        .series
        .iter()
        .map(|s| &s.labels)
        .filter(|l| sel.is_empty() || sel.iter().any(|vs| matches(vs, l)))
        .collect()
}

async fn labels(State(st): State<Shared>, p: Params) -> Response {
    let sel = match selectors(&p) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sim = st.read();
    let names: BTreeSet<&String> = selected(&sim, &sel).into_iter().flat_map(|l| l.keys()).collect();
    success(json!(names))
}

async fn label_values(State(st): State<Shared>, Path(name): Path<String>, p: Params) -> Response {
    if !super::scenario::valid_label_name(&name) {
        return bad_data(&format!("invalid label name: {name:?}"));
    }
    let sel = match selectors(&p) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let sim = st.read();
    let values: BTreeSet<&String> = selected(&sim, &sel).into_iter().filter_map(|l| l.get(&name)).collect();
    success(json!(values))
}

async fn series(State(st): State<Shared>, p: Params) -> Response {
    let sel = match selectors(&p) {
        Ok(s) if s.is_empty() => return bad_data("no match[] parameter provided"),
        Ok(s) => s,
        Err(r) => return r,
    };
    let sim = st.read();
    let list: Vec<Json> = selected(&sim, &sel).into_iter().map(labels_json).collect();
    success(json!(list))
}

async fn buildinfo() -> Response {
    success(json!({
        "version": "2.42.0+warroom.drill",
        "revision": env!("CARGO_PKG_VERSION"),
        "branch": "drill",
        "buildUser": "warroom",
        "buildDate": "",
        "goVersion": "none (warroom drill simulator)",
    }))
}
