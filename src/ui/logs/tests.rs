//! The logs pane rendered into ratatui's `TestBackend`.

use chrono::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use super::*;
use crate::model::SourceError;
use crate::model::logs::{BatchKind, LogBatch, LogLine};
use crate::state::logs::tests::{line, lines};
use crate::theme::Role;

/// 2026-11-22 12:00:00 UTC, in nanoseconds.
const T0: i64 = 1_795_348_800_000_000_000;

/// The local offset the state was told in these tests.
fn plus_two() -> FixedOffset {
    FixedOffset::east_opt(2 * 3600).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 30).unwrap()
}

fn at(secs: i64, text: &str) -> LogLine {
    line(T0 + secs * 1_000_000_000 + 123_000_000, text)
}

fn view_with(batch: Vec<LogLine>) -> LogsView {
    let mut v = LogsView::new(1_000);
    let g = v.begin(Some("HighErrorRate".into()), None);
    let query = Some(r#"{service="api"}"#.to_string());
    v.push_batch(LogBatch { generation: g, kind: BatchKind::Resolved, query, ..LogBatch::default() });
    let mode = Some(FollowMode::Tail);
    v.push_batch(LogBatch { generation: g, kind: BatchKind::Initial, lines: batch, mode, ..LogBatch::default() });
    v
}

fn buffer(v: &LogsView, w: u16, h: u16, focused: bool) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::default();
    t.draw(|f| draw(f, f.area(), v, &theme, focused, now(), plus_two())).unwrap();
    t.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let a = buf.area;
    (0..a.height)
        .map(|y| (0..a.width).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn render(v: &LogsView, w: u16, h: u16) -> String {
    text(&buffer(v, w, h, true))
}

fn sample() -> LogsView {
    view_with(vec![
        at(0, "level=info msg=\"request served\" path=/api/orders"),
        at(1, "2026-11-22 12:00:01 WARN pool almost full"),
        at(2, r#"{"level":"error","msg":"upstream timeout","upstream":"db"}"#),
        at(3, "plain line without level"),
    ])
}

#[test]
fn pane_80x8() {
    insta::assert_snapshot!(render(&sample(), 80, 8));
}

#[test]
fn levels_are_coloured_and_cursor_selected() {
    let buf = buffer(&sample(), 80, 8, true);
    let theme = Theme::default();
    // Row 1 is the first line (row 0 is the border); the tag starts after the time.
    assert_eq!(buf[(14, 1)].symbol(), "I");
    assert_eq!(buf[(14, 1)].fg, theme.style(Role::Info).fg.unwrap());
    assert_eq!(buf[(14, 3)].fg, theme.style(Role::Critical).fg.unwrap());
    assert_eq!(buf[(14, 2)].fg, theme.style(Role::Warning).fg.unwrap());
    // Following: the cursor is the newest line, drawn selected.
    assert_eq!(buf[(30, 4)].bg, theme.selected().bg.unwrap());
    assert_ne!(buf[(30, 3)].bg, theme.selected().bg.unwrap());
}

#[test]
fn follows_the_bottom_then_holds_still_with_a_new_marker() {
    let mut v = view_with((0..50).map(|i| at(i, &format!("line {i}"))).collect());
    // After each change the state places the first line at the pane's size
    // (58 by 5 inside the borders), as update does; the pane only reads it.
    v.place(58, 5);
    let screen = render(&v, 60, 7);
    assert!(screen.contains("line 49") && screen.contains("line 45") && !screen.contains("line 44"), "{screen}");
    v.scroll_up(2);
    v.place(58, 5);
    let before = render(&v, 60, 7);
    assert!(before.contains("paused"), "{before}");
    let g = v.generation();
    v.push_batch(LogBatch {
        generation: g,
        lines: (50..53).map(|i| at(i, &format!("line {i}"))).collect(),
        ..LogBatch::default()
    });
    v.place(58, 5);
    let after = render(&v, 60, 7);
    let body = |s: &str| s.lines().skip(1).take(5).map(str::to_string).collect::<Vec<_>>();
    assert_eq!(body(&before), body(&after), "the view did not move");
    assert!(after.contains("↓ 3 new"), "{after}");
    v.follow();
    v.place(58, 5);
    let live = render(&v, 60, 7);
    assert!(live.contains("line 52") && !live.contains("new"), "{live}");
}

#[test]
fn wrap_and_cut_long_lines() {
    let long = format!("start {} end", "x".repeat(100));
    let mut v = view_with(vec![at(0, &long)]);
    let cut = render(&v, 60, 5);
    assert!(cut.lines().nth(1).unwrap().ends_with("…│"), "{cut}");
    assert!(!cut.contains("end"));
    v.scroll_right(80);
    assert!(render(&v, 60, 5).contains("end"));
    v.toggle_wrap();
    let wrapped = render(&v, 60, 8);
    assert!(wrapped.contains("start") && wrapped.contains(" end"), "{wrapped}");
    assert_eq!(wrapped.lines().filter(|l| l.contains("xxx")).count(), 3, "{wrapped}");
}

#[test]
fn search_matches_are_highlighted() {
    let mut v = sample();
    v.set_search("timeout").unwrap();
    let buf = buffer(&v, 80, 8, false);
    let row = 3;
    let line: String = (0..80).map(|x| buf[(x, row)].symbol().to_string()).collect();
    let col = line[..line.find("timeout").unwrap()].chars().count() as u16;
    assert!(buf[(col, row)].modifier.contains(Modifier::REVERSED));
    assert!(!buf[(col - 2, row)].modifier.contains(Modifier::REVERSED));
    assert!(text(&buf).contains("/timeout"));
}

#[test]
fn errors_filters_and_placeholders() {
    let mut v = sample();
    let g = v.generation();
    let error = Some(SourceError::Status { status: 400, message: "parse error at line 1, col 2".into() });
    v.push_batch(LogBatch { generation: g, error, ended: true, ..LogBatch::default() });
    let screen = render(&v, 80, 8);
    assert!(screen.contains("✖ HTTP 400: parse error at line 1, col 2") && screen.contains("[stopped]"), "{screen}");
    v.set_filter("|= \"nothing like this\"").unwrap();
    let screen = render(&v, 80, 8);
    assert!(screen.contains("no line matches the filter (4 hidden)") && screen.contains("0/4"), "{screen}");
    assert!(render(&LogsView::new(10), 60, 5).contains("select an alert to see its logs"));
    let mut loading = LogsView::new(10);
    loading.begin(Some("X".into()), None);
    assert!(render(&loading, 60, 5).contains("loading logs…"));
    let empty = view_with(vec![]);
    assert!(render(&empty, 60, 5).contains("no log lines in this window"));
}

#[test]
fn timestamps_utc_or_local() {
    let mut v = sample();
    assert!(render(&v, 80, 8).contains("12:00:03.123 "));
    v.toggle_utc();
    let screen = render(&v, 80, 8);
    assert!(screen.contains("14:00:03.123 ") && screen.contains("local"), "the offset the state was told: {screen}");
}

#[test]
fn hostile_query_and_target_never_reach_the_screen_raw() {
    let mut v = LogsView::new(10);
    let g = v.begin(Some("Evil\x1b]0;pwned\x07Name".into()), Some("{job=\"x\x1b[2J\"}".into()));
    v.push_batch(LogBatch { generation: g, kind: BatchKind::Initial, lines: lines(0..2), ..LogBatch::default() });
    let screen = render(&v, 100, 6);
    assert!(!screen.chars().any(|c| c.is_control() && c != '\n'), "{screen:?}");
    assert!(screen.contains("EvilName") && !screen.contains("pwned"), "{screen}");
}

#[test]
fn odd_sizes_never_panic() {
    let mut v = view_with((0..30).map(|i| at(i, &"日本語 wide ".repeat(i as usize % 7 + 1))).collect());
    for _ in 0..2 {
        for (w, h) in [(1, 1), (2, 2), (3, 3), (10, 4), (39, 5), (40, 5), (200, 60)] {
            let _ = render(&v, w, h);
        }
        v.scroll_up(7);
        v.toggle_wrap();
    }
    let screen = render(&v, 30, 6);
    assert!(screen.contains("日 本 語  wide"), "{screen}");
}
