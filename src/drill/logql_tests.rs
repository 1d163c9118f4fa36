use super::*;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn selectors_and_line_filters() {
    let LogQuery::Log(sel) =
        parse(r#"{job="api", level=~"err.*"} |= "refused" != "health" |~ `db=\w+`"#).expect("parse")
    else {
        panic!("expected a log query");
    };
    assert!(sel.matches_stream(&labels(&[("job", "api"), ("level", "error")])));
    assert!(!sel.matches_stream(&labels(&[("job", "api"), ("level", "info")])));
    assert!(sel.matches_line("connection refused db=postgres"));
    assert!(!sel.matches_line("connection refused healthcheck db=x"));
    assert!(!sel.matches_line("connection refused"));
}

#[test]
fn metric_queries() {
    let q = parse(r#"sum by (level) (rate({job="api"} |= "error" [5m]))"#).expect("parse");
    let LogQuery::Metric(MetricExpr::Agg { op, labels, inner, .. }) = q else { panic!("aggregation") };
    assert_eq!(op, "sum");
    assert_eq!(labels, Some(vec!["level".to_string()]));
    assert!(matches!(*inner, MetricExpr::Range { func: RangeFn::Rate, range_ns: 300_000_000_000, .. }));
    let q = parse(r#"count_over_time({job="api"}[1m])"#).expect("parse");
    assert!(matches!(q, LogQuery::Metric(MetricExpr::Range { func: RangeFn::CountOverTime, .. })));
    assert!(parse(r#"sum(rate({job="api"}[1m])) by (job)"#).is_ok());
}

#[test]
fn errors_in_loki_style() {
    let err = parse(r#"{job="api""#).unwrap_err();
    assert_eq!(err, "parse error at line 1, col 11: syntax error: unexpected $end, expecting , or }");
    let err = parse("job").unwrap_err();
    assert!(err.starts_with("parse error at line 1, col 1: syntax error: unexpected IDENTIFIER"), "{err}");
    assert!(parse(r#"{job=~".*"}"#).unwrap_err().contains("at least one regexp or equality matcher"));
    assert!(parse(r#"{job="api"} | json"#).unwrap_err().contains("line filters"));
    assert!(parse(r#"{job="api"} |~ "(""#).unwrap_err().contains("invalid regular expression"));
    assert!(parse(r#"rate({job="api"}[5x])"#).is_err());
}
