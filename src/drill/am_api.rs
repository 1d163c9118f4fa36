//! Alertmanager API v2 (as 0.25 answers it): alerts with silencing,
//! groups, status and receivers. Silence endpoints are in `am_silence_api.rs`.

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

use super::am_matchers::{AmMatcher, parse_matchers};
use super::clock::now_secs;
use super::params::Params;
use super::prom_format::{labels_json, rfc3339_millis};
use super::server::{Shared, json as json_response};
use super::sim::{AmAlert, Sim};

/// The single receiver of the simulated routing tree.
pub(crate) const RECEIVER: &str = "default";

const CONFIG_YAML: &str = "global:\n  resolve_timeout: 5m\nroute:\n  receiver: default\n  group_by:\n  - alertname\n  continue: false\n  group_wait: 1s\nreceivers:\n- name: default\ntemplates: []\n";

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v2/alerts", get(alerts))
        .route("/api/v2/alerts/groups", get(groups))
        .route("/api/v2/status", get(status))
        // Alertmanager 0.27+ gives each receiver its labels too (0.25: the name only).
        .route(
            "/api/v2/receivers",
            get(|| async { json_response(StatusCode::OK, &json!([{"labels": {"name": RECEIVER}, "name": RECEIVER}])) }),
        )
        .merge(super::am_silence_api::routes())
}

/// The JSON error body Alertmanager uses for handler errors: a bare string.
pub(crate) fn string_error(status: StatusCode, msg: &str) -> Response {
    json_response(status, &Json::String(msg.to_string()))
}

/// Collects every `filter` parameter into matchers.
pub(crate) fn filters(p: &Params) -> Result<Vec<AmMatcher>, Response> {
    let mut out = Vec::new();
    for f in p.all("filter") {
        out.extend(parse_matchers(f).map_err(|e| string_error(StatusCode::BAD_REQUEST, &e))?);
    }
    Ok(out)
}

/// `true`/`false`; anything else keeps the default (0.25 does not reject it).
fn flag(p: &Params, name: &str) -> bool {
    p.get(name) != Some("false")
}

struct AlertView<'a> {
    alert: &'a AmAlert,
    silenced_by: Vec<String>,
    inhibited_by: Vec<String>,
}

impl AlertView<'_> {
    fn to_json(&self) -> Json {
        let a = self.alert;
        let state = if self.is_active() { "active" } else { "suppressed" };
        json!({
            "annotations": labels_json(&a.annotations),
            "endsAt": rfc3339_millis(a.ends_at),
            "fingerprint": a.fingerprint,
            "receivers": [{"name": RECEIVER}],
            "startsAt": rfc3339_millis(a.starts_at),
            // `mutedBy` (time intervals) since Alertmanager 0.28; the simulator has none.
            "status": {"inhibitedBy": self.inhibited_by, "mutedBy": [], "silencedBy": self.silenced_by, "state": state},
            "updatedAt": rfc3339_millis(a.updated_at),
            "generatorURL": a.generator_url,
            "labels": labels_json(&a.labels),
        })
    }

    fn is_active(&self) -> bool {
        self.silenced_by.is_empty() && self.inhibited_by.is_empty()
    }
}

/// Alerts the query asks for, sorted by fingerprint like Alertmanager.
fn select<'a>(sim: &'a Sim, p: &Params, now: f64) -> Result<Vec<AlertView<'a>>, Response> {
    let matchers = filters(p)?;
    let receiver = match p.get("receiver") {
        Some(r) => Some(
            regex::Regex::new(&format!("^(?:{r})$"))
                .map_err(|e| string_error(StatusCode::BAD_REQUEST, &format!("failed to parse receiver param: {e}")))?,
        ),
        None => None,
    };
    if receiver.as_ref().is_some_and(|r| !r.is_match(RECEIVER)) {
        return Ok(Vec::new());
    }
    let (silenced, inhibited, active) = (flag(p, "silenced"), flag(p, "inhibited"), flag(p, "active"));
    let rules = &sim.scenario.inhibit_rules;
    Ok(sim
        .am_alerts
        .values()
        .filter(|a| a.ends_at > now)
        .filter(|a| matchers.iter().all(|m| m.matches(&a.labels)))
        .map(|alert| AlertView {
            alert,
            silenced_by: sim.silences.silenced_by(&alert.labels, now),
            inhibited_by: super::inhibit::inhibited_by(rules, alert, sim.am_alerts.values(), now),
        })
        // As Alertmanager's API filters: each flag drops what it names.
        .filter(|v| (active || !v.is_active()) && (silenced || v.silenced_by.is_empty()))
        .filter(|v| inhibited || v.inhibited_by.is_empty())
        .collect())
}

async fn alerts(State(st): State<Shared>, p: Params) -> Response {
    let now = now_secs();
    let sim = st.read();
    match select(&sim, &p, now) {
        Ok(list) => json_response(StatusCode::OK, &Json::Array(list.iter().map(AlertView::to_json).collect())),
        Err(r) => r,
    }
}

async fn groups(State(st): State<Shared>, p: Params) -> Response {
    let now = now_secs();
    let sim = st.read();
    let list = match select(&sim, &p, now) {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut by_name: BTreeMap<String, Vec<Json>> = BTreeMap::new();
    for v in &list {
        let name = v.alert.labels.get("alertname").cloned().unwrap_or_default();
        by_name.entry(name).or_default().push(v.to_json());
    }
    let out: Vec<Json> = by_name
        .into_iter()
        .map(|(name, alerts)| json!({"alerts": alerts, "labels": {"alertname": name}, "receiver": {"name": RECEIVER}}))
        .collect();
    json_response(StatusCode::OK, &Json::Array(out))
}

async fn status(State(st): State<Shared>) -> Response {
    let started = st.read().started;
    json_response(
        StatusCode::OK,
        &json!({
            "cluster": {"peers": [], "status": "disabled"},
            "config": {"original": CONFIG_YAML},
            "uptime": rfc3339_millis(started),
            "versionInfo": {
                "branch": "drill",
                "buildDate": "",
                "buildUser": "warroom",
                "goVersion": "none (warroom drill simulator)",
                "revision": env!("CARGO_PKG_VERSION"),
                "version": "0.25.0+warroom.drill",
            },
        }),
    )
}
