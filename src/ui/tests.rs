//! Every pane rendered into ratatui's `TestBackend` and checked: snapshots
//! of whole screens at the sizes people use, and properties at odd ones.
mod spill;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::model::SourceError;
use crate::model::share;
use crate::msg::{Msg, Payload, SourceId, SourceKind};
use crate::state::tests::{alert, board, now, poll, state};
use crate::state::{State, update};

const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

fn render(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::draw(f, s)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn loaded() -> State {
    let mut s = state();
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(board())))));
    s
}

#[test]
fn board_wide() {
    insta::assert_snapshot!(render(&loaded(), 130, 20));
}

#[test]
fn board_80x24_stacks_panes() {
    insta::assert_snapshot!(render(&loaded(), 80, 24));
}

#[test]
fn source_down_shows_error_and_stale_marks() {
    let mut s = loaded();
    update(&mut s, poll(AM0, Err(SourceError::Refused)));
    update(&mut s, Msg::Tick(now() + chrono::Duration::minutes(3)));
    let screen = render(&s, 130, 12);
    assert!(screen.contains("am0 ✖ down 3m"), "{screen}");
    assert!(screen.contains("connection refused"), "{screen}");
    assert!(screen.contains("(stale)"), "{screen}");
}

#[test]
fn alertmanager_down_shows_prometheus_firing_alerts_unconfirmed() {
    let prom = SourceId { kind: SourceKind::Prometheus, index: 0 };
    let mut s = state();
    update(&mut s, poll(AM0, Err(SourceError::Refused)));
    update(&mut s, poll(SourceId { index: 1, ..AM0 }, Err(SourceError::Refused)));
    let firing = alert("HighLatency", "warning", &[("service", "api")], 5, "prom");
    update(&mut s, poll(prom, Ok(Payload::PromAlerts(share(vec![firing])))));
    let screen = render(&s, 130, 16);
    assert!(!screen.contains("no alert firing"), "{screen}");
    assert!(screen.contains("HighLatency") && screen.contains("(unconfirmed)"), "{screen}");
    assert!(screen.contains("not confirmed by Alertmanager"), "{screen}");
    assert!(screen.contains("am0 ✖ down"), "{screen}");
}

#[test]
fn help_lists_remapped_keys() {
    let mut s = loaded();
    let mut o = std::collections::BTreeMap::new();
    o.insert("silence".to_string(), crate::keymap::KeyList::One("S".into()));
    s.prefs.keymap = crate::keymap::Keymap::new(&o).unwrap();
    s.view.help.open = true;
    let screen = render(&s, 160, 50);
    assert!(screen.contains("S               silence the alert"), "{screen}");
    assert!(screen.contains("Navigate"));
}

#[test]
fn hostile_labels_never_reach_the_screen_raw() {
    let mut s = state();
    let mut a = alert("Evil\x1b]0;pwned\x07Name", "critical", &[("service", "x\x1b[2Jy\u{9b}31m")], 1, "am0");
    a.annotations.insert("summary".into(), "line1\nline2\x1b]52;c;aGk=\x07 \u{202e}rtl".into());
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(vec![a])))));
    let screen = render(&s, 130, 20);
    assert!(!screen.chars().any(|c| c.is_control() && c != '\n'), "{screen:?}");
    assert!(screen.contains("EvilName") && screen.contains("service=xy"), "{screen}");
    assert!(!screen.contains("pwned") && !screen.contains("aGk="));
}

#[test]
fn odd_sizes_never_panic() {
    let s = loaded();
    for (w, h) in [(20, 5), (19, 4), (1, 1), (40, 10), (400, 120), (80, 6)] {
        let screen = render(&s, w, h);
        assert!(!screen.is_empty() || w == 0);
    }
}

#[test]
fn empty_board_says_why() {
    let mut s = state();
    assert!(render(&s, 100, 10).contains("waiting for the first poll"));
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(vec![])))));
    assert!(render(&s, 100, 10).contains("no alert firing"));
}

