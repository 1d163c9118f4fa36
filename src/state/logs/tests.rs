//! The logs view as plain unit tests: batches and keys in, view out.

use std::sync::Arc;

use super::*;
use crate::model::SourceError;

pub(crate) fn line(ts: i64, text: &str) -> LogLine {
    let labels: Labels = [("job".to_string(), "api".to_string())].into();
    LogLine { ts_ns: ts, labels: Arc::new(labels), metadata: Labels::new(), parsed: Labels::new(), line: text.into() }
}

pub(crate) fn lines(range: std::ops::Range<i64>) -> Vec<LogLine> {
    range.map(|i| line(i, &format!("line {i}"))).collect()
}

fn batch(generation: u64, kind: BatchKind, lines: Vec<LogLine>) -> LogBatch {
    LogBatch { generation, kind, lines, ..LogBatch::default() }
}

/// A view with lines 0..n from its first query.
fn view(cap: usize, n: i64) -> LogsView {
    let mut v = LogsView::new(cap);
    let g = v.begin(Some("HighErrorRate".into()), None);
    v.push_batch(batch(g, BatchKind::Initial, lines(0..n)));
    v
}

fn texts(v: &LogsView) -> Vec<String> {
    (0..v.shown_len()).map(|p| v.shown_line(p).unwrap().line.line.clone()).collect()
}

fn cursor_text(v: &LogsView) -> String {
    v.shown_line(v.cursor_pos().unwrap()).unwrap().line.line.clone()
}

#[test]
fn ring_keeps_the_newest_lines() {
    let mut v = view(5, 3);
    assert!(!v.loading && v.len() == 3);
    v.append(lines(3..8));
    assert_eq!(texts(&v), ["line 3", "line 4", "line 5", "line 6", "line 7"]);
    assert_eq!(v.evicted, 3);
    // A batch larger than the ring replaces it, keeping its newest lines.
    v.append(lines(100..112));
    assert_eq!(texts(&v), ["line 107", "line 108", "line 109", "line 110", "line 111"]);
    assert_eq!(v.evicted, 3 + 5 + 7);
}

#[test]
fn stale_generations_are_ignored() {
    let mut v = view(10, 2);
    let old = v.generation();
    let new = v.begin(Some("Other".into()), Some("{job=\"x\"}".into()));
    assert_ne!(old, new);
    assert!(v.is_empty() && v.loading);
    assert!(!v.push_batch(batch(old, BatchKind::Live, lines(5..9))));
    assert!(v.is_empty());
    let resolved = LogBatch { query: Some("{job=\"y\"}".into()), ..batch(new, BatchKind::Resolved, vec![]) };
    assert!(v.push_batch(resolved));
    assert_eq!(v.query.as_deref(), Some("{job=\"y\"}"));
    assert!(v.loading, "still loading until the first lines");
    v.push_batch(batch(new, BatchKind::Initial, vec![]));
    assert!(!v.loading);
}

#[test]
fn following_shows_new_lines_and_scrolled_up_counts_them() {
    let mut v = view(100, 10);
    assert!(v.is_following());
    assert_eq!(cursor_text(&v), "line 9");
    v.scroll_up(3);
    assert!(!v.is_following());
    assert_eq!(cursor_text(&v), "line 6");
    v.append(lines(10..14));
    assert_eq!(cursor_text(&v), "line 6", "the view does not move");
    assert_eq!(v.new_below, 4);
    // Scrolling to the last line follows again and clears the marker.
    v.scroll_down(1_000);
    assert!(v.is_following() && v.new_below == 0);
    assert_eq!(cursor_text(&v), "line 13");
    v.scroll_top();
    assert_eq!(cursor_text(&v), "line 0");
    v.follow();
    assert!(v.is_following());
}

#[test]
fn cursor_survives_eviction() {
    let mut v = view(5, 5);
    v.scroll_up(4);
    assert_eq!(cursor_text(&v), "line 0");
    v.append(lines(5..7));
    assert_eq!(cursor_text(&v), "line 2", "the evicted cursor line moves to the oldest kept");
    v.scroll_down(2);
    assert_eq!(cursor_text(&v), "line 4");
    v.scroll_up(2);
    assert_eq!(cursor_text(&v), "line 2");
}

