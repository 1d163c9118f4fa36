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
        c.state.runbook.as_ref().is_some_and(|v| {
            let blocks = v.rendered().code_blocks.iter().enumerate().filter(|(_, b)| b.live.is_some());
            blocks.clone().count() >= 6 && blocks.clone().all(|(i, _)| v.live().summary(i).is_some())
        })
    })
    .await;
    let text = screen(&mut c, SIZE.0, SIZE.1).join("\n");
    let view = c.state.runbook.as_ref().unwrap();
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
