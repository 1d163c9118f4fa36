//! A real Alertmanager on loopback (`prometheus-alertmanager`, or
//! `$WARROOM_TEST_ALERTMANAGER`: bookworm's 0.25 or unstable's 0.28+).

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;

use tempfile::TempDir;

use super::free_port;
use super::process::{ServerProcess, StartError};
use super::servers::ALERTMANAGER;

/// The fixture config: fast grouping, a receiver that notifies nobody, and an
/// inhibit rule (critical hides warning of the same `service`).
const DEFAULT_CONFIG: &str = include_str!("../fixtures/real/alertmanager.yml");
/// Attempts at picking a free port before giving up (another process may
/// grab the port between `free_port()` and the server's bind).
const ATTEMPTS: usize = 3;

/// A spawned Alertmanager with its own temporary storage and config.
/// Dropping it kills the process, even while a failing test unwinds.
pub struct Alertmanager {
    /// Base URL of the HTTP API, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    cluster: Option<SocketAddr>,
    process: ServerProcess,
    // Dropped after `process`, whose Drop kills the server first.
    dir: TempDir,
}

impl Alertmanager {
    /// A standalone Alertmanager (clustering off) with the fixture config.
    pub fn start() -> Self {
        Self::launch(DEFAULT_CONFIG, None)
    }

    /// A standalone Alertmanager with the given configuration YAML.
    pub fn start_with_config(config_yaml: &str) -> Self {
        Self::launch(config_yaml, None)
    }

    /// A member of an HA cluster gossiping on loopback. The first member gets
    /// `None`; the others get the first one's [`Alertmanager::cluster_addr`].
    /// Gossip intervals are shortened so silences replicate in well under a second.
    pub fn start_cluster_member(peer: Option<&str>) -> Self {
        if let Some(peer) = peer {
            super::assert_loopback(peer);
        }
        Self::launch(DEFAULT_CONFIG, Some(peer.unwrap_or("")))
    }

    /// `127.0.0.1:PORT` of the gossip listener (TCP and UDP), to pass as the
    /// peer of another member. Panics for a standalone Alertmanager.
    pub fn cluster_addr(&self) -> String {
        self.cluster.expect("cluster_addr() on an Alertmanager started without clustering").to_string()
    }

    /// The HTTP listen address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    /// Where the server's stdout and stderr go (appended across restarts).
    pub fn log_path(&self) -> std::path::PathBuf {
        self.dir.path().join("alertmanager.log")
    }

    /// Graceful stop (SIGTERM): silences and the notification log are saved.
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts again on the same ports with the same storage (silences kept).
    pub fn restart(&mut self) {
        self.process.restart();
    }

    pub fn is_running(&self) -> bool {
        self.process.is_running()
    }

    /// `peer`: `None` for a standalone server, `Some("")` for the first
    /// cluster member, `Some(addr)` to join an existing cluster.
    fn launch(config_yaml: &str, peer: Option<&str>) -> Self {
        let dir = tempfile::Builder::new().prefix("warroom-am-").tempdir().expect("create a temp dir for Alertmanager");
        let config = dir.path().join("alertmanager.yml");
        std::fs::write(&config, config_yaml).expect("write the Alertmanager config");
        let log = dir.path().join("alertmanager.log");
        for _ in 0..ATTEMPTS {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let cluster = peer.map(|_| free_cluster_addr());
            let args = flags(dir.path(), &config, addr, cluster, peer);
            match ServerProcess::start("alertmanager", ALERTMANAGER.path(), args, addr, &log) {
                Ok(process) => {
                    return Alertmanager { url: format!("http://{addr}"), cluster, process, dir };
                }
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("Alertmanager did not start: {why}"),
            }
        }
        panic!("Alertmanager did not start: ports kept being taken ({ATTEMPTS} attempts)");
    }
}

fn flags(dir: &Path, config: &Path, addr: SocketAddr, cluster: Option<SocketAddr>, peer: Option<&str>) -> Vec<String> {
    let mut args = vec![
        format!("--config.file={}", config.display()),
        format!("--storage.path={}", dir.join("data").display()),
        format!("--web.listen-address={addr}"),
        "--log.level=info".to_string(),
    ];
    match cluster {
        // An empty listen address disables clustering (no gossip port at all).
        None => args.push("--cluster.listen-address=".to_string()),
        Some(cluster) => {
            args.push(format!("--cluster.listen-address={cluster}"));
            args.push(format!("--cluster.advertise-address={cluster}"));
            if let Some(peer) = peer.filter(|p| !p.is_empty()) {
                args.push(format!("--cluster.peer={peer}"));
            }
            // Defaults are tuned for WANs (200ms gossip, 1m push-pull, 10s
            // reconnect); loopback tests want convergence in milliseconds.
            args.extend(
                [
                    "--cluster.gossip-interval=50ms",
                    "--cluster.pushpull-interval=1s",
                    "--cluster.probe-interval=200ms",
                    "--cluster.reconnect-interval=1s",
                    "--cluster.settle-timeout=5s",
                ]
                .map(String::from),
            );
        }
    }
    args
}

/// Memberlist gossips over UDP and TCP on the same port: find one free for both.
fn free_cluster_addr() -> SocketAddr {
    for _ in 0..20 {
        let port = free_port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return SocketAddr::from(([127, 0, 0, 1], port));
        }
    }
    panic!("no port free for both TCP and UDP on 127.0.0.1");
}
