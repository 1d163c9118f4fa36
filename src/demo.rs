//! `warroom demo` and `warroom drill`: the embedded simulator, alone or with
//! the ordinary console pointed at it through the ordinary HTTP clients.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::Config;
use crate::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource, list_scenarios};
use crate::sources::Endpoint;

/// The runbooks the drills link to, embedded so that `warroom demo` works
/// from any directory and from an installed binary.
pub const RUNBOOKS: &[(&str, &str)] = &[
    ("README.md", include_str!("../runbooks/README.md")),
    ("api-down.md", include_str!("../runbooks/api-down.md")),
    ("circuit-breaker-open.md", include_str!("../runbooks/circuit-breaker-open.md")),
    ("database-down.md", include_str!("../runbooks/database-down.md")),
    ("db-pool-exhausted.md", include_str!("../runbooks/db-pool-exhausted.md")),
    ("disk-space-running-out.md", include_str!("../runbooks/disk-space-running-out.md")),
    ("high-error-rate.md", include_str!("../runbooks/high-error-rate.md")),
    ("high-latency.md", include_str!("../runbooks/high-latency.md")),
    ("readiness-failed.md", include_str!("../runbooks/readiness-failed.md")),
    ("upload-stuck.md", include_str!("../runbooks/upload-stuck.md")),
];

/// Which scenario: a file given with `--scenario`, else a built-in by name.
pub fn source(name: Option<&str>, file: Option<&Path>) -> ScenarioSource {
    match (file, name) {
        (Some(f), _) => ScenarioSource::File(f.to_path_buf()),
        (None, Some(n)) if n.ends_with(".toml") => ScenarioSource::File(PathBuf::from(n)),
        (None, n) => ScenarioSource::Builtin(n.unwrap_or("db-down").to_string()),
    }
}

/// `warroom drill list`
pub fn list() -> ExitCode {
    for s in list_scenarios() {
        let mins = s.duration.as_secs() / 60;
        println!("{:<18} {:>3} min  {}", s.name, mins, s.title);
        println!("{:<18}          {}", "", s.description);
    }
    ExitCode::SUCCESS
}

/// `warroom drill serve`: the simulator alone, until Ctrl-C or SIGTERM.
pub async fn serve(
    src: ScenarioSource,
    speed: f64,
    listen: SocketAddr,
    loop_forever: bool,
) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&src)?;
    let info = scenario.info();
    let server =
        DrillServer::start(scenario, DrillOptions { speed, listen, loop_forever, ..DrillOptions::default() }).await?;
    let url = server.base_url();
    println!("drill {} ({}) at speed {speed}", info.name, info.title);
    println!("  Prometheus:   {url}   (curl '{url}/api/v1/query?query=up')");
    println!("  Alertmanager: {url}   (amtool --alertmanager.url={url} alert query)");
    println!("  Loki:         {url}   (logcli --addr={url} query '{{service=\"api\"}}')");
    println!("  console:      warroom --prometheus {url} --alertmanager {url} --loki {url}");
    println!("Ctrl-C stops it.");
    wait_for_signal().await?;
    server.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn wait_for_signal() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
        _ = hup.recv() => Ok(()),
    }
}

/// `warroom demo`: the simulator on an ephemeral port, and the console on it
/// with a DRILL banner. Incidents go to their own directory (`--incident-dir`
/// when given, else `<data>/drill-incidents`; never the configured one), so
/// a drill never mixes with real incidents.
pub async fn demo(
    src: ScenarioSource,
    speed: f64,
    mut cfg: Config,
    data_dir: &Path,
    incident_dir: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&src)?;
    let name = scenario.info().name;
    let listen: SocketAddr = ([127, 0, 0, 1], 0).into();
    let server =
        DrillServer::start(scenario, DrillOptions { speed, listen, loop_forever: true, ..DrillOptions::default() })
            .await?;
    let url = server.base_url();
    cfg.prometheus = vec![Endpoint { name: Some("drill-prom".into()), ..Endpoint::from_url(&url) }];
    cfg.alertmanager = vec![Endpoint { name: Some("drill-am".into()), ..Endpoint::from_url(&url) }];
    cfg.loki = vec![Endpoint { name: Some("drill-loki".into()), ..Endpoint::from_url(&url) }];
    cfg.incident_dir = Some(incident_dir.unwrap_or_else(|| data_dir.join("drill-incidents")));
    cfg.runbooks.dirs.push(extract(data_dir, "drill-runbooks", RUNBOOKS)?);
    // The drill's own dashboard beside any the user passed (`D`, `:dash drill`).
    cfg.dashboards.push(extract(data_dir, "drill-dashboards", DASHBOARDS)?);
    // The drill's room is shared, and a simulated teammate joins it.
    cfg.share = true;
    cfg.share_via = None;
    let teammate = crate::app::share::ShareSettings::from_config(&cfg)?.map(|s| tokio::spawn(teammate(s)));
    let opts = crate::app::Options { drill: Some(name), context: "drill".into(), config_dir: None, join: None };
    let result = crate::app::run(cfg, opts).await;
    if let Some(t) = teammate {
        t.abort();
    }
    server.shutdown().await;
    result.map(|()| ExitCode::SUCCESS)
}

