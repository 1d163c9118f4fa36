//! Prometheus HTTP API client (`/api/v1/*`), and anything that speaks it:
//! Thanos Query, Mimir, Cortex.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::SourceError;
use super::answer::AnswerCache;
use super::http::{Body, HttpClient};
use super::probe::Probe;
use crate::model::{Alert, AlertState, AlertsCut, Labels, SharedAlerts, fingerprint};

#[derive(Debug, Clone)]
pub struct PrometheusClient {
    http: HttpClient,
    name: String,
}

/// The `{status, data, errorType, error, warnings}` envelope.
/// Loki's query endpoints answer in the same envelope.
#[derive(Deserialize)]
pub(crate) struct Envelope<T> {
    pub(crate) status: String,
    pub(crate) data: Option<T>,
    #[serde(rename = "errorType")]
    pub(crate) error_type: Option<String>,
    pub(crate) error: Option<String>,
}

/// Reads an API response: the data on success, the API's own error
/// (`bad_data: parse error…`) otherwise, or the HTTP status when the body is
/// not the API's (a proxy's HTML page, `404 page not found`).
pub(crate) fn decode<T: DeserializeOwned>(body: &Body) -> Result<T, SourceError> {
    match super::http::from_json::<Envelope<T>>(&body.bytes) {
        Ok(env) if env.status == "success" => {
            env.data.ok_or_else(|| SourceError::Decode("success without data".into()))
        }
        Ok(env) => Err(SourceError::Api {
            status: body.status,
            kind: body.clean(env.error_type.as_deref().unwrap_or("error")),
            message: body.clean(env.error.as_deref().unwrap_or_default()),
        }),
        Err(_) if !body.is_success() => Err(SourceError::Status { status: body.status, message: body.error_text() }),
        Err(e) if !body.is_json() && !body.content_type.is_empty() => {
            tracing::debug!(error = %e, "non-JSON answer");
            Err(SourceError::ContentType(body.content_type.clone()))
        }
        Err(e) => Err(SourceError::Decode(crate::text::clean(&e.to_string()).into_owned())),
    }
}

#[derive(Deserialize)]
struct AlertsData {
    #[serde(default)]
    alerts: super::capped::Limited<WireAlert, { super::capped::MAX_ALERTS }>,
}

#[derive(Deserialize)]
struct WireAlert {
    #[serde(default, deserialize_with = "super::capped::labels")]
    labels: Labels,
    #[serde(default, deserialize_with = "super::capped::labels")]
    annotations: Labels,
    state: String,
    #[serde(rename = "activeAt")]
    active_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "super::capped::opt_string")]
    value: Option<String>,
}

pub use crate::model::metrics::{AlertRule, Series};

#[derive(Deserialize)]
struct RulesData {
    groups: Vec<WireGroup>,
}

#[derive(Deserialize)]
struct WireGroup {
    name: String,
    /// Seconds (Prometheus, Thanos, vmalert).
    #[serde(default)]
    interval: f64,
    #[serde(default)]
    rules: Vec<WireRule>,
}

#[derive(Deserialize)]
struct WireRule {
    #[serde(rename = "type")]
    kind: String,
    name: String,
    query: String,
    #[serde(default)]
    duration: f64,
    #[serde(default, deserialize_with = "super::capped::labels")]
    labels: Labels,
    #[serde(default, deserialize_with = "super::capped::labels")]
    annotations: Labels,
    #[serde(default)]
    health: String,
}

/// A server's seconds as a duration: a negative, non-finite or absurd
/// value (a remote number) is zero, never a panic.
fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or_default()
}

