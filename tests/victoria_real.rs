//! The console against VictoriaMetrics, a second implementation of the
//! Prometheus API: single-node VictoriaMetrics scraping the test exporter,
//! vmalert evaluating the same rules as the Prometheus tests (remote write and
//! read back into VictoriaMetrics, notifying a real Alertmanager), its rules
//! and alerts served through VictoriaMetrics (`-vmalert.proxyURL`). One URL,
//! configured as a user would: the board with its pending alerts, each rule's
//! sparkline, the golden signals, `:query` and `warroom check`.
//! Runs on bookworm's VictoriaMetrics 1.79 and on unstable's current one
//! (`$WARROOM_TEST_VICTORIAMETRICS`, `$WARROOM_TEST_VMALERT`).

mod support;

use std::time::Duration;

use support::api::{client, get_json};
use support::console::{board_names, detail_spark, run_drawn_until, run_until, screen, spark_cells, type_command};
use support::{Alertmanager, Exporter, VictoriaMetrics, VmConfig, alerts, dead_target, wait_for};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::model::AlertState;
use warroom::sources::Endpoint;
use warroom::state::signals::{SignalTemplate, Unit};

/// vmalert evaluates every second and notifies at once; generous for a
/// loaded two-core machine.
const TIMEOUT_SECS: u64 = 60;
const SIZE: (u16, u16) = (200, 40);

fn config(vm: &str, am: &str) -> Config {
    Config {
        refresh: Duration::from_millis(300),
        prometheus: vec![Endpoint::from_url(vm)],
        alertmanager: vec![Endpoint::from_url(am)],
        signal_window: Duration::from_secs(30),
        signals: vec![SignalTemplate {
            name: "load".into(),
            query: "warroom_test_load{service=\"{{service}}\"}".into(),
            unit: Unit::None,
        }],
        ..Config::default()
    }
}

