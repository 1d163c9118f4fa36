//! Live runbooks against real Prometheus: a `promql` block over a metric
//! the test's exporter sets shows its series and values under it, a block
//! templated with the alert's labels (`ALERTS{alertname="{{ $labels.alertname }}"}`)
//! runs filled in, and a block with a syntax error shows Prometheus' own
//! message.

mod support;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::console::{run_drawn_until, screen};
use support::{Exporter, PromConfig, Prometheus, alerts};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::msg::Msg;
use warroom::sources::Endpoint;

const RUNBOOK: &str = "# Always firing\n\n\
- [ ] Measure the error ratio per service\n\n  ```promql unit=ratio\n  warroom_test_errors\n  ```\n\n\
- [ ] The alert itself\n\n  ```promql\n  ALERTS{alertname=\"{{ $labels.alertname }}\", alertstate=\"firing\"}\n  ```\n\n\
- [ ] A broken query\n\n  ```promql\n  sum(rate(warroom_test_errors[1m])\n  ```\n";

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promql_blocks_show_their_answers_filled_from_the_alert() {
    let exporter = Exporter::start().await;
    exporter.set("warroom_test_errors", &[("service", "api")], 0.073);
    exporter.set("warroom_test_errors", &[("service", "web")], 0.021);
    let prom = Prometheus::start(PromConfig { scrape_targets: vec![exporter.target()], ..PromConfig::default() });
    let dir = tempfile::tempdir().unwrap();
    let runbooks = dir.path().join("runbooks");
    std::fs::create_dir_all(&runbooks).unwrap();
    std::fs::write(runbooks.join("always-firing.md"), RUNBOOK).unwrap();
    let mut cfg = Config {
        refresh: Duration::from_millis(500),
        prometheus: vec![Endpoint::from_url(&prom.url)],
        incident_dir: Some(dir.path().join("incidents")),
        ..Config::default()
    };
    cfg.runbooks.dirs = vec![runbooks];
    let mut c = Console::start(&cfg, Options::default()).unwrap();

    run_drawn_until(&mut c, "AlwaysFiring selected and scraped", 60, (120, 40), |c| {
        if c.state.alerts.selected().is_some_and(|b| b.alert.name() != alerts::ALWAYS_FIRING) {
            c.handle(key('j'));
        }
        c.state.alerts.selected().is_some_and(|b| b.alert.name() == alerts::ALWAYS_FIRING)
    })
    .await;
    // An incident, so that a tick is recorded.
    c.handle(key('i'));
    c.handle(Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    run_drawn_until(&mut c, "incident declared", 10, (120, 40), |c| c.state.incident.id().is_some()).await;
    c.handle(key('r'));
    run_drawn_until(&mut c, "every live block answered", 30, (120, 40), |c| {
        // The exporter's series appear after its first scrapes: answers refresh.
        c.state.runbook.view.as_ref().is_some_and(|v| {
            (0..3).all(|i| v.live().summary(i).is_some())
                && v.live().summary(0).is_some_and(|s| s.contains("service=web"))
        })
    })
    .await;
    let text = screen(&mut c, 120, 40).join("\n");
    assert!(text.contains("↳ service=api  7.30%"), "{text}");
    assert!(text.contains("↳ service=web  2.10%"), "{text}");
    assert!(text.contains("ALERTS{alertname=\"AlwaysFiring\", alertstate=\"firing\"}"), "the query as run: {text}");
    let view = c.state.runbook.view.as_ref().unwrap();
    assert_eq!(view.live().summary(1).as_deref(), Some("1"), "the alert's own series, firing: {text}");
    let error = view.live().summary(2).unwrap();
    assert!(error.contains("parse error"), "Prometheus' own message: {error}");
    assert!(text.contains("↳ bad_data: invalid parameter \"query\""), "{text}");

    // Ticking the first step records what its block showed, in the timeline.
    c.handle(key(']'));
    c.handle(key(' '));
    run_drawn_until(&mut c, "the step recorded with its values", 10, (120, 40), |c| {
        c.state.incident.records().iter().any(|r| {
            matches!(&r.event, warroom::incident::Event::RunbookStep { step: 1, values, .. }
                if values.iter().any(|v| v.contains("service=api 7.30%")))
        })
    })
    .await;
    // Enter on a live block opens it in the full chart.
    c.handle(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
    c.handle(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)));
    c.handle(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let chart = c.state.view.chart.as_ref().map(|ch| ch.key.query.clone());
    assert_eq!(chart.as_deref(), Some("warroom_test_errors"), "{text}");
}
