//! The real binary in a real pseudo-terminal (tmux), against real
//! Prometheus and Alertmanager: what a user sees, keys a user types, and
//! Prometheus killed mid-run.

mod support;

use support::tmux::Tmux;
use support::{Alertmanager, PromConfig, Prometheus};

fn status_line(screen: &str) -> &str {
    screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
}

#[test]
fn console_in_a_pty_survives_prometheus_dying() {
    let am = Alertmanager::start();
    let mut prom = Prometheus::start(PromConfig::defaults(&am.url));
    let dir = tempfile::tempdir().unwrap();
    let cmd = format!(
        "{} --prometheus {} --alertmanager {} --refresh 0.5 --no-mouse --log-file {} --config {}; sleep 30",
        env!("CARGO_BIN_EXE_warroom"),
        prom.url,
        am.url,
        dir.path().join("warroom.log").display(),
        write_empty_config(dir.path()),
    );
    let tmux = Tmux::start(&cmd, 120, 36);

    // Each wait is for a whole frame (rows arrive top to bottom; a capture
    // can land between them), then the asserts say what was on it.
    let s = tmux.wait("alerts on screen", 40, |s| {
        s.contains("AlwaysFiring") && s.contains("TargetDown") && status_line(s).contains("● up")
    });
    assert!(s.contains("CRIT firing"), "{s}");

    // Help, then back.
    tmux.keys(&["?"]);
    tmux.wait("help overlay", 5, |s| s.contains("Keys") && s.contains("silence the alert"));
    tmux.keys(&["Escape"]);
    tmux.wait("help closed", 5, |s| !s.contains("silence the alert"));

    // Filter to one alert.
    tmux.keys(&["/", "alertname=TargetDown", "Enter"]);
    // A capture can land mid-frame (the header row drawn, the board not
    // yet): wait for the whole filtered frame, not its first row.
    let s =
        tmux.wait("filtered board", 5, |s| s.contains("filter: alertname=TargetDown") && !s.contains("CRIT firing"));
    assert!(s.contains("TargetDown"), "{s}");
    tmux.keys(&["Escape"]);
    tmux.wait("filter cleared", 5, |s| s.contains("CRIT firing"));

    // Kill Prometheus: the console stays up and says so.
    prom.stop();
    let s = tmux.wait("Prometheus down", 20, |s| {
        status_line(s).contains("✖ down") && status_line(s).contains("connection refused")
    });
    assert!(status_line(&s).contains("connection refused"), "{s}");
    assert!(s.contains("AlwaysFiring"), "Alertmanager's alerts still shown: {s}");
    prom.restart();
    tmux.wait("Prometheus back", 40, |s| !status_line(s).contains("down"));

    // q quits and restores the terminal: the shell's `sleep` owns the pane now.
    tmux.keys(&["q"]);
    let s = tmux.wait("console gone", 10, |s| !s.contains("AlwaysFiring"));
    assert!(tmux.alive());
    assert!(!s.contains("┌"), "alternate screen left: {s}");
}

fn write_empty_config(dir: &std::path::Path) -> String {
    let path = dir.join("config.toml");
    std::fs::write(&path, "# empty: flags only\n").unwrap();
    path.display().to_string()
}
