use super::*;

fn vars(labels: &[(&str, &str)]) -> Vars {
    Vars { labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(), value: Some("0.073".into()) }
}

#[test]
fn tagged_blocks_are_live_and_untagged_ones_when_they_parse() {
    assert_eq!(detect(Some("promql"), "up"), Some(Lang::PromQl));
    assert_eq!(detect(Some("PromQL"), "anything {{ at all"), Some(Lang::PromQl), "a tag is the author's word");
    assert_eq!(detect(Some("logql"), "{app=\"api\"}"), Some(Lang::LogQl));
    assert_eq!(detect(Some("bash"), "sum(rate(x[5m]))"), None, "another language never runs");
    assert_eq!(detect(None, "sum by (service) (rate(http_requests_total[5m]))"), Some(Lang::PromQl));
    assert_eq!(detect(None, "{app=\"api\", level=~\"err.*\"} |= \"timeout\""), Some(Lang::LogQl));
    assert_eq!(detect(None, "{app=\"api\"} != `ok`"), Some(Lang::LogQl));
    assert_eq!(detect(None, "kubectl rollout restart deploy/api"), None);
    assert_eq!(detect(None, "uptime"), None, "a bare word is more likely a command");
    assert_eq!(detect(None, "systemctl restart pgbouncer"), None);
    assert_eq!(detect(None, "up{job=\"{{ $labels.job }}\"}"), None, "unfilled: not a query yet");
    assert_eq!(detect(None, ""), None);
    assert_eq!(detect(Some("promql"), "   "), None);
    assert_eq!(detect(Some("promql"), &"x".repeat(MAX_QUERY + 1)), None);
}

#[test]
fn logql_selectors_need_matchers_and_a_pipeline_or_nothing_after() {
    assert!(is_logql_selector("{job=\"a\"}"));
    assert!(is_logql_selector("{ job = \"a\" , x!=\"b\\\"c\" } | json"));
    assert!(!is_logql_selector("{}"));
    assert!(!is_logql_selector("{job=a}"));
    assert!(!is_logql_selector("{job=\"a\"} and more"));
    assert!(!is_logql_selector("{job=\"a\""));
}

#[test]
fn prometheus_templates_and_shell_variables_are_filled() {
    let v = vars(&[("service", "api"), ("instance", "10.0.0.1:9090")]);
    let f =
        fill("rate(x{service=\"{{ $labels.service }}\", instance=\"{{.Labels.instance}}\"}[5m]) > {{ $value }}", &v);
    assert_eq!(f.text, "rate(x{service=\"api\", instance=\"10.0.0.1:9090\"}[5m]) > 0.073");
    assert!(f.unfilled.is_empty());
    let f = fill("{app=\"$service\"} |= \"${instance}\" |~ \"end$\" $HOME", &v);
    assert_eq!(f.text, "{app=\"api\"} |= \"10.0.0.1:9090\" |~ \"end$\" $HOME", "only the alert's labels");
}

#[test]
fn a_missing_label_is_left_and_said() {
    let f = fill("up{job=\"{{ $labels.job }}\"}", &vars(&[("service", "api")]));
    assert_eq!(f.text, "up{job=\"{{ $labels.job }}\"}");
    assert_eq!(f.unfilled, vec!["$labels.job".to_string()]);
}

#[test]
fn the_querys_own_templates_stay() {
    let q = "{app=\"x\"} | json | line_format \"{{.status}} {{ .msg }}\"";
    let f = fill(q, &vars(&[]));
    assert_eq!((f.text.as_str(), f.unfilled.len()), (q, 0));
}

#[test]
fn values_are_escaped_for_the_literal_they_stand_in() {
    let v = vars(&[("service", "a\"b\\c\nd"), ("q", "it's")]);
    let f = fill("x{service=\"{{ $labels.service }}\"}", &v);
    assert_eq!(f.text, "x{service=\"a\\\"b\\\\c\\nd\"}");
    // The filled query still parses, to the same single matcher.
    let parsed = promql_parser::parser::parse(&f.text).unwrap();
    let promql_parser::parser::Expr::VectorSelector(sel) = parsed else { panic!("{parsed:?}") };
    let m = sel.matchers.matchers.iter().find(|m| m.name == "service").unwrap();
    assert_eq!(m.value, "a\"b\\c\nd");
    assert_eq!(fill("x{a='$q'}", &v).text, "x{a='it\\'s'}");
    assert_eq!(fill("x{a=\"$q\"}", &v).text, "x{a=\"it's\"}", "a single quote needs nothing in double quotes");
}

#[test]
fn a_value_that_cannot_stand_outside_a_string_is_not_inserted() {
    let v = vars(&[("service", "api\"} or vector(1) #"), ("n", "5"), ("tick", "a`b")]);
    let f = fill("x > $service", &v);
    assert_eq!(f.unfilled, vec!["$service".to_string()]);
    assert_eq!(fill("topk($n, x)", &v).text, "topk(5, x)");
    assert_eq!(fill("x{a=`$tick`}", &v).unfilled, vec!["$tick".to_string()]);
    // Escapes in the template itself keep the quote state right.
    assert_eq!(fill("x{a=\"\\\"$n\"} > $n", &v).text, "x{a=\"\\\"5\"} > 5");
}

#[test]
fn static_marker_turns_a_runbook_off() {
    assert!(is_static("# t\n<!-- warroom: static -->\n"));
    assert!(is_static("<!--warroom:static-->"));
    assert!(is_static("<!-- note -->\n<!--  Warroom:  STATIC  -->"));
    assert!(!is_static("<!-- warroom: static please -->"));
    assert!(!is_static("warroom: static"));
}

#[test]
fn only_live_blocks_of_the_markdown_are_filled() {
    let md = "Ask `$service`.\n\n```promql\nrate(x{service=\"{{ $labels.service }}\"}[5m])\n```\n\n\
              ```bash\necho $service\n```\n\n- [ ] step\n\n  ```\n  {app=\"$service\"} |= \"err\"\n  ```\n";
    let out = fill_markdown(md, &vars(&[("service", "api")]));
    assert!(out.contains("rate(x{service=\"api\"}[5m])"), "{out}");
    assert!(out.contains("echo $service"), "a bash block is left as written: {out}");
    assert!(out.contains("Ask `$service`"), "prose is left as written");
    assert!(out.contains("  {app=\"api\"} |= \"err\""), "an untagged block that becomes a query: {out}");
}
