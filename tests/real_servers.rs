//! Proves the harness against the real servers: alerts flow from Prometheus
//! 2.42 rules to Alertmanager 0.25 (inhibition included), amtool agrees with
//! the API, Prometheus stops and restarts on the same port and data, HA
//! members replicate silences, and the test exporter is scraped.

mod support;

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Alertmanager, Exporter, PromConfig, Prometheus, alerts, get_json, wait_for};

/// Alerts need ~5–7 s (Prometheus 2.42 discovers Alertmanagers every 5 s);
/// leave room for a loaded CI machine.
const ALERT_TIMEOUT: Duration = Duration::from_secs(40);
const GOSSIP_TIMEOUT: Duration = Duration::from_secs(15);

fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(2)).build().expect("build an HTTP client")
}

fn alertname(alert: &Value) -> &str {
    alert["labels"]["alertname"].as_str().unwrap_or_default()
}

fn names(list: &Value) -> BTreeSet<String> {
    list.as_array().into_iter().flatten().map(|a| alertname(a).to_string()).collect()
}

fn find<'a>(list: &'a Value, name: &str) -> Option<&'a Value> {
    list.as_array()?.iter().find(|a| alertname(a) == name)
}

/// The first sample value of an instant query, if the result is not empty.
async fn query_value(client: &reqwest::Client, prom: &str, promql: &str) -> Option<String> {
    let url =
        url::Url::parse_with_params(&format!("{prom}/api/v1/query"), &[("query", promql)]).expect("valid query URL");
    let body = get_json(client, url.as_str()).await?;
    Some(body["data"]["result"][0]["value"][1].as_str()?.to_string())
}

