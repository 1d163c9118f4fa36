//! Range queries (sparklines, charts) against the active context's
//! Prometheus-compatible endpoints, with bounded concurrency and fallback
//! from one endpoint to the next.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};

use super::tagged;
use crate::config::Config;
use crate::msg::Msg;
use crate::sources::{HttpClient, PrometheusClient};
use crate::state::signals::Fetch;

/// Range queries for sparklines and charts, at most [`RANGE_CONCURRENCY`]
/// at once, against the context's Prometheus-compatible endpoints: the one
/// that answered last, then the others in order when it fails.
pub(super) struct RangeRunner {
    clients: Arc<Vec<PrometheusClient>>,
    /// Index of the endpoint that answered last (sticky: a dead first
    /// endpoint costs one timeout, not one per query).
    preferred: Arc<std::sync::atomic::AtomicUsize>,
    /// Per endpoint: how it failed lately, so that a struggling endpoint is
    /// left alone (every query failing at once, without a request) until
    /// its retry time, however many queries are on screen.
    backoff: Arc<Mutex<Vec<Backoff>>>,
    refresh: Duration,
    permits: Arc<Semaphore>,
    generation: u64,
}

/// An endpoint's failures in a row, not asked again before `until`.
#[derive(Debug, Clone, Default)]
struct Backoff {
    failures: u32,
    until: Option<Instant>,
    last: Option<crate::sources::SourceError>,
}

const RANGE_CONCURRENCY: usize = 4;

impl RangeRunner {
    pub(super) fn new(cfg: &Config, generation: u64) -> anyhow::Result<Self> {
        let mut clients = Vec::new();
        for ep in &cfg.prometheus {
            clients.push(PrometheusClient::new(HttpClient::new(ep)?, ep.display_name()));
        }
        Ok(Self {
            backoff: Arc::new(Mutex::new(vec![Backoff::default(); clients.len()])),
            refresh: cfg.refresh,
            clients: Arc::new(clients),
            preferred: Arc::default(),
            permits: Arc::new(Semaphore::new(RANGE_CONCURRENCY)),
            generation,
        })
    }

    pub(super) fn spawn(&self, fetch: Fetch, tx: mpsc::UnboundedSender<Msg>) {
        if self.clients.is_empty() {
            return;
        }
        let (clients, preferred, permits) = (self.clients.clone(), self.preferred.clone(), self.permits.clone());
        let ends = Endpoints { backoff: self.backoff.clone(), refresh: self.refresh };
        let generation = self.generation;
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else { return };
            let result = range_with_fallback(&clients, &preferred, &ends, &fetch).await;
            let _ = tx.send(tagged(generation, Msg::Range(Box::new((fetch, result)))));
        });
    }
}

/// The endpoints' backoff, shared by every range query of a context.
struct Endpoints {
    backoff: Arc<Mutex<Vec<Backoff>>>,
    refresh: Duration,
}

impl Endpoints {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Backoff>> {
        self.backoff.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The error an endpoint still backing off fails with, without a request.
    fn waiting(&self, i: usize) -> Option<crate::sources::SourceError> {
        let b = self.lock().get(i)?.clone();
        b.until.filter(|u| Instant::now() < *u)?;
        b.last
    }

    fn answered(&self, i: usize) {
        if let Some(b) = self.lock().get_mut(i) {
            *b = Backoff::default();
        }
    }

