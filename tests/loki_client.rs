//! The Loki client against a small axum server that serves the upstream
//! examples (`tests/fixtures/api/loki/`) and a tail websocket, on loopback
//! (port 0), requiring the tenant and auth headers as a multi-tenant Loki does.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use warroom::sources::loki::{Direction, LokiClient, QueryResult, RangeQuery};
use warroom::sources::{Endpoint, HttpClient, SecretRef, SourceError};

const TENANT: &str = "tenant-a";
const TOKEN: &str = "t0ken";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/api/loki/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn text(status: StatusCode, body: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body.to_string()).into_response()
}

/// What Loki with `auth_enabled` and a bearer-checking proxy in front say.
/// The refusal, if the request lacks either.
fn refusal(h: &HeaderMap) -> Option<Response> {
    if h.get("x-scope-orgid").and_then(|v| v.to_str().ok()) != Some(TENANT) {
        return Some(text(StatusCode::UNAUTHORIZED, "no org id\n"));
    }
    if h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {TOKEN}")) {
        return Some(text(StatusCode::FORBIDDEN, "bad token\n"));
    }
    None
}

async fn query_range(h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(r) = refusal(&h) {
        return r;
    }
    match q.get("query").map(String::as_str) {
        Some("{job=\"varlogs\"}") => json(fixture("query_range_streams.json")),
        Some("{test=\"test\"}") => json(fixture("query_range_streams_categorized.json")),
        Some(m) if m.starts_with("sum(rate(") => json(fixture("query_range_matrix.json")),
        Some("slow") => text(StatusCode::TOO_MANY_REQUESTS, "too many outstanding requests\n"),
        _ => text(StatusCode::BAD_REQUEST, "parse error at line 1, col 1: syntax error: unexpected IDENTIFIER\n"),
    }
}

async fn tail(ws: WebSocketUpgrade, h: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(r) = refusal(&h) {
        return r;
    }
    let echo = format!("{q:?}");
    ws.on_upgrade(move |socket| send_tail(socket, echo))
}