async fn amtool_alert_names(am: &str, extra: &[&str]) -> BTreeSet<String> {
    let output = tokio::process::Command::new("amtool")
        .arg(format!("--alertmanager.url={am}"))
        .args(["alert", "query", "-o", "json"])
        .args(extra)
        .output()
        .await
        .expect("run amtool (scripts/install-test-deps.sh installs it)");
    assert!(output.status.success(), "amtool failed: {output:?}");
    let list: Value = serde_json::from_slice(&output.stdout).expect("amtool prints JSON");
    names(&list)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_alerts_flow_to_alertmanager_and_prometheus_restarts() {
    let started = Instant::now();
    let am = Alertmanager::start();
    let mut prom = Prometheus::start(PromConfig::defaults(&am.url));
    let (client, am_alerts_url) = (&client(), &format!("{}/api/v2/alerts", am.url));

    // Wait for the inhibition too: Alertmanager marks it on the next read.
    let listed = wait_for("the default alerts in Alertmanager", ALERT_TIMEOUT, || async move {
        let list = get_json(client, am_alerts_url).await?;
        let inhibited = find(&list, alerts::INHIBITED)?;
        let ready = [alerts::ALWAYS_FIRING, alerts::TARGET_DOWN, alerts::INFO].iter().all(|n| find(&list, n).is_some());
        (ready && inhibited["status"]["state"] == "suppressed").then_some(list)
    })
    .await;
    eprintln!("default alerts in Alertmanager {:?} after start", started.elapsed());

    let firing = find(&listed, alerts::ALWAYS_FIRING).expect("AlwaysFiring listed");
    assert_eq!(firing["status"]["state"], "active");
    assert_eq!(firing["labels"]["severity"], "critical");
    assert_eq!(firing["annotations"]["runbook_url"], "runbooks/always-firing.md");
    let inhibited = find(&listed, alerts::INHIBITED).expect("InhibitedAlert listed");
    assert_eq!(inhibited["status"]["inhibitedBy"], json!([firing["fingerprint"]]));
    let down = find(&listed, alerts::TARGET_DOWN).expect("TargetDown listed");
    assert_eq!(down["labels"]["job"], "test");
    assert!(find(&listed, alerts::PENDING).is_none(), "pending alerts stay in Prometheus");

    let prom_alerts =
        get_json(client, &format!("{}/api/v1/alerts", prom.url)).await.expect("Prometheus /api/v1/alerts");
    let pending = find(&prom_alerts["data"]["alerts"], alerts::PENDING).expect("Pending listed");
    assert_eq!(pending["state"], "pending");

    // amtool reads the same API: all states → same names; default → active only.
    let all = amtool_alert_names(&am.url, &["--active", "--inhibited", "--silenced", "--unprocessed"]);
    assert_eq!(all.await, names(&listed));
    let active = amtool_alert_names(&am.url, &[]).await;
    assert!(active.contains(alerts::ALWAYS_FIRING) && !active.contains(alerts::INHIBITED));

    stop_and_restart(&mut prom, client).await;
}

/// Stops Prometheus (the port must close), restarts it on the same port and
/// checks the samples scraped before the stop survived in the same TSDB.
async fn stop_and_restart(prom: &mut Prometheus, client: &reqwest::Client) {
    let count = "count_over_time(up{job=\"prometheus\"}[10m])";
    let before: f64 = query_value(client, &prom.url, count)
        .await
        .and_then(|v| v.parse().ok())
        .expect("self-scrape samples before the stop");
    let addr = prom.addr();

    let t = Instant::now();
    prom.stop();
    assert!(!prom.is_running());
    assert!(TcpStream::connect(addr).is_err(), "port {addr} still open after stop");
    prom.restart();
    eprintln!("Prometheus stop + restart took {:?}", t.elapsed());
    assert_eq!(support::http_status(addr, "/-/ready"), Some(200));

    let after: f64 = query_value(client, &prom.url, count)
        .await
        .and_then(|v| v.parse().ok())
        .expect("self-scrape samples after the restart");
    assert!(after >= before, "samples lost across restart: {before} then {after}");
}

fn post_alert_body(name: &str) -> Value {
    json!([{
        "labels": {"alertname": name, "severity": "critical", "service": "db"},
        "annotations": {"summary": "posted by the HA test"},
        "startsAt": chrono::Utc::now().to_rfc3339(),
    }])
}

async fn post(client: &reqwest::Client, url: &str, body: &Value) -> Value {
    let response = client.post(url).json(body).send().await.expect("POST reaches Alertmanager");
    assert!(response.status().is_success(), "POST {url}: {}", response.status());
    response.json().await.unwrap_or(Value::Null)
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

    post(client, &format!("{}/api/v2/alerts", first.url), &post_alert_body("HaTest")).await;
    let now = chrono::Utc::now();
    let silence = json!({
        "matchers": [{"name": "alertname", "value": "HaTest", "isRegex": false, "isEqual": true}],
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::Duration::hours(1)).to_rfc3339(),
        "createdBy": "real_servers.rs",
        "comment": "HA replication test",
    });
    let created = post(client, &format!("{}/api/v2/silences", second.url), &silence).await;
    let id = created["silenceID"].as_str().expect("silenceID in the answer");

    // Silence posted to the second member, alert to the first: the gossiped
    // silence must suppress the alert there.
    let first_alerts = &format!("{}/api/v2/alerts", first.url);
    wait_for("the gossiped silence to mute the alert", GOSSIP_TIMEOUT, || async move {
        let list = get_json(client, first_alerts).await?;
        (find(&list, "HaTest")?["status"]["silencedBy"] == json!([id])).then_some(())
    })
    .await;
    let silences = get_json(client, &format!("{}/api/v2/silences", first.url)).await;
    assert!(silences.is_some_and(|s| { s.as_array().is_some_and(|a| a.iter().any(|x| x["id"] == id)) }));

    let second_alerts = &format!("{}/api/v2/alerts", second.url);
    let list = get_json(client, second_alerts).await.expect("second member alerts");
    assert!(find(&list, "HaTest").is_none(), "alerts are not gossiped between members");
    post(client, second_alerts, &post_alert_body("HaTest")).await;
    wait_for("the alert on the second member, silenced", GOSSIP_TIMEOUT, || async move {
        let list = get_json(client, second_alerts).await?;
        (find(&list, "HaTest")?["status"]["state"] == "suppressed").then_some(())
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
    let checks: [(&str, &[&str], &str); 2] =
        [("promtool", &["check", "rules"], "rules.yml"), ("amtool", &["check-config"], "alertmanager.yml")];
    for (tool, args, file) in checks {
        let output = std::process::Command::new(tool)
            .args(args)
            .arg(dir.join(file))
            .output()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"));
        assert!(output.status.success(), "{tool} rejects {file}: {output:?}");
    }
}
