//! Fetching a remote runbook through the shared HTTP layer, which enforces
//! the timeout and the size cap; here we only judge what came back.

use url::Url;

use super::error::{RunbookError, shown};
use super::html;
use crate::sources::HttpClient;

/// What we ask for, in order of preference.
const ACCEPT: &str = "text/markdown, text/x-markdown;q=0.9, text/plain;q=0.8, text/html;q=0.5";

/// GETs `url` and returns its text as markdown: markdown and plain text as
/// they are, HTML converted; anything else is refused.
pub(crate) async fn fetch(url: &Url, http: &HttpClient) -> Result<String, RunbookError> {
    let shown_url = shown(url.as_str());
    let body = http.get_foreign(url.clone(), ACCEPT).await.map_err(|source| match source {
        crate::sources::SourceError::TooLarge(limit) => RunbookError::TooLarge(limit),
        source => RunbookError::Fetch { url: shown_url.clone(), source },
    })?;
    if !body.is_success() {
        return Err(RunbookError::Status { url: shown_url, status: body.status });
    }
    let text = String::from_utf8_lossy(&body.bytes);
    match kind(&body.content_type, &body.bytes) {
        Some(Kind::Text) => Ok(text.into_owned()),
        Some(Kind::Html) => Ok(html::to_markdown(&text)),
        None => Err(RunbookError::ContentType {
            url: shown_url,
            content_type: crate::text::clean_truncated(&body.content_type, 60),
        }),
    }
}

#[derive(Debug, PartialEq)]
enum Kind {
    Text,
    Html,
}

/// Classifies a response by its media type (parameters such as `charset`
/// ignored). A missing type is accepted as text only if the bytes look like
/// text: valid UTF-8 without NUL.
fn kind(content_type: &str, bytes: &[u8]) -> Option<Kind> {
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    match media.as_str() {
        "text/markdown" | "text/x-markdown" | "text/plain" => Some(Kind::Text),
        "text/html" | "application/xhtml+xml" => Some(Kind::Html),
        "" if std::str::from_utf8(bytes).is_ok_and(|s| !s.contains('\0')) => Some(Kind::Text),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_classified() {
        assert_eq!(kind("text/markdown; charset=utf-8", b""), Some(Kind::Text));
        assert_eq!(kind("Text/Plain", b""), Some(Kind::Text));
        assert_eq!(kind("text/html;charset=UTF-8", b""), Some(Kind::Html));
        assert_eq!(kind("application/octet-stream", b"# x"), None);
        assert_eq!(kind("image/png", b""), None);
        assert_eq!(kind("", b"# title"), Some(Kind::Text));
        assert_eq!(kind("", b"\x89PNG\0\0"), None);
    }
}
