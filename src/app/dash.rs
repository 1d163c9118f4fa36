//! The I/O half of `:dash`: reading the `dashboards` directories (each
//! file within [`MAX_FILE_BYTES`], parsed on a blocking thread, never on
//! the event loop) and asking Prometheus for variables' values, through
//! the one HTTP layer (its timeout).

use std::io::Read;
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use super::tagged;
use crate::config::Config;
use crate::dashboard::{MAX_FILE_BYTES, Severity, parse};
use crate::model::dashboard::DashFile;
use crate::msg::Msg;
use crate::msg::dashboard::{VarAnswer, VarAsk};
use crate::sources::{HttpClient, PrometheusClient};
use crate::text::{clean, truncate_width};

/// Files read per directory at most (a directory of thousands is a mistake).
pub const MAX_FILES: usize = 500;

/// Reads dashboards and resolves variables for the active context.
pub(super) struct DashWorker {
    dirs: Vec<PathBuf>,
    client: Option<PrometheusClient>,
    generation: u64,
}

impl DashWorker {
    pub(super) fn new(cfg: &Config, generation: u64) -> anyhow::Result<Self> {
        let client = match cfg.prometheus.first() {
            Some(ep) => Some(PrometheusClient::new(HttpClient::new(ep)?, ep.display_name())),
            None => None,
        };
        Ok(Self { dirs: cfg.dashboards.clone(), client, generation })
    }

    pub(super) fn configured(&self) -> bool {
        !self.dirs.is_empty()
    }

    /// Reads every directory off the loop, answered by [`Msg::Dashboards`].
    pub(super) fn load(&self, tx: mpsc::UnboundedSender<Msg>) {
        let dirs = self.dirs.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(Msg::Dashboards(read_dirs(&dirs)));
        });
    }

    /// Asks Prometheus for a variable's values, answered by [`Msg::DashVar`].
    pub(super) fn resolve(&self, ask: VarAsk, tx: mpsc::UnboundedSender<Msg>) {
        let Some(client) = self.client.clone() else { return };
        let generation = self.generation;
        tokio::spawn(async move {
            let result = client.api_values(&ask.path, &ask.params).await;
            let answer = VarAnswer { view: ask.view, name: ask.name, result };
            let _ = tx.send(tagged(generation, Msg::DashVar(Box::new(answer))));
        });
    }
}

/// Every `*.json`, `*.yaml` and `*.yml` file of `dirs` (not recursive), sorted by name in each
/// directory; an unreadable directory is one entry saying so.
pub fn read_dirs(dirs: &[PathBuf]) -> Vec<DashFile> {
    let mut out = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json" || e == "yaml" || e == "yml") && p.is_file())
                .collect(),
            Err(e) => {
                let name = clean(&dir.display().to_string()).into_owned();
                out.push(DashFile {
                    file: name.clone(),
                    title: name,
                    dashboard: Err(format!("cannot read the directory: {e}")),
                    warnings: 0,
                });
                continue;
            }
        };
        files.sort();
        files.truncate(MAX_FILES);
        out.extend(files.iter().map(|f| read_file(f)));
    }
    out
}

/// One file: read within the size cap, parsed, its title cleaned.
pub fn read_file(path: &Path) -> DashFile {
    let file = clean(&path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()).into_owned();
    let bytes = std::fs::File::open(path).and_then(|f| {
        let mut bytes = Vec::new();
        f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map(|_| bytes)
    });
    let parsed = match bytes {
        Ok(b) => parse(&b).map_err(|e| e.to_string()),
        Err(e) => Err(format!("cannot read: {e}")),
    };
    match parsed {
        Ok(p) => {
            let warnings = p.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).count();
            let title = if p.dashboard.title.trim().is_empty() { file.clone() } else { p.dashboard.title.clone() };
            DashFile { file, title: truncate_width(&title, 120), dashboard: Ok(Box::new(p.dashboard)), warnings }
        }
        Err(e) => DashFile { title: file.clone(), file, dashboard: Err(e), warnings: 0 },
    }
}
