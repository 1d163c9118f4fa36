//! Issue 15 item 1: a Prometheus that rejects range queries (real 2.42 with
//! `--query.max-samples=5`: every one answered 422) got 34 201 of them in
//! 20 s from one console; a fake answering 503 with a 50 MB body got ~100 a
//! second, each body read whole. A failed query backs off per query and per
//! endpoint, a rejected one is not asked again, and an error body is read
//! only as far as its start.

mod robustness_support;
mod support;

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use robustness_support::hostile::{Hostile, Mode};
use support::{PromConfig, Prometheus};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::msg::Msg;
use warroom::sources::Endpoint;

const REFRESH: Duration = Duration::from_millis(500);

fn config(prom: Endpoint) -> Config {
    Config { refresh: REFRESH, prometheus: vec![prom], ..Config::default() }
}

/// Runs the console for `secs`, drawing as it goes (what is drawn is what
/// range queries are planned for), its clock ticking as `warroom` does.
async fn run_for(console: &mut Console, secs: f64) {
    let tx = console.sender();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            if tx.send(Msg::Tick(chrono::Utc::now())).is_err() {
                return;
            }
        }
    });
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("a test terminal");
    let deadline = tokio::time::Instant::now() + Duration::from_secs_f64(secs);
    loop {
        console.draw(&mut terminal).expect("draw");
        match tokio::time::timeout_at(deadline, console.next()).await {
            Ok(Some(msg)) => {
                console.handle(msg);
            }
            Ok(None) => panic!("the console's channel closed"),
            Err(_) => {
                ticker.abort();
                return;
            }
        }
    }
}

/// `prometheus_http_requests_total{handler="/api/v1/query_range"}`, every
/// code summed, from the server's own `/metrics` (not scraped: exact now).
async fn range_requests(prom: &Prometheus) -> f64 {
    let text = support::api::client()
        .get(format!("{}/metrics", prom.url))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .filter(|l| l.starts_with("prometheus_http_requests_total{") && l.contains("handler=\"/api/v1/query_range\""))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prometheus_rejecting_every_range_query_gets_a_few_not_a_storm() {
    let prom = Prometheus::start(PromConfig { flags: vec!["--query.max-samples=5".into()], ..PromConfig::default() });
    let mut console = Console::start(&config(Endpoint::from_url(&prom.url)), Options::default()).unwrap();
    // AlwaysFiring fires after 2 s; its rule's expression is a sparkline.
    robustness_support::run_until(&mut console, "AlwaysFiring and its rule", 40, |c| {
        c.state.alerts.alerts.iter().any(|b| b.alert.name() == support::alerts::ALWAYS_FIRING)
            && !c.state.signals.rules.is_empty()
    })
    .await;
    run_for(&mut console, 2.0).await;
    let warm = range_requests(&prom).await;
    assert!(warm >= 1.0, "the console asked for its sparklines: {warm}");
    let rejected = console.state.signals.cache.values().filter(|c| c.tries.rejected).count();
    assert!(rejected >= 1, "Prometheus' 422 marks the query rejected");
    let seconds = 6.0;
    run_for(&mut console, seconds).await;
    let after = range_requests(&prom).await;
    let intervals = seconds / REFRESH.as_secs_f64();
    eprintln!("range queries: {warm} in the first seconds, {} in the next {intervals} refresh intervals", after - warm);
    assert!(after - warm <= 2.0, "a rejected query is not asked again: {} more after {warm}", after - warm);
    assert!(warm <= 20.0, "one request per query shown, not a storm: {warm}");
}

/// A fake Prometheus: its alerts and rules healthy, every range query
/// answered `status` with a `len`-byte body.
async fn fake(status: u16, len: usize) -> (Hostile, Console) {
    let server = Hostile::start(Mode::RangeFails { status, len }).await;
    let console = Console::start(&config(Endpoint::from_url(&server.url())), Options::default()).unwrap();
    (server, console)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fake_answering_503_with_50_mb_is_backed_off_and_its_body_not_read() {
    let (server, mut console) = fake(503, 50 << 20).await;
    robustness_support::run_until(&mut console, "a first range query", 20, |_| server.range_hits() > 0).await;
    let seconds = 6.0;
    run_for(&mut console, seconds).await;
    let (hits, bytes) = (server.range_hits(), server.range_bytes());
    eprintln!("503: {hits} range queries, {} KiB of their bodies written in {seconds} s", bytes >> 10);
    // The endpoint backs off 1 s, 2 s, 4 s: a handful, not 100 a second.
    assert!(hits <= 12, "{hits} range queries in {seconds} s against a 503");
    assert!(bytes < 50 << 20, "not one whole 50 MB error body was read: {} MiB written", bytes >> 20);
    let failing = console.state.signals.cache.values().filter(|c| c.tries.error.is_some()).count();
    assert!(failing >= 1 && console.state.signals.cache.values().all(|c| !c.tries.rejected), "503 is not a rejection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fake_answering_400_is_asked_each_query_once() {
    let (server, mut console) = fake(400, 1 << 20).await;
    robustness_support::run_until(&mut console, "a first range query", 20, |_| server.range_hits() > 0).await;
    run_for(&mut console, 2.0).await;
    let first = server.range_hits();
    run_for(&mut console, 4.0).await;
    let hits = server.range_hits();
    eprintln!("400: {first} range queries, then {} more", hits - first);
    assert!(first <= 12, "one per query shown: {first}");
    assert_eq!(hits, first, "a rejected query is not asked again");
    assert!(console.state.signals.cache.values().any(|c| c.tries.rejected));
}
