//! `warroom dash check` run as a user would, on the fixture dashboards.

use std::process::Command;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/dashboards/");

fn check(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .arg("dash")
        .arg("check")
        .args(args)
        .env("XDG_CONFIG_HOME", DIR)
        .env("XDG_STATE_HOME", std::env::temp_dir())
        .output()
        .expect("run warroom");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> String {
    format!("{DIR}{name}")
}

#[test]
fn the_service_overview_says_what_shows_and_passes() {
    let (code, out, err) = check(&[&fixture("service-overview.json")]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"Payments service overview\" (classic form)"), "{out}");
    assert!(
        out.contains("panels: 12 (1 bargauge, 1 gauge, 1 graph, 1 logs, 2 row, 2 stat, 1 table, 1 text, 2 timeseries)"),
        "{out}"
    );
    assert!(out.contains("job (query) = All"), "{out}");
    assert!(out.contains("cluster (constant) = prod-eu-1"), "{out}");
    assert!(out.contains("0 error(s), 0 warning(s)"), "{out}");
}

#[test]
fn the_api_wrapper_and_the_v2_resource_are_read() {
    let (code, out, _) = check(&[&fixture("api-wrapped.json"), &fixture("v2-resource.json")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"Redis\" (api form)"), "{out}");
    assert!(out.contains("panels: 2 (1 stat, 1 timeseries)"), "{out}");
    assert!(out.contains("\"Node (v2)\" (v2 form)"), "{out}");
    assert!(out.contains("panels: 5 (2 row, 1 stat, 2 timeseries)"), "{out}");
    assert!(out.contains("mode (custom) = user,system"), "{out}");
}

#[test]
fn files_that_are_no_dashboard_fail() {
    let (code, out, _) = check(&[&fixture("not-json.json"), &fixture("not-a-dashboard.json")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not-json.json: error: not JSON: EOF while parsing"), "{out}");
    assert!(out.contains("not-a-dashboard.json: error: not a Grafana dashboard"), "{out}");
    let (code, out, _) = check(&[&fixture("missing.json")]);
    assert_eq!(code, 1);
    assert!(out.contains("missing.json: error: not a Grafana dashboard: cannot read"), "{out}");
}

#[test]
fn an_unknown_panel_type_warns_and_strict_fails_on_it() {
    let f = fixture("unknown-panel.json");
    let (code, out, _) = check(&[&f]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("warning: panels[0].type: panel type \"nodeGraph\" is not supported"), "{out}");
    assert!(out.contains("warning: panels[1].libraryPanel: library panel \"Latency (shared)\""), "{out}");
    let (code, _, _) = check(&["--strict", &f]);
    assert_eq!(code, 1);
}

#[test]
fn invalid_promql_is_an_error_at_its_target() {
    let (code, out, _) = check(&[&fixture("invalid-promql.json")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error: panels[0].targets[0].expr: invalid PromQL"), "{out}");
    assert!(
        out.contains("warning: panels[0].targets[1].expr: $service is no variable of this dashboard"),
        "a variable that never resolves is named: {out}"
    );
    assert!(!out.contains("targets[2]"), "label_replace's $1 is no variable: {out}");
}

#[test]
fn json_for_ci() {
    let (code, out, _) = check(&["--format", "json", &fixture("invalid-promql.json"), &fixture("api-wrapped.json")]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["files"][0]["diagnostics"][0]["severity"], "error");
    assert_eq!(doc["files"][0]["diagnostics"][0]["path"], "panels[0].targets[0].expr");
    assert_eq!(doc["files"][1]["title"], "Redis");
    assert_eq!(doc["files"][1]["panels"]["stat"], 1);
}
