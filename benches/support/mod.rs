//! What the benches share: realistic alerts (about 1 KB each in
//! Alertmanager's JSON, as in production), the board built from them, and
//! percentiles of single-shot timings.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use warroom::model::{Alert, Labels, SharedAlerts, fingerprint, share};
use warroom::msg::{Msg, Payload, PollResult, SourceId, SourceKind};
use warroom::state::{Setup, State, update};

pub const AM: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

const NAMES: &[&str] = &[
    "HighErrorRate",
    "HighLatencyP99",
    "TargetDown",
    "DiskWillFillIn4Hours",
    "KubePodCrashLooping",
    "KubeDeploymentReplicasMismatch",
    "NodeMemoryHighUtilization",
    "PostgresReplicationLag",
    "CertificateExpiry",
    "KafkaConsumerLag",
    "RedisRejectedConnections",
    "NginxHigh5xx",
];
const SEVERITIES: &[&str] = &["critical", "warning", "warning", "info"];

fn labels(i: usize) -> Labels {
    let name = NAMES[i % NAMES.len()];
    [
        ("alertname", name.to_string()),
        ("severity", SEVERITIES[i % SEVERITIES.len()].to_string()),
        ("service", format!("svc-{}", i % 40)),
        ("namespace", format!("team-{}", i % 9)),
        ("cluster", format!("prod-eu-west-{}", i % 3)),
        ("instance", format!("10.{}.{}.{}:9100", i / 65536 % 256, i / 256 % 256, i % 256)),
        ("pod", format!("{name}-{i:06}-7f9c5d").to_lowercase()),
        ("job", "kubernetes-pods".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn annotations(i: usize) -> Labels {
    let name = NAMES[i % NAMES.len()];
    [
        ("summary", format!("{name} on svc-{} in prod-eu-west-{}: 5m rate above threshold", i % 40, i % 3)),
        (
            "description",
            format!(
                "The 5-minute error ratio of svc-{} has been above 5% for 10 minutes (current value {:.2}%). \
                 Check recent deploys, upstream dependencies and the saturation dashboards before paging the owner team.",
                i % 40,
                5.0 + (i % 97) as f64 / 10.0
            ),
        ),
        ("runbook_url", format!("https://runbooks.example.com/{}", name.to_lowercase())),
        ("dashboard", format!("https://grafana.example.com/d/svc-{}", i % 40)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

pub fn start(i: usize, now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::seconds((i as i64 * 37) % 86_400)
}

/// `n` alerts as the Alertmanager client returns them.
pub fn alerts(n: usize, now: DateTime<Utc>) -> Vec<Alert> {
    (0..n)
        .map(|i| {
            let labels = labels(i);
            Alert {
                annotations: annotations(i),
                ends_at: Some(now + chrono::Duration::hours(1)),
                updated_at: Some(now),
                generator_url: Some(format!("http://prometheus.example:9090/graph?g0.expr=rate%28x%5B5m%5D%29&i={i}")),
                receivers: vec!["team-pager".into()],
                ..Alert::firing(labels, start(i, now), "am")
            }
        })
        .collect()
}

/// `GET /api/v2/alerts` for `n` alerts, as Alertmanager 0.25 writes it.
pub fn am_json(n: usize, now: DateTime<Utc>) -> Vec<u8> {
    let list: Vec<Value> = (0..n)
        .map(|i| {
            let labels = labels(i);
            json!({
                "annotations": annotations(i),
                "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "fingerprint": fingerprint(&labels),
                "receivers": [{"name": "team-pager"}],
                "startsAt": start(i, now).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "status": {"inhibitedBy": [], "silencedBy": [], "state": "active"},
                "updatedAt": now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "generatorURL": format!("http://prometheus.example:9090/graph?g0.expr=rate%28x%5B5m%5D%29&i={i}"),
                "labels": labels,
            })
        })
        .collect();
    serde_json::to_vec(&list).expect("serialize")
}

/// `GET /api/v1/alerts` for `n` alerts, as Prometheus 2.42 writes it.
pub fn prom_json(n: usize, now: DateTime<Utc>) -> Vec<u8> {
    let list: Vec<Value> = (0..n)
        .map(|i| {
            json!({"labels": labels(i), "annotations": annotations(i), "state": "firing",
                   "activeAt": start(i, now).to_rfc3339(), "value": "1.2e+01"})
        })
        .collect();
    serde_json::to_vec(&json!({"status": "success", "data": {"alerts": list}})).expect("serialize")
}

/// A board holding `n` alerts from one Alertmanager.
pub fn board(n: usize) -> State {
    let now = Utc::now();
    let setup = Setup { sources: vec![(AM, "am".into())], group_by: "alertname".into(), ..Setup::default() };
    let mut state = State::new(setup, Default::default(), Default::default(), now);
    update(&mut state, poll(share(alerts(n, now))));
    state
}

pub fn poll(alerts: SharedAlerts) -> Msg {
    let result = Ok(Payload::AmAlerts(alerts));
    Msg::Poll(Box::new(PollResult { source: AM, at: Utc::now(), latency: Duration::from_millis(4), result }))
}

/// Whether this is a `cargo test` run (each bench once): `cargo bench`
/// passes `--bench`, as criterion itself checks.
pub fn test_mode() -> bool {
    !std::env::args().any(|a| a == "--bench")
}

/// Times `f` `n` times one by one and prints p50, p99 and max: criterion
/// reports means, and the targets are on the tail.
pub fn percentiles(name: &str, n: usize, f: impl FnMut()) {
    percentiles_of(name, n, f);
}

/// As [`percentiles`], timing what `f` does but not the drop of what it
/// returns (freeing a parsed answer is not parsing it; it is measured apart).
pub fn percentiles_of<T>(name: &str, n: usize, mut f: impl FnMut() -> T) {
    let n = if test_mode() { 3 } else { n };
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            let out = f();
            let took = t.elapsed();
            drop(out);
            took
        })
        .collect();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<40} n={n:<5} p50 {:>9.3?}  p99 {:>9.3?}  max {:>9.3?}",
        at(0.50),
        at(0.99),
        times[times.len() - 1]
    );
}

/// Opens an incident as the journal would answer it (empty), so that polls
/// also diff the board for the timeline.
pub fn open_incident(state: &mut State) {
    let read = warroom::incident::ReadOutcome { records: Vec::new(), warnings: Vec::new() };
    update(state, Msg::Incident(warroom::msg::IncidentMsg::Loaded { id: "bench".into(), read }));
}

/// Log lines of the benches: 100 000 lines, about 150 bytes each.
pub const LOG_LINES: usize = 100_000;
pub const LOG_T0: i64 = 1_795_348_800_000_000_000;

pub fn log_text(i: usize) -> String {
    let level = ["info", "info", "info", "warn", "error", "debug"][i % 6];
    format!(
        "ts=2026-11-22T12:00:00.{:06}Z level={level} caller=handler.go:{} msg=\"request served\" path=/api/orders/{} status={} duration={}ms",
        i % 1_000_000,
        i % 400,
        i,
        if level == "error" { 503 } else { 200 },
        i % 250
    )
}

pub fn log_lines() -> Vec<warroom::sources::loki::LogLine> {
    let labels: std::sync::Arc<Labels> = std::sync::Arc::new([("service".to_string(), "api".to_string())].into());
    (0..LOG_LINES)
        .map(|i| warroom::sources::loki::LogLine {
            ts_ns: LOG_T0 + i as i64 * 10_000,
            labels: labels.clone(),
            metadata: Labels::new(),
            parsed: Labels::new(),
            line: log_text(i),
        })
        .collect()
}

/// This process's proportional set size, from `/proc/self/smaps_rollup`.
pub fn pss_mib() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
    let line = text.lines().find(|l| l.starts_with("Pss:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}
