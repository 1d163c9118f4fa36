//! The incident record from the outside: `warroom export` on a damaged
//! journal and to standard output, notes stamped when saved, and
//! `warroom demo --incident-dir`.

use std::path::Path;
use std::process::{Command, Stdio};

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::incident::{Declaration, Event, Journal, Record};
use warroom::msg::Msg;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").expect("valid time").with_timezone(&Utc)
}

fn decl(at: DateTime<Utc>) -> Declaration {
    Declaration {
        title: "db down".into(),
        severity: "critical".into(),
        commander: "alice".into(),
        at,
        author: "alice".into(),
    }
}

fn warroom(home: &Path) -> Command {
    let config = home.join("config.toml");
    std::fs::write(&config, "# flags only\n").expect("config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warroom"));
    cmd.arg("--config")
        .arg(&config)
        .arg("--log-file")
        .arg(home.join("warroom.log"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"));
    cmd
}

/// A journal with a torn line in the middle and a note holding an invalid
/// byte: `warroom export --out -` writes the post-mortem to stdout (not to
/// a file named `-`), keeps the note (marked), and says which lines were
/// damaged, on stderr and at the end of the post-mortem.
#[test]
fn export_names_damaged_lines_keeps_a_note_with_bad_bytes_and_writes_to_stdout() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("incidents");
    let mut j = Journal::create(&dir, &decl(t0())).expect("create");
    j.append(&Record::new(t0(), "alice", Event::Note { id: "a.1".into(), text: "before".into() })).expect("append");
    let path = j.path().to_path_buf();
    drop(j);
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.extend_from_slice(b"{\"v\":1,\"at\":\"2026-11-22T10:0\n");
    bytes.extend_from_slice(
        br#"{"v":1,"at":"2026-11-22T10:05:00Z","author":"bob","event":{"kind":"note","id":"b.1","text":"pool "#,
    );
    bytes.extend_from_slice(b"\xff drained\"}}\n");
    std::fs::write(&path, bytes).expect("write");

    let out = warroom(home.path())
        .args(["export", "--out", "-", "--incident-dir"])
        .arg(&dir)
        .stdin(Stdio::null())
        .output()
        .expect("run warroom export");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("# Post-mortem: db down"), "{stdout}");
    assert!(!home.path().join("-").exists() && !Path::new("-").exists(), "no file named -");
    assert!(stdout.contains("pool \u{fffd} drained"), "the note is kept, its bad byte marked: {stdout}");
    assert!(stdout.contains("## Journal damage"), "{stdout}");
    assert!(stdout.contains("- line 3: damaged record skipped"), "{stdout}");
    assert!(stdout.contains("- line 4: invalid bytes"), "{stdout}");
    assert!(stderr.contains("journal line 3: damaged record skipped"), "{stderr}");
    assert!(stderr.contains("journal line 4: invalid bytes"), "{stderr}");

    // Without --out: the file in the incident's directory, its path printed.
    let out = warroom(home.path()).args(["export", "--incident-dir"]).arg(&dir).output().expect("export");
    let printed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(printed.ends_with("postmortem.md"), "{printed}");
    let pm = std::fs::read_to_string(&printed).expect("the post-mortem file");
    assert!(pm.contains("## Journal damage") && pm.contains("pool \u{fffd} drained"), "{pm}");
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// `n`, `text`, Ctrl-S: a note saved (the journal is written before the
/// editor closes).
fn save_note(c: &mut Console, text: &str) {
    c.handle(key('n'));
    for ch in text.chars() {
        c.handle(key(ch));
    }
    c.handle(Msg::Key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)));
    assert!(c.state.incident.editor.is_none(), "saved");
}

