//! The real binary on a raw pseudo-terminal this test drives byte by byte:
//! a terminal that never answers the cursor-position query, and a terminal
//! that goes away (the SSH session dropped: the pty's master closed).
//! tmux would answer the queries and never close under the program, so the
//! pty is opened here with libc.

use std::ffi::CStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A pty: the master side kept here, the program on the slave side as its
/// controlling terminal. Everything the program writes is collected.
struct Pty {
    master: Option<File>,
    out: Arc<Mutex<Vec<u8>>>,
    /// Set once the reader saw the end (no slave left open: all written).
    done: Arc<std::sync::atomic::AtomicBool>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
    child: Child,
}

fn check(rc: libc::c_int, what: &str) {
    assert!(rc >= 0, "{what}: {}", std::io::Error::last_os_error());
}

impl Pty {
    fn spawn(mut cmd: Command) -> Pty {
        // SAFETY: plain libc calls on fds this function owns; the pre_exec
        // closure only calls async-signal-safe functions.
        unsafe {
            // Close-on-exec, atomically: a child (of this or a parallel
            // test) holding a copy would keep the master open after "close".
            let m = libc::open(c"/dev/ptmx".as_ptr(), libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC);
            check(m, "open /dev/ptmx");
            check(libc::grantpt(m), "grantpt");
            check(libc::unlockpt(m), "unlockpt");
            let mut name = [0 as libc::c_char; 128];
            check(libc::ptsname_r(m, name.as_mut_ptr(), name.len()), "ptsname_r");
            let slave_path = CStr::from_ptr(name.as_ptr()).to_str().expect("utf-8 pts name").to_string();
            let ws = libc::winsize { ws_row: 30, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0 };
            check(libc::ioctl(m, libc::TIOCSWINSZ, &ws), "TIOCSWINSZ");
            let master = File::from(OwnedFd::from_raw_fd(m));
            let slave = std::fs::OpenOptions::new().read(true).write(true).open(&slave_path).expect("open slave");
            cmd.stdin(Stdio::from(slave.try_clone().expect("dup")))
                .stdout(Stdio::from(slave.try_clone().expect("dup")))
                .stderr(Stdio::from(slave));
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
            let child = cmd.spawn().expect("spawn warroom");
            // The command keeps its copies of the slave open: without them
            // gone, the reader never sees the end.
            drop(cmd);
            let out = Arc::new(Mutex::new(Vec::new()));
            let mut reader = master.try_clone().expect("dup master");
            let sink = out.clone();
            let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let end = done.clone();
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let halt = stop.clone();
            let reader_thread = std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let fd = reader.as_raw_fd();
                // Polls, so that closing the master can stop it: the master
                // is only closed once this copy of it is dropped too.
                while !halt.load(std::sync::atomic::Ordering::SeqCst) {
                    let mut p = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
                    if libc::poll(&mut p, 1, 50) <= 0 {
                        continue;
                    }
                    // Ends with EIO once the slave side is closed everywhere.
                    match reader.read(&mut buf) {
                        Ok(n) if n > 0 => sink.lock().expect("lock").extend_from_slice(&buf[..n]),
                        _ => break,
                    }
                }
                end.store(true, std::sync::atomic::Ordering::SeqCst);
            });
            Pty { master: Some(master), out, done, stop, reader: Some(reader_thread), child }
        }
    }

    /// Closes the master side, as sshd does when the session drops.
    fn close_master(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(r) = self.reader.take() {
            r.join().expect("reader thread");
        }
        drop(self.master.take());
    }

    fn output(&self) -> Vec<u8> {
        self.out.lock().expect("lock").clone()
    }

    fn wait_for(&self, what: &str, secs: u64, needle: &[u8]) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if contains(&self.output(), needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what}: not seen in {secs}s; output: {:?}", String::from_utf8_lossy(&self.output()));
    }

    fn send(&mut self, bytes: &[u8]) {
        let m = self.master.as_mut().expect("master open");
        m.write_all(bytes).expect("write to the pty");
    }

    /// The slave's terminal modes, read through the master.
    fn termios(&self) -> libc::termios {
        let fd = self.master.as_ref().expect("master open").as_raw_fd();
        // SAFETY: termios is plain data, filled by tcgetattr.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            check(libc::tcgetattr(fd, &mut t), "tcgetattr");
            t
        }
    }

    fn wait_exit(&mut self, secs: u64) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Everything it wrote, read (when the master is still open).
                while self.master.is_some()
                    && !self.done.load(std::sync::atomic::Ordering::SeqCst)
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("warroom still running after {secs}s; output: {:?}", String::from_utf8_lossy(&self.output()));
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_file(path: &Path, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::fs::read_to_string(path).is_ok_and(|s| s == want) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{} never held {want:?}: {:?}", path.display(), std::fs::read_to_string(path));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// A loopback port nothing listens on: the source is down, which is fine.
fn dead_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

fn warroom(dir: &Path) -> Command {
    let config = dir.join("config.toml");
    std::fs::write(&config, "# flags only\n").expect("config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warroom"));
    cmd.arg("--prometheus")
        .arg(dead_url())
        .arg("--refresh")
        .arg("0.5")
        .arg("--config")
        .arg(&config)
        .arg("--log-file")
        .arg(dir.join("warroom.log"))
        .arg("--incident-dir")
        .arg(dir.join("incidents"))
        .env("TERM", "xterm-256color")
        .env("USER", "alice")
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"));
    cmd
}

