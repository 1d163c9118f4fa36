//! Runs runbooks' live blocks off the event loop: a PromQL block as an
//! instant query (its top series) and a range query (their sparklines), a
//! LogQL block as a match count and its newest lines. At most
//! [`LIVE_CONCURRENCY`] at once, each within [`LIVE_TIMEOUT`] on top of the
//! source's own request timeout; answers are tagged with the context.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, mpsc};

use super::tagged;
use crate::config::Config;
use crate::msg::Msg;
use crate::runbook::live::Lang;
use crate::sources::loki::{Direction, LokiClient, QueryResult, RangeQuery};
use crate::sources::prometheus::Series;
use crate::sources::{HttpClient, PrometheusClient, SourceError};
use crate::state::runbook::live::{LiveAnswer, LiveAsk, LiveLine, LiveResult, LiveSeries, TOP_SERIES};

const LIVE_CONCURRENCY: usize = crate::state::runbook::live::MAX_IN_FLIGHT;
/// The longest a block's answer (both its requests) may take.
const LIVE_TIMEOUT: Duration = Duration::from_secs(30);
/// Bytes kept of a log line under a block.
const MAX_LINE: usize = 400;
/// The most log lines one ask brings back, whatever it wants.
const MAX_LOG_LINES: usize = 100;

pub(super) struct LiveRunner {
    prometheus: Arc<Vec<PrometheusClient>>,
    loki: Option<LokiClient>,
    permits: Arc<Semaphore>,
    generation: u64,
}

impl LiveRunner {
    pub(super) fn new(cfg: &Config, generation: u64) -> anyhow::Result<Self> {
        let mut prometheus = Vec::new();
        for ep in &cfg.prometheus {
            prometheus.push(PrometheusClient::new(HttpClient::new(ep)?, ep.display_name()));
        }
        let loki = match cfg.loki.first() {
            Some(ep) => Some(LokiClient::new(HttpClient::new(ep)?, ep.display_name())),
            None => None,
        };
        Ok(Self {
            prometheus: Arc::new(prometheus),
            loki,
            permits: Arc::new(Semaphore::new(LIVE_CONCURRENCY)),
            generation,
        })
    }

    pub(super) fn spawn(&self, ask: LiveAsk, tx: mpsc::UnboundedSender<Msg>) {
        let (prometheus, loki, permits) = (self.prometheus.clone(), self.loki.clone(), self.permits.clone());
        let generation = self.generation;
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else { return };
            let run = async {
                match ask.lang {
                    Lang::PromQl => prom(&prometheus, &ask).await,
                    Lang::LogQl => match &loki {
                        Some(l) => logs(l, &ask).await,
                        None => Err("no Loki configured (--loki URL)".to_string()),
                    },
                }
            };
            let result = tokio::time::timeout(LIVE_TIMEOUT, run)
                .await
                .unwrap_or_else(|_| Err(SourceError::Timeout(LIVE_TIMEOUT).to_string()));
            let result = LiveResult { tag: ask.tag, at: chrono::Utc::now(), result };
            let _ = tx.send(tagged(generation, Msg::Live(Box::new(result))));
        });
    }
}

/// The first Prometheus that answers (one that rejects the query says so
/// for all of them).
async fn prom(clients: &[PrometheusClient], ask: &LiveAsk) -> Result<LiveAnswer, String> {
    let query = &ask.tag.query;
    let end = ask.end as f64;
    let mut last = "no Prometheus configured (--prometheus URL)".to_string();
    for c in clients {
        let instant = match c.query(query, Some(end)).await {
            Ok(s) => s,
            Err(e) if crate::state::signals::is_rejection(&e) => return Err(e.to_string()),
            Err(e) => {
                last = format!("{}: {e}", c.name());
                continue;
            }
        };
        let start = end - ask.window_secs as f64;
        let range = c.query_range(query, start, end, Duration::from_secs(ask.step_secs)).await;
        let range = range.unwrap_or_else(|e| {
            tracing::debug!(error = %e, "live block: no range for the sparkline");
            Vec::new()
        });
        return Ok(top_series(instant, &range));
    }
    Err(last)
}

/// The top series by current value (NaN last), with their samples.
fn top_series(instant: Vec<Series>, range: &[Series]) -> LiveAnswer {
    let total = instant.len();
    let mut now: Vec<(f64, Series)> =
        instant.into_iter().map(|s| (s.samples.last().map_or(f64::NAN, |p| p.1), s)).collect();
    now.sort_by(|a, b| match (a.0.is_nan(), b.0.is_nan()) {
        (false, false) => b.0.total_cmp(&a.0),
        (x, y) => x.cmp(&y),
    });
    let top = now
        .into_iter()
        .take(TOP_SERIES)
        .map(|(value, s)| {
            let samples = range.iter().find(|r| r.labels == s.labels).map(|r| r.samples.iter().map(|p| p.1).collect());
            LiveSeries { labels: s.labels, value, samples: samples.unwrap_or_default() }
        })
        .collect();
    LiveAnswer::Series { total, top }
}

/// A log query: lines matched over the window and the newest few; a metric
/// query: its series now.
async fn logs(client: &LokiClient, ask: &LiveAsk) -> Result<LiveAnswer, String> {
    let query = ask.tag.query.trim();
    let end_ns = ask.end.saturating_mul(1_000_000_000);
    if !query.starts_with('{') {
        return match client.query(query, Some(end_ns), 100).await.map_err(|e| e.to_string())? {
            QueryResult::Matrix(series) => Ok(top_series(series, &[])),
            QueryResult::Streams(_) => Err("a log query must start with its selector {…}".to_string()),
        };
    }
    let window = ask.window_secs.max(1);
    let range = if window.is_multiple_of(60) { format!("{}m", window / 60) } else { format!("{window}s") };
    let count_query = format!("sum(count_over_time({query} [{range}]))");
    let count = match client.query(&count_query, Some(end_ns), 1).await.map_err(|e| e.to_string())? {
        QueryResult::Matrix(series) => series.iter().filter_map(|s| s.samples.last()).map(|p| p.1).sum::<f64>(),
        QueryResult::Streams(_) => 0.0,
    };
    let q = RangeQuery {
        query: query.to_string(),
        start_ns: end_ns - (window as i64).saturating_mul(1_000_000_000),
        end_ns: end_ns + 1,
        limit: ask.lines.clamp(1, MAX_LOG_LINES) as u32,
        direction: Direction::Backward,
    };
    let mut lines: Vec<LiveLine> = match client.query_range(&q).await.map_err(|e| e.to_string())? {
        QueryResult::Streams(streams) => streams
            .into_iter()
            .flat_map(|s| s.entries)
            .map(|e| LiveLine { ts_ns: e.ts_ns, line: crate::text::clean_truncated(&e.line, MAX_LINE) })
            .collect(),
        QueryResult::Matrix(_) => Vec::new(),
    };
    lines.sort_by_key(|l| l.ts_ns);
    let keep = lines.len().saturating_sub(ask.lines.clamp(1, MAX_LOG_LINES));
    lines.drain(..keep);
    Ok(LiveAnswer::Logs { count: if count.is_finite() { count.max(0.0) as u64 } else { 0 }, lines })
}
