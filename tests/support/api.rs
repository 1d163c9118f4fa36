//! Small HTTP/JSON helpers for talking to the real servers in tests. They
//! return `Option` where a test polls (with `wait_for`) and panic where a
//! failure is a test failure.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

/// A client with a short timeout, so a hung server fails a poll, not the run.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("build an HTTP client")
}

/// GET `url` and parse the body as JSON; `None` on any failure, so it can be
/// polled with `wait_for`.
pub async fn get_json(client: &reqwest::Client, url: &str) -> Option<Value> {
    let response = client.get(url).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

/// POST `body` as JSON; panics unless the answer is 2xx. Returns the answer's
/// JSON, or `Null` for an empty body (Alertmanager's POST /alerts).
pub async fn post_json(client: &reqwest::Client, url: &str, body: &Value) -> Value {
    let response = client.post(url).json(body).send().await.unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = response.status();
    assert!(status.is_success(), "POST {url}: {status}");
    response.json().await.unwrap_or(Value::Null)
}

/// `labels.alertname` of an alert in either API's JSON.
pub fn alertname(alert: &Value) -> &str {
    alert["labels"]["alertname"].as_str().unwrap_or_default()
}

/// The alert names in a JSON array of alerts.
pub fn alert_names(list: &Value) -> BTreeSet<String> {
    list.as_array().into_iter().flatten().map(|a| alertname(a).to_string()).collect()
}

/// The first alert called `name` in a JSON array of alerts.
pub fn find_alert<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list.as_array()?.iter().find(|a| alertname(a) == name)
}

/// The alert names `amtool alert query -o json EXTRA...` lists: the same API
/// seen through the official CLI (amtool's default shows active alerts only).
pub async fn amtool_alert_names(am: &str, extra: &[&str]) -> BTreeSet<String> {
    let output = super::servers::AMTOOL
        .tokio_command()
        .arg(format!("--alertmanager.url={am}"))
        .args(["alert", "query", "-o", "json"])
        .args(extra)
        .output()
        .await
        .expect("run amtool (scripts/install-test-deps.sh installs it)");
    assert!(output.status.success(), "amtool failed: {output:?}");
    let list: Value = serde_json::from_slice(&output.stdout).expect("amtool prints JSON");
    alert_names(&list)
}

/// The first sample value of a Prometheus instant query, as the API's string
/// (`"1"`, `"+Inf"`); `None` when the result is empty or the query fails.
pub async fn query_value(client: &reqwest::Client, prom: &str, promql: &str) -> Option<String> {
    let url =
        url::Url::parse_with_params(&format!("{prom}/api/v1/query"), &[("query", promql)]).expect("valid query URL");
    let body = get_json(client, url.as_str()).await?;
    Some(body["data"]["result"][0]["value"][1].as_str()?.to_string())
}

/// A body for Alertmanager's `POST /api/v2/alerts`: one alert starting now
/// (Alertmanager sets `endsAt` to now + `resolve_timeout`).
pub fn alert_body(labels: &[(&str, &str)]) -> Value {
    let labels: serde_json::Map<String, Value> = labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    json!([{
        "labels": labels,
        "annotations": {"summary": "posted by a warroom test"},
        "startsAt": chrono::Utc::now().to_rfc3339(),
    }])
}

/// A body for `POST /api/v2/silences`: `label = value` for the next hour.
pub fn silence_body(label: &str, value: &str, comment: &str) -> Value {
    let now = chrono::Utc::now();
    json!({
        "matchers": [{"name": label, "value": value, "isRegex": false, "isEqual": true}],
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
        "createdBy": "warroom tests",
        "comment": comment,
    })
}
