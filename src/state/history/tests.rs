use std::time::Duration;

use chrono::{DateTime, Utc};

use super::*;
use crate::model::Labels;
use crate::state::tests::{alert, now};

const HOUR: Duration = Duration::from_secs(3600);

fn rule(name: &str, interval: u64) -> AlertRule {
    AlertRule {
        group: "g".into(),
        name: name.into(),
        query: "x > 0".into(),
        duration: Duration::ZERO,
        labels: Labels::new(),
        annotations: Labels::new(),
        health: "ok".into(),
        interval: Duration::from_secs(interval),
    }
}

/// One series of `max_over_time(ALERTS…)` with a point every `step` over
/// each of `spans` (unix seconds, inclusive).
fn answer(spans: &[(i64, i64)], step: i64) -> Vec<Series> {
    let samples = spans.iter().flat_map(|(a, b)| (*a..=*b).step_by(step as usize)).map(|t| (t as f64, 1.0)).collect();
    vec![Series { labels: [("alertname".to_string(), "Flappy".to_string())].into(), samples }]
}

/// Answers the history query of `a` (over the state's window, ending at
/// the state's clock) with points over `spans` (seconds before now).
pub(crate) fn load(s: &mut State, a: &Alert, spans: &[(i64, i64)]) {
    let q = query_of(s, a);
    let step = q.key.step_secs as i64;
    let end = s.clock.now.timestamp().div_euclid(step) * step;
    let f = Fetch { key: q.key, start: end - s.alerts.history.window.as_secs() as i64, end, purpose: Purpose::History };
    let spans: Vec<(i64, i64)> = spans.iter().map(|(a, b)| (end - a, end - b)).collect();
    crate::state::update(s, crate::msg::Msg::Range(Box::new((f, Ok(answer(&spans, step))))));
}

/// Answers the history query of `a` with `error`.
pub(crate) fn fail(s: &mut State, a: &Alert, error: SourceError) {
    let q = query_of(s, a);
    let f = Fetch { key: q.key, start: 0, end: s.clock.now.timestamp(), purpose: Purpose::History };
    crate::state::update(s, crate::msg::Msg::Range(Box::new((f, Err(error)))));
}

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

