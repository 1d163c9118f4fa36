//! One poller task per source. Each polls in a loop, so there is never more
//! than one request in flight to a source; a refresh asked for while a poll
//! runs is kept as one queued follow-up (a `Notify` permit), never more.
//! A source that is down is retried with backoff, and recovers by itself.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use crate::msg::{Msg, Payload, PollResult, SourceId, SourceKind};
use crate::sources::backoff::backoff;
use crate::sources::{
    AlertmanagerClient, AnswerCache, Endpoint, EndpointError, HttpClient, PrometheusClient, SourceError,
};

/// Rules change with deployments, not with alerts: fetched every this many
/// polls.
const RULES_EVERY: u32 = 12;

/// The running pollers; dropping this stops them.
pub struct Pollers {
    refresh: Vec<Arc<Notify>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Pollers {
    /// Asks every poller to poll now (or right after its current poll).
    pub fn refresh_all(&self) {
        for n in &self.refresh {
            n.notify_one();
        }
    }
}

impl Drop for Pollers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// A source to poll: its id, display name and endpoint.
pub struct SourceSpec {
    pub id: SourceId,
    pub name: String,
    pub endpoint: Endpoint,
}

/// Builds every client first (so a bad config fails before the screen
/// opens), then starts one task per source, each result wrapped in
/// [`Msg::Tagged`] with `generation`: a context's pollers, whose results
/// queued before a switch are dropped.
pub fn spawn_tagged(
    specs: Vec<SourceSpec>,
    every: Duration,
    generation: u64,
    tx: mpsc::UnboundedSender<Msg>,
) -> Result<Pollers, EndpointError> {
    start(specs, every, Some(generation), tx)
}

fn start(
    specs: Vec<SourceSpec>,
    every: Duration,
    generation: Option<u64>,
    tx: mpsc::UnboundedSender<Msg>,
) -> Result<Pollers, EndpointError> {
    let mut jobs = Vec::new();
    for spec in specs {
        let http = HttpClient::new(&spec.endpoint)?;
        jobs.push((spec, http));
    }
    let mut pollers = Pollers { refresh: Vec::new(), tasks: Vec::new() };
    for (spec, http) in jobs {
        let notify = Arc::new(Notify::new());
        pollers.refresh.push(notify.clone());
        let source = Source::new(spec.id.kind, http, spec.name);
        let out = Outbox { generation, tx: tx.clone() };
        pollers.tasks.push(tokio::spawn(run(spec.id, source, every, notify, out)));
    }
    Ok(pollers)
}

enum Source {
    Prometheus(PrometheusClient, AnswerCache),
    Alertmanager(AlertmanagerClient, AnswerCache),
    Loki(HttpClient),
}

impl Source {
    fn new(kind: SourceKind, http: HttpClient, name: String) -> Self {
        match kind {
            SourceKind::Prometheus => Self::Prometheus(PrometheusClient::new(http, name), AnswerCache::default()),
            SourceKind::Alertmanager => Self::Alertmanager(AlertmanagerClient::new(http, name), AnswerCache::default()),
            SourceKind::Loki => Self::Loki(http),
        }
    }

    /// One poll: the payloads to send, in order, or the first error.
    async fn poll(&mut self, n: u32) -> Result<Vec<Payload>, SourceError> {
        match self {
            Self::Prometheus(c, last) => {
                let (alerts, cut) = c.alerts_cached(last).await?;
                let mut out = vec![Payload::PromAlerts(alerts), Payload::AlertsCut(cut)];
                if n.is_multiple_of(RULES_EVERY) {
                    // Rules are extra: an old Cortex without them is not "down".
                    match c.rules().await {
                        Ok(r) => out.push(Payload::PromRules(r)),
                        Err(e) => {
                            tracing::debug!(source = c.name(), error = %e, "rules unavailable")
                        }
                    }
                }
                Ok(out)
            }
            Self::Alertmanager(c, last) => {
                let (alerts, cut) = c.alerts_cached(last).await?;
                let silences = c.silences().await?;
                Ok(vec![Payload::AmAlerts(alerts), Payload::AlertsCut(cut), Payload::AmSilences(silences)])
            }
            Self::Loki(http) => {
                let body = http.get("/ready", &[]).await?;
                if body.is_success() {
                    Ok(vec![Payload::Ready])
                } else {
                    Err(SourceError::Status { status: body.status, message: body.error_text() })
                }
            }
        }
    }
}

/// Where a poller's results go, tagged or not.
struct Outbox {
    generation: Option<u64>,
    tx: mpsc::UnboundedSender<Msg>,
}

impl Outbox {
    fn send(&self, r: PollResult) -> bool {
        let msg = Msg::Poll(Box::new(r));
        let msg = match self.generation {
            Some(generation) => Msg::Tagged { generation, msg: Box::new(msg) },
            None => msg,
        };
        self.tx.send(msg).is_ok()
    }
}

async fn run(id: SourceId, mut source: Source, every: Duration, refresh: Arc<Notify>, tx: Outbox) {
    let mut n: u32 = 0;
    let mut failures: u32 = 0;
    loop {
        let started = Instant::now();
        let result = source.poll(n).await;
        let latency = started.elapsed();
        let at = Utc::now();
        let sent = match result {
            Ok(payloads) => {
                failures = 0;
                n = n.wrapping_add(1);
                if !matches!(source, Source::Loki(_)) {
                    crate::sources::answer::release_freed_memory();
                }
                payloads.into_iter().all(|p| tx.send(PollResult { source: id, at, latency, result: Ok(p) }))
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                // The rules are asked for again on the first good poll.
                n = 0;
                tracing::warn!(source = ?id, error = %e, "poll failed");
                tx.send(PollResult { source: id, at, latency, result: Err(e) })
            }
        };
        if !sent {
            return; // the app is gone
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff(every, failures)) => {}
            _ = refresh.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A context switch drops the old pollers: their tasks must stop, and
    /// what they send is tagged with their generation.
    #[tokio::test]
    async fn dropping_pollers_stops_them_and_results_are_tagged() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener); // nothing listens: each poll fails at once
        let spec = SourceSpec {
            id: SourceId { kind: SourceKind::Loki, index: 0 },
            name: "loki".into(),
            endpoint: Endpoint::from_url(&url),
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        let pollers = spawn_tagged(vec![spec], Duration::from_millis(200), 7, tx).unwrap();
        let first = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
        assert!(matches!(first, Msg::Tagged { generation: 7, .. }), "{first:?}");
        drop(pollers);
        // Once every task is gone, so is every sender: the channel closes.
        let rest = tokio::time::timeout(Duration::from_secs(5), async {
            let mut n = 0;
            while rx.recv().await.is_some() {
                n += 1;
            }
            n
        })
        .await
        .expect("the aborted pollers drop their senders");
        assert!(rest <= 1, "at most the poll in flight: {rest}");
    }
}
