//! The detail's signals drawn: several series per signal, labelled, gaps
//! as blanks, the selected row marked.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::state::Pane;
use crate::state::pin::tests::loaded_at;

/// The detail pane alone, `w` columns wide (spark width follows).
fn render(s: &crate::state::State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| super::draw(f, f.area(), s)).expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn several_series_are_labelled_with_gaps() {
    // 90 columns: 88 inside the borders, 35 for the sparklines.
    let mut s = loaded_at(false, 35);
    for cached in s.signals.cache.values_mut() {
        for series in cached.series.iter_mut().filter(|x| x.labels.get("route").is_some_and(|r| r == "/b")) {
            let n = series.samples.len();
            series.samples[n - 10].1 = f64::NAN;
            series.samples.drain(n - 6..n - 4);
        }
    }
    s.view.focus = Pane::Detail;
    s.view.detail.signal = Some(1);
    let screen = render(&s, 90, 22);
    assert_eq!(s.detail_spark_width(), 35, "the fixture's step is the one drawn");
    insta::assert_snapshot!(screen);
    let line = |needle: &str| screen.lines().find(|l| l.contains(needle)).unwrap_or_default().to_string();
    assert!(line("throughput").contains("top 2 of 3 by current value"), "{screen}");
    assert!(line("route=/a").contains("5 req/s"), "{screen}");
    let (b, a) = (screen.find("route=/b").unwrap_or(usize::MAX), screen.find("route=/a").unwrap_or(0));
    assert!(b < a, "highest current value first:\n{screen}");
    assert!(!screen.contains("route=/c"), "beyond top 2:\n{screen}");
    let b = line("route=/b");
    let spark: String = b.chars().skip(14).take(35).collect();
    assert_eq!(spark.trim_start().matches(' ').count(), 3, "NaN and two missing samples are gaps: {spark:?}");
}

/// Issue 15 item 19: credentials in a `runbook_url` showed in the detail.
#[test]
fn urls_in_the_detail_show_no_credentials() {
    use crate::model::share;
    use crate::msg::{Payload, SourceId, SourceKind};
    use crate::state::tests::{alert, poll, state};
    let mut s = state();
    let mut a = alert("RB_19", "critical", &[], 3, "am0");
    a.annotations.insert("runbook_url".into(), "http://ops:hunter2@wiki.internal/rb_19".into());
    a.generator_url = Some("https://admin:pw@prom.internal/graph".into());
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    crate::state::update(&mut s, poll(am, Ok(Payload::AmAlerts(share(vec![a])))));
    let screen = render(&s, 100, 30);
    assert!(screen.contains("runbook_url: http://***@wiki.internal/rb_19"), "{screen}");
    assert!(screen.contains("generatorURL: https://***@prom.internal/graph"), "{screen}");
    assert!(!screen.contains("hunter2") && !screen.contains("admin:"), "{screen}");
}

/// The detail of `a` alone on a board fed by Alertmanager.
fn with_alert(a: &crate::model::Alert) -> crate::state::State {
    use crate::model::share;
    use crate::msg::{Payload, SourceId, SourceKind};
    use crate::state::tests::{poll, state};
    let mut s = state();
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    crate::state::update(&mut s, poll(am, Ok(Payload::AmAlerts(share(vec![a.clone()])))));
    s
}

/// Issue 18: how often the alert fired this week, in words and as a strip.
#[test]
fn the_history_row_says_how_often_it_fired_and_draws_the_week() {
    use crate::state::history::tests::load;
    use crate::state::tests::alert;
    let a = alert("Flappy", "warning", &[("service", "api")], 3, "am0");
    let mut s = with_alert(&a);
    assert!(render(&s, 100, 8).contains("History      reading 7d of ALERTS…"), "{}", render(&s, 100, 8));
    let (day, min) = (86_400, 60);
    // Two days ago for 12 minutes, a day ago for 14, and now for 3.
    load(&mut s, &a, &[(2 * day, 2 * day - 12 * min), (day, day - 14 * min), (3 * min, 0)]);
    let screen = render(&s, 100, 8);
    insta::assert_snapshot!(screen);
    let row = screen.lines().find(|l| l.contains("History")).unwrap_or_default();
    assert!(row.contains("fired 3× in 7d · last 1d ago · median 12m"), "{screen}");
    let strip = screen.lines().find(|l| l.contains("7d ago")).unwrap_or_default();
    let cells: String = strip.chars().filter(|c| "█▁".contains(*c)).collect();
    assert_eq!(cells.chars().count(), 100 - 2 - 13 - 4, "a cell a column between the labels (up to 168)");
    assert_eq!(cells.split('▁').filter(|r| !r.is_empty()).count(), 3, "three runs: {strip}");
    assert!(strip.contains("█ now"), "the current firing at the right: {strip}");
}

#[test]
fn the_history_row_says_first_time_and_why_it_is_unknown() {
    use crate::model::SourceError;
    use crate::state::history::tests::{fail, load};
    use crate::state::tests::alert;
    let a = alert("NewOne", "critical", &[], 3, "am0");
    let mut s = with_alert(&a);
    load(&mut s, &a, &[]);
    let screen = render(&s, 100, 8);
    assert!(screen.contains("History      first time in 7d"), "{screen}");
    let message = "invalid parameter \"query\": 1:8: parse error: unexpected character inside braces: '\\x1b'";
    let bad = SourceError::Api { status: 400, kind: "bad_data".into(), message: format!("{message}\x1b[31m") };
    fail(&mut s, &a, bad);
    let screen = render(&s, 100, 8);
    insta::assert_snapshot!(screen);
    assert!(screen.contains("Prometheus refused the history query: bad_data: invalid parameter"), "{screen}");
    assert!(!screen.contains('\u{1b}'), "cleaned: {screen:?}");
    let b = alert("Other", "critical", &[], 3, "am0");
    let mut s = with_alert(&b);
    fail(&mut s, &b, SourceError::Refused);
    assert!(render(&s, 100, 8).contains("history unavailable, asked again later: connection refused"));
}
