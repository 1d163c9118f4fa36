//! The alert's own history against a real Prometheus (issue 18): a rule
//! the test makes fire, resolve and fire again reads "fired 2×" in the
//! detail with two runs on its strip, and once more makes it flap (⇅ on the
//! board) while the console watches; an alert firing for the first time
//! reads "first time"; a Prometheus that refuses the history query makes
//! the row say why.
//!
//! Never a fixed sleep: each step waits for the rule evaluator to say the
//! alert is firing, or has not been firing for long enough that the
//! resolution shows at the query's step and as empty cells of the strip
//! (the history window is 10 minutes, so its step is the 1 s evaluation
//! interval).

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::console::{run_drawn_until, screen, type_command};
use support::{Exporter, PromConfig, Prometheus, VictoriaMetrics, VmConfig, wait_for};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::incident::Event;
use warroom::msg::Msg;
use warroom::sources::Endpoint;

/// Wide enough that the detail (42 % of it) holds the whole strip: 168
/// cells of 10 minutes, about 3.6 s each.
const SIZE: (u16, u16) = (450, 40);
const WINDOW: Duration = Duration::from_secs(600);
const CELLS: u64 = 168;

const RULES: &str = r#"groups:
  - name: history
    rules:
      - alert: Flappy
        expr: warroom_test_flap > 0
        labels:
          severity: warning
          service: api
        annotations:
          summary: "Fires whenever the test says so"
      - alert: Steady
        expr: vector(1)
        labels:
          severity: critical
        annotations:
          summary: "Fires from the start, once"
"#;

fn config(prom: &str) -> Config {
    Config {
        refresh: Duration::from_millis(500),
        prometheus: vec![Endpoint::from_url(prom)],
        history_window: WINDOW,
        ..Config::default()
    }
}

fn text(c: &mut Console) -> String {
    screen(c, SIZE.0, SIZE.1).join("\n")
}

/// The detail's History line (the words) and the strip under it (its cells).
fn history(screen: &str) -> (String, String) {
    let lines: Vec<&str> = screen.lines().collect();
    let Some(i) = lines.iter().position(|l| l.contains("History  ")) else { return Default::default() };
    let words = lines[i].split("History").nth(1).unwrap_or_default().trim().trim_end_matches('│').trim().to_string();
    let strip = lines.get(i + 1).map_or(String::new(), |l| l.chars().filter(|c| "█▁".contains(*c)).collect());
    (words, strip)
}

/// Runs of fired cells on a strip.
fn runs(strip: &str) -> usize {
    strip.split('▁').filter(|r| !r.is_empty()).count()
}

/// Whether the rule evaluator (Prometheus, or vmalert through
/// VictoriaMetrics) has `Flappy` firing, from its own `/api/v1/alerts`.
async fn flappy_firing(client: &reqwest::Client, url: &str) -> Option<bool> {
    let body = support::api::get_json(client, &format!("{url}/api/v1/alerts")).await?;
    let alerts = body["data"]["alerts"].as_array()?;
    Some(alerts.iter().any(|a| support::api::alertname(a) == "Flappy" && a["state"] == "firing"))
}

