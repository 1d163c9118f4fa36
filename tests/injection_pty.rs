//! Terminal injection, end to end: a real Alertmanager holds an alert whose
//! labels and annotations carry escape sequences (window title, clipboard
//! write, hyperlink, clear screen, cursor moves, device queries, DCS/APC
//! strings, 8-bit C1 controls). The real binary shows the alert in a tmux
//! pane; the raw bytes it wrote hold none of the injected sequences.

mod robustness_support;
mod support;

use robustness_support::{buffer_text, run_until};
use serde_json::json;
use support::Alertmanager;
use support::tmux::{Tmux, contains, count};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::sources::Endpoint;

/// Each marker appears only inside an escape sequence or control string, so
/// a marker in the output means a sequence got through whole or in part.
const HIDDEN: &[&str] = &["PWNTITLE", "PWNCLIP", "UFdOQ0xJUA", "PWNLINK", "PWNDCS", "PWNAPC", "PWN8BIT", "PWNPM"];

fn hostile_alert() -> serde_json::Value {
    let now = chrono::Utc::now();
    json!([{
        "labels": {
            "alertname": "Injected\u{1b}]0;PWNTITLE\u{07}Alert",
            "severity": "critical",
            "service": "svc\u{1b}[2J\u{1b}[3J\u{1b}[H\u{1b}[6n\u{1b}[?1049l-after",
            "instance": "host\u{9b}2J\u{9d}0;PWN8BIT\u{9c}\u{1b}c\u{1b}#8-one",
            "pod": "pod\u{1b}\u{1b}]0;PWNTITLE\u{07}-two",
            "zone": "z\u{1b}]0;x\u{1b}]2;PWNTITLE\u{07}\u{1b}[\u{1b}]52;c;UFdOQ0xJUA==\u{07}-three",
            "job": "j\u{1b}PPWNDCS\u{1b}\\\u{1b}_PWNAPC\u{1b}\\\u{1b}^PWNPM\u{1b}\\ob\u{07}\u{08}\u{0d}",
        },
        "annotations": {
            "summary": "INJ-SUMMARY\u{1b}]52;c;UFdOQ0xJUA==\u{07} tail",
            "description": "line one\r\n\u{1b}[31mred\u{1b}[0m \u{1b}[1;1H\u{1b}[K\u{202e}desrever\nINJ-DESC",
            "runbook_url": "http://127.0.0.1:9/\u{1b}]8;;http://pwn.example/PWNLINK\u{07}click\u{1b}]8;;\u{07}",
        },
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::Duration::hours(2)).to_rfc3339(),
    }])
}

async fn post_hostile_alert(am: &Alertmanager) {
    support::api::post_json(&support::api::client(), &format!("{}/api/v2/alerts", am.url), &hostile_alert()).await;
}

fn assert_no_injection(what: &str, out: &[u8]) {
    for marker in HIDDEN {
        assert!(!contains(out, marker.as_bytes()), "{what}: {marker} got through");
    }
    for (seq, name) in [
        (&b"\x1b]"[..], "OSC"),
        (b"\x1bP", "DCS"),
        (b"\x1b_", "APC"),
        (b"\x1b^", "PM"),
        (b"\x1bc", "RIS reset"),
        (b"\x1b#8", "DECALN"),
        (b"\x1b[3J", "clear scrollback"),
        (b"\x1b[?1049l", "leave alternate screen"),
        (b"\x07", "BEL"),
        (b"\x08", "BS"),
    ] {
        assert!(!contains(out, seq), "{what}: {name} {seq:?} got through");
    }
    // C1 controls as UTF-8 (U+0080..U+009F are C2 80..C2 9F).
    assert!(!out.windows(2).any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1])), "{what}: a C1 control got through");
    assert!(!contains(out, "\u{202e}".as_bytes()), "{what}: a bidi override got through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_sequences_never_reach_the_terminal() {
    let am = Alertmanager::start();
    post_hostile_alert(&am).await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "# flags only\n").expect("write an empty config");
    let cmd = format!(
        "{} --alertmanager {} --refresh 0.5 --config {} --log-file {}",
        env!("CARGO_BIN_EXE_warroom"),
        am.url,
        config.display(),
        dir.path().join("warroom.log").display()
    );
    let tmux = Tmux::recording(dir.path(), &cmd, 160, 48);
    let screen =
        tmux.wait_async("the hostile alert", 20, |s| s.contains("INJ-SUMMARY") && s.contains("INJ-DESC")).await;
    assert!(screen.contains("InjectedAlert") && screen.contains("svc-after"), "{screen}");
    assert!(screen.contains("host-one"), "8-bit sequences removed whole: {screen}");
    // Poll a few more times: every refresh is a chance to leak.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    tmux.keys(&["j", "k", "Tab", "j"]);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let title = tmux.title();
    let out = tmux.raw_output();
    assert!(!title.contains("PWN"), "window title set to {title:?}");
    assert!(out.len() > 1000, "a frame was recorded ({} bytes)", out.len());
    assert_no_injection("raw pty output", &out);
    // warroom clears the screen once when it starts, and never asks for
    // the cursor position; the label's clear and query are gone.
    assert_eq!(count(&out, b"\x1b[2J"), 1, "clear-screen sequences");
    assert_eq!(count(&out, b"\x1b[6n"), 0, "cursor position queries");
    // The runbook cannot be had: warroom logs why, with the alertname, and
    // the log file holds no escape sequence (`tail -f` would run it).
    tmux.keys(&["BTab", "r"]);
    let log_path = dir.path().join("warroom.log");
    let mut log = Vec::new();
    for _ in 0..200 {
        log = std::fs::read(&log_path).unwrap_or_default();
        if contains(&log, b"no runbook") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        contains(&log, b"no runbook") && contains(&log, b"Injected"),
        "log: {}\nscreen: {}",
        String::from_utf8_lossy(&log),
        tmux.screen()
    );
    // (A reason may quote the string escaped, `\u{1b}]8;;…`: text, not a
    // sequence. What must not be there is the bytes.)
    let text = String::from_utf8_lossy(&log);
    let bad: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "control characters {bad:?} in the log:\n{text}");
    tmux.keys(&["C-c"]);
    tmux.wait_async("the console gone", 10, |s| !s.contains("INJ-SUMMARY")).await;
    assert!(!tmux.alive() || !tmux.screen().contains("PWN"));
}

/// The same alert through the library on a `TestBackend`: no cell of any
/// size holds a control character or a hidden marker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_buffer_cell_holds_a_control_character() {
    let am = Alertmanager::start();
    post_hostile_alert(&am).await;
    let cfg = Config { alertmanager: vec![Endpoint::from_url(&am.url)], ..Config::default() };
    let mut console = Console::start(&cfg, Options::default()).expect("console starts");
    run_until(&mut console, "the hostile alert", 20, |c| !c.state.alerts.alerts.is_empty()).await;
    for (w, h) in [(20, 5), (60, 20), (160, 48), (300, 80)] {
        for detail in [false, true] {
            console.state.view.focus = if detail { warroom::state::Pane::Detail } else { warroom::state::Pane::Alerts };
            let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
            console.state.frame.dirty = true;
            console.draw(&mut terminal).expect("draw");
            let buf = terminal.backend().buffer();
            for cell in &buf.content {
                let bad = cell.symbol().chars().any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c));
                assert!(!bad, "{w}x{h}: cell {:?}", cell.symbol());
            }
            assert_no_injection(&format!("buffer {w}x{h}"), buffer_text(buf).as_bytes());
        }
    }
}
