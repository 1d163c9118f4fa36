use std::time::Duration;

use chrono::{TimeZone, Utc};

use super::*;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn series(l: &[(&str, &str)], samples: &[(f64, f64)]) -> Series {
    Series { labels: labels(l), samples: samples.to_vec() }
}

#[test]
fn templates_fill_from_labels_and_escape() {
    let l = labels(&[("service", "api\"x")]);
    assert_eq!(fill("rate(x{service=\"{{service}}\"}[5m])", &l).unwrap(), "rate(x{service=\"api\\\"x\"}[5m])");
    assert_eq!(fill("x{job=\"{{ job }}\"}", &l), None, "missing label: no query");
    assert_eq!(fill("vector(1)", &l).unwrap(), "vector(1)");
    for t in default_templates() {
        let q = fill(&t.query, &labels(&[("service", "api")])).unwrap();
        promql_parser::parser::parse(&q).unwrap_or_else(|e| panic!("{}: {e}", t.name));
    }
}

#[test]
fn threshold_comparisons_are_graphed_without_the_threshold() {
    assert_eq!(graph_expr("up == 0"), "up");
    assert_eq!(graph_expr("0.05 < rate(errors[5m])"), "rate(errors[5m])");
    assert_eq!(graph_expr("vector(1)"), "vector(1)");
    assert_eq!(graph_expr("a > b"), "a > b", "vector comparison kept");
    assert_eq!(graph_expr("not promql ((("), "not promql (((");
}

#[test]
fn plans_whole_window_then_only_the_tail() {
    let mut s = SignalsState::new(vec![], Duration::from_secs(600), true);
    let key = SeriesKey::new("up", 60);
    let t0 = Utc.timestamp_opt(1_000_030, 0).unwrap();
    let f = s.plan(key.clone(), t0).unwrap();
    assert_eq!((f.start, f.end), (999_420, 1_000_020), "aligned to the step");
    assert!(s.plan(key.clone(), t0).is_none(), "one fetch in flight per key");
    s.merge(&f, Ok(vec![series(&[("job", "a")], &[(999_960.0, 1.0), (1_000_020.0, 2.0)])]), t0);
    assert!(s.plan(key.clone(), t0).is_none(), "current: nothing to fetch");
    let t1 = t0 + chrono::Duration::seconds(60);
    let f = s.plan(key.clone(), t1).unwrap();
    assert_eq!((f.start, f.end), (1_000_020, 1_000_080), "the new tail, from the last step fetched");
    // The last point fetched before has changed since (it had not landed).
    s.merge(&f, Ok(vec![series(&[("job", "a")], &[(1_000_020.0, 2.5), (1_000_080.0, 3.0)])]), t1);
    let c = &s.cache[&key];
    assert_eq!(c.series[0].samples, vec![(999_960.0, 1.0), (1_000_020.0, 2.5), (1_000_080.0, 3.0)]);
    // An hour later the old samples fall out of the window, and a whole fetch is planned.
    let f = s.plan(key.clone(), t1 + chrono::Duration::hours(1)).unwrap();
    assert_eq!(f.end - f.start, 600);
}

/// A dashboard panel's own range (`timeFrom`) and shift (`timeShift`):
/// the key's window, ending that long ago, kept to that window.
#[test]
fn a_key_with_its_own_window_and_shift_is_fetched_and_kept_over_it() {
    let mut s = SignalsState::new(vec![], Duration::from_secs(600), true);
    let key = SeriesKey { window_secs: 120, shift_secs: 3600, ..SeriesKey::new("up", 60) };
    let t0 = Utc.timestamp_opt(1_000_030, 0).unwrap();
    let f = s.plan(key.clone(), t0).unwrap();
    assert_eq!((f.start, f.end), (996_300, 996_420), "two minutes, ending an hour ago, aligned");
    let old = [(996_000.0, 9.0), (996_360.0, 1.0), (996_420.0, 2.0)];
    s.merge(&f, Ok(vec![series(&[], &old)]), t0);
    assert_eq!(
        s.cache[&key].series[0].samples,
        vec![(996_360.0, 1.0), (996_420.0, 2.0)],
        "older than its window: dropped"
    );
    assert!(s.plan(key.clone(), t0).is_none(), "current");
    let f = s.plan(key.clone(), t0 + chrono::Duration::seconds(60)).unwrap();
    assert_eq!(f.end, 996_480, "the next step, still an hour back");
    // The same query over the cache's window is another key.
    let plain = s.plan(SeriesKey::new("up", 60), t0).unwrap();
    assert_eq!((plain.start, plain.end), (999_420, 1_000_020));
}

