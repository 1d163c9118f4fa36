//! The shipped runbooks: every drill/seed alert has one, with the sections
//! an on-call engineer needs, tickable steps, queries that parse, and links
//! that lead somewhere.

use std::path::PathBuf;

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use warroom::runbook::render::{RunbookStyles, render};
use warroom::runbook::{Location, RunbookConfig, resolve};

const RUNBOOKS: [&str; 9] = [
    "api-down.md",
    "high-error-rate.md",
    "high-latency.md",
    "database-down.md",
    "db-pool-exhausted.md",
    "circuit-breaker-open.md",
    "upload-stuck.md",
    "disk-space-running-out.md",
    "readiness-failed.md",
];

const SECTIONS: [&str; 6] = ["Summary", "Impact", "Diagnosis", "Mitigation", "Escalation", "Verification"];

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (language, code) of every fenced block.
fn code_blocks(md: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for event in Parser::new(md) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) => {
                cur = Some((lang.to_string(), String::new()));
            }
            Event::Text(t) => {
                if let Some((_, code)) = &mut cur {
                    code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => out.extend(cur.take()),
            _ => {}
        }
    }
    out
}

#[test]
fn every_alert_has_a_complete_runbook() {
    for name in RUNBOOKS {
        let md = read(name);
        let r = render(&md, 80, &RunbookStyles::default());
        let headings: Vec<&str> = r.headings.iter().map(|h| h.text.as_str()).collect();
        for section in SECTIONS {
            assert!(headings.contains(&section), "{name}: missing section {section}");
        }
        assert!(r.tasks.len() >= 4, "{name}: diagnosis needs tickable steps");
        let langs: Vec<String> = code_blocks(&md).into_iter().map(|(l, _)| l).collect();
        assert!(langs.iter().any(|l| l == "promql"), "{name}: no PromQL");
        assert!(r.code_blocks.len() >= 3, "{name}: too few queries");
    }
    let index = read("README.md");
    for name in RUNBOOKS {
        assert!(index.contains(&format!("]({name})")), "README.md does not link {name}");
    }
}

#[test]
fn every_promql_block_parses() {
    for name in RUNBOOKS {
        for (lang, code) in code_blocks(&read(name)) {
            if lang == "promql" {
                promql_parser::parser::parse(code.trim()).unwrap_or_else(|e| panic!("{name}: {code}\n{e}"));
            }
        }
    }
}

#[test]
fn logql_blocks_have_a_stream_selector() {
    let selector = regex::Regex::new(r#"\{[a-z_]+=~?"[^"]+""#).expect("regex");
    for name in RUNBOOKS {
        for (lang, code) in code_blocks(&read(name)) {
            if lang == "logql" {
                assert!(selector.is_match(&code), "{name}: {code}");
            }
        }
    }
}

#[test]
fn relative_links_resolve_inside_the_runbooks_directory() {
    let cfg = RunbookConfig { dirs: vec![dir()], ..RunbookConfig::default() };
    for name in RUNBOOKS.iter().chain(&["README.md"]) {
        for event in Parser::new(&read(name)) {
            if let Event::Start(Tag::Link { dest_url, .. }) = event
                && !dest_url.contains("://")
            {
                assert!(matches!(resolve(&dest_url, &cfg), Ok(Location::Local(_))), "{name}: broken link {dest_url}");
            }
        }
    }
}

/// Metric names a PromQL expression selects.
fn metric_names(promql: &str) -> Vec<String> {
    use promql_parser::parser::Expr;
    use promql_parser::util::{ExprVisitor, walk_expr};
    struct Names(Vec<String>);
    impl ExprVisitor for Names {
        type Error = std::convert::Infallible;
        fn pre_visit(&mut self, e: &Expr) -> Result<bool, Self::Error> {
            let vs = match e {
                Expr::VectorSelector(vs) => Some(vs),
                Expr::MatrixSelector(m) => Some(&m.vs),
                _ => None,
            };
            self.0.extend(vs.and_then(|vs| vs.name.clone()));
            Ok(true)
        }
    }
    let expr = promql_parser::parser::parse(promql.trim()).unwrap_or_else(|e| panic!("{promql}\n{e}"));
    let mut names = Names(Vec::new());
    let Ok(_) = walk_expr(&mut names, &expr);
    names.0
}

/// A runbook opened from `warroom demo` must query metrics the drill serves,
/// or a query copied from it (`y`, then `:query`) graphs nothing.
#[test]
fn drill_runbooks_query_metrics_the_drill_serves() {
    let drills = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/drills"));
    let mut served = std::collections::BTreeSet::new();
    let mut linked = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&drills).expect("assets/drills") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let doc: toml::Table = toml::from_str(&std::fs::read_to_string(&path).expect("read")).expect("toml");
        let names = |key: &str| -> Vec<String> {
            let list = doc.get(key).and_then(|v| v.as_array()).cloned().unwrap_or_default();
            list.iter().filter_map(|s| s.get("name")?.as_str().map(str::to_string)).collect()
        };
        served.extend(names("series"));
        for h in names("histograms") {
            served.extend(["_bucket", "_sum", "_count"].map(|suffix| format!("{h}{suffix}")));
        }
        for alert in doc.get("alerts").and_then(|v| v.as_array()).into_iter().flatten() {
            let url = alert.get("annotations").and_then(|a| a.get("runbook_url")).and_then(|u| u.as_str());
            linked.extend(url.map(str::to_string));
        }
    }
    assert!(linked.len() >= 3, "drills link runbooks: {linked:?}");
    let mut missing = Vec::new();
    for name in &linked {
        for (lang, code) in code_blocks(&read(name)) {
            if lang != "promql" {
                continue;
            }
            for metric in metric_names(&code) {
                if !served.contains(&metric) {
                    missing.push(format!("{name}: {metric}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "metrics no drill simulates:\n{}", missing.join("\n"));
}