#[test]
fn the_query_matches_every_label_and_steps_by_the_evaluation_interval() {
    let a = alert("Disk\"Full", "critical", &[("instance", "db\\1\nx"), ("alertstate", "pending")], 5, "am0");
    let q = query_for(&a, Some(&rule("Disk\"Full", 15)), Duration::from_secs(7 * 86_400));
    assert_eq!(
        q.key.query,
        r#"max_over_time(ALERTS{alertname="Disk\"Full",instance="db\\1\nx",severity="critical",alertstate="firing"}[75s])"#
    );
    assert_eq!((q.key.step_secs, q.gap), (60, 15), "a week a point a minute, each over a minute and an evaluation");
    promql_parser::parser::parse(&q.key.query).unwrap_or_else(|e| panic!("{}: {e}", q.key.query));
    let q = query_for(&a, None, Duration::from_secs(7 * 86_400));
    assert_eq!((q.key.step_secs, q.gap), (60, DEFAULT_EVAL_GAP), "no rule known: Prometheus' default interval");
    let q = query_for(&a, Some(&rule("x", 1)), HOUR);
    assert_eq!((q.key.step_secs, q.gap), (1, 1));
    assert!(q.key.query.ends_with("[2s])"), "{}", q.key.query);
    let q = query_for(&a, Some(&rule("x", 15)), Duration::from_secs(30 * 86_400));
    assert_eq!(q.key.step_secs, 270, "under the point limit, a whole number of evaluations");
    assert!(30 * 86_400 / q.key.step_secs <= MAX_POINTS);
    let odd = alert("A", "info", &[("k8s.pod", "p")], 1, "am0");
    assert!(selector(&odd).contains(r#""k8s.pod"="p""#), "{}", selector(&odd));
}

#[test]
fn plans_the_window_then_waits_then_the_tail_or_a_new_firing() {
    let mut h = HistoryState::new(HOUR, 4, true);
    let key = SeriesKey::new("q", 10);
    let t0 = 1_800_000_005;
    let f = h.plan(&key, None, at(t0)).unwrap();
    assert_eq!((f.start, f.end, f.purpose), (t0 - 5 - 3600, t0 - 5, Purpose::History));
    assert!(h.plan(&key, None, at(t0)).is_none(), "in flight");
    h.merge(&f, Ok(answer(&[(f.end - 600, f.end - 300)], 10)), at(t0));
    assert!(h.plan(&key, None, at(t0 + 120)).is_none(), "fresh for a few minutes");
    let fired = t0 + 60;
    let f2 = h.plan(&key, Some(fired), at(t0 + 75)).expect("fired after the data ends: asked at once");
    assert_eq!((f2.start, f2.end), (f.end - 60, t0 + 75), "from a minute before the cached end");
    // The answer left the newest points out (VictoriaMetrics' latency offset).
    h.merge(&f2, Ok(Vec::new()), at(t0 + 75));
    assert!(h.plan(&key, Some(fired), at(t0 + 95)).is_none(), "not again at once");
    let f2 = h.plan(&key, Some(fired), at(t0 + 75 + RECHECK_SECS)).expect("asked again while the firing is missing");
    h.merge(&f2, Ok(answer(&[(fired, t0 + 100)], 10)), at(t0 + 75 + RECHECK_SECS));
    assert!(h.plan(&key, Some(fired), at(t0 + 80 + 2 * RECHECK_SECS)).is_none(), "that firing is in");
    let never = SeriesKey::new("never", 10);
    let f = h.plan(&never, Some(fired), at(t0)).unwrap();
    h.merge(&f, Ok(Vec::new()), at(t0));
    let asked = (1..=40).filter(|i| {
        let t = at(t0 + i * RECHECK_SECS);
        let f = h.plan(&never, Some(fired), t);
        f.inspect(|f| h.merge(f, Ok(Vec::new()), t)).is_some()
    });
    // Every 30 s for 5 minutes, then with the refresh only (4 in 20 minutes).
    let most = (RECHECK_FOR_SECS / RECHECK_SECS) as usize + 4;
    assert!(asked.count() <= most, "a firing never written is not asked forever");
    let f3 = h.plan(&key, Some(fired), at(t0 + 75 + RECHECK_SECS + REFRESH_SECS)).expect("stale after the refresh");
    assert!(f3.start > f3.end - 3600, "a tail");
    let others: Vec<SeriesKey> = (0..3).map(|i| SeriesKey::new(format!("o{i}"), 10)).collect();
    let planned = others.iter().filter(|k| h.plan(k, None, at(t0)).is_some()).count();
    assert_eq!(planned, MAX_IN_FLIGHT - 1, "a few in flight at most (f3 is one)");
}

#[test]
fn runs_are_merged_across_a_tail_and_old_ones_leave_the_window() {
    let mut h = HistoryState::new(HOUR, 4, true);
    let key = SeriesKey::new("q", 10);
    let end = 1_800_000_000;
    let whole = Fetch { key: key.clone(), start: end - 3600, end, purpose: Purpose::History };
    h.merge(&whole, Ok(answer(&[(end - 3600, end - 3500), (end - 900, end - 600), (end - 100, end)], 10)), at(end));
    assert_eq!(h.cache[&key].runs, vec![(end - 3600, end - 3500), (end - 900, end - 600), (end - 100, end)]);
    // The tail: the last firing went on, and a point of it changed.
    let tail = Fetch { key: key.clone(), start: end - 60, end: end + 600, purpose: Purpose::History };
    h.merge(&tail, Ok(answer(&[(end - 60, end + 300)], 10)), at(end + 600));
    let runs = &h.cache[&key].runs;
    assert_eq!(runs, &vec![(end - 900, end - 600), (end - 100, end + 300)], "joined; the oldest out of the window");
    // Odd timestamps and values are aligned or dropped, not multiplied.
    let odd = vec![Series {
        labels: Labels::new(),
        samples: vec![(f64::NAN, 1.0), ((end + 601) as f64, f64::NAN), ((end + 603) as f64, 1.0), (1e300, 1.0)],
    }];
    let f = Fetch { key: key.clone(), start: end + 600, end: end + 700, purpose: Purpose::History };
    h.merge(&f, Ok(odd), at(end + 700));
    assert_eq!(h.cache[&key].runs.last(), Some(&(end + 600, end + 600)));
}

#[test]
fn a_rejected_query_is_not_asked_again_and_the_row_says_why() {
    let mut h = HistoryState::new(HOUR, 4, true);
    let a = alert("Flappy", "warning", &[], 1, "prom");
    let q = query_for(&a, None, HOUR);
    assert_eq!(h.view(&q, &a), View::Loading);
    let f = h.plan(&q.key, None, now()).unwrap();
    let bad = SourceError::Api { status: 400, kind: "bad_data".into(), message: "parse error".into() };
    h.merge(&f, Err(bad.clone()), now());
    assert_eq!(h.view(&q, &a), View::Failed { error: &bad, rejected: true });
    assert!(h.plan(&q.key, None, now() + chrono::Duration::hours(1)).is_none(), "never again");
    let key = SeriesKey::new("other", 60);
    let f = h.plan(&key, None, now()).unwrap();
    h.merge(&f, Err(SourceError::Refused), now());
    assert!(h.plan(&key, None, now()).is_none(), "waits for its retry");
    assert!(h.plan(&key, None, now() + chrono::Duration::minutes(10)).is_some(), "then asked again");
    assert_eq!(HistoryState::new(HOUR, 4, false).view(&q, &a), View::Off);
}

/// The History row of a `Flappy` alert firing since `fired` (unix seconds),
/// its history read up to `end` with points over `spans`.
fn summary_of(spans: &[(i64, i64)], end: i64, fired: i64, threshold: u32) -> (Summary, bool) {
    let mut h = HistoryState::new(HOUR, threshold, true);
    let mut a = alert("Flappy", "warning", &[], 0, "prom");
    a.starts_at = at(fired);
    let q = query_for(&a, Some(&rule("Flappy", 10)), HOUR);
    assert_eq!(q.key.step_secs, 10);
    let f = Fetch { key: q.key.clone(), start: end - 3600, end, purpose: Purpose::History };
    h.merge(&f, Ok(answer(spans, 10)), at(end));
    let View::Ready(s) = h.view(&q, &a) else { panic!("no summary") };
    (s, h.flapping(&q))
}

#[test]
fn fired_twice_reads_as_two_firings_and_two_runs_on_the_strip() {
    let end = 1_800_000_000;
    // Fired 40 min ago for 10 min, and again 5 min ago, still firing.
    let (s, flapping) = summary_of(&[(end - 2400, end - 1800), (end - 300, end)], end, end - 310, 4);
    assert_eq!(s.firings.len(), 2);
    assert!(s.current && s.ongoing);
    assert_eq!(s.words(at(end)), "fired 2× in 1h · last 40m ago · median 10m");
    assert!(!flapping && !s.flapping);
    let strip: String = s.strip(12).iter().map(|f| if *f { '█' } else { '▁' }).collect();
    // Five minutes a cell: 20 to 30 minutes into the hour (from a step
    // before the first point), and the last five.
    assert_eq!(strip, "▁▁▁███▁▁▁▁██", "two runs");
}

#[test]
fn no_history_or_only_this_firing_is_the_first_time() {
    let end = 1_800_000_000;
    let (s, _) = summary_of(&[], end, end - 60, 4);
    assert_eq!(s.words(at(end)), "first time in 1h");
    assert!(s.strip(10).iter().all(|f| !f));
    let (s, _) = summary_of(&[(end - 300, end)], end, end - 310, 4);
    assert_eq!(s.words(at(end)), "first time in 1h", "its own firing is not a previous one");
    assert_eq!(s.previous().len(), 0);
}

#[test]
fn more_transitions_than_the_threshold_within_an_hour_is_flapping() {
    let end = 1_800_000_000;
    let spans = [(end - 3000, end - 2900), (end - 2000, end - 1900), (end - 1000, end - 900), (end - 100, end)];
    // Starts and ends in the last hour: 4 starts, 3 ends (the last goes on).
    let (s, flapping) = summary_of(&spans, end, end - 110, 6);
    assert_eq!((s.last_hour, s.flapping, flapping), (7, true, true));
    assert!(s.words(at(end)).ends_with("· ⇅ flapping: 7 changes in the last hour"), "{}", s.words(at(end)));
    let (_, flapping) = summary_of(&spans, end, end - 110, 7);
    assert!(!flapping, "7 is not more than 7");
}

#[test]
fn history_answers_reach_the_history_and_fetches_are_planned_for_the_alerts_in_view() {
    use crate::msg::{Cmd, Msg, Payload, SourceId, SourceKind};
    use crate::state::tests::{poll, state};
    let mut s = state();
    s.alerts.history.window = HOUR;
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    let cmds = crate::state::update(
        &mut s,
        poll(am, Ok(Payload::AmAlerts(crate::model::share(vec![alert("Flappy", "warning", &[], 3, "am0")])))),
    );
    let fetches: Vec<&Fetch> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::FetchRange(f) if f.purpose == Purpose::History => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(fetches.len(), 1, "{cmds:?}");
    assert!(fetches[0].key.query.contains(r#"ALERTS{alertname="Flappy",severity="warning",alertstate="firing"}"#));
    let f = fetches[0].clone();
    let t = f.end;
    crate::state::update(&mut s, Msg::Range(Box::new((f.clone(), Ok(answer(&[(t - 600, t)], 60))))));
    assert!(s.signals.cache.is_empty(), "not a sparkline");
    assert_eq!(s.alerts.history.cache[&f.key].runs, vec![(t - 600, t)]);
}

#[test]
fn an_open_incident_records_the_previous_firings_of_its_alerts_once() {
    use crate::incident::{Event, ReadOutcome, Record};
    use crate::msg::{Cmd, IncidentMsg, Msg, Payload, SourceId, SourceKind};
    use crate::state::tests::{poll, state};
    let mut s = state();
    s.alerts.history.window = HOUR;
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    let flappy = alert("Flappy", "warning", &[], 3, "am0");
    let starts = flappy.starts_at.timestamp();
    crate::state::update(&mut s, poll(am, Ok(Payload::AmAlerts(crate::model::share(vec![flappy.clone()])))));
    let declared = Record::new(
        s.clock.now,
        "alice",
        Event::Declared { title: "flaps".into(), severity: "warning".into(), commander: "alice".into() },
    )
    .with_id("01JDX3ZC8Q4M5T0V6B7N8P9R2S@h", "h");
    let read = ReadOutcome { records: vec![declared], warnings: Vec::new() };
    crate::state::update(&mut s, Msg::Incident(IncidentMsg::Loaded { id: "i-1".into(), read }));
    let q = query_of(&s, &flappy);
    let end = s.clock.now.timestamp().div_euclid(60) * 60;
    let f = Fetch { key: q.key.clone(), start: end - 3600, end, purpose: Purpose::History };
    // Fired 50 and 30 minutes ago for two minutes, and now.
    let spans = [(end - 3000, end - 2880), (end - 1800, end - 1680), (starts, end)];
    let cmds = crate::state::update(&mut s, Msg::Range(Box::new((f, Ok(answer(&spans, 60))))));
    let recorded: Vec<&Record> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::Capture(r) if matches!(r.event, Event::AlertHistory { .. }) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(recorded.len(), 1, "{cmds:?}");
    let Event::AlertHistory { alertname, starts_at, previous, window_secs, omitted, .. } = &recorded[0].event else {
        unreachable!()
    };
    assert_eq!((alertname.as_str(), *starts_at, *window_secs, *omitted), ("Flappy", flappy.starts_at, 3600, 0));
    assert_eq!(previous.len(), 2, "the two before, not this one: {previous:?}");
    assert_eq!(previous[0].start.timestamp(), end - 3060);
    let later = s.clock.now + chrono::Duration::seconds(1);
    let again = crate::state::update(&mut s, Msg::Tick(later));
    assert!(!again.iter().any(|c| matches!(c, Cmd::Capture(_))), "once per firing: {again:?}");
}
