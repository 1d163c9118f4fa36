//! One server child process: spawn, wait until `/-/ready` answers 200, stop
//! gracefully, restart on the same port, and always kill it on drop.
//!
//! Prometheus and Alertmanager share this lifecycle; they differ only in the
//! binary and the flags, which the caller builds from the chosen port.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a server may take to become ready. Generous because CI has two
/// cores and other test binaries may be busy on them.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a graceful stop (SIGTERM) may take before we SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// A spawned server with its log file. The caller owns the data directory.
pub struct ServerProcess {
    name: &'static str,
    program: String,
    args: Vec<String>,
    addr: SocketAddr,
    log: PathBuf,
    child: Option<Child>,
}

/// Why a start attempt failed; a port clash is worth retrying on another port.
pub enum StartError {
    PortTaken,
    Failed(String),
}

impl ServerProcess {
    /// Spawns `program args` with stdout and stderr appended to `log`, then
    /// waits until `http://addr/-/ready` answers 200.
    pub fn start(
        name: &'static str,
        program: String,
        args: Vec<String>,
        addr: SocketAddr,
        log: &Path,
    ) -> Result<Self, StartError> {
        let mut server = ServerProcess { name, program, args, addr, log: log.to_path_buf(), child: None };
        server.spawn_and_wait()?;
        Ok(server)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// SIGTERM, then wait (SIGKILL after [`STOP_TIMEOUT`]). Lets the server
    /// flush its state (Alertmanager snapshots silences only on shutdown).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            terminate(&mut child, STOP_TIMEOUT);
        }
    }

    /// Stops if running, then starts again with the same flags (same port,
    /// same data directory). Panics with the log tail if it does not come back.
    pub fn restart(&mut self) {
        self.stop();
        if let Err(e) = self.spawn_and_wait() {
            let why = match e {
                StartError::PortTaken => "its port was taken meanwhile".to_string(),
                StartError::Failed(why) => why,
            };
            panic!("{} did not restart: {why}", self.name);
        }
    }

    fn spawn_and_wait(&mut self) -> Result<(), StartError> {
        let mut log = OpenOptions::new().create(true).append(true).open(&self.log).expect("open the server log file");
        let _ = writeln!(log, "---- harness: starting {} {:?}", self.program, self.args);
        let err_log = log.try_clone().expect("clone the log file handle");
        let child = Command::new(&self.program)
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err_log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {} ({e}); run scripts/install-test-deps.sh", self.program));
        self.child = Some(child);
        let outcome = self.wait_ready();
        if outcome.is_err() {
            self.stop();
        }
        outcome
    }

    fn wait_ready(&mut self) -> Result<(), StartError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        loop {
            if http_status(self.addr, "/-/ready") == Some(200) {
                return Ok(());
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                self.child = None;
                let tail = log_tail(&self.log);
                if tail.contains("address already in use") {
                    return Err(StartError::PortTaken);
                }
                return Err(StartError::Failed(format!("{} exited with {status}; log tail:\n{tail}", self.name)));
            }
            if Instant::now() >= deadline {
                return Err(StartError::Failed(format!(
                    "{} not ready on {} after {READY_TIMEOUT:?}; log tail:\n{}",
                    self.name,
                    self.addr,
                    log_tail(&self.log)
                )));
            }
            sleep(POLL);
        }
    }
}

impl Drop for ServerProcess {
    /// Tests throw the data away, so no graceful shutdown: kill and reap.
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sends SIGTERM and waits up to `timeout`, then SIGKILLs. Always reaps.
fn terminate(child: &mut Child, timeout: Duration) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits in pid_t");
    // SAFETY: kill(2) on our own child's pid, which is not reaped yet (we hold
    // the Child), so the pid cannot have been reused by another process.
    let sent = unsafe { libc::kill(pid, libc::SIGTERM) } == 0;
    let deadline = Instant::now() + timeout;
    while sent && Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        sleep(POLL);
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The status code of a plain `GET path` on `addr`, or `None` if the server
/// does not answer. Blocking std I/O so that `start()` needs no runtime.
pub fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let timeout = Duration::from_millis(500);
    let mut stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    // "HTTP/1.1 200"
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// The error lines and the last lines of a log file, for panic messages.
/// Errors first: a server that fails logs its cause, then a page of shutdown.
pub fn log_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let errors: Vec<&str> =
        lines.iter().copied().filter(|l| l.contains("level=error") || l.contains("level=fatal")).collect();
    let errors = &errors[errors.len().saturating_sub(10)..];
    let tail = &lines[lines.len().saturating_sub(20)..];
    format!("errors in {}:\n{}\nlast lines:\n{}", path.display(), errors.join("\n"), tail.join("\n"))
}
