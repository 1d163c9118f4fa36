//! Three machines on one shared incident, each a real process (this test
//! binary re-executed) with its own incident directory and host name, its
//! own outbox and receiver (`app::share::Sharing`), on one Loki (the drill's,
//! served by the parent). The first declares; the others join; then all
//! three write 100 notes each at once, and each captures the same alert
//! firing under its own record id. Afterwards every journal holds the same
//! 300 notes, none twice, every post-mortem is the same document, and the
//! alert shows once in it.

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use warroom::app::share::{ShareSettings, Sharing, fetch_into};
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};
use warroom::incident::{self, Declaration, Event, Journal, Record, journal_path};
use warroom::sources::loki::LokiClient;
use warroom::sources::{Endpoint, HttpClient};

const MACHINE_ENV: &str = "WARROOM_TEST_SHARE_MACHINE";
const TEST_NAME: &str = "three_machines_writing_at_once_end_with_one_record";
const NOTES: usize = 100;
const MACHINES: [&str; 3] = ["alice-bastion", "bob-laptop", "carol-home"];

fn starts_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-02T09:58:00Z").expect("time").with_timezone(&Utc)
}

fn settings(loki: &str) -> ShareSettings {
    let mut ep = Endpoint::from_url(loki);
    ep.timeout = Some(Duration::from_secs(5));
    let client = LokiClient::new(HttpClient::new(&ep).expect("client"), "loki");
    ShareSettings { client, lookback: Duration::from_secs(3600), poll: Duration::from_secs(1) }
}

fn notes(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .filter_map(|r| match &r.event {
            Event::Note { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// One machine: `dir|id|host|loki|declare-time`. Joins (unless it holds
/// the declaration), shares, writes its notes and its capture, and stays
/// until its journal has every machine's notes.
fn run_machine(spec: &str) {
    let [dir, id, host, loki] = spec.split('|').collect::<Vec<_>>()[..] else { panic!("bad spec {spec}") };
    let dir = Path::new(dir);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let settings = settings(loki);
        if !journal_path(dir, id).exists() {
            let deadline = Instant::now() + Duration::from_secs(30);
            while let Err(e) = fetch_into(&settings, dir, id).await {
                assert!(Instant::now() < deadline, "{host} cannot join: {e:#}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let mut journal = Journal::open(dir, id).expect("journal");
        journal.set_host(host);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let sharing = Sharing::start(&settings, dir, id, (host, host), None, tx);
        let fired = Event::AlertFired {
            fingerprint: "4d3c2b1a".into(),
            alertname: "DatabaseDown".into(),
            severity: "critical".into(),
            labels: Default::default(),
            summary: format!("seen by {host}"),
            runbook_url: None,
        };
        journal.append(&Record::new(starts_at(), "console", fired)).expect("capture");
        for i in 0..NOTES {
            let text = format!("{host} note {i:03}");
            journal.append(&Record::new(Utc::now(), host, Event::Note { id: String::new(), text })).expect("note");
            sharing.wake();
        }
        let written = Journal::read_all(&journal_path(dir, id)).expect("read").records.len();
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut seen = 0;
        loop {
            seen += notes(&journal.read_new().expect("read").records).len();
            if seen >= NOTES * MACHINES.len() {
                break;
            }
            assert!(Instant::now() < deadline, "{host} has {seen} notes of {}", NOTES * MACHINES.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Stay until Loki has ours (the outbox's marker is past them): the
        // others wait for them.
        while incident::share::Marker::load(&dir.join(id)).records < written {
            assert!(Instant::now() < deadline, "{host}'s notes not all pushed");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

fn spawn(dir: &Path, id: &str, host: &str, loki: &str) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([TEST_NAME, "--exact", "--nocapture"])
        .env(MACHINE_ENV, format!("{}|{id}|{host}|{loki}", dir.display()))
        .spawn()
        .expect("spawn a machine")
}

#[test]
fn three_machines_writing_at_once_end_with_one_record() {
    if let Ok(spec) = std::env::var(MACHINE_ENV) {
        run_machine(&spec);
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let drill = rt.block_on(async {
        let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
        DrillServer::start(sc, DrillOptions::default()).await.expect("drill")
    });
    let loki = drill.loki_url();
    let root = tempfile::tempdir().expect("tmp");
    let dirs: Vec<_> = MACHINES.iter().map(|m| root.path().join(m)).collect();
    let decl = Declaration {
        title: "three machines".into(),
        severity: "critical".into(),
        commander: "alice".into(),
        at: Utc::now(),
        author: "alice".into(),
    };
    let id = Journal::create_on(&dirs[0], &decl, MACHINES[0]).expect("declare").id().to_string();
    let mut children: Vec<Child> = MACHINES.iter().zip(&dirs).map(|(m, d)| spawn(d, &id, m, &loki)).collect();
    let deadline = Instant::now() + Duration::from_secs(180);
    while children.iter_mut().any(|c| c.try_wait().expect("wait").is_none()) {
        assert!(Instant::now() < deadline, "the machines took too long");
        std::thread::sleep(Duration::from_millis(100));
    }
    for c in &mut children {
        assert!(c.wait().expect("status").success(), "a machine failed");
    }

    let journals: Vec<Vec<Record>> = dirs
        .iter()
        .map(|d| {
            let read = Journal::read_all(&journal_path(d, &id)).expect("read");
            assert!(read.warnings.is_empty(), "{:?}", read.warnings);
            read.records
        })
        .collect();
    let mut expected: Vec<String> =
        MACHINES.iter().flat_map(|m| (0..NOTES).map(move |i| format!("{m} note {i:03}"))).collect();
    expected.sort();
    for (m, records) in MACHINES.iter().zip(&journals) {
        let mut got = notes(records);
        got.sort();
        assert_eq!(got, expected, "{m}'s journal: every note once");
    }
    let merged: Vec<Vec<String>> = journals.iter().map(|r| notes(&incident::merge::union(r.clone()))).collect();
    assert!(merged.windows(2).all(|w| w[0] == w[1]), "the same notes in the same order on every machine");
    let postmortems: Vec<String> = dirs
        .iter()
        .map(|d| incident::postmortem_of(d, &id, &incident::postmortem::Layout::default()).expect("post-mortem").0)
        .collect();
    assert!(postmortems.windows(2).all(|w| w[0] == w[1]), "one post-mortem:\n{}", postmortems[0]);
    let timeline = incident::Timeline::build(&incident::merge::union(journals[0].clone()));
    assert_eq!(timeline.alerts.len(), 1, "the alert captured by three consoles shows once");
    assert_eq!(postmortems[0].matches("alert firing: DatabaseDown").count(), 1, "{}", postmortems[0]);
    rt.block_on(drill.shutdown());
}
