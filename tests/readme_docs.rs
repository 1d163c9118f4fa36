//! README.md must not drift from the code: its key tables list every action
//! with exactly its default keys, under the task group `?` shows it in; its
//! configuration table lists every config key (and only those); the keys of
//! each section and endpoint are named; every flag it shows exists; every
//! screen capture is linked and every link points at a capture.

use std::collections::BTreeSet;

use clap::CommandFactory;
use warroom::keymap::{Action, Keymap};

const README: &str = include_str!("../README.md");
const SAMPLE: &str = include_str!("../assets/config.sample.toml");
const CONFIG_RS: &str = include_str!("../src/config.rs");
const CONTEXTS_RS: &str = include_str!("../src/config/contexts.rs");
const ENDPOINT_RS: &str = include_str!("../src/sources/endpoint.rs");
const RUNBOOK_RS: &str = include_str!("../src/runbook/config.rs");
const LOKI_RS: &str = include_str!("../src/model/logs.rs");
const SIGNALS_RS: &str = include_str!("../src/model/settings.rs");

/// README from `## TITLE` to the next `## ` heading.
fn section(title: &str) -> &'static str {
    let start = README.find(&format!("\n## {title}\n")).unwrap_or_else(|| panic!("README has no ## {title}"));
    let body = &README[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |i| i + 3);
    &body[..end]
}

/// A table row: the `###` heading above it and its cells.
struct Row {
    heading: String,
    cells: Vec<String>,
}

/// Table body rows of a section (header and `---` rows skipped). A `\|`
/// inside a cell is text, not a separator.
fn rows(text: &str) -> Vec<Row> {
    let mut heading = String::new();
    let mut out = Vec::new();
    let mut in_header = false;
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("### ") {
            heading = h.trim().to_string();
        }
        if !line.starts_with('|') {
            in_header = true;
            continue;
        }
        let cells: Vec<String> =
            line.replace("\\|", "\u{1}").trim_matches('|').split('|').map(|c| c.trim().replace('\u{1}', "|")).collect();
        if in_header || cells.iter().all(|c| c.chars().all(|ch| ch == '-' || ch == ' ')) {
            in_header = false;
            continue;
        }
        out.push(Row { heading: heading.clone(), cells });
    }
    out
}

/// The `code spans` of a cell.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// The serde-visible fields of `pub struct NAME` in a Rust source (those
/// not marked `#[serde(skip)]`). Reading the source keeps the test free of
/// any accessor added just for it.
fn struct_fields(src: &str, name: &str) -> BTreeSet<String> {
    let start = src.find(&format!("pub struct {name} {{")).unwrap_or_else(|| panic!("no struct {name}"));
    let body = &src[start..];
    let body = &body[..body.find("\n}").expect("struct ends")];
    let mut skip = false;
    let mut fields = BTreeSet::new();
    for line in body.lines().skip(1).map(str::trim) {
        if line.starts_with("#[serde(skip") {
            skip = true;
        } else if let Some((field, _)) = line.strip_prefix("pub ").and_then(|rest| rest.split_once(':'))
            && !std::mem::take(&mut skip)
        {
            fields.insert(field.trim().to_string());
        }
    }
    assert!(!fields.is_empty(), "no field found in {name}");
    fields
}

fn default_keys(action: Action) -> BTreeSet<String> {
    Keymap::default().keys_for(action).iter().map(ToString::to_string).collect()
}

#[test]
fn key_tables_list_every_action_with_its_default_keys_and_group() {
    let rows = rows(section("Keys"));
    for action in Action::ALL {
        let matching: Vec<&Row> =
            rows.iter().filter(|r| r.cells.get(1).is_some_and(|c| code_spans(c) == [action.name()])).collect();
        assert_eq!(matching.len(), 1, "README ## Keys: one row for action `{}`", action.name());
        let row = matching[0];
        let keys: BTreeSet<String> = code_spans(&row.cells[0]).into_iter().collect();
        assert_eq!(keys, default_keys(*action), "README ## Keys: the keys of `{}`", action.name());
        assert_eq!(row.heading, action.group(), "README ## Keys: `{}` under ### {}", action.name(), action.group());
    }
    for row in &rows {
        let names = code_spans(row.cells.get(1).map_or("", String::as_str));
        assert!(
            names.len() == 1 && Action::from_name(&names[0]).is_some(),
            "README ## Keys: row {:?} names no action",
            row.cells
        );
    }
}

