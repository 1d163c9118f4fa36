use super::*;
use crate::drill::spec::labels;

#[test]
fn selectors_and_line_filters() {
    let LogQuery::Log(sel) =
        parse(r#"{job="api", level=~"err.*"} |= "refused" != "health" |~ `db=\w+`"#).expect("parse")
    else {
        panic!("expected a log query");
    };
    assert!(sel.matches_stream(&labels(&[("job", "api"), ("level", "error")])));
    assert!(!sel.matches_stream(&labels(&[("job", "api"), ("level", "info")])));
    let none = Labels::new();
    let keeps = |line: &str| sel.pipeline(&none, &none, line).is_some();
    assert!(keeps("connection refused db=postgres"));
    assert!(!keeps("connection refused healthcheck db=x"));
    assert!(!keeps("connection refused"));
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
    assert!(parse(r#"{job="api"} | logfmt"#).unwrap_err().contains("line filters"));
    assert!(parse(r#"{job="api"} | json kind="k""#).unwrap_err().contains("| json"));
    assert!(parse(r#"{job="api"} | json | status >= 400"#).unwrap_err().contains("label filters"));
    assert!(parse(r#"{job="api"} | json | kind=declared"#).is_err());
    assert!(parse(r#"{job="api"} |~ "(""#).unwrap_err().contains("invalid regular expression"));
    assert!(parse(r#"rate({job="api"}[5x])"#).is_err());
}

#[test]
fn json_and_label_filters_as_the_shared_room_asks() {
    let LogQuery::Log(sel) =
        parse(r#"{app="warroom"} |= "kind" | json | kind=~"declared|resolved", v="2" or kind="x""#).expect("parse")
    else {
        panic!("expected a log query");
    };
    assert_eq!(sel.stages.len(), 3);
    let stream = labels(&[("app", "warroom")]);
    let none = Labels::new();
    let parsed = sel.pipeline(&stream, &none, r#"{"v":2,"kind":"declared","title":"db down"}"#).expect("kept");
    assert_eq!(parsed.get("title").map(String::as_str), Some("db down"));
    assert!(sel.pipeline(&stream, &none, r#"{"v":1,"kind":"declared"}"#).is_none());
    assert!(sel.pipeline(&stream, &none, r#"{"v":1,"kind":"x"}"#).is_some(), "or binds looser than the comma");
    let LogQuery::Metric(_) = parse(r#"count_over_time({app="warroom"} | json | kind="note" [1h])"#).expect("parse")
    else {
        panic!("expected a metric query");
    };
    let LogQuery::Log(sel) =
        parse(r#"{app="warroom"} | (author="alice" or author="bob") and kind!="note""#).expect("parse")
    else {
        panic!("expected a log query");
    };
    let meta = labels(&[("author", "bob"), ("kind", "declared")]);
    assert!(sel.pipeline(&stream, &meta, "line").is_some(), "structured metadata without a parser");
}
