//! `p` on a graph, end to end without a terminal: the record `update` asks
//! for is written to a real journal, read back, and the post-mortem draft
//! shows the pinned sparkline with its range and time span.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::incident::{Declaration, Event, Journal, postmortem};
use warroom::model::{Alert, Labels};
use warroom::msg::{Cmd, IncidentMsg, Msg, Payload, PollResult, SourceId, SourceKind};
use warroom::sources::prometheus::{AlertRule, Series};
use warroom::state::signals::Fetch;
use warroom::state::{Setup, State, schedule, update};

const AM: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };
const PROM: SourceId = SourceId { kind: SourceKind::Prometheus, index: 0 };

fn alert(now: chrono::DateTime<Utc>) -> Alert {
    let labels: Labels = [("alertname", "HighErrorRate"), ("severity", "critical"), ("service", "upload")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Alert::firing(labels, now - chrono::Duration::minutes(10), "am")
}

#[test]
fn a_pinned_graph_reaches_the_postmortem() {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).single().expect("valid time");
    let setup = Setup { sources: vec![(AM, "am".into()), (PROM, "prom".into())], ..Setup::default() };
    let mut state = State::new(setup, Default::default(), Default::default(), now);
    let poll = PollResult {
        source: AM,
        at: now,
        latency: Duration::ZERO,
        result: Ok(Payload::AmAlerts(warroom::model::share(vec![alert(now)]))),
    };
    update(&mut state, Msg::Poll(Box::new(poll)));
    state.signals.rules.push(AlertRule {
        group: "api".into(),
        name: "HighErrorRate".into(),
        query: "sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) > 0.05".into(),
        duration: Duration::ZERO,
        labels: Labels::new(),
        annotations: Labels::new(),
        health: "ok".into(),
        interval: std::time::Duration::from_secs(15),
    });
    // The expression's answer: rising, with a scrape gap (NaN) in the middle.
    let selected = state.alerts.selected().expect("selected").alert.clone();
    let line = schedule::detail_lines(&state, &selected).into_iter().next().expect("expression line");
    let step = line.key.step_secs as i64;
    let end = now.timestamp().div_euclid(step) * step;
    let samples: Vec<(f64, f64)> = (0..1800 / step)
        .map(|i| ((end - 1800 + step * (i + 1)) as f64, if i == 10 { f64::NAN } else { 0.01 * i as f64 }))
        .collect();
    let fetch = Fetch { key: line.key.clone(), start: end - 1800, end, purpose: Default::default() };
    state.signals.merge(&fetch, Ok(vec![Series { labels: Labels::new(), samples }]), state.clock.now);

    let decl = Declaration {
        title: "upload errors".into(),
        severity: "SEV2".into(),
        commander: "alice".into(),
        at: now,
        author: "alice".into(),
    };
    let mut journal = Journal::create(dir.path(), &decl).expect("journal");
    let read = Journal::read_all(journal.path()).expect("read");
    update(&mut state, Msg::Incident(IncidentMsg::Loaded { id: journal.id().to_string(), read }));

    let cmds = update(&mut state, Msg::Key(KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE)));
    let records: Vec<_> = cmds
        .into_iter()
        .filter_map(|c| match c {
            Cmd::Capture(record) if matches!(record.event, Event::PinnedGraph { .. }) => Some(record),
            _ => None,
        })
        .collect();
    assert_eq!(records.len(), 1, "one graph pinned");
    for r in &records {
        journal.append(r).expect("append");
    }
    let all = Journal::read_all(journal.path()).expect("read back").records;
    let Some(Event::PinnedGraph { sparkline, .. }) =
        all.iter().map(|r| &r.event).find(|e| matches!(e, Event::PinnedGraph { .. }))
    else {
        panic!("no pinned graph in the journal");
    };
    assert_eq!(sparkline.chars().count(), 60, "fixed width over the window: {sparkline:?}");
    assert!(sparkline.contains(' '), "the NaN sample is a gap: {sparkline:?}");
    let md = postmortem::render(&all, None);
    assert!(md.contains("**HighErrorRate · expression**"), "{md}");
    assert!(md.contains("sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))"), "threshold dropped: {md}");
    assert!(md.contains(sparkline.trim_end()), "sparkline in the draft: {md}");
    let max = 0.01 * (1800 / step - 1) as f64;
    assert!(md.contains(&format!("range 0–{}", warroom::incident::describe::number(max))), "{md}");
    let utc = |t: i64| chrono::DateTime::from_timestamp(t, 0).expect("time").format("%Y-%m-%d %H:%M:%SZ").to_string();
    assert!(md.contains(&format!("from {} to {}", utc(end - 1770), utc(end))), "{md}");
}
