//! The post-mortem's charts against a real Prometheus on loopback (the
//! test suite's, `$WARROOM_TEST_PROMETHEUS` or Debian's): an incident of 10
//! alerts and 10 pinned graphs, each alert's rule looked up and each chart's
//! data fetched once (at most 5 series × 1 000 points), drawn as SVG and
//! written with its index. Measures the whole `app::export::draw`, p50 and
//! max over the runs, and the SVG bytes.
//!
//! `cargo bench --bench export` for the figures (20 runs); `cargo test
//! --all-targets` runs it once (2 runs).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use chrono::Utc;
use support::{PromConfig, Prometheus};
use warroom::app::export::draw;
use warroom::incident::{Event, Record};
use warroom::sources::{Endpoint, HttpClient, PrometheusClient};

const ALERTS: usize = 10;
const PINS: usize = 10;

fn rules() -> String {
    let mut y = String::from("groups:\n  - name: bench\n    rules:\n");
    for i in 0..ALERTS {
        y.push_str(&format!(
            "      - alert: Bench{i}\n        expr: sum by (handler) (rate(prometheus_http_requests_total[1m])) >= 0\n        labels: {{severity: warning}}\n"
        ));
    }
    y
}

fn incident(now: chrono::DateTime<Utc>) -> Vec<Record> {
    let at = |min: i64| now - chrono::Duration::minutes(min);
    let mut n = 0;
    let mut rec = |min: i64, event: Event| {
        n += 1;
        Record::new(at(min), "alice", event).with_id(format!("01JDX3ZC8Q4M5T0V6B7N8P{n:04}@bench"), "bench")
    };
    let mut out = vec![rec(
        20,
        Event::Declared { title: "bench".into(), severity: "critical".into(), commander: "alice".into() },
    )];
    for i in 0..ALERTS {
        out.push(rec(
            25,
            Event::AlertFired {
                fingerprint: format!("f{i}"),
                alertname: format!("Bench{i}"),
                severity: "warning".into(),
                labels: Default::default(),
                summary: String::new(),
                runbook_url: None,
            },
        ));
    }
    let queries = [
        "rate(prometheus_http_requests_total[1m])",
        "process_resident_memory_bytes",
        "go_goroutines",
        "rate(process_cpu_seconds_total[1m])",
        "prometheus_tsdb_head_series",
    ];
    for i in 0..PINS {
        out.push(rec(
            5,
            Event::PinnedGraph {
                title: format!("pin {i}"),
                query: queries[i % queries.len()].into(),
                sparkline: String::new(),
                min: None,
                max: None,
                unit: String::new(),
                from: at(30),
                to: at(0),
            },
        ));
    }
    out
}

fn main() {
    let runs = if std::env::args().any(|a| a == "--bench") { 20 } else { 2 };
    let prom = Prometheus::start(PromConfig { rules: rules(), ..PromConfig::default() });
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let client = PrometheusClient::new(HttpClient::new(&Endpoint::from_url(&prom.url)).expect("client"), "bench");
    // Prometheus scrapes itself a few seconds after start: every chart's
    // query (rates need two samples) has data before the clock starts.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !rt.block_on(client.query("rate(process_cpu_seconds_total[1m])", None)).is_ok_and(|s| !s.is_empty()) {
        assert!(Instant::now() < deadline, "Prometheus has no data after 60 s");
        std::thread::sleep(Duration::from_millis(250));
    }
    // A range query's last step can be up to one step before now: a few
    // more samples so that it holds two as well.
    std::thread::sleep(Duration::from_secs(5));
    let dir = tempfile::tempdir().expect("dir");
    let mut times = Vec::new();
    let mut bytes = 0;
    for _ in 0..runs {
        let now = Utc::now();
        let records = incident(now);
        let t0 = Instant::now();
        let utc = warroom::incident::intent::TimeDisplay::Utc;
        let drawn = rt.block_on(draw(std::slice::from_ref(&client), &records, dir.path(), now, utc)).expect("drawn");
        times.push(t0.elapsed());
        assert_eq!(drawn.drawn(), ALERTS + PINS, "every chart drawn: {:?}", drawn.missing());
        bytes = std::fs::read_dir(dir.path().join("charts"))
            .expect("charts")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".svg"))
            .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
            .sum::<u64>();
    }
    times.sort();
    println!(
        "export charts: {} alerts + {} pins against Prometheus: p50 {:.0} ms, max {:.0} ms over {runs} runs; {} SVGs, {} KiB",
        ALERTS,
        PINS,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        ALERTS + PINS,
        bytes / 1024
    );
}