#[test]
fn chart_draws_lines_legend_and_errors() {
    use crate::state::ChartView;
    use crate::state::signals::{Cached, SeriesKey, Unit};
    let mut s = loaded();
    let key = SeriesKey::new("rate(x[5m])", 60);
    let end = now().timestamp();
    let samples: Vec<(f64, f64)> = (0..30).map(|i| ((end - 1800 + i * 60) as f64, (i % 7) as f64)).collect();
    let series = crate::model::metrics::Series { labels: [("pod".to_string(), "api-1".to_string())].into(), samples };
    s.signals.cache.insert(key.clone(), Cached { series: vec![series], end, ..Cached::default() });
    s.view.chart = Some(ChartView { title: "HighErrorRate · expression".into(), key: key.clone(), unit: Unit::None });
    let screen = render(&s, 120, 30);
    assert!(screen.contains("HighErrorRate · expression"), "{screen}");
    assert!(screen.contains("pod=api-1"), "legend: {screen}");
    assert!(screen.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c)), "braille: {screen}");
    assert!(screen.contains("11:30") && screen.contains("12:00"), "time axis: {screen}");
    // In the local time zone, as the board's ages and the logs' stamps.
    s.clock.local_offset = chrono::FixedOffset::east_opt(2 * 3600).expect("offset");
    let local = render(&s, 120, 30);
    assert!(local.contains("13:30") && local.contains("14:00") && !local.contains("12:00"), "local axis: {local}");
    s.clock.local_offset = chrono::FixedOffset::east_opt(0).expect("UTC");
    let err = SourceError::Api { status: 400, kind: "bad_data".into(), message: "1:6: parse error: unclosed".into() };
    s.signals.cache.insert(
        key,
        Cached { series: vec![], end, tries: crate::state::signals::Tries { error: Some(err), ..Default::default() } },
    );
    let screen = render(&s, 120, 30);
    assert!(screen.contains("bad_data: 1:6: parse error: unclosed"), "Prometheus' own words: {screen}");
}

#[test]
fn context_picker_lists_marks_and_filters() {
    use crate::state::contexts::{ContextSummary, open_picker};
    let summary = |name: &str, read_only, prometheus, alertmanager, loki| ContextSummary {
        name: name.into(),
        read_only,
        prometheus,
        alertmanager,
        loki,
    };
    let mut s = loaded();
    s.contexts.active = "prod-eu".into();
    s.contexts.known = vec![
        summary("prod-eu", false, 2, 2, 1),
        summary("prod-us", true, 1, 3, 0),
        summary("staging\x1b[31m", false, 0, 1, 0),
    ];
    s.contexts.read_only = true;
    open_picker(&mut s);
    update(&mut s, Msg::Key(crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Down)));
    insta::assert_snapshot!(render(&s, 100, 14));
}

/// Issue 15 item 17: the full-screen logs pane (`l`, `f`) clears what it
/// covers, so a short log line does not show the board's text beside it.
#[test]
fn fullscreen_logs_hide_the_board_underneath() {
    use crate::model::logs::{BatchKind, LogBatch};
    let mut s = loaded();
    let board = render(&s, 130, 20);
    assert!(board.contains("DatabaseDown") && board.contains("Watchdog"), "{board}");
    s.logs.follow.enabled = true;
    let g = s.logs.view.begin(Some("HighErrorRate".into()), None);
    let t0 = now().timestamp_nanos_opt().unwrap_or_default();
    let lines = vec![crate::state::logs::tests::line(t0, "ok"), crate::state::logs::tests::line(t0 + 1, "up")];
    s.logs.view.push_batch(LogBatch { generation: g, kind: BatchKind::Initial, lines, ..LogBatch::default() });
    s.logs.view.fullscreen = true;
    let screen = render(&s, 130, 20);
    assert!(screen.contains(" ok") && screen.contains(" up"), "{screen}");
    for name in ["DatabaseDown", "Watchdog", "HighLatency", "DiskFilling", "summary"] {
        assert!(!screen.contains(name), "{name} shows through the logs:\n{screen}");
    }
}

