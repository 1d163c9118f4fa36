//! Reading a resolved runbook, within the size cap, with a session cache
//! for remote ones (fetching again on every open would be slow and would
//! fail when the network does).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};

pub use crate::model::runbook::Document;

use super::config::RunbookConfig;
use super::error::{RunbookError, shown};
use super::fetch::fetch;
use super::resolve::Location;
use crate::sources::HttpClient;

impl Document {
    /// A short name for timeline entries: the file name without extension
    /// (`db-down` for `…/runbooks/db-down.md`).
    pub fn name(&self) -> String {
        let last = self.source.trim_end_matches('/').rsplit(['/', '\\']).next().unwrap_or_default();
        let stem = last.split(['?', '#']).next().unwrap_or_default();
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        crate::text::clean_truncated(if stem.is_empty() { "runbook" } else { stem }, 40)
    }
}

/// Loads a runbook without caching.
pub async fn load(loc: &Location, http: &HttpClient, cfg: &RunbookConfig) -> Result<Document, RunbookError> {
    match loc {
        Location::Local(path) => read_local(path, cfg.max_bytes),
        Location::Remote(url) => Ok(Document { source: shown(url.as_str()), markdown: fetch(url, http).await? }),
    }
}

/// Remote runbooks fetched this session. Cheap to clone; shared by the
/// tasks that load runbooks. Local files are read again each time, so an
/// edit shows on the next open.
#[derive(Debug, Clone, Default)]
pub struct RunbookCache {
    remote: Arc<Mutex<HashMap<url::Url, Arc<Document>>>>,
}

impl RunbookCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// Like [`load`], answering remote runbooks from the cache when it can.
    /// Failures are not cached: the next open tries again.
    pub async fn load(
        &self,
        loc: &Location,
        http: &HttpClient,
        cfg: &RunbookConfig,
    ) -> Result<Arc<Document>, RunbookError> {
        let Location::Remote(url) = loc else {
            return load(loc, http, cfg).await.map(Arc::new);
        };
        if let Some(doc) = self.get(url) {
            return Ok(doc);
        }
        let doc = Arc::new(load(loc, http, cfg).await?);
        if let Ok(mut map) = self.remote.lock() {
            map.insert(url.clone(), doc.clone());
        }
        Ok(doc)
    }

    fn get(&self, url: &url::Url) -> Option<Arc<Document>> {
        self.remote.lock().ok()?.get(url).cloned()
    }

    /// How many remote runbooks are cached.
    pub fn len(&self) -> usize {
        self.remote.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads at most `max + 1` bytes, so that a huge file (or a FIFO someone
/// placed in the runbook directory) cannot exhaust memory.
fn read_local(path: &Path, max: usize) -> Result<Document, RunbookError> {
    let io_err = |e: std::io::Error| RunbookError::Io { path: shown(&path.to_string_lossy()), message: e.to_string() };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut bytes).map_err(io_err)?;
    if bytes.len() > max {
        return Err(RunbookError::TooLarge(max));
    }
    Ok(Document { source: path.to_string_lossy().into_owned(), markdown: String::from_utf8_lossy(&bytes).into_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_file_stem() {
        let doc = |s: &str| Document { source: s.into(), markdown: String::new() };
        assert_eq!(doc("/srv/runbooks/db-down.md").name(), "db-down");
        assert_eq!(doc("https://x/y/upload_stuck.md?plain=1").name(), "upload_stuck");
        assert_eq!(doc("https://x/").name(), "x");
        assert_eq!(doc("").name(), "runbook");
    }

    #[test]
    fn local_reads_are_capped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("big.md");
        std::fs::write(&path, vec![b'a'; 2048]).expect("write");
        assert_eq!(read_local(&path, 1024), Err(RunbookError::TooLarge(1024)));
        let doc = read_local(&path, 4096).expect("fits");
        assert_eq!(doc.markdown.len(), 2048);
    }
}
