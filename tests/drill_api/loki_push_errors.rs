//! Every refusal of the simulator's push, with Loki's status and words
//! (`pkg/validation/validate.go`, `pkg/distributor`, `pkg/ingester`), its
//! partial success, the rate limit (429) and multi-tenancy (401 `no org
//! id`, tenants kept apart).

use serde_json::{Value, json};
use warroom::drill::{DrillOptions, LokiOptions};

use super::loki_push::{CATEGORIZE, JSON, json_push, push, range};
use super::start_with;

const SEC: i64 = 1_000_000_000;
const STREAM: &str = "{app=\"warroom\", service_name=\"warroom\"}";

fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().expect("now")
}

fn rfc3339(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn body(labels: Value, values: Value) -> Vec<u8> {
    json_push(json!({"streams": [{"stream": labels, "values": values}]}))
}

fn app() -> Value {
    json!({"app": "warroom"})
}

/// Pushes and expects a plain-text refusal; returns its text without the
/// trailing newline Go's `http.Error` adds.
async fn refused(base: &str, bytes: Vec<u8>, headers: &[(&str, &str)], status: u16) -> String {
    let sent = String::from_utf8_lossy(&bytes[..bytes.len().min(120)]).into_owned();
    let (got, ct, text) = push(base, bytes, headers).await;
    assert_eq!(got, status, "{sent}: {text}");
    assert_eq!(ct, "text/plain; charset=utf-8");
    text.strip_suffix('\n').unwrap_or_else(|| panic!("a trailing newline: {text:?}")).to_string()
}

#[tokio::test]
async fn every_refusal_has_lokis_status_and_message() {
    let srv = start_with(DrillOptions::default()).await;
    let base = srv.loki_url();
    let now = now_ns();
    let ok = |ts: i64| json!([[ts.to_string(), "x"]]);
    let r = |b: Vec<u8>| refused(&base, b, &[JSON], 400);

    // Loki 3 names a stream without labels `{service_name="unknown_service"}`
    // (see no_labels_at_all_only_without_service_name_discovery).
    assert_eq!(push(&base, body(json!({}), ok(now)), &[JSON]).await.0, 204);
    assert_eq!(
        r(body(json!({"bad-name": "x"}), ok(now))).await,
        "Error parsing labels '{bad-name=\"x\"}' with error: 1:5: parse error: unexpected character inside braces: '-'"
    );
    let many: serde_json::Map<String, Value> = (0..16).map(|i| (format!("l{i:02}"), json!("v"))).collect();
    assert!(r(body(Value::Object(many), ok(now))).await.ends_with("has 16 label names; limit 15"));
    let long = "n".repeat(1025);
    assert_eq!(
        r(body(json!({&long: "v"}), ok(now))).await,
        format!("stream '{{{long}=\"v\", service_name=\"unknown_service\"}}' has label name too long: '{long}'")
    );
    let long = "v".repeat(2049);
    assert!(r(body(json!({"app": &long}), ok(now))).await.ends_with(&format!("has label value too long: '{long}'")));

    let old = now - 8 * 24 * 3600 * SEC;
    let msg = r(body(app(), ok(old))).await;
    let prefix = format!(
        "entry for stream '{STREAM}' has timestamp too old: {}, oldest acceptable timestamp is: ",
        rfc3339(old)
    );
    assert!(msg.starts_with(&prefix), "{msg}");
    let new = now + 3600 * SEC;
    assert_eq!(
        r(body(app(), ok(new))).await,
        format!("entry for stream '{STREAM}' has timestamp too new: {}", rfc3339(new))
    );
    let two = json!([[new.to_string(), "a"], [new.to_string(), "b"]]);
    assert_eq!(
        r(body(app(), two)).await,
        format!("2 errors like: entry for stream '{STREAM}' has timestamp too new: {}", rfc3339(new))
    );
    let line = "x".repeat(256 * 1024 + 1);
    assert_eq!(
        r(body(app(), json!([[now.to_string(), line]]))).await,
        format!(
            "Max entry size '262144' bytes exceeded for stream '{STREAM}' while adding an entry with length '262145' bytes"
        )
    );
    let big = json!([[now.to_string(), "x", {"k": "v".repeat(64 * 1024)}]]);
    assert!(
        r(body(app(), big)).await.contains("has structured metadata too large: '65537' bytes, limit: '65536' bytes.")
    );
    let many: serde_json::Map<String, Value> = (0..129).map(|i| (format!("k{i}"), json!("v"))).collect();
    let msg = r(body(app(), json!([[now.to_string(), "x", many]]))).await;
    assert!(msg.contains("has too many structured metadata labels: '129', limit: '128'"), "{msg}");

    // Out of order within the hour is fine; more than an hour behind the
    // stream's newest entry is Loki's ingester's 400.
    let behind = json!({"app": "behind"});
    assert_eq!(push(&base, body(behind.clone(), ok(now)), &[JSON]).await.0, 204);
    assert_eq!(push(&base, body(behind.clone(), ok(now - 1800 * SEC)), &[JSON]).await.0, 204);
    let far = now - 2 * 3600 * SEC;
    let msg = r(body(behind, ok(far))).await;
    let reason = format!(
        "entry too far behind, entry timestamp is: {}, oldest acceptable timestamp is: {}",
        rfc3339(far),
        rfc3339(now - 3600 * SEC)
    );
    assert!(msg.contains(&format!("ignored, reason: '{reason}',\n")), "{msg}");
    assert!(
        msg.ends_with("user 'fake', total ignored: 1 out of 1 for stream: {app=\"behind\", service_name=\"behind\"}"),
        "{msg}"
    );

    // The body itself.
    assert_eq!(
        refused(&base, json_push(json!({"streams": []})), &[JSON], 422).await,
        "error at least one valid stream is required for ingestion"
    );
    assert_eq!(refused(&base, body(app(), ok(now)), &[], 400).await, "mime: no media type");
    assert!(
        refused(&base, body(app(), ok(now)), &[("Content-Type", "application/x-protobuf")], 415)
            .await
            .contains("protobuf")
    );
    let br = [JSON, ("Content-Encoding", "br")];
    assert_eq!(refused(&base, body(app(), ok(now)), &br, 400).await, "Content-Encoding \"br\" not supported");
    assert_eq!(
        refused(&base, b"not gzip".to_vec(), &[JSON, ("Content-Encoding", "gzip")], 400).await,
        "gzip: invalid header"
    );
    assert!(
        r(body(app(), json!([["soon", "x"]]))).await.contains("strconv.ParseInt: parsing \"soon\": invalid syntax")
    );
    assert!(
        r(body(app(), json!([[now.to_string(), "x", {}, "extra"]]))).await.contains("array must contains 2 values")
    );
    assert!(!r(b"{\"streams\": [".to_vec()).await.is_empty());
    let empty = json_push(json!({"streams": [{"stream": {"app": "warroom"}, "values": []}]}));
    assert_eq!(push(&base, empty, &[JSON]).await.0, 204, "streams without entries are skipped");
    srv.shutdown().await;
}

#[tokio::test]
async fn valid_entries_are_kept_when_others_are_refused() {
    let srv = start_with(DrillOptions::default()).await;
    let base = srv.loki_url();
    let now = now_ns();
    let mixed = json_push(json!({"streams": [
        {"stream": {"bad-name": "x"}, "values": [[now.to_string(), "lost"]]},
        {"stream": {"app": "partial"}, "values": [[now.to_string(), "kept"], [(now + 3600 * SEC).to_string(), "future"]]},
    ]}));
    let msg = refused(&base, mixed, &[JSON], 400).await;
    assert!(msg.starts_with("1 errors like: Error parsing labels '{bad-name=\"x\"}'"), "{msg}");
    assert!(
        msg.contains(
            "; 1 errors like: entry for stream '{app=\"partial\", service_name=\"partial\"}' has timestamp too new"
        ),
        "{msg}"
    );
    let params = [
        ("query", r#"{app="partial"}"#.to_string()),
        ("start", (now - SEC).to_string()),
        ("end", (now + SEC).to_string()),
    ];
    let v = range(&base, &params, &[CATEGORIZE]).await;
    assert_eq!(v["data"]["result"][0]["values"][0][1], "kept");
    // Pushing the same entry again stores it once.
    let again = body(json!({"app": "partial"}), json!([[now.to_string(), "kept"]]));
    assert_eq!(push(&base, again, &[JSON]).await.0, 204);
    let v = range(&base, &params, &[CATEGORIZE]).await;
    assert_eq!(v["data"]["result"][0]["values"].as_array().map(Vec::len), Some(1));
    srv.shutdown().await;
}

#[tokio::test]
async fn no_labels_at_all_only_without_service_name_discovery() {
    let loki = LokiOptions { discover_service_name: false, ..LokiOptions::default() };
    let srv = start_with(DrillOptions { loki, ..DrillOptions::default() }).await;
    let ok = json!([[now_ns().to_string(), "x"]]);
    for labels in [json!({}), json!({"app": ""})] {
        let msg = refused(&srv.loki_url(), body(labels, ok.clone()), &[JSON], 400).await;
        assert_eq!(msg, "error at least one label pair is required per stream");
    }
    let kept = range(&srv.loki_url(), &[("query", r#"{app="x"}"#.to_string())], &[]).await;
    assert_eq!(kept["data"]["result"], json!([]));
    srv.shutdown().await;
}

#[tokio::test]
async fn metadata_is_refused_where_loki_disallows_it() {
    let loki = LokiOptions { allow_structured_metadata: false, ..LokiOptions::default() };
    let srv = start_with(DrillOptions { loki, ..DrillOptions::default() }).await;
    let msg =
        refused(&srv.loki_url(), body(app(), json!([[now_ns().to_string(), "x", {"a": "b"}]])), &[JSON], 400).await;
    assert_eq!(
        msg,
        format!(
            "stream '{STREAM}' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it."
        )
    );
    assert_eq!(push(&srv.loki_url(), body(app(), json!([[now_ns().to_string(), "x"]])), &[JSON]).await.0, 204);
    srv.shutdown().await;
}

#[tokio::test]
async fn tenants_are_required_kept_apart_and_rate_limited() {
    let loki = LokiOptions {
        multi_tenant: true,
        ingestion_rate_bytes: 1000.0,
        ingestion_burst_bytes: 2000.0,
        ..LokiOptions::default()
    };
    let srv = start_with(DrillOptions { loki, ..DrillOptions::default() }).await;
    let base = srv.loki_url();
    let now = now_ns();
    let line = |text: &str| body(json!({"app": "warroom"}), json!([[now.to_string(), text]]));
    assert_eq!(refused(&base, line("x"), &[JSON], 401).await, "no org id");
    for path in [
        "query_range?query=%7Bapp%3D%22warroom%22%7D",
        "labels",
        "label/app/values",
        "series?match[]=%7Bapp%3D%22x%22%7D",
    ] {
        let r = reqwest::get(format!("{base}/loki/api/v1/{path}")).await.expect("get");
        assert_eq!(r.status().as_u16(), 401, "{path}");
        assert_eq!(r.text().await.expect("text"), "no org id\n");
    }
    let ws = format!("ws://{}/loki/api/v1/tail?query=%7Bapp%3D%22warroom%22%7D", srv.addr());
    match tokio_tungstenite::connect_async(ws).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status().as_u16(), 401),
        other => panic!("a tail without a tenant is refused: {other:?}"),
    }
    assert_eq!(refused(&base, line("x"), &[JSON, ("X-Scope-OrgID", "a|b")], 400).await, "multiple org IDs present");

    let team_a = [JSON, ("X-Scope-OrgID", "team-a")];
    assert_eq!(push(&base, line("for team a"), &team_a).await.0, 204);
    let params = [
        ("query", r#"{app="warroom"}"#.to_string()),
        ("start", (now - SEC).to_string()),
        ("end", (now + SEC).to_string()),
    ];
    let seen = |tenant: &'static str| {
        let params = params.clone();
        let base = base.clone();
        async move {
            let v = range(&base, &params, &[("X-Scope-OrgID", tenant)]).await;
            v["data"]["result"].as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(seen("team-a").await, 1);
    assert_eq!(seen("team-b").await, 0, "another tenant does not see it");

    let big = "y".repeat(3000);
    let msg = refused(&base, line(&big), &team_a, 429).await;
    assert!(msg.starts_with("Ingestion rate limit exceeded for user team-a (limit: 1000 bytes/sec) while attempting to ingest '1' lines totaling '30"), "{msg}");
    assert!(
        msg.ends_with(
            "bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased"
        ),
        "{msg}"
    );
    srv.shutdown().await;
}
