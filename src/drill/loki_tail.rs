//! `/loki/api/v1/tail`: a websocket sending `{"streams":[…]}` text messages
//! with new matching lines, a ping every second, and a close with code 1011
//! on errors, like Loki.
//!
//! On connect, the newest `limit` matching lines since `start` are sent
//! (Loki's backfill). Then generated lines are polled every 250 ms from the
//! last one sent; pushed lines arrive as Loki's ingester hands them to
//! tailers: every entry stored, whatever its timestamp, at once (or when
//! its timestamp is `delay_for` seconds old). A tailer whose buffer
//! overflows reports the entries it dropped in `dropped_entries`, as Loki
//! does; one that falls behind the push events is closed with 1011 and
//! reconnects from its last timestamp.

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{Value as Json, json};
use tokio::sync::broadcast;

use super::clock::now_secs;
use super::logql::{LogQuery, LogSelector, parse};
use super::logs::LogEntry;
use super::loki_api::{bad, categorize, limit_param, time_param};
use super::loki_eval::{Hit, LogView, select_logs, streams_json};
use super::loki_tenant::PushEvent;
use super::params::Params;
use super::prom_format::labels_json;
use super::server::Shared;
use super::spec::Labels;

const POLL: Duration = Duration::from_millis(250);
const PING: Duration = Duration::from_secs(1);
/// Pushed entries held for `delay_for` per tailer; beyond it the oldest
/// are dropped and reported.
const MAX_PENDING: usize = 10_000;

struct Request {
    sel: LogSelector,
    delay_ns: i64,
    limit: usize,
    start: i64,
    tenant: String,
    categorize: bool,
}

pub(crate) async fn tail(State(st): State<Shared>, headers: HeaderMap, ws: WebSocketUpgrade, p: Params) -> Response {
    let tenant = match st.loki.tenant(&headers) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let sel = match parse(p.get("query").unwrap_or("")) {
        Ok(LogQuery::Log(sel)) => sel,
        Ok(LogQuery::Metric(_)) => return bad("tail only supports log queries"),
        Err(e) => return bad(&e),
    };
    let delay = match p.get("delay_for").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(d)) if d <= 5 => d,
        Some(Ok(_)) => return bad("delay_for can't be greater than 5"),
        Some(Err(_)) => return bad("invalid delay_for"),
    };
    let now = (now_secs() * 1e9) as i64;
    let (limit, start) = match (limit_param(&p), time_param(&p, "start", now - 3600 * 1_000_000_000)) {
        (Ok(l), Ok(s)) => (l, s),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let req =
        Request { sel, delay_ns: delay as i64 * 1_000_000_000, limit, start, tenant, categorize: categorize(&headers) };
    ws.on_upgrade(move |socket| run(st, socket, req))
}

/// A pushed entry waiting for its `delay_for`, with its stream.
struct Pending {
    labels: Arc<Labels>,
    entry: LogEntry,
    parsed: Labels,
}

/// One tail session's state.
struct Session {
    req: Request,
    /// Newest generated entry sent.
    cursor: i64,
    pending: Vec<Pending>,
    dropped: Vec<(i64, Arc<Labels>)>,
}

fn now_ns() -> i64 {
    (now_secs() * 1e9) as i64
}

impl Session {
    fn message(&self, hits: &[Hit], dropped: &[(i64, Arc<Labels>)]) -> Option<String> {
        if hits.is_empty() && dropped.is_empty() {
            return None;
        }
        let mut msg = json!({"streams": streams_json(hits, self.req.categorize)});
        if !dropped.is_empty() {
            let d: Vec<Json> =
                dropped.iter().map(|(ts, l)| json!({"timestamp": ts.to_string(), "labels": labels_json(l)})).collect();
            msg["dropped_entries"] = Json::Array(d);
        }
        if self.req.categorize {
            msg["encodingFlags"] = json!(["categorize-labels"]);
        }
        Some(msg.to_string())
    }

