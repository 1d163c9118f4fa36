//! `/loki/api/v1/tail`: a websocket sending `{"streams":[…]}` text messages
//! with new matching lines (held back `delay_for` seconds), a ping every
//! second, and a close with code 1011 on errors, like Loki.

// Handlers return a ready HTTP error response as their `Err`: it is built
// once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::json;

use super::clock::now_secs;
use super::logql::{LogQuery, LogSelector, parse};
use super::loki_api::{bad, limit_param, time_param};
use super::loki_eval::select_logs;
use super::params::Params;
use super::prom_format::labels_json;
use super::server::Shared;

const POLL: Duration = Duration::from_millis(250);
const PING: Duration = Duration::from_secs(1);

pub(crate) async fn tail(State(st): State<Shared>, ws: WebSocketUpgrade, p: Params) -> Response {
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
    ws.on_upgrade(move |socket| run(st, socket, sel, delay, limit, start))
}

/// Newest matching lines after `cursor`, as one tail message (forward
/// order), and the new cursor.
fn batch(st: &Shared, sel: &LogSelector, cursor: i64, until: i64, limit: usize) -> Option<(String, i64)> {
    let sim = st.read();
    let (streams, _) = select_logs(&sim.logs, sel, cursor + 1, until, limit, true);
    if streams.is_empty() {
        return None;
    }
    let mut newest = cursor;
    let streams: Vec<_> = streams
        .into_iter()
        .map(|(labels, mut values)| {
            values.reverse();
            newest = newest.max(values.last().map_or(cursor, |v| v.0));
            json!({"stream": labels_json(&labels), "values": values.into_iter().map(|(ts, l)| json!([ts.to_string(), l])).collect::<Vec<_>>()})
        })
        .collect();
    Some((json!({"streams": streams}).to_string(), newest))
}

async fn run(st: Shared, socket: WebSocket, sel: LogSelector, delay: u64, limit: usize, start: i64) {
    let (mut tx, mut rx) = socket.split();
    let mut cursor = start - 1;
    let mut poll = tokio::time::interval(POLL);
    let mut ping = tokio::time::interval(PING);
    let cancel = st.cancel.clone();
    loop {
        tokio::select! {
            () = cancel.cancelled() => {
                let frame = CloseFrame { code: 1001, reason: "server shutting down".into() };
                let _ = tx.send(Message::Close(Some(frame))).await;
                return;
            }
            msg = rx.next() => match msg {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if tx.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
            _ = poll.tick() => {
                let until = ((now_secs() - delay as f64) * 1e9) as i64;
                if let Some((text, newest)) = batch(&st, &sel, cursor, until, limit) {
                    cursor = newest;
                    if tx.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}
