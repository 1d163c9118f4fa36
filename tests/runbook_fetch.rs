//! Remote runbooks served by a local axum server on 127.0.0.1:0: accepted
//! types, conversion of HTML, and the limits (size, time, content type).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use url::Url;
use warroom::runbook::{Location, RunbookCache, RunbookConfig, RunbookError, load, resolve};
use warroom::sources::SourceError;

const MIB: usize = 1024 * 1024;

/// Serves the test routes until dropped.
struct Server {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Server {
    async fn start() -> Self {
        let big = "a".repeat(2 * MIB);
        let app = Router::new()
            .route(
                "/db-down.md",
                get(|| async { ([(CONTENT_TYPE, "text/markdown; charset=utf-8")], "# DB down\n\n- [ ] check\n") }),
            )
            .route("/plain", get(|| async { ([(CONTENT_TYPE, "text/plain")], "plain runbook") }))
            .route(
                "/wiki",
                get(|| async {
                    (
                        [(CONTENT_TYPE, "text/html; charset=utf-8")],
                        "<html><head><style>x{}</style><script>steal()</script></head>\
                         <body><h1>Wiki &amp; runbook</h1><p>Restart <b>it</b>.</p></body></html>",
                    )
                }),
            )
            .route("/binary", get(|| async { ([(CONTENT_TYPE, "application/octet-stream")], vec![0u8, 1, 2]) }))
            .route("/image", get(|| async { ([(CONTENT_TYPE, "image/png")], vec![0x89u8, b'P', b'N', b'G']) }))
            .route(
                "/big",
                get(move || {
                    let big = big.clone();
                    async move { ([(CONTENT_TYPE, "text/plain")], big) }
                }),
            )
            .route("/big-stream", get(big_stream))
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    ([(CONTENT_TYPE, "text/markdown")], "too late")
                }),
            )
            .route("/missing", get(|| async { (axum::http::StatusCode::NOT_FOUND, "no") }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// 2 MiB in 64 KiB chunks, without a Content-Length: the cap must hold
/// while streaming, not only on the announced length.
async fn big_stream() -> ([(axum::http::HeaderName, &'static str); 1], Body) {
    let chunks = (0..32).map(|_| Ok::<_, std::io::Error>(vec![b'b'; 64 * 1024]));
    ([(CONTENT_TYPE, "text/plain")], Body::from_stream(futures::stream::iter(chunks)))
}

fn cfg() -> RunbookConfig {
    RunbookConfig { timeout: Duration::from_millis(500), max_bytes: MIB, ..RunbookConfig::default() }
}

async fn fetch(server: &Server, path: &str) -> Result<String, RunbookError> {
    let cfg = cfg();
    let http = cfg.http_client().expect("client");
    let loc = resolve(&server.url(path), &cfg)?;
    load(&loc, &http, &cfg).await.map(|d| d.markdown)
}

#[tokio::test]
async fn markdown_plain_and_html_are_accepted() {
    let server = Server::start().await;
    assert_eq!(fetch(&server, "/db-down.md").await, Ok("# DB down\n\n- [ ] check\n".into()));
    assert_eq!(fetch(&server, "/plain").await, Ok("plain runbook".into()));
    assert_eq!(fetch(&server, "/wiki").await, Ok("# Wiki & runbook\n\nRestart it.\n".into()));
}

#[tokio::test]
async fn non_text_is_refused_with_a_clear_error() {
    let server = Server::start().await;
    for path in ["/binary", "/image"] {
        let err = fetch(&server, path).await.expect_err("refused");
        assert!(matches!(err, RunbookError::ContentType { .. }), "{err:?}");
        assert!(err.to_string().contains("expected text/markdown"));
    }
    assert!(matches!(fetch(&server, "/missing").await, Err(RunbookError::Status { status: 404, .. })));
}

#[tokio::test]
async fn oversized_runbooks_are_cut_off() {
    let server = Server::start().await;
    assert_eq!(fetch(&server, "/big").await, Err(RunbookError::TooLarge(MIB)));
    assert_eq!(fetch(&server, "/big-stream").await, Err(RunbookError::TooLarge(MIB)));
}

#[tokio::test]
async fn slow_servers_time_out() {
    let server = Server::start().await;
    let started = Instant::now();
    let err = fetch(&server, "/slow").await.expect_err("timeout");
    assert!(matches!(err, RunbookError::Fetch { source: SourceError::Timeout(_), .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn remote_runbooks_are_cached_for_the_session() {
    let server = Server::start().await;
    let cfg = cfg();
    let http = cfg.http_client().expect("client");
    let cache = RunbookCache::new();
    let url = Url::parse(&server.url("/db-down.md")).expect("url");
    let loc = Location::Remote(url);
    let first = cache.load(&loc, &http, &cfg).await.expect("first load");
    drop(server);
    let second = cache.load(&loc, &http, &cfg).await.expect("served from cache");
    assert_eq!(first, second);
    assert_eq!(cache.len(), 1);
    assert_eq!(second.name(), "db-down");
    let missing = Location::Remote(Url::parse("http://127.0.0.1:9/none.md").expect("url"));
    assert!(cache.load(&missing, &http, &cfg).await.is_err());
    assert_eq!(cache.len(), 1);
}
