//! The `/loki/api/v1/tail` websocket: live lines as Loki receives them.
//!
//! The handshake carries the same headers as every other request
//! (`Authorization`, `X-Scope-OrgID`), taken from the shared [`HttpClient`].
//! A refused handshake is reported as such, so the caller can fall back to
//! polling `query_range` (many proxies do not pass websockets).

use std::time::Duration;

use futures::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

use super::raw::RawLine;
use super::wire::{TailChunk, parse_tail, parse_tail_raw};
use crate::sources::{HttpClient, SourceError};

/// Loki refuses a `delay_for` over 5 s; a second lets late lines of other
/// streams arrive in order without feeling slow.
pub const DELAY_FOR_SECS: u64 = 1;

/// How a tail is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TailOptions {
    /// Seconds Loki holds lines back so that late ones arrive in order (at
    /// most 5). A reader that orders lines itself wants 0: lines at once.
    pub delay_for: u64,
    /// Sends `X-Loki-Response-Encoding-Flags: categorize-labels`: stream
    /// labels stay the stream's, structured metadata comes apart.
    pub categorize: bool,
}

impl Default for TailOptions {
    /// What the logs pane asks for.
    fn default() -> Self {
        TailOptions { delay_for: DELAY_FOR_SECS, categorize: false }
    }
}

/// The request header asking Loki to keep label categories apart.
pub const ENCODING_FLAGS_HEADER: &str = "x-loki-response-encoding-flags";

/// An open tail. Loki pings every second; the pong is sent by the next read.
pub struct Tail {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl std::fmt::Debug for Tail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tail").finish_non_exhaustive()
    }
}

/// The tail URL: the HTTP base with a `ws`/`wss` scheme and the parameters
/// (`delay_for` as the logs pane asks).
pub fn tail_url(http: &HttpClient, query: &str, start_ns: i64, limit: u32) -> Result<Url, SourceError> {
    tail_url_with(http, query, start_ns, limit, TailOptions::default())
}

fn tail_url_with(
    http: &HttpClient,
    query: &str,
    start_ns: i64,
    limit: u32,
    opts: TailOptions,
) -> Result<Url, SourceError> {
    let mut url = http.url("/loki/api/v1/tail");
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    url.set_scheme(scheme).map_err(|_| SourceError::Request(format!("cannot tail over {}", url.scheme())))?;
    url.query_pairs_mut()
        .append_pair("query", query)
        .append_pair("start", &start_ns.to_string())
        .append_pair("limit", &limit.to_string())
        .append_pair("delay_for", &opts.delay_for.min(5).to_string());
    Ok(url)
}

impl Tail {
    /// Opens the websocket within the client's timeout, as the logs pane
    /// asks for it.
    pub async fn connect(http: &HttpClient, query: &str, start_ns: i64, limit: u32) -> Result<Self, SourceError> {
        Self::connect_with(http, query, start_ns, limit, TailOptions::default()).await
    }

    /// Opens the websocket with `opts`.
    pub async fn connect_with(
        http: &HttpClient,
        query: &str,
        start_ns: i64,
        limit: u32,
        opts: TailOptions,
    ) -> Result<Self, SourceError> {
        let url = tail_url_with(http, query, start_ns, limit, opts)?;
        let mut req = url.as_str().into_client_request().map_err(|e| SourceError::Request(e.to_string()))?;
        for (name, value) in http.headers() {
            req.headers_mut().insert(name.clone(), value.clone());
        }
        if opts.categorize {
            req.headers_mut().insert(
                ENCODING_FLAGS_HEADER,
                "categorize-labels".parse().map_err(|_| SourceError::Request("header".into()))?,
            );
        }
        let timeout = http.timeout();
        let (ws, _resp) = tokio::time::timeout(timeout, tokio_tungstenite::connect_async(req))
            .await
            .map_err(|_| SourceError::Timeout(timeout))?
            .map_err(|e| handshake_error(http, e))?;
        Ok(Self { ws })
    }

    /// The next chunk of lines, cleaned for display; `None` once Loki
    /// closed the stream normally.
    pub async fn next(&mut self) -> Option<Result<TailChunk, SourceError>> {
        Some(self.next_message().await?.and_then(|m| parse_tail(&m)))
    }

    /// The next chunk of lines as stored (see [`RawLine`]).
    pub async fn next_raw(&mut self) -> Option<Result<TailChunk<RawLine>, SourceError>> {
        Some(self.next_message().await?.and_then(|m| parse_tail_raw(&m)))
    }

    /// The next data message. Messages that carry nothing (pings) are
    /// skipped; a close other than normal is an error with its reason.
    async fn next_message(&mut self) -> Option<Result<tungstenite::Bytes, SourceError>> {
        loop {
            let msg = match self.ws.next().await? {
                Ok(m) => m,
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => return None,
                Err(e) => return Some(Err(stream_error(e))),
            };
            match msg {
                Message::Text(t) => return Some(Ok(t.into())),
                Message::Binary(b) => return Some(Ok(b)),
                Message::Close(Some(f)) if f.code != CloseCode::Normal && f.code != CloseCode::Away => {
                    return Some(Err(SourceError::Api {
                        status: u16::from(f.code),
                        kind: "tail closed".into(),
                        message: crate::text::clean_truncated(&f.reason, 200),
                    }));
                }
                Message::Close(_) => return None,
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
    }

    /// Closes politely; errors do not matter, the socket is dropped anyway.
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(1), self.ws.close(None)).await;
    }
}

/// A failed handshake, worded like the HTTP layer words its errors, with
/// our secrets redacted from the body as the HTTP layer does (a gateway's
/// 401 page may quote the credentials it refused).
fn handshake_error(http: &HttpClient, e: tungstenite::Error) -> SourceError {
    match e {
        tungstenite::Error::Http(resp) => {
            let status = resp.status().as_u16();
            let body = http.redact(resp.body().clone().unwrap_or_default());
            let message = crate::text::truncate_width(http.clean_redacted(&String::from_utf8_lossy(&body)).trim(), 200);
            match status {
                401 => SourceError::Unauthorized(message),
                403 => SourceError::Forbidden(message),
                _ => SourceError::Status { status, message },
            }
        }
        tungstenite::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => SourceError::Refused,
        tungstenite::Error::Tls(t) => SourceError::Tls(crate::text::clean(&t.to_string()).into_owned()),
        tungstenite::Error::Url(u) => SourceError::Request(u.to_string()),
        other => stream_error(other),
    }
}

fn stream_error(e: tungstenite::Error) -> SourceError {
    SourceError::Connect(crate::text::clean(&e.to_string()).into_owned())
}
