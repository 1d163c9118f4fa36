//! Resolving `runbook_url` to a local file: only under the configured
//! directories, whatever the alert says.

use std::path::{Path, PathBuf};

use warroom::runbook::{Location, RunbookConfig, RunbookError, resolve};

/// A tree: `<tmp>/runbooks/{db-down.md, sub/nested.md}` and a secret file
/// beside the runbooks directory.
struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    runbooks: PathBuf,
}

fn tree() -> Tree {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().canonicalize().expect("canonical tmp");
    let runbooks = root.join("runbooks");
    std::fs::create_dir_all(runbooks.join("sub")).expect("mkdir");
    std::fs::write(runbooks.join("db-down.md"), "# DB down\n").expect("write");
    std::fs::write(runbooks.join("sub/nested.md"), "# Nested\n").expect("write");
    std::fs::write(root.join("secret.txt"), "hunter2\n").expect("write");
    Tree { _tmp: tmp, root, runbooks }
}

fn cfg(dirs: &[&Path]) -> RunbookConfig {
    RunbookConfig { dirs: dirs.iter().map(|d| d.to_path_buf()).collect(), ..RunbookConfig::default() }
}

#[test]
fn relative_paths_resolve_inside_the_directory() {
    let t = tree();
    let c = cfg(&[&t.runbooks]);
    let expected = Location::Local(t.runbooks.join("db-down.md"));
    assert_eq!(resolve("db-down.md", &c), Ok(expected.clone()));
    assert_eq!(resolve("db-down.md#mitigation", &c), Ok(expected.clone()));
    assert_eq!(resolve("runbooks/db-down.md", &c), Ok(expected.clone()));
    assert_eq!(resolve("./sub/../db-down.md", &c), Ok(expected));
    assert_eq!(resolve("sub/nested.md", &c), Ok(Location::Local(t.runbooks.join("sub/nested.md"))));
}

#[test]
fn traversal_and_absolute_paths_are_refused() {
    let t = tree();
    let c = cfg(&[&t.runbooks]);
    for url in [
        "../secret.txt",
        "sub/../../secret.txt",
        "runbooks/../secret.txt",
        &t.root.join("secret.txt").to_string_lossy(),
        &format!("file://{}", t.root.join("secret.txt").display()),
        "/etc/passwd",
    ] {
        assert!(
            matches!(resolve(url, &c), Err(RunbookError::Outside(_))),
            "{url} must be refused, got {:?}",
            resolve(url, &c)
        );
    }
    assert!(matches!(resolve("../../../../../../etc/shadow-does-not-exist", &c), Err(RunbookError::NotFound { .. })));
}

#[test]
fn absolute_and_file_urls_inside_are_accepted() {
    let t = tree();
    let c = cfg(&[&t.runbooks]);
    let inside = t.runbooks.join("db-down.md");
    let expected = Ok(Location::Local(inside.clone()));
    assert_eq!(resolve(&inside.to_string_lossy(), &c), expected);
    assert_eq!(resolve(&format!("file://{}", inside.display()), &c), expected);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_directory_are_refused() {
    let t = tree();
    std::os::unix::fs::symlink(t.root.join("secret.txt"), t.runbooks.join("link.md")).expect("symlink");
    std::os::unix::fs::symlink(&t.root, t.runbooks.join("escape")).expect("symlink dir");
    let c = cfg(&[&t.runbooks]);
    assert!(matches!(resolve("link.md", &c), Err(RunbookError::Outside(_))));
    assert!(matches!(resolve("escape/secret.txt", &c), Err(RunbookError::Outside(_))));
    // A symlink that stays inside is fine.
    std::os::unix::fs::symlink(t.runbooks.join("db-down.md"), t.runbooks.join("alias.md")).expect("symlink");
    assert_eq!(resolve("alias.md", &c), Ok(Location::Local(t.runbooks.join("db-down.md"))));
}

#[test]
fn missing_files_and_directories_are_reported() {
    let t = tree();
    let c = cfg(&[&t.root.join("nope"), &t.runbooks]);
    let err = resolve("missing.md", &c).expect_err("missing");
    assert!(matches!(err, RunbookError::NotFound { .. }));
    assert!(err.to_string().contains("missing.md"));
    assert!(matches!(resolve("sub", &c), Err(RunbookError::NotFound { .. })));
}

#[test]
fn rewrites_map_urls_to_local_copies() {
    let t = tree();
    let c = RunbookConfig {
        dirs: vec![t.runbooks.clone()],
        rewrites: vec![("https://git.example.com/ops/runbooks/blob/main/".into(), t.runbooks.clone())],
        ..RunbookConfig::default()
    };
    assert_eq!(
        resolve("https://git.example.com/ops/runbooks/blob/main/sub/nested.md?plain=1#step-2", &c),
        Ok(Location::Local(t.runbooks.join("sub/nested.md")))
    );
    // Percent-encoded traversal through a rewrite is still refused.
    assert!(matches!(
        resolve("https://git.example.com/ops/runbooks/blob/main/%2E%2E%2Fsecret.txt", &c),
        Err(RunbookError::Outside(_))
    ));
    // `%2e%2e` segments are dot segments: URL parsing removes them, the
    // prefix no longer matches, and nothing local is read.
    assert!(matches!(
        resolve("https://git.example.com/ops/runbooks/blob/main/%2e%2e/%2e%2e/secret.txt", &c),
        Ok(Location::Remote(_))
    ));
    // No local copy: fetched, in raw form for blob URLs.
    let Ok(Location::Remote(url)) = resolve("https://github.com/acme/ops/blob/v1/rb/x.md", &c) else {
        panic!("expected a remote location");
    };
    assert_eq!(url.as_str(), "https://raw.githubusercontent.com/acme/ops/v1/rb/x.md");
}