/// A console started on a directory holding one open incident (resumed):
/// the directory's guard, the incidents' directory, the incident's id.
fn resumed_console() -> (tempfile::TempDir, std::path::PathBuf, String, Console) {
    let dir = tempfile::tempdir().expect("tempdir");
    let incidents = dir.path().join("incidents");
    let id = Journal::create(&incidents, &decl(Utc::now())).expect("an open incident").id().to_string();
    let cfg = Config { incident_dir: Some(incidents.clone()), ..Config::default() };
    let mut c = Console::start(&cfg, Options::default()).expect("the console starts");
    assert!(c.drain());
    assert!(c.state.incident.id().is_some(), "resumed");
    (dir, incidents, id, c)
}

/// Notes saved in a burst, within one tick of the clock: each is stamped
/// when it is saved, to the sub-second, in the order saved (the tick's
/// time was shared by all of them, and two consoles' notes sorted out of
/// order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_are_stamped_when_saved_not_at_the_tick() {
    let dir = tempfile::tempdir().expect("tempdir");
    let incidents = dir.path().join("incidents");
    drop(Journal::create(&incidents, &decl(Utc::now())).expect("an open incident"));
    let cfg = Config { incident_dir: Some(incidents.clone()), ..Config::default() };
    let mut c = Console::start(&cfg, Options::default()).expect("the console starts");
    assert!(c.drain());
    assert!(c.state.incident.id().is_some(), "resumed");
    let tick = c.state.clock.now;
    for text in ["one", "two", "three"] {
        save_note(&mut c, text);
    }
    let id = c.state.incident.id().expect("open").to_string();
    let read = Journal::read_all(&warroom::incident::journal_path(&incidents, &id)).expect("read");
    let notes: Vec<&Record> = read.records.iter().filter(|r| matches!(r.event, Event::Note { .. })).collect();
    assert_eq!(notes.len(), 3);
    assert!(notes.iter().all(|r| r.at > tick), "stamped after the last tick, not at it");
    assert!(notes.windows(2).all(|w| w[0].at < w[1].at), "{:?}", notes.iter().map(|r| r.at).collect::<Vec<_>>());
}

/// `warroom stats` over incidents with known durations: the golden
/// fixture (detected in 5m30s, resolved in 1h) and one declared 60 days ago
/// with no alert, still open. The targets come from the config; `--since`
/// bounds the period; JSON and CSV hold the same numbers.
#[test]
fn stats_says_the_durations_and_which_incidents_missed_the_targets() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join("incidents");
    let golden = dir.join("2026-11-22-db-down");
    std::fs::create_dir_all(&golden).expect("dir");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/incident/db-down.jsonl"),
        golden.join("journal.jsonl"),
    )
    .expect("fixture");
    let old = Utc::now() - chrono::Duration::days(60);
    drop(Journal::create(&dir, &Declaration { title: "=cmd|' /C calc'!A0".into(), ..decl(old) }).expect("create"));
    let config = home.path().join("config.toml");
    let stats = |targets: &str, args: &[&str]| {
        std::fs::write(&config, targets).expect("config");
        let out = Command::new(env!("CARGO_BIN_EXE_warroom"))
            .arg("--config")
            .arg(&config)
            .arg("--incident-dir")
            .arg(&dir)
            .arg("--log-file")
            .arg(home.path().join("warroom.log"))
            .arg("stats")
            .args(args)
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };

    let table = stats("", &["--since", "3650d"]);
    let row = table.lines().find(|l| l.starts_with("2026-11-22-db-down")).expect("the fixture's row");
    assert!(row.contains("5m30s") && row.contains("28m00s") && row.contains("1h00m"), "{table}");
    let verdicts = |row: &str| row.split_whitespace().rev().take(2).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(verdicts(row), ["missed", "missed"], "5m30s > 5m and 1h > 30m by default:\n{table}");
    assert!(table.contains("2 incidents declared"), "{table}");
    assert!(table.contains("target 30m00s: 2 missed"), "{table}");
    let missed = table.lines().find(|l| l.starts_with("missed a target:")).expect("who missed");
    assert!(missed.contains("2026-11-22-db-down") && missed.contains("-cmd-"), "{table}");

    let lenient = stats("mttd_target = \"10m\"\nmttr_target = \"2h\"\n", &["--since", "3650d"]);
    let row = lenient.lines().find(|l| l.starts_with("2026-11-22-db-down")).expect("row");
    assert_eq!(verdicts(row), ["met", "met"], "{lenient}");

    let recent = stats("", &["--since", "30d", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&recent).expect("json");
    let ids: Vec<&str> =
        v["incidents"].as_array().expect("incidents").iter().filter_map(|i| i["id"].as_str()).collect();
    assert!(!ids.iter().any(|id| id.contains("-cmd-")), "declared 60 days ago, outside --since 30d: {recent}");

    let csv = stats("", &["--since", "90d", "--format", "csv"]);
    let mut lines = csv.lines();
    assert!(lines.next().is_some_and(|h| h.starts_with("id,title,severity,status,first_alert")), "{csv}");
    let row = lines.find(|l| l.contains("-cmd-")).expect("the 60-day-old incident");
    assert!(row.contains(",'=cmd|"), "a formula-looking title is quoted: {row}");
    assert!(row.contains(",n/a,missed"), "no alert: nothing to detect; open for 60 days: {row}");
}

