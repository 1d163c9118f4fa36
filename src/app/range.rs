//! Range queries (sparklines, charts) against the active context's
//! Prometheus-compatible endpoints, with bounded concurrency and fallback
//! from one endpoint to the next.

use std::sync::Arc;
use std::time::Duration;

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
    permits: Arc<Semaphore>,
    generation: u64,
}

const RANGE_CONCURRENCY: usize = 4;

impl RangeRunner {
    pub(super) fn new(cfg: &Config, generation: u64) -> anyhow::Result<Self> {
        let mut clients = Vec::new();
        for ep in &cfg.prometheus {
            clients.push(PrometheusClient::new(HttpClient::new(ep)?, ep.display_name()));
        }
        Ok(Self {
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
        let generation = self.generation;
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else { return };
            let result = range_with_fallback(&clients, &preferred, &fetch).await;
            let _ = tx.send(tagged(generation, Msg::Range(Box::new((fetch, result)))));
        });
    }
}

/// Tries each endpoint, starting with the preferred one, until one answers.
/// A query the server rejects (bad PromQL: 400/422) is not retried
/// elsewhere: every endpoint would reject it too.
async fn range_with_fallback(
    clients: &[PrometheusClient],
    preferred: &std::sync::atomic::AtomicUsize,
    fetch: &Fetch,
) -> Result<Vec<crate::sources::prometheus::Series>, crate::sources::SourceError> {
    use crate::sources::SourceError;
    use std::sync::atomic::Ordering;
    let step = Duration::from_secs(fetch.key.step_secs.max(1));
    let first = preferred.load(Ordering::Relaxed);
    let mut last = Err(SourceError::Request("no Prometheus configured".into()));
    for k in 0..clients.len() {
        let i = (first + k) % clients.len();
        last = clients[i].query_range(&fetch.key.query, fetch.start as f64, fetch.end as f64, step).await;
        match &last {
            Ok(_) => {
                preferred.store(i, Ordering::Relaxed);
                return last;
            }
            Err(SourceError::Api { status, .. } | SourceError::Status { status, .. })
                if (400..500).contains(status) =>
            {
                return last;
            }
            Err(e) => tracing::debug!(source = clients[i].name(), error = %e, "range query failed, next endpoint"),
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
        Fetch { key: SeriesKey { query: "up".into(), step_secs: 15 }, start: 1_700_000_000, end: 1_700_000_600 }
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
        let series = range_with_fallback(&clients, &preferred, &fetch()).await.unwrap();
        assert!(!series.is_empty());
        assert_eq!(preferred.load(Ordering::Relaxed), 1, "the live one is asked first next time");
    }

    #[tokio::test]
    async fn a_rejected_query_is_not_retried_elsewhere_and_all_down_says_why() {
        let rejecting = serve(StatusCode::BAD_REQUEST, "error_bad_data.json").await;
        let live = serve(StatusCode::OK, "query_range_matrix.json").await;
        let clients = [client(&rejecting), client(&live)];
        let preferred = AtomicUsize::new(0);
        let err = range_with_fallback(&clients, &preferred, &fetch()).await.unwrap_err();
        assert!(matches!(err, SourceError::Api { status: 400, .. }), "{err:?}");
        assert_eq!(preferred.load(Ordering::Relaxed), 0);
        let dead = [client(&refused_url()), client(&refused_url())];
        let err = range_with_fallback(&dead, &preferred, &fetch()).await.unwrap_err();
        assert_eq!(err, SourceError::Refused);
    }
}