const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const ASK_CURSOR: &[u8] = b"\x1b[6n";

/// The terminal here never answers `ESC [ 6 n`. warroom must not need the
/// answer to start, and whatever happens, the terminal it leaves is cooked:
/// raw mode, the alternate screen and mouse capture all undone.
#[test]
fn a_terminal_that_never_answers_the_cursor_query_is_restored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut pty = Pty::spawn(warroom(dir.path()));
    pty.wait_for("the board", 20, b"help");
    assert!(!contains(&pty.output(), ASK_CURSOR), "warroom asked for the cursor position");
    pty.send(b"q");
    let status = pty.wait_exit(20);
    assert!(status.success(), "{status:?}: {:?}", String::from_utf8_lossy(&pty.output()));
    let out = pty.output();
    let entered = last(&out, ENTER_ALT).expect("entered the alternate screen");
    assert!(last(&out, LEAVE_ALT).is_some_and(|l| l > entered), "alternate screen left on");
    assert!(last(&out, b"\x1b[?1000l").is_some_and(|l| l > entered), "mouse capture left on");
    let t = pty.termios();
    assert!(t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0, "terminal left raw: {:o}", t.c_lflag);
}

/// The SSH session drops: the pty's master closes under a running
/// console. warroom leaves cleanly (exit 0), never with a panic (101)
/// from printing to the dead terminal.
#[test]
fn a_dropped_terminal_ends_warroom_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Not the session leader (`sh` is, and ignores the hangup), so no SIGHUP
    // reaches warroom: only the dead terminal's errors tell it.
    let mut cmd = Command::new("sh");
    let inner = warroom(dir.path());
    let args: Vec<String> =
        inner.get_args().map(|a| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''"))).collect();
    let status_file = dir.path().join("status");
    cmd.arg("-c")
        .arg(format!(
            "trap '' HUP; '{}' {} ; echo $? > '{}'",
            env!("CARGO_BIN_EXE_warroom"),
            args.join(" "),
            status_file.display()
        ))
        .envs(inner.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))));
    let mut pty = Pty::spawn(cmd);
    pty.wait_for("the board", 20, b"help");
    // Something to draw after the hangup: a key that opens the help.
    pty.send(b"?");
    pty.wait_for("the help", 10, b"Keys");
    pty.close_master();
    let status = pty.wait_exit(30);
    assert!(status.success(), "sh: {status:?}");
    let code = std::fs::read_to_string(&status_file).expect("warroom's exit status");
    let log = std::fs::read_to_string(dir.path().join("warroom.log")).unwrap_or_default();
    assert_eq!(code.trim(), "0", "warroom's exit status; log:\n{log}");
    assert!(!log.contains("panic"), "{log}");
}

