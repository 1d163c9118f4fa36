//! `warroom export` draws the post-mortem's charts: the golden incident
//! against a stub Prometheus (rules and range answers for 2026-11-22), and
//! against a Prometheus that is not there. The charts are checked for
//! their structure (XML, series, marks, axis labels), never for pixels.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::routing::{get, post};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/incident/db-down.jsonl");
const ID: &str = "2026-11-22-db-down";

/// A Prometheus API of two alerting rules (one with a hostile name in its
/// labels) whose range answers are two series over the asked window.
async fn stub() -> (SocketAddr, Arc<AtomicUsize>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let count = asked.clone();
    let rules = r#"{"status":"success","data":{"groups":[{"name":"veza","file":"x","interval":15,"rules":[
        {"type":"alerting","name":"VezaDBPoolExhausted","query":"veza_db_pool_in_use / veza_db_pool_max > 0.95","duration":60,"labels":{},"annotations":{},"alerts":[],"health":"ok"},
        {"type":"alerting","name":"VezaReadinessFailed","query":"probe_success == 0","duration":60,"labels":{},"annotations":{},"alerts":[],"health":"ok"}]}]}}"#;
    let app = axum::Router::new().route("/api/v1/rules", get(move || async move { rules })).route(
        "/api/v1/query_range",
        post(move |body: String| {
            count.fetch_add(1, Ordering::SeqCst);
            let form: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
            async move {
                let start: f64 = form["start"].parse().expect("start");
                let end: f64 = form["end"].parse().expect("end");
                let step: f64 = form["step"].parse().expect("step");
                let series = |instance: &str, k: f64| {
                    let mut values = Vec::new();
                    let mut t = start;
                    while t <= end {
                        values.push(format!("[{t},\"{}\"]", k * ((t - start) / (end - start + 1.0))));
                        t += step;
                    }
                    format!(r#"{{"metric":{{"instance":"{instance}"}},"values":[{}]}}"#, values.join(","))
                };
                let body = format!(
                    r#"{{"status":"success","data":{{"resultType":"matrix","result":[{},{}]}}}}"#,
                    series("api-1:8080", 50.0),
                    series("api-2:8080</text><script>alert(1)</script>", 30.0)
                );
                ([("content-type", "application/json")], body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (addr, asked)
}

fn incident_dir(root: &Path) -> std::path::PathBuf {
    let dir = root.join("incidents");
    std::fs::create_dir_all(dir.join(ID)).expect("dir");
    std::fs::copy(FIXTURE, dir.join(ID).join("journal.jsonl")).expect("fixture");
    dir
}

fn export(root: &Path, dir: &Path, prometheus: &str, extra: &[&str]) -> std::process::Output {
    let config = root.join("config.toml");
    std::fs::write(&config, "").expect("config");
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .arg("--config")
        .arg(&config)
        .arg("--incident-dir")
        .arg(dir)
        .arg("--log-file")
        .arg(root.join("warroom.log"))
        .args(["--prometheus", prometheus, "export", "--incident", ID])
        .args(extra)
        .output()
        .expect("runs")
}

/// The `![alt](charts/file)` links of a post-mortem.
fn links(md: &str) -> Vec<String> {
    md.match_indices("](charts/").map(|(i, _)| md[i + 2..].split(')').next().unwrap_or_default().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_draws_a_chart_per_pin_and_per_alert_linked_from_the_postmortem() {
    let (addr, asked) = stub().await;
    let root = tempfile::tempdir().expect("tmp");
    let dir = incident_dir(root.path());
    let out = tokio::task::spawn_blocking({
        let (root, dir) = (root.path().to_path_buf(), dir.clone());
        move || export(&root, &dir, &format!("http://{addr}"), &[])
    })
    .await
    .expect("export");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let folder = dir.join(ID);
    let md = std::fs::read_to_string(folder.join("postmortem.md")).expect("postmortem.md");
    let linked = links(&md);
    assert_eq!(linked, ["charts/alert-1.svg", "charts/alert-2.svg", "charts/pin-1.svg"], "{md}");
    assert_eq!(asked.load(Ordering::SeqCst), 3, "each chart's data fetched once");
    for file in &linked {
        let svg = std::fs::read_to_string(folder.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{file} is not XML: {e}"));
        for n in doc.descendants().filter(|n| n.is_element()) {
            let known = ["svg", "rect", "line", "polyline", "polygon", "text", "circle"];
            assert!(known.contains(&n.tag_name().name()), "{file}: <{}> is not ours", n.tag_name().name());
            for a in n.attributes() {
                let ours = [
                    "width",
                    "height",
                    "viewBox",
                    "x",
                    "y",
                    "x1",
                    "y1",
                    "x2",
                    "y2",
                    "cx",
                    "cy",
                    "r",
                    "dy",
                    "points",
                    "fill",
                    "stroke",
                    "stroke-width",
                    "opacity",
                    "text-anchor",
                    "font-family",
                    "font-size",
                    "font-weight",
                    "font-style",
                    "transform",
                ];
                assert!(ours.contains(&a.name()), "{file}: attribute {} is not ours", a.name());
            }
        }
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).map(str::trim).collect();
        assert!(texts.contains(&"time (UTC)"), "{file}: the time axis is labelled: {texts:?}");
        assert!(texts.contains(&"instance=api-1:8080"), "{file}: a legend entry per series: {texts:?}");
        assert!(texts.iter().any(|t| t.starts_with("instance=api-2:8080</text><script>")), "{file}: {texts:?}");
        let lines = doc
            .descendants()
            .filter(|n| n.tag_name().name() == "polyline" && n.attribute("stroke-width") == Some("2"))
            .count();
        assert_eq!(lines, 4, "{file}: two series and their two legend keys");
    }
    // The pool alert's overview: shaded while it fired, the incident marked.
    let svg = std::fs::read_to_string(folder.join("charts/alert-1.svg")).expect("svg");
    let doc = roxmltree::Document::parse(&svg).expect("xml");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).map(str::trim).collect();
    for mark in ["declared", "decision 1", "mitigated", "action 1"] {
        assert!(texts.contains(&mark), "alert-1.svg marks {mark}: {texts:?}");
    }
    assert!(!texts.contains(&"resolved"), "resolved at 11:02, after the window (10:02 − 15 min … resolution + 15 min)");
    assert!(texts.iter().any(|t| t.starts_with("VezaDBPoolExhausted")), "{texts:?}");
    let shaded = doc.descendants().filter(|n| n.tag_name().name() == "rect" && n.attribute("fill") == Some("#D55E00"));
    assert_eq!(shaded.count(), 1, "one firing");
    // The readiness alert never resolved in the journal: its chart ends
    // with the incident (resolved 11:02), not at the export's time.
    let svg = std::fs::read_to_string(folder.join("charts/alert-2.svg")).expect("svg");
    let doc = roxmltree::Document::parse(&svg).expect("xml");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).map(str::trim).collect();
    assert!(texts.contains(&"resolved"), "{texts:?}");
    let ticks: Vec<&&str> = texts.iter().filter(|t| t.len() == 5 && t.as_bytes()[2] == b':').collect();
    assert!(ticks.iter().all(|t| **t <= "11:17"), "the window ends 15 minutes after 11:02: {ticks:?}");
    // The index is what the draft is rebuilt from after each note.
    let index = std::fs::read_to_string(folder.join("charts/index.json")).expect("index");
    assert!(index.contains("alert-2.svg"), "{index}");
}

#[test]
fn export_with_prometheus_down_completes_and_says_which_charts_are_missing() {
    let root = tempfile::tempdir().expect("tmp");
    let dir = incident_dir(root.path());
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let out = export(root.path(), &dir, &format!("http://127.0.0.1:{port}"), &["--out", "-"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).expect("utf-8");
    assert!(md.contains("## Durations") && md.contains("## Timeline"), "the whole draft: {md}");
    assert!(md.contains("▁▂▄▆███▇▅▂"), "the text sparkline stays: {md}");
    assert_eq!(md.matches("_Chart not drawn: ").count(), 3, "a note per missing chart: {md}");
    assert!(md.contains("connection refused"), "{md}");
    assert!(links(&md).is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("chart not drawn").count(), 3, "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chart_drawn_once_stays_when_prometheus_is_gone_later_and_out_elsewhere_gets_its_own() {
    let (addr, _) = stub().await;
    let root = tempfile::tempdir().expect("tmp");
    let dir = incident_dir(root.path());
    let (r, d) = (root.path().to_path_buf(), dir.clone());
    let first = tokio::task::spawn_blocking(move || export(&r, &d, &format!("http://{addr}"), &[])).await.expect("ok");
    assert!(first.status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let (r, d) = (root.path().to_path_buf(), dir.clone());
    let again = tokio::task::spawn_blocking(move || export(&r, &d, &format!("http://127.0.0.1:{port}"), &[]))
        .await
        .expect("ok");
    assert!(again.status.success());
    let md = std::fs::read_to_string(dir.join(ID).join("postmortem.md")).expect("md");
    assert_eq!(links(&md).len(), 3, "kept from the first export: {md}");

    let elsewhere = root.path().join("review");
    std::fs::create_dir_all(&elsewhere).expect("dir");
    let (r, d, o) = (root.path().to_path_buf(), dir.clone(), elsewhere.join("pm.md"));
    let out = tokio::task::spawn_blocking(move || {
        export(&r, &d, &format!("http://{addr}"), &["--out", o.to_str().expect("utf-8")])
    })
    .await
    .expect("ok");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = std::fs::read_to_string(elsewhere.join("pm.md")).expect("pm.md");
    for link in links(&md) {
        assert!(elsewhere.join(&link).is_file(), "{link} beside pm.md");
    }
}
