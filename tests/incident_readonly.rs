//! A read-only incident directory: the incident still opens and reads, and
//! every write fails with an error that names the file, never a panic.
//!
//! As a normal user, `chmod 555` makes the directory read-only. Root ignores
//! permissions, so then the check is re-run in a child process inside a
//! private mount namespace (`unshare -rm`) where the directory is bind-mounted
//! read-only: the same `EROFS` a remounted disk gives.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use warroom::incident::{self, Declaration, Event, Journal, Record};

const CHILD_ENV: &str = "WARROOM_TEST_READONLY_DIR";
const TEST_NAME: &str = "read_only_dir_gives_clean_errors";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").expect("valid time").with_timezone(&Utc)
}

fn decl(title: &str) -> Declaration {
    Declaration {
        title: title.into(),
        severity: "page".into(),
        commander: "alice".into(),
        at: now(),
        author: "alice".into(),
    }
}

fn note(id: &str) -> Record {
    Record::new(now(), "alice", Event::Note { id: id.into(), text: "typed during the incident".into() })
}

/// What must hold once `dir` (holding one incident with one note) is
/// read-only.
fn check_read_only(dir: &Path) {
    let meta = incident::find_open(dir).expect("lists a read-only dir").expect("the incident is found");
    let mut j = Journal::open(dir, &meta.id).expect("opens read-only");
    assert_eq!(j.read_new().expect("reads").records.len(), 2);

    let err = j.append(&note("a.2")).expect_err("append must fail");
    let msg = err.to_string();
    assert!(msg.contains("Read-only file system") || msg.contains("Permission denied"), "{msg}");
    assert!(msg.contains("journal.jsonl"), "{msg}");
    assert!(j.read_new().expect("reads again").records.is_empty());

    let err = Journal::create(dir, &decl("another")).expect_err("create must fail");
    assert!(err.to_string().contains(&*dir.to_string_lossy()), "{err}");

    let err = incident::export(dir, None, None).expect_err("export in place must fail");
    assert!(err.to_string().contains("postmortem.md"), "{err}");
}

fn writes_refused(dir: &Path) -> bool {
    let probe = dir.join("probe");
    match fs::write(&probe, "x") {
        Ok(()) => {
            let _ = fs::remove_file(probe);
            false
        }
        Err(_) => true,
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn read_only_dir_gives_clean_errors() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        check_read_only(Path::new(&dir));
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("incidents");
    let mut j = Journal::create(&dir, &decl("read only")).expect("create");
    j.append(&note("a.1")).expect("append while writable");
    let inc_dir = dir.join(j.id());
    drop(j);

    set_mode(&inc_dir, 0o555);
    set_mode(&dir, 0o555);
    let refused = writes_refused(&dir);
    if refused {
        check_read_only(&dir);
    }
    set_mode(&dir, 0o755);
    set_mode(&inc_dir, 0o755);
    if refused {
        return;
    }

    let exe = std::env::current_exe().expect("test binary path");
    let script = r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" --exact "$3" --nocapture"#;
    let status = Command::new("unshare")
        .args(["-rm", "sh", "-c", script, "sh"])
        .arg(&dir)
        .arg(&exe)
        .arg(TEST_NAME)
        .env(CHILD_ENV, &dir)
        .status()
        .expect("run as root: needs `unshare` (util-linux) to make a read-only mount");
    assert!(status.success(), "read-only checks failed in the child");
}
