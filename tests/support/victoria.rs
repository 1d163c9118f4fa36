//! VictoriaMetrics, a second implementation of the Prometheus API, on
//! loopback: single-node `victoria-metrics` scraping the given targets, and
//! `vmalert` evaluating the rule file against it (queries, remote write of
//! the alert states and remote read back on restart), notifying the given
//! Alertmanager. `-vmalert.proxyURL` makes VictoriaMetrics serve
//! `/api/v1/rules` and `/api/v1/alerts` from vmalert, so one URL is the whole
//! Prometheus API, as a user configures it. Binaries from
//! `$WARROOM_TEST_VICTORIAMETRICS` and `$WARROOM_TEST_VMALERT` (default:
//! bookworm's `victoria-metrics` package, 1.79).

use std::net::SocketAddr;
use std::path::Path;

use tempfile::TempDir;

use super::process::{ServerProcess, StartError};
use super::servers::{VICTORIA_METRICS, VMALERT, VMAUTH};
use super::{assert_loopback, dead_target, default_rules, free_port};

const ATTEMPTS: usize = 3;

/// What the stack runs.
pub struct VmConfig {
    /// The Alertmanager base URL vmalert notifies (`None`: a dead loopback
    /// port, since vmalert needs one).
    pub alertmanager: Option<String>,
    /// A complete rule file (YAML with `groups:`), e.g. [`default_rules`].
    pub rules: String,
    /// `127.0.0.1:PORT` addresses scraped every second under `job="test"`.
    pub scrape_targets: Vec<String>,
}

impl Default for VmConfig {
    fn default() -> Self {
        VmConfig { alertmanager: None, rules: default_rules(), scrape_targets: Vec::new() }
    }
}

impl VmConfig {
    /// Every default alert fires: default rules, alerts to `alertmanager`,
    /// a scrape target with nothing listening (so `TargetDown` fires).
    pub fn defaults(alertmanager: &str) -> Self {
        VmConfig {
            alertmanager: Some(alertmanager.to_string()),
            scrape_targets: vec![dead_target()],
            ..VmConfig::default()
        }
    }

    fn scrape_yaml(&self, own: SocketAddr) -> String {
        let mut yaml = String::from("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
        yaml.push_str(&format!("  - job_name: victoria-metrics\n    static_configs:\n      - targets: ['{own}']\n"));
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

/// The running pair; dropping it kills both (vmalert first).
pub struct VictoriaMetrics {
    /// The Prometheus API base URL (VictoriaMetrics, with vmalert's rules
    /// and alerts proxied), e.g. `http://127.0.0.1:41234`.
    pub url: String,
    /// vmalert's own base URL.
    pub vmalert_url: String,
    vmalert: ServerProcess,
    vm: ServerProcess,
    // Dropped after the processes, whose Drop kills them first.
    dir: TempDir,
}

impl VictoriaMetrics {
    pub fn start(cfg: VmConfig) -> Self {
        let dir =
            tempfile::Builder::new().prefix("warroom-vm-").tempdir().expect("create a temp dir for VictoriaMetrics");
        std::fs::write(dir.path().join("rules.yml"), &cfg.rules).expect("write rules.yml");
        let notifier = match &cfg.alertmanager {
            Some(am) => {
                let url = url::Url::parse(am).unwrap_or_else(|e| panic!("bad Alertmanager URL {am:?}: {e}"));
                assert_loopback(&format!("{}:{}", url.host_str().unwrap_or_default(), url.port().unwrap_or(80)));
                am.trim_end_matches('/').to_string()
            }
            None => format!("http://{}", dead_target()),
        };
        for _ in 0..ATTEMPTS {
            let vm_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let alert_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let scrape = dir.path().join("scrape.yml");
            std::fs::write(&scrape, cfg.scrape_yaml(vm_addr)).expect("write scrape.yml");
            let vm_log = dir.path().join("victoria-metrics.log");
            let vm = match ServerProcess::start(
                "victoria-metrics",
                VICTORIA_METRICS.path(),
                vm_flags(dir.path(), &scrape, vm_addr, alert_addr),
                vm_addr,
                &vm_log,
            ) {
                Ok(vm) => vm,
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("VictoriaMetrics did not start: {why}"),
            };
            let vm_url = format!("http://{vm_addr}");
            let args = vmalert_flags(dir.path(), &vm_url, &notifier, alert_addr);
            match ServerProcess::start("vmalert", VMALERT.path(), args, alert_addr, &dir.path().join("vmalert.log")) {
                Ok(vmalert) => {
                    return VictoriaMetrics {
                        url: vm_url,
                        vmalert_url: format!("http://{alert_addr}"),
                        vmalert,
                        vm,
                        dir,
                    };
                }
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("vmalert did not start: {why}"),
            }
        }
        panic!("VictoriaMetrics did not start: ports kept being taken ({ATTEMPTS} attempts)");
    }

    /// VictoriaMetrics' listen address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> SocketAddr {
        self.vm.addr()
    }

    /// Where VictoriaMetrics' and vmalert's output goes.
    pub fn log_dir(&self) -> &Path {
        self.dir.path()
    }
}

fn vm_flags(dir: &Path, scrape: &Path, addr: SocketAddr, vmalert: SocketAddr) -> Vec<String> {
    vec![
        format!("-httpListenAddr={addr}"),
        format!("-storageDataPath={}", dir.join("vm-data").display()),
        format!("-promscrape.config={}", scrape.display()),
        format!("-vmalert.proxyURL=http://{vmalert}"),
        // By default the newest 30 s are hidden from queries (samples may
        // still be arriving) and range answers are cached: a test that
        // watches a value change wants neither.
        "-search.latencyOffset=1s".to_string(),
        "-search.disableCache".to_string(),
        "-retentionPeriod=1d".to_string(),
    ]
}

fn vmalert_flags(dir: &Path, vm: &str, notifier: &str, addr: SocketAddr) -> Vec<String> {
    let mut flags = vec![
        format!("-httpListenAddr={addr}"),
        format!("-rule={}", dir.join("rules.yml").display()),
        format!("-datasource.url={vm}"),
        format!("-remoteWrite.url={vm}"),
        format!("-remoteRead.url={vm}"),
        format!("-notifier.url={notifier}"),
        "-evaluationInterval=1s".to_string(),
        "-remoteWrite.flushInterval=1s".to_string(),
    ];
    // Newer vmalert evaluates rules as of `-rule.evalDelay` ago (30 s),
    // to match VictoriaMetrics' default latency offset; ours is 1 s above.
    // 1.79 has no such flag (and no such delay).
    if has_eval_delay() {
        flags.push("-rule.evalDelay=1s".to_string());
    }
    flags
}

/// Whether this vmalert knows `-rule.evalDelay` (its `-help` says so).
fn has_eval_delay() -> bool {
    static KNOWN: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *KNOWN.get_or_init(|| {
        let out = VMALERT.command().arg("-help").output();
        out.is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout).contains("rule.evalDelay")
                || String::from_utf8_lossy(&o.stderr).contains("rule.evalDelay")
        })
    })
}

