//! The runtime's side of the incident: the open journal, appends (fsync'd
//! before anyone is told they are saved), reads of what other processes
//! wrote. The post-mortem is rewritten from the journal by whoever holds a
//! [`Rewrite`] (the runtime: off its event loop, after every change).

use std::path::{Path, PathBuf};

use super::draft::{self, Draft};
use super::{Declaration, IncidentError, Journal, ReadOutcome, Record, find_open, regenerate};

#[derive(Debug)]
pub struct Session {
    dir: PathBuf,
    layout: super::postmortem::Layout,
    journal: Option<Journal>,
    /// The host records are stamped with (default: this machine's name).
    host: String,
}

impl Session {
    pub fn new(dir: PathBuf, layout: super::postmortem::Layout) -> Self {
        Self { dir, layout, journal: None, host: super::recid::local_host().to_string() }
    }

    /// Stamps the records written from now on with `host`.
    pub fn set_host(&mut self, host: &str) {
        self.host = super::recid::host_part(host);
        if let Some(j) = self.journal.as_mut() {
            j.set_host(&self.host);
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The host this session's records are stamped with.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Opens incident `id` of the directory (one joined with `--join`,
    /// whatever its status).
    pub fn open(&mut self, id: &str) -> Result<(String, ReadOutcome), IncidentError> {
        let mut journal = Journal::open(&self.dir, id)?;
        journal.set_host(&self.host);
        let read = journal.read_new()?;
        self.journal = Some(journal);
        Ok((id.to_string(), read))
    }

    /// Resumes the open incident found in the directory, if any.
    pub fn resume(&mut self) -> Result<Option<(String, ReadOutcome)>, IncidentError> {
        let Some(meta) = find_open(&self.dir)? else { return Ok(None) };
        let mut journal = Journal::open(&self.dir, &meta.id)?;
        journal.set_host(&self.host);
        // A rewrite killed mid-way (kill -9) left its temp file: gone now.
        super::atomic::clean_stale_tmp(&self.dir.join(&meta.id).join(super::POSTMORTEM_FILE));
        let read = journal.read_new()?;
        let id = journal.id().to_string();
        self.journal = Some(journal);
        Ok(Some((id, read)))
    }

    /// Creates a new incident and opens it.
    pub fn declare(&mut self, decl: &Declaration) -> Result<(String, ReadOutcome), IncidentError> {
        let mut journal = Journal::create_on(&self.dir, decl, &self.host)?;
        let read = journal.read_new()?;
        let id = journal.id().to_string();
        self.journal = Some(journal);
        Ok((id, read))
    }

    /// Appends and fsyncs `rec`; on success returns what is new in the
    /// journal (this record, and anything other processes appended).
    pub fn append(&mut self, rec: &Record) -> Result<ReadOutcome, IncidentError> {
        let journal = self.journal.as_mut().ok_or_else(|| IncidentError::NoIncident(self.dir.clone()))?;
        journal.append(rec)?;
        Ok(journal.read_new()?)
    }

    /// What other processes appended since the last read.
    pub fn read_new(&mut self) -> Result<Option<ReadOutcome>, IncidentError> {
        match self.journal.as_mut() {
            Some(j) => Ok(Some(j.read_new()?)),
            None => Ok(None),
        }
    }

    /// Keeps `user`'s note draft beside the open incident's journal (or
    /// removes it: `None`).
    pub fn save_draft(&self, user: &str, draft: Option<&Draft>) -> Result<(), IncidentError> {
        let Some(file) = self.draft_file(user) else { return Ok(()) };
        draft::save(&file, draft).map_err(|source| IncidentError::Write { path: file, source })
    }

    /// The draft an earlier run of `user` left on the open incident.
    pub fn load_draft(&self, user: &str) -> Option<Draft> {
        draft::load(&self.draft_file(user)?)
    }

    fn draft_file(&self, user: &str) -> Option<PathBuf> {
        let dir = self.journal.as_ref()?.path().parent()?;
        Some(draft::path(dir, user))
    }

    /// What rewrites the open incident's post-mortem draft.
    pub fn rewrite(&self) -> Option<Rewrite> {
        let journal = self.journal.as_ref()?;
        Some(Rewrite { dir: self.dir.clone(), id: journal.id().to_string(), layout: self.layout.clone() })
    }
}

/// One incident's post-mortem draft, to be written again from its journal.
/// Each write reads the whole journal, so the last of several has everything
/// the others had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub dir: PathBuf,
    pub id: String,
    pub layout: super::postmortem::Layout,
}

impl Rewrite {
    /// Writes the draft (atomically); returns its path.
    pub fn write(&self) -> Result<PathBuf, IncidentError> {
        regenerate(&self.dir, &self.id, None, &self.layout)
    }
}
