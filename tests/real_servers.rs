//! Proves the harness against the real servers: alerts flow from Prometheus
//! 2.42 rules to Alertmanager 0.25 (inhibition included), amtool agrees with
//! the API, servers stop and restart on the same port and data, HA members
//! replicate silences, the test exporter is scraped, and no server outlives
//! a failing test.

mod support;

use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::api::{
    alert_body, alert_names, amtool_alert_names, client, find_alert, get_json, post_json, query_value, silence_body,
};
use support::{Alertmanager, Exporter, PromConfig, Prometheus, alerts, wait_for};

/// Alerts need ~5–8 s (Prometheus 2.42 hands discovered Alertmanagers and
/// scrape targets over every 5 s); leave room for a loaded CI machine.
const ALERT_TIMEOUT: Duration = Duration::from_secs(40);
const GOSSIP_TIMEOUT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_alerts_flow_to_alertmanager_and_prometheus_restarts() {
    let started = Instant::now();
    let am = Alertmanager::start();
    let mut prom = Prometheus::start(PromConfig::defaults(&am.url));
    let (client, am_alerts) = (&client(), &format!("{}/api/v2/alerts", am.url));

    // Wait for the inhibition too: Alertmanager marks it on the next read.
    let listed = wait_for("the default alerts in Alertmanager", ALERT_TIMEOUT, || async move {
        let list = get_json(client, am_alerts).await?;
        let inhibited = find_alert(&list, alerts::INHIBITED)?;
        let all_there =
            [alerts::ALWAYS_FIRING, alerts::TARGET_DOWN, alerts::INFO].iter().all(|n| find_alert(&list, n).is_some());
        (all_there && inhibited["status"]["state"] == "suppressed").then_some(list)
    })
    .await;
    eprintln!("default alerts in Alertmanager {:?} after start", started.elapsed());

    let firing = find_alert(&listed, alerts::ALWAYS_FIRING).expect("AlwaysFiring listed");
    assert_eq!(firing["status"]["state"], "active");
    assert_eq!(firing["labels"]["severity"], "critical");
    assert_eq!(firing["annotations"]["runbook_url"], "runbooks/always-firing.md");
    let inhibited = find_alert(&listed, alerts::INHIBITED).expect("InhibitedAlert listed");
    assert_eq!(inhibited["status"]["inhibitedBy"], json!([firing["fingerprint"]]));
    let down = find_alert(&listed, alerts::TARGET_DOWN).expect("TargetDown listed");
    assert_eq!(down["labels"]["job"], "test");
    let pending_in_am = find_alert(&listed, alerts::PENDING);
    assert!(pending_in_am.is_none(), "pending alerts stay in Prometheus");

    let prom_alerts = get_json(client, &format!("{}/api/v1/alerts", prom.url)).await;
    let prom_alerts = prom_alerts.expect("Prometheus /api/v1/alerts");
    let pending = find_alert(&prom_alerts["data"]["alerts"], alerts::PENDING);
    assert_eq!(pending.expect("Pending listed")["state"], "pending");

    // amtool reads the same API: all states → same names; default → active only.
    let every_state = ["--active", "--inhibited", "--silenced", "--unprocessed"];
    assert_eq!(amtool_alert_names(&am.url, &every_state).await, alert_names(&listed));
    let active = amtool_alert_names(&am.url, &[]).await;
    assert!(active.contains(alerts::ALWAYS_FIRING) && !active.contains(alerts::INHIBITED));

    stop_and_restart(&mut prom, client).await;
}

/// Stops Prometheus (the port must close), restarts it on the same port and
/// checks the samples scraped before the stop survived in the same TSDB.
async fn stop_and_restart(prom: &mut Prometheus, client: &reqwest::Client) {
    let count = "count_over_time(up{job=\"prometheus\"}[10m])";
    let url = prom.url.clone();
    let samples = || async {
        let value = query_value(client, &url, count).await;
        value.and_then(|v| v.parse::<f64>().ok())
    };
    let before = samples().await.expect("self-scrape samples before the stop");
    let addr = prom.addr();

    let t = Instant::now();
    prom.stop();
    assert!(!prom.is_running());
    assert!(TcpStream::connect(addr).is_err(), "{addr} still open after stop");
    prom.restart();
    eprintln!("Prometheus stop + restart took {:?}", t.elapsed());
    assert_eq!(support::http_status(addr, "/-/ready"), Some(200));

    let after = samples().await.expect("self-scrape samples after the restart");
    assert!(after >= before, "samples lost across restart: {before} then {after}");
}

