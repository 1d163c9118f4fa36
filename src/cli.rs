//! The command line: flags, subcommands and exit codes.
//!
//! Exit codes follow amtool/logcli: 0 success, 1 a failure at run time
//! (a source down in `check`), 2 a usage or configuration error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::diagnostic::Problem;
use crate::config::{Config, ConfigError, Overrides};
use crate::env::Paths;

pub mod dash;

/// What `--version` says: the release, the commit it was built from and
/// the build date (see build.rs; `unknown` outside a git checkout).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("WARROOM_GIT_COMMIT"),
    ", built ",
    env!("WARROOM_BUILD_DATE"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "warroom",
    version = VERSION,
    about = "The incident war room in a terminal: alerts, signals, logs, runbooks and the incident record in one screen"
)]
pub struct Cli {
    /// Config file (TOML). Default: warroom/config.toml in the platform config dir.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Context to start in (a `[contexts.NAME]` of the config; `:ctx` switches).
    #[arg(long, global = true, value_name = "NAME", env = "WARROOM_CONTEXT")]
    pub context: Option<String>,
    /// Prometheus-compatible URL (Prometheus, Thanos, Mimir, Cortex). Repeatable.
    #[arg(long, global = true, value_name = "URL", env = "PROMETHEUS_URL", value_delimiter = ',')]
    pub prometheus: Vec<String>,
    /// Alertmanager URL; several for an HA cluster. Repeatable.
    #[arg(long, global = true, value_name = "URL", env = "ALERTMANAGER_URL", value_delimiter = ',')]
    pub alertmanager: Vec<String>,
    /// Loki URL.
    #[arg(long, global = true, value_name = "URL", env = "LOKI_ADDR")]
    pub loki: Option<String>,
    /// Loki tenant (sent as X-Scope-OrgID), as logcli's --org-id.
    #[arg(long, global = true, value_name = "ID", env = "LOKI_ORG_ID")]
    pub loki_org_id: Option<String>,
    /// Directory of local runbooks. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub runbooks: Vec<PathBuf>,
    /// Directory of Grafana dashboard files (JSON). Repeatable.
    #[arg(long, value_name = "DIR")]
    pub dashboards: Vec<PathBuf>,
    /// Where incident journals and post-mortems are kept.
    #[arg(long, value_name = "DIR", global = true)]
    pub incident_dir: Option<PathBuf>,
    /// Theme: default, light, high-contrast, or a .toml file.
    #[arg(long, value_name = "NAME")]
    pub theme: Option<String>,
    /// Seconds between polls.
    #[arg(long, value_name = "SECS")]
    pub refresh: Option<f64>,
    /// Do not capture the mouse (keeps the terminal's own selection).
    #[arg(long)]
    pub no_mouse: bool,
    /// Log file (default shown below): a symlink to today's NAME.YYYY-MM-DD.EXT
    /// beside it; rotated daily, the newest 7 files kept.
    #[arg(long, value_name = "FILE", global = true)]
    pub log_file: Option<PathBuf>,
    /// Never write to a source: no silence, no ack (shown in the header).
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Share the incident with the team through Loki (the first --loki or
    /// `share_via`): records pushed, teammates' records shown.
    #[arg(long, global = true)]
    pub share: bool,
    /// Join the shared incident ID (see `warroom incidents`); implies --share.
    #[arg(long, value_name = "ID")]
    pub join: Option<String>,
    /// Print the commented sample configuration and exit.
    #[arg(long)]
    pub print_default_config: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console on the embedded drill simulator: no server needed.
    Demo {
        /// Built-in scenario (see `warroom drill list`) or a .toml file.
        scenario: Option<String>,
        /// A scenario file of your own.
        #[arg(long, value_name = "FILE")]
        scenario_file: Option<PathBuf>,
        /// Play the scenario N times faster (the demo defaults to 10, so the
        /// incident unfolds within seconds; 1 is real time, for training).
        #[arg(long, default_value_t = 10.0)]
        speed: f64,
    },
    /// The drill simulator alone (Prometheus, Alertmanager and Loki APIs).
    Drill {
        #[command(subcommand)]
        command: DrillCommand,
    },
    /// Probe each configured source; exit 1 if any is down.
    Check,
    /// Write the post-mortem draft of an incident (default: the open one,
    /// else the latest) from its journal, without the UI.
    Export {
        /// Incident id, e.g. 2026-11-22-db-down.
        #[arg(long)]
        incident: Option<String>,
        /// Output file (default: postmortem.md in the incident's directory).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// The team's numbers: time to detect, mitigate and resolve per incident
    /// of the incident directory and over the period, against the targets
    /// (`mttd_target`, `mttr_target`).
    Stats {
        /// The period: incidents declared this long ago or later.
        #[arg(long, default_value = "90d", value_parser = humantime::parse_duration)]
        since: std::time::Duration,
        /// table (default), json or csv.
        #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
        format: StatsFormat,
    },
    /// List the open shared incidents in Loki (over `share_lookback`, default 7 days).
    Incidents {
        /// Resolved ones too.
        #[arg(long)]
        all: bool,
    },
    /// Grafana dashboards: `dash check FILE…` validates them.
    Dash {
        #[command(subcommand)]
        command: dash::DashCommand,
    },
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(Debug, Subcommand)]
pub enum DrillCommand {
    /// Serve a scenario on 127.0.0.1 for curl, amtool, logcli or consoles.
    Serve {
        scenario: Option<String>,
        #[arg(long, value_name = "FILE")]
        scenario_file: Option<PathBuf>,
        /// Listen address (loopback only).
        #[arg(long, default_value = "127.0.0.1:9095")]
        listen: std::net::SocketAddr,
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Start over when the scenario ends.
        #[arg(long = "loop")]
        loop_forever: bool,
    },
    /// List the built-in scenarios.
    List,
}

pub fn main() -> ExitCode {
    let paths = Paths::detect();
    let after = format!(
        "Config file: {}\nLog file:    {} (rotated daily, {} files kept; level: WARROOM_LOG=debug)",
        paths.config_file.display(),
        paths.log_file.display(),
        crate::logging::KEEP_FILES
    );
    let matches = Cli::command().after_help(after).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    if cli.print_default_config {
        print!("{}", crate::config::SAMPLE);
        return ExitCode::SUCCESS;
    }
    let _guard =
        match crate::logging::init(cli.log_file.as_deref().unwrap_or(&paths.log_file), crate::text::clean_multiline) {
            Ok(g) => Some(g),
            Err(e) => {
                say_err(&format!("warroom: logging disabled: {e}"));
                None
            }
        };
    crate::tui::install_panic_hook();
    match run(cli, &paths) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "fatal");
            say_err(&format!("warroom: {e:#}"));
            ExitCode::from(2)
        }
    }
}

