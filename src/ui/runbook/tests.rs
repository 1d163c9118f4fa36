//! The runbook pane with live blocks: answers under their blocks, an error
//! in the source's words.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::runbook::Document;
use crate::runbook::render::RunbookStyles;
use crate::state::runbook::live::{LiveAnswer, LiveLine, LiveResult, LiveSeries};
use crate::state::runbook::{RunbookAction, RunbookView};

const RB: &str = "# High error rate\n\n- [ ] Measure the error ratio per service\n\n  ```promql unit=ratio\n  \
                  sum by (service) (rate(http_requests_total{code=~\"5..\"}[5m]))\n  ```\n\n\
                  - [ ] Read the errors\n\n  ```logql\n  {app=\"api\"} |= \"error\"\n  ```\n\n\
                  - [ ] Check the saturation\n\n  ```promql\n  sum(rate(x[5m])\n  ```\n";

fn render(v: &RunbookView, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| super::draw(f, f.area(), v, true, &crate::theme::Theme::default())).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn series(service: &str, value: f64, samples: &[f64]) -> LiveSeries {
    let labels = [("service".to_string(), service.to_string())].into_iter().collect();
    LiveSeries { labels, value, samples: samples.to_vec() }
}

#[test]
fn live_answers_and_an_error_under_their_blocks() {
    let at = Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap();
    let doc = Arc::new(Document { source: "runbooks/high-error-rate.md".into(), markdown: RB.into() });
    let mut v = RunbookView::new(doc, 78, RunbookStyles::default());
    v.resize(78, 26);
    v.set_live(true);
    let asks = v.ask_live(at, Duration::from_secs(30), Duration::from_secs(1800));
    assert_eq!(asks.len(), 3);
    let answers = [
        Ok(LiveAnswer::Series {
            total: 3,
            top: vec![
                series("api", 0.073, &[0.01, 0.012, 0.03, 0.05, 0.073]),
                series("checkout", 0.021, &[0.02, 0.02, 0.021, 0.022, 0.021]),
            ],
        }),
        Ok(LiveAnswer::Logs {
            count: 42,
            lines: vec![
                LiveLine { ts_ns: 1_764_730_790_000_000_000, line: "level=error msg=\"db timeout\"".into() },
                LiveLine { ts_ns: 1_764_730_795_000_000_000, line: "level=error msg=\"upstream 503\"".into() },
            ],
        }),
        Err("bad_data: invalid parameter \"query\": 1:15: parse error: unclosed left parenthesis".into()),
    ];
    for (ask, result) in asks.iter().zip(answers) {
        assert!(v.merge_live(LiveResult { tag: ask.tag.clone(), at, result }));
    }
    // The cursor on the first block: the status line says it is live.
    for a in [RunbookAction::NextStep, RunbookAction::Down, RunbookAction::Down] {
        v.apply(a);
    }
    insta::assert_snapshot!(render(&v, 80, 28));
}
