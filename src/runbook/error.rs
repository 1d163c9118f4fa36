//! What can go wrong finding or loading a runbook, worded for the pane.

use crate::sources::{EndpointError, SourceError};

/// Every message is safe to show: URLs are redacted and cleaned, bodies are
/// never quoted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunbookError {
    #[error("the alert has no runbook_url")]
    NoUrl,
    #[error("invalid runbook URL {0:?}: {1}")]
    InvalidUrl(String, String),
    #[error("runbook URL scheme {0:?} is not supported (use a path, file:// or http(s)://)")]
    UnsupportedScheme(String),
    #[error("runbook {path:?} not found in the runbook directories ({dirs})")]
    NotFound { path: String, dirs: String },
    #[error("runbook {0:?} is outside the configured runbook directories: refused")]
    Outside(String),
    #[error("cannot read runbook {path:?}: {message}")]
    Io { path: String, message: String },
    #[error("runbook larger than the {} KiB cap", .0 / 1024)]
    TooLarge(usize),
    #[error("fetching runbook {url}: {source}")]
    Fetch { url: String, source: SourceError },
    #[error("fetching runbook {url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("runbook {url} has content type {content_type:?}; expected text/markdown, text/plain or text/html")]
    ContentType { url: String, content_type: String },
    #[error("runbook HTTP client: {0}")]
    Client(#[from] EndpointError),
}

/// A URL or path as it may appear in a message: no password, no controls,
/// not too long.
pub(crate) fn shown(s: &str) -> String {
    crate::text::clean_truncated(&crate::sources::endpoint::redact(s), 120)
}
