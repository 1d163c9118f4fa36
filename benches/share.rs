//! The shared war room over the drill's Loki, in one process: two engineers'
//! workers (`app::share::Sharing`), each with its own incident directory and
//! host. Measures
//! - propagation A → B: a note appended (fsync'd) on A until B's journal
//!   has it, p50/p99/max, with Loki's tail and with the tail refused
//!   (a relay answering 403 to `/tail`, so B polls every second);
//! - bytes pushed per note (the line, and gzip'd alone);
//! - joining a 10 000-record shared incident: reading the stream, checking
//!   every line and writing the journal (`fetch_into`), and the union the
//!   console folds on load.
//!
//! `cargo bench --bench share` for the figures (200 notes each way);
//! `cargo test --all-targets` runs it once, small (10 notes, 3 polled, 500 records).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use warroom::app::share::{ShareSettings, Sharing, fetch_into};
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};
use warroom::incident::{Declaration, Event, Journal, Record, merge, recid, share};
use warroom::sources::loki::{LokiClient, PushEntry, PushStream, gzip, now_ns};
use warroom::sources::{Endpoint, HttpClient};

/// A relay to `upstream` that refuses Loki's tail (403), as a proxy
/// without websockets does: the follower polls instead.
async fn no_tail_relay(upstream: SocketAddr) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = vec![0u8; 4096];
                let Ok(n) = client.read(&mut head).await else { return };
                if String::from_utf8_lossy(&head[..n]).contains("/loki/api/v1/tail") {
                    let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n").await;
                    return;
                }
                let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                if server.write_all(&head[..n]).await.is_err() {
                    return;
                }
                let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
            });
        }
    });
    url
}

fn settings(url: &str, poll: Duration) -> ShareSettings {
    let mut ep = Endpoint::from_url(url);
    ep.timeout = Some(Duration::from_secs(5));
    let client = LokiClient::new(HttpClient::new(&ep).expect("client"), "bench");
    ShareSettings { client, lookback: Duration::from_secs(3600), poll }
}

