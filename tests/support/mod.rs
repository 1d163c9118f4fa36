//! Test harness shared by the integration tests (`mod support;`): real
//! Prometheus and Alertmanager from Debian's packages (bookworm's 2.42 and
//! 0.25 by default; [`servers`] picks other binaries from environment
//! variables, as `scripts/test.sh` does for unstable's 3.x and 0.28+), started on
//! loopback ports chosen free, with real rule files, and killed on drop even
//! when a test panics. Install them with `scripts/install-test-deps.sh`.
//! [`api`] has the JSON helpers to query them; [`Exporter`] is a scrape target
//! whose values the test sets.
//!
//! `Alertmanager::start` and `Prometheus::start` block until the server is
//! ready (a few hundred ms); call them from `#[tokio::test(flavor =
//! "multi_thread")]` tests when an [`Exporter`] must keep serving meanwhile.

// Each test binary compiles this module and uses a different part of it:
// what one binary leaves unused must not fail `clippy -D warnings`.
#![allow(dead_code, unused_imports)]

mod alertmanager;
pub mod api;
pub mod console;
mod exporter;
mod node_exporter;
mod process;
mod prometheus;
pub mod servers;
pub mod tmux;
mod victoria;

use std::future::Future;
use std::net::TcpListener;
use std::time::{Duration, Instant};

pub use alertmanager::Alertmanager;
pub use exporter::Exporter;
pub use node_exporter::NodeExporter;
pub use process::http_status;
pub use prometheus::{PromConfig, Prometheus};
pub use victoria::{VictoriaMetrics, VmConfig, Vmauth};

/// Alert names of [`default_rules`], with what each one does.
pub mod alerts {
    /// `vector(1)` for 2s, severity critical, service api; has `summary` and `runbook_url`.
    pub const ALWAYS_FIRING: &str = "AlwaysFiring";
    /// `up == 0` for 1s, severity warning: one per dead scrape target.
    pub const TARGET_DOWN: &str = "TargetDown";
    /// Fires at once, severity info.
    pub const INFO: &str = "InfoNotice";
    /// Severity warning, service api: inhibited by `AlwaysFiring` in Alertmanager.
    pub const INHIBITED: &str = "InhibitedAlert";
    /// `for: 1h`: stays pending in Prometheus, never reaches Alertmanager.
    pub const PENDING: &str = "Pending";
}

/// A port that was free on 127.0.0.1 a moment ago (bind port 0, read, drop).
/// The servers retry on another port if someone took it in between.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

/// `127.0.0.1:PORT` with nothing listening: a scrape target that is down.
pub fn dead_target() -> String {
    format!("127.0.0.1:{}", free_port())
}

/// The rule file of `tests/fixtures/real/rules.yml` (see [`alerts`]).
pub fn default_rules() -> String {
    include_str!("../fixtures/real/rules.yml").to_string()
}

/// Polls `f` every 100 ms until it returns `Some`, each call bounded by the
/// time left. Panics naming `what` when `timeout` runs out.
pub async fn wait_for<T, F, Fut>(what: &str, timeout: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if let Ok(Some(value)) = tokio::time::timeout(left, f()).await {
            return value;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The harness never talks to anything but loopback.
pub(crate) fn assert_loopback(host_port: &str) {
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    assert!(
        matches!(host, "127.0.0.1" | "localhost" | "[::1]"),
        "test servers must stay on loopback, got {host_port:?}"
    );
}
