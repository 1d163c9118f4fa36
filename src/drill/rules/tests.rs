use super::*;
use crate::drill::scenario::Scenario;

const SC: &str = r#"
name = "r"
title = "r"
description = "r"
duration = "10m"
[[series]]
name = "up"
type = "gauge"
labels = { job = "db", instance = "db:9187" }
curve = [[0, 1], ["1m", 1], ["1m", 0], ["5m", 0], ["5m", 1]]
[[alerts]]
name = "DatabaseDown"
expr = 'up{job="db"} == 0'
for = "2m"
labels = { severity = "critical", service = "db" }
annotations = { summary = "{{ $labels.instance }} down", description = "value {{ $value }}", runbook_url = "database-down.md" }
"#;

#[test]
fn pending_then_firing_after_for_then_resolved() {
    let sc = Scenario::parse(SC).expect("scenario");
    // Speed 10: `for: 2m` lasts 12 wall seconds.
    let clock = Clock { start: 1000.0, speed: 10.0, duration: sc.duration, loop_forever: false };
    let mut store = Store::new(&sc.series);
    let mut rule = RuleState::new(sc.alerts[0].clone());
    let mut states = Vec::new();
    for i in 0..=80 {
        let now = 1000.0 + i as f64 * 0.5;
        store.sample(&sc.series, &clock, now);
        rule.eval(&store, &clock, now);
        states.push((i as f64 * 5.0, rule.state()));
    }
    let first = |s: &str| states.iter().find(|(_, st)| *st == s).map(|(t, _)| *t);
    assert_eq!(first("pending"), Some(60.0));
    assert_eq!(first("firing"), Some(180.0));
    let after: Vec<&str> = states.iter().filter(|(t, _)| *t >= 300.0).map(|(_, s)| *s).collect();
    assert!(after.iter().all(|s| *s == "inactive"), "{after:?}");
    let resolved = rule.alerts.values().next().expect("kept after resolution");
    assert_eq!(resolved.resolved_at, Some(1030.0));
    assert_eq!(resolved.annotations["summary"], "db:9187 down");
    assert_eq!(resolved.annotations["description"], "value 0");
    assert_eq!(resolved.labels["alertname"], "DatabaseDown");
    assert_eq!(resolved.labels["severity"], "critical");
    assert!(!resolved.labels.contains_key("__name__"));
}

#[test]
fn templates_expand_labels_and_values() {
    let l: Labels = [("instance".to_string(), "a:1".to_string())].into_iter().collect();
    assert_eq!(expand("{{ $labels.instance }} at {{$value}} {{ other }}", &l, 0.123456), "a:1 at 0.1235 {{ other }}");
    assert_eq!(expand("unclosed {{ $value", &l, 1.0), "unclosed {{ $value");
    assert_eq!(expand("{{ $value }}", &l, 1234.6), "1235");
}
