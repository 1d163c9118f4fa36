//! The incident record: a durable, append-only journal per incident, the
//! timeline folded from it, and the post-mortem draft regenerated from it.
//!
//! All I/O of the incident feature lives here; `state::incident` is pure and
//! returns records "to write" that the runtime hands to [`Journal::append`].
//!
//! On disk, under the incident directory:
//! ```text
//! 2026-11-22-db-down/journal.jsonl    the source of truth (JSON lines)
//! 2026-11-22-db-down/postmortem.md    regenerated from it, written atomically
//! ```

pub mod atomic;
pub mod charts;
pub mod describe;
pub mod draft;
pub mod handoff;
pub mod id;
pub mod intent;
pub mod journal;
pub mod merge;
pub mod milestones;
pub mod postmortem;
pub mod reader;
pub mod recid;
pub use crate::model::record;
pub mod sanitize;
pub mod session;
pub mod share;
pub mod stats;
pub mod timeline;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub use atomic::write_atomic;
pub use journal::{Appended, Declaration, Journal, JournalError, Received, journal_path};
pub use milestones::Milestones;
pub use reader::{ReadOutcome, Warning};
pub use record::{Event, FORMAT_VERSION, NoteTag, Record, Status};
pub use timeline::{EntryKind, Timeline};

/// The post-mortem's file name inside an incident's directory.
pub const POSTMORTEM_FILE: &str = "postmortem.md";

/// The file in the config dir that overrides the post-mortem layout.
pub const TEMPLATE_FILE: &str = "postmortem-template.md";

#[derive(Debug, thiserror::Error)]
pub enum IncidentError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    // The reason first (a full or read-only disk): on a narrow screen it is
    // what must still show.
    #[error("{source}: cannot list incidents in {}", dir.display())]
    List {
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{source}: cannot read the post-mortem template {}", path.display())]
    Template {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{source}: cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("no incident in {}", .0.display())]
    NoIncident(PathBuf),
}

/// What a list of incidents shows, read from each journal.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentMeta {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub commander: String,
    pub started_at: DateTime<Utc>,
    pub status: Status,
    pub journal: PathBuf,
}

impl IncidentMeta {
    /// `None` when the journal has no `Declared` record (e.g. its first
    /// line was torn by a crash during `i`).
    pub fn from_records(id: &str, journal: &Path, records: &[Record]) -> Option<IncidentMeta> {
        let t = Timeline::build(records);
        let (started_at, _) = t.declared?;
        Some(IncidentMeta {
            id: id.to_string(),
            title: t.title,
            severity: t.severity,
            commander: t.commander,
            started_at,
            status: t.status.unwrap_or(Status::Investigating),
            journal: journal.to_path_buf(),
        })
    }

    pub fn is_open(&self) -> bool {
        self.status != Status::Resolved
    }
}

/// Every incident under `dir`, oldest first. A missing directory is an empty
/// list; an incident whose journal cannot be read is skipped with a log line.
pub fn list(dir: &Path) -> Result<Vec<IncidentMeta>, IncidentError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(IncidentError::List { dir: dir.to_path_buf(), source });
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(id) = name.to_str().filter(|id| id::is_valid(id)) else {
            continue;
        };
        let path = journal_path(dir, id);
        if !path.is_file() {
            continue;
        }
        match Journal::read_all(&path) {
            Ok(read) => out.extend(IncidentMeta::from_records(id, &path, &read.records)),
            Err(err) => tracing::warn!(%err, "skipping unreadable incident"),
        }
    }
    out.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    Ok(out)
}

/// The most recently declared incident that is not resolved: what warroom
/// resumes on start.
pub fn find_open(dir: &Path) -> Result<Option<IncidentMeta>, IncidentError> {
    Ok(list(dir)?.into_iter().rev().find(IncidentMeta::is_open))
}

/// Reads the layout override from the config dir, if there is one.
pub fn load_template(config_dir: &Path) -> Result<Option<String>, IncidentError> {
    let path = config_dir.join(TEMPLATE_FILE);
    match fs::read_to_string(&path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(IncidentError::Template { path, source }),
    }
}

/// Regenerates an incident's post-mortem from its journal and writes it
/// atomically to `out` (default: `<dir>/<id>/postmortem.md`). Returns the
/// path written. Call after each append, or on demand (`e`).
pub fn regenerate(
    incident_dir: &Path,
    id: &str,
    out: Option<&Path>,
    layout: &postmortem::Layout,
) -> Result<PathBuf, IncidentError> {
    let (markdown, _) = postmortem_of(incident_dir, id, layout)?;
    let path = out.map_or_else(|| incident_dir.join(id).join(POSTMORTEM_FILE), Path::to_path_buf);
    write_atomic(&path, &markdown).map_err(|source| IncidentError::Write { path: path.clone(), source })?;
    Ok(path)
}

/// An incident's post-mortem, rendered from its journal, and the journal
/// lines that could not be read (also named at the end of the post-mortem).
pub fn postmortem_of(
    incident_dir: &Path,
    id: &str,
    layout: &postmortem::Layout,
) -> Result<(String, Vec<Warning>), IncidentError> {
    postmortem_with_charts(incident_dir, id, layout, &incident_dir.join(id))
}

/// [`postmortem_of`], linking the charts exported into `charts_dir`
/// (the folder the post-mortem is written to).
pub fn postmortem_with_charts(
    incident_dir: &Path,
    id: &str,
    layout: &postmortem::Layout,
    charts_dir: &Path,
) -> Result<(String, Vec<Warning>), IncidentError> {
    let mut journal = Journal::open(incident_dir, id)?;
    let read = journal.read_new()?;
    for w in &read.warnings {
        tracing::warn!(incident = id, "{w}");
    }
    // In (time, id) order: the same document from any engineer's journal.
    let records = merge::union(read.records);
    Ok((
        postmortem::render_with_warnings(&records, &read.warnings, layout, &charts::Index::read(charts_dir)),
        read.warnings,
    ))
}

/// The records of incident `id`, in (time, id) order.
pub fn records_of(incident_dir: &Path, id: &str) -> Result<Vec<Record>, IncidentError> {
    let read = Journal::read_all(&journal_path(incident_dir, id))?;
    Ok(merge::union(read.records))
}

/// The incident `warroom export` means: the named one, else the open one,
/// else the latest.
pub fn pick(incident_dir: &Path, id: Option<&str>) -> Result<String, IncidentError> {
    if let Some(id) = id {
        return Ok(id.to_string());
    }
    let all = list(incident_dir)?;
    let pick = all
        .iter()
        .rev()
        .find(|m| m.is_open())
        .or(all.last())
        .ok_or_else(|| IncidentError::NoIncident(incident_dir.to_path_buf()))?;
    Ok(pick.id.clone())
}

/// `warroom export [--incident ID] [--out FILE]`: the named incident, else
/// the open one, else the latest; the default layout.
pub fn export(incident_dir: &Path, id: Option<&str>, out: Option<&Path>) -> Result<PathBuf, IncidentError> {
    export_with_template(incident_dir, id, out, &postmortem::Layout::default())
}

/// [`export`] with a layout override (see [`load_template`]).
pub fn export_with_template(
    incident_dir: &Path,
    id: Option<&str>,
    out: Option<&Path>,
    layout: &postmortem::Layout,
) -> Result<PathBuf, IncidentError> {
    let id = pick(incident_dir, id)?;
    regenerate(incident_dir, &id, out, layout)
}