/// The samples the console holds for the sparkline of `name`'s rule: the
/// rule (from `/api/v1/rules`) graphed, the series that belongs to the alert.
fn rule_samples(c: &Console, name: &str) -> usize {
    let Some(board) = c.state.alerts.alerts.iter().find(|b| b.alert.name() == name) else { return 0 };
    let Some(rule) = c.state.signals.rule_for(&board.alert) else { return 0 };
    let graphed = c.state.signals.graphed(&rule.query);
    let keys = c.state.signals.cache.keys().filter(|k| k.query == graphed);
    keys.filter_map(|k| c.state.signals.alert_series(&board.alert, k)).map(|s| s.samples.len()).max().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn board_pending_sparklines_signals_and_query_through_victoriametrics() {
    let exporter = Exporter::start().await;
    exporter.set("warroom_test_load", &[("service", "api")], 1.0);
    let am = Alertmanager::start();
    let vm = VictoriaMetrics::start(VmConfig {
        scrape_targets: vec![exporter.target(), dead_target()],
        ..VmConfig::defaults(&am.url)
    });
    let mut console = Console::start(&config(&vm.url, &am.url), Options::default()).unwrap();

    // The board: firing from Alertmanager (inhibition applied there), pending
    // from vmalert through VictoriaMetrics' /api/v1/alerts.
    run_until(&mut console, "the default alerts on the board", TIMEOUT_SECS, |c| {
        let firing = board_names(c, AlertState::Firing);
        firing.contains(alerts::ALWAYS_FIRING)
            && firing.contains(alerts::TARGET_DOWN)
            && firing.contains(alerts::INFO)
            && board_names(c, AlertState::Inhibited).contains(alerts::INHIBITED)
            && board_names(c, AlertState::Pending).contains(alerts::PENDING)
    })
    .await;
    let pending = console.state.alerts.alerts.iter().find(|b| b.alert.name() == alerts::PENDING).unwrap();
    assert_eq!(pending.alert.labels.get("severity").map(String::as_str), Some("warning"), "{:?}", pending.alert);

    // Rising load while the console runs: each rule's sparkline and the
    // golden signal fill in from range queries against VictoriaMetrics.
    let shown = [alerts::ALWAYS_FIRING, alerts::TARGET_DOWN, alerts::INFO, alerts::PENDING];
    for v in 2..=12 {
        exporter.set("warroom_test_load", &[("service", "api")], f64::from(v));
        support::console::run_for(&mut console, Duration::from_secs(1), SIZE).await;
    }
    run_drawn_until(&mut console, "every rule's sparkline and the load signal", TIMEOUT_SECS, SIZE, |c| {
        let lines = screen(c, SIZE.0, SIZE.1);
        let load = detail_spark(&lines, "load").map_or(0, |s| spark_cells(&s));
        shown.iter().all(|name| rule_samples(c, name) >= 3) && load >= 5
    })
    .await;
    let lines = screen(&mut console, SIZE.0, SIZE.1);
    let text = lines.join("\n");
    // The board is the left pane; grouped by alert name, an alert's row is
    // the line after its group's.
    let board: Vec<&str> = lines.iter().map(|l| l.split("││").next().unwrap_or_default()).collect();
    for name in shown {
        let at = board.iter().position(|l| l.contains(name)).unwrap_or_else(|| panic!("{name} on screen:\n{text}"));
        let row = board[at..=at + 1].join(" ");
        assert!(spark_cells(&row) >= 3, "{name}'s sparkline drawn: {row}\n{text}");
    }
    // vector(1) is flat; the load rose one step a second.
    let row = lines.iter().find(|l| l.contains("CRIT firing")).expect("the critical row");
    assert!(row.contains("▁▁▁"), "{row}");
    let spark = detail_spark(&lines, "load").expect("the load signal");
    let levels: Vec<usize> = spark.chars().filter_map(|c| support::console::LEVELS.find(c)).collect();
    assert!(levels.windows(2).all(|w| w[0] <= w[1]) && levels.last() > levels.first(), "rising: {spark:?}\n{text}");

    // `:query` graphs any expression from VictoriaMetrics.
    type_command(&mut console, "query warroom_test_load * 2");
    let key = console.state.view.chart.as_ref().expect(":query opens the chart").key.clone();
    // Twice the last load (12), once VictoriaMetrics has it.
    let max = |c: &Console| {
        let data = c.state.signals.cache.get(&key).filter(|d| d.tries.error.is_none())?;
        data.series.first()?.samples.iter().map(|(_, v)| *v).reduce(f64::max)
    };
    run_drawn_until(&mut console, "the :query chart's data", TIMEOUT_SECS, SIZE, |c| max(c) == Some(24.0)).await;
    let text = screen(&mut console, SIZE.0, SIZE.1).join("\n");
    assert!(text.contains("warroom_test_load * 2"), "the chart's title: {text}");
}

/// The rules and alerts really come from vmalert through VictoriaMetrics,
/// and its alert states are written back (remote write) as `ALERTS`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vmalert_rules_alerts_and_remote_write_via_victoriametrics() {
    let am = Alertmanager::start();
    let vm = VictoriaMetrics::start(VmConfig::defaults(&am.url));
    let (client, url) = (&client(), vm.url.as_str());
    let rules = get_json(client, &format!("{url}/api/v1/rules")).await.expect("/api/v1/rules through VictoriaMetrics");
    let names: Vec<&str> = rules["data"]["groups"][0]["rules"]
        .as_array()
        .expect("the group's rules")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(names.contains(&alerts::ALWAYS_FIRING) && names.contains(&alerts::PENDING), "{rules}");
    wait_for("ALERTS written back", Duration::from_secs(TIMEOUT_SECS), || async move {
        let q = format!("{url}/api/v1/query?query=ALERTS%7Balertname%3D%22{}%22%7D", alerts::ALWAYS_FIRING);
        let body = get_json(client, &q).await?;
        (body["data"]["result"][0]["metric"]["alertstate"] == "firing").then_some(())
    })
    .await;
}

/// `warroom check` says VictoriaMetrics is up: a version where its build
/// info has one (1.1xx answers a Prometheus-compatible version), "version
/// unknown" where it answers `"data": {}` (1.79), never DOWN.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_victoriametrics_up() {
    let am = Alertmanager::start();
    let vm = VictoriaMetrics::start(VmConfig::default());
    let logs = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["check", "--prometheus", &vm.url, "--alertmanager", &am.url, "--log-file"])
        .arg(logs.path().join("check.log"))
        .env_remove("LOKI_ADDR")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let line = stdout.lines().find(|l| l.contains("prometheus")).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.starts_with("ok"), "{line}");
    let buildinfo = get_json(&client(), &format!("{}/api/v1/status/buildinfo", vm.url)).await.expect("build info");
    match buildinfo["data"]["version"].as_str() {
        Some(version) => assert!(line.contains(version), "{version}: {line}"),
        None => assert!(line.contains(warroom::sources::prometheus::UNKNOWN_VERSION), "{line}"),
    }
}
