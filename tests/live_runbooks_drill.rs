//! Live runbooks on the drill, as `warroom demo` shows them: the shipped
//! high-error-rate runbook, opened from the firing alert, answers every
//! `promql` and `logql` block from the drill's Prometheus and Loki APIs
//! (the LogQL one with its match count and newest lines), none with an error.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::console::{run_drawn_until, screen};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};
use warroom::model::AlertState;
use warroom::msg::Msg;
use warroom::sources::Endpoint;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

const SIZE: (u16, u16) = (150, 160);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drills_runbook_answers_every_live_block() {
    let scenario = Scenario::load(&ScenarioSource::Builtin("db-down".into())).unwrap();
    let drill = DrillServer::start(scenario, DrillOptions { speed: 30.0, ..DrillOptions::default() }).await.unwrap();
    let mut cfg = Config {
        refresh: Duration::from_millis(500),
        prometheus: vec![Endpoint::from_url(&drill.prometheus_url())],
        alertmanager: vec![Endpoint::from_url(&drill.alertmanager_url())],
        loki: vec![Endpoint::from_url(&drill.loki_url())],
        ..Config::default()
    };
    cfg.runbooks.dirs = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks"))];
    let mut c = Console::start(&cfg, Options { drill: Some("db-down".into()), ..Options::default() }).unwrap();
    run_drawn_until(&mut c, "HighErrorRate firing and selected", 90, SIZE, |c| {
        let firing = c
            .state
            .alerts
            .alerts
            .iter()
            .any(|b| b.alert.name() == "HighErrorRate" && b.alert.state == AlertState::Firing);
        if firing && c.state.alerts.selected().is_some_and(|b| b.alert.name() != "HighErrorRate") {
            c.handle(key('j'));
        }
        c.state.alerts.selected().is_some_and(|b| b.alert.name() == "HighErrorRate")
    })
    .await;
    c.handle(key('r'));
    run_drawn_until(&mut c, "every live block answered", 60, SIZE, |c| {
        c.state.runbook.view.as_ref().is_some_and(|v| {
            let blocks = v.rendered().code_blocks.iter().enumerate().filter(|(_, b)| b.live.is_some());
            blocks.clone().count() >= 6 && blocks.clone().all(|(i, _)| v.live().summary(i).is_some())
        })
    })
    .await;
    let text = screen(&mut c, SIZE.0, SIZE.1).join("\n");
    let view = c.state.runbook.view.as_ref().unwrap();
    for (i, b) in view.rendered().code_blocks.iter().enumerate().filter(|(_, b)| b.live.is_some()) {
        let summary = view.live().summary(i).unwrap();
        assert!(!summary.starts_with("error"), "block {:?}: {summary}\n{text}", b.text);
    }
    assert!(text.contains("{service=\"api\", level=\"error\"} |= \"error\""), "filled from the alert: {text}");
    assert!(text.contains("matching lines over the window"), "{text}");
    let first = view.rendered().code_blocks.iter().position(|b| b.live.is_some()).unwrap();
    assert!(view.live().summary(first).unwrap().ends_with('%'), "the ratio block in percent: {text}");
    drill.shutdown().await;
}

/// Every live block of every shipped runbook (filled as for the drill's
/// alerts) is a query the drill's Prometheus or Loki API answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drill_answers_every_live_block_of_the_shipped_runbooks() {
    use warroom::runbook::live::{Lang, Vars, fill_markdown};
    use warroom::sources::loki::LokiClient;
    use warroom::sources::{HttpClient, PrometheusClient};
    let scenario = Scenario::load(&ScenarioSource::Builtin("db-down".into())).unwrap();
    let drill = DrillServer::start(scenario, DrillOptions::default()).await.unwrap();
    let prom = PrometheusClient::new(HttpClient::new(&Endpoint::from_url(&drill.prometheus_url())).unwrap(), "p");
    let loki = LokiClient::new(HttpClient::new(&Endpoint::from_url(&drill.loki_url())).unwrap(), "l");
    let labels = [("service", "api"), ("instance", "api:8080"), ("job", "api"), ("mountpoint", "/")];
    let vars = Vars { labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), value: None };
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks");
    let (mut ran, mut failed) = (0, Vec::new());
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let markdown = fill_markdown(&std::fs::read_to_string(&path).unwrap(), &vars);
        let rendered = warroom::runbook::render::render(&markdown, 200, &Default::default());
        for b in rendered.code_blocks.iter().filter(|b| b.live.is_some()) {
            let q = b.text.trim();
            let now = chrono::Utc::now().timestamp_nanos_opt().unwrap();
            let answer = match b.live {
                Some(Lang::LogQl) if q.starts_with('{') => {
                    let count = format!("sum(count_over_time({q} [30m]))");
                    let r = warroom::sources::loki::RangeQuery {
                        query: q.to_string(),
                        start_ns: now - 1_800_000_000_000,
                        end_ns: now,
                        limit: 3,
                        direction: warroom::sources::loki::Direction::Backward,
                    };
                    match loki.query(&count, None, 1).await {
                        Ok(_) => loki.query_range(&r).await.map(|_| ()),
                        Err(e) => Err(e),
                    }
                }
                Some(Lang::LogQl) => loki.query(q, None, 100).await.map(|_| ()),
                _ => prom.query(q, None).await.map(|_| ()),
            };
            ran += 1;
            if let Err(e) = answer {
                failed.push(format!("{}: {q}: {e}", path.display()));
            }
        }
    }
    assert!(ran >= 30, "the runbooks hold live blocks: {ran}");
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    drill.shutdown().await;
}

/// The real `warroom demo` in tmux: the selected alert's runbook shows its
/// live blocks' answers under them.
#[test]
fn warroom_demo_in_a_pty_shows_live_answers_in_the_runbook() {
    use support::tmux::Tmux;
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "HOME={} XDG_DATA_HOME={} {} demo --speed 30 --log-file {}; sleep 30",
        dir.path().display(),
        dir.path().join("data").display(),
        env!("CARGO_BIN_EXE_warroom"),
        dir.path().join("demo.log").display()
    );
    let tmux = Tmux::start(&cmd, 140, 50);
    tmux.wait("alerts firing in the demo", 40, |s| s.contains("DRILL db-down") && s.contains("CRIT firing"));
    tmux.keys(&["r"]);
    tmux.wait("a live answer under a block", 20, |s| s.contains("Runbook:") && s.contains("↳ "));
    let screen = tmux.wait("no block left running", 20, |s| !s.contains("↳ running…"));
    assert!(!screen.contains("not supported"), "{screen}");
    tmux.keys(&["q", "q"]);
    tmux.wait("demo quit", 10, |s| !s.contains("DRILL"));
}
