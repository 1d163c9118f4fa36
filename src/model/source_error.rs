//! What can go wrong talking to a source, worded for the status bar.
//!
//! Every message here is safe to show and to log: it never holds a URL with
//! credentials, a header value or a response body that was not cleaned (the
//! sources' HTTP layer builds these from its errors).

use std::time::Duration;

/// An error from one request to a source.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    #[error("connection refused")]
    Refused,
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("timed out after {}", secs(*.0))]
    Timeout(Duration),
    #[error("TLS error: {0}")]
    Tls(String),
    #[error("401 unauthorized{}", suffix(.0))]
    Unauthorized(String),
    #[error("403 forbidden{}", suffix(.0))]
    Forbidden(String),
    #[error("too many redirects")]
    Redirects,
    /// A redirect to another host, not followed: it would have carried this
    /// source's headers there.
    #[error("redirected to another origin: not followed (it would get this source's headers)")]
    CrossOriginRedirect,
    #[error("response larger than the {} KiB cap", .0 / 1024)]
    TooLarge(usize),
    #[error("HTTP {status}{}", suffix(.message))]
    Status { status: u16, message: String },
    /// An API's own error envelope (Prometheus `errorType`, Alertmanager `code`).
    #[error("{kind}: {message}")]
    Api { status: u16, kind: String, message: String },
    #[error("unexpected content type {0:?}")]
    ContentType(String),
    #[error("invalid response: {0}")]
    Decode(String),
    #[error("invalid request: {0}")]
    Request(String),
}

/// `: msg`, or nothing for an empty message.
pub(crate) fn suffix(msg: &str) -> String {
    if msg.is_empty() { String::new() } else { format!(": {msg}") }
}

pub(crate) fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

impl SourceError {
    /// Whether retrying may help (a 4xx from our own query will not).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Status { status, .. } | Self::Api { status, .. } => *status >= 500 || *status == 429,
            Self::Unauthorized(_) | Self::Forbidden(_) | Self::Request(_) => false,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_short_and_specific() {
        assert_eq!(SourceError::Refused.to_string(), "connection refused");
        assert_eq!(SourceError::Unauthorized(String::new()).to_string(), "401 unauthorized");
        assert_eq!(SourceError::Timeout(Duration::from_millis(2500)).to_string(), "timed out after 2.5s");
        assert_eq!(SourceError::TooLarge(2 * 1024 * 1024).to_string(), "response larger than the 2048 KiB cap");
        let api = SourceError::Api { status: 400, kind: "bad_data".into(), message: "parse error".into() };
        assert_eq!(api.to_string(), "bad_data: parse error");
        assert!(!api.is_transient());
        assert!(SourceError::Refused.is_transient());
    }
}
