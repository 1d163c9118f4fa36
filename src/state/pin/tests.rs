use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::incident::ReadOutcome;
use crate::model::metrics::AlertRule;
use crate::msg::{Msg, Payload, SourceId, SourceKind};
use crate::state::signals::Fetch;
use crate::state::tests::{alert, now, poll, state};
use crate::state::{ChartView, update};

const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn series(labels: &[(&str, &str)], samples: Vec<(f64, f64)>) -> Series {
    Series { labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), samples }
}

/// The last `n` steps before `end`, valued by `f`.
fn ramp(end: i64, step: u64, n: usize, f: impl Fn(usize) -> f64) -> Vec<(f64, f64)> {
    (0..n).map(|i| ((end - step as i64 * (n - 1 - i) as i64) as f64, f(i))).collect()
}

fn loaded(incident: bool) -> State {
    loaded_at(incident, 40)
}

/// One alert (HighLatency on api) with its rule's expression and the
/// throughput signal cached (three routes), for a detail sparkline
/// `spark_w` columns wide.
pub(crate) fn loaded_at(incident: bool, spark_w: u16) -> State {
    let mut s = state();
    // Stacked (narrower than 110), the detail is as wide as the terminal:
    // two border columns and 53 for the name and value columns.
    update(&mut s, crate::msg::Msg::Resize(spark_w + 55, 40));
    s.signals.templates = crate::state::signals::default_templates();
    s.signals.templates.retain(|t| t.name == "throughput");
    s.signals.top_n = 2;
    update(
        &mut s,
        poll(
            AM0,
            Ok(Payload::AmAlerts(crate::model::share(vec![alert(
                "HighLatency",
                "warning",
                &[("service", "api")],
                5,
                "am0",
            )]))),
        ),
    );
    s.signals.rules.push(AlertRule {
        group: "g".into(),
        name: "HighLatency".into(),
        query: "latency_seconds > 1".into(),
        duration: Duration::ZERO,
        labels: Default::default(),
        annotations: Default::default(),
        health: "ok".into(),
        interval: std::time::Duration::from_secs(15),
    });
    let sel = s.alerts.selected().map(|b| b.alert.clone()).expect("an alert");
    for line in crate::state::schedule::detail_lines(&s, &sel) {
        let step = line.key.step_secs;
        let end = now().timestamp().div_euclid(step as i64) * step as i64;
        let data = if line.own {
            vec![series(&[("service", "api")], ramp(end, step, 40, |i| i as f64))]
        } else {
            vec![
                series(&[("route", "/a")], ramp(end, step, 40, |_| 5.0)),
                series(&[("route", "/b")], ramp(end, step, 40, |i| 10.0 + i as f64)),
                series(&[("route", "/c")], ramp(end, step, 40, |_| 1.0)),
            ]
        };
        let fetch = Fetch { key: line.key.clone(), start: end - 1800, end, purpose: Default::default() };
        s.signals.merge(&fetch, Ok(data), s.clock.now);
    }
    if incident {
        s.incident.load("2026-11-22-api", ReadOutcome { records: Vec::new(), warnings: Vec::new() });
    }
    s
}

/// Title, sparkline, min, max and unit of a pinned graph.
type Pinned = (String, String, Option<f64>, Option<f64>, String);

