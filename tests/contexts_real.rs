//! Contexts against real servers: two contexts, each with its own REAL
//! Alertmanager holding different alerts. The console starts in one;
//! `:ctx us` switches the board and the header; the old context's pollers
//! stop (a counting proxy in front of its Alertmanager sees no more
//! requests) and its late results never show; the picker switches back.
//! The second context lists a dead Prometheus before a real one: range
//! queries fall back to the live one.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::api::{alert_body, client, post_json};
use support::{Alertmanager, PromConfig, Prometheus, dead_target};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::msg::{Msg, Payload, PollResult, SourceId, SourceKind};

const EU_ALERT: &str = "EuOnlyDiskFull";
const US_ALERT: &str = "UsOnlyLatency";

/// Forwards to `upstream`, counting the requests.
async fn counting_proxy(upstream: String, count: Arc<AtomicUsize>) -> String {
    async fn forward(State((up, n)): State<(String, Arc<AtomicUsize>)>, req: Request) -> Response {
        n.fetch_add(1, Ordering::SeqCst);
        let pq = req.uri().path_and_query().map(ToString::to_string).unwrap_or_default();
        match reqwest::get(format!("{up}{pq}")).await {
            Ok(r) => {
                let status = axum::http::StatusCode::from_u16(r.status().as_u16()).unwrap_or_default();
                let body = r.bytes().await.unwrap_or_default();
                (status, [("content-type", "application/json")], body).into_response()
            }
            Err(e) => (axum::http::StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        }
    }
    let app = axum::Router::new().fallback(forward).with_state((upstream, count));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the proxy serves") });
    format!("http://{addr}")
}

fn names(c: &Console) -> Vec<String> {
    c.state.alerts.alerts.iter().map(|b| b.alert.name().to_string()).collect()
}

fn header(c: &mut Console) -> String {
    let mut t = Terminal::new(TestBackend::new(140, 20)).expect("a test terminal");
    c.state.frame.dirty = true;
    c.draw(&mut t).expect("draw");
    let buf = t.backend().buffer().clone();
    (0..20).map(|y| (0..140).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n").collect()
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, modifiers))
}

fn type_command(c: &mut Console, line: &str) {
    c.handle(key(KeyCode::Char(':'), KeyModifiers::NONE));
    for ch in line.chars() {
        c.handle(key(KeyCode::Char(ch), KeyModifiers::NONE));
    }
    c.handle(key(KeyCode::Enter, KeyModifiers::NONE));
}