    fn failed(&self, i: usize, e: &crate::sources::SourceError) {
        if let Some(b) = self.lock().get_mut(i) {
            b.failures = b.failures.saturating_add(1);
            b.until = Some(Instant::now() + crate::state::signals::retry_delay(self.refresh, b.failures));
            b.last = Some(e.clone());
        }
    }
}

/// Tries each endpoint, starting with the preferred one, until one answers.
/// A query the server rejects (bad PromQL: 400/422) is not retried
/// elsewhere: every endpoint would reject it too. An endpoint that failed
/// otherwise (down, 5xx, 429) is skipped until its backoff is over.
async fn range_with_fallback(
    clients: &[PrometheusClient],
    preferred: &std::sync::atomic::AtomicUsize,
    ends: &Endpoints,
    fetch: &Fetch,
) -> Result<Vec<crate::sources::prometheus::Series>, crate::sources::SourceError> {
    use crate::sources::SourceError;
    use std::sync::atomic::Ordering;
    let step = Duration::from_secs(fetch.key.step_secs.max(1));
    let first = preferred.load(Ordering::Relaxed);
    let mut last = Err(SourceError::Request("no Prometheus configured".into()));
    for k in 0..clients.len() {
        let i = (first + k) % clients.len();
        if let Some(e) = ends.waiting(i) {
            last = Err(e);
            continue;
        }
        last = clients[i].query_range(&fetch.key.query, fetch.start as f64, fetch.end as f64, step).await;
        match &last {
            Ok(_) => {
                ends.answered(i);
                preferred.store(i, Ordering::Relaxed);
                return last;
            }
            Err(e) if crate::state::signals::is_rejection(e) => {
                ends.answered(i);
                return last;
            }
            Err(e) => {
                ends.failed(i, e);
                tracing::debug!(source = clients[i].name(), error = %e, "range query failed, next endpoint")
            }
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::http::StatusCode;
    use axum::routing::post;

    use super::*;
    use crate::sources::{Endpoint, SourceError};
    use crate::state::signals::SeriesKey;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/api/prometheus/captured-2.42");

    /// A Prometheus on 127.0.0.1:0 answering every range query with `body`.
    async fn serve(status: StatusCode, file: &str) -> String {
        let body = std::fs::read_to_string(format!("{FIXTURES}/{file}")).unwrap();
        let app = axum::Router::new().route(
            "/api/v1/query_range",
            post(move || async move { (status, [("content-type", "application/json")], body) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    fn client(url: &str) -> PrometheusClient {
        PrometheusClient::new(HttpClient::new(&Endpoint::from_url(url)).unwrap(), url)
    }

    fn fetch() -> Fetch {
        Fetch { key: SeriesKey::new("up", 15), start: 1_700_000_000, end: 1_700_000_600, purpose: Default::default() }
    }

    fn ends(n: usize) -> Endpoints {
        Endpoints { backoff: Arc::new(Mutex::new(vec![Backoff::default(); n])), refresh: Duration::from_secs(60) }
    }

    fn refused_url() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    }

    #[tokio::test]
    async fn falls_back_past_a_dead_endpoint_and_sticks_to_the_live_one() {
        let live = serve(StatusCode::OK, "query_range_matrix.json").await;
        let clients = [client(&refused_url()), client(&live)];
        let preferred = AtomicUsize::new(0);
        let series = range_with_fallback(&clients, &preferred, &ends(2), &fetch()).await.unwrap();
        assert!(!series.is_empty());
        assert_eq!(preferred.load(Ordering::Relaxed), 1, "the live one is asked first next time");
    }

    #[tokio::test]
    async fn a_rejected_query_is_not_retried_elsewhere_and_all_down_says_why() {
        let rejecting = serve(StatusCode::BAD_REQUEST, "error_bad_data.json").await;
        let live = serve(StatusCode::OK, "query_range_matrix.json").await;
        let clients = [client(&rejecting), client(&live)];
        let preferred = AtomicUsize::new(0);
        let err = range_with_fallback(&clients, &preferred, &ends(2), &fetch()).await.unwrap_err();
        assert!(matches!(err, SourceError::Api { status: 400, .. }), "{err:?}");
        assert_eq!(preferred.load(Ordering::Relaxed), 0);
        let dead = [client(&refused_url()), client(&refused_url())];
        let err = range_with_fallback(&dead, &preferred, &ends(2), &fetch()).await.unwrap_err();
        assert_eq!(err, SourceError::Refused);
    }

    /// Issue 15 item 1: a fake answering 503 got ~100 range queries a second.
    /// Once an endpoint failed, every query skips it until its backoff ends
    /// (here a minute): however many queries are on screen, one request.
    #[tokio::test]
    async fn a_failing_endpoint_is_left_alone_until_its_backoff_ends() {
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        let app = axum::Router::new().route(
            "/api/v1/query_range",
            post(move || {
                counted.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::SERVICE_UNAVAILABLE, "overloaded") }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let clients = [client(&url)];
        let (preferred, ends) = (AtomicUsize::new(0), ends(1));
        for q in 0..20 {
            let f = Fetch { key: SeriesKey::new(format!("q{q}"), 15), ..fetch() };
            let err = range_with_fallback(&clients, &preferred, &ends, &f).await.unwrap_err();
            assert!(matches!(err, SourceError::Status { status: 503, .. }), "{err:?}");
        }
        assert_eq!(hits.load(Ordering::SeqCst), 1, "one request, then the endpoint backs off");
    }
}
