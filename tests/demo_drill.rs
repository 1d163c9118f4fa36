//! The console on the drill simulator, as `warroom demo` runs it: alerts of
//! the db-down scenario fire in order on the board with their sparklines,
//! the runbook opens inline, a ticked step lands in the incident journal;
//! and the real `warroom demo` binary in a pty shows the DRILL banner and
//! firing alerts within seconds.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tmux::Tmux;
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};
use warroom::model::AlertState;
use warroom::msg::Msg;
use warroom::sources::Endpoint;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let area = buf.area;
    (0..area.height)
        .map(|y| (0..area.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n")
        .collect()
}

async fn run_until(
    c: &mut Console,
    t: &mut Terminal<TestBackend>,
    what: &str,
    secs: u64,
    f: impl Fn(&Console) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !f(c) {
        let msg = tokio::time::timeout_at(deadline, c.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}:\n{}", text(t)))
            .unwrap();
        c.handle(msg);
        c.handle(Msg::Tick(chrono::Utc::now()));
        c.draw(t).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_down_drill_board_runbook_and_timeline() {
    let scenario = Scenario::load(&ScenarioSource::Builtin("db-down".into())).unwrap();
    let opts = DrillOptions { speed: 30.0, ..DrillOptions::default() };
    let drill = DrillServer::start(scenario, opts).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = Config {
        refresh: Duration::from_millis(300),
        prometheus: vec![Endpoint::from_url(&drill.prometheus_url())],
        alertmanager: vec![Endpoint::from_url(&drill.alertmanager_url())],
        loki: vec![Endpoint::from_url(&drill.loki_url())],
        incident_dir: Some(dir.path().join("incidents")),
        ..Config::default()
    };
    cfg.runbooks.dirs = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks"))];
    let mut c = Console::start(&cfg, Options { drill: Some("db-down".into()), ..Options::default() }).unwrap();
    let mut t = Terminal::new(TestBackend::new(150, 40)).unwrap();

    run_until(&mut c, &mut t, "DatabaseDown and HighErrorRate firing", 60, |c| {
        let firing =
            |n: &str| c.state.alerts.alerts.iter().any(|b| b.alert.name() == n && b.alert.state == AlertState::Firing);
        firing("DatabaseDown") && firing("HighErrorRate")
    })
    .await;
    // The selected alert's logs follow live, from the drill's Loki (tail websocket).
    run_until(&mut c, &mut t, "logs of the selected alert", 30, |c| {
        (0..c.state.logs.view.shown_len())
            .any(|i| c.state.logs.view.shown_line(i).is_some_and(|l| l.line.line.contains("connection refused")))
    })
    .await;
    let screen = text(&t);
    assert!(screen.contains("DRILL db-down"), "{screen}");
    assert!(screen.contains("Logs") && screen.contains("connection refused"), "{screen}");
    assert!(screen.contains("loki") && !screen.contains("✖"), "every source up: {screen}");

    // Declare an incident from the selected (critical) alert.
    c.handle(key('i'));
    c.handle(ctrl('s'));
    run_until(&mut c, &mut t, "incident declared", 10, |c| c.state.incident.id().is_some()).await;

    // The runbook of the selected alert opens inline; tick its first step.
    c.handle(key('r'));
    run_until(&mut c, &mut t, "runbook shown", 10, |c| c.state.runbook.view.is_some()).await;
    c.draw(&mut t).unwrap();
    let screen = text(&t);
    assert!(screen.contains("Runbook:") && screen.contains("Diagnosis"), "{screen}");
    c.handle(key(']'));
    c.handle(key(' '));
    run_until(&mut c, &mut t, "step recorded", 10, |c| {
        c.state.incident.records().iter().any(|r| matches!(r.event, warroom::incident::Event::RunbookStep { .. }))
    })
    .await;
    let journal = std::fs::read_dir(dir.path().join("incidents")).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(journal.join("journal.jsonl")).unwrap();
    assert!(text.contains("RunbookOpened") || text.contains("runbook_opened"), "{text}");
    assert!(text.contains("DatabaseDown"), "alerts captured: {text}");

    // Pin the alert's graph, export: the post-mortem shows the alert's
    // chart with the incident marked on it, drawn from the drill's Prometheus.
    c.handle(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    let pinned = |c: &Console| {
        c.state.incident.records().iter().any(|r| matches!(r.event, warroom::incident::Event::PinnedGraph { .. }))
    };
    // The alert's sparkline needs its first range answer with a point in
    // the window (`p` until then says there is nothing to pin yet: an alert
    // that has just fired has none before its series' next whole step), and
    // the drill's alerts come and go at 30x: round the board, top again after
    // the last, until one pins — for as long as a loaded machine needs.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut i = 0;
    while !pinned(&c) && tokio::time::Instant::now() < deadline {
        i += 1;
        if i % 3 == 0 {
            let before = c.state.alerts.selected().map(|b| b.alert.fingerprint.clone());
            c.handle(key('j'));
            if c.state.alerts.selected().map(|b| b.alert.fingerprint.clone()) == before {
                c.handle(key('g'));
            }
        }
        c.handle(key('p'));
        c.draw(&mut t).unwrap();
        if pinned(&c) {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_millis(500), c.next()).await.ok().flatten().map(|m| c.handle(m));
        c.handle(Msg::Tick(chrono::Utc::now()));
    }
    run_until(&mut c, &mut t, "graph pinned", 15, pinned).await;
    c.handle(key('e'));
    run_until(&mut c, &mut t, "charts drawn", 30, |c| {
        c.state.view.flash.as_ref().is_some_and(|f| f.text.contains(" · charts: "))
    })
    .await;
    let flash = c.state.view.flash.clone().expect("flash").text;
    let pm = std::fs::read_to_string(journal.join("postmortem.md")).unwrap();
    for file in ["charts/pin-1.svg", "charts/alert-1.svg"] {
        assert!(pm.contains(&format!("]({file})")), "{file} linked ({flash}): {pm}");
        let svg = std::fs::read_to_string(journal.join(file)).unwrap();
        let doc = roxmltree::Document::parse(&svg).expect("an SVG");
        assert!(doc.descendants().any(|n| n.tag_name().name() == "polyline"), "{file} draws a line: {svg}");
        if file.starts_with("charts/alert") {
            let marked = doc.descendants().any(|n| n.text().is_some_and(|t| t.trim() == "declared"));
            assert!(marked, "{file}: the declaration marked on the alert's chart: {svg}");
        }
    }
    drill.shutdown().await;
}

#[test]
fn warroom_demo_in_a_pty_shows_the_drill_within_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "HOME={} XDG_DATA_HOME={} {} demo --speed 30 --log-file {}; sleep 30",
        dir.path().display(),
        dir.path().join("data").display(),
        env!("CARGO_BIN_EXE_warroom"),
        dir.path().join("demo.log").display()
    );
    let tmux = Tmux::start(&cmd, 140, 40);
    // The status bar is the frame's last row: wait for it too.
    tmux.wait("alerts firing in the demo", 40, |s| {
        s.contains("DRILL db-down")
            && s.contains("CRIT firing")
            && s.contains("drill-prom ● up")
            && s.contains("drill-am ● up")
    });
    tmux.keys(&["r"]);
    tmux.wait("runbook", 10, |s| s.contains("Runbook:"));
    tmux.keys(&["q", "q"]);
    tmux.wait("demo quit", 10, |s| !s.contains("DRILL"));
}

/// The demo's room is shared: once an incident is declared, Carol, the
/// simulated teammate on another machine, joins through the drill's Loki
/// and her notes arrive on the timeline, with the status bar saying shared.
#[test]
fn warroom_demo_shows_a_teammate_joining_the_shared_room() {
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "HOME={} XDG_DATA_HOME={} USER=alice {} demo --speed 30 --log-file {}; sleep 30",
        dir.path().display(),
        dir.path().join("data").display(),
        env!("CARGO_BIN_EXE_warroom"),
        dir.path().join("demo.log").display()
    );
    let tmux = Tmux::start(&cmd, 150, 45);
    tmux.wait("alerts firing in the demo", 40, |s| s.contains("CRIT firing"));
    tmux.keys(&["i"]);
    tmux.wait("declare form", 10, |s| s.contains("Declare incident"));
    tmux.keys(&["C-s"]);
    tmux.wait("shared", 20, |s| s.contains("shared ✓"));
    let s = tmux.wait("carol's note", 30, |s| s.contains("replica lag is 0"));
    assert!(s.contains("carol"), "{s}");
    tmux.wait("carol's second note, and carol in the room", 30, |s| {
        s.contains("keep writes paused") && s.contains("alice (commander) · carol")
    });
}
