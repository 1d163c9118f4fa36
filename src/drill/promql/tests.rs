use super::*;
use crate::drill::clock::Clock;
use crate::drill::scenario::Scenario;

const SCENARIO: &str = r#"
name = "t"
title = "t"
description = "t"
duration = "10m"
[[series]]
name = "http_requests_total"
type = "counter"
labels = { service = "api", status = "200" }
curve = [[0, 10]]
[[series]]
name = "http_requests_total"
type = "counter"
labels = { service = "api", status = "500" }
curve = [[0, 1]]
[[series]]
name = "up"
type = "gauge"
labels = { job = "api" }
curve = [[0, 1]]
[[series]]
name = "up"
type = "gauge"
labels = { job = "postgresql" }
curve = [[0, 0]]
[[histograms]]
name = "http_request_duration_seconds"
labels = { service = "api" }
buckets = [0.05, 0.1, 0.25, 0.5, 1]
rate = [[0, 100]]
p50 = [[0, 0.05]]
p99 = [[0, 0.5]]
"#;

/// A store sampled every 15 s for 30 minutes ending at 1 800 000 ms.
fn store() -> Store {
    let sc = Scenario::parse(SCENARIO).expect("scenario");
    let clock = Clock { start: 0.0, speed: 1.0, duration: 600.0, loop_forever: false };
    let mut st = Store::new(&sc.series);
    for i in 0..=120 {
        st.sample(&sc.series, &clock, i as f64 * 15.0);
    }
    st
}

fn eval(st: &Store, q: &str) -> Result<Value, EvalError> {
    let expr = parse_checked(q)?;
    Evaluator { store: st, ts: 1_800_000, start: 1_800_000, end: 1_800_000, range_scale: 1.0 }.eval(&expr)
}

fn vector(st: &Store, q: &str) -> Vec<Sample> {
    match eval(st, q) {
        Ok(Value::Vector(v)) => v,
        other => panic!("{q}: {other:?}"),
    }
}

fn single(st: &Store, q: &str) -> f64 {
    let v = vector(st, q);
    assert_eq!(v.len(), 1, "{q}: {v:?}");
    v[0].value
}

#[test]
fn rate_of_a_counter_gives_back_its_curve() {
    let st = store();
    let v = vector(&st, r#"rate(http_requests_total{status="200"}[5m])"#);
    assert_eq!(v.len(), 1);
    assert!((v[0].value - 10.0).abs() < 1e-9, "{v:?}");
    assert!(!v[0].labels.contains_key("__name__"));
    assert!((single(&st, r#"increase(http_requests_total{status="500"}[5m])"#) - 300.0).abs() < 1e-9);
    assert!((single(&st, r#"irate(http_requests_total{status="500"}[1m])"#) - 1.0).abs() < 1e-9);
}

#[test]
fn sum_by_and_ratios() {
    let st = store();
    let v = vector(&st, "sum by (status) (rate(http_requests_total[5m]))");
    let statuses: Vec<&str> = v.iter().map(|s| s.labels["status"].as_str()).collect();
    assert_eq!(statuses, vec!["200", "500"]);
    let ratio =
        single(&st, r#"sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))"#);
    assert!((ratio - 1.0 / 11.0).abs() < 1e-9, "{ratio}");
    assert_eq!(single(&st, "count(up)"), 2.0);
    assert_eq!(single(&st, r#"max without (job) (up)"#), 1.0);
}

#[test]
fn histogram_quantile_follows_the_p99_curve() {
    let st = store();
    let p99 = single(&st, "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))");
    assert!((p99 - 0.5).abs() < 0.05, "{p99}");
    let p50 = single(&st, "histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))");
    assert!((p50 - 0.05).abs() < 0.01, "{p50}");
}

#[test]
fn comparisons_filter_or_return_bool() {
    let st = store();
    let down = vector(&st, "up == 0");
    assert_eq!(down.len(), 1);
    assert_eq!(down[0].labels["job"], "postgresql");
    assert_eq!(down[0].labels["__name__"], "up");
    let b = vector(&st, "up == bool 0");
    assert_eq!(b.len(), 2);
    assert!(b.iter().all(|s| !s.labels.contains_key("__name__")));
    assert_eq!(eval(&st, "1 < bool 2"), Ok(Value::Scalar(1.0)));
    assert_eq!(single(&st, "vector(3) * 2"), 6.0);
    assert_eq!(eval(&st, "scalar(up{job=\"api\"}) + 1"), Ok(Value::Scalar(2.0)));
}

#[test]
fn vector_matching_on_and_ignoring() {
    let st = store();
    let v = vector(
        &st,
        r#"rate(http_requests_total{status="500"}[5m]) / ignoring(status) rate(http_requests_total{status="200"}[5m])"#,
    );
    assert_eq!(v.len(), 1);
    assert!((v[0].value - 0.1).abs() < 1e-9);
    let err = eval(&st, "vector(1) + on() up").unwrap_err();
    assert!(matches!(&err, EvalError::Execution(m) if m.contains("many-to-many matching not allowed")), "{err:?}");
    assert_eq!(vector(&st, "up and up == 0").len(), 1);
    assert_eq!(vector(&st, "up unless up == 0").len(), 1);
}

#[test]
fn matrices_strings_and_errors() {
    let st = store();
    match eval(&st, "up[1m]") {
        Ok(Value::Matrix(m)) => assert!(m.iter().all(|s| s.points.len() == 4)),
        other => panic!("{other:?}"),
    }
    assert_eq!(eval(&st, r#""hello""#), Ok(Value::Str("hello".into())));
    assert!(matches!(eval(&st, "up{"), Err(EvalError::BadData(_))));
    assert!(matches!(eval(&st, "deriv(up[5m])"), Err(EvalError::BadData(m)) if m.contains("not supported")));
    assert!(matches!(eval(&st, "topk(1, up)"), Err(EvalError::BadData(_))));
    assert_eq!(vector(&st, "absent(nope{job=\"x\"})")[0].labels["job"], "x");
}

#[test]
fn offset_and_range_scale() {
    let st = store();
    assert_eq!(vector(&st, "up offset 1h").len(), 0);
    let expr = parse_checked(r#"rate(http_requests_total{status="200"}[5m])"#).expect("parse");
    let ev = Evaluator { store: &st, ts: 1_800_000, start: 0, end: 0, range_scale: 0.2 };
    match ev.eval(&expr) {
        Ok(Value::Vector(v)) => assert!((v[0].value - 10.0).abs() < 1e-9),
        other => panic!("{other:?}"),
    }
}
