//! The append-only journal, one per incident: the source of truth.
//!
//! Layout: `<incident dir>/<id>/journal.jsonl`, one JSON [`Record`] a line.
//! A record is acknowledged only once it is written and fsync'd under an
//! exclusive `flock` (`File::lock`), so two warroom processes never interleave
//! bytes and `kill -9` never loses an acknowledged line. A failed write is
//! rolled back (truncated) before the lock is released, so "not acknowledged"
//! means "not in the file" and a retry never duplicates.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::reader::{self, ReadOutcome};
pub use super::record::Declaration;
use super::record::{Event, Record};
use super::{id, recid, sanitize};

/// The journal's file name inside an incident's directory.
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// How many `-N` suffixes are tried before giving up on a free id.
const MAX_SUFFIX: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The reason first: on a narrow screen it is what must still show.
    #[error("{source}: cannot {op} {}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("no incident {id:?} in {}", dir.display())]
    NotFound { dir: PathBuf, id: String },
    #[error("invalid incident id {0:?}")]
    InvalidId(String),
    #[error("no free incident id for {0:?}")]
    NoFreeId(String),
    #[error("cannot encode record: {0}")]
    Encode(#[from] serde_json::Error),
}

type Result<T, E = JournalError> = std::result::Result<T, E>;

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> JournalError + 'a {
    move |source| JournalError::Io { op, path: path.to_path_buf(), source }
}

/// An open journal: appends, and reads what anyone appended since last time.
#[derive(Debug)]
pub struct Journal {
    id: String,
    path: PathBuf,
    file: File,
    /// False when the file could only be opened for reading (read-only disk).
    writable: bool,
    /// Bytes already returned by [`Journal::read_new`].
    offset: u64,
    /// Line number of the first line after `offset` (1-based).
    next_line: usize,
    /// [`Record::identity`] of every record read so far: a captured event
    /// already in the journal is not written again.
    identities: HashSet<String>,
    /// The id of every record read so far, with a hash of its line: a
    /// record received again is not written twice, and one that reuses an
    /// id for other content is refused.
    ids: HashMap<String, u64>,
    /// The host records written here are stamped with (and their ids end in).
    host: String,
}

/// What [`Journal::append`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Written and fsync'd.
    Written,
    /// Not written: a record describing the same event (the same
    /// [`Record::identity`]) is already in the journal, e.g. captured by
    /// another console on the same incident.
    Duplicate,
}

impl Journal {
    /// Declares a new incident under `dir`: picks a free id (a `-N` suffix
    /// when the base is taken, atomically via `mkdir`), creates its journal
    /// and writes the `Declared` record.
    pub fn create(dir: &Path, decl: &Declaration) -> Result<Journal> {
        Journal::create_on(dir, decl, recid::local_host())
    }

    /// [`Journal::create`], the records stamped with `host` (see
    /// [`Journal::set_host`]).
    pub fn create_on(dir: &Path, decl: &Declaration, host: &str) -> Result<Journal> {
        fs::create_dir_all(dir).map_err(io_err("create", dir))?;
        let base = id::base_id(decl.at, &sanitize::line(&decl.title));
        let id = claim_id(dir, &base)?;
        let path = journal_path(dir, &id);
        let file =
            OpenOptions::new().read(true).append(true).create_new(true).open(&path).map_err(io_err("create", &path))?;
        sync_dir(&dir.join(&id))?;
        sync_dir(dir)?;
        let mut journal = Journal::from_file(id, path, file, true);
        journal.set_host(host);
        let event = Event::Declared {
            title: decl.title.clone(),
            severity: decl.severity.clone(),
            commander: decl.commander.clone(),
        };
        journal.append(&Record::new(decl.at, decl.author.clone(), event))?;
        Ok(journal)
    }

    /// Opens an existing incident. On a read-only disk the journal opens for
    /// reading; appends then fail with the disk's error.
    pub fn open(dir: &Path, id: &str) -> Result<Journal> {
        if !id::is_valid(id) {
            return Err(JournalError::InvalidId(id.to_string()));
        }
        let path = journal_path(dir, id);
        let (file, writable) = match open_rw(&path) {
            Ok(f) => (f, true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(JournalError::NotFound { dir: dir.to_path_buf(), id: id.to_string() });
            }
            Err(_) => (File::open(&path).map_err(io_err("open", &path))?, false),
        };
        Ok(Journal::from_file(id.to_string(), path, file, writable))
    }

    fn from_file(id: String, path: PathBuf, file: File, writable: bool) -> Journal {
        let host = recid::local_host().to_string();
        Journal {
            id,
            path,
            file,
            writable,
            offset: 0,
            next_line: 1,
            identities: HashSet::new(),
            ids: HashMap::new(),
            host,
        }
    }

