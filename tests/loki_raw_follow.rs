//! The shared room's read path against the drill's Loki: a push, then
//! `follow_raw` reading the whole stream forward in pages (lines sharing a
//! nanosecond included), following live through the tail, keeping a line
//! pushed late with an older timestamp, and after the connection is cut
//! (a relay on loopback that drops every connection on demand) catching up
//! by paging, then tailing again: every line once, nothing lost. And a
//! line the tail never delivers (a relay that swallows its message) is read
//! again while the tail stays open.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc};
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};
use warroom::model::Labels;
use warroom::sources::loki::{
    BatchKind, FollowMode, FollowSettings, FollowSpec, LogBatch, LokiClient, PushEntry, PushStream, QuerySpec, RawLine,
    follow_raw,
};
use warroom::sources::{Endpoint, HttpClient};

const QUERY: &str = r#"{app="warroom", incident="raw"}"#;

/// A TCP relay to `upstream`; `cut()` drops every open connection.
struct Relay {
    url: String,
    cut: broadcast::Sender<()>,
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (cut, _) = broadcast::channel(4);
        let cuts = cut.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut stop = cuts.subscribe();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = stop.recv() => {}
                    }
                });
            }
        });
        Relay { url, cut }
    }

    fn cut(&self) {
        let _ = self.cut.send(());
    }
}

/// A TCP relay to `upstream` that forwards everything but the tail's text
/// messages containing `needle`: the websocket stays open, its pings and
/// other messages go through, that message never arrives.
async fn swallowing_relay(upstream: SocketAddr, needle: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else { return };
                let (mut client_rd, mut client_wr) = client.into_split();
                let (mut server_rd, mut server_wr) = server.into_split();
                // The request's head says whether this is the tail.
                let mut head = Vec::new();
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    let mut buf = [0u8; 1024];
                    match client_rd.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let tail = head.starts_with(b"GET /loki/api/v1/tail");
                if server_wr.write_all(&head).await.is_err() {
                    return;
                }
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut client_rd, &mut server_wr).await;
                });
                if !tail {
                    let _ = tokio::io::copy(&mut server_rd, &mut client_wr).await;
                    return;
                }
                let _ = swallow(&mut server_rd, &mut client_wr, needle).await;
            });
        }
    });
    url
}

/// Forwards the response head, then each websocket frame (unmasked, from
/// the server) but the text frames containing `needle`.
async fn swallow(
    from: &mut (impl AsyncReadExt + Unpin),
    to: &mut (impl AsyncWriteExt + Unpin),
    needle: &str,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(from.read_u8().await?);
    }
    to.write_all(&head).await?;
    loop {
        let mut frame = vec![from.read_u8().await?, from.read_u8().await?];
        let len = match frame[1] & 0x7f {
            126 => {
                let n = from.read_u16().await?;
                frame.extend_from_slice(&n.to_be_bytes());
                u64::from(n)
            }
            127 => {
                let n = from.read_u64().await?;
                frame.extend_from_slice(&n.to_be_bytes());
                n
            }
            n => u64::from(n),
        };
        let mut payload = vec![0u8; usize::try_from(len).expect("frame size")];
        from.read_exact(&mut payload).await?;
        let text = frame[0] & 0x0f == 1;
        if text && payload.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            continue;
        }
        frame.extend_from_slice(&payload);
        to.write_all(&frame).await?;
    }
}

fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().expect("now")
}

fn entry(ts: i64, id: &str) -> PushEntry {
    let metadata: Labels = [("author".to_string(), "carol".to_string())].into();
    PushEntry { ts_ns: ts, line: format!("{{\"id\":\"{id}\"}}"), metadata }
}

async fn push(c: &LokiClient, entries: Vec<PushEntry>) {
    let labels: Labels =
        [("app", "warroom"), ("incident", "raw")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    c.push(&[PushStream { labels, entries }]).await.expect("push");
}

fn id(l: &RawLine) -> String {
    l.text.as_str().expect("a line").to_string()
}

/// Batches until `done`, or a panic after 10 s.
async fn collect(
    rx: &mut mpsc::UnboundedReceiver<LogBatch<RawLine>>,
    all: &mut Vec<LogBatch<RawLine>>,
    done: impl Fn(&[LogBatch<RawLine>]) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(all) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(b)) => all.push(b),
            _ => panic!("timed out; batches so far: {all:#?}"),
        }
    }
}

fn ids(all: &[LogBatch<RawLine>]) -> Vec<String> {
    all.iter().flat_map(|b| b.lines.iter().map(id)).collect()
}

