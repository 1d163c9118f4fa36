//! The Loki client of the shared war room through the bearer-checking
//! gateway, to the drill's Loki in multi-tenant mode: a push, a raw
//! `query_range`, forward pages and the raw tail all carry the token and
//! the tenant (the drill answers 401 `no org id` without it), and a wrong
//! token or tenant is a 401 or 403 with the echoed token redacted.

use std::time::Duration;

use warroom::drill::{DrillOptions, DrillServer, LokiOptions, Scenario, ScenarioSource};
use warroom::model::Labels;
use warroom::sources::loki::{ForwardReader, LokiClient, PushEntry, PushError, PushStream, RawText};
use warroom::sources::{Endpoint, HttpClient, SecretRef, SourceError};

use super::assert_clean;
use super::loki_proxy::{LOKI_TOKEN, start_loki_gateway};
use super::proxy::TENANT;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn client(url: &str, token: &str, tenant: &str) -> LokiClient {
    let mut ep = Endpoint::from_url(url);
    ep.bearer_token = Some(SecretRef { value: Some(token.into()), ..SecretRef::default() });
    ep.headers.insert("X-Scope-OrgID".into(), tenant.into());
    ep.timeout = Some(Duration::from_secs(5));
    LokiClient::new(HttpClient::new(&ep).expect("client"), "share")
}

fn now_ns() -> i64 {
    chrono::Utc::now().timestamp_nanos_opt().expect("now")
}

fn record(ts: i64, n: usize) -> PushEntry {
    let line = format!("{{\"v\":2,\"id\":\"r{n}\",\"kind\":\"note\",\"text\":\"note {n}\"}}");
    PushEntry { ts_ns: ts, line, metadata: labels(&[("author", "alice"), ("host", "bastion-1")]) }
}

