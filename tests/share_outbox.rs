//! The shared room's outbox against a misbehaving Loki
//! (`robustness_support::hostile`): a 400 for the content is bisected down
//! to the record refused, which is kept local, listed in the marker with
//! Loki's message and never sent again; a 429 with `Retry-After` keeps the
//! records unsent and says so, and they go once Loki takes them.

mod robustness_support;

use std::time::Duration;

use robustness_support::hostile::{Hostile, Mode};
use tokio::sync::mpsc;
use warroom::app::share::{ShareSettings, Sharing};
use warroom::incident::share::Marker;
use warroom::incident::{Declaration, Event, Journal, Record};
use warroom::model::{ShareMsg, SharePush};
use warroom::msg::Msg;
use warroom::sources::HttpClient;
use warroom::sources::loki::LokiClient;

fn settings(url: &str) -> ShareSettings {
    let ep = robustness_support::hostile_endpoint("loki", url, Duration::from_secs(2));
    ShareSettings {
        client: LokiClient::new(HttpClient::new(&ep).expect("client"), "loki"),
        lookback: Duration::from_secs(3600),
        poll: Duration::from_secs(1),
    }
}

/// A declared incident with `notes` notes, by host `h`.
fn incident(dir: &std::path::Path, notes: usize) -> String {
    let decl = Declaration {
        title: "outbox".into(),
        severity: "critical".into(),
        commander: "alice".into(),
        at: chrono::Utc::now(),
        author: "alice".into(),
    };
    let mut j = Journal::create_on(dir, &decl, "h").expect("declare");
    for i in 0..notes {
        let note = Event::Note { id: String::new(), text: format!("note {i}") };
        j.append(&Record::new(chrono::Utc::now(), "alice", note)).expect("note");
    }
    j.id().to_string()
}

/// The first push status satisfying `f`, within 20 s.
async fn status(rx: &mut mpsc::UnboundedReceiver<Msg>, f: impl Fn(&SharePush) -> bool) -> SharePush {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Msg::Share(ShareMsg::Push(p)) = rx.recv().await.expect("the pusher reports")
                && f(&p)
            {
                return p;
            }
        }
    })
    .await
    .expect("the status in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_loki_refuses_is_kept_local_and_never_sent_again() {
    let too_long = "max entry size '256' bytes exceeded for stream '{app=\"warroom\"}'";
    let h = Hostile::start(Mode::status(400, too_long)).await;
    let dir = tempfile::tempdir().expect("tmp");
    let id = incident(dir.path(), 3);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let sharing = Sharing::start(&settings(&h.url()), dir.path(), &id, ("alice", "h"), None, tx);
    let done = status(&mut rx, |p| p.refused == 4).await;
    assert_eq!(done, SharePush { refused: 4, ..SharePush::default() }, "nothing left to send, nothing retried");
    let marker = Marker::load(&dir.path().join(&id));
    assert_eq!(marker.records, 4);
    assert_eq!(marker.refused.len(), 4);
    assert!(marker.refused.iter().all(|r| r.message.contains("max entry size")), "{marker:?}");
    drop(sharing);

    // A restart sends none of them again.
    h.set(Mode::Fixed { status: 204, content_type: "text/plain", body: Vec::new() });
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _again = Sharing::start(&settings(&h.url()), dir.path(), &id, ("alice", "h"), None, tx);
    let after = status(&mut rx, |_| true).await;
    assert_eq!(after, SharePush { refused: 4, ..SharePush::default() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_records_wait_and_go_once_loki_takes_them() {
    let limited = Mode::Headers {
        status: 429,
        headers: vec![("retry-after", "1".to_string())],
        body: b"Ingestion rate limit exceeded for user fake".to_vec(),
    };
    let h = Hostile::start(limited).await;
    let dir = tempfile::tempdir().expect("tmp");
    let id = incident(dir.path(), 2);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let _sharing = Sharing::start(&settings(&h.url()), dir.path(), &id, ("alice", "h"), None, tx);
    let waiting = status(&mut rx, |p| p.error.is_some()).await;
    assert_eq!(waiting.unsent, 3, "{waiting:?}");
    assert!(waiting.error.as_deref().is_some_and(|e| e.contains("429")), "{waiting:?}");
    assert_eq!(Marker::load(&dir.path().join(&id)).records, 0, "nothing marked sent");

    h.set(Mode::Fixed { status: 204, content_type: "text/plain", body: Vec::new() });
    let sent = status(&mut rx, |p| p.unsent == 0 && p.error.is_none()).await;
    assert_eq!(sent.refused, 0);
    assert_eq!(Marker::load(&dir.path().join(&id)).records, 3, "all three sent, in one go");
}
