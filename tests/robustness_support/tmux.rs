//! The real binary in a real pseudo-terminal: a tmux server of its own
//! (own socket, killed on drop), with the pane's raw output bytes copied to a
//! file by `pipe-pane` from before the program starts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
    go: PathBuf,
    pub raw: PathBuf,
}

impl Tmux {
    /// Starts `cmd` in a `width`x`height` pane; its output is recorded in
    /// `dir/raw.out` from its first byte.
    pub fn start(dir: &Path, cmd: &str, width: u16, height: u16) -> Self {
        let socket = format!("warroom-stress-{}-{}", std::process::id(), unique());
        let go = dir.join("go");
        let raw = dir.join("raw.out");
        let t = Tmux { socket, go: go.clone(), raw: raw.clone() };
        // The program waits for `go`, so pipe-pane is in place before its first byte.
        let wrapped = format!("while [ ! -e '{}' ]; do sleep 0.02; done; exec {cmd}", go.display());
        let size = [width.to_string(), height.to_string()];
        let out = t.cmd(&["new-session", "-d", "-s", "w", "-x", &size[0], "-y", &size[1], &wrapped]);
        assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
        t.cmd(&["set-option", "-t", "w", "window-size", "manual"]);
        let pipe = format!("cat >> '{}'", raw.display());
        assert!(t.cmd(&["pipe-pane", "-o", "-t", "w", &pipe]).status.success(), "tmux pipe-pane");
        std::fs::write(&go, b"").expect("write the go file");
        t
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs (install tmux)")
    }

    /// The screen as tmux renders it.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "w"]).stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "w"];
        args.extend_from_slice(keys);
        self.cmd(&args);
    }

    pub fn resize(&self, width: u16, height: u16) {
        let (w, h) = (width.to_string(), height.to_string());
        self.cmd(&["resize-window", "-t", "w", "-x", &w, "-y", &h]);
    }

    /// The window title the program set (OSC 0/2 would change it).
    pub fn title(&self) -> String {
        let out = self.cmd(&["display-message", "-p", "-t", "w", "#{pane_title}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Stops recording and returns every byte the program wrote so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.cmd(&["pipe-pane", "-t", "w"]);
        std::thread::sleep(Duration::from_millis(100));
        std::fs::read(&self.raw).unwrap_or_default()
    }

    /// Waits (without blocking a tokio worker) until the screen satisfies
    /// `f`; panics with the screen if it does not within `secs`.
    pub async fn wait(&self, what: &str, secs: u64, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if f(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{s}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub fn alive(&self) -> bool {
        self.cmd(&["has-session", "-t", "w"]).status.success()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
        let _ = std::fs::remove_file(&self.go);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// How often `needle` occurs in `haystack`.
pub fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}