    /// Stamps the records this journal writes from now on with `host`
    /// (default: this machine's name), cleaned as [`recid::host_part`] does.
    pub fn set_host(&mut self, host: &str) {
        self.host = recid::host_part(host);
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record (cleaned and redacted first) and fsyncs it. When
    /// this returns `Ok`, the record survives `kill -9` and power loss (or
    /// was already there: [`Appended::Duplicate`]); when it returns `Err`,
    /// the record is not in the file.
    ///
    /// A record without an id gets a new one ([`recid::new_id`]) and this
    /// journal's host; the records read back carry them.
    pub fn append(&mut self, rec: &Record) -> Result<Appended> {
        let mut clean = sanitize::record(rec);
        if clean.id.is_empty() {
            clean = clean.with_id(recid::new_id(&self.host), self.host.clone());
        }
        let identity = clean.identity();
        let mut line = serde_json::to_vec(&clean)?;
        line.push(b'\n');
        if !self.writable {
            let file = open_rw(&self.path).map_err(io_err("write to", &self.path))?;
            self.file = file;
            self.writable = true;
        }
        let path = &self.path;
        let guard = Locked::exclusive(&self.file).map_err(io_err("lock", path))?;
        let mut file: &File = guard.0;
        let len = file.metadata().map_err(io_err("stat", path))?.len();
        if let Some(identity) = &identity {
            // Under the exclusive lock: what was read before, and what
            // others appended since (read again by the next `read_new`).
            if self.identities.contains(identity) || unread_identities(file, self.offset, len, path)?.contains(identity)
            {
                return Ok(Appended::Duplicate);
            }
        }
        let mut buf = Vec::with_capacity(line.len() + 1);
        // A torn line left by a crash must not swallow this record.
        if len > 0 && last_byte(file, len).map_err(io_err("read", path))? != b'\n' {
            buf.push(b'\n');
        }
        buf.extend_from_slice(&line);
        if let Err(source) = file.write_all(&buf).and_then(|()| file.sync_data()) {
            // Best effort: if this fails too, the reader skips the torn tail.
            let _ = file.set_len(len).and_then(|()| file.sync_data());
            return Err(JournalError::Io { op: "write to", path: path.clone(), source });
        }
        Ok(Appended::Written)
    }

    /// Records appended by anyone (this process included) since the last
    /// call; the first call returns the whole journal.
    pub fn read_new(&mut self) -> Result<ReadOutcome> {
        let path = &self.path;
        let guard = Locked::shared(&self.file).map_err(io_err("lock", path))?;
        let mut file: &File = guard.0;
        let len = file.metadata().map_err(io_err("stat", path))?.len();
        if len < self.offset {
            // Only an edit by hand can shrink an append-only file.
            self.offset = len;
            return Ok(ReadOutcome {
                records: Vec::new(),
                warnings: vec![reader::Warning {
                    line: self.next_line,
                    message: "journal shrank (edited by hand?); reading on from its new end".to_string(),
                }],
            });
        }
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(self.offset))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(io_err("read", path))?;
        drop(guard);
        let parsed = reader::parse(&bytes, self.next_line);
        self.identities.extend(parsed.outcome.records.iter().filter_map(Record::identity));
        self.ids.extend(parsed.outcome.records.iter().map(|r| (r.id.clone(), line_hash(r))));
        self.offset += bytes.len() as u64;
        self.next_line += parsed.lines;
        Ok(parsed.outcome)
    }

    /// The whole journal at `path`, read under a shared lock.
    pub fn read_all(path: &Path) -> Result<ReadOutcome> {
        let file = File::open(path).map_err(io_err("open", path))?;
        let guard = Locked::shared(&file).map_err(io_err("lock", path))?;
        let mut file: &File = guard.0;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io_err("read", path))?;
        Ok(reader::parse(&bytes, 1).outcome)
    }
}

impl Journal {
    /// Opens incident `id` declared on another machine (`--join`): its
    /// directory and an empty journal are created here when missing, to be
    /// filled with what is received ([`Journal::append_received`]).
    pub fn join(dir: &Path, id: &str) -> Result<Journal> {
        if !id::is_valid(id) {
            return Err(JournalError::InvalidId(id.to_string()));
        }
        let inc = dir.join(id);
        fs::create_dir_all(&inc).map_err(io_err("create", &inc))?;
        let path = journal_path(dir, id);
        OpenOptions::new().append(true).create(true).open(&path).map_err(io_err("create", &path))?;
        sync_dir(&inc)?;
        sync_dir(dir)?;
        Journal::open(dir, id)
    }

