//! The real binary on bad config files (as bottom's
//! `tests/integration/invalid_config_tests.rs` does): each must be refused
//! with exit code 2 and an error that names the file, the line and the
//! column, shows the line, and says what is wrong — before any source is
//! contacted or the terminal is touched.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config").join(name)
}

/// `warroom --config FILE ARGS…` in an empty home, so that no config, theme
/// or runbook of this machine's user takes part.
fn warroom(config: &Path, args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("home");
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .arg("--config")
        .arg(config)
        .arg("--log-file")
        .arg(home.path().join("warroom.log"))
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("run warroom")
}

/// Runs `check` on the fixture and returns its error, after checking the
/// exit code and that the error starts with `FILE:LINE:COLUMN: `.
fn refused_at(name: &str, line: usize, column: usize) -> String {
    let path = fixture(name);
    let out = warroom(&path, &["check"]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{name}: exit code; stderr:\n{stderr}");
    assert!(out.stdout.is_empty(), "{name}: nothing on stdout");
    let at = format!("warroom: invalid config {}:{line}:{column}: ", path.display());
    assert!(stderr.starts_with(&at), "{name}: expected {at:?}, got:\n{stderr}");
    let source_line = std::fs::read_to_string(&path).expect("fixture").lines().nth(line - 1).expect("line").to_string();
    assert!(stderr.contains(&format!("{line} | {source_line}")), "{name}: the line is shown:\n{stderr}");
    let caret = format!("| {}^", " ".repeat(column - 1));
    assert!(stderr.contains(&caret), "{name}: a caret under column {column}:\n{stderr}");
    stderr
}

#[test]
fn an_unknown_key_is_named_with_its_place() {
    let err = refused_at("unknown_key.toml", 3, 1);
    assert!(err.contains("unknown field `colour`"), "{err}");
}

#[test]
fn a_value_of_the_wrong_type_is_named_with_its_place() {
    let err = refused_at("wrong_type.toml", 3, 14);
    assert!(err.contains("invalid type: integer `1`, expected a boolean"), "{err}");
}

#[test]
fn a_bad_duration_points_at_its_value() {
    let err = refused_at("bad_duration.toml", 2, 11);
    assert!(err.contains("parsecs"), "{err}");
}

#[test]
fn a_bad_url_points_at_the_endpoint_that_has_it() {
    let err = refused_at("bad_url.toml", 6, 7);
    assert!(err.contains("scheme must be http or https"), "{err}");
}

#[test]
fn a_secret_file_that_does_not_exist_points_at_the_key_naming_it() {
    let err = refused_at("missing_secret_file.toml", 3, 57);
    assert!(err.contains("cannot read /nonexistent/warroom-test/am-password"), "{err}");
}

#[test]
fn an_unknown_theme_points_at_the_theme_key() {
    let err = refused_at("unknown_theme.toml", 2, 9);
    assert!(err.contains(r#"unknown theme "solarised-nope""#) && err.contains("known: default"), "{err}");
}

#[test]
fn an_unknown_context_points_at_the_context_key() {
    let err = refused_at("unknown_context.toml", 1, 11);
    assert!(err.contains(r#"unknown context "prod-nope" (known: prod-eu)"#), "{err}");
}

/// A theme given as a flag is not in the file: the error names the flag.
#[test]
fn an_unknown_theme_flag_names_the_flag() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "theme = \"light\"\n").expect("config");
    let out = warroom(&config, &["--theme", "nope", "check"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with(r#"warroom: --theme: unknown theme "nope""#), "{stderr}");
}

#[test]
fn version_says_release_commit_and_build_date() {
    let out = Command::new(env!("CARGO_BIN_EXE_warroom")).arg("--version").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let re =
        regex::Regex::new(r"^warroom \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,40}|unknown), built \d{4}-\d{2}-\d{2}\)\n$")
            .expect("regex");
    assert!(re.is_match(&text), "{text:?}");
    assert!(text.starts_with(&format!("warroom {} ", env!("CARGO_PKG_VERSION"))), "{text:?}");
}
