//! A real Prometheus on loopback (`prometheus`, or `$WARROOM_TEST_PROMETHEUS`:
//! bookworm's 2.42 or unstable's 3.x), evaluating real rule files and
//! sending alerts to the given Alertmanagers.
//!
//! Expect about 5–7 s from start to the first alert in Alertmanager: 2.42's
//! notifier learns its Alertmanagers through service discovery, which pushes
//! updates at most every 5 s, static configs included; no flag shortens it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::process::{ServerProcess, StartError};
use super::servers::PROMETHEUS;
use super::{assert_loopback, default_rules, free_port};

const ATTEMPTS: usize = 3;

/// What the generated `prometheus.yml` contains.
pub struct PromConfig {
    /// Alertmanager base URLs (`http://127.0.0.1:PORT[/prefix]`).
    pub alertmanagers: Vec<String>,
    /// A complete rule file (YAML with `groups:`), e.g. [`default_rules`].
    pub rules: String,
    /// `127.0.0.1:PORT` addresses scraped under `job="test"` (Prometheus
    /// itself is always scraped under `job="prometheus"`).
    pub scrape_targets: Vec<String>,
    /// Global `evaluation_interval` (the scrape interval is always 1s).
    pub eval_interval: &'static str,
    /// More command-line flags (`--query.max-samples=5`).
    pub flags: Vec<String>,
}

impl Default for PromConfig {
    /// The default rules, no Alertmanager, no extra target, 1 s evaluation.
    fn default() -> Self {
        PromConfig {
            alertmanagers: Vec::new(),
            rules: default_rules(),
            scrape_targets: Vec::new(),
            eval_interval: "1s",
            flags: Vec::new(),
        }
    }
}

impl PromConfig {
    /// The configuration that makes every default alert fire: the default
    /// rules, alerts sent to `alertmanager`, and one scrape target with
    /// nothing listening (so `TargetDown` fires).
    pub fn defaults(alertmanager: &str) -> Self {
        PromConfig {
            alertmanagers: vec![alertmanager.to_string()],
            scrape_targets: vec![super::dead_target()],
            ..PromConfig::default()
        }
    }

    /// `own` is the server's listen address, for the self-scrape job.
    fn to_yaml(&self, own: SocketAddr) -> String {
        let mut yaml = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: {}\n\
             rule_files: [rules.yml]\n",
            self.eval_interval
        );
        if !self.alertmanagers.is_empty() {
            yaml.push_str("alerting:\n  alertmanagers:\n");
            for am in &self.alertmanagers {
                yaml.push_str(&alertmanager_yaml(am));
            }
        }
        yaml.push_str("scrape_configs:\n  - job_name: prometheus\n    static_configs:\n");
        yaml.push_str(&format!("      - targets: ['{own}']\n"));
        if !self.scrape_targets.is_empty() {
            yaml.push_str("  - job_name: test\n    static_configs:\n      - targets:\n");
            for target in &self.scrape_targets {
                assert_loopback(target);
                yaml.push_str(&format!("          - '{target}'\n"));
            }
        }
        yaml
    }
}

/// One `alertmanagers:` entry; a URL path becomes `path_prefix`.
fn alertmanager_yaml(am: &str) -> String {
    let url = url::Url::parse(am).unwrap_or_else(|e| panic!("bad Alertmanager URL {am:?}: {e}"));
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(9093);
    assert_loopback(&format!("{host}:{port}"));
    let prefix = url.path().trim_end_matches('/');
    format!(
        "    - scheme: {}\n      timeout: 2s\n      path_prefix: '{}'\n      \
         static_configs:\n        - targets: ['{host}:{port}']\n",
        url.scheme(),
        if prefix.is_empty() { "/" } else { prefix }
    )
}

/// A spawned Prometheus with its own temporary TSDB and config. Dropping it
/// kills the process, even while a failing test unwinds.
pub struct Prometheus {
    /// Base URL of the HTTP API, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    process: ServerProcess,
    // Dropped after `process`, whose Drop kills the server first.
    dir: TempDir,
}

impl Prometheus {
    pub fn start(cfg: PromConfig) -> Self {
        let dir = tempfile::Builder::new().prefix("warroom-prom-").tempdir().expect("create a temp dir for Prometheus");
        std::fs::write(dir.path().join("rules.yml"), &cfg.rules).expect("write rules.yml");
        let config = dir.path().join("prometheus.yml");
        let log = dir.path().join("prometheus.log");
        for _ in 0..ATTEMPTS {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            std::fs::write(&config, cfg.to_yaml(addr)).expect("write prometheus.yml");
            let mut args = flags(dir.path(), &config, addr);
            args.extend(cfg.flags.iter().cloned());
            match ServerProcess::start("prometheus", PROMETHEUS.path(), args, addr, &log) {
                Ok(process) => {
                    return Prometheus { url: format!("http://{addr}"), process, dir };
                }
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("Prometheus did not start: {why}"),
            }
        }
        panic!("Prometheus did not start: ports kept being taken ({ATTEMPTS} attempts)");
    }

    /// The HTTP listen address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.process.addr()
    }

    /// Where the server's stdout and stderr go (appended across restarts).
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("prometheus.log")
    }

    /// Graceful stop (SIGTERM); returns once the process has exited, so the
    /// port is closed.
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts again on the same port with the same TSDB directory; returns
    /// once `/-/ready` answers 200 (the WAL has been replayed).
    pub fn restart(&mut self) {
        self.process.restart();
    }

    pub fn is_running(&self) -> bool {
        self.process.is_running()
    }
}

fn flags(dir: &Path, config: &Path, addr: SocketAddr) -> Vec<String> {
    vec![
        format!("--config.file={}", config.display()),
        format!("--storage.tsdb.path={}", dir.join("data").display()),
        format!("--web.listen-address={addr}"),
        // Resend firing alerts at every evaluation (default: every minute) so
        // Alertmanager sees them right after its address is discovered. Not
        // `1s`: the check is strict (last sent + delay < now), so with a 1 s
        // evaluation interval a 1 s delay resends only every 2 s.
        "--rules.alert.resend-delay=500ms".to_string(),
        "--web.enable-lifecycle".to_string(),
        "--log.level=info".to_string(),
    ]
}
