use super::*;

const BASE: &str = r#"
name = "x"
title = "X"
description = "d"
duration = "5m"
"#;

fn with(extra: &str) -> Result<Scenario, String> {
    Scenario::parse(&format!("{BASE}{extra}"))
}

const ALERT: &str = r#"
[[alerts]]
name = "Down"
expr = "up == 0"
for = "1m"
labels = { severity = "critical", service = "api" }
annotations = { summary = "s", description = "d", runbook_url = "api-down.md" }
"#;

#[test]
fn a_minimal_scenario_loads() {
    let s = with(ALERT).expect("valid");
    assert_eq!(s.duration, 300.0);
    assert_eq!(s.scrape_interval, 15.0);
    assert_eq!(s.alerts[0].for_secs, 60.0);
    assert_eq!(s.info().duration, std::time::Duration::from_secs(300));
}

#[test]
fn toml_errors_carry_a_position() {
    let err = with("[[series]\n").unwrap_err();
    assert!(err.contains("line"), "{err}");
}

#[test]
fn unknown_fields_are_rejected() {
    let err = with("colour = \"red\"\n").unwrap_err();
    assert!(err.contains("colour"), "{err}");
}

#[test]
fn alerts_need_severity_service_and_annotations() {
    let bad_sev = ALERT.replace("critical", "page");
    assert!(with(&bad_sev).unwrap_err().contains("severity"));
    let no_service = ALERT.replace(", service = \"api\"", "");
    assert!(with(&no_service).unwrap_err().contains("service"));
    let no_runbook = ALERT.replace(", runbook_url = \"api-down.md\"", "");
    assert!(with(&no_runbook).unwrap_err().contains("runbook_url"));
    let bad_expr = ALERT.replace("up == 0", "up{");
    let err = with(&bad_expr).unwrap_err();
    assert!(err.contains("alerts[0] (Down): expr"), "{err}");
    let unsupported = ALERT.replace("up == 0", "deriv(up[5m]) < 0");
    assert!(with(&unsupported).unwrap_err().contains("not supported"));
}

#[test]
fn histograms_expand_to_buckets_sum_and_count() {
    let s = with(
        r#"
[[histograms]]
name = "lat_seconds"
labels = { service = "api" }
buckets = [0.1, 1]
rate = [[0, 1]]
p50 = [[0, 0.05]]
p99 = [[0, 0.5]]
"#,
    )
    .expect("valid");
    let names: Vec<String> = s
        .series
        .iter()
        .map(|x| match x.labels.get("le") {
            Some(le) => format!("{}{{le={le}}}", x.labels["__name__"]),
            None => x.labels["__name__"].clone(),
        })
        .collect();
    let expected = [
        "lat_seconds_bucket{le=0.1}",
        "lat_seconds_bucket{le=1}",
        "lat_seconds_bucket{le=+Inf}",
        "lat_seconds_sum",
        "lat_seconds_count",
    ];
    assert_eq!(names, expected);
}

#[test]
fn series_are_checked() {
    let dup = r#"
[[series]]
name = "up"
type = "gauge"
curve = [[0, 1]]
[[series]]
name = "up"
type = "gauge"
curve = [[0, 0]]
"#;
    assert!(with(dup).unwrap_err().contains("twice"));
    let counter = "[[series]]\nname = \"reqs\"\ntype = \"counter\"\ncurve = [[0, 1]]\n";
    assert!(with(counter).unwrap_err().contains("_total"));
    let label = "[[series]]\nname = \"up\"\ntype = \"gauge\"\nlabels = { \"bad-label\" = \"x\" }\ncurve = [[0, 1]]\n";
    assert!(with(label).unwrap_err().contains("bad-label"));
}

#[test]
fn log_streams_are_checked() {
    let ok =
        "[[logs]]\nlabels = { service = \"api\" }\nrate = [[0, 1]]\n[[logs.lines]]\ntext = \"hello\"\nfrom = \"1m\"\n";
    let s = with(ok).expect("valid");
    assert_eq!(s.logs[0].lines[0].from, 60.0);
    assert!(s.logs[0].lines[0].until.is_infinite());
    let no_lines = "[[logs]]\nlabels = { service = \"api\" }\nrate = [[0, 1]]\nlines = []\n";
    assert!(with(no_lines).unwrap_err().contains("at least one line"));
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "name = 3\n").expect("write");
    let err = Scenario::load(&ScenarioSource::File(path.clone())).unwrap_err().to_string();
    assert!(err.contains("bad.toml"), "{err}");
    let missing = dir.path().join("missing.toml");
    let err = Scenario::load(&ScenarioSource::File(missing)).unwrap_err().to_string();
    assert!(err.contains("missing.toml"), "{err}");
}