/// VictoriaMetrics leaves the newest points (its `-search.latencyOffset`)
/// out of a range answer: a tail that came back short is asked again, so
/// the points fill in once they are there instead of staying missing.
#[test]
fn points_missing_from_a_tail_are_fetched_again() {
    let mut s = SignalsState::new(vec![], Duration::from_secs(300), true);
    let key = SeriesKey::new("load", 1);
    let t0 = Utc.timestamp_opt(1_000_000, 0).unwrap();
    let f = s.plan(key.clone(), t0).unwrap();
    s.merge(&f, Ok(vec![series(&[], &[(999_990.0, 1.0)])]), t0);
    // Ten seconds later: the answer ends 5 s short of what was asked.
    let (t10, t11) = (t0 + chrono::Duration::seconds(10), t0 + chrono::Duration::seconds(11));
    let f = s.plan(key.clone(), t10).unwrap();
    assert!(f.start <= 999_991 && f.end == 1_000_010, "{f:?}");
    s.merge(&f, Ok(vec![series(&[], &[(999_990.0, 1.0), (1_000_005.0, 2.0)])]), t10);
    let f = s.plan(key.clone(), t11).unwrap();
    assert!(f.start <= 1_000_006, "the missing points asked again: {f:?}");
    let answer = [(999_990.0, 1.0), (1_000_005.0, 2.0), (1_000_008.0, 3.0), (1_000_011.0, 4.0)];
    s.merge(&f, Ok(vec![series(&[], &answer)]), t11);
    let samples = &s.cache[&key].series[0].samples;
    assert_eq!(samples, &answer.to_vec());
}

#[test]
fn errors_are_kept_and_refetched_whole_after_a_backoff() {
    let mut s = SignalsState::new(vec![], Duration::from_secs(600), true);
    s.refresh = Duration::from_secs(10);
    let key = SeriesKey::new("up", 60);
    let t0 = Utc.timestamp_opt(1_000_000, 0).unwrap();
    let f = s.plan(key.clone(), t0).unwrap();
    s.merge(&f, Err(SourceError::Status { status: 503, message: "overloaded".into() }), t0);
    assert!(s.cache[&key].tries.error.is_some());
    let at = |secs| t0 + chrono::Duration::seconds(secs);
    assert!(s.plan(key.clone(), t0).is_none(), "not again at once");
    assert!(s.plan(key.clone(), at(9)).is_none(), "never sooner than the refresh interval");
    let f = s.plan(key.clone(), at(60)).unwrap();
    assert_eq!(f.end - f.start, 600, "whole window");
    // Failing again: the wait grows.
    s.merge(&f, Err(SourceError::Refused), at(60));
    assert!(s.plan(key.clone(), at(60 + 19)).is_none(), "second failure: twice the interval");
    let f = s.plan(key.clone(), at(60 + 22)).unwrap();
    s.merge(&f, Err(SourceError::Timeout(Duration::from_secs(10))), at(82));
    assert!(s.plan(key.clone(), at(82 + 39)).is_none(), "third failure: four times");
    // An answer resets it.
    let f = s.plan(key.clone(), at(82 + 42)).unwrap();
    s.merge(&f, Ok(vec![]), at(124));
    assert_eq!((s.cache[&key].tries.failures, s.cache[&key].tries.error.is_none()), (0, true));
    let f = s.plan(key.clone(), at(124 + 60)).unwrap();
    s.merge(&f, Err(SourceError::Refused), at(184));
    assert!(s.plan(key.clone(), at(184 + 12)).is_some(), "back to one interval");
}

