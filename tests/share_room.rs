//! The shared war room, as two engineers on two machines use it: the real
//! binary twice in tmux, each with its own incident directory, user and
//! host name, on one Loki (the drill's, behind a relay on loopback that can
//! play an outage). Alice declares with `--share`; `warroom incidents`
//! lists it; Bob joins with `--join ID` and sees the timeline; a note typed
//! on either console is on the other's screen within seconds; while Loki is
//! unreachable Alice's notes wait as "N unsent", survive `kill -9`, and are
//! sent by the restarted console; a stranger's lines in the stream are
//! counted, never shown; Carol, a third machine, joins from a running
//! console with `:join`; Bob writes the handoff; all three post-mortems end
//! up the same document.

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::tmux::{Tmux, child_pid};
use tokio::net::{TcpListener, TcpStream};
use warroom::drill::{DrillOptions, DrillServer, Scenario, ScenarioSource};
use warroom::model::Labels;
use warroom::sources::loki::{LokiClient, PushEntry, PushStream};
use warroom::sources::{Endpoint, HttpClient};

const BIN: &str = env!("CARGO_BIN_EXE_warroom");

/// A TCP relay to the drill: while `down`, every connection (new and open)
/// is dropped, as a Loki outage looks to a client.
struct Relay {
    url: String,
    down: Arc<AtomicBool>,
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let down = Arc::new(AtomicBool::new(false));
        let flag = down.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if flag.load(Ordering::SeqCst) {
                    continue;
                }
                let flag = flag.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                    let cut = async {
                        while !flag.load(Ordering::SeqCst) {
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        () = cut => {}
                    }
                });
            }
        });
        Relay { url, down }
    }
}

struct Engineer {
    user: &'static str,
    home: PathBuf,
}

impl Engineer {
    fn new(root: &Path, user: &'static str, host: &str) -> Engineer {
        let home = root.join(user);
        std::fs::create_dir_all(&home).expect("home");
        std::fs::write(home.join("config.toml"), format!("host = {host:?}\n")).expect("config");
        Engineer { user, home }
    }

    fn incidents(&self) -> PathBuf {
        self.home.join("incidents")
    }

    fn args(&self, drill: &str, loki: &str, log: &str) -> String {
        format!(
            "env USER={} HOME={} {BIN} --prometheus {drill} --alertmanager {drill} --loki {loki} --refresh 0.5 \
             --no-mouse --incident-dir {} --log-file {} --config {}",
            self.user,
            self.home.display(),
            self.incidents().display(),
            self.home.join(log).display(),
            self.home.join("config.toml").display(),
        )
    }

    fn console(&self, drill: &str, loki: &str, log: &str, extra: &str) -> Tmux {
        let cmd = format!("{} --share {extra}; sleep 60", self.args(drill, loki, log));
        Tmux::start(&cmd, 150, 45)
    }

    /// [`Engineer::console`], every byte it writes to the terminal kept.
    fn recorded_console(&self, drill: &str, loki: &str, log: &str, extra: &str) -> Tmux {
        let cmd = format!("{} --share {extra}; sleep 60", self.args(drill, loki, log));
        Tmux::recording(&self.home, &cmd, 150, 45)
    }

    fn journal(&self, id: &str) -> String {
        std::fs::read_to_string(self.incidents().join(id).join("journal.jsonl")).unwrap_or_default()
    }

