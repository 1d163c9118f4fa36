//! Shared by the robustness and secrets tests: misbehaving servers and a few
//! helpers to drive a [`Console`] on a `TestBackend`.

#![allow(dead_code)]

pub mod hostile;
pub mod tls;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::Console;
use warroom::msg::Msg;
use warroom::sources::Endpoint;

/// An endpoint with a short timeout and a small body cap, so that a hung or
/// oversized answer fails in about a second.
pub fn endpoint(name: &str, url: &str) -> Endpoint {
    Endpoint {
        name: Some(name.to_string()),
        timeout: Some(Duration::from_secs(1)),
        max_body_bytes: Some(64 * 1024),
        ..Endpoint::from_url(url)
    }
}

/// An endpoint with the given timeout (and the small cap).
pub fn hostile_endpoint(name: &str, url: &str, timeout: Duration) -> Endpoint {
    Endpoint { timeout: Some(timeout), ..endpoint(name, url) }
}

/// Feeds the console its own messages until `done` holds; panics naming
/// `what` after `secs` (a liveness bound, not a performance assertion).
pub async fn run_until(console: &mut Console, what: &str, secs: u64, done: impl Fn(&Console) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(console) {
        let msg = tokio::time::timeout_at(deadline, console.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}; screen:\n{}", screen(console, 200, 12)))
            .expect("channel open");
        console.handle(msg);
    }
}

/// Renders the console on a fresh `TestBackend` and returns the text.
pub fn screen(console: &mut Console, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    console.state.frame.dirty = true;
    console.draw(&mut terminal).expect("draw on a test backend");
    buffer_text(terminal.backend().buffer())
}

pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// The last non-blank line: the status bar.
pub fn status_line(screen: &str) -> &str {
    screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
}

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn esc() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE))
}
