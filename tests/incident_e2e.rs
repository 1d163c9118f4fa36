//! Nothing typed is lost: the real binary in a pty declares an incident and
//! saves a note, is killed with SIGKILL the moment it says "saved", and the
//! note is in the journal. A second warroom then resumes the same incident,
//! shows the note and writes the post-mortem draft with it (the rewrite the
//! first one may not have finished: the draft follows the journal off the
//! event loop).

mod support;

use std::path::Path;

use support::tmux::{Tmux, child_pid};
use support::{Alertmanager, PromConfig, Prometheus};

fn console(prom: &str, am: &str, dir: &Path, log: &str) -> String {
    format!(
        "{} --prometheus {prom} --alertmanager {am} --refresh 0.5 --no-mouse --incident-dir {} --log-file {} --config {}; sleep 60",
        env!("CARGO_BIN_EXE_warroom"),
        dir.join("incidents").display(),
        dir.join(log).display(),
        dir.join("none.toml").display(),
    )
}

#[test]
fn a_saved_note_survives_sigkill_and_is_resumed() {
    let am = Alertmanager::start();
    let prom = Prometheus::start(PromConfig::defaults(&am.url));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("none.toml"), "").unwrap();
    let tmux = Tmux::start(&console(&prom.url, &am.url, dir.path(), "a.log"), 130, 40);
    tmux.wait("alerts", 40, |s| s.contains("AlwaysFiring"));

    // i: the declaration form, prefilled from the selected (critical) alert; Ctrl-S declares.
    tmux.keys(&["i"]);
    tmux.wait("declare form", 5, |s| s.contains("Declare incident") && s.contains("Ctrl-S save"));
    tmux.keys(&["C-s"]);
    // Wait for the whole frame: a capture can land between its rows.
    tmux.wait("incident declared", 10, |s| s.contains("incident 20") && !s.contains("Declare incident"));

    // n: a note; the keys to save and cancel are on screen.
    tmux.keys(&["n"]);
    tmux.wait("note editor", 5, |s| s.contains("New note") && s.contains("Esc cancel"));
    tmux.keys(&["-l", "!action restart pgbouncer @alice"]);
    tmux.keys(&["C-s"]);
    tmux.wait("saved", 10, |s| s.contains("saved") && !s.contains("New note"));

    // kill -9 right after the acknowledgement.
    let pid = child_pid(&tmux, "warroom").expect("warroom's pid");
    let killed = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().unwrap();
    assert!(killed.success());

    let incidents = dir.path().join("incidents");
    let id = std::fs::read_dir(&incidents).unwrap().next().unwrap().unwrap().file_name();
    let journal = std::fs::read_to_string(incidents.join(&id).join("journal.jsonl")).unwrap();
    assert!(journal.contains("restart pgbouncer"), "{journal}");
    assert!(journal.contains("AlwaysFiring"), "firing alerts captured: {journal}");
    // What the first one's rewrite left, if it got that far, is a whole
    // draft (written atomically), never a part of one.
    let pm_path = incidents.join(&id).join("postmortem.md");
    if let Ok(pm) = std::fs::read_to_string(&pm_path) {
        assert!(pm.starts_with("# "), "a whole draft: {pm}");
    }

    // Another warroom resumes the open incident, shows the note and
    // rewrites the draft with it.
    drop(tmux);
    let tmux = Tmux::start(&console(&prom.url, &am.url, dir.path(), "b.log"), 130, 40);
    let s = tmux.wait("resumed timeline", 40, |s| s.contains("restart pgbouncer"));
    assert!(s.contains(&id.to_string_lossy().to_string()) || s.contains("Timeline"), "{s}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let pm = loop {
        let pm = std::fs::read_to_string(&pm_path).unwrap_or_default();
        if pm.contains("restart pgbouncer") || std::time::Instant::now() > deadline {
            break pm;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(pm.contains("restart pgbouncer"), "{pm}");
    assert!(pm.contains("- [ ]"), "!action becomes an action item: {pm}");

    // `warroom export` writes the same draft without the UI.
    let out = dir.path().join("pm.md");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["export", "--incident-dir"])
        .arg(&incidents)
        .arg("--out")
        .arg(&out)
        .arg("--log-file")
        .arg(dir.path().join("c.log"))
        .status()
        .unwrap();
    assert!(status.success());
    assert!(std::fs::read_to_string(&out).unwrap().contains("restart pgbouncer"));
}