    fn postmortem(&self, id: &str) -> String {
        let out = std::process::Command::new(BIN)
            .args(["export", "--out", "-", "--incident", id, "--incident-dir"])
            .arg(self.incidents())
            .arg("--log-file")
            .arg(self.home.join("export.log"))
            .output()
            .expect("export runs");
        assert!(out.status.success(), "export: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    }
}

async fn note(t: &Tmux, text: &str) {
    t.keys(&["n"]);
    t.wait_async("note editor", 10, |s| s.contains("New note")).await;
    t.keys(&["-l", text]);
    t.keys(&["C-s"]);
    t.wait_async("saved", 10, |s| !s.contains("New note")).await;
}

/// Waits (without blocking the runtime the drill runs on) for `what`.
async fn wait_until(what: &str, secs: u64, f: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `N unsent` of the status bar.
fn unsent(screen: &str) -> Option<usize> {
    let at = screen.find(" unsent")?;
    let digits: String = screen[..at].chars().rev().take_while(char::is_ascii_digit).collect();
    digits.chars().rev().collect::<String>().parse().ok()
}

/// The authors of the journal's `kind` records (`joined`, `left`).
fn room(journal: &str, kind: &str) -> Vec<String> {
    journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"]["kind"] == kind)
        .map(|v| v["author"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn notes_in(journal: &str) -> Vec<String> {
    journal
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["event"]["kind"] == "note")
        .map(|v| v["event"]["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_engineers_share_one_incident_through_loki_and_lose_nothing() {
    let sc = Scenario::load(&ScenarioSource::Builtin("db-down".into())).expect("scenario");
    let drill = DrillServer::start(sc, DrillOptions { speed: 20.0, ..DrillOptions::default() }).await.expect("drill");
    let relay = Relay::start(drill.addr()).await;
    let (url, loki) = (drill.base_url(), relay.url.clone());
    let root = tempfile::tempdir().expect("tmp");
    let alice = Engineer::new(root.path(), "alice", "alice-bastion");
    let bob = Engineer::new(root.path(), "bob", "bob-laptop");

    // Alice declares, sharing on.
    let a = alice.console(&url, &loki, "a.log", "");
    a.wait_async("alerts", 60, |s| s.contains("Alerts (") && !s.contains("Alerts (0)")).await;
    a.keys(&["i"]);
    a.wait_async("declare form", 10, |s| s.contains("Declare incident")).await;
    a.keys(&["C-s"]);
    a.wait_async("declared and shared", 20, |s| s.contains("incident 20") || s.contains("shared ✓")).await;
    a.wait_async("shared", 20, |s| s.contains("shared ✓")).await;
    let id = std::fs::read_dir(alice.incidents())
        .expect("incident dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .next()
        .expect("an incident");

    // Bob lists the open shared incidents, then joins.
    let list = || {
        let out = std::process::Command::new(BIN)
            .args(["incidents", "--loki", &loki, "--log-file"])
            .arg(bob.home.join("list.log"))
            .args(["--config"])
            .arg(bob.home.join("config.toml"))
            .env("USER", "bob")
            .output()
            .expect("incidents runs");
        let listed = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{listed} {}", String::from_utf8_lossy(&out.stderr));
        listed
    };
    let listed = list();
    assert!(listed.contains(&id) && listed.contains("alice"), "{listed}");
    let bad = std::process::Command::new(BIN)
        .args(["--loki", &loki, "--join", "2026-01-01-nope", "--incident-dir"])
        .arg(bob.incidents())
        .arg("--log-file")
        .arg(bob.home.join("bad.log"))
        .output()
        .expect("runs");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no shared incident"), "{:?}", bad);

    let b = bob.recorded_console(&url, &loki, "b.log", &format!("--join {id}"));
    b.wait_async("joined timeline", 30, |s| s.contains(&id) && s.contains("alice")).await;
    // Bob's console says he came in: a `joined` record, on both machines.
    wait_until("bob's joined record everywhere", 10, || {
        room(&alice.journal(&id), "joined") == ["bob"] && room(&bob.journal(&id), "joined") == ["bob"]
    })
    .await;

    // Notes cross within seconds, both ways.
    note(&a, "pool exhausted on db-1").await;
    let t0 = Instant::now();
    b.wait_async("alice's note on bob's screen", 10, |s| s.contains("pool exhausted on db-1")).await;
    let a_to_b = t0.elapsed();
    note(&b, "bob: failover started").await;
    a.wait_async("bob's note on alice's screen", 10, |s| s.contains("bob: failover started")).await;
    assert!(a.screen().contains("bob@bob-laptop"), "who wrote it, from which machine:\n{}", a.screen());
    assert!(a_to_b < Duration::from_secs(5), "a note took {a_to_b:?} to cross");
    a.wait_async("who is in", 10, |s| s.contains("bob")).await;

    // Carol, a third machine, joins from a running console with `:join`.
    let carol = Engineer::new(root.path(), "carol", "carol-home");
    let c = carol.console(&url, &loki, "c.log", "");
    // The status bar offers the open shared incident (cut at the screen's edge).
    c.wait_async("the open shared incident offered", 30, |s| s.contains(&format!(":join {}", &id[..30]))).await;
    c.keys(&[":"]);
    c.keys(&["-l", &format!("join {id}")]);
    c.keys(&["Enter"]);
    c.wait_async("carol joined", 20, |s| s.contains("pool exhausted on db-1") && s.contains("bob: failover started"))
        .await;
    // Her heartbeat puts her in the room before she writes anything.
    a.wait_async("carol in the room", 10, |s| s.contains("· carol")).await;
    let listed = list();
    assert!(listed.contains("carol"), "the list says who is in, heartbeats included:\n{listed}");
    note(&c, "carol: replica is healthy").await;
    for t in [&a, &b] {
        t.wait_async("carol's note everywhere", 10, |s| s.contains("carol: replica is healthy")).await;
    }
    // The handoff: a page for the next shift, beside the journal.
    b.keys(&[":"]);
    b.keys(&["-l", "handoff"]);
    b.keys(&["Enter"]);
    b.wait_async("handoff written", 10, |s| s.contains("handoff copied")).await;
    let handoff = std::fs::read_to_string(bob.incidents().join(&id).join("handoff.md")).expect("handoff.md");
    assert!(handoff.contains("# Handoff:") && handoff.contains("carol: replica is healthy"), "{handoff}");
    assert!(handoff.contains("alice") && handoff.contains("bob") && handoff.contains("carol"), "{handoff}");

    // A stranger writes into the stream: counted, never shown.
    let stranger = LokiClient::new(HttpClient::new(&Endpoint::from_url(&url)).expect("client"), "stranger");
    let labels: Labels =
        [("app", "warroom"), ("incident", id.as_str())].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let forged_id = alice.journal(&id).lines().find_map(|l| {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        (v["event"]["kind"] == "note").then(|| v["id"].as_str().map(str::to_string)).flatten()
    });
    let forged = format!(
        r#"{{"v":2,"id":"{}","at":"2026-11-22T10:00:00Z","author":"mallory","host":"{}","event":{{"kind":"note","id":"","text":"FORGED"}}}}"#,
        forged_id.clone().expect("a note id"),
        forged_id.expect("id").rsplit_once('@').expect("host").1
    );
    let base = warroom::sources::loki::now_ns();
    let lines = [
        "\u{1b}]0;pwned\u{7}\u{1b}[2J not json".to_string(),
        "{\"v\":2,\"kind\":\"note\"".to_string(),
        "x".repeat(200 * 1024),
        forged,
    ];
    let entries = lines.iter().enumerate().map(|(i, l)| PushEntry {
        ts_ns: base + i as i64,
        line: l.clone(),
        metadata: Labels::new(),
    });
    stranger.push(&[PushStream { labels, entries: entries.collect() }]).await.expect("the stranger's push");
    for t in [&a, &b, &c] {
        t.wait_async("foreign lines counted", 15, |s| s.contains("4 foreign lines ignored")).await;
    }
    for t in [&a, &b, &c] {
        let s = t.screen();
        assert!(!s.contains("FORGED") && !s.contains("pwned") && !s.contains("mallory"), "{s}");
    }
    b.wait_async("a frame after the stranger's lines", 5, |s| s.contains("foreign lines ignored")).await;
    let raw = String::from_utf8_lossy(&b.raw_output()).into_owned();
    assert!(raw.contains("foreign lines ignored"), "the recording holds the frames");
    assert!(!raw.contains("pwned") && !raw.contains("FORGED"), "nothing of the stranger's reached the terminal");

    // Loki away for 20 s: Alice's ten notes wait, survive kill -9 and a
    // restart while it is still away, and go once it is back.
    relay.down.store(true, Ordering::SeqCst);
    let down = Instant::now();
    for i in 1..=10 {
        note(&a, &format!("during the outage {i}")).await;
    }
    // The ten notes wait (and the alerts the drill fires meanwhile).
    a.wait_async("unsent", 20, |s| unsent(s).is_some_and(|n| n >= 10)).await;
    let pid = child_pid(&a, "warroom").expect("alice's warroom");
    assert!(std::process::Command::new("kill").args(["-9", &pid.to_string()]).status().expect("kill").success());
    drop(a);
    let a = alice.console(&url, &loki, "a2.log", "");
    a.wait_async("restarted, still unsent", 20, |s| unsent(s).is_some_and(|n| n >= 10)).await;
    let outage = Duration::from_secs(20).saturating_sub(down.elapsed());
    tokio::time::sleep(outage).await;
    relay.down.store(false, Ordering::SeqCst);
    a.wait_async("alice back, all sent", 30, |s| s.contains("shared ✓")).await;
    b.wait_async("the outage's notes on bob's screen", 15, |s| s.contains("during the outage 10")).await;

    // One record, one post-mortem: the same notes in the same order on both
    // machines, none twice, and the same document.
    wait_until("both journals hold every note", 15, || {
        [&alice, &bob, &carol].iter().all(|e| notes_in(&e.journal(&id)).len() == 13)
    })
    .await;
    let outage_notes = |e: &Engineer| -> Vec<String> {
        notes_in(&e.journal(&id)).into_iter().filter(|n| n.starts_with("during the outage")).collect()
    };
    let in_order: Vec<String> = (1..=10).map(|i| format!("during the outage {i}")).collect();
    for e in [&bob, &carol] {
        assert_eq!(outage_notes(e), in_order, "every note of the outage, received in the order written");
    }
    // Carol quits: a `left` record; Alice's header no longer lists her.
    c.keys(&["q"]);
    wait_until("carol's left record everywhere", 15, || {
        [&alice, &bob, &carol].iter().all(|e| room(&e.journal(&id), "left") == ["carol"])
    })
    .await;
    a.wait_async("carol out of the room", 10, |s| !s.contains("· carol")).await;
    let (na, nb) = (notes_in(&alice.journal(&id)), notes_in(&bob.journal(&id)));
    let (mut sorted_a, mut sorted_b) = (na.clone(), nb.clone());
    sorted_a.sort();
    sorted_b.sort();
    assert_eq!(sorted_a, sorted_b, "the same notes in both journals");
    sorted_a.dedup();
    assert_eq!(sorted_a.len(), 13, "no note twice: {na:?}");
    let (pa, pb) = (alice.postmortem(&id), bob.postmortem(&id));
    assert_eq!(pa, carol.postmortem(&id), "the same post-mortem on the third machine");
    assert!(pa.contains("during the outage 3") && pa.contains("bob: failover started"), "{pa}");
    assert!(!pa.contains("FORGED"), "{pa}");
    assert_eq!(pa, pb, "the same post-mortem on both machines");
    drop((a, b, c));
    drill.shutdown().await;
}