/// Issue 14: a young alert's "since … (N ago)" reads to the minute, like
/// every other age, so the detail does not repaint at every poll.
#[test]
fn a_young_alerts_age_changes_once_a_minute() {
    let mut s = state();
    let mut a = alert("JustFired", "critical", &[("service", "api")], 0, "am0");
    a.starts_at = now() - chrono::Duration::seconds(7);
    update(&mut s, poll(AM0, Ok(Payload::AmAlerts(share(vec![a])))));
    let first = render(&s, 130, 20);
    assert!(first.contains("since 2026-11-22 11:59:53 UTC (<1m ago)"), "{first}");
    for secs in [2, 10, 30, 52] {
        update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(secs)));
        assert_eq!(render(&s, 130, 20), first, "{secs}s later, nothing on screen changed");
    }
    update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(53)));
    let later = render(&s, 130, 20);
    assert!(later.contains("since 2026-11-22 11:59:53 UTC (1m ago)"), "{later}");
}

/// A save error on a narrow screen with a source down: the reason shows,
/// in full, rather than cut behind the sources' health at the screen edge.
#[test]
fn save_errors_show_their_reason_first_on_a_narrow_screen() {
    let mut s = loaded();
    update(&mut s, poll(AM0, Err(SourceError::Refused)));
    let err = crate::incident::JournalError::Io {
        op: "write to",
        path: "/var/lib/warroom/incidents/2026-11-22-a-long-incident-title/journal.jsonl".into(),
        source: std::io::Error::from_raw_os_error(28),
    };
    s.flash_error(format!("not saved: {err}"));
    let screen = render(&s, 72, 12);
    let status = screen.lines().last().unwrap_or_default();
    assert!(status.starts_with("not saved: No space left on device (os error 28)"), "{screen}");
}

/// Issue 15 item 15: 100 000 alerts left the board empty ("Alerts (0)").
/// What the parse dropped past the count limit, and alerts with cut text,
/// are in the board's title.
#[test]
fn the_title_says_what_an_answer_lost() {
    let mut s = loaded();
    let plain = render(&s, 130, 20);
    assert!(plain.contains(" Alerts (") && !plain.contains("not shown") && !plain.contains("text cut"), "{plain}");
    let cut = crate::model::AlertsCut { over_limit: 50_000, limit: 50_000, text_cut: 3 };
    update(&mut s, poll(AM0, Ok(Payload::AlertsCut(cut))));
    let shown = board().len();
    let screen = render(&s, 130, 20);
    let want = format!("Alerts ({shown}, 50000 not shown: limit 50000/source, 3 with text cut)");
    assert!(screen.contains(&want), "{screen}");
    update(&mut s, poll(AM0, Ok(Payload::AlertsCut(Default::default()))));
    assert!(!render(&s, 130, 20).contains("not shown"));
}

/// Issue 18: an alert that flaps (more than `flap_threshold` transitions
/// within the last hour) is marked on its board row and in its History row.
#[test]
fn a_flapping_alert_is_marked_on_the_board() {
    let mut s = loaded();
    let flappy = s.alerts.alerts.iter().find(|b| b.alert.name() == "HighLatency").unwrap().alert.clone();
    let steady = s.alerts.alerts.iter().find(|b| b.alert.name() == "DatabaseDown").unwrap().alert.clone();
    let m = 60;
    crate::state::history::tests::load(
        &mut s,
        &flappy,
        &[(50 * m, 45 * m), (35 * m, 30 * m), (20 * m, 15 * m), (5 * m, 0)],
    );
    crate::state::history::tests::load(&mut s, &steady, &[(10 * m, 0)]);
    let screen = render(&s, 130, 20);
    let row = |name: &str| screen.lines().find(|l| l.contains(&format!("· {name} summary"))).unwrap_or_default();
    assert!(row("HighLatency").starts_with("│⇅WARN firing"), "{screen}");
    assert!(row("DatabaseDown").starts_with("│ CRIT firing"), "{screen}");
    s.alerts.select_row(5);
    update(&mut s, Msg::Tick(now()));
    let screen = render(&s, 130, 20);
    assert!(screen.contains("⇅ flapping: 7 changes in the last hour"), "{screen}");
}