    /// Appends records that already have their ids (received from the
    /// shared incident), under one lock and one fsync, skipping each
    /// record already in the journal (the same id and content) and refusing
    /// one that reuses an id for other content. Records are cleaned as
    /// [`Journal::append`] does. A captured event another console wrote
    /// under its own id is kept even when this journal has its own copy:
    /// every journal of the incident then holds the same copies, and the
    /// timeline shows the first of them in (time, id) order, the same one
    /// on every machine.
    /// Reads what this handle has not read yet first (and drops it: this is
    /// the receiver's handle, not the UI's).
    pub fn append_received(&mut self, recs: &[Record]) -> Result<Received> {
        self.read_new()?;
        let mut out = Received::default();
        if recs.is_empty() {
            return Ok(out);
        }
        if !self.writable {
            self.file = open_rw(&self.path).map_err(io_err("write to", &self.path))?;
            self.writable = true;
        }
        let path = &self.path;
        let guard = Locked::exclusive(&self.file).map_err(io_err("lock", path))?;
        let mut file: &File = guard.0;
        let len = file.metadata().map_err(io_err("stat", path))?.len();
        // What others appended between the read above and the lock.
        let mut ids = HashMap::new();
        if len > self.offset {
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(self.offset))
                .and_then(|_| file.read_to_end(&mut bytes))
                .map_err(io_err("read", path))?;
            for r in reader::parse(&bytes, 1).outcome.records {
                ids.insert(r.id.clone(), line_hash(&r));
            }
        }
        let mut buf = Vec::new();
        if len > 0 && last_byte(file, len).map_err(io_err("read", path))? != b'\n' {
            buf.push(b'\n');
        }
        let start = buf.len();
        for rec in recs {
            let clean = sanitize::record(rec);
            if clean.id.is_empty() {
                out.refused += 1;
                continue;
            }
            let hash = line_hash(&clean);
            match self.ids.get(&clean.id).or_else(|| ids.get(&clean.id)) {
                Some(&h) if h == hash => {
                    out.duplicate += 1;
                    continue;
                }
                Some(_) => {
                    out.refused += 1;
                    continue;
                }
                None => {}
            }
            ids.insert(clean.id.clone(), hash);
            serde_json::to_writer(&mut buf, &clean)?;
            buf.push(b'\n');
            out.added += 1;
        }
        if buf.len() == start {
            return Ok(out);
        }
        if let Err(source) = file.write_all(&buf).and_then(|()| file.sync_data()) {
            let _ = file.set_len(len).and_then(|()| file.sync_data());
            return Err(JournalError::Io { op: "write to", path: path.clone(), source });
        }
        Ok(out)
    }
}

/// What [`Journal::append_received`] did with the records it was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Received {
    /// Written (and fsync'd).
    pub added: usize,
    /// Already in the journal.
    pub duplicate: usize,
    /// An id already in the journal for other content (a forged or
    /// damaged line), or no id: not written.
    pub refused: usize,
}

/// A hash of a record's line as the journal writes it (FNV-1a: stable).
fn line_hash(rec: &Record) -> u64 {
    let bytes = serde_json::to_vec(rec).unwrap_or_default();
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// An advisory `flock` on a file, released when dropped (closing the file
/// would release it too, but the journal stays open between appends).
struct Locked<'a>(&'a File);

impl<'a> Locked<'a> {
    fn exclusive(file: &'a File) -> io::Result<Self> {
        file.lock()?;
        Ok(Self(file))
    }

    fn shared(file: &'a File) -> io::Result<Self> {
        file.lock_shared()?;
        Ok(Self(file))
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// `<dir>/<id>/journal.jsonl`.
pub fn journal_path(dir: &Path, id: &str) -> PathBuf {
    dir.join(id).join(JOURNAL_FILE)
}

fn open_rw(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).append(true).open(path)
}

/// Creates the first free `<base>`, `<base>-2`… directory; `mkdir` is atomic,
/// so two processes declaring the same title at once get different ids.
fn claim_id(dir: &Path, base: &str) -> Result<String> {
    for n in 1..=MAX_SUFFIX {
        let id = id::with_suffix(base, n);
        let path = dir.join(&id);
        match fs::create_dir(&path) {
            Ok(()) => return Ok(id),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io_err("create", &path)(e)),
        }
    }
    Err(JournalError::NoFreeId(base.to_string()))
}

/// The identities of the records between `offset` (what this journal has
/// read) and `len`.
fn unread_identities(mut file: &File, offset: u64, len: u64, path: &Path) -> Result<HashSet<String>> {
    if len <= offset {
        return Ok(HashSet::new());
    }
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(offset)).and_then(|_| file.read_to_end(&mut bytes)).map_err(io_err("read", path))?;
    Ok(reader::parse(&bytes, 1).outcome.records.iter().filter_map(Record::identity).collect())
}

fn last_byte(mut file: &File, len: u64) -> io::Result<u8> {
    let mut b = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1))?;
    file.read_exact(&mut b)?;
    Ok(b[0])
}

/// fsyncs a directory so a new or renamed entry in it survives a crash.
fn sync_dir(dir: &Path) -> Result<()> {
    super::atomic::sync_dir(dir).map_err(io_err("sync", dir))
}