/// Carol, the drill's simulated teammate on another machine: once an
/// incident is declared in the drill's Loki, she joins its shared room
/// (a `joined` record) and writes two notes, through the same stream and record format as a real
/// teammate's warroom (so what the console shows of her is what it would
/// show of anyone).
async fn teammate(settings: crate::app::share::ShareSettings) {
    use crate::incident::{Event, Record, recid, share};
    use std::collections::HashSet;
    const HOST: &str = "carol-laptop";
    const NOTES: [(u64, Option<&str>); 3] = [
        (3, None),
        (4, Some("carol here, from home: replica lag is 0, a failover is safe")),
        (12, Some("!decision carol: keep writes paused until the pool is back under 80%")),
    ];
    let started = chrono::Utc::now();
    let mut joined = HashSet::new();
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let Ok(found) = crate::app::share::discover(&settings).await else { continue };
        for inc in found.into_iter().filter(|i| i.started >= started && i.status != "resolved") {
            if !joined.insert(inc.id.clone()) {
                continue;
            }
            let client = settings.client.clone();
            tokio::spawn(async move {
                let mut waited = 0;
                for (after, text) in NOTES {
                    tokio::time::sleep(std::time::Duration::from_secs(after - waited)).await;
                    waited = after;
                    let now = chrono::Utc::now();
                    let event = match text {
                        Some(text) => Event::Note { id: String::new(), text: text.into() },
                        None => Event::Joined,
                    };
                    let rec = Record::new(now, "carol", event).with_id(recid::new_id(HOST), HOST);
                    let Ok(line) = share::encode(&rec) else { return };
                    let entry = crate::sources::loki::PushEntry {
                        ts_ns: crate::sources::loki::now_ns(),
                        line,
                        metadata: Default::default(),
                    };
                    let stream = crate::sources::loki::PushStream {
                        labels: share::stream_labels(&inc.id),
                        entries: vec![entry],
                    };
                    if let Err(e) = client.push(&[stream]).await {
                        tracing::warn!(error = %e, "drill teammate: note not pushed");
                    }
                }
            });
        }
    }
}

/// Writes the embedded runbooks to `<data>/drill-runbooks` (refreshed each
/// run) and returns the directory.
/// The drill's dashboards, embedded (Grafana's JSON model, as a user's files are).
const DASHBOARDS: &[(&str, &str)] = &[("service.json", include_str!("../assets/drills/dashboards/service.json"))];

/// Writes embedded `files` into `data_dir/sub` (made if missing), for the
/// console to read as it reads a user's: the drill's runbooks, its dashboards.
fn extract(data_dir: &Path, sub: &str, files: &[(&str, &str)]) -> anyhow::Result<PathBuf> {
    let dir = data_dir.join(sub);
    std::fs::create_dir_all(&dir)?;
    for (name, text) in files {
        crate::incident::write_atomic(&dir.join(name), text)?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runbook_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/runbooks");
        let on_disk = std::fs::read_dir(dir).unwrap().count();
        assert_eq!(on_disk, RUNBOOKS.len(), "add new runbooks to demo::RUNBOOKS");
        for (name, text) in RUNBOOKS {
            assert_eq!(std::fs::read_to_string(format!("{dir}/{name}")).unwrap(), *text);
        }
    }

    #[test]
    fn the_drills_dashboards_are_embedded_and_read_without_a_warning() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/drills/dashboards");
        assert_eq!(std::fs::read_dir(dir).unwrap().count(), DASHBOARDS.len(), "add new ones to demo::DASHBOARDS");
        for (name, text) in DASHBOARDS {
            assert_eq!(std::fs::read_to_string(format!("{dir}/{name}")).unwrap(), *text);
            let parsed = crate::dashboard::parse(text.as_bytes()).expect("a dashboard");
            assert!(parsed.diagnostics.is_empty(), "{name}: {:?}", parsed.diagnostics);
        }
    }

    #[test]
    fn scenario_sources() {
        assert_eq!(source(None, None), ScenarioSource::Builtin("db-down".into()));
        assert_eq!(source(Some("x.toml"), None), ScenarioSource::File("x.toml".into()));
        assert_eq!(source(Some("circuit-breaker"), None), ScenarioSource::Builtin("circuit-breaker".into()));
    }
}
