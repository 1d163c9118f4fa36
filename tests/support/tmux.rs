//! The real binary in a pseudo-terminal: a tmux server of its own (own
//! socket, killed on drop), with send-keys to type and capture-pane to read
//! the screen. [`Tmux::recording`] also copies the pane's raw output bytes to
//! a file with `pipe-pane` from before the program's first byte, for the
//! tests that inspect what reached the terminal.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of its own (its own socket), killed on drop.
pub struct Tmux {
    socket: String,
    recording: Option<Recording>,
}

/// The files of a recorded pane: `go` lets the program start, `raw` gets
/// its output.
struct Recording {
    go: PathBuf,
    raw: PathBuf,
}

impl Tmux {
    pub fn start(cmd: &str, width: u16, height: u16) -> Self {
        let t = Tmux { socket: socket(), recording: None };
        t.new_session(cmd, width, height);
        t
    }

    /// Starts `cmd` in a `width`x`height` pane whose output is recorded in
    /// `dir/raw.out` from its first byte (see [`Tmux::raw_output`]).
    pub fn recording(dir: &Path, cmd: &str, width: u16, height: u16) -> Self {
        let (go, raw) = (dir.join("go"), dir.join("raw.out"));
        // The program waits for `go`, so pipe-pane is in place before its first byte.
        let wrapped = format!("while [ ! -e '{}' ]; do sleep 0.02; done; exec {cmd}", go.display());
        let t = Tmux { socket: socket(), recording: Some(Recording { go: go.clone(), raw: raw.clone() }) };
        t.new_session(&wrapped, width, height);
        t.cmd(&["set-option", "-t", "w", "window-size", "manual"]);
        let pipe = format!("cat >> '{}'", raw.display());
        assert!(t.cmd(&["pipe-pane", "-o", "-t", "w", &pipe]).status.success(), "tmux pipe-pane");
        std::fs::write(&go, b"").expect("write the go file");
        t
    }

    fn new_session(&self, cmd: &str, width: u16, height: u16) {
        let size = [width.to_string(), height.to_string()];
        let out = self.cmd(&["new-session", "-d", "-s", "w", "-x", &size[0], "-y", &size[1], cmd]);
        assert!(
            out.status.success(),
            "tmux new-session failed (is tmux installed? scripts/install-test-deps.sh): {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux runs")
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

    /// Stops recording and returns every byte the program wrote so far
    /// (nothing for a pane started without [`Tmux::recording`]).
    pub fn raw_output(&self) -> Vec<u8> {
        let Some(rec) = &self.recording else { return Vec::new() };
        self.cmd(&["pipe-pane", "-t", "w"]);
        std::thread::sleep(Duration::from_millis(100));
        std::fs::read(&rec.raw).unwrap_or_default()
    }

    /// Waits until the screen satisfies `f`; panics with the screen if not.
    pub fn wait(&self, what: &str, secs: u64, f: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if f(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    /// [`Tmux::wait`] for async tests: sleeps without blocking a tokio
    /// worker, so servers on the same runtime keep answering.
    pub async fn wait_async(&self, what: &str, secs: u64, f: impl Fn(&str) -> bool) -> String {
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
        if let Some(rec) = &self.recording {
            let _ = std::fs::remove_file(&rec.go);
        }
    }
}

/// A socket name no other test (or test binary) uses.
fn socket() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("warroom-test-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// The pid of the process running in the pane (the shell's child when the
/// pane runs `sh -c "…; …"`).
pub fn child_pid(t: &Tmux, name: &str) -> Option<u32> {
    let out = t.cmd(&["display-message", "-p", "-t", "w", "#{pane_pid}"]);
    let shell: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    let children = Command::new("pgrep").args(["-P", &shell.to_string(), "-x", name]).output().ok()?;
    String::from_utf8_lossy(&children.stdout).lines().next()?.trim().parse().ok()
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// How often `needle` occurs in `haystack`.
pub fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}
