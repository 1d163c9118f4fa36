//! Logs go to a file, never to the terminal the UI owns. The path is shown
//! in `--help`; `WARROOM_LOG` sets the filter (default `info`). hyper and
//! reqwest are muted below `warn`: their debug lines can carry URLs.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Where the log goes: the platform state dir (cache dir where there is
/// none, as on macOS), e.g. `~/.local/state/warroom/warroom.log`.
pub fn default_log_file() -> PathBuf {
    match directories::ProjectDirs::from("", "", "warroom") {
        Some(d) => d.state_dir().unwrap_or_else(|| d.cache_dir()).join("warroom.log"),
        None => std::env::temp_dir().join("warroom.log"),
    }
}

/// Starts logging to `path`. The guard flushes the log when dropped: keep it
/// for the life of the program.
pub fn init(path: &Path) -> anyhow::Result<WorkerGuard> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create log dir {}: {e}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_owned()).unwrap_or_else(|| "warroom.log".into());
    let appender = tracing_appender::rolling::never(dir, name);
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("WARROOM_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info"))
        .add_directive("hyper=warn".parse()?)
        .add_directive("hyper_util=warn".parse()?)
        .add_directive("reqwest=warn".parse()?)
        .add_directive("rustls=warn".parse()?);
    tracing_subscriber::fmt().with_writer(writer).with_ansi(false).with_env_filter(filter).try_init().ok();
    Ok(guard)
}
