//! The real binary in a pseudo-terminal: a tmux server of its own (own
//! socket), with send-keys to type and capture-pane to read the screen.

use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own (its own socket), killed on drop.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(cmd: &str, width: u16, height: u16) -> Self {
        let socket = format!("warroom-test-{}-{}", std::process::id(), super::free_port());
        let t = Tmux { socket };
        let ok = t
            .cmd(&["new-session", "-d", "-s", "w", "-x", &width.to_string(), "-y", &height.to_string(), cmd])
            .status
            .success();
        assert!(ok, "tmux new-session failed (is tmux installed? scripts/install-test-deps.sh)");
        t
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "w"]).stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "w"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    /// Waits until the screen satisfies `f`; panics with the screen if not.
    pub fn wait(&self, what: &str, secs: u64, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if f(&s) {
                return s;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    pub fn alive(&self) -> bool {
        self.cmd(&["has-session", "-t", "w"]).status.success()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// The pid of the process running in the pane (the shell's child when the
/// pane runs `sh -c "…; …"`).
pub fn child_pid(t: &Tmux, name: &str) -> Option<u32> {
    let out = t.cmd(&["display-message", "-p", "-t", "w", "#{pane_pid}"]);
    let shell: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    let children = Command::new("pgrep").args(["-P", &shell.to_string(), "-x", name]).output().ok()?;
    String::from_utf8_lossy(&children.stdout).lines().next()?.trim().parse().ok()
}