fn note(text: String) -> Record {
    Record::new(Utc::now(), "alice", Event::Note { id: String::new(), text })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Whether `b`'s journal has a note saying `text` (reading on from where
/// the last call stopped).
fn has_note(b: &mut Journal, seen: &mut Vec<String>, text: &str) -> bool {
    if let Ok(read) = b.read_new() {
        for r in read.records {
            if let Event::Note { text, .. } = r.event {
                seen.push(text);
            }
        }
    }
    seen.iter().any(|t| t == text)
}

async fn propagation(drill: &DrillServer, b_url: &str, notes: usize, label: &str) -> Vec<Duration> {
    let (dir_a, dir_b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let decl = Declaration {
        title: format!("bench {label}"),
        severity: "critical".into(),
        commander: "alice".into(),
        at: Utc::now(),
        author: "alice".into(),
    };
    let mut a = Journal::create_on(dir_a.path(), &decl, "bench-a").expect("declare");
    let id = a.id().to_string();
    let (tx, mut rx) = mpsc::unbounded_channel();
    tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let sa = settings(&drill.loki_url(), Duration::from_secs(1));
    let share_a = Sharing::start(&sa, dir_a.path(), &id, ("alice", "bench-a"), Some(decl.at), tx.clone());
    let sb = settings(b_url, Duration::from_secs(1));
    let deadline = Instant::now() + Duration::from_secs(20);
    while fetch_into(&sb, dir_b.path(), &id).await.is_err() {
        assert!(Instant::now() < deadline, "the declaration never reached Loki");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _share_b = Sharing::start(&sb, dir_b.path(), &id, ("bob", "bench-b"), Some(decl.at), tx);
    let mut b = Journal::open(dir_b.path(), &id).expect("b's journal");
    let mut seen = Vec::new();
    // Let B's follower finish its first read and start following.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut times = Vec::with_capacity(notes);
    for i in 0..notes {
        let text = format!("{label} note {i}");
        let t0 = Instant::now();
        a.append(&note(text.clone())).expect("append");
        share_a.wake();
        let deadline = t0 + Duration::from_secs(30);
        while !has_note(&mut b, &mut seen, &text) {
            assert!(Instant::now() < deadline, "note {i} never reached B");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        times.push(t0.elapsed());
    }
    times.sort();
    times
}

fn report(label: &str, t: &[Duration]) {
    println!(
        "propagation A -> B, {label}: {} notes, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        t.len(),
        percentile(t, 0.5).as_secs_f64() * 1e3,
        percentile(t, 0.99).as_secs_f64() * 1e3,
        t.last().expect("some").as_secs_f64() * 1e3
    );
}

/// Pushes a shared incident of `n` records (a declaration, then notes)
/// straight to Loki, then joins it from a fresh directory.
async fn join_cost(drill: &DrillServer, n: usize) {
    let id = format!("bench-join-{n}");
    let client = settings(&drill.loki_url(), Duration::from_secs(1)).client;
    let host = "bench-c";
    let mut records = vec![
        Record::new(
            Utc::now(),
            "carol",
            Event::Declared { title: "join".into(), severity: "critical".into(), commander: "carol".into() },
        )
        .with_id(recid::new_id(host), host),
    ];
    records.extend((1..n).map(|i| {
        Record::new(
            Utc::now(),
            "carol",
            Event::Note { id: String::new(), text: format!("note {i}: {}", "x".repeat(80)) },
        )
        .with_id(recid::new_id(host), host)
    }));
    let t0 = now_ns() - 600_000_000_000;
    for (chunk_no, chunk) in records.chunks(500).enumerate() {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, r)| PushEntry {
                ts_ns: t0 + (chunk_no * 500 + i) as i64,
                line: share::encode(r).expect("encode"),
                metadata: Default::default(),
            })
            .collect();
        client.push(&[PushStream { labels: share::stream_labels(&id), entries }]).await.expect("push");
    }
    let dir = tempfile::tempdir().expect("tmp");
    let settings = settings(&drill.loki_url(), Duration::from_secs(1));
    let start = Instant::now();
    let added = fetch_into(&settings, dir.path(), &id).await.expect("join");
    let joined = start.elapsed();
    assert_eq!(added, n);
    let read = Journal::read_all(&warroom::incident::journal_path(dir.path(), &id)).expect("read");
    let start = Instant::now();
    let merged = merge::union(read.records);
    let union = start.elapsed();
    assert_eq!(merged.len(), n);
    println!(
        "join a {n}-record shared incident: read, check and write the journal {:.0} ms; the console's union {:.1} ms",
        joined.as_secs_f64() * 1e3,
        union.as_secs_f64() * 1e3
    );
}

fn bytes_per_note() {
    let rec = note("pool exhausted on db-1: pgbouncer at 100/100, restarting api-2".into())
        .with_id(recid::new_id("bastion-eu-1"), "bastion-eu-1");
    let line = share::encode(&rec).expect("encode");
    let one = PushStream {
        labels: share::stream_labels("2026-12-02-databasedown-postgresql-postgres-primary-9187-is-down"),
        entries: vec![PushEntry { ts_ns: now_ns(), line: line.clone(), metadata: Default::default() }],
    };
    let body = warroom::sources::loki::encode_push(&[one]);
    println!(
        "bytes per note: line {} B; a push of it alone {} B JSON, {} B gzip'd",
        line.len(),
        body.len(),
        gzip(&body).len()
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (notes, polled, records) = if full { (200, 50, 10_000) } else { (10, 3, 500) };
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
        let drill = DrillServer::start(sc, DrillOptions::default()).await.expect("drill");
        let tail = propagation(&drill, &drill.loki_url(), notes, "tail").await;
        report("tail", &tail);
        let relay = no_tail_relay(drill.addr()).await;
        let polled = propagation(&drill, &relay, polled, "polling").await;
        report("tail refused, polling every 1 s", &polled);
        bytes_per_note();
        join_cost(&drill, records).await;
        drill.shutdown().await;
    });
}
