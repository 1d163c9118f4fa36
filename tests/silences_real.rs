//! Silences through the console against real Alertmanager 0.25: `s` creates
//! one (seen by amtool and on the board), `a` acks and a re-ack extends the
//! ack, the silences view extends and expires, the incident journal records
//! each write; two clustered members show one board, both get the silence,
//! and writes go on through the second when the first stops.

mod support;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;
use support::Alertmanager;
use support::api::{self, alert_body};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::incident::Event;
use warroom::model::AlertState;
use warroom::msg::Msg;
use warroom::sources::Endpoint;

fn config(ams: &[&str], incident_dir: Option<&std::path::Path>) -> Config {
    Config {
        refresh: Duration::from_millis(300),
        alertmanager: ams.iter().map(|u| Endpoint::from_url(u)).collect(),
        show_muted: true,
        incident_dir: incident_dir.map(std::path::Path::to_path_buf),
        ..Config::default()
    }
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn press(c: &mut Console, keys: &str) {
    for ch in keys.chars() {
        c.handle(key(KeyCode::Char(ch)));
    }
}

/// Feeds the console its own messages until `done` holds (or panics).
async fn run_until(console: &mut Console, what: &str, secs: u64, done: impl Fn(&Console) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(console) {
        let msg = tokio::time::timeout_at(deadline, console.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}; flash: {:?}", console.state.view.flash))
            .expect("channel open");
        console.handle(msg);
    }
}

fn flash(c: &Console) -> String {
    c.state.view.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default()
}

/// Moves the board selection to the alert whose labels include all `want`.
fn select(c: &mut Console, want: &[(&str, &str)]) {
    c.handle(key(KeyCode::Char('g')));
    for _ in 0..20 {
        let hit = c
            .state
            .alerts
            .selected()
            .is_some_and(|s| want.iter().all(|(k, v)| s.alert.labels.get(*k).map(String::as_str) == Some(*v)));
        if hit {
            return;
        }
        c.handle(key(KeyCode::Char('j')));
    }
    panic!("no alert with {want:?} on the board");
}

async fn silences(url: &str) -> Vec<Value> {
    let v = api::get_json(&api::client(), &format!("{url}/api/v2/silences")).await.unwrap_or_default();
    v.as_array().cloned().unwrap_or_default()
}

fn active_with_comment<'a>(list: &'a [Value], prefix: &str) -> Vec<&'a Value> {
    list.iter()
        .filter(|s| s["status"]["state"] == "active" && s["comment"].as_str().unwrap_or("").starts_with(prefix))
        .collect()
}

fn ends_at(s: &Value) -> chrono::DateTime<chrono::Utc> {
    s["endsAt"].as_str().and_then(|t| t.parse().ok()).expect("endsAt")
}