#[derive(Debug, Deserialize)]
struct MatrixData {
    #[serde(rename = "resultType")]
    result_type: String,
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct WireSeries {
    #[serde(default)]
    metric: Labels,
    #[serde(default)]
    values: Vec<(f64, String)>,
    value: Option<(f64, String)>,
}

/// A series as Grafana's `query_result` shows it: `name{a="b"} value`.
fn series_text(s: &Series) -> String {
    let name = s.labels.get("__name__").cloned().unwrap_or_default();
    let labels: Vec<String> =
        s.labels.iter().filter(|(k, _)| k.as_str() != "__name__").map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    let value = s.samples.last().map(|(_, v)| v.to_string()).unwrap_or_default();
    format!("{name}{{{}}} {value}", labels.join(","))
}

/// Parses `"1e+00"`, `"NaN"`, `"+Inf"`, `"-Inf"` as Prometheus prints them.
pub fn parse_value(s: &str) -> f64 {
    match s {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => s.parse().unwrap_or(f64::NAN),
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BuildInfo {
    /// Empty when the server does not say (VictoriaMetrics 1.79 answers
    /// `"data": {}`).
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub revision: String,
}

/// What `warroom check` prints for a server that does not say its version.
pub const UNKNOWN_VERSION: &str = "version unknown";

impl PrometheusClient {
    pub fn new(http: HttpClient, name: impl Into<String>) -> Self {
        Self { http, name: name.into() }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Firing and pending alerts, as Prometheus' rule evaluation sees them.
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        let body = self.http.get_alerts("/api/v1/alerts").await?;
        self.parse_alerts(&body, Utc::now())
    }

    /// `alerts`, through the poller's memory of the last answer: an
    /// identical answer is not parsed again, and unchanged alerts keep their
    /// `Arc`. The body is dropped as soon as it is read.
    pub async fn alerts_cached(&self, cache: &mut AnswerCache) -> Result<(SharedAlerts, AlertsCut), SourceError> {
        let body = self.http.get_alerts("/api/v1/alerts").await?;
        let now = Utc::now();
        cache.alerts(&body, |b| self.parse_alerts_cut(b, now))
    }

    /// Reads a `/api/v1/alerts` answer. Public so that benches and property
    /// tests reach the parser without a server. An alert without `activeAt`
    /// started `now` (when the answer arrived): the parser reads no clock.
    pub fn parse_alerts(&self, body: &Body, now: DateTime<Utc>) -> Result<Vec<Alert>, SourceError> {
        Ok(self.parse_alerts_cut(body, now)?.0)
    }

    /// Reads an alerts answer keeping the first [`super::capped::MAX_ALERTS`]
    /// (the rest are skipped unbuilt), and says what was lost.
    pub fn parse_alerts_cut(&self, body: &Body, now: DateTime<Utc>) -> Result<(Vec<Alert>, AlertsCut), SourceError> {
        let data: AlertsData = decode(body)?;
        let alerts: Vec<Alert> = data.alerts.items.into_iter().map(|a| self.to_alert(a, now)).collect();
        let cut = super::capped::alerts_cut(&alerts, data.alerts.dropped, super::capped::MAX_ALERTS);
        Ok((alerts, cut))
    }

    fn to_alert(&self, a: WireAlert, now: DateTime<Utc>) -> Alert {
        let state = if a.state == "pending" { AlertState::Pending } else { AlertState::Firing };
        Alert {
            fingerprint: fingerprint(&a.labels),
            starts_at: a.active_at.unwrap_or(now),
            labels: a.labels,
            annotations: a.annotations,
            state,
            ends_at: None,
            updated_at: None,
            generator_url: None,
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            receivers: Vec::new(),
            sources: vec![self.name.clone()],
            value: a.value,
        }
    }

    /// Alerting rules only (recording rules are skipped).
    pub async fn rules(&self) -> Result<Vec<AlertRule>, SourceError> {
        Self::parse_rules(&self.http.get("/api/v1/rules", &[("type", "alert".to_string())]).await?)
    }

    /// Reads a `/api/v1/rules` answer, keeping alerting rules only.
    pub fn parse_rules(body: &Body) -> Result<Vec<AlertRule>, SourceError> {
        let data: RulesData = decode(body)?;
        Ok(data
            .groups
            .into_iter()
            .flat_map(|g| {
                let (group, interval) = (g.name, seconds(g.interval));
                g.rules.into_iter().filter(|r| r.kind == "alerting").map(move |r| AlertRule {
                    group: group.clone(),
                    name: r.name,
                    query: r.query,
                    duration: seconds(r.duration),
                    labels: r.labels,
                    annotations: r.annotations,
                    health: r.health,
                    interval,
                })
            })
            .collect())
    }

    /// A range query. `step` must keep the point count under Prometheus'
    /// 11 000 limit: callers pick it from the drawn width.
    pub async fn query_range(
        &self,
        query: &str,
        start: f64,
        end: f64,
        step: Duration,
    ) -> Result<Vec<Series>, SourceError> {
        let form = [
            ("query", query.to_string()),
            ("start", format!("{start:.3}")),
            ("end", format!("{end:.3}")),
            ("step", format!("{}", step.as_secs_f64().max(0.001))),
        ];
        Self::parse_series(&self.http.post_form("/api/v1/query_range", &form).await?)
    }

    /// Reads a query or range-query answer (matrix, vector or scalar).
    pub fn parse_series(body: &Body) -> Result<Vec<Series>, SourceError> {
        parse_matrix(decode(body)?)
    }

    /// An instant query; a scalar comes back as one series with no labels.
    pub async fn query(&self, query: &str, time: Option<f64>) -> Result<Vec<Series>, SourceError> {
        let mut form = vec![("query", query.to_string())];
        if let Some(t) = time {
            form.push(("time", format!("{t:.3}")));
        }
        Self::parse_series(&self.http.post_form("/api/v1/query", &form).await?)
    }

    /// A GET of an API path that answers a list of strings
    /// (`/api/v1/label/NAME/values`, `/api/v1/labels`), or an instant
    /// query (`/api/v1/query`), each series as `name{labels} value`: what a
    /// dashboard variable's values come from.
    pub async fn api_values(&self, path: &str, params: &[(String, String)]) -> Result<Vec<String>, SourceError> {
        let query: Vec<(&str, String)> = params.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let body = self.http.get(path, &query).await?;
        if path == "/api/v1/query" {
            let series = Self::parse_series(&body)?;
            return Ok(series.iter().map(series_text).collect());
        }
        let values: Vec<String> = decode(&body)?;
        Ok(values)
    }

    pub async fn buildinfo(&self) -> Result<BuildInfo, SourceError> {
        decode(&self.http.get("/api/v1/status/buildinfo", &[]).await?)
    }

    /// `/-/ready` then build info: what `warroom check` prints.
    pub async fn probe(&self) -> Probe {
        Probe::run(&self.http, "/-/ready", self.version()).await
    }

    /// The build info's version. A server whose build info names no version
    /// (VictoriaMetrics 1.79: `"data": {}`), is not JSON, or is missing
    /// (a 404 from Cortex or a gateway) is still up if it answers a query:
    /// its version is then unknown. Any other failure (auth, timeout, 5xx)
    /// is the source's.
    async fn version(&self) -> Result<String, SourceError> {
        match self.buildinfo().await {
            Ok(b) if !b.version.trim().is_empty() => Ok(b.version),
            Ok(_)
            | Err(SourceError::Decode(_) | SourceError::ContentType(_))
            | Err(SourceError::Status { status: 404 | 405 | 501, .. } | SourceError::Api { status: 404, .. }) => {
                self.query("1", None).await?;
                Ok(UNKNOWN_VERSION.to_string())
            }
            Err(e) => Err(e),
        }
    }
}

fn parse_matrix(data: MatrixData) -> Result<Vec<Series>, SourceError> {
    numeric_result(&data.result_type, data.result)
}

/// A numeric query result (`matrix`, `vector` or `scalar`) as series.
/// Loki's metric queries answer in the same shape, so its client reads them
/// here too.
pub(crate) fn numeric_result(result_type: &str, result: serde_json::Value) -> Result<Vec<Series>, SourceError> {
    let bad = |e: serde_json::Error| SourceError::Decode(crate::text::clean(&e.to_string()).into_owned());
    let to_series = |w: WireSeries| Series {
        labels: w.metric,
        samples: w.values.into_iter().chain(w.value).map(|(t, v)| (t, parse_value(&v))).collect(),
    };
    match result_type {
        "matrix" | "vector" => {
            let wire: Vec<WireSeries> = serde_json::from_value(result).map_err(bad)?;
            Ok(wire.into_iter().map(to_series).collect())
        }
        "scalar" => {
            let (t, v): (f64, String) = serde_json::from_value(result).map_err(bad)?;
            Ok(vec![Series { labels: Labels::new(), samples: vec![(t, parse_value(&v))] }])
        }
        other => Err(SourceError::Decode(format!("unsupported result type {:?}", crate::text::clean(other)))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captured(name: &str) -> Body {
        let path = format!("{}/tests/fixtures/api/prometheus/captured-2.42/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = if name.starts_with("error_bad") || name.contains("missing") || name.contains("too_many") {
            400
        } else if name == "error_execution.json" {
            422
        } else if name == "not_found.txt" {
            404
        } else {
            200
        };
        let content_type = if name.ends_with(".txt") { "text/plain; charset=utf-8" } else { "application/json" };
        Body { status, content_type: content_type.into(), bytes, elapsed: Duration::ZERO, ..Default::default() }
    }

    fn client() -> PrometheusClient {
        let http = HttpClient::new(&super::super::Endpoint::from_url("http://127.0.0.1:9")).unwrap();
        PrometheusClient::new(http, "prom")
    }

    #[test]
    fn parses_captured_alerts() {
        let data: AlertsData = decode(&captured("alerts.json")).unwrap();
        let alerts: Vec<Alert> = data.alerts.items.into_iter().map(|a| client().to_alert(a, Utc::now())).collect();
        assert_eq!(alerts.len(), 2);
        assert_eq!(alerts[0].name(), "AlwaysFiring");
        assert_eq!(alerts[0].state, AlertState::Firing);
        assert_eq!(alerts[0].fingerprint, "2a7a97fbf890646a", "same fingerprint as Alertmanager");
        assert_eq!(alerts[1].state, AlertState::Pending);
        assert_eq!(alerts[1].value.as_deref(), Some("0e+00"));
    }

    #[test]
    fn parses_captured_rules_skipping_recording_ones() {
        let data: RulesData = decode(&captured("rules.json")).unwrap();
        let n_alerting = data.groups[0].rules.iter().filter(|r| r.kind == "alerting").count();
        assert_eq!(n_alerting, 2);
        let target_down = data.groups[0].rules.iter().find(|r| r.name == "TargetDown").unwrap();
        assert_eq!(target_down.query, "up == 0");
        assert_eq!(target_down.duration, 3600.0);
        let rules = PrometheusClient::parse_rules(&captured("rules.json")).unwrap();
        assert!(rules.iter().all(|r| r.interval == Duration::from_secs(5)), "the group's evaluation interval");
        assert_eq!(seconds(-1.0), Duration::ZERO);
        assert_eq!(seconds(1e300), Duration::ZERO, "an absurd remote number is not a panic");
    }

    #[test]
    fn parses_every_result_type_and_special_values() {
        let m = parse_matrix(decode(&captured("query_range_matrix.json")).unwrap()).unwrap();
        assert!(!m.is_empty() && m.iter().all(|s| !s.samples.is_empty()));
        let v = parse_matrix(decode(&captured("query_vector.json")).unwrap()).unwrap();
        assert!(v.iter().any(|s| s.labels.get("__name__").map(String::as_str) == Some("up")));
        let nan = parse_matrix(decode(&captured("query_nan.json")).unwrap()).unwrap();
        assert!(nan[0].samples[0].1.is_nan());
        let inf = parse_matrix(decode(&captured("query_scalar_inf.json")).unwrap()).unwrap();
        assert_eq!(inf[0].samples[0].1, f64::INFINITY);
        let ninf = parse_matrix(decode(&captured("query_scalar_neginf.json")).unwrap()).unwrap();
        assert_eq!(ninf[0].samples[0].1, f64::NEG_INFINITY);
        assert!(parse_matrix(decode(&captured("query_string.json")).unwrap()).is_err());
    }

    #[test]
    fn errors_keep_prometheus_words() {
        let e = decode::<MatrixData>(&captured("error_bad_data.json")).unwrap_err();
        assert!(matches!(&e, SourceError::Api { status: 400, kind, .. } if kind == "bad_data"), "{e:?}");
        let e = decode::<MatrixData>(&captured("error_execution.json")).unwrap_err();
        assert!(matches!(&e, SourceError::Api { status: 422, kind, .. } if kind == "execution"), "{e:?}");
        let e = decode::<MatrixData>(&captured("error_range_too_many_points.json")).unwrap_err();
        assert!(e.to_string().contains("11,000") || e.to_string().contains("11000"), "{e}");
        let e = decode::<MatrixData>(&captured("not_found.txt")).unwrap_err();
        assert_eq!(e.to_string(), "HTTP 404: 404 page not found");
    }

    /// A 200 answer carrying `json`.
    fn json_body(json: &serde_json::Value) -> Body {
        Body {
            status: 200,
            content_type: "application/json".into(),
            bytes: json.to_string().into_bytes(),
            elapsed: Duration::ZERO,
            ..Default::default()
        }
    }

    #[test]
    fn huge_label_and_annotation_values_are_cut_at_parse_time() {
        let body = serde_json::json!({"status": "success", "data": {"alerts": [{
            "labels": {"alertname": "Huge", "blob": "v".repeat(1 << 20)},
            "annotations": {"summary": "s".repeat(1 << 20)},
            "state": "firing",
            "activeAt": "2026-11-22T12:00:00Z",
            "value": "1e+00",
        }]}});
        let body = json_body(&body);
        let a = &client().parse_alerts(&body, Utc::now()).unwrap()[0];
        assert!(super::super::capped::was_cut(&a.labels["blob"]));
        assert!(super::super::capped::was_cut(a.summary().unwrap()));
        assert_eq!(a.fingerprint, fingerprint(&a.labels), "fingerprinted as shown");
    }

    /// An alert Prometheus gives no `activeAt` started when the answer
    /// arrived, as the caller says: the parser reads no clock.
    #[test]
    fn an_alert_without_active_at_starts_at_the_time_given() {
        let body = serde_json::json!({"status": "success", "data": {"alerts": [{
            "labels": {"alertname": "NoStart"},
            "annotations": {},
            "state": "pending",
        }]}});
        let body = json_body(&body);
        let at = DateTime::parse_from_rfc3339("2026-11-22T12:34:56Z").unwrap().with_timezone(&Utc);
        let a = &client().parse_alerts(&body, at).unwrap()[0];
        assert_eq!(a.starts_at, at);
    }

    #[test]
    fn buildinfo_keeps_debian_version() {
        let b: BuildInfo = decode(&captured("buildinfo.json")).unwrap();
        assert_eq!(b.version, "2.42.0+ds");
    }

    #[test]
    fn values_as_prometheus_prints_them() {
        assert_eq!(parse_value("1e+00"), 1.0);
        assert!(parse_value("NaN").is_nan());
        assert_eq!(parse_value("-Inf"), f64::NEG_INFINITY);
        assert!(parse_value("garbage").is_nan());
    }
}
