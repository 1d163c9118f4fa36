//! Loki API of the simulator, its tail websocket, and amtool against the
//! Alertmanager API.

use futures::StreamExt;
use serde_json::Value;

use super::support::{assert_same_shape, fixture};
use super::{get, get_json, q, start};

/// A docs example without its `stats` (the docs print an older, smaller
/// stats object; ours is compared with the current shape separately).
fn doc(rel: &str) -> Value {
    let mut v = fixture(rel);
    if let Some(d) = v.get_mut("data").and_then(Value::as_object_mut) {
        d.remove("stats");
    }
    v
}

#[tokio::test]
async fn loki_queries_match_the_reference_shapes() {
    let srv = start(1.0).await;
    let base = srv.loki_url();
    let v = get_json(&format!("{}&limit=10", q(&base, "/loki/api/v1/query_range", r#"{job="api"}"#))).await;
    assert_same_shape(&v, &doc("loki/query_range_streams.json"), "streams");
    assert_same_shape(&v["data"]["stats"], &fixture("loki/stats_current_shape_zero.json"), "stats");
    let mut ts: Vec<i64> = Vec::new();
    for s in v["data"]["result"].as_array().expect("result") {
        for e in s["values"].as_array().expect("values") {
            ts.push(e[0].as_str().and_then(|t| t.parse().ok()).expect("ns string"));
        }
    }
    assert_eq!(ts.len(), 10, "limit applies across streams");
    let fwd = get_json(&format!(
        "{}&limit=5&direction=forward",
        q(&base, "/loki/api/v1/query_range", r#"{job="api", level="info"}"#)
    ))
    .await;
    let values = fwd["data"]["result"][0]["values"].as_array().expect("values");
    let first: i64 = values[0][0].as_str().and_then(|t| t.parse().ok()).expect("ts");
    let last: i64 = values[4][0].as_str().and_then(|t| t.parse().ok()).expect("ts");
    assert!(first < last, "forward is oldest first");

    let m = get_json(&q(&base, "/loki/api/v1/query", r#"sum by (level) (count_over_time({job="api"}[5m]))"#)).await;
    assert_same_shape(&m, &doc("loki/query_vector.json"), "vector");
    assert_same_shape(&m["data"]["stats"], &fixture("loki/stats_current_shape_zero.json"), "stats");
    assert!(m["data"]["result"].as_array().is_some_and(|r| !r.is_empty()));
    let mm = get_json(&format!(
        "{}&step=60",
        q(&base, "/loki/api/v1/query_range", r#"rate({job="api"} |= "request" [1m])"#)
    ))
    .await;
    assert_same_shape(&mm, &doc("loki/query_range_matrix.json"), "matrix");

    let labels = get_json(&format!("{base}/loki/api/v1/labels")).await;
    assert_same_shape(&labels, &fixture("loki/labels.json"), "labels");
    assert!(labels["data"].as_array().is_some_and(|l| l.contains(&"job".into())));
    let values = get_json(&format!("{base}/loki/api/v1/label/job/values")).await;
    assert_eq!(values["data"], serde_json::json!(["api", "postgresql"]));
    let series = get_json(&format!("{base}/loki/api/v1/series?match[]=%7Bjob%3D%22api%22%7D")).await;
    assert_same_shape(&series, &fixture("loki/series.json"), "series");

    let (status, ct, body) = get(&q(&base, "/loki/api/v1/query_range", r#"{job="api""#)).await;
    assert_eq!((status, ct.as_str()), (400, "text/plain; charset=utf-8"));
    assert!(body.starts_with("parse error at line 1, col 11: syntax error: unexpected"), "{body}");
    let (status, _, body) = get(&q(&base, "/loki/api/v1/query", r#"{job="api"}"#)).await;
    assert_eq!(status, 400);
    assert!(body.contains("not supported as an instant query"), "{body}");
    assert_eq!(get(&format!("{base}/ready")).await.0, 200);
    srv.shutdown().await;
}

#[tokio::test]
async fn tail_streams_new_lines_over_a_websocket() {
    let srv = start(30.0).await;
    let ws_url = format!("ws://{}/loki/api/v1/tail?query=%7Bjob%3D%22api%22%7D&limit=5", srv.addr());
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.expect("websocket");
    let mut texts = Vec::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while texts.len() < 2 && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t)))) => texts.push(t.to_string()),
            Ok(Some(Ok(_))) => {}
            other => panic!("websocket ended: {other:?}"),
        }
    }
    assert_eq!(texts.len(), 2, "backfill then live lines");
    let msg: Value = serde_json::from_str(&texts[1]).expect("json");
    let mut reference = fixture("loki/tail.json");
    if let Some(o) = reference.as_object_mut() {
        o.remove("dropped_entries");
    }
    assert_same_shape(&msg, &reference, "tail");
    let (status, _, _) =
        get(&format!("{}/loki/api/v1/tail?query=%7Bjob%3D%22api%22%7D&delay_for=9", srv.base_url())).await;
    assert_eq!(status, 400);
    drop(ws);
    srv.shutdown().await;
}

fn amtool(url: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("/usr/bin/amtool")
        .arg(format!("--alertmanager.url={url}"))
        .args(args)
        .output()
        .expect("amtool runs");
    assert!(out.status.success(), "amtool {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn amtool_can_query_alerts_and_manage_silences() {
    if !std::path::Path::new("/usr/bin/amtool").exists() {
        eprintln!("amtool not installed; skipping the amtool round trip");
        return;
    }
    let srv = start(60.0).await;
    let url = srv.alertmanager_url();
    let mut alerts = Value::Null;
    for _ in 0..100 {
        let u = url.clone();
        let out =
            tokio::task::spawn_blocking(move || amtool(&u, &["alert", "query", "-o", "json"])).await.expect("join");
        alerts = serde_json::from_str(&out.unwrap_or_default()).expect("amtool json");
        if alerts.as_array().is_some_and(|a| !a.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        alerts.as_array().is_some_and(|a| a.iter().any(|x| x["labels"]["alertname"] == "DatabaseDown")),
        "{alerts}"
    );
    let u = url.clone();
    let id = tokio::task::spawn_blocking(move || {
        amtool(&u, &["silence", "add", "alertname=DatabaseDown", "-c", "drill", "-a", "tester", "-d", "1h"])
    })
    .await
    .expect("join")
    .unwrap_or_default()
    .trim()
    .to_string();
    assert_eq!(id.len(), 36, "silence id: {id}");
    let u = url.clone();
    let listed = tokio::task::spawn_blocking(move || amtool(&u, &["silence", "query", "-q"]))
        .await
        .expect("join")
        .unwrap_or_default();
    assert!(listed.contains(&id), "{listed}");
    let (u, i) = (url.clone(), id.clone());
    tokio::task::spawn_blocking(move || amtool(&u, &["silence", "expire", &i])).await.expect("join");
    let u = url.clone();
    let active = tokio::task::spawn_blocking(move || amtool(&u, &["silence", "query", "-q"]))
        .await
        .expect("join")
        .unwrap_or_default();
    assert!(!active.contains(&id), "expired silences are not in the default query: {active}");
    srv.shutdown().await;
}