/// vmauth, VictoriaMetrics' authenticating proxy, in front of a backend: it
/// lets in `Authorization: Bearer TOKEN` and basic auth `USER:PASSWORD`,
/// and refuses anything else (401, or 1.79's 400 quoting what it got).
/// Binary from `$WARROOM_TEST_VMAUTH` (default: bookworm's `vmauth`).
pub struct Vmauth {
    /// The proxy's base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    process: ServerProcess,
    // Dropped after `process`, whose Drop kills the server first.
    dir: TempDir,
}

impl Vmauth {
    pub fn start(backend: &str, token: &str, user: &str, password: &str) -> Self {
        let backend_url = url::Url::parse(backend).unwrap_or_else(|e| panic!("bad backend URL {backend:?}: {e}"));
        assert_loopback(&format!(
            "{}:{}",
            backend_url.host_str().unwrap_or_default(),
            backend_url.port().unwrap_or(80)
        ));
        let dir = tempfile::Builder::new().prefix("warroom-vmauth-").tempdir().expect("create a temp dir for vmauth");
        let config = dir.path().join("auth.yml");
        let prefix = backend.trim_end_matches('/');
        let quoted = |s: &str| serde_json::to_string(s).expect("a JSON string is a YAML string");
        let yaml = format!(
            "users:\n  - bearer_token: {}\n    url_prefix: {}\n  - username: {}\n    password: {}\n    url_prefix: {}\n",
            quoted(token),
            quoted(prefix),
            quoted(user),
            quoted(password),
            quoted(prefix)
        );
        std::fs::write(&config, yaml).expect("write auth.yml");
        let log = dir.path().join("vmauth.log");
        for _ in 0..ATTEMPTS {
            let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
            let args = vec![format!("-httpListenAddr={addr}"), format!("-auth.config={}", config.display())];
            // `/-/ready` is answered without credentials.
            match ServerProcess::start("vmauth", VMAUTH.path(), args, addr, &log) {
                Ok(process) => return Vmauth { url: format!("http://{addr}"), process, dir },
                Err(StartError::PortTaken) => continue,
                Err(StartError::Failed(why)) => panic!("vmauth did not start: {why}"),
            }
        }
        panic!("vmauth did not start: ports kept being taken ({ATTEMPTS} attempts)");
    }
}
