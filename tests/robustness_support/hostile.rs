//! A misbehaving HTTP server on 127.0.0.1 for the robustness and secrets
//! tests. It speaks just enough HTTP/1.1 to serve the Prometheus and
//! Alertmanager APIs (captured fixtures) when healthy, and fails in one
//! chosen way otherwise. The way can be switched while a console polls it,
//! which is how recovery is tested.
//!
//! Raw TCP rather than axum: an HTTP framework cannot be made to hang after
//! accepting, trickle a response byte by byte, or lie about a body's length.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// How the server answers every request.
#[derive(Debug, Clone)]
pub enum Mode {
    /// The captured Prometheus and Alertmanager answers, by path.
    Healthy,
    /// Accepts and reads the request, then never answers.
    Hang,
    /// A valid healthy answer, written one byte per second.
    Trickle,
    /// This status, content type and body, with a Content-Length.
    Fixed { status: u16, content_type: &'static str, body: Vec<u8> },
    /// The same with extra response headers (`Retry-After`).
    Headers { status: u16, headers: Vec<(&'static str, String)>, body: Vec<u8> },
    /// 200 `application/json` of `len` bytes, chunked (no Content-Length),
    /// so only a cap enforced while reading can stop it.
    Chunked { len: usize },
    /// 302 to the same URL, forever.
    RedirectLoop,
    /// This status, with the request's headers (Authorization included)
    /// echoed in the body: what a careless proxy does. `json`: the body is
    /// the same text as a JSON string, with `application/json`.
    EchoHeaders { status: u16, json: bool },
    /// Healthy, except range queries: answered `status` with a body of
    /// `len` bytes (counted in [`Hostile::range_hits`] and, as far as the
    /// client read them, [`Hostile::range_bytes`]).
    RangeFails { status: u16, len: usize },
}

impl Mode {
    pub fn status(status: u16, body: &str) -> Self {
        Mode::Fixed { status, content_type: "text/plain; charset=utf-8", body: body.as_bytes().to_vec() }
    }

    pub fn json(body: &[u8]) -> Self {
        Mode::Fixed { status: 200, content_type: "application/json", body: body.to_vec() }
    }
}

pub struct Hostile {
    pub addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    stop: CancellationToken,
    counters: Counters,
}

/// What a [`Mode::RangeFails`] server counts.
#[derive(Clone, Default)]
struct Counters {
    range_hits: Arc<AtomicUsize>,
    range_bytes: Arc<AtomicUsize>,
}

impl Hostile {
    /// Binds 127.0.0.1:0 and serves in `mode` until dropped.
    pub async fn start(mode: Mode) -> Self {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), mode).await
    }

    /// Serves on a given loopback address: a source that was refused comes
    /// back on the same port.
    pub async fn start_on(addr: SocketAddr, mode: Mode) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let mode = Arc::new(Mutex::new(mode));
        let stop = CancellationToken::new();
        let counters = Counters::default();
        tokio::spawn(accept_loop(listener, Arc::clone(&mode), stop.clone(), counters.clone()));
        Hostile { addr, mode, stop, counters }
    }

    /// Range queries received so far.
    pub fn range_hits(&self) -> usize {
        self.counters.range_hits.load(Ordering::SeqCst)
    }

