//! What can go wrong talking to a source, worded for the status bar.
//!
//! Every message here is safe to show and to log: it never holds a URL with
//! credentials, a header value or a response body that was not cleaned.

use std::time::Duration;

pub use crate::model::SourceError;

/// Maps a reqwest error to a status-bar message, without its URL (which may
/// carry a tenant or credentials).
pub(crate) fn from_reqwest(err: reqwest::Error, timeout: Duration) -> SourceError {
    if err.is_timeout() {
        return SourceError::Timeout(timeout);
    }
    let chain = error_chain(&err);
    if err.is_redirect() {
        if chain.contains(super::http::CROSS_ORIGIN) {
            return SourceError::CrossOriginRedirect;
        }
        return SourceError::Redirects;
    }
    if closed_before_answering_over_tls(&err, &chain) {
        return SourceError::Tls(CLOSED_OVER_TLS.to_string());
    }
    if err.is_connect() {
        if chain.contains("Connection refused") || chain.contains("connection refused") {
            return SourceError::Refused;
        }
        if is_tls(&chain) {
            return SourceError::Tls(last_cause(&err));
        }
        return SourceError::Connect(last_cause(&err));
    }
    if is_tls(&chain) {
        return SourceError::Tls(last_cause(&err));
    }
    if err.is_builder() || err.is_request() && !err.is_body() {
        return SourceError::Connect(last_cause(&err));
    }
    SourceError::Decode(last_cause(&err))
}

/// What a TLS server that refuses the client (a missing or unknown client
/// certificate) looks like under TLS 1.3 when its alert is not read in time.
const CLOSED_OVER_TLS: &str =
    "the server closed the TLS connection before answering (it may require a client certificate)";

/// Under TLS 1.3 the client's side of the handshake is done before the server
/// has checked the client certificate, so a refusal arrives after it: as the
/// server's alert ("received fatal alert") when that is read first, or, as
/// timing has it, as a connection closed or reset before the request went
/// out. The last two are the same refusal and are shown as a TLS error.
fn closed_before_answering_over_tls(err: &reqwest::Error, chain: &str) -> bool {
    let https = err.url().is_some_and(|u| u.scheme() == "https");
    if !https || err.is_body() || err.is_decode() || err.status().is_some() {
        return false;
    }
    let lower = chain.to_ascii_lowercase();
    ["connection was not ready", "connection closed before message completed", "connection reset by peer"]
        .iter()
        .any(|w| lower.contains(w))
}

/// rustls' words for a failed handshake. "corrupt message" is what an
/// `https://` URL pointed at a plain HTTP port gets (the server answers the
/// ClientHello with an HTTP 400); without it that showed as "cannot connect".
fn is_tls(chain: &str) -> bool {
    let lower = chain.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "invalidcertificate",
        "unknownissuer",
        "corrupt message",
        "received fatal alert",
        "peer is incompatible",
        "peer misbehaved",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = String::new();
    let mut cur: Option<&dyn std::error::Error> = Some(err);
    while let Some(e) = cur {
        out.push_str(&e.to_string());
        out.push_str(": ");
        cur = e.source();
    }
    out
}

/// The innermost cause, which says what happened ("Connection refused (os
/// error 111)") rather than where (the URL).
fn last_cause(err: &reqwest::Error) -> String {
    let mut cur: &dyn std::error::Error = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let text = if std::ptr::eq(cur as *const _ as *const u8, err as *const _ as *const u8) {
        err.to_string()
    } else {
        cur.to_string()
    };
    crate::text::clean(&text).into_owned()
}
