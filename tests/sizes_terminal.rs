//! Terminal sizes from 1x1 to 400x120, wide characters, emoji, combining
//! marks: the board draws without panicking and without garbage (no control
//! character in a cell, no wide character cut at the right edge). Then a
//! resize storm on the real binary in tmux.

mod robustness_support;
mod support;

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use robustness_support::hostile::{Hostile, Mode};
use support::tmux::Tmux;
use unicode_width::UnicodeWidthStr;
use warroom::model::{Alert, Labels, share};
use warroom::msg::{Msg, Payload, PollResult, SourceId, SourceKind};
use warroom::state::{Setup, State, update};

const AM: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

/// Text that is hard to lay out: wide CJK, emoji (with ZWJ and flags),
/// combining marks, zero-width joiners, right-to-left script, long words.
const HARD: &[&str] = &[
    "日本語のラベル値",
    "🔥🚒 disk full 💾",
    "👨‍👩‍👧‍👦 family",
    "🇫🇷🇯🇵 flags",
    "e\u{301}te\u{301} combining",
    "a\u{200d}b\u{200b}c zero-width",
    "❤\u{fe0f} ⚠\u{fe0f} 👍🏽 🏳\u{fe0f}\u{200d}🌈 1\u{fe0f}\u{20e3} soft\u{ad}hyphen tag\u{e0041}s",
    "עברית ערבית عربي",
    "loooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooooong",
];

fn alerts(n: usize) -> Vec<Alert> {
    (0..n)
        .map(|i| {
            let hard = HARD[i % HARD.len()];
            let labels: Labels = [
                ("alertname", format!("Alert{}{}", i % 7, if i % 3 == 0 { "🔥" } else { "" })),
                ("severity", ["critical", "warning", "info", "none"][i % 4].to_string()),
                ("service", hard.to_string()),
                ("instance", format!("node-{i}.例え.example:9100")),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
            Alert {
                annotations: [
                    ("summary".to_string(), format!("{hard} — 概要 {i}")),
                    ("description".into(), hard.repeat(9)),
                ]
                .into(),
                receivers: vec!["team-🔥".into()],
                ..Alert::firing(labels, Utc::now() - chrono::Duration::minutes(i as i64), "am")
            }
        })
        .collect()
}

fn state() -> State {
    let setup = Setup { sources: vec![(AM, "am 観測".into())], group_by: "alertname".into(), ..Setup::default() };
    let mut s = State::new(setup, Default::default(), Default::default(), Utc::now());
    let poll = PollResult {
        source: AM,
        at: Utc::now(),
        latency: Duration::from_millis(3),
        result: Ok(Payload::AmAlerts(share(alerts(40)))),
    };
    update(&mut s, Msg::Poll(Box::new(poll)));
    s
}

fn press(s: &mut State, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// Draws `s` at `w`x`h` and checks every cell.
fn draw_and_check(s: &State, w: u16, h: u16, what: &str) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    terminal.draw(|f| warroom::ui::draw(f, s)).expect("draw");
    let buf = terminal.backend().buffer();
    for y in 0..h {
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            assert!(!sym.chars().any(char::is_control), "{what} {w}x{h}: control in cell ({x},{y}) {sym:?}");
            assert!(sym.width() <= 2, "{what} {w}x{h}: cell ({x},{y}) {sym:?} is {} wide", sym.width());
            assert!(x + sym.width() as u16 <= w, "{what} {w}x{h}: {sym:?} cut at the right edge");
        }
    }
}

fn sizes() -> Vec<(u16, u16)> {
    let mut v = vec![(1, 1), (19, 4), (20, 4), (19, 5), (0, 0)];
    let widths = (20..=40).chain((41..=400).step_by(13)).chain([109, 110, 399, 400]);
    for w in widths {
        for h in (5..=12).chain((13..=120).step_by(17)).chain([120]) {
            v.push((w, h));
        }
    }
    v
}

#[test]
fn every_size_draws_clean_in_every_mode() {
    let mut s = state();
    let sizes = sizes();
    for (w, h) in &sizes {
        draw_and_check(&s, *w, *h, "board");
    }
    press(&mut s, KeyCode::Char('?'));
    for (w, h) in sizes.iter().step_by(3) {
        draw_and_check(&s, *w, *h, "help");
    }
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('/'));
    for c in "日本🔥e\u{301}".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    for (w, h) in sizes.iter().step_by(3) {
        draw_and_check(&s, *w, *h, "filter prompt");
    }
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('b'));
    press(&mut s, KeyCode::Tab);
    for _ in 0..30 {
        press(&mut s, KeyCode::Down);
    }
    for (w, h) in sizes.iter().step_by(3) {
        draw_and_check(&s, *w, *h, "detail scrolled, grouped by service");
    }
}

/// A resize storm on the real binary: it stays up and ends with a correct
/// frame at the final size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resize_storm_on_the_real_binary() {
    let body = serde_json::json!({"status": "success", "data": {"alerts": alerts(60).iter().map(|a| serde_json::json!({
        "labels": a.labels, "annotations": a.annotations, "state": "firing", "activeAt": a.starts_at.to_rfc3339(), "value": "1e+00",
    })).collect::<Vec<_>>()}});
    let server = Hostile::start(Mode::json(body.to_string().as_bytes())).await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "# flags only\n").expect("write the config");
    let log = dir.path().join("warroom.log");
    let cmd = format!(
        "{} --prometheus {} --refresh 0.5 --config {} --log-file {}",
        env!("CARGO_BIN_EXE_warroom"),
        server.url(),
        config.display(),
        log.display()
    );
    let tmux = Tmux::recording(dir.path(), &cmd, 120, 40);
    tmux.wait_async("the board", 20, |s| s.contains("Alert0") && s.contains("● up")).await;
    let mut seed = 0x2545_f491_u32;
    for i in 0..80 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let (w, h) = if i % 10 == 0 { (20, 5) } else { (20 + (seed % 381) as u16, 5 + (seed / 381 % 116) as u16) };
        tmux.resize(w, h);
        if i % 4 == 0 {
            tmux.keys(&["j"]);
        }
    }
    tmux.resize(100, 30);
    // A frame drawn for the final size: the header first, then every boxed
    // row exactly as wide as the pane and ending on the box's right edge
    // (the terminal and the layout agree on every width).
    let screen = tmux.wait_async("a correct frame at 100x30", 10, |s| frame_ok(s, 100, 30)).await;
    assert!(tmux.alive(), "the binary survived the storm");
    assert!(screen.contains("Alerts (60)"), "{screen}");
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(!log_text.contains("panic"), "{log_text}");
}

fn frame_ok(screen: &str, width: usize, height: usize) -> bool {
    let lines: Vec<&str> = screen.lines().collect();
    lines.len() == height
        && lines[0].starts_with(" warroom")
        && lines[height - 1].contains("● up")
        && lines[1..height - 1].iter().all(|l| l.width() == width && l.ends_with(['│', '┐', '┘']))
}
