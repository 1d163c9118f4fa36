//! The runtime's side of the incident: the open journal, appends (fsync'd
//! before anyone is told they are saved), reads of what other processes
//! wrote, and the post-mortem regenerated after every append.

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

    /// How this session's post-mortems are laid out.
    pub fn layout(&self) -> &super::postmortem::Layout {
        &self.layout
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
        self.regenerate();
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
        self.regenerate();
        Ok((id, read))
    }

    /// Appends and fsyncs `rec`; on success returns what is new in the
    /// journal (this record, and anything other processes appended).
    pub fn append(&mut self, rec: &Record) -> Result<ReadOutcome, IncidentError> {
        let journal = self.journal.as_mut().ok_or_else(|| IncidentError::NoIncident(self.dir.clone()))?;
        journal.append(rec)?;
        let read = journal.read_new()?;
        self.regenerate();
        Ok(read)
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

    /// Writes the post-mortem draft; returns its path.
    pub fn export(&self) -> Result<PathBuf, IncidentError> {
        let journal = self.journal.as_ref().ok_or_else(|| IncidentError::NoIncident(self.dir.clone()))?;
        regenerate(&self.dir, journal.id(), None, &self.layout)
    }

    /// The post-mortem follows the journal; a failure to write it is logged,
    /// never a reason to report the note unsaved (the journal has it).
    fn regenerate(&self) {
        if let Err(e) = self.export() {
            tracing::warn!(error = %e, "post-mortem not regenerated");
        }
    }
}