    /// Bytes of range-query answers written so far (what the client took,
    /// plus what the sockets buffered).
    pub fn range_bytes(&self) -> usize {
        self.counters.range_bytes.load(Ordering::SeqCst)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes how the next requests are answered (open connections keep
    /// their old behaviour: a hung request stays hung).
    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap_or_else(|e| e.into_inner()) = mode;
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A URL where nothing listens. The port is below Linux's ephemeral range
/// (32768+), so no one binding port 0 meanwhile takes it, and a test can
/// bring the source back on it with [`Hostile::start_on`].
pub fn refused_url() -> String {
    use std::hash::{BuildHasher, RandomState};
    for attempt in 0u64..1000 {
        let port = 20_000 + (RandomState::new().hash_one(attempt) % 12_000) as u16;
        if let Ok(l) = std::net::TcpListener::bind(("127.0.0.1", port)) {
            return format!("http://{}", l.local_addr().expect("local address"));
        }
    }
    panic!("no free port in 20000..32000 on 127.0.0.1");
}

async fn accept_loop(listener: TcpListener, mode: Arc<Mutex<Mode>>, stop: CancellationToken, counters: Counters) {
    loop {
        let conn = tokio::select! {
            _ = stop.cancelled() => return,
            c = listener.accept() => c,
        };
        let Ok((stream, _)) = conn else { continue };
        let mode = mode.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (stop, counters) = (stop.clone(), counters.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = stop.cancelled() => {}
                _ = serve(stream, mode, counters) => {}
            }
        });
    }
}

/// The request line and headers, as received (the body is read and
/// dropped, so that closing after the answer does not reset the
/// connection under a client still sending).
struct Request {
    path: String,
    head: String,
}

/// Reads what is left of a body of `Content-Length` bytes (at most 16 MiB).
async fn drain_body(stream: &mut TcpStream, head: &str, already: usize) {
    let len = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length")))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(16 << 20);
    let mut left = len.saturating_sub(already);
    let mut chunk = [0u8; 16 * 1024];
    while left > 0 {
        match stream.read(&mut chunk[..left.min(16 * 1024)]).await {
            Ok(n) if n > 0 => left -= n,
            _ => return,
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        if buf.is_empty() && chunk[0] == 0x16 {
            // A TLS ClientHello on this plain port: answer as Go's net/http
            // does, so the client fails its handshake instead of waiting.
            let _ = stream
                .write_all(b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
                .await;
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 64 * 1024 {
            return None;
        }
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").map_or(buf.len(), |p| p + 4);
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    drain_body(stream, &head, buf.len() - end).await;
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/").to_string();
    Some(Request { path, head })
}

async fn serve(mut stream: TcpStream, mode: Mode, counters: Counters) {
    let Some(req) = read_request(&mut stream).await else { return };
    let out = match mode {
        Mode::Healthy => healthy(&req.path),
        Mode::RangeFails { status, len } if req.path == "/api/v1/query_range" => {
            counters.range_hits.fetch_add(1, Ordering::SeqCst);
            let head = format!(
                "HTTP/1.1 {status} Error\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).await.is_err() {
                    return;
                }
                counters.range_bytes.fetch_add(n, Ordering::SeqCst);
                left -= n;
            }
            let _ = stream.shutdown().await;
            return;
        }
        Mode::RangeFails { .. } => healthy(&req.path),
        Mode::Hang => {
            std::future::pending::<()>().await;
            return;
        }
        Mode::Trickle => {
            for b in healthy(&req.path) {
                if stream.write_all(&[b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            return;
        }
        Mode::Fixed { status, content_type, body } => response(status, content_type, &[], &body),
        Mode::Headers { status, headers, body } => {
            let extra: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            response(status, "text/plain; charset=utf-8", &extra, &body)
        }
        Mode::Chunked { len } => chunked(len),
        Mode::RedirectLoop => response(302, "text/plain", &[("Location", &req.path)], b"moved"),
        Mode::EchoHeaders { status, json } => {
            let text = format!("upstream error; request was:\n{}", req.head);
            match json {
                true => response(status, "application/json", &[], serde_json::json!(text).to_string().as_bytes()),
                false => response(status, "text/plain; charset=utf-8", &[], text.as_bytes()),
            }
        }
    };
    let _ = stream.write_all(&out).await;
    let _ = stream.shutdown().await;
}

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/api/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// What a healthy Prometheus or Alertmanager answers on `path`.
pub fn healthy(path: &str) -> Vec<u8> {
    let json = |file: &str| response(200, "application/json", &[], &fixture(file));
    match path {
        "/api/v1/alerts" => json("prometheus/captured-2.42/alerts.json"),
        "/api/v1/rules" => json("prometheus/captured-2.42/rules.json"),
        "/api/v1/status/buildinfo" => json("prometheus/captured-2.42/buildinfo.json"),
        "/api/v2/alerts" => json("alertmanager/captured-0.25/alerts.json"),
        "/api/v2/silences" => json("alertmanager/captured-0.25/silences.json"),
        "/api/v2/status" => json("alertmanager/captured-0.25/status.json"),
        "/-/ready" | "/ready" => response(200, "text/plain", &[], b"OK"),
        _ => response(404, "text/plain; charset=utf-8", &[], b"404 page not found\n"),
    }
}

fn response(status: u16, content_type: &str, extra: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

fn chunked(len: usize) -> Vec<u8> {
    let mut out =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            .to_vec();
    let piece = vec![b' '; 16 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(piece.len());
        out.extend_from_slice(format!("{n:x}\r\n").as_bytes());
        out.extend_from_slice(&piece[..n]);
        out.extend_from_slice(b"\r\n");
        left -= n;
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}