#[test]
fn filter_hides_lines_and_applies_to_new_ones() {
    let mut v = view(100, 0);
    let g = v.generation();
    let mk = |t: i64, s: &str| line(t, s);
    v.push_batch(batch(g, BatchKind::Live, vec![mk(1, "GET /healthz 200"), mk(2, "timeout to db"), mk(3, "ok")]));
    v.set_filter(r#"|= "timeout""#).unwrap();
    assert_eq!(texts(&v), ["timeout to db"]);
    v.append(vec![mk(4, "another timeout"), mk(5, "fine")]);
    assert_eq!(texts(&v), ["timeout to db", "another timeout"]);
    v.set_filter(r#"!= "healthz""#).unwrap();
    assert_eq!(v.shown_len(), 4);
    v.set_filter(r#"|~ "time(out)? to""#).unwrap();
    assert_eq!(texts(&v), ["timeout to db"]);
    v.set_filter(r#"!~ "o""#).unwrap();
    assert_eq!(texts(&v), ["GET /healthz 200", "fine"]);
    v.set_filter("fine").unwrap();
    assert_eq!(texts(&v), ["fine"]);
    assert!(v.set_filter("|~ \"(\"").unwrap_err().contains("bad regex"));
    assert_eq!(v.filter().unwrap().input(), "fine", "a bad filter keeps the previous one");
    v.set_filter("").unwrap();
    assert_eq!(v.shown_len(), 5);
}

#[test]
fn filter_with_eviction_and_quotes() {
    let mut v = view(4, 0);
    v.set_filter(r#"|= "say \"hi\"""#).unwrap();
    v.append(vec![line(1, r#"say "hi" 1"#), line(2, "x"), line(3, "y"), line(4, "z"), line(5, r#"say "hi" 2"#)]);
    assert_eq!(texts(&v), [r#"say "hi" 2"#], "the first left the ring");
    assert!(LineFilter::parse("|= \"\"").is_err());
    assert!(LineFilter::parse("|= `a\\b`").unwrap().matches("xa\\by"));
}

#[test]
fn search_moves_with_n_and_shift_n_and_wraps() {
    let mut v = view(100, 0);
    let g = v.generation();
    let l = |t: i64, s: &str| line(t, s);
    let b = vec![l(0, "Error one"), l(1, "fine"), l(2, "error two"), l(3, "fine"), l(4, "ERROR three"), l(5, "end")];
    v.push_batch(batch(g, BatchKind::Live, b));
    // Lower case: case-insensitive; jumps to the newest match at or above.
    assert_eq!(v.set_search("error").unwrap(), SearchOutcome::Found);
    assert_eq!(cursor_text(&v), "ERROR three");
    assert_eq!(v.search_prev(), SearchOutcome::Found);
    assert_eq!(cursor_text(&v), "error two");
    assert_eq!(v.search_prev(), SearchOutcome::Found);
    assert_eq!(cursor_text(&v), "Error one");
    assert_eq!(v.search_prev(), SearchOutcome::Wrapped);
    assert_eq!(cursor_text(&v), "ERROR three");
    assert_eq!(v.search_next(), SearchOutcome::Wrapped);
    assert_eq!(cursor_text(&v), "Error one");
    assert_eq!(v.search_next(), SearchOutcome::Found);
    assert_eq!(cursor_text(&v), "error two");
    // A capital makes it case-sensitive; above the cursor there is none.
    assert_eq!(v.set_search("ERROR").unwrap(), SearchOutcome::Wrapped);
    assert_eq!(cursor_text(&v), "ERROR three");
    assert_eq!(v.search_next(), SearchOutcome::Wrapped);
    assert_eq!(cursor_text(&v), "ERROR three");
    assert_eq!(v.set_search("nowhere").unwrap(), SearchOutcome::NotFound);
    assert_eq!(v.search().unwrap().ranges("a nowhere b nowhere"), [2..9, 12..19]);
    v.clear_search();
    assert_eq!(v.search_next(), SearchOutcome::NoSearch);
}

#[test]
fn levels_from_labels_logfmt_json_and_words() {
    let lv = Level::from_text;
    assert_eq!(lv("ts=1 level=error msg=boom"), Level::Error);
    assert_eq!(lv(r#"ts=1 level="warn" msg="x""#), Level::Warn);
    assert_eq!(lv(r#"{"ts":1,"level":"info","msg":"error later"}"#), Level::Info);
    assert_eq!(lv(r#"{"severity": "CRITICAL"}"#), Level::Error);
    assert_eq!(lv("2026-11-22 12:00:00 WARN [main] disk almost full"), Level::Warn);
    assert_eq!(lv("[Sun Nov 22 12:00:00 2026] [error] [client 10.0.0.1] File does not exist"), Level::Error);
    assert_eq!(lv("12:00:00 DEBUG pool size=4"), Level::Debug);
    assert_eq!(lv("GET /errors 200"), Level::Unknown, "prose and paths are not levels");
    assert_eq!(lv("sublevel=error"), Level::Unknown, "a key must start a word");
    assert_eq!(lv("retrying after error"), Level::Unknown);
    assert_eq!(lv(""), Level::Unknown);
    assert_eq!(lv("é level=warn ü"), Level::Warn);
    let mut l = line(1, "no level in the text");
    l.metadata.insert("detected_level".into(), "warn".into());
    assert_eq!(Level::detect(&l), Level::Warn);
}

#[test]
fn errors_show_until_a_good_batch_and_pin_keeps_context() {
    let mut v = view(10, 3);
    let g = v.generation();
    let err = SourceError::Status { status: 429, message: "too many outstanding requests".into() };
    v.push_batch(LogBatch { error: Some(err), ..batch(g, BatchKind::Live, vec![]) });
    assert_eq!(v.error.as_deref(), Some("HTTP 429: too many outstanding requests"));
    v.push_batch(batch(g, BatchKind::Live, vec![]));
    assert_eq!(v.error, None);
    v.scroll_up(1);
    v.query = Some("{job=\"api\"}".into());
    let p = v.selected_line().unwrap();
    assert_eq!((p.ts_ns, p.line.as_str()), (1, "line 1"));
    assert_eq!(p.labels["job"], "api");
    assert_eq!(p.at.timestamp_nanos_opt(), Some(1));
    assert_eq!(p.query.as_deref(), Some("{job=\"api\"}"));
    assert_eq!(LogsView::new(3).selected_line(), None);
}

#[test]
fn toggles_and_horizontal_scroll() {
    let mut v = view(10, 1);
    assert!(v.utc && !v.wrap && !v.fullscreen);
    v.scroll_right(8);
    v.scroll_left(3);
    assert_eq!(v.hscroll, 5);
    v.toggle_wrap();
    assert_eq!(v.hscroll, 0);
    v.scroll_right(8);
    assert_eq!(v.hscroll, 0, "no horizontal scroll when wrapping");
    v.toggle_utc();
    v.toggle_fullscreen();
    let g = v.begin(None, None);
    assert!(v.wrap && !v.utc && v.fullscreen, "display toggles survive a new view");
    assert_eq!(g, v.generation());
}