/// A line on stderr, which may be gone (the SSH session dropped, the pty
/// closed): `eprintln!` would panic there, so write errors are ignored.
fn say_err(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// `warroom export`: the post-mortem to its file (printing the path) or,
/// with `--out -`, to standard output. Journal lines that could not be read
/// are named on stderr (and at the end of the post-mortem).
///
/// With a Prometheus configured, the charts are drawn first, into
/// `charts/` beside the post-mortem (the incident's folder for `--out -`);
/// the ones that cannot be are named on stderr and in the draft, and the
/// export still completes.
fn export(
    dir: &Path,
    incident: Option<&str>,
    out: Option<&Path>,
    layout: &crate::incident::postmortem::Layout,
    charts: Option<(&tokio::runtime::Runtime, &[crate::sources::PrometheusClient])>,
) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let id = crate::incident::pick(dir, incident)?;
    let charts_dir = match out {
        Some(p) if p != Path::new("-") => match p.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        },
        _ => dir.join(&id),
    };
    if let Some((rt, clients)) = charts.filter(|(_, c)| !c.is_empty()) {
        let records = crate::incident::records_of(dir, &id)?;
        let utc = crate::incident::intent::TimeDisplay::Utc;
        let drawn = rt.block_on(crate::app::export::draw(clients, &records, &charts_dir, chrono::Utc::now(), utc))?;
        for m in drawn.missing() {
            say_err(&format!("warroom: {id}: chart not drawn: {m}"));
        }
    }
    let (markdown, warnings) = crate::incident::postmortem_with_charts(dir, &id, layout, &charts_dir)?;
    for w in &warnings {
        say_err(&format!("warroom: {id}: {}", crate::text::clean(&w.to_string())));
    }
    match out {
        Some(p) if p == Path::new("-") => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(markdown.as_bytes()).and_then(|()| stdout.flush())?;
        }
        _ => {
            let path = out.map_or_else(|| dir.join(&id).join(crate::incident::POSTMORTEM_FILE), Path::to_path_buf);
            crate::incident::write_atomic(&path, &markdown)
                .map_err(|source| crate::incident::IncidentError::Write { path: path.clone(), source })?;
            let _ = writeln!(std::io::stdout(), "{}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run(cli: Cli, paths: &Paths) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Some(Command::Completions { shell }) => {
            clap_complete::generate(*shell, &mut Cli::command(), "warroom", &mut std::io::stdout());
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Drill { command: DrillCommand::List }) => return Ok(crate::demo::list()),
        Some(Command::Dash { command }) => return dash::run(command),
        _ => {}
    }
    let cfg = load_config(&cli, paths)?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    match cli.command {
        Some(Command::Check) => rt.block_on(crate::check::run(&cfg)),
        Some(Command::Demo { scenario, scenario_file, speed }) => {
            let src = crate::demo::source(scenario.as_deref(), scenario_file.as_deref());
            rt.block_on(crate::demo::demo(src, speed, cfg, &paths.data_dir, cli.incident_dir.clone()))
        }
        Some(Command::Drill {
            command: DrillCommand::Serve { scenario, scenario_file, listen, speed, loop_forever },
        }) => {
            let src = crate::demo::source(scenario.as_deref(), scenario_file.as_deref());
            rt.block_on(crate::demo::serve(src, speed, listen, loop_forever))
        }
        Some(Command::Incidents { all }) => rt.block_on(crate::app::share::print_incidents(&cfg, all)),
        Some(Command::Stats { since, format }) => {
            let dir = cfg.incident_dir.clone().unwrap_or_else(|| paths.default_incident_dir());
            stats(&dir, since, format, &cfg)
        }
        Some(Command::Export { incident, out }) => {
            let dir = cfg.incident_dir.clone().unwrap_or_else(|| paths.default_incident_dir());
            let template = paths.config_file.parent().map(crate::incident::load_template).transpose()?.flatten();
            let layout = crate::incident::postmortem::Layout { template, targets: crate::app::targets(&cfg) };
            let clients = crate::app::export::clients(&cfg).unwrap_or_else(|e| {
                say_err(&format!("warroom: no charts: {e:#}"));
                Vec::new()
            });
            export(&dir, incident.as_deref(), out.as_deref(), &layout, Some((&rt, &clients)))
        }
        None => {
            if !cfg.has_sources() {
                anyhow::bail!(
                    "no source configured: pass --prometheus/--alertmanager/--loki, write {}, or try `warroom demo`",
                    paths.config_file.display()
                );
            }
            let opts = crate::app::Options {
                config_dir: paths.config_file.parent().map(std::path::Path::to_path_buf),
                join: cli.join.clone(),
                ..crate::app::Options::default()
            };
            rt.block_on(crate::app::run(cfg, opts))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(
            Command::Completions { .. }
            | Command::Man
            | Command::Drill { command: DrillCommand::List }
            | Command::Dash { .. },
        ) => Ok(ExitCode::SUCCESS),
    }
}

