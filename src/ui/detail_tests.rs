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
    s.focus = Pane::Detail;
    s.signal_selected = Some(1);
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