/// The config keys a row of the reference names: `[[signals]]` is
/// `signals`, `[contexts.NAME]` is `contexts`.
fn config_keys(cell: &str) -> Vec<String> {
    code_spans(cell)
        .iter()
        .map(|k| k.trim_matches(|c| c == '[' || c == ']').split('.').next().unwrap_or_default().to_string())
        .collect()
}

fn config_rows() -> Vec<Row> {
    rows(section("Configuration reference"))
}

fn config_row(key: &str) -> String {
    let rows = config_rows();
    let row = rows.iter().find(|r| config_keys(&r.cells[0]).iter().any(|k| k == key));
    row.unwrap_or_else(|| panic!("README config table: no row for {key}")).cells.join(" | ")
}

#[test]
fn config_table_lists_exactly_the_config_keys() {
    let documented: BTreeSet<String> = config_rows().iter().flat_map(|r| config_keys(&r.cells[0])).collect();
    assert_eq!(documented, struct_fields(CONFIG_RS, "Config"), "README config table vs struct Config");
}

#[test]
fn every_top_level_key_of_the_sample_is_in_the_config_table() {
    let sample: toml::Table = toml::from_str(SAMPLE).expect("the sample parses");
    let documented: BTreeSet<String> = config_rows().iter().flat_map(|r| config_keys(&r.cells[0])).collect();
    for key in sample.keys() {
        assert!(documented.contains(key), "assets/config.sample.toml has `{key}`, README's config table does not");
    }
}

#[test]
fn section_keys_are_named_in_their_row() {
    for (key, src, name) in [
        ("runbooks", RUNBOOK_RS, "RunbookConfig"),
        ("logs", LOKI_RS, "LogsConfig"),
        ("signals", SIGNALS_RS, "SignalTemplate"),
        ("contexts", CONTEXTS_RS, "ContextConfig"),
    ] {
        let row = config_row(key);
        for field in struct_fields(src, name) {
            assert!(row.contains(&field), "README config row [{key}] does not name `{field}`: {row}");
        }
    }
}

#[test]
fn endpoint_keys_are_named() {
    let section = section("Configuration reference");
    let start = section.find("Per endpoint:").expect("README: a `Per endpoint:` paragraph");
    let para = &section[start..start + section[start..].find("\n\n").unwrap_or(section.len() - start)];
    for field in struct_fields(ENDPOINT_RS, "Endpoint") {
        assert!(para.contains(&format!("`{field}`")), "README `Per endpoint:` does not name `{field}`");
    }
}

/// Every long flag of warroom and its subcommands.
fn warroom_flags() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeSet<String>) {
        out.extend(cmd.get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")));
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = BTreeSet::from(["--help".to_string(), "--version".to_string()]);
    walk(&warroom::cli::Cli::command(), &mut out);
    out
}

#[test]
fn every_flag_shown_exists() {
    // Flags of the other tools the README shows (cargo, rustfmt).
    let others = [
        "--release",
        "--all",
        "--all-targets",
        "--check",
        "--bench",
        "--bin",
        "--target",
        "--no-build",
        "--no-fail-fast",
        "--test",
    ];
    let flags = warroom_flags();
    let re = regex::Regex::new(r"(?:^|[\s`(])(--[a-z][a-z0-9-]*)").expect("regex");
    for cap in re.captures_iter(README) {
        let flag = &cap[1];
        assert!(flags.contains(flag) || others.contains(&flag), "README shows {flag}, which warroom does not take");
    }
}

#[test]
fn every_screen_capture_is_linked_and_every_link_exists() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/screens");
    let files: BTreeSet<String> = std::fs::read_dir(dir)
        .expect("assets/screens")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let re = regex::Regex::new(r"\(assets/screens/([^)]+)\)").expect("regex");
    let linked: BTreeSet<String> = re.captures_iter(README).map(|c| c[1].to_string()).collect();
    let screens: BTreeSet<String> = re.captures_iter(section("Screens")).map(|c| c[1].to_string()).collect();
    assert_eq!(screens, files, "README ## Screens vs assets/screens/");
    assert!(linked.is_subset(&files), "README links missing captures: {:?}", linked.difference(&files));
}