/// `warroom stats`: prints the report of the incidents in `dir`.
fn stats(
    dir: &std::path::Path,
    since: std::time::Duration,
    format: StatsFormat,
    cfg: &Config,
) -> anyhow::Result<ExitCode> {
    use crate::incident::stats;
    let incidents = stats::load(dir)?;
    let report = stats::report(&incidents, since, chrono::Utc::now(), crate::app::targets(cfg));
    let out = match format {
        StatsFormat::Table => stats::table(&report),
        StatsFormat::Json => stats::json(&report),
        StatsFormat::Csv => stats::csv(&report)?,
    };
    use std::io::Write;
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `warroom stats --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StatsFormat {
    Table,
    Json,
    Csv,
}

/// The file (if any), then environment and flags over it; then what can
/// only be checked on this machine (the theme, and for the commands that
/// connect, the secrets), reported at its place in the file.
fn load_config(cli: &Cli, paths: &Paths) -> anyhow::Result<Config> {
    let (path, required) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (paths.config_file.clone(), false),
    };
    let mut cfg = Config::load(&path, required)?;
    cfg.apply(&Overrides {
        context: cli.context.clone(),
        prometheus: cli.prometheus.clone(),
        alertmanager: cli.alertmanager.clone(),
        loki: cli.loki.clone(),
        loki_org_id: cli.loki_org_id.clone(),
        runbooks: cli.runbooks.clone(),
        dashboards: cli.dashboards.clone(),
        incident_dir: cli.incident_dir.clone(),
        theme: cli.theme.clone(),
        refresh: cli.refresh,
        no_mouse: cli.no_mouse,
        read_only: cli.read_only,
        share: cli.share || cli.join.is_some(),
    })?;
    if cfg.incident_dir.is_none() {
        cfg.incident_dir = Some(paths.default_incident_dir());
    }
    cfg.history_file = Some(paths.history_file());
    cfg.theme_dirs = paths.theme_dirs();
    cfg.runbooks.dirs.extend(paths.shared_runbook_dirs());
    if let Err(e) = crate::app::theme_files::find(&cfg.theme, false, &cfg.theme_dirs) {
        return Err(match cli.theme {
            Some(_) => ConfigError::Invalid(format!("--theme: {e}")),
            None => ConfigError::in_file_at(&path, &Problem::at_key(crate::config_key!["theme"], e)),
        }
        .into());
    }
    if matches!(cli.command, None | Some(Command::Check | Command::Incidents { .. })) {
        cfg.check_secrets().map_err(|p| ConfigError::in_file_at(&path, &p))?;
    }
    Ok(cfg)
}
