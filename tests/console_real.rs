//! The console against real Prometheus and Alertmanager (either generation,
//! see `support::servers`): the board
//! shows what amtool shows, grouped and sorted, with pending alerts from
//! Prometheus; a source stopped mid-run shows down and recovers; `warroom
//! check` reports each source.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use support::console::{board_names, run_until};
use support::{Alertmanager, PromConfig, Prometheus, alerts};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::model::AlertState;
use warroom::msg::SourceKind;
use warroom::sources::{Endpoint, SourceError};
use warroom::state::alerts::Row;
use warroom::state::sources::Health;

fn config(prom: &str, am: &str) -> Config {
    Config {
        refresh: Duration::from_millis(300),
        prometheus: vec![Endpoint::from_url(prom)],
        alertmanager: vec![Endpoint::from_url(am)],
        ..Config::default()
    }
}

fn screen(c: &mut Console) -> String {
    support::console::screen(c, 140, 30).join("\n")
}

fn amtool_names(am: &str) -> BTreeSet<String> {
    let out = support::servers::AMTOOL
        .command()
        .args(["--alertmanager.url", am, "alert", "query", "-o", "json"])
        .output()
        .expect("amtool runs (scripts/install-test-deps.sh installs it)");
    assert!(out.status.success(), "amtool: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().iter().map(|a| a["labels"]["alertname"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn board_matches_amtool_and_survives_prometheus_restart() {
    let am = Alertmanager::start();
    let mut prom = Prometheus::start(PromConfig::defaults(&am.url));
    let mut console = Console::start(&config(&prom.url, &am.url), Options::default()).unwrap();

    run_until(&mut console, "the default alerts on the board", 40, |c| {
        let firing = board_names(c, AlertState::Firing);
        firing.contains(alerts::ALWAYS_FIRING)
            && firing.contains(alerts::TARGET_DOWN)
            && firing.contains(alerts::INFO)
            && board_names(c, AlertState::Inhibited).contains(alerts::INHIBITED)
            && board_names(c, AlertState::Pending).contains(alerts::PENDING)
    })
    .await;

    // What amtool shows (active, not silenced or inhibited) is what the board shows firing.
    assert_eq!(board_names(&console, AlertState::Firing), amtool_names(&am.url));

    // Sorted critical → warning → info, inhibited hidden by default.
    let order: Vec<String> = console
        .state
        .alerts
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Alert(i) => Some(console.state.alerts.alerts[*i].alert.name().to_string()),
            Row::Group { .. } => None,
        })
        .collect();
    assert_eq!(order.first().map(String::as_str), Some(alerts::ALWAYS_FIRING), "{order:?}");
    assert_eq!(order.last().map(String::as_str), Some(alerts::INFO), "{order:?}");
    assert!(!order.iter().any(|n| n == alerts::INHIBITED), "inhibited hidden: {order:?}");
    let text = screen(&mut console);
    assert!(text.contains("CRIT firing") && text.contains("pending"), "{text}");
    assert!(text.contains("1 muted hidden"), "{text}");
    let (a, t) = (text.find("AlwaysFiring").unwrap(), text.find("TargetDown").unwrap());
    assert!(a < t, "critical before warning on screen");

    // Prometheus stops: the console stays up, shows it down, keeps its data.
    // While it shuts down Prometheus 3 answers 503 (a poll in that window is
    // down too); once it is gone every poll is refused: wait for that.
    prom.stop();
    run_until(&mut console, "Prometheus shown down, refusing connections", 20, |c| {
        c.state.contexts.sources.iter().any(|s| {
            s.kind() == SourceKind::Prometheus && matches!(s.health, Health::Down { error: SourceError::Refused, .. })
        })
    })
    .await;
    let pending = console.state.alerts.alerts.iter().find(|b| b.alert.name() == alerts::PENDING).unwrap();
    assert!(pending.stale, "Prometheus-only data marked stale");
    let text = screen(&mut console);
    assert!(text.contains("✖ down") && text.contains("connection refused"), "{text}");
    assert!(text.contains("am 127.0.0.1") && text.contains("● up"), "Alertmanager still up: {text}");

    // And recovers by itself.
    prom.restart();
    run_until(&mut console, "Prometheus back up", 40, |c| {
        c.state.contexts.sources.iter().all(|s| matches!(s.health, Health::Up | Health::Slow(_)))
    })
    .await;
    assert!(screen(&mut console).contains("● up"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_each_source_and_exit_code() {
    let am = Alertmanager::start();
    let mut prom = Prometheus::start(PromConfig::default());
    let logs = tempfile::tempdir().unwrap();
    let check = |prom: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
            .args(["check", "--prometheus", prom, "--alertmanager", &am.url, "--log-file"])
            .arg(logs.path().join("warroom-check-test.log"))
            .env_remove("LOKI_ADDR")
            .output()
            .unwrap()
    };
    let out = check(&prom.url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // The versions the servers' own `--version` print (2.42/0.25 or 3.x/0.28+).
    let (prom_version, am_version) = (support::servers::PROMETHEUS.version(), support::servers::ALERTMANAGER.version());
    let ok_with = |kind: &str, version: &str| {
        stdout.lines().any(|l| l.starts_with("ok") && l.contains(kind) && l.contains(version))
    };
    assert!(ok_with("prometheus", &prom_version), "{prom_version}: {stdout}");
    assert!(ok_with("alertmanager", &am_version), "{am_version}: {stdout}");
    prom.stop();
    let out = check(&prom.url);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("DOWN") && l.contains("connection refused")), "{stdout}");
}

/// Issue 15 item 2: with Prometheus up and reporting firing alerts and the
/// configured Alertmanager refusing connections, the board said "no alert
/// firing". Prometheus' firing alerts are shown, marked unconfirmed, with
/// the Alertmanager shown down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_refusing_shows_prometheus_firing_alerts_unconfirmed() {
    let prom = Prometheus::start(PromConfig::default());
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let mut console = Console::start(&config(&prom.url, &refused), Options::default()).unwrap();
    run_until(&mut console, "Prometheus' firing alerts with the Alertmanager down", 40, |c| {
        let firing = board_names(c, AlertState::Firing);
        firing.contains(alerts::ALWAYS_FIRING)
            && firing.contains(alerts::INFO)
            && c.state.contexts.sources.iter().any(|s| s.kind() == SourceKind::Alertmanager && s.is_down())
    })
    .await;
    let always = console.state.alerts.alerts.iter().find(|b| b.alert.name() == alerts::ALWAYS_FIRING).unwrap();
    assert!(always.unconfirmed && !always.stale, "{always:?}");
    let text = screen(&mut console);
    assert!(!text.contains("no alert firing"), "{text}");
    assert!(text.contains("AlwaysFiring") && text.contains("(unconfirmed)"), "{text}");
    assert!(text.contains("✖ down") && text.contains("connection refused"), "{text}");
}
