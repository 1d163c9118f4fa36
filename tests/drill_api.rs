//! The drill simulator seen from outside: a real `DrillServer` on
//! 127.0.0.1:0, queried with reqwest, tokio-tungstenite and amtool.

use std::time::{Duration, Instant};

use serde_json::Value;
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};

#[path = "drill_api/support.rs"]
mod support;
use support::{assert_same_shape, fixture};

async fn start(speed: f64) -> DrillServer {
    start_with(DrillOptions { speed, ..DrillOptions::default() }).await
}

async fn start_with(opts: DrillOptions) -> DrillServer {
    let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
    DrillServer::start(sc, opts).await.expect("server starts")
}

async fn get(url: &str) -> (u16, String, String) {
    let r = reqwest::get(url).await.expect("request");
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, ct, r.text().await.expect("body"))
}

async fn get_json(url: &str) -> Value {
    let (status, _, body) = get(url).await;
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).expect("json")
}

fn q(base: &str, path: &str, query: &str) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    format!("{base}{path}?query={enc}")
}

fn num(v: &Value) -> f64 {
    v.as_str().and_then(|s| s.parse().ok()).expect("numeric string")
}

#[tokio::test]
async fn promql_results_and_error_envelopes() {
    let srv = start(1.0).await;
    let base = srv.base_url();
    assert_eq!(srv.prometheus_url(), base);
    let v = get_json(&q(&base, "/api/v1/query", "sum(rate(http_requests_total[5m]))")).await;
    let total = num(&v["data"]["result"][0]["value"][1]);
    assert!((40.0..56.0).contains(&total), "baseline throughput {total}");
    let v = get_json(&q(
        &base,
        "/api/v1/query",
        "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    ))
    .await;
    let p99 = num(&v["data"]["result"][0]["value"][1]);
    assert!((0.05..0.1).contains(&p99), "baseline p99 {p99}");
    let v = get_json(&q(&base, "/api/v1/query", "sum by (status) (rate(http_requests_total[5m]))")).await;
    assert_eq!(v["data"]["result"].as_array().map(Vec::len), Some(3));
    assert_eq!(get_json(&q(&base, "/api/v1/query", "up == 0")).await["data"]["result"], serde_json::json!([]));
    assert_eq!(
        get_json(&q(&base, "/api/v1/query", "up == bool 1")).await["data"]["result"].as_array().map(Vec::len),
        Some(2)
    );
    let nan = get_json(&q(&base, "/api/v1/query", "vector(0)/0")).await;
    assert_same_shape(&nan, &fixture("prometheus/captured-2.42/query_nan.json"), "query_nan");
    assert_eq!(nan["data"]["result"][0]["value"][1], "NaN");
    let inf = reqwest::Client::new()
        .post(format!("{base}/api/v1/query"))
        .form(&[("query", "1/0")])
        .send()
        .await
        .expect("post");
    let inf: Value = inf.json().await.expect("json");
    assert_same_shape(&inf, &fixture("prometheus/captured-2.42/query_scalar_inf.json"), "scalar");
    assert_eq!(inf["data"]["result"][1], "+Inf");

    let (status, ct, body) = get(&q(&base, "/api/v1/query", "up{")).await;
    assert_eq!((status, ct.as_str()), (400, "application/json"));
    let err: Value = serde_json::from_str(&body).expect("json");
    assert_same_shape(&err, &fixture("prometheus/captured-2.42/error_bad_data.json"), "bad_data");
    assert!(err["error"].as_str().is_some_and(|e| e.starts_with("invalid parameter \"query\"")), "{err}");
    let (status, _, body) = get(&q(&base, "/api/v1/query", "vector(1) + on() up")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("\"errorType\":\"execution\"") && body.contains("many-to-many"), "{body}");
    let (status, _, body) = get(&q(&base, "/api/v1/query", "deriv(up[5m])")).await;
    assert_eq!(status, 400, "{body}");
    let (status, ct, body) = get(&format!("{base}/api/v1/doesnotexist")).await;
    assert_eq!((status, ct.as_str(), body.as_str()), (404, "text/plain; charset=utf-8", "404 page not found\n"));
    srv.shutdown().await;
}

#[tokio::test]
async fn ranges_metadata_and_history() {
    let srv = start(1.0).await;
    let base = srv.base_url();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let url = format!("{}&start={}&end={now}&step=15", q(&base, "/api/v1/query_range", "up"), now - 1800);
    let v = get_json(&url).await;
    assert_same_shape(&v, &fixture("prometheus/captured-2.42/query_range_matrix.json"), "matrix");
    let points = v["data"]["result"][0]["values"].as_array().map(Vec::len).unwrap_or(0);
    assert!(points >= 110, "30 minutes of history, got {points} points");
    let (status, _, body) = get(&format!("{}&start=0&end={now}&step=1", q(&base, "/api/v1/query_range", "up"))).await;
    assert_eq!(status, 400);
    assert!(body.contains("exceeded maximum resolution of 11,000 points"), "{body}");
    let (status, _, body) = get(&q(&base, "/api/v1/query_range", "up")).await;
    assert_eq!((status, body.contains("invalid parameter \\\"start\\\"")), (400, true), "{body}");

    let labels = get_json(&format!("{base}/api/v1/labels")).await;
    assert!(labels["data"].as_array().is_some_and(|l| l.contains(&"__name__".into()) && l.contains(&"service".into())));
    let jobs = get_json(&format!("{base}/api/v1/label/job/values")).await;
    assert_eq!(jobs["data"], serde_json::json!(["api", "blackbox", "postgresql"]));
    let series = get_json(&format!("{base}/api/v1/series?match[]=up")).await;
    assert_same_shape(&series, &fixture("prometheus/captured-2.42/series.json"), "series");
    let rules = get_json(&format!("{base}/api/v1/rules")).await;
    assert_same_shape(&rules["data"]["groups"][0]["rules"][0]["labels"], &serde_json::json!({}), "labels");
    assert_eq!(rules["data"]["groups"][0]["rules"][0]["type"], "alerting");
    assert_eq!(rules["data"]["groups"][0]["rules"][0]["duration"], 60.0);
    let bi = get_json(&format!("{base}/api/v1/status/buildinfo")).await;
    assert_same_shape(&bi, &fixture("prometheus/captured-2.42/buildinfo.json"), "buildinfo");
    assert_eq!(get(&format!("{base}/-/ready")).await.0, 200);
    assert_eq!(get(&format!("{base}/-/healthy")).await.0, 200);
    srv.shutdown().await;
}

/// Polls `f` until it returns `Some`, for at most `secs` seconds.
async fn wait_for<T, F, Fut>(secs: u64, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if let Some(v) = f().await {
            return Some(v);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

fn has_alert(list: &Value, name: &str, state_key: &str, state: &str) -> bool {
    list.as_array().is_some_and(|a| {
        a.iter()
            .any(|x| x["labels"]["alertname"] == name && x.pointer(state_key).and_then(Value::as_str) == Some(state))
    })
}

#[tokio::test]
async fn alerts_go_pending_then_firing_and_silences_mute_them() {
    let srv = start(60.0).await;
    let base = srv.base_url();
    let pending = wait_for(20, || async {
        let v = get_json(&format!("{base}/api/v1/alerts")).await;
        has_alert(&v["data"]["alerts"], "DatabaseDown", "/state", "pending").then_some(v)
    })
    .await
    .expect("DatabaseDown pending");
    assert!(pending["data"]["alerts"][0]["value"].as_str().is_some_and(|v| v.contains("e+") || v.contains("e-")));
    let am = wait_for(20, || async {
        let v = get_json(&format!("{base}/api/v2/alerts")).await;
        has_alert(&v, "DatabaseDown", "/status/state", "active").then_some(v)
    })
    .await
    .expect("DatabaseDown firing in Alertmanager");
    assert_same_shape(&am, &fixture("alertmanager/captured-0.25/alerts.json"), "v2 alerts");
    let v1 = get_json(&format!("{base}/api/v1/alerts")).await;
    assert!(has_alert(&v1["data"]["alerts"], "DatabaseDown", "/state", "firing"));
    let db = am.as_array().and_then(|a| a.iter().find(|x| x["labels"]["alertname"] == "DatabaseDown")).expect("alert");
    assert_eq!(db["labels"]["severity"], "critical");
    assert_eq!(db["annotations"]["runbook_url"], "database-down.md");

    let client = reqwest::Client::new();
    let ends = chrono::Utc::now() + chrono::Duration::hours(1);
    let body = serde_json::json!({"matchers": [{"name": "alertname", "value": "DatabaseDown", "isRegex": false, "isEqual": true}],
        "startsAt": chrono::Utc::now().to_rfc3339(), "endsAt": ends.to_rfc3339(), "createdBy": "test", "comment": "drill"});
    let r = client.post(format!("{base}/api/v2/silences")).json(&body).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 200);
    let id = r.json::<Value>().await.expect("json")["silenceID"].as_str().expect("id").to_string();
    let after = get_json(&format!("{base}/api/v2/alerts")).await;
    let db =
        after.as_array().and_then(|a| a.iter().find(|x| x["labels"]["alertname"] == "DatabaseDown")).expect("alert");
    assert_eq!(db["status"]["state"], "suppressed");
    assert_eq!(db["status"]["silencedBy"], serde_json::json!([id]));
    let unsilenced = get_json(&format!("{base}/api/v2/alerts?silenced=false")).await;
    assert!(!has_alert(&unsilenced, "DatabaseDown", "/status/state", "suppressed"));
    let groups = get_json(&format!("{base}/api/v2/alerts/groups")).await;
    assert_same_shape(&groups, &fixture("alertmanager/captured-0.25/alert_groups_after_silence.json"), "groups");
    let silences = get_json(&format!("{base}/api/v2/silences")).await;
    assert_same_shape(&silences, &fixture("alertmanager/captured-0.25/silences.json"), "silences");
    let del = client.delete(format!("{base}/api/v2/silence/{id}")).send().await.expect("delete");
    assert_eq!(del.status().as_u16(), 200);
    let one = get_json(&format!("{base}/api/v2/silence/{id}")).await;
    assert_eq!(one["status"]["state"], "expired");
    let again = get_json(&format!("{base}/api/v2/alerts?active=true&silenced=false&inhibited=false")).await;
    assert!(has_alert(&again, "DatabaseDown", "/status/state", "active"));

    let mut bad = body.clone();
    bad["matchers"] = serde_json::json!([]);
    let r = client.post(format!("{base}/api/v2/silences")).json(&bad).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(
        r.json::<Value>().await.expect("json"),
        fixture("alertmanager/captured-0.25/error_silence_no_matchers.json")
    );
    let mut bad = body.clone();
    bad["endsAt"] = serde_json::json!("2000-01-01T00:00:00Z");
    let r = client.post(format!("{base}/api/v2/silences")).json(&bad).send().await.expect("post");
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<Value>().await.expect("json"),
        fixture("alertmanager/captured-0.25/error_silence_end_before_start.json")
    );
    let (status, _, body) = get(&format!("{base}/api/v2/silence/not-a-uuid")).await;
    assert_eq!(status, 422);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json"),
        fixture("alertmanager/captured-0.25/error_silence_bad_uuid.json")
    );
    let (status, _, body) = get(&format!("{base}/api/v2/silence/00000000-0000-0000-0000-000000000000")).await;
    assert_eq!((status, body.as_str()), (404, ""));
    let (status, _, body) = get(&format!("{base}/api/v2/alerts?filter=alertname%3D~%22%28%5B")).await;
    assert_eq!(status, 400);
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json"),
        fixture("alertmanager/captured-0.25/error_bad_filter.json")
    );
    let status = get_json(&format!("{base}/api/v2/status")).await;
    assert_same_shape(&status, &fixture("alertmanager/captured-0.25/status.json"), "status");
    srv.shutdown().await;
}

#[path = "drill_api/loki.rs"]
mod loki;

#[path = "drill_api/loki_push.rs"]
mod loki_push;

#[path = "drill_api/loki_push_errors.rs"]
mod loki_push_errors;

#[path = "drill_api/inhibit.rs"]
mod inhibit;

#[path = "drill_api/agreement.rs"]
mod agreement;