    /// The backfill, and the subscription to pushes, taken under the read
    /// lock so that no push falls between the two. Pushed entries newer
    /// than the backfill's end wait for their delay.
    fn connect(&mut self, st: &Shared) -> (Option<String>, broadcast::Receiver<Arc<PushEvent>>) {
        let sim = st.read();
        let pushed = st.loki.read();
        let events = st.loki.events.subscribe();
        let view = LogView { generated: &sim.logs.streams, pushed: pushed.tenant(&self.req.tenant) };
        let until = now_ns() - self.req.delay_ns;
        let (mut hits, _) = select_logs(view, &self.req.sel, self.req.start, until, self.req.limit, true);
        hits.reverse();
        let (newest, _) = select_logs(view.generated_only(), &self.req.sel, self.req.start, until, 1, true);
        self.cursor = newest.first().map_or(self.req.start - 1, |h| h.ts);
        let (later, _) = select_logs(view.pushed_only(), &self.req.sel, until, i64::MAX, usize::MAX, false);
        for h in later {
            self.hold(
                Arc::new(h.labels.clone()),
                LogEntry { ts_ns: h.ts, line: h.line.into(), metadata: h.metadata.clone() },
                h.parsed,
            );
        }
        (self.message(&hits, &[]), events)
    }

    fn hold(&mut self, labels: Arc<Labels>, entry: LogEntry, parsed: Labels) {
        if self.pending.len() >= MAX_PENDING {
            let old = self.pending.remove(0);
            self.dropped.push((old.entry.ts_ns, old.labels));
        }
        self.pending.push(Pending { labels, entry, parsed });
    }

    /// Keeps the event's entries this tail asks for.
    fn receive(&mut self, ev: &PushEvent) {
        if ev.tenant != self.req.tenant {
            return;
        }
        for (labels, entries) in &ev.streams {
            if !self.req.sel.matches_stream(labels) {
                continue;
            }
            let labels = Arc::new(labels.clone());
            for e in entries {
                if let Some(parsed) = self.req.sel.pipeline(&labels, &e.metadata, &e.line) {
                    self.hold(labels.clone(), e.clone(), parsed);
                }
            }
        }
    }

    /// New generated lines since the cursor, and the pushed entries whose
    /// delay is over, as one message.
    fn batch(&mut self, st: &Shared) -> Option<String> {
        let until = now_ns() - self.req.delay_ns;
        let (ready, waiting): (Vec<Pending>, Vec<Pending>) =
            std::mem::take(&mut self.pending).into_iter().partition(|p| p.entry.ts_ns <= until);
        self.pending = waiting;
        let dropped = std::mem::take(&mut self.dropped);
        let sim = st.read();
        let view = LogView { generated: &sim.logs.streams, pushed: None };
        let (mut hits, _) = select_logs(view, &self.req.sel, self.cursor + 1, until, self.req.limit, true);
        self.cursor = hits.first().map_or(self.cursor, |h| h.ts);
        hits.extend(ready.iter().map(|p| Hit {
            ts: p.entry.ts_ns,
            labels: &p.labels,
            line: &p.entry.line,
            metadata: &p.entry.metadata,
            parsed: p.parsed.clone(),
        }));
        hits.sort_by_key(|h| h.ts);
        self.message(&hits, &dropped)
    }
}

async fn run(st: Shared, socket: WebSocket, req: Request) {
    let (mut tx, mut rx) = socket.split();
    let mut session = Session { req, cursor: 0, pending: Vec::new(), dropped: Vec::new() };
    let (first, mut events) = session.connect(&st);
    if let Some(text) = first
        && tx.send(Message::Text(text.into())).await.is_err()
    {
        return;
    }
    let mut poll = tokio::time::interval(POLL);
    let mut ping = tokio::time::interval(PING);
    let cancel = st.cancel.clone();
    loop {
        let send_now = tokio::select! {
            () = cancel.cancelled() => {
                let frame = CloseFrame { code: 1001, reason: "server shutting down".into() };
                let _ = tx.send(Message::Close(Some(frame))).await;
                return;
            }
            msg = rx.next() => match msg {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => false,
            },
            _ = ping.tick() => {
                if tx.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
                false
            }
            _ = poll.tick() => true,
            ev = events.recv() => match ev {
                Ok(ev) => {
                    session.receive(&ev);
                    session.req.delay_ns == 0
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let frame = CloseFrame { code: 1011, reason: "tail fell behind the pushes; reconnect".into() };
                    let _ = tx.send(Message::Close(Some(frame))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        };
        if send_now
            && let Some(text) = session.batch(&st)
            && tx.send(Message::Text(text.into())).await.is_err()
        {
            return;
        }
    }
}
