//! Pushing to the simulator's Loki: the push examples of Loki's API
//! reference and of `/work/shared/api/loki/push.json`, posted as they are
//! and read back through `query_range` (both directions, the window's
//! bounds, both label encodings), `labels`, `label/…/values`, `series`,
//! LogQL's `| json` and label filters, and the live tail.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use warroom::drill::{DrillOptions, LokiOptions};

use super::start_with;

pub const CATEGORIZE: (&str, &str) = ("X-Loki-Response-Encoding-Flags", "categorize-labels");
const DOCS_TS: i64 = 1_570_818_238_000_000_000;
const SHARED_TS: i64 = 1_796_155_868_307_000_000;

pub fn raw_fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/api/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A simulator that takes dated examples (`reject_old_samples: false`).
async fn undated() -> warroom::drill::DrillServer {
    let loki = LokiOptions { reject_old_samples_max_age: None, ..LokiOptions::default() };
    start_with(DrillOptions { loki, ..DrillOptions::default() }).await
}

/// POSTs a push body; the status, content type and body of the answer.
pub async fn push(base: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> (u16, String, String) {
    let mut req = reqwest::Client::new().post(format!("{base}/loki/api/v1/push")).body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("push");
    let status = r.status().as_u16();
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    (status, ct, r.text().await.expect("body"))
}

pub fn json_push(body: Value) -> Vec<u8> {
    body.to_string().into_bytes()
}

pub const JSON: (&str, &str) = ("Content-Type", "application/json");

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

/// `query_range` with these parameters and headers; the parsed answer.
pub async fn range(base: &str, params: &[(&str, String)], headers: &[(&str, &str)]) -> Value {
    let mut req = reqwest::Client::new().get(format!("{base}/loki/api/v1/query_range")).query(params);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("query_range");
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.expect("json")
}

fn window(query: &str, start: i64, end: i64, direction: &str, limit: u32) -> Vec<(&'static str, String)> {
    vec![
        ("query", query.to_string()),
        ("start", start.to_string()),
        ("end", end.to_string()),
        ("direction", direction.to_string()),
        ("limit", limit.to_string()),
    ]
}

fn lines(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in v["data"]["result"].as_array().expect("result") {
        for e in s["values"].as_array().expect("values") {
            out.push((e[0].as_str().expect("ts").to_string(), e[1].as_str().expect("line").to_string()));
        }
    }
    out
}

#[tokio::test]
async fn the_reference_push_examples_are_taken_and_read_back() {
    let srv = undated().await;
    let base = srv.loki_url();
    for (file, gz) in
        [("push_docs_fizzbuzz.json", false), ("push_docs_structured_metadata.json", false), ("push.json", true)]
    {
        let body = raw_fixture(&format!("loki/{file}"));
        let (body, headers) =
            if gz { (gzip(&body), vec![JSON, ("Content-Encoding", "gzip")]) } else { (body, vec![JSON]) };
        assert_eq!(push(&base, body, &headers).await, (204, String::new(), String::new()), "{file}");
    }

    // Without categorize-labels, structured metadata (and Loki's
    // detected_level) are folded into the stream labels, and Loki 3 adds
    // service_name.
    let v = range(&base, &window(r#"{foo="bar2"}"#, DOCS_TS, DOCS_TS + 1, "forward", 10), &[]).await;
    let expected = json!([{"stream": {"foo": "bar2", "service_name": "unknown_service", "detected_level": "unknown"},
        "values": [["1570818238000000000", "fizzbuzz"]]}]);
    assert_eq!(v["data"]["result"], expected);
    let v = range(&base, &window(r#"{label="value"}"#, DOCS_TS, DOCS_TS + 1, "forward", 10), &[CATEGORIZE]).await;
    let expected = json!([{"stream": {"label": "value", "service_name": "unknown_service"},
        "values": [["1570818238000000000", "fizzbuzz", {"structuredMetadata":
            {"trace_id": "0242ac120002", "user_id": "superUser123", "detected_level": "unknown"}}]]}]);
    assert_eq!(v["data"]["result"], expected);
    assert_eq!(v["data"]["encodingFlags"], json!(["categorize-labels"]));

    let sel = r#"{app="warroom", incident="2026-11-22-db-down"}"#;
    let (t1, t2) = (SHARED_TS, SHARED_TS + 1_000_000_000);
    let v = range(&base, &window(sel, t1, t2 + 1, "forward", 10), &[CATEGORIZE]).await;
    let result = v["data"]["result"].as_array().expect("result");
    assert_eq!(result.len(), 1, "one stream when labels are categorized: {v}");
    assert_eq!(
        result[0]["stream"],
        json!({"app": "warroom", "incident": "2026-11-22-db-down", "service_name": "warroom"})
    );
    let values = &result[0]["values"];
    assert_eq!(values[0][0], t1.to_string());
    assert_eq!(values[0][1], r#"{"v":2,"id":"01JD...","kind":"note","text":"example"}"#);
    assert_eq!(values[1][2]["structuredMetadata"]["author"], "alice");
    assert_eq!(values[1][2]["structuredMetadata"]["host"], "bastion-1");
    // Backward is newest first; `limit` cuts; start inclusive, end exclusive.
    let back = range(&base, &window(sel, t1, t2 + 1, "backward", 10), &[]).await;
    assert_eq!(lines(&back).iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(), [t2.to_string(), t1.to_string()]);
    let newest = range(&base, &window(sel, t1, t2 + 1, "backward", 1), &[]).await;
    assert_eq!(lines(&newest).len(), 1);
    assert_eq!(lines(&newest)[0].0, t2.to_string());
    assert_eq!(lines(&range(&base, &window(sel, t2, t2 + 1, "forward", 10), &[]).await).len(), 1);
    assert_eq!(lines(&range(&base, &window(sel, t1, t2, "forward", 10), &[]).await)[0].0, t1.to_string());

    let q = |path: &str| format!("{base}/loki/api/v1/{path}start={DOCS_TS}&end={}", t2 + 1);
    let labels: Value = reqwest::get(q("labels?")).await.expect("labels").json().await.expect("json");
    for name in ["app", "incident", "service_name", "foo", "label", "job"] {
        assert!(labels["data"].as_array().is_some_and(|l| l.contains(&json!(name))), "{name} in {labels}");
    }
    assert!(!labels["data"].as_array().is_some_and(|l| l.contains(&json!("author"))), "metadata is not a label");
    let values: Value = reqwest::get(q("label/incident/values?")).await.expect("values").json().await.expect("json");
    assert_eq!(values["data"], json!(["2026-11-22-db-down"]));
    let series: Value =
        reqwest::get(q("series?match[]=%7Bapp%3D%22warroom%22%7D&")).await.expect("series").json().await.expect("json");
    assert_eq!(
        series["data"],
        json!([{"app": "warroom", "incident": "2026-11-22-db-down", "service_name": "warroom"}])
    );
    srv.shutdown().await;
}

#[tokio::test]
async fn logql_filters_and_the_json_parser_work_on_pushed_lines() {
    let srv = undated().await;
    let base = srv.loki_url();
    let (status, _, body) =
        push(&base, gzip(&raw_fixture("loki/push.json")), &[JSON, ("Content-Encoding", "gzip")]).await;
    assert_eq!(status, 204, "{body}");
    let span = |q: &str| window(q, SHARED_TS, SHARED_TS + 2_000_000_000, "forward", 100);
    let count = |v: &Value| lines(v).len();
    assert_eq!(count(&range(&base, &span(r#"{app="warroom"} |= "with metadata""#), &[]).await), 1);
    assert_eq!(count(&range(&base, &span(r#"{app="warroom"} |~ "kind.:.note""#), &[]).await), 2);
    assert_eq!(count(&range(&base, &span(r#"{app="warroom"} | json | kind="note""#), &[]).await), 2);
    assert_eq!(count(&range(&base, &span(r#"{app="warroom"} | json | kind="declared""#), &[]).await), 0);
    assert_eq!(count(&range(&base, &span(r#"{app="warroom"} | author="alice""#), &[]).await), 1, "metadata");
    let v = range(&base, &span(r#"{app="warroom"} | json | text=~"with.*""#), &[CATEGORIZE]).await;
    let entry = &v["data"]["result"][0]["values"][0];
    assert_eq!(entry[2]["parsed"], json!({"v": "2", "id": "01JE...", "kind": "note", "text": "with metadata"}));
    assert_eq!(entry[2]["structuredMetadata"]["author"], "alice");
    let folded = range(&base, &span(r#"{app="warroom"} | json | text=~"with.*""#), &[]).await;
    assert_eq!(folded["data"]["result"][0]["stream"]["kind"], "note", "parsed labels folded without the flag");

    let at = (SHARED_TS + 2_000_000_000).to_string();
    let metric = reqwest::Client::new()
        .get(format!("{base}/loki/api/v1/query"))
        .query(&[("query", r#"sum(count_over_time({app="warroom"} | json | kind="note" [1m]))"#), ("time", &at)])
        .send()
        .await
        .expect("query");
    let metric: Value = metric.json().await.expect("json");
    assert_eq!(metric["data"]["result"][0]["value"][1], "2", "{metric}");
    srv.shutdown().await;
}

/// The next text message of a websocket within `secs`.
pub async fn next_text<S>(ws: &mut S, secs: u64) -> Option<Value>
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return Some(serde_json::from_str(&t).expect("json")),
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().expect("now")
}

fn one(ts: i64, line: &str) -> Vec<u8> {
    json_push(
        json!({"streams": [{"stream": {"app": "warroom", "incident": "t"}, "values": [[ts.to_string(), line, {"author": "bob"}]]}]}),
    )
}

#[tokio::test]
async fn pushes_reach_tailers_at_once_even_with_older_timestamps() {
    let srv = start_with(DrillOptions::default()).await;
    let base = srv.loki_url();
    let t0 = now_ns();
    assert_eq!(push(&base, one(t0 - 60_000_000_000, "before the tail"), &[JSON]).await.0, 204);
    let url = format!(
        "ws://{}/loki/api/v1/tail?query=%7Bapp%3D%22warroom%22%7D&delay_for=0&start={}",
        srv.addr(),
        t0 - 120_000_000_000
    );
    let mut req = url.into_client_request().expect("request");
    req.headers_mut().insert(CATEGORIZE.0, CATEGORIZE.1.parse().expect("header"));
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.expect("websocket");
    let first = next_text(&mut ws, 5).await.expect("the backfill from start");
    assert_eq!(first["streams"][0]["values"][0][1], "before the tail");
    assert_eq!(first["encodingFlags"], json!(["categorize-labels"]));

    assert_eq!(push(&base, one(now_ns(), "live"), &[JSON]).await.0, 204);
    let live = next_text(&mut ws, 5).await.expect("the pushed line");
    let entry = &live["streams"][0]["values"][0];
    assert_eq!(entry[1], "live");
    assert_eq!(entry[2]["structuredMetadata"]["author"], "bob");
    assert_eq!(live["streams"][0]["stream"], json!({"app": "warroom", "incident": "t", "service_name": "warroom"}));
    // A teammate's clock is behind: an older timestamp still reaches the tail.
    assert_eq!(push(&base, one(now_ns() - 600_000_000_000, "late"), &[JSON]).await.0, 204);
    let late = next_text(&mut ws, 5).await.expect("the late line");
    assert_eq!(late["streams"][0]["values"][0][1], "late");
    drop(ws);

    // A new tail from a timestamp re-reads from there.
    let url = format!("ws://{}/loki/api/v1/tail?query=%7Bincident%3D%22t%22%7D&start={}", srv.addr(), t0 - 1);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("websocket");
    let again = next_text(&mut ws, 5).await.expect("backfill");
    let texts: Vec<&str> = again["streams"]
        .as_array()
        .expect("streams")
        .iter()
        .flat_map(|s| s["values"].as_array().expect("values").iter().filter_map(|e| e[1].as_str()))
        .collect();
    assert_eq!(texts, ["live"], "from t0 on: the late line is older than t0, the first one too");
    srv.shutdown().await;
}