/// Alertmanager HA gossips silences and the notification log, not alerts:
/// every client (Prometheus included) must send alerts to every member.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ha_members_replicate_silences_but_each_needs_the_alerts() {
    let first = Alertmanager::start_cluster_member(None);
    let second = Alertmanager::start_cluster_member(Some(&first.cluster_addr()));
    let client = &client();
    for am in [&first, &second] {
        let status = &format!("{}/api/v2/status", am.url);
        wait_for("two cluster peers", GOSSIP_TIMEOUT, || async move {
            let body = get_json(client, status).await?;
            (body["cluster"]["peers"].as_array()?.len() == 2).then_some(())
        })
        .await;
    }
    let (first_alerts, second_alerts) =
        (&format!("{}/api/v2/alerts", first.url), &format!("{}/api/v2/alerts", second.url));
    let alert = alert_body(&[("alertname", "HaTest"), ("severity", "critical")]);
    post_json(client, first_alerts, &alert).await;
    let silence = silence_body("alertname", "HaTest", "HA replication test");
    let created = post_json(client, &format!("{}/api/v2/silences", second.url), &silence).await;
    let id = created["silenceID"].as_str().expect("silenceID in the answer");

    // Silence posted to the second member, alert to the first: the gossiped
    // silence must mute the alert there.
    wait_for("the gossiped silence to mute the alert", GOSSIP_TIMEOUT, || async move {
        let list = get_json(client, first_alerts).await?;
        (find_alert(&list, "HaTest")?["status"]["silencedBy"] == json!([id])).then_some(())
    })
    .await;
    let silences = get_json(client, &format!("{}/api/v2/silences", first.url)).await;
    let listed = silences.as_ref().and_then(Value::as_array).into_iter().flatten();
    assert_eq!(listed.filter(|s| s["id"] == id).count(), 1);

    let list = get_json(client, second_alerts).await.expect("second member alerts");
    assert!(find_alert(&list, "HaTest").is_none(), "alerts are not gossiped");
    post_json(client, second_alerts, &alert).await;
    wait_for("the alert on the second member, silenced", GOSSIP_TIMEOUT, || async move {
        let list = get_json(client, second_alerts).await?;
        (find_alert(&list, "HaTest")?["status"]["state"] == "suppressed").then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exporter_is_scraped_and_stopping_it_leaves_a_gap() {
    let exporter = Exporter::start().await;
    // Quote, backslash and newline: everything the text format must escape.
    let labels = [("route", "/api \"v1\"\\\n"), ("code", "500")];
    exporter.set("warroom_test_requests", &labels, 42.5);
    exporter.set("warroom_test_ceiling", &[], f64::INFINITY);
    let prom = Prometheus::start(PromConfig {
        rules: "groups: []\n".to_string(),
        scrape_targets: vec![exporter.target()],
        ..PromConfig::default()
    });
    let (client, url) = (&client(), prom.url.as_str());

    // The escaped label value comes back intact from Prometheus.
    let selector = r#"warroom_test_requests{route="/api \"v1\"\\\n",code="500"}"#;
    let value = |promql: &'static str| async move { query_value(client, url, promql).await };
    wait_for(
        "the exporter's series",
        ALERT_TIMEOUT,
        || async move { (value(selector).await? == "42.5").then_some(()) },
    )
    .await;
    exporter.set("warroom_test_requests", &labels, 7.0);
    wait_for("the new value", ALERT_TIMEOUT, || async move { (value(selector).await? == "7").then_some(()) }).await;
    assert_eq!(value("warroom_test_ceiling").await.as_deref(), Some("+Inf"));

    exporter.stop();
    wait_for(
        "the failed scrape",
        ALERT_TIMEOUT,
        || async move { (value("up{job=\"test\"}").await? == "0").then_some(()) },
    )
    .await;
    // A failed scrape writes staleness markers: the series vanishes at once.
    assert_eq!(value("warroom_test_requests").await, None);
}

/// The fixtures are what the real tools accept (fails fast with their message).
#[test]
fn fixtures_pass_promtool_and_amtool() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real");
    let checks: [(support::servers::Program, &[&str], &str); 2] = [
        (support::servers::PROMTOOL, &["check", "rules"], "rules.yml"),
        (support::servers::AMTOOL, &["check-config"], "alertmanager.yml"),
    ];
    for (program, args, file) in checks {
        let tool = program.path();
        let output =
            program.command().args(args).arg(dir.join(file)).output().unwrap_or_else(|e| panic!("run {tool}: {e}"));
        assert!(output.status.success(), "{tool} rejects {file}: {output:?}");
    }
}

/// A graceful stop lets Alertmanager snapshot its silences, and a restart
/// reuses the same port and storage, so the silence is still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alertmanager_restart_keeps_silences() {
    let mut am = Alertmanager::start();
    let client = &client();
    let silences = &format!("{}/api/v2/silences", am.url);
    let silence = silence_body("service", "api", "survives a restart");
    let created = post_json(client, silences, &silence).await;
    let id = created["silenceID"].as_str().expect("silenceID in the answer");
    let addr = am.addr();

    am.stop();
    assert!(!am.is_running());
    assert!(TcpStream::connect(addr).is_err(), "{addr} still open after stop");
    am.restart();
    let listed = get_json(client, silences).await.expect("silences after restart");
    let kept = listed.as_array().into_iter().flatten().find(|s| s["id"] == id);
    assert_eq!(kept.map(|s| &s["status"]["state"]), Some(&json!("active")));
}

/// A server that cannot start fails the test at once, quoting its own log.
#[test]
#[should_panic(expected = "could not parse expression")]
fn a_bad_rule_file_fails_fast_with_the_server_log() {
    let rules = "groups:\n  - name: broken\n    rules:\n      - alert: Broken\n        expr: 'sum(('\n";
    let _ = Prometheus::start(PromConfig { rules: rules.to_string(), ..PromConfig::default() });
}

/// Drop runs while a panicking test unwinds: the server dies with the test.
#[test]
fn a_panicking_test_still_kills_its_server() {
    let (tx, rx) = std::sync::mpsc::channel();
    let test = std::thread::spawn(move || {
        let am = Alertmanager::start();
        tx.send(am.addr()).expect("send the address");
        panic!("a failing test (expected in this test's output)");
    });
    let addr = rx.recv().expect("the server started");
    assert!(test.join().is_err(), "the thread panicked");
    assert!(TcpStream::connect(addr).is_err(), "{addr} still open after the panic");
}