/// Issue 15 item 1: Prometheus with `--query.max-samples` answered every
/// range query 422 and one console asked 34 201 times in 20 s. A query the
/// server rejects for what it is (4xx) is not asked again.
#[test]
fn a_rejected_query_is_not_asked_again() {
    let mut s = SignalsState::new(vec![], Duration::from_secs(600), true);
    let key = SeriesKey::new("bad(", 60);
    let t0 = Utc.timestamp_opt(1_000_000, 0).unwrap();
    let f = s.plan(key.clone(), t0).unwrap();
    let too_many = "query processing would load too many samples into memory in query execution";
    s.merge(&f, Err(SourceError::Api { status: 422, kind: "execution".into(), message: too_many.into() }), t0);
    for later in [1, 60, 3600, 86_400] {
        assert!(s.plan(key.clone(), t0 + chrono::Duration::seconds(later)).is_none(), "asked again after {later}s");
    }
    let f = s.plan(SeriesKey { step_secs: 120, ..key.clone() }, t0).unwrap();
    s.merge(&f, Err(SourceError::Api { status: 400, kind: "bad_data".into(), message: "parse error".into() }), t0);
    assert!(s.plan(f.key.clone(), t0 + chrono::Duration::hours(1)).is_none());
    // Overload and rate limiting are not rejections.
    for e in [SourceError::Status { status: 429, message: String::new() }, SourceError::Refused] {
        assert!(!is_rejection(&e), "{e:?}");
    }
    // A new context starts from a new state: the query is asked again there.
    let mut fresh = SignalsState::new(vec![], Duration::from_secs(600), true);
    assert!(fresh.plan(key, t0).is_some());
}

#[test]
fn retry_delays_grow_from_the_refresh_interval_and_cap() {
    let s = Duration::from_secs;
    assert_eq!(retry_delay(s(5), 1), s(5));
    assert_eq!(retry_delay(s(5), 2), s(10));
    assert_eq!(retry_delay(s(5), 6), s(160));
    assert_eq!(retry_delay(s(5), 60), s(160));
    assert_eq!(retry_delay(Duration::from_millis(200), 1), s(1), "at least the clock's step");
    assert_eq!(retry_delay(s(600), 3), s(2400));
}

#[test]
fn alert_series_and_rule_matching() {
    let mut s = SignalsState::new(vec![], Duration::from_secs(600), true);
    let alert_labels = labels(&[("alertname", "Down"), ("severity", "critical"), ("instance", "b")]);
    let alert = crate::model::Alert::firing(alert_labels, Utc::now(), "");
    s.rules.push(AlertRule {
        group: "g".into(),
        name: "Down".into(),
        query: "up == 0".into(),
        duration: Duration::ZERO,
        labels: labels(&[("severity", "warning")]),
        annotations: Labels::new(),
        health: "ok".into(),
        interval: std::time::Duration::from_secs(15),
    });
    assert!(s.rule_for(&alert).is_none(), "rule labels must match");
    s.rules[0].labels = labels(&[("severity", "critical")]);
    assert_eq!(s.rule_for(&alert).unwrap().query, "up == 0");
    let key = SeriesKey::new("up", 60);
    let f = Fetch { key: key.clone(), start: 0, end: 60, purpose: Default::default() };
    s.merge(
        &f,
        Ok(vec![
            series(&[("__name__", "up"), ("instance", "a")], &[(60.0, 0.0)]),
            series(&[("__name__", "up"), ("instance", "b")], &[(60.0, 1.0)]),
        ]),
        Utc::now(),
    );
    assert_eq!(s.alert_series(&alert, &key).unwrap().samples[0].1, 1.0);
}

#[test]
fn values_read_naturally() {
    assert_eq!(format_value(0.085, Unit::Seconds), "85ms");
    assert_eq!(format_value(1.25, Unit::Seconds), "1.25s");
    assert_eq!(format_value(0.042, Unit::Ratio), "4.20%");
    assert_eq!(format_value(120.0, Unit::Reqps), "120 req/s");
    assert_eq!(format_value(1.5 * 1024.0 * 1024.0 * 1024.0, Unit::Bytes), "1.5GiB");
    assert_eq!(format_value(f64::NAN, Unit::None), "–");
    assert_eq!(format_value(12345.0, Unit::None), "12.3k");
    let s = SignalsState::new(vec![], Duration::from_secs(1800), true);
    assert_eq!(s.step_for(15), 120);
    assert_eq!(s.step_for(60), 30);
}
