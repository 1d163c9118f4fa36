//! A tiny scrape target: serves `/metrics` in the Prometheus text format with
//! values the test sets, and can stop answering to make a gap in the series.
//!
//! It runs on the test's tokio runtime; use `#[tokio::test(flavor =
//! "multi_thread")]` so it keeps serving while `Prometheus::start` blocks.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio_util::sync::CancellationToken;

#[derive(Default)]
struct Shared {
    /// Rendered series (`name{a="b"}`) → value; ordered so output is stable.
    series: Mutex<BTreeMap<String, f64>>,
    stopped: AtomicBool,
}

pub struct Exporter {
    /// Where it listens; pass `addr.to_string()` as a scrape target.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
}

impl Exporter {
    /// Binds 127.0.0.1 on an ephemeral port and starts serving.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the test exporter on 127.0.0.1");
        let addr = listener.local_addr().expect("exporter local address");
        let shared = Arc::new(Shared::default());
        let shutdown = CancellationToken::new();
        let app = Router::new().route("/metrics", get(metrics)).with_state(Arc::clone(&shared));
        let stop = shutdown.clone().cancelled_owned();
        tokio::spawn(async move {
            // A serve error only means the test is over: nothing to report.
            let _ = axum::serve(listener, app).with_graceful_shutdown(stop).await;
        });
        Exporter { addr, shared, shutdown }
    }

    /// `127.0.0.1:PORT`, the form `PromConfig::scrape_targets` wants.
    pub fn target(&self) -> String {
        self.addr.to_string()
    }

    /// Sets (or creates) the series `name{labels}` to `value`.
    /// Panics on a name or label name Prometheus would reject (a test bug).
    pub fn set(&self, metric_line_name: &str, labels: &[(&str, &str)], value: f64) {
        let key = series_key(metric_line_name, labels);
        let mut series = self.shared.series.lock().unwrap_or_else(|e| e.into_inner());
        series.insert(key, value);
    }

    /// Stops serving: the listener closes and open connections are answered
    /// 503, so the next scrape fails (`up` = 0, series go stale → a gap).
    pub fn stop(&self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.shutdown.cancel();
    }
}

impl Drop for Exporter {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn metrics(State(shared): State<Arc<Shared>>) -> Response {
    if shared.stopped.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let series = shared.series.lock().unwrap_or_else(|e| e.into_inner());
    let body: String = series.iter().map(|(key, value)| format!("{key} {}\n", format_value(*value))).collect();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response()
}

fn series_key(name: &str, labels: &[(&str, &str)]) -> String {
    assert!(valid_name(name, true), "invalid metric name {name:?}");
    let mut sorted: Vec<_> = labels.to_vec();
    sorted.sort();
    let rendered: Vec<String> = sorted
        .iter()
        .map(|(k, v)| {
            assert!(valid_name(k, false), "invalid label name {k:?}");
            format!("{k}=\"{}\"", escape_label_value(v))
        })
        .collect();
    if rendered.is_empty() { name.to_string() } else { format!("{name}{{{}}}", rendered.join(",")) }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*` for metrics; labels may not contain `:`.
fn valid_name(name: &str, colon_ok: bool) -> bool {
    let ok = |c: char, first: bool| {
        c.is_ascii_alphabetic() || c == '_' || (colon_ok && c == ':') || (!first && c.is_ascii_digit())
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| ok(c, true)) && chars.all(|c| ok(c, false))
}

/// The text format escapes `\`, `"` and newline in label values.
fn escape_label_value(v: &str) -> String {
    v.replace('\\', r"\\").replace('"', "\\\"").replace('\n', r"\n")
}

/// Go's spelling of special floats, which Prometheus' parser expects.
fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v == f64::INFINITY {
        "+Inf".to_string()
    } else if v == f64::NEG_INFINITY {
        "-Inf".to_string()
    } else {
        v.to_string()
    }
}