async fn send_tail(mut socket: WebSocket, params: String) {
    for name in ["tail.json", "tail_categorized.json"] {
        if socket.send(Message::Text(fixture(name).into())).await.is_err() {
            return;
        }
    }
    // The parameters the client sent, as one line, so the test can check them.
    let line = serde_json::json!({"streams": [{"stream": {"p": "1"}, "values": [["1", params]]}]});
    let _ = socket.send(Message::Text(line.to_string().into())).await;
    let _ = socket.send(Message::Close(None)).await;
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn loki_server() -> String {
    let app = Router::new()
        .route("/loki/api/v1/query_range", get(query_range))
        .route("/loki/api/v1/query", get(|| async { json(fixture("query_vector.json")) }))
        .route(
            "/loki/api/v1/labels",
            get(|h: HeaderMap| async move { refusal(&h).unwrap_or_else(|| json(fixture("labels.json"))) }),
        )
        .route(
            "/loki/api/v1/label/{name}/values",
            get(|Path(n): Path<String>| async move {
                if n == "animal" {
                    json(fixture("label_values.json"))
                } else {
                    text(StatusCode::NOT_FOUND, "404 page not found")
                }
            }),
        )
        .route("/loki/api/v1/series", get(|| async { json(fixture("series.json")) }))
        .route("/loki/api/v1/index/stats", get(|| async { json(fixture("index_stats.json")) }))
        .route("/loki/api/v1/format_query", get(|| async { json(fixture("format_query.json")) }))
        .route("/loki/api/v1/tail", get(tail));
    serve(app).await
}

fn client(url: &str, tenant: Option<&str>) -> LokiClient {
    let mut ep = Endpoint::from_url(url);
    if let Some(t) = tenant {
        ep.headers.insert("X-Scope-OrgID".into(), t.into());
    }
    ep.bearer_token = Some(SecretRef { value: Some(TOKEN.into()), ..SecretRef::default() });
    ep.timeout = Some(Duration::from_secs(5));
    LokiClient::new(HttpClient::new(&ep).unwrap(), "loki")
}

fn range(query: &str) -> RangeQuery {
    RangeQuery { query: query.into(), start_ns: 1, end_ns: 2, limit: 100, direction: Direction::Backward }
}

#[tokio::test]
async fn queries_and_metadata_endpoints() {
    let url = loki_server().await;
    let c = client(&url, Some(TENANT));
    let QueryResult::Streams(s) = c.query_range(&range("{job=\"varlogs\"}")).await.unwrap() else { panic!() };
    // Asked backward, handed back oldest first.
    assert_eq!(s[0].entries[0].line, "bar");
    let QueryResult::Streams(s) = c.query_range(&range("{test=\"test\"}")).await.unwrap() else { panic!() };
    assert_eq!(s[0].entries.len(), 3);
    assert!(s[0].entries.iter().any(|e| e.metadata.get("foo").is_some_and(|v| v == "a")));
    let QueryResult::Matrix(m) = c.query_range(&range("sum(rate({job=\"x\"}[5m]))")).await.unwrap() else { panic!() };
    assert_eq!(m.len(), 2);
    assert!(matches!(c.query("sum(x)", None, 10).await.unwrap(), QueryResult::Matrix(v) if v.len() == 3));
    assert_eq!(c.labels(Some(1), Some(2)).await.unwrap(), ["foo", "bar", "baz"]);
    assert_eq!(c.label_values("animal", None, None).await.unwrap(), ["cat", "dog", "axolotl"]);
    assert!(matches!(c.label_values("bad/name", None, None).await, Err(SourceError::Request(_))));
    assert_eq!(c.series(&["{app=\"loki\"}"], None, None).await.unwrap().len(), 3);
    assert_eq!(c.index_stats("{a=\"b\"}", 1, 2).await.unwrap().entries, 5000);
    assert_eq!(c.format_query("{foo=   \"bar\"}").await.unwrap(), "{foo=\"bar\"}");
}

#[tokio::test]
async fn loki_errors_reach_the_user_cleaned() {
    let url = loki_server().await;
    let c = client(&url, Some(TENANT));
    let e = c.query_range(&range("not logql")).await.unwrap_err();
    assert_eq!(e.to_string(), "HTTP 400: parse error at line 1, col 1: syntax error: unexpected IDENTIFIER");
    let e = c.query_range(&range("slow")).await.unwrap_err();
    assert_eq!(e, SourceError::Status { status: 429, message: "too many outstanding requests".into() });
    let e = client(&url, None).labels(None, None).await.unwrap_err();
    assert_eq!(e, SourceError::Unauthorized("no org id".into()));
}

#[tokio::test]
async fn tail_sends_the_tenant_and_reads_every_message() {
    let url = loki_server().await;
    let c = client(&url, Some(TENANT));
    let mut tail = c.tail("{test=\"test\"}", 1_234, 50).await.unwrap();
    let plain = tail.next().await.unwrap().unwrap();
    assert_eq!((plain.lines.len(), plain.dropped), (2, 1));
    let categorized = tail.next().await.unwrap().unwrap();
    assert_eq!(categorized.lines[2].parsed["msg"], "text");
    let echo = tail.next().await.unwrap().unwrap();
    let params = &echo.lines[0].line;
    for want in ["\"start\": \"1234\"", "\"limit\": \"50\"", "\"query\": \"{test=\\\"test\\\"}\""] {
        assert!(params.contains(want), "{want} not in {params}");
    }
    assert!(tail.next().await.is_none(), "a normal close ends the stream");
    let refused = client(&url, None).tail("{a=\"b\"}", 0, 1).await.unwrap_err();
    assert_eq!(refused, SourceError::Unauthorized("no org id".into()));
}

/// A gateway refusing the tail handshake and quoting the credentials it got:
/// the error says 401 and carries no secret, as the HTTP layer's errors.
#[tokio::test]
async fn refused_tail_handshake_does_not_echo_the_token() {
    let app = Router::new().route(
        "/loki/api/v1/tail",
        get(|h: HeaderMap| async move {
            let auth = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
            text(StatusCode::UNAUTHORIZED, &format!("refused credentials: {auth}\n"))
        }),
    );
    let url = serve(app).await;
    let err = client(&url, Some(TENANT)).tail("{job=\"x\"}", 1, 10).await.expect_err("refused");
    let shown = err.to_string();
    assert!(matches!(err, SourceError::Unauthorized(_)), "{err:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("***"), "the echo is redacted, not dropped: {shown}");
}