fn text(t: &RawText) -> &str {
    t.as_str().expect("a line within the cap")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_reads_and_tail_carry_the_token_and_the_tenant() {
    let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
    let loki = LokiOptions { multi_tenant: true, ..LokiOptions::default() };
    let drill = DrillServer::start(sc, DrillOptions { loki, ..DrillOptions::default() }).await.expect("drill");
    let gw = format!("{}/loki-share", start_loki_gateway(&drill.loki_url()).await);
    let c = client(&gw, LOKI_TOKEN, TENANT);
    let stream = labels(&[("app", "warroom"), ("incident", "i-auth")]);
    let t0 = now_ns();
    let entries = (0..3).map(|n| record(t0 + n as i64, n)).collect();
    c.push(&[PushStream { labels: stream.clone(), entries }]).await.expect("pushed through the gateway");

    let sel = r#"{app="warroom", incident="i-auth"}"#;
    let mut reader = ForwardReader::new(c.clone(), sel, t0, now_ns() + 1, 2);
    let first = reader.next_page().await.expect("page").expect("two lines");
    let second = reader.next_page().await.expect("page").expect("one line");
    assert!(reader.next_page().await.expect("end").is_none());
    let texts: Vec<&str> = first.iter().chain(&second).map(|l| text(&l.text)).collect();
    assert_eq!(texts.len(), 3);
    assert!(texts[2].contains("\"id\":\"r2\""), "{texts:?}");
    assert_eq!(first[0].metadata["author"], "alice", "structured metadata apart");
    assert_eq!(first[0].labels.get("incident").map(String::as_str), Some("i-auth"));
    assert!(!first[0].labels.contains_key("author"), "not folded into the labels");

    let mut tail = c.tail_raw(sel, t0, 100).await.expect("the tail through the gateway");
    let backfill = tail.next_raw().await.expect("a message").expect("lines");
    assert_eq!(backfill.lines.len(), 3);
    c.push(&[PushStream { labels: stream.clone(), entries: vec![record(now_ns(), 3)] }]).await.expect("push");
    let live = tokio::time::timeout(Duration::from_secs(5), tail.next_raw()).await.expect("in time");
    let live = live.expect("a message").expect("lines");
    assert!(text(&live.lines[0].text).contains("\"id\":\"r3\""));
    tail.close().await;

    // The tenant reached Loki: the drill keeps team-a's lines apart.
    let direct = |tenant: &str| {
        let mut ep = Endpoint::from_url(&drill.loki_url());
        ep.headers.insert("X-Scope-OrgID".into(), tenant.into());
        LokiClient::new(HttpClient::new(&ep).expect("client"), "direct")
    };
    let span = |c: LokiClient| ForwardReader::new(c, sel, t0, now_ns() + 1, 100);
    assert_eq!(span(direct(TENANT)).next_page().await.expect("page").map(|p| p.len()), Some(4));
    assert_eq!(span(direct("team-b")).next_page().await.expect("page"), None);

    let wrong = client(&gw, "wrong-5Hc1-SEKRIT", TENANT);
    let e = wrong.push(&[PushStream { labels: stream.clone(), entries: vec![record(now_ns(), 9)] }]).await.unwrap_err();
    assert!(matches!(&e, PushError::Unauthorized(m) if m.contains("***")), "{e:?}");
    assert!(!e.is_retryable());
    assert_clean("push error", &format!("{e} {e:?}"));
    let e = span(wrong.clone()).next_page().await.unwrap_err();
    assert!(matches!(e, SourceError::Unauthorized(_)), "{e:?}");
    assert_clean("read error", &format!("{e} {e:?}"));
    let e = wrong.tail_raw(sel, t0, 10).await.unwrap_err();
    assert!(matches!(e, SourceError::Unauthorized(_)), "{e:?}");
    assert_clean("tail error", &format!("{e} {e:?}"));
    let other = client(&gw, LOKI_TOKEN, "team-b");
    let e = other.push(&[PushStream { labels: stream, entries: vec![record(now_ns(), 9)] }]).await.unwrap_err();
    assert_eq!(e.to_string(), "403 forbidden: tenant \"team-b\" not allowed");
    drill.shutdown().await;
}

/// The shared room's workers through the same gateway: with the wrong token
/// the status is `401 unauthorized` and the note stays unsent (never lost);
/// with the right one the teammate's journal gets it, and no line pushed
/// holds the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_incident_goes_through_the_gateway_and_a_wrong_token_says_401() {
    use warroom::app::share::{ShareSettings, Sharing, fetch_into};
    use warroom::incident::{Declaration, Event, Journal, Record};
    use warroom::model::{ShareMsg, SharePush};
    use warroom::msg::Msg;

    let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
    let loki = LokiOptions { multi_tenant: true, ..LokiOptions::default() };
    let drill = DrillServer::start(sc, DrillOptions { loki, ..DrillOptions::default() }).await.expect("drill");
    let gw = format!("{}/loki-share", start_loki_gateway(&drill.loki_url()).await);
    let settings = |token: &str| ShareSettings {
        client: client(&gw, token, TENANT),
        lookback: Duration::from_secs(3600),
        poll: Duration::from_secs(1),
    };
    let (dir_a, dir_b) = (tempfile::tempdir().expect("tmp"), tempfile::tempdir().expect("tmp"));
    let decl = Declaration {
        title: "auth".into(),
        severity: "critical".into(),
        commander: "alice".into(),
        at: chrono::Utc::now(),
        author: "alice".into(),
    };
    let mut a = Journal::create_on(dir_a.path(), &decl, "alice-host").expect("declare");
    let id = a.id().to_string();
    a.append(&Record::new(
        chrono::Utc::now(),
        "alice",
        Event::Note { id: String::new(), text: "behind the gateway".into() },
    ))
    .expect("note");

    let wrong = "not-the-token-SEKRIT";
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let bad = Sharing::start(&settings(wrong), dir_a.path(), &id, ("alice", "alice-host"), Some(decl.at), tx);
    let status = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match rx.recv().await.expect("a report") {
                Msg::Share(ShareMsg::Push(p @ SharePush { error: Some(_), .. })) => return p,
                _ => continue,
            }
        }
    })
    .await
    .expect("a failure reported in time");
    let error = status.error.clone().expect("an error");
    assert!(error.contains("401"), "{status:?}");
    assert_eq!(status.unsent, 2, "the declaration and the note wait: {status:?}");
    assert_clean("the share status", &format!("{status:?}"));
    drop(bad);

    // The dropped worker may still hold the outbox's lock for a moment: the
    // new one then says `elsewhere` (nothing unsent *by it*) and takes the
    // lock on its next try; only its own all-sent report counts.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _good = Sharing::start(&settings(LOKI_TOKEN), dir_a.path(), &id, ("alice", "alice-host"), Some(decl.at), tx);
    tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            if let Msg::Share(ShareMsg::Push(SharePush { unsent: 0, error: None, elsewhere: false, .. })) =
                rx.recv().await.expect("a report")
            {
                return;
            }
        }
    })
    .await
    .expect("sent in time");
    let added = fetch_into(&settings(LOKI_TOKEN), dir_b.path(), &id).await.expect("bob joins");
    assert_eq!(added, 2);
    let journal = std::fs::read_to_string(warroom::incident::journal_path(dir_b.path(), &id)).expect("journal");
    assert!(journal.contains("behind the gateway"), "{journal}");
    assert_clean("the joined journal", &journal);
}