fn amtool_silence_comments(am: &str) -> Vec<String> {
    let out = support::servers::AMTOOL
        .command()
        .args(["--alertmanager.url", am, "silence", "query", "-o", "json"])
        .output()
        .expect("amtool runs (scripts/install-test-deps.sh installs it)");
    assert!(out.status.success(), "amtool: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("amtool prints JSON");
    v.as_array().into_iter().flatten().filter_map(|s| s["comment"].as_str().map(str::to_string)).collect()
}

fn journal_has(c: &Console, f: impl Fn(&Event) -> bool) -> bool {
    c.state.incident.records().iter().any(|r| f(&r.event))
}

const API_DOWN: &[(&str, &str)] = &[("alertname", "ApiDown"), ("severity", "critical"), ("service", "api")];
const DISK_A: &[(&str, &str)] = &[("alertname", "DiskFull"), ("severity", "warning"), ("instance", "a")];
const DISK_B: &[(&str, &str)] = &[("alertname", "DiskFull"), ("severity", "warning"), ("instance", "b")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silence_ack_extend_expire_through_the_console() {
    let am = Alertmanager::start();
    let http = api::client();
    for labels in [API_DOWN, DISK_A, DISK_B] {
        api::post_json(&http, &format!("{}/api/v2/alerts", am.url), &alert_body(labels)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut c = Console::start(&config(&[&am.url], Some(dir.path())), Options::default()).unwrap();
    run_until(&mut c, "three alerts", 20, |c| c.state.alerts.alerts.len() == 3).await;
    c.handle(key(KeyCode::Char('i')));
    c.handle(Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    run_until(&mut c, "incident declared", 10, |c| c.state.incident.id().is_some()).await;

    // s: the form, prefilled with ApiDown's labels; BackTab wraps to the comment.
    select(&mut c, API_DOWN);
    press(&mut c, "s");
    assert_eq!(c.state.silences.form.as_ref().unwrap().preview.count, 1);
    c.handle(key(KeyCode::BackTab));
    press(&mut c, "api deploy");
    c.handle(key(KeyCode::Enter));
    run_until(&mut c, "silence posted", 10, |c| flash(c).starts_with("silenced (id ")).await;
    assert!(c.state.silences.form.is_none());
    run_until(&mut c, "ApiDown silenced on the board", 15, |c| {
        c.state.alerts.alerts.iter().any(|b| b.alert.name() == "ApiDown" && b.alert.state == AlertState::Silenced)
    })
    .await;
    assert!(amtool_silence_comments(&am.url).contains(&"api deploy".to_string()));
    assert!(journal_has(&c, |e| matches!(e, Event::SilenceCreated { comment, .. } if comment == "api deploy")));

    // a: an ack on exactly DiskFull/a.
    select(&mut c, DISK_A);
    press(&mut c, "a");
    run_until(&mut c, "ack posted", 10, |c| flash(c).starts_with("acked until")).await;
    let first = silences(&am.url).await;
    let first = active_with_comment(&first, "ack by ");
    assert_eq!(first.len(), 1, "{first:?}");
    let (first_id, first_end) = (first[0]["id"].as_str().unwrap().to_string(), ends_at(first[0]));
    assert_eq!(first[0]["matchers"].as_array().unwrap().len(), 3);
    run_until(&mut c, "the ack known to the board", 15, |c| {
        let sel = c.state.alerts.selected().map(|s| s.alert.clone());
        sel.is_some_and(|a| c.state.silences.ack_for(&a, c.state.clock.now).is_some_and(|k| k.silence_id == first_id))
    })
    .await;

    // a again: the same ack, extended (replaced by id).
    select(&mut c, DISK_A);
    press(&mut c, "a");
    run_until(&mut c, "re-ack posted", 10, |c| flash(c).starts_with("acked until")).await;
    let all = silences(&am.url).await;
    let acks = active_with_comment(&all, "ack by ");
    assert_eq!(acks.len(), 1, "one active ack after a re-ack: {acks:?}");
    assert_eq!(acks[0]["matchers"], all.iter().find(|s| s["id"] == first_id.as_str()).unwrap()["matchers"]);
    let second_end = ends_at(acks[0]);
    assert!(second_end >= first_end + chrono::Duration::minutes(29), "{first_end} → {second_end}");
    if acks[0]["id"] != first_id.as_str() {
        let old = all.iter().find(|s| s["id"] == first_id.as_str()).unwrap();
        assert_eq!(old["status"]["state"], "expired", "a replaced ack is expired");
    }
    let ack_id = acks[0]["id"].as_str().unwrap().to_string();

    // S: the view; filter to the ack, + extends it, x y expires it.
    run_until(&mut c, "the re-ack polled", 15, |c| {
        c.state.silences.get(&ack_id).is_some_and(|s| s.ends_at == second_end)
    })
    .await;
    press(&mut c, "S/ack by");
    c.handle(key(KeyCode::Enter));
    press(&mut c, "+");
    run_until(&mut c, "extended", 10, |c| flash(c).starts_with("extended silence")).await;
    let all = silences(&am.url).await;
    let acks = active_with_comment(&all, "ack by ");
    assert!(ends_at(acks[0]) >= second_end + chrono::Duration::minutes(29));
    let ack_id = acks[0]["id"].as_str().unwrap().to_string();
    run_until(&mut c, "the extension polled", 15, |c| c.state.silences.get(&ack_id).is_some()).await;
    press(&mut c, "xy");
    run_until(&mut c, "expired", 10, |c| flash(c).starts_with("expired silence")).await;
    let all = silences(&am.url).await;
    assert!(active_with_comment(&all, "ack by ").is_empty(), "{all:?}");
    assert!(journal_has(&c, |e| matches!(e, Event::SilenceExpired { id } if *id == ack_id)));
    assert!(journal_has(&c, |e| matches!(e, Event::SilenceCreated { comment, .. } if comment.starts_with("ack by "))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clustered_members_share_silences_and_survive_the_first_stopping() {
    let mut first = Alertmanager::start_cluster_member(None);
    let second = Alertmanager::start_cluster_member(Some(&first.cluster_addr()));
    let http = api::client();
    // Prometheus sends every alert to every member; so does this test.
    for am in [&first, &second] {
        for labels in [API_DOWN, DISK_A] {
            api::post_json(&http, &format!("{}/api/v2/alerts", am.url), &alert_body(labels)).await;
        }
    }
    let mut c = Console::start(&config(&[&first.url, &second.url], None), Options::default()).unwrap();
    run_until(&mut c, "one deduplicated board", 20, |c| {
        c.state.alerts.alerts.len() == 2 && c.state.alerts.alerts.iter().all(|b| b.alert.sources.len() == 2)
    })
    .await;

    select(&mut c, API_DOWN);
    press(&mut c, "s");
    c.handle(key(KeyCode::BackTab));
    press(&mut c, "cluster test");
    c.handle(key(KeyCode::Enter));
    run_until(&mut c, "silence posted", 10, |c| flash(c).starts_with("silenced (id ")).await;
    let id = c.state.silences.merged.iter().find(|s| s.comment == "cluster test").unwrap().id.clone();
    for am in [&first, &second] {
        support::wait_for(&format!("silence {id} on {}", am.url), Duration::from_secs(10), || async {
            silences(&am.url).await.iter().any(|s| s["id"] == id.as_str()).then_some(())
        })
        .await;
    }

    // The first member stops: an ack still goes through the second.
    first.stop();
    select(&mut c, DISK_A);
    press(&mut c, "a");
    run_until(&mut c, "ack via the second member", 15, |c| flash(c).starts_with("acked until")).await;
    let second_name = second.url.trim_start_matches("http://").to_string();
    assert!(flash(&c).contains(&second_name), "{}", flash(&c));
    assert_eq!(active_with_comment(&silences(&second.url).await, "ack by ").len(), 1);
}