/// Feeds the console its own messages until `done` holds; every state seen
/// on the way is checked by `invariant`.
async fn run_until(
    c: &mut Console,
    what: &str,
    secs: u64,
    invariant: impl Fn(&Console),
    done: impl Fn(&Console) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(c) {
        let msg = tokio::time::timeout_at(deadline, c.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("the channel is open");
        c.handle(msg);
        invariant(c);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctx_switches_the_board_and_the_old_context_stays_silent() {
    let (am_eu, am_us) = (Alertmanager::start(), Alertmanager::start());
    let http = client();
    post_json(&http, &format!("{}/api/v2/alerts", am_eu.url), &alert_body(&[("alertname", EU_ALERT)])).await;
    post_json(&http, &format!("{}/api/v2/alerts", am_us.url), &alert_body(&[("alertname", US_ALERT)])).await;
    let prom = Prometheus::start(PromConfig::default());
    let eu_requests = Arc::new(AtomicUsize::new(0));
    let eu_url = counting_proxy(am_eu.url.clone(), eu_requests.clone()).await;
    let toml = format!(
        r#"
refresh = "250ms"
context = "eu"
[[contexts.eu.alertmanager]]
url = "{eu_url}"
[contexts.us]
read_only = true
[[contexts.us.prometheus]]
name = "dead-prom"
url = "http://{dead}"
[[contexts.us.prometheus]]
name = "live-prom"
url = "{prom}"
[[contexts.us.alertmanager]]
url = "{us}"
"#,
        dead = dead_target(),
        prom = prom.url,
        us = am_us.url,
    );
    let cfg = Config::parse(&toml).expect("the config parses");
    let mut console = Console::start(&cfg, Options::default()).expect("the console starts");
    let none = |_: &Console| {};
    run_until(&mut console, "the eu alert", 30, none, |c| names(c).contains(&EU_ALERT.to_string())).await;
    let screen = header(&mut console);
    assert!(screen.contains("ctx:eu") && !screen.contains("READ-ONLY"), "{screen}");

    type_command(&mut console, "ctx us");
    assert_eq!(console.state.contexts.active, "us");
    assert!(names(&console).is_empty(), "the eu board is gone at once: {:?}", names(&console));
    let flash = console.state.view.flash.clone().expect("a flash says where we are");
    assert_eq!(flash.text, "context us (2 prometheus, 1 alertmanager)");
    // A result of the old context arriving late (queued before the switch).
    let late = console_alert(EU_ALERT);
    let poll = PollResult {
        source: SourceId { kind: SourceKind::Alertmanager, index: 0 },
        at: chrono::Utc::now(),
        latency: Duration::from_millis(1),
        result: Ok(Payload::AmAlerts(warroom::model::share(vec![late]))),
    };
    console.sender().send(Msg::Tagged { generation: 0, msg: Box::new(Msg::Poll(Box::new(poll))) }).expect("send");
    let never_eu = |c: &Console| assert!(!names(c).contains(&EU_ALERT.to_string()), "eu alert after the switch");
    run_until(&mut console, "the us alert", 30, never_eu, |c| names(c).contains(&US_ALERT.to_string())).await;
    let screen = header(&mut console);
    assert!(screen.contains("ctx:us") && screen.contains("READ-ONLY"), "{screen}");

    // The eu pollers are stopped: no request reaches its Alertmanager now.
    let before = eu_requests.load(Ordering::SeqCst);
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1500);
    while tokio::time::Instant::now() < deadline {
        if let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(100), console.next()).await {
            console.handle(msg);
            never_eu(&console);
        }
    }
    assert_eq!(eu_requests.load(Ordering::SeqCst), before, "the old context is not polled any more");

    // Range queries: the dead Prometheus first, the live one answers.
    type_command(&mut console, "query vector(7)");
    let chart_key = console.state.view.chart.as_ref().expect("the chart is open").key.clone();
    run_until(&mut console, "the chart's data", 30, none, |c| {
        c.state.signals.cache.get(&chart_key).is_some_and(|d| d.tries.error.is_none() && !d.series.is_empty())
    })
    .await;
    console.handle(key(KeyCode::Esc, KeyModifiers::NONE));

    // The picker switches back: ctrl-x, up to eu, Enter.
    console.handle(key(KeyCode::Char('x'), KeyModifiers::CONTROL));
    assert!(console.state.contexts.picker.is_some(), "ctrl-x opens the picker");
    console.handle(key(KeyCode::Up, KeyModifiers::NONE));
    console.handle(key(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(console.state.contexts.active, "eu");
    let never_us = |c: &Console| assert!(!names(c).contains(&US_ALERT.to_string()), "us alert back in eu");
    run_until(&mut console, "the eu alert again", 30, never_us, |c| names(c).contains(&EU_ALERT.to_string())).await;
    assert!(eu_requests.load(Ordering::SeqCst) > before, "eu polled again");
    assert!(!console.state.contexts.read_only, "eu is not read-only");
}

/// An alert as Alertmanager would list it, for the late result.
fn console_alert(name: &str) -> warroom::model::Alert {
    let labels: warroom::model::Labels = [("alertname".to_string(), name.to_string())].into();
    warroom::model::Alert::firing(labels, chrono::Utc::now(), "eu")
}

/// `--context` picks the context `warroom check` probes; an unknown name is a
/// configuration error (exit 2) listing the known ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_context_flag_selects_and_unknown_names_exit_2() {
    let am = Alertmanager::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("config.toml");
    let toml = format!(
        "[[alertmanager]]\nname = \"legacy\"\nurl = \"http://{}\"\n\
         [[contexts.lab.alertmanager]]\nname = \"lab-am\"\nurl = \"{}\"\n",
        dead_target(),
        am.url
    );
    std::fs::write(&config, toml).expect("write the config");
    let run = |extra: &[&str]| {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_warroom"));
        cmd.arg("check").arg("--config").arg(&config).arg("--log-file").arg(dir.path().join("log")).args(extra);
        cmd.env_remove("WARROOM_CONTEXT").env_remove("ALERTMANAGER_URL").env_remove("PROMETHEUS_URL");
        cmd.env_remove("LOKI_ADDR");
        cmd.output()
    };
    let out = run(&["--context", "lab"]).await.expect("run warroom check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("ok") && stdout.contains("lab-am") && !stdout.contains("legacy"), "{stdout}");
    let out = run(&[]).await.expect("run warroom check");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the default context's source is down: {stdout}");
    assert!(stdout.contains("legacy"), "{stdout}");
    let out = run(&["--context", "prod"]).await.expect("run warroom check");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown context \"prod\" (known: default, lab)"), "{stderr}");
}