fn has(all: &[LogBatch<RawLine>], needle: &str) -> bool {
    ids(all).iter().any(|i| i.contains(needle))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_then_live_then_a_cut_connection_loses_and_repeats_nothing() {
    let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
    let drill = DrillServer::start(sc, DrillOptions::default()).await.expect("drill");
    let relay = Relay::start(drill.addr()).await;
    let mut ep = Endpoint::from_url(&relay.url);
    ep.timeout = Some(Duration::from_secs(2));
    let client = LokiClient::new(HttpClient::new(&ep).expect("client"), "share");
    // Pushes go straight to the drill: only the follower's connections are cut.
    let pusher = LokiClient::new(HttpClient::new(&Endpoint::from_url(&drill.loki_url())).expect("client"), "push");
    let t0 = now_ns() - 60_000_000_000;
    let mut history: Vec<PushEntry> = (0..10).map(|i| entry(t0, &format!("same-ns-{i}"))).collect();
    history.extend((0..15).map(|i| entry(t0 + 1 + i, &format!("h{i}"))));
    push(&pusher, history).await;

    let settings = FollowSettings { limit: 4, poll_every: Duration::from_millis(100), ..FollowSettings::default() };
    let spec = FollowSpec { generation: 3, query: QuerySpec::LogQl(QUERY.into()), start_ns: t0, settings };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = follow_raw(client.clone(), spec, move |b| tx.send(b).is_ok());
    let mut all = Vec::new();
    collect(&mut rx, &mut all, |b| b.iter().any(|b| b.mode == Some(FollowMode::Tail))).await;
    let initial: Vec<&LogBatch<RawLine>> = all.iter().filter(|b| b.kind == BatchKind::Initial).collect();
    assert!(initial.len() >= 3, "paged: {} pages", initial.len());
    assert_eq!(initial.iter().map(|b| b.lines.len()).sum::<usize>(), 25, "the whole history, once");
    assert!(initial[0].lines.iter().all(|l| l.metadata["author"] == "carol" && l.labels["incident"] == "raw"));
    let stamps: Vec<i64> = initial.iter().flat_map(|b| b.lines.iter().map(|l| l.ts_ns)).collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    push(&pusher, vec![entry(now_ns(), "live-1")]).await;
    collect(&mut rx, &mut all, |b| has(b, "live-1")).await;
    // A teammate's line with a timestamp older than what was seen.
    push(&pusher, vec![entry(now_ns() - 120_000_000_000, "late-1")]).await;
    collect(&mut rx, &mut all, |b| has(b, "late-1")).await;

    relay.cut();
    push(&pusher, vec![entry(now_ns(), "while-cut-1"), entry(now_ns() - 30_000_000_000, "while-cut-late")]).await;
    let tails = |b: &[LogBatch<RawLine>]| b.iter().filter(|b| b.mode == Some(FollowMode::Tail)).count();
    collect(&mut rx, &mut all, |b| has(b, "while-cut-1") && has(b, "while-cut-late") && tails(b) >= 2).await;
    push(&pusher, vec![entry(now_ns(), "live-2")]).await;
    collect(&mut rx, &mut all, |b| has(b, "live-2")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(b) = rx.try_recv() {
        all.push(b);
    }
    task.abort();

    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for i in ids(&all) {
        *count.entry(i).or_default() += 1;
    }
    assert_eq!(count.len(), 30, "{count:?}");
    assert!(count.values().all(|n| *n == 1), "every line once: {count:?}");
    assert!(all.iter().all(|b| b.generation == 3 && b.skipped == 0 && b.dropped == 0));
    drill.shutdown().await;
}

/// A tail is Loki's best effort: a line it never delivers (here swallowed
/// by a relay, the websocket left open) is still read, by the late window's
/// re-read every few polls, without the tail being reconnected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_the_tail_never_delivers_is_read_again_while_it_stays_open() {
    let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
    let drill = DrillServer::start(sc, DrillOptions::default()).await.expect("drill");
    let url = swallowing_relay(drill.addr(), "swallowed").await;
    let mut ep = Endpoint::from_url(&url);
    ep.timeout = Some(Duration::from_secs(2));
    let client = LokiClient::new(HttpClient::new(&ep).expect("client"), "share");
    let pusher = LokiClient::new(HttpClient::new(&Endpoint::from_url(&drill.loki_url())).expect("client"), "push");
    let t0 = now_ns() - 60_000_000_000;
    push(&pusher, vec![entry(t0, "h0")]).await;

    let settings = FollowSettings { poll_every: Duration::from_millis(100), ..FollowSettings::default() };
    let spec = FollowSpec { generation: 1, query: QuerySpec::LogQl(QUERY.into()), start_ns: t0, settings };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let task = follow_raw(client, spec, move |b| tx.send(b).is_ok());
    let mut all = Vec::new();
    collect(&mut rx, &mut all, |b| b.iter().any(|b| b.mode == Some(FollowMode::Tail)) && has(b, "h0")).await;
    push(&pusher, vec![entry(now_ns(), "live-1")]).await;
    collect(&mut rx, &mut all, |b| has(b, "live-1")).await;
    push(&pusher, vec![entry(now_ns(), "swallowed-1")]).await;
    push(&pusher, vec![entry(now_ns(), "live-2")]).await;
    collect(&mut rx, &mut all, |b| has(b, "live-2") && has(b, "swallowed-1")).await;
    task.abort();

    let tails = all.iter().filter(|b| b.mode == Some(FollowMode::Tail)).count();
    assert_eq!(tails, 1, "read again with the tail open, not by reconnecting: {all:#?}");
    assert!(all.iter().all(|b| b.error.is_none()), "{all:#?}");
    let got = ids(&all);
    for want in ["h0", "live-1", "swallowed-1", "live-2"] {
        assert_eq!(got.iter().filter(|i| i.contains(want)).count(), 1, "{want} once: {got:?}");
    }
    drill.shutdown().await;
}