/// Until the rule evaluator has `Flappy` firing (`true`), or has had it not
/// firing for three cells of the strip in a row (`false`): long enough for
/// the `ALERTS` series it writes to show a gap between two runs at any
/// alignment of the cells. Its own view, not a query of `ALERTS`:
/// VictoriaMetrics answers queries of the last 30 s as of 30 s ago.
async fn until_flappy(url: &str, firing: bool) {
    let client = support::api::client();
    if firing {
        let what = "Flappy firing";
        wait_for(what, Duration::from_secs(90), || async { flappy_firing(&client, url).await?.then_some(()) }).await;
        return;
    }
    let quiet = Duration::from_secs(3 * WINDOW.as_secs() / CELLS + 3);
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut since: Option<Instant> = None;
    loop {
        match flappy_firing(&client, url).await {
            Some(false) => {
                if since.get_or_insert_with(Instant::now).elapsed() >= quiet {
                    return;
                }
            }
            _ => since = None,
        }
        assert!(Instant::now() < deadline, "timed out waiting for Flappy not firing for {quiet:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fired_twice_then_flapping_and_the_first_time() {
    let exporter = Arc::new(Exporter::start().await);
    exporter.set("warroom_test_flap", &[], 1.0);
    let prom = Prometheus::start(PromConfig {
        rules: RULES.to_string(),
        scrape_targets: vec![exporter.target()],
        ..PromConfig::default()
    });
    until_flappy(&prom.url, true).await;
    exporter.set("warroom_test_flap", &[], 0.0);
    until_flappy(&prom.url, false).await;
    exporter.set("warroom_test_flap", &[], 1.0);
    until_flappy(&prom.url, true).await;

    let mut console = Console::start(&config(&prom.url), Options::default()).unwrap();
    type_command(&mut console, "filter alertname=Flappy");
    run_drawn_until(&mut console, "fired 2× in the detail", 60, SIZE, |c| history(&text(c)).0.starts_with("fired 2×"))
        .await;
    let screen = text(&mut console);
    let (words, strip) = history(&screen);
    assert!(words.starts_with("fired 2× in 10m · last ") && words.contains(" · median "), "{screen}");
    assert_eq!(strip.chars().count() as u64, CELLS, "{screen}");
    assert_eq!(runs(&strip), 2, "two runs: {strip}");
    assert!(strip.ends_with('█'), "the current firing at the right: {strip}");
    assert!(!screen.contains('⇅'), "three transitions are not flapping: {screen}");

    // Resolved and fired again while the console watches: the new firing
    // is asked for at once, and five transitions in the hour are flapping.
    let (ex, url) = (exporter.clone(), prom.url.clone());
    let driver = tokio::spawn(async move {
        ex.set("warroom_test_flap", &[], 0.0);
        until_flappy(&url, false).await;
        ex.set("warroom_test_flap", &[], 1.0);
        until_flappy(&url, true).await;
    });
    run_drawn_until(&mut console, "fired 3× and flapping", 120, SIZE, |c| {
        let (words, strip) = history(&text(c));
        words.starts_with("fired 3×") && runs(&strip) == 3
    })
    .await;
    driver.await.expect("the driver ran");
    let screen = text(&mut console);
    let (words, _) = history(&screen);
    assert!(words.contains("⇅ flapping: 5 changes in the last hour"), "{screen}");
    let row = screen.lines().find(|l| l.contains("WARN firing")).unwrap_or_default();
    assert!(row.starts_with("│⇅WARN"), "marked on the board: {screen}");

    type_command(&mut console, "filter alertname=Steady");
    run_drawn_until(&mut console, "Steady's history", 60, SIZE, |c| history(&text(c)).0 == "first time in 10m").await;
    let (_, strip) = history(&text(&mut console));
    assert_eq!(runs(&strip), 1, "one run, from Prometheus' start: {strip}");
    drop(console);

    // An incident: its post-mortem lists each alert's previous firings.
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config { incident_dir: Some(dir.path().to_path_buf()), ..config(&prom.url) };
    let mut console = Console::start(&cfg, Options::default()).unwrap();
    run_drawn_until(&mut console, "both alerts on the board", 30, SIZE, |c| c.state.alerts.alerts.len() == 2).await;
    let key = |code, modifiers| Msg::Key(KeyEvent::new(code, modifiers));
    console.handle(key(KeyCode::Char('i'), KeyModifiers::NONE));
    console.handle(key(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let recorded = |c: &Console| {
        let records = c.state.incident.records();
        records.iter().filter(|r| matches!(r.event, Event::AlertHistory { .. })).count()
    };
    run_drawn_until(&mut console, "both histories in the journal", 60, SIZE, |c| recorded(c) == 2).await;
    console.handle(key(KeyCode::Char('e'), KeyModifiers::NONE));
    run_drawn_until(&mut console, "the post-mortem written", 30, SIZE, |c| {
        c.state.view.flash.as_ref().is_some_and(|f| f.text.starts_with("post-mortem draft: "))
    })
    .await;
    // The draft's flash, or the charts' that follows it: both name the draft.
    let flash = console.state.view.flash.as_ref().unwrap().text.clone();
    let path = flash["post-mortem draft: ".len()..].split(" · ").next().unwrap_or_default().to_string();
    let postmortem = std::fs::read_to_string(&path).unwrap();
    let line = |name: &str| {
        let (spaced, bare) = (format!("- {name} "), format!("- {name}:"));
        postmortem.lines().find(|l| l.starts_with(&spaced) || l.starts_with(&bare)).unwrap_or_default()
    };
    assert!(line("Flappy").contains("`: 2× in the 10m before "), "{postmortem}");
    assert!(line("Steady").ends_with(": none in the 10m before (first time)"), "{postmortem}");
}

/// The same series from vmalert, written back into VictoriaMetrics (remote
/// write) and read through its Prometheus API: fired, resolved and fired
/// again reads "fired 2×".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fired_twice_through_victoriametrics_and_vmalert() {
    let exporter = Exporter::start().await;
    exporter.set("warroom_test_flap", &[], 1.0);
    let vm = VictoriaMetrics::start(VmConfig {
        rules: RULES.to_string(),
        scrape_targets: vec![exporter.target()],
        ..VmConfig::default()
    });
    until_flappy(&vm.url, true).await;
    exporter.set("warroom_test_flap", &[], 0.0);
    until_flappy(&vm.url, false).await;
    exporter.set("warroom_test_flap", &[], 1.0);
    until_flappy(&vm.url, true).await;
    let mut console = Console::start(&config(&vm.url), Options::default()).unwrap();
    type_command(&mut console, "filter alertname=Flappy");
    // VictoriaMetrics leaves the newest 30 s out of range answers: the
    // current firing shows when that much of it is written.
    run_drawn_until(&mut console, "fired 2× in the detail", 120, SIZE, |c| {
        history(&text(c)).0.starts_with("fired 2×")
    })
    .await;
    let screen = text(&mut console);
    let (words, strip) = history(&screen);
    assert!(words.starts_with("fired 2× in 10m · last "), "{screen}");
    assert_eq!(runs(&strip), 2, "two runs: {strip}");
}

/// A relay in front of `upstream` that answers every range query over
/// `ALERTS` 400 in Prometheus' error shape (as a query frontend's block
/// list would) and passes everything else through.
async fn refusing_relay(upstream: String) -> String {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let app = axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let (client, upstream) = (client.clone(), upstream.clone());
        async move {
            let json = [("content-type", "application/json".to_string())];
            if uri.path() == "/api/v1/query_range" && String::from_utf8_lossy(&body).contains("ALERTS") {
                let refusal = r#"{"status":"error","errorType":"bad_data","error":"query blocked: ALERTS is not served by this frontend"}"#;
                return (StatusCode::BAD_REQUEST, json, refusal.as_bytes().to_vec());
            }
            let url = format!("{upstream}{}", uri.path_and_query().map_or("", |p| p.as_str()));
            let mut req = client.request(method, url).body(body);
            if let Some(ct) = headers.get("content-type") {
                req = req.header("content-type", ct);
            }
            match req.send().await {
                Ok(r) => {
                    let status = StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
                    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    (status, [("content-type", ct)], r.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
                }
                Err(e) => (StatusCode::BAD_GATEWAY, json, e.to_string().into_bytes()),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prometheus_that_refuses_the_history_query_is_said_why() {
    let prom = Prometheus::start(PromConfig { rules: RULES.to_string(), ..PromConfig::default() });
    let relay = refusing_relay(prom.url.clone()).await;
    let mut console = Console::start(&config(&relay), Options::default()).unwrap();
    run_drawn_until(&mut console, "the refusal in the History row", 60, SIZE, |c| {
        history(&text(c)).0.starts_with("Prometheus refused")
    })
    .await;
    let screen = text(&mut console);
    let (words, _) = history(&screen);
    assert_eq!(
        words, "Prometheus refused the history query: bad_data: query blocked: ALERTS is not served by this frontend",
        "{screen}"
    );
    let entry = console.state.alerts.history.cache.values().next().expect("the refused query is cached");
    assert!(entry.tries.rejected, "not asked again");
    assert!(screen.contains("Steady"), "the board itself is served through the relay: {screen}");
}
