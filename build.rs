//! Stamps the binary with what `warroom --version` says: the git commit it
//! was built from and the build date.
//!
//! - Commit: `git rev-parse` in the source tree; `WARROOM_GIT_COMMIT` when
//!   set (a distribution building from a tarball knows it); else `unknown`.
//! - Date (UTC, a day): `SOURCE_DATE_EPOCH` when set, so that two builds of
//!   one commit are byte for byte the same (reproducible-builds.org); else
//!   today.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=WARROOM_GIT_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let commit = std::env::var("WARROOM_GIT_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=WARROOM_GIT_COMMIT={}", commit.trim());
    println!("cargo:rustc-env=WARROOM_BUILD_DATE={}", build_date());
}

fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let out = Command::new("git").args(args).current_dir(dir).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}

/// The short commit, and a rerun of this script whenever HEAD moves (a
/// commit, a checkout). Outside a git checkout: `None`, nothing watched.
fn git_commit() -> Option<String> {
    let commit = git(&["rev-parse", "--short=12", "HEAD"])?;
    let git_dir = PathBuf::from(git(&["rev-parse", "--absolute-git-dir"])?);
    let common = git(&["rev-parse", "--git-common-dir"]).map(|d| absolute(&git_dir, &d)).unwrap_or(git_dir.clone());
    let mut watched = vec![git_dir.join("HEAD"), common.join("packed-refs")];
    if let Some(head_ref) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(common.join(head_ref));
    }
    // A path that does not exist would make cargo rerun this on every build.
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    Some(commit)
}

/// `git rev-parse --git-common-dir` may answer relative to the git dir's
/// parent (the working directory of the command).
fn absolute(git_dir: &Path, dir: &str) -> PathBuf {
    let p = PathBuf::from(dir);
    if p.is_absolute() {
        return p;
    }
    let base = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| git_dir.to_path_buf());
    base.join(p)
}

fn build_date() -> String {
    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => s.trim().parse::<i64>().unwrap_or_else(|_| panic!("SOURCE_DATE_EPOCH={s:?} is not a number")),
        Err(_) => SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0),
    };
    chrono::DateTime::from_timestamp(epoch, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "unknown".into())
}
