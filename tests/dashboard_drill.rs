//! A dashboard's Loki panel against the drill's Loki API (Loki cannot be
//! installed here; the drill follows Loki's documented API): `:dash` on a
//! dashboard with a `logs` panel and a Loki-datasource metric panel shows
//! the lines and values the drill's Loki answers, through the live-query
//! runner, beside a Prometheus panel answered by the drill's Prometheus.

mod support;

use std::time::Duration;

use support::console::{run_drawn_until, run_until, screen, type_command};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};
use warroom::sources::Endpoint;

const SIZE: (u16, u16) = (140, 40);

const DASHBOARD: &str = r#"{
  "title": "API errors",
  "time": { "from": "now-15m", "to": "now" },
  "templating": { "list": [
    { "name": "service", "type": "custom", "query": "api,db", "current": { "text": "api", "value": "api" } }
  ] },
  "panels": [
    { "id": 1, "type": "logs", "title": "Error lines", "gridPos": { "h": 10, "w": 24, "x": 0, "y": 0 },
      "datasource": { "type": "loki", "uid": "loki" },
      "targets": [ { "refId": "A", "expr": "{service=\"$service\"} |= \"error\"" } ] },
    { "id": 2, "type": "stat", "title": "Error lines per second", "gridPos": { "h": 4, "w": 12, "x": 0, "y": 10 },
      "datasource": { "type": "loki", "uid": "loki" },
      "targets": [ { "refId": "A", "datasource": { "type": "loki" },
                     "expr": "sum(rate({service=\"$service\"} |= \"error\" [5m]))" } ] },
    { "id": 3, "type": "stat", "title": "Targets up", "gridPos": { "h": 4, "w": 12, "x": 12, "y": 10 },
      "targets": [ { "refId": "A", "expr": "count(up)" } ] }
  ]
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loki_panel_shows_the_drills_lines() {
    let scenario = Scenario::load(&ScenarioSource::Builtin("db-down".into())).unwrap();
    let drill = DrillServer::start(scenario, DrillOptions { speed: 30.0, ..DrillOptions::default() }).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api-errors.json"), DASHBOARD).unwrap();
    let cfg = Config {
        refresh: Duration::from_millis(500),
        prometheus: vec![Endpoint::from_url(&drill.prometheus_url())],
        alertmanager: vec![Endpoint::from_url(&drill.alertmanager_url())],
        loki: vec![Endpoint::from_url(&drill.loki_url())],
        dashboards: vec![dir.path().to_path_buf()],
        ..Config::default()
    };
    let mut c = Console::start(&cfg, Options { drill: Some("db-down".into()), ..Options::default() }).unwrap();
    c.handle(warroom::msg::Msg::Resize(SIZE.0, SIZE.1));
    run_until(&mut c, "the dashboards read", 20, |c| c.state.dashboard.files.is_some()).await;
    type_command(&mut c, "dash api-errors");
    assert!(c.state.dashboard.open.is_some(), "{:?}", c.state.view.flash);
    run_drawn_until(&mut c, "the Loki panels answered with lines", 90, SIZE, |c| {
        let Some(open) = c.state.dashboard.open.as_ref() else { return false };
        let answered = |q: &str| {
            open.logs.get(q).and_then(|e| e.answer.as_ref()).is_some_and(|a| match a {
                Ok(warroom::msg::live::LiveAnswer::Logs { lines, .. }) => !lines.is_empty(),
                Ok(warroom::msg::live::LiveAnswer::Series { top, .. }) => !top.is_empty(),
                Err(_) => true,
            })
        };
        answered(r#"{service="api"} |= "error""#)
            && answered(r#"sum(rate({service="api"} |= "error" [5m]))"#)
            && c.state.dashboard.cache.cache.values().any(|v| !v.series.is_empty())
    })
    .await;
    let s = screen(&mut c, SIZE.0, SIZE.1).join("\n");
    let open = c.state.dashboard.open.as_ref().unwrap();
    for (q, e) in &open.logs {
        assert!(matches!(e.answer, Some(Ok(_))), "{q}: {:?}\n{s}", e.answer);
    }
    assert!(s.contains("Error lines") && s.contains("lines · newest"), "{s}");
    assert!(s.contains("error"), "the lines themselves: {s}");
    assert!(!s.contains("no Loki configured") && !s.contains("warroom queries Prometheus only"), "{s}");
    assert!(s.contains("Targets up"), "{s}");
    drill.shutdown().await;
}
