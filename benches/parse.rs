//! Parsing a 10 000-alert answer (about 10 MB): Alertmanager's and
//! Prometheus' parsers on the bytes, and the whole fetch (HTTP on loopback,
//! read under the cap, secret redaction scan, parse) from a local axum
//! server through `AlertmanagerClient::alerts`. Target: under 50 ms.

mod support;

use std::time::Duration;

use criterion::{Criterion, Throughput};
use warroom::sources::{AlertmanagerClient, AnswerCache, Body, Endpoint, HttpClient, PrometheusClient, SecretRef};

const ALERTS: usize = 10_000;

fn body(bytes: Vec<u8>) -> Body {
    Body { status: 200, content_type: "application/json".into(), bytes, elapsed: Duration::ZERO, ..Default::default() }
}

/// Serves `bytes` on `GET /api/v2/alerts` from 127.0.0.1:0.
fn serve(rt: &tokio::runtime::Runtime, bytes: Vec<u8>) -> String {
    use axum::routing::get;
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("address");
    let app = axum::Router::new().route(
        "/api/v2/alerts",
        get(move || {
            let b = bytes.clone();
            async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], b) }
        }),
    );
    rt.spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn bench(c: &mut Criterion) {
    let now = chrono::Utc::now();
    let am_bytes = support::am_json(ALERTS, now);
    let prom_bytes = support::prom_json(ALERTS, now);
    println!("Alertmanager answer: {} bytes; Prometheus answer: {} bytes", am_bytes.len(), prom_bytes.len());
    let dummy = || HttpClient::new(&Endpoint::from_url("http://127.0.0.1:9")).expect("client");
    let am = AlertmanagerClient::new(dummy(), "am");
    let prom = PrometheusClient::new(dummy(), "prom");

    let mut group = c.benchmark_group("parse_10k_alerts");
    group.sample_size(20).throughput(Throughput::Bytes(am_bytes.len() as u64));
    let am_body = body(am_bytes.clone());
    // Parsing, without freeing the 10 000 parsed alerts (as long again: see
    // "parse + free" below, and criterion's `iter_with_large_drop`).
    group.bench_function("alertmanager", |b| b.iter_with_large_drop(|| am.parse_alerts(&am_body).expect("parses")));
    group.bench_function("alertmanager, parse + free", |b| b.iter(|| am.parse_alerts(&am_body).expect("parses")));
    let prom_body = body(prom_bytes);
    group.bench_function("prometheus", |b| {
        b.iter_with_large_drop(|| prom.parse_alerts(&prom_body, chrono::Utc::now()).expect("parses"))
    });

    // The poller's path (in its task, off the event loop): an identical
    // answer is hashed, not parsed; a changed one is parsed and its
    // unchanged alerts keep the last answer's `Arc`s.
    let mut cache = AnswerCache::default();
    cache.alerts(&am_body, |b| am.parse_alerts_limited::<{ warroom::sources::capped::MAX_ALERTS }>(b)).expect("parses");
    group.bench_function("alertmanager, poller: identical answer", |b| {
        b.iter(|| {
            cache
                .alerts(&am_body, |b| am.parse_alerts_limited::<{ warroom::sources::capped::MAX_ALERTS }>(b))
                .expect("parses")
        })
    });
    let mut changed = am_body.clone();
    let at = changed.bytes.iter().position(|&c| c == b'.').expect("a dot");
    let bodies = [am_body.clone(), {
        changed.bytes[at + 1] = b'9';
        changed
    }];
    let mut n = 0;
    group.bench_function("alertmanager, poller: one alert changed", |b| {
        b.iter(|| {
            n += 1;
            cache
                .alerts(&bodies[n % 2], |b| am.parse_alerts_limited::<{ warroom::sources::capped::MAX_ALERTS }>(b))
                .expect("parses")
        })
    });

    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let url = serve(&rt, am_bytes);
    // With a bearer token configured, so the redaction scan runs as in production.
    std::fs::write(std::env::temp_dir().join("warroom-bench-token"), "bench-token-not-secret").expect("token file");
    let ep = Endpoint {
        bearer_token: Some(SecretRef {
            file: Some(std::env::temp_dir().join("warroom-bench-token")),
            ..Default::default()
        }),
        ..Endpoint::from_url(&url)
    };
    let client = AlertmanagerClient::new(HttpClient::new(&ep).expect("client"), "am");
    group.bench_function("alertmanager over HTTP (fetch + parse)", |b| {
        b.iter(|| rt.block_on(client.alerts()).expect("fetches"))
    });
    group.finish();

    println!("\nsingle 10 000-alert answers (target: 50 ms)");
    support::percentiles_of("parse alertmanager", 50, || am.parse_alerts(&am_body));
    support::percentiles("parse + free alertmanager", 50, || drop(am.parse_alerts(&am_body)));
    support::percentiles("fetch + parse alertmanager over HTTP", 50, || drop(rt.block_on(client.alerts())));
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