fn pinned(cmds: &[Cmd]) -> Vec<Pinned> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Capture(record) => match &record.event {
                Event::PinnedGraph { title, sparkline, min, max, unit, .. } => {
                    Some((title.clone(), sparkline.clone(), *min, *max, unit.clone()))
                }
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[test]
fn text_graph_is_fixed_width_with_gaps() {
    let mut samples = ramp(1800, 30, 60, |i| i as f64);
    samples[10].1 = f64::NAN;
    samples[11].1 = f64::INFINITY;
    samples.remove(20);
    let g = text_graph(&samples, 1800, 1800, 30);
    assert_eq!(g.sparkline.chars().count(), PIN_POINTS);
    let chars: Vec<char> = g.sparkline.chars().collect();
    assert_eq!((chars[10], chars[11], chars[20]), (' ', ' ', ' '), "NaN, +Inf and missing are gaps");
    assert_eq!((chars[0], chars[59]), ('▁', '█'));
    assert_eq!((g.min, g.max), (Some(0.0), Some(59.0)));
    assert_eq!((g.from, g.to), (30, 1800));

    let mut coarse = ramp(1800, 45, 40, |_| 2.0);
    coarse[20].1 = f64::NAN;
    let g = text_graph(&coarse, 1800, 1800, 45);
    assert_eq!(g.sparkline.chars().count(), PIN_POINTS, "coarser data: still {PIN_POINTS} points");
    // The NaN stands for 45 s, one and a half points: two blanks, nothing else.
    assert_eq!(g.sparkline.matches(' ').count(), 2, "only the NaN is a gap: {:?}", g.sparkline);
    assert!(g.sparkline.contains("▁  ▁"), "{:?}", g.sparkline);
    let fine = text_graph(&ramp(1800, 5, 360, |i| i as f64), 1800, 1800, 5);
    assert_eq!(fine.sparkline.chars().count(), PIN_POINTS, "finer data is downsampled");

    let none = text_graph(&[(100.0, f64::NAN)], 1800, 1800, 30);
    assert_eq!((none.min, none.max), (None, None));
    assert_eq!(none.sparkline, " ".repeat(PIN_POINTS));
}

#[test]
fn without_an_incident_p_says_how_to_declare_one() {
    let mut s = loaded(false);
    let cmds = update(&mut s, key(KeyCode::Char('p')));
    assert!(pinned(&cmds).is_empty());
    assert_eq!(s.view.flash.as_ref().map(|f| f.text.as_str()), Some("no incident: declare one with i"));
}

#[test]
fn p_on_the_board_pins_the_alert_expression() {
    let mut s = loaded(true);
    let cmds = update(&mut s, key(KeyCode::Char('p')));
    let got = pinned(&cmds);
    assert_eq!(got.len(), 1, "{cmds:?}");
    let (title, spark, min, max, unit) = &got[0];
    assert_eq!(title, "HighLatency · expression");
    assert!(spark.ends_with('█'), "rising: {spark}");
    assert_eq!((*min, *max, unit.as_str()), (Some(0.0), Some(39.0), ""));
    assert_eq!(s.view.flash.as_ref().map(|f| f.text.as_str()), Some("graph pinned to the timeline"));
}

#[test]
fn detail_selection_picks_the_signal_series_to_pin() {
    let mut s = loaded(true);
    s.view.focus = Pane::Detail;
    // expression, throughput /b (highest now), throughput /a; /c is beyond top 2.
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.view.detail.signal, Some(2));
    let got = pinned(&update(&mut s, key(KeyCode::Char('p'))));
    assert_eq!(got[0].0, "HighLatency · throughput · route=/a");
    assert_eq!((got[0].2, got[0].3, got[0].4.as_str()), (Some(5.0), Some(5.0), "req/s"));
    update(&mut s, key(KeyCode::Down));
    assert_eq!((s.view.detail.signal, s.view.detail.scroll), (Some(2), 1), "past the last row: scrolls");
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Up));
    }
    assert_eq!((s.view.detail.signal, s.view.detail.scroll), (None, 0));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Char('j')));
    s.view.focus = Pane::Alerts;
    update(&mut s, key(KeyCode::Char('j')));
    assert_eq!(s.view.detail.signal, None, "another alert (or the same, moved onto): selection reset");
}

#[test]
fn chart_pins_its_top_series_once() {
    let mut s = loaded(true);
    let key_b = crate::state::schedule::detail_lines(&s, &s.alerts.selected().expect("sel").alert)
        .into_iter()
        .find(|l| !l.own)
        .expect("throughput")
        .key;
    s.view.chart = Some(ChartView { title: "sum(rate(x[5m]))".into(), key: key_b, unit: super::Unit::Reqps });
    let cmds = update(&mut s, key(KeyCode::Char('p')));
    let titles: Vec<String> = pinned(&cmds).into_iter().map(|g| g.0).collect();
    assert_eq!(titles, vec!["sum(rate(x[5m])) · route=/b", "sum(rate(x[5m])) · route=/a"]);
    assert_eq!(s.view.flash.as_ref().map(|f| f.text.as_str()), Some("2 graphs pinned to the timeline"));
    // The records come back from the journal: pinning again is a no-op.
    let records: Vec<_> = cmds
        .into_iter()
        .filter_map(|c| match c {
            Cmd::Capture(record) => Some(record),
            _ => None,
        })
        .collect();
    update(&mut s, Msg::Incident(crate::msg::IncidentMsg::Read(ReadOutcome { records, warnings: Vec::new() })));
    assert!(pinned(&update(&mut s, key(KeyCode::Char('p')))).is_empty());
    assert_eq!(s.view.flash.as_ref().map(|f| f.text.as_str()), Some("already pinned"));
}
