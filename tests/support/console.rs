//! Driving a [`Console`] in tests: feed it its own messages, draw it into a
//! ratatui `TestBackend` as the app does (drawing tells it which rows are in
//! view, so which sparklines to fetch), type commands, read the screen.

use std::collections::BTreeSet;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::Console;
use warroom::model::AlertState;
use warroom::msg::Msg;

/// The sparkline levels, lowest first.
pub const LEVELS: &str = "▁▂▃▄▅▆▇█";

/// The console drawn at `w`×`h`, one string per row.
pub fn screen(c: &mut Console, w: u16, h: u16) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    c.state.frame.dirty = true;
    c.draw(&mut t).expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect()).collect()
}

/// Feeds the console its own messages until `done` holds (or panics).
pub async fn run_until(console: &mut Console, what: &str, secs: u64, done: impl Fn(&Console) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(console) {
        let msg = tokio::time::timeout_at(deadline, console.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
            .expect("channel open");
        console.handle(msg);
    }
}

/// [`run_until`], drawing at `w`×`h` after each message with the clock
/// ticking, as the app does.
pub async fn run_drawn_until(
    c: &mut Console,
    what: &str,
    secs: u64,
    (w, h): (u16, u16),
    done: impl Fn(&mut Console) -> bool,
) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !done(c) {
        let msg = tokio::time::timeout_at(deadline, c.next())
            .await
            .unwrap_or_else(|_| panic!("timed out waiting for {what}; the last frame:\n{}", t.backend()))
            .expect("channel open");
        c.handle(msg);
        c.handle(Msg::Tick(chrono::Utc::now()));
        c.draw(&mut t).expect("draw");
    }
}

/// Runs the console (its own polls and fetches, drawn at `w`×`h`) for `d`.
pub async fn run_for(c: &mut Console, d: Duration, (w, h): (u16, u16)) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    let deadline = tokio::time::Instant::now() + d;
    while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, c.next()).await {
        c.handle(msg);
        c.handle(Msg::Tick(chrono::Utc::now()));
        c.draw(&mut t).expect("draw");
    }
}

/// The names of the alerts on the board in `state`.
pub fn board_names(c: &Console, state: AlertState) -> BTreeSet<String> {
    c.state.alerts.alerts.iter().filter(|b| b.alert.state == state).map(|b| b.alert.name().to_string()).collect()
}

/// Types `:LINE` and Enter.
pub fn type_command(c: &mut Console, line: &str) {
    let key = |code| Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
    c.handle(key(KeyCode::Char(':')));
    for ch in line.chars() {
        c.handle(key(KeyCode::Char(ch)));
    }
    c.handle(key(KeyCode::Enter));
}

/// The sparkline of the detail line named `name`: its block and gap
/// characters, between the name column and the value.
pub fn detail_spark(lines: &[String], name: &str) -> Option<String> {
    let line = lines.iter().find(|l| l.contains(&format!("│{name} ")) || l.contains(&format!(" {name} ")))?;
    let start = line.find(name)? + name.len();
    let rest: String = line[start..].chars().skip_while(|c| *c == ' ').collect();
    let spark: String = rest.chars().take_while(|c| LEVELS.contains(*c) || *c == ' ').collect();
    Some(spark.trim_end_matches(' ').to_string() + &" ".repeat(spark.len() - spark.trim_end_matches(' ').len()))
}

/// How many sparkline level characters `line` holds.
pub fn spark_cells(line: &str) -> usize {
    line.chars().filter(|c| LEVELS.contains(*c)).count()
}