/// Handles the console's messages and ticks it (the journal is read on
/// even seconds) until `path` holds `text`: the draft is rewritten off the
/// loop, so it is waited for, not read at once.
async fn until_file_holds(c: &mut Console, path: &Path, text: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let now = std::fs::read_to_string(path).unwrap_or_default();
        if now.contains(text) {
            return now;
        }
        assert!(std::time::Instant::now() < deadline, "{} never held {text:?}:\n{now}", path.display());
        if let Ok(Some(msg)) = tokio::time::timeout(std::time::Duration::from_millis(100), c.next()).await {
            c.handle(msg);
        }
        c.handle(Msg::Tick(Utc::now()));
    }
}

/// One post-mortem for the team: a line another warroom wrote to the
/// incident (a teammate's note the share thread brought, or a second console
/// on the same directory) is in this console's draft once it is read, with
/// nothing typed here. A resumed incident's draft is written at start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teammates_note_reaches_the_postmortem_draft() {
    let (_dir, incidents, id, mut c) = resumed_console();
    let draft = incidents.join(&id).join(warroom::incident::POSTMORTEM_FILE);
    until_file_holds(&mut c, &draft, "db down").await;

    let mut teammate = Journal::open(&incidents, &id).expect("the same incident, elsewhere");
    let note = Event::Note { id: "bob.1".into(), text: "failover to the replica done".into() };
    teammate.append(&Record::new(Utc::now(), "bob", note)).expect("bob's note");
    let pm = until_file_holds(&mut c, &draft, "failover to the replica done").await;
    assert!(pm.contains("bob"), "{pm}");
}

/// `e` says where the draft is once it is written, after the notes saved
/// before it: the flash never points at a draft without them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_flashes_the_draft_once_it_holds_the_notes_saved_before() {
    let (_dir, incidents, id, mut c) = resumed_console();
    for text in ["pool drained", "pgbouncer restarted"] {
        save_note(&mut c, text);
    }
    c.handle(key('e'));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let flash = loop {
        let flash = c.state.view.flash.as_ref().map(|f| f.text.clone()).unwrap_or_default();
        if flash.contains("post-mortem draft:") {
            break flash;
        }
        assert!(std::time::Instant::now() < deadline, "no export flash: {flash:?}");
        if let Ok(Some(msg)) = tokio::time::timeout(std::time::Duration::from_millis(100), c.next()).await {
            c.handle(msg);
        }
    };
    let draft = incidents.join(&id).join(warroom::incident::POSTMORTEM_FILE);
    assert!(flash.contains(&draft.display().to_string()), "{flash}");
    let pm = std::fs::read_to_string(&draft).expect("the draft");
    assert!(pm.contains("pool drained") && pm.contains("pgbouncer restarted"), "{pm}");
}
