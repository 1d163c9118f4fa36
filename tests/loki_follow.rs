//! `loki::follow` end to end against a fake Loki on loopback that keeps a
//! log store and answers `labels`, `query_range` (start inclusive, end
//! exclusive, direction, limit) and, unless told to refuse, the tail
//! websocket. Checks the selector, the batches, the fallback to polling and
//! that lines sharing a timestamp are neither lost nor repeated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::mpsc;
use warroom::model::Labels;
use warroom::sources::loki::{
    BatchKind, FollowMode, FollowSettings, FollowSpec, LogBatch, LokiClient, QuerySpec, follow,
};
use warroom::sources::{Endpoint, HttpClient};

type Store = Arc<Mutex<Vec<(i64, String)>>>;

#[derive(Clone)]
struct Fake {
    store: Store,
    websocket: bool,
}

fn lock(s: &Store) -> std::sync::MutexGuard<'_, Vec<(i64, String)>> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

fn streams(lines: &[(i64, String)]) -> String {
    let values: Vec<_> = lines.iter().map(|(t, l)| serde_json::json!([t.to_string(), l])).collect();
    serde_json::json!({"streams": [{"stream": {"service": "api"}, "values": values}]}).to_string()
}

async fn query_range(State(f): State<Fake>, Query(q): Query<HashMap<String, String>>) -> Response {
    if q.get("query").map(String::as_str) != Some("{service=\"api\"}") {
        return (StatusCode::BAD_REQUEST, "unexpected query").into_response();
    }
    let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let (start, end, limit) = (num("start"), num("end"), num("limit") as usize);
    let mut lines: Vec<(i64, String)> =
        lock(&f.store).iter().filter(|(t, _)| *t >= start && *t < end).cloned().collect();
    if q.get("direction").map(String::as_str) != Some("forward") {
        lines.reverse();
    }
    lines.truncate(limit);
    let values: Vec<_> = lines.iter().map(|(t, l)| serde_json::json!([t.to_string(), l])).collect();
    let body = serde_json::json!({"status": "success", "data": {"resultType": "streams",
        "result": [{"stream": {"service": "api"}, "values": values}]}});
    ([(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn tail(
    State(f): State<Fake>,
    Query(q): Query<HashMap<String, String>>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Some(ws) = ws.ok().filter(|_| f.websocket) else {
        // What a proxy that does not pass websockets answers.
        return (StatusCode::BAD_REQUEST, "websocket: the client is not using the websocket protocol").into_response();
    };
    let start = q.get("start").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    ws.on_upgrade(move |socket| send_tail(socket, f.store, start))
}

/// Sends every stored line from `start` (inclusive, so the lines the client
/// already has at that nanosecond come again), then whatever is added.
async fn send_tail(mut socket: WebSocket, store: Store, start: i64) {
    let mut sent = 0;
    loop {
        let batch: Vec<(i64, String)> = {
            let all = lock(&store);
            let new: Vec<_> = all.iter().skip(sent).filter(|(t, _)| *t >= start).cloned().collect();
            sent = all.len();
            new
        };
        if !batch.is_empty() && socket.send(Message::Text(streams(&batch).into())).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn start(websocket: bool, lines: &[(i64, &str)]) -> (LokiClient, Store) {
    let store: Store = Arc::new(Mutex::new(lines.iter().map(|(t, l)| (*t, l.to_string())).collect()));
    let app = Router::new()
        .route(
            "/loki/api/v1/labels",
            get(|| async { axum::Json(serde_json::json!({"status": "success", "data": ["service", "filename"]})) }),
        )
        .route("/loki/api/v1/query_range", get(query_range))
        .route("/loki/api/v1/tail", get(tail))
        .with_state(Fake { store: store.clone(), websocket });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = HttpClient::new(&Endpoint::from_url(&url)).unwrap();
    (LokiClient::new(http, "loki"), store)
}

fn spec(limit: u32) -> FollowSpec {
    let labels: Labels = [("alertname", "HighErrorRate"), ("service", "api"), ("job", "api-job")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let template = ["service", "app", "job"].iter().map(|s| s.to_string()).collect();
    FollowSpec {
        generation: 7,
        query: QuerySpec::Alert { labels, template },
        start_ns: 1,
        settings: FollowSettings { limit, poll_every: Duration::from_millis(30), ..FollowSettings::default() },
    }
}

/// Collects batches until `done` says so, or fails after 5 s.
async fn collect(
    rx: &mut mpsc::UnboundedReceiver<LogBatch>,
    all: &mut Vec<LogBatch>,
    done: impl Fn(&[LogBatch]) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !done(all) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(b)) => all.push(b),
            _ => panic!("timed out; batches so far: {all:#?}"),
        }
    }
}

fn texts(batches: &[LogBatch]) -> Vec<String> {
    batches.iter().flat_map(|b| b.lines.iter().map(|l| l.line.clone())).collect()
}

fn push(store: &Store, lines: &[(i64, &str)]) {
    lock(store).extend(lines.iter().map(|(t, l)| (*t, l.to_string())));
}

const FIRST: &[(i64, &str)] = &[(10, "a"), (20, "b"), (30, "c1"), (30, "c2")];
const LATER: &[(i64, &str)] = &[(30, "c3 late at the same ns"), (40, "d"), (50, "e1"), (50, "e2")];

async fn run(websocket: bool) -> Vec<LogBatch> {
    let (client, store) = start(websocket, FIRST).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = follow(client, spec(4), move |b| tx.send(b).is_ok());
    let mut all = Vec::new();
    collect(&mut rx, &mut all, |b| {
        b.iter().any(|b| b.kind == BatchKind::Initial) && b.iter().any(|b| b.mode.is_some())
    })
    .await;
    push(&store, LATER);
    collect(&mut rx, &mut all, |b| texts(b).len() >= FIRST.len() + LATER.len()).await;
    push(&store, &[(60, "f")]);
    collect(&mut rx, &mut all, |b| texts(b).contains(&"f".to_string())).await;
    // A moment more for any duplicate to show up.
    tokio::time::sleep(Duration::from_millis(150)).await;
    while let Ok(b) = rx.try_recv() {
        all.push(b);
    }
    task.abort();
    all
}

fn check(all: &[LogBatch]) {
    assert!(all.iter().all(|b| b.generation == 7));
    assert_eq!(all[0].kind, BatchKind::Resolved);
    assert_eq!(all[0].query.as_deref(), Some("{service=\"api\"}"), "job is not among Loki's labels");
    let initial = all.iter().find(|b| b.kind == BatchKind::Initial).unwrap();
    let first: Vec<&str> = initial.lines.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(first, ["a", "b", "c1", "c2"], "oldest first");
    assert_eq!(
        texts(all),
        ["a", "b", "c1", "c2", "c3 late at the same ns", "d", "e1", "e2", "f"],
        "every line once, none repeated"
    );
    assert!(all.iter().all(|b| b.error.is_none()), "{all:#?}");
}

#[tokio::test]
async fn follows_through_the_tail_websocket() {
    let all = run(true).await;
    check(&all);
    assert!(all.iter().any(|b| b.mode == Some(FollowMode::Tail)));
}

#[tokio::test]
async fn falls_back_to_polling_when_the_websocket_is_refused() {
    let all = run(false).await;
    check(&all);
    let reason = all.iter().find_map(|b| match &b.mode {
        Some(FollowMode::Poll { reason }) => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(
        reason.as_deref(),
        Some("websocket refused: HTTP 400: websocket: the client is not using the websocket protocol")
    );
}

#[tokio::test]
async fn a_rejected_query_stops_with_loki_words() {
    let (client, _store) = start(true, FIRST).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut s = spec(10);
    s.query = QuerySpec::LogQl("{service=\"other\"}".into());
    let _task = follow(client, s, move |b| tx.send(b).is_ok());
    let mut all = Vec::new();
    collect(&mut rx, &mut all, |b| b.iter().any(|b| b.ended)).await;
    let last = all.last().unwrap();
    assert_eq!(last.error.as_ref().unwrap().to_string(), "HTTP 400: unexpected query");
}

#[tokio::test]
async fn an_alert_loki_knows_nothing_about_says_so() {
    let (client, _store) = start(true, FIRST).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut s = spec(10);
    s.query = QuerySpec::Alert { labels: Labels::new(), template: vec!["service".into()] };
    let _task = follow(client, s, move |b| tx.send(b).is_ok());
    let mut all = Vec::new();
    collect(&mut rx, &mut all, |b| b.iter().any(|b| b.ended)).await;
    assert!(all[0].error.as_ref().unwrap().to_string().contains("Loki knows none of the alert's labels (service)"));
}

#[tokio::test]
async fn a_burst_arrives_in_few_batches_and_bounded() {
    // The follower resumes after the newest line it has: seed one, older than the burst.
    let (client, store) = start(true, &[(1, "seed")]).await;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut s = spec(100);
    s.settings.max_pending = 10_000;
    let task = follow(client, s, move |b| tx.send(b).is_ok());
    let mut all = Vec::new();
    collect(&mut rx, &mut all, |b| b.iter().any(|b| b.mode == Some(FollowMode::Tail))).await;
    let started = tokio::time::Instant::now();
    for chunk in 0..200 {
        let lines: Vec<(i64, String)> =
            (0..500).map(|i| (100 + chunk * 500 + i, format!("burst {}", chunk * 500 + i))).collect();
        lock(&store).extend(lines);
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let total = |b: &[LogBatch]| {
        b.iter().filter(|b| b.kind == BatchKind::Live).map(|b| b.lines.len() as u64 + b.skipped).sum::<u64>()
    };
    collect(&mut rx, &mut all, |b| total(b) >= 100_000).await;
    let elapsed = started.elapsed();
    task.abort();
    let live: Vec<&LogBatch> = all.iter().filter(|b| b.kind == BatchKind::Live && !b.lines.is_empty()).collect();
    assert_eq!(total(&all), 100_000);
    assert!(live.iter().all(|b| b.lines.len() <= 10_000), "a batch never holds more than the view keeps");
    let most = elapsed.as_millis() / 50 + 3;
    assert!((live.len() as u128) <= most, "{} batches in {elapsed:?}", live.len());
    assert_eq!(live.last().unwrap().lines.last().unwrap().line, "burst 99999");
}
