//! The drill simulator behind `warroom demo` and `warroom drill serve`.
//!
//! One axum listener on 127.0.0.1 serves the Prometheus (`/api/v1/*`),
//! Alertmanager (`/api/v2/*`) and Loki (`/loki/api/v1/*`) HTTP APIs while a
//! scripted incident plays: the console talks to it with its ordinary
//! clients, so a drill exercises exactly the code paths of a real incident.
//!
//! Scenarios are data (TOML in `assets/drills/`, documented in
//! `assets/drills/README.md`), not Rust. The simulator samples every series on
//! a regular grid into bounded rings ([`series`]), evaluates alert rules with
//! its own PromQL evaluator ([`promql`]) through a Prometheus-like state machine
//! ([`rules`]), forwards firing alerts to an Alertmanager-like store with real
//! silences ([`silences`]), and generates log lines ([`logs`]) queried through
//! a LogQL subset ([`logql`]). Its Loki also accepts pushes
//! ([`loki_push`]), validated as Loki validates them and kept per tenant
//! ([`loki_tenant`], [`loki_store`]), so a shared war room can run on it.

mod am_api;
mod am_matchers;
mod am_silence_api;
mod clock;
mod curve;
mod inhibit;
mod logql;
mod logql_pipeline;
mod logs;
mod loki_api;
mod loki_eval;
mod loki_levels;
mod loki_push;
mod loki_store;
mod loki_tail;
mod loki_tenant;
mod loki_text;
mod loki_validate;
mod params;
mod prom_api;
mod prom_format;
mod prom_meta;
mod promql;
mod promql_binary;
mod promql_funcs;
mod rules;
mod scenario;
mod series;
mod server;
mod silences;
mod sim;
mod spec;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use scenario::Scenario;
pub use server::DrillServer;

/// What `warroom drill list` shows about a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioInfo {
    pub name: String,
    pub title: String,
    pub description: String,
    /// Length of one play-through at speed 1.
    pub duration: Duration,
}

/// Where a scenario comes from: one of the embedded files or a path given by
/// the user (a team's own drill).
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioSource {
    Builtin(String),
    File(PathBuf),
}

/// How to run the simulator.
#[derive(Debug, Clone)]
pub struct DrillOptions {
    /// Scenario seconds per wall-clock second (10.0 plays ten times faster).
    pub speed: f64,
    /// Where to listen; `127.0.0.1:0` picks an ephemeral port.
    pub listen: SocketAddr,
    /// Restart from the beginning when the scenario ends instead of holding
    /// the final state.
    pub loop_forever: bool,
    /// How the simulated Loki takes pushes.
    pub loki: LokiOptions,
}

impl Default for DrillOptions {
    fn default() -> Self {
        DrillOptions {
            speed: 1.0,
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            loop_forever: false,
            loki: LokiOptions::default(),
        }
    }
}

/// The simulated Loki's tenancy and ingestion limits. The defaults are
/// Loki 3's, except for the byte cap, which Loki has not (it keeps what its
/// storage holds).
#[derive(Debug, Clone, PartialEq)]
pub struct LokiOptions {
    /// Loki's `auth_enabled: true`: every request needs `X-Scope-OrgID`
    /// (401 `no org id` without it) and pushes are kept per tenant. Off, every
    /// request is tenant `fake`, as with `auth_enabled: false`.
    pub multi_tenant: bool,
    /// `ingestion_rate_mb` (4 MiB/s), in bytes per second per tenant.
    pub ingestion_rate_bytes: f64,
    /// `ingestion_burst_size_mb` (6 MiB), in bytes; a push larger than this
    /// is always refused with a 429.
    pub ingestion_burst_bytes: f64,
    /// Bytes of pushed lines and metadata kept per tenant: beyond it the
    /// oldest entries are dropped.
    pub max_bytes_per_tenant: usize,
    /// `allow_structured_metadata` (on since Loki 3).
    pub allow_structured_metadata: bool,
    /// `discover_service_name` (on by default in Loki 3): a stream without
    /// `service_name` gets one, from its `service`, `app`, `job`… label or
    /// `unknown_service`, so even a stream pushed without labels is taken.
    /// Off, such a push gets "at least one label pair is required".
    pub discover_service_name: bool,
    /// `reject_old_samples_max_age` (7 days); `None` is
    /// `reject_old_samples: false` (what a test posting dated examples wants).
    pub reject_old_samples_max_age: Option<Duration>,
}

impl Default for LokiOptions {
    fn default() -> Self {
        LokiOptions {
            multi_tenant: false,
            ingestion_rate_bytes: 4.0 * 1024.0 * 1024.0,
            ingestion_burst_bytes: 6.0 * 1024.0 * 1024.0,
            max_bytes_per_tenant: 64 * 1024 * 1024,
            allow_structured_metadata: true,
            discover_service_name: true,
            reject_old_samples_max_age: Some(Duration::from_secs(7 * 24 * 3600)),
        }
    }
}

/// Everything that can go wrong loading a scenario or starting the server.
#[derive(thiserror::Error, Debug)]
pub enum DrillError {
    #[error("unknown built-in scenario {name:?} (available: {available})")]
    UnknownScenario { name: String, available: String },
    #[error("cannot read scenario file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid scenario {origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("invalid drill options: {0}")]
    Options(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// The embedded scenarios, in the order `drill list` shows them.
pub(crate) const BUILTIN: &[(&str, &str)] = &[
    ("db-down", include_str!("../../assets/drills/db-down.toml")),
    ("circuit-breaker", include_str!("../../assets/drills/circuit-breaker.toml")),
    ("upload-stuck", include_str!("../../assets/drills/upload-stuck.toml")),
];

/// The embedded scenarios. A scenario that fails to parse is skipped here
/// (a unit test guarantees none does).
pub fn list_scenarios() -> Vec<ScenarioInfo> {
    BUILTIN
        .iter()
        .filter_map(|(name, _)| Scenario::load(&ScenarioSource::Builtin((*name).to_string())).ok())
        .map(|s| s.info())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_loads() {
        for (name, _) in BUILTIN {
            let s = Scenario::load(&ScenarioSource::Builtin((*name).to_string()));
            assert!(s.is_ok(), "{name}: {:?}", s.err());
        }
        let names: Vec<String> = list_scenarios().into_iter().map(|i| i.name).collect();
        assert_eq!(names, vec!["db-down", "circuit-breaker", "upload-stuck"]);
    }

    #[test]
    fn unknown_builtin_names_the_available_ones() {
        let err = Scenario::load(&ScenarioSource::Builtin("nope".into())).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("nope") && msg.contains("db-down"), "{msg}");
    }
}