/// A dead stderr (its reader gone) while warroom has an error to report:
/// the error is not written, and warroom exits with its error code, not a
/// panic.
#[test]
fn an_error_on_a_dead_stderr_is_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let status = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .arg("--config")
        .arg(dir.path().join("missing.toml"))
        .arg("--log-file")
        .arg(dir.path().join("warroom.log"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .expect("run warroom");
    assert_eq!(status.code(), Some(2), "{status:?}");
}

/// A half-typed note survives whatever ends warroom: SIGTERM, SIGHUP,
/// SIGINT, and the SSH session dropping (the pty's master closed). Each
/// next start offers the words back in the editor, where typing goes on.
#[test]
fn a_half_typed_note_survives_signals_and_a_dropped_session() {
    use warroom::incident::{Declaration, Journal};
    let dir = tempfile::tempdir().expect("tempdir");
    let incidents = dir.path().join("incidents");
    let decl = Declaration {
        title: "db down".into(),
        severity: "critical".into(),
        commander: "alice".into(),
        at: chrono::Utc::now(),
        author: "alice".into(),
    };
    let journal = Journal::create(&incidents, &decl).expect("an open incident");
    let draft_file = journal.path().parent().expect("incident dir").join("draft-alice.txt");
    drop(journal);

    // No spaces: ratatui skips blank cells, so words are only found whole.
    let mut typed = String::from("!cause:the-pool");
    let mut pty = Pty::spawn(warroom(dir.path()));
    pty.wait_for("the board", 20, b"help");
    pty.send(b"n");
    pty.wait_for("the editor", 10, b"!decision");
    pty.send(typed.as_bytes());
    // Kept a second after it changed: the keys were read.
    wait_file(&draft_file, &format!("new\n{typed}"));
    for (signal, more) in [(libc::SIGTERM, "-was"), (libc::SIGHUP, "-too"), (libc::SIGINT, "-small")] {
        // SAFETY: a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pty.child.id() as libc::pid_t, signal) }, 0);
        let status = pty.wait_exit(20);
        assert!(status.success(), "signal {signal}: {status:?}");
        let kept = std::fs::read_to_string(&draft_file).expect("the draft is kept");
        assert_eq!(kept, format!("new\n{typed}"), "after signal {signal}");

        pty = Pty::spawn(warroom(dir.path()));
        pty.wait_for("the draft offered back", 20, b"unsaved");
        pty.wait_for("its words", 10, typed.as_bytes());
        pty.send(more.as_bytes());
        typed.push_str(more);
        wait_file(&draft_file, &format!("new\n{typed}"));
    }
    // The SSH session drops: no signal reaches warroom (`sh` leads the
    // session here and ignores the hangup), the terminal just goes away.
    drop(pty);
    let mut cmd = Command::new("sh");
    let inner = warroom(dir.path());
    let args: Vec<String> =
        inner.get_args().map(|a| format!("'{}'", a.to_string_lossy().replace('\'', "'\\''"))).collect();
    cmd.arg("-c")
        .arg(format!("trap '' HUP; '{}' {}", env!("CARGO_BIN_EXE_warroom"), args.join(" ")))
        .envs(inner.get_envs().filter_map(|(k, v)| v.map(|v| (k.to_owned(), v.to_owned()))));
    let mut pty = Pty::spawn(cmd);
    pty.wait_for("the draft offered back", 20, b"unsaved");
    pty.send(b"-indeed");
    typed.push_str("-indeed");
    wait_file(&draft_file, &format!("new\n{typed}"));
    pty.close_master();
    assert!(pty.wait_exit(30).success());
    assert_eq!(std::fs::read_to_string(&draft_file).expect("kept"), format!("new\n{typed}"));
}

/// `warroom demo --incident-dir DIR`: the drill's incident goes to DIR
/// (the flag was accepted and ignored).
#[test]
fn demo_keeps_its_incidents_in_the_incident_dir_given() {
    let dir = tempfile::tempdir().expect("tempdir");
    let incidents = dir.path().join("drill-here");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warroom"));
    cmd.args(["demo", "--speed", "30", "--incident-dir"])
        .arg(&incidents)
        .arg("--log-file")
        .arg(dir.path().join("warroom.log"))
        .env("TERM", "xterm-256color")
        .env("USER", "alice")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_STATE_HOME", dir.path().join("state"));
    let mut pty = Pty::spawn(cmd);
    pty.wait_for("the drill", 30, b"DRILL");
    pty.send(b"i");
    pty.wait_for("the declaration form", 10, b"Ctrl-S");
    pty.send(b"\x13");
    let deadline = Instant::now() + Duration::from_secs(20);
    let journal = loop {
        let found = std::fs::read_dir(&incidents)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path().join("journal.jsonl"))
            // Created first, its declaration written (and fsync'd) next.
            .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("\"declared\"")));
        if let Some(j) = found {
            break j;
        }
        assert!(Instant::now() < deadline, "no journal in {}", incidents.display());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(journal.starts_with(&incidents));
    assert!(!dir.path().join("data/warroom/drill-incidents").exists(), "not in the default drill dir");
    pty.send(b"q");
    assert!(pty.wait_exit(20).success());
}
