//! Live blocks in the runbook view: which are asked for (on screen, due,
//! within the cap), answers merged under their block, stale ones dropped,
//! and a tick records what the step's blocks showed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::runbook::Document;
use crate::runbook::render::RunbookStyles;
use crate::state::runbook::{RunbookAction, RunbookEvent, RunbookView};

const REFRESH: Duration = Duration::from_secs(30);
const WINDOW: Duration = Duration::from_secs(1800);

const RB: &str = "# Errors\n\n- [ ] Measure the error ratio per service\n\n  ```promql unit=ratio\n  \
                  sum by (service) (rate(errors_total[5m])) / sum by (service) (rate(requests_total[5m]))\n  ```\n\n\
                  - [ ] Look at the logs\n\n  ```logql\n  {app=\"api\"} |= \"error\"\n  ```\n\n\
                  ```bash\nkubectl get pods\n```\n";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 3, 0, 0).unwrap()
}

fn view_of(md: &str, height: u16) -> RunbookView {
    let doc = Arc::new(Document { source: "/rb/errors.md".into(), markdown: md.into() });
    let mut v = RunbookView::new(doc, 80, RunbookStyles::default());
    v.resize(80, height);
    v.set_live(true);
    v
}

fn series(service: &str, value: f64) -> LiveSeries {
    let labels = [("service".to_string(), service.to_string())].into_iter().collect();
    LiveSeries { labels, value, samples: vec![0.01, 0.02, 0.05, value] }
}

fn answer(ask: &LiveAsk, at: DateTime<Utc>, result: Result<LiveAnswer, String>) -> LiveResult {
    LiveResult { tag: ask.tag.clone(), at, result }
}

fn text(v: &RunbookView) -> String {
    (0..v.rendered().lines.len()).map(|i| v.rendered().plain_line(i)).collect::<Vec<_>>().join("\n")
}

#[test]
fn visible_live_blocks_are_asked_once_until_due() {
    let mut v = view_of(RB, 40);
    let asks = v.ask_live(t0(), REFRESH, WINDOW);
    assert_eq!(asks.len(), 2, "the promql and logql blocks, not the bash one: {asks:?}");
    assert_eq!(asks[0].lang, Lang::PromQl);
    assert_eq!(asks[1].lang, Lang::LogQl);
    assert_eq!(asks[1].tag.query, "{app=\"api\"} |= \"error\"");
    assert_eq!((asks[0].end, asks[0].window_secs, asks[0].step_secs), (t0().timestamp(), 1800, 75));
    assert!(v.ask_live(t0() + chrono::Duration::seconds(5), REFRESH, WINDOW).is_empty(), "in flight");
    assert!(text(&v).contains("↳ running…"));
    let a = asks[0].clone();
    assert!(v.merge_live(answer(
        &a,
        t0() + chrono::Duration::seconds(1),
        Ok(LiveAnswer::Series { total: 0, top: vec![] })
    )));
    assert!(v.ask_live(t0() + chrono::Duration::seconds(20), REFRESH, WINDOW).is_empty(), "fresh");
    let again = v.ask_live(t0() + chrono::Duration::seconds(31), REFRESH, WINDOW);
    assert_eq!(again.len(), 1, "the answered block is due after `refresh`; the other is still in flight");
    assert_eq!(again[0].tag.block, a.tag.block);
}

#[test]
fn blocks_off_screen_or_turned_off_are_not_asked() {
    let filler = "para\n\n".repeat(40);
    let md = format!("# T\n\n{filler}```promql\nup\n```\n");
    let mut v = view_of(&md, 10);
    assert!(v.ask_live(t0(), REFRESH, WINDOW).is_empty(), "the block is below the screen");
    v.apply(RunbookAction::Bottom);
    assert_eq!(v.ask_live(t0(), REFRESH, WINDOW).len(), 1, "scrolled to it");
    let mut off = view_of("```promql\nup\n```\n", 10);
    off.set_live(false);
    assert!(off.ask_live(t0(), REFRESH, WINDOW).is_empty());
    assert!(!text(&off).contains('↳'));
}

#[test]
fn at_most_a_few_queries_are_in_flight() {
    let md: String = (0..7).map(|i| format!("```promql\nup{{n=\"{i}\"}}\n```\n\n")).collect();
    let mut v = view_of(&md, 60);
    let asks = v.ask_live(t0(), REFRESH, WINDOW);
    assert_eq!(asks.len(), MAX_IN_FLIGHT);
    assert!(v.ask_live(t0(), REFRESH, WINDOW).is_empty());
    v.merge_live(answer(&asks[0], t0(), Err("boom".into())));
    assert_eq!(v.ask_live(t0(), REFRESH, WINDOW).len(), 1, "one answered: one more may go");
    // An ask never answered (dropped with a context switch) is not waited for forever.
    assert_eq!(v.ask_live(t0() + chrono::Duration::seconds(120), REFRESH, WINDOW).len(), MAX_IN_FLIGHT);
}

#[test]
fn answers_show_under_their_block_and_stale_ones_are_dropped() {
    let mut v = view_of(RB, 40);
    let asks = v.ask_live(t0(), REFRESH, WINDOW);
    let step2 = v.rendered().tasks[1].line;
    let top = vec![series("api", 0.073), series("web", 0.021)];
    let ok = Ok(LiveAnswer::Series { total: 7, top });
    let mut stale = answer(&asks[0], t0(), ok.clone());
    stale.tag.query = "an older query".into();
    assert!(!v.merge_live(stale), "another query's answer");
    let mut closed = answer(&asks[0], t0(), ok.clone());
    closed.tag.runbook = "another-runbook".into();
    assert!(!v.merge_live(closed), "another runbook's answer");
    let mut other_block = answer(&asks[0], t0(), ok.clone());
    other_block.tag.block = 2;
    assert!(!v.merge_live(other_block), "the bash block is not live");
    assert!(v.merge_live(answer(&asks[0], t0(), ok)));
    let shown = text(&v);
    assert!(shown.contains("↳ service=api  7.30%  ▁▂▅█"), "{shown}");
    assert!(shown.contains("↳ service=web  2.10%"), "{shown}");
    assert!(shown.contains("… 5 more series"), "{shown}");
    assert!(v.rendered().tasks[1].line > step2, "what follows moved down under the answer");
    let logs = LiveAnswer::Logs {
        count: 12,
        lines: vec![LiveLine {
            ts_ns: t0().timestamp_nanos_opt().unwrap(),
            line: "error: db timeout\u{1b}[31m".into(),
        }],
    };
    assert!(v.merge_live(answer(&asks[1], t0(), Ok(logs))));
    let shown = text(&v);
    assert!(shown.contains("↳ 12 matching lines over the window"), "{shown}");
    assert!(shown.contains("03:00:00 error: db timeout"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "log lines are cleaned");
}

#[test]
fn an_error_shows_the_sources_message() {
    let mut v = view_of("```promql\nsum(rate(x[5m])\n```\n", 20);
    let asks = v.ask_live(t0(), REFRESH, WINDOW);
    let msg = "bad_data: invalid parameter \"query\": 1:15: parse error: unclosed left parenthesis";
    v.merge_live(answer(&asks[0], t0(), Err(msg.into())));
    assert!(text(&v).contains("↳ bad_data: invalid parameter"), "{}", text(&v));
}

#[test]
fn an_unfilled_placeholder_is_not_run_and_says_why() {
    let mut v = view_of("```promql\nup{job=\"{{ $labels.job }}\"}\n```\n", 20);
    assert!(v.ask_live(t0(), REFRESH, WINDOW).is_empty());
    assert!(text(&v).contains("not run: this alert gives no value for $labels.job"), "{}", text(&v));
}

#[test]
fn the_cursor_stays_on_its_line_when_answers_arrive() {
    let mut v = view_of(RB, 40);
    let asks = v.ask_live(t0(), REFRESH, WINDOW);
    v.apply(RunbookAction::NextStep);
    v.apply(RunbookAction::NextStep);
    let before = v.rendered().plain_line(v.cursor());
    let top = (0..5).map(|i| series(&format!("s{i}"), 0.1 * f64::from(i))).collect();
    v.merge_live(answer(&asks[0], t0(), Ok(LiveAnswer::Series { total: 5, top })));
    assert_eq!(v.rendered().plain_line(v.cursor()), before);
}

#[test]
fn ticking_a_step_records_what_its_blocks_show() {
    let mut v = view_of(RB, 40);
    let asks = v.ask_live(t0(), REFRESH, WINDOW);
    let top = vec![series("api", 0.073), series("web", 0.021)];
    v.merge_live(answer(&asks[0], t0(), Ok(LiveAnswer::Series { total: 2, top })));
    v.merge_live(answer(&asks[1], t0(), Err("HTTP 400: parse error".into())));
    v.apply(RunbookAction::NextStep);
    let Some(RunbookEvent::Step { step, values, .. }) = v.apply(RunbookAction::Tick) else { panic!("a step") };
    assert_eq!((step, values.clone()), (1, vec!["service=api 7.30%, service=web 2.10%".to_string()]));
    let event = RunbookEvent::Step { runbook: "errors".into(), step, text: "Measure".into(), done: true, values };
    assert_eq!(
        event.timeline_text().unwrap(),
        "runbook errors: step 1 'Measure' done — service=api 7.30%, service=web 2.10%"
    );
    v.apply(RunbookAction::NextStep);
    let Some(RunbookEvent::Step { step: 2, values, .. }) = v.apply(RunbookAction::Tick) else { panic!("step 2") };
    assert_eq!(values, vec!["error: HTTP 400: parse error".to_string()]);
}

#[test]
fn shift_maps_lines_both_ways() {
    let s = Shift { points: vec![(2, 3), (5, 1)] };
    assert_eq!((s.map(0), s.map(2), s.map(3), s.map(5), s.map(6)), (0, 2, 6, 8, 10));
    assert_eq!(s.anchor(2), (2, 0));
    assert_eq!(s.anchor(4), (2, 2));
    assert_eq!(s.anchor(6), (3, 0));
    assert_eq!(s.anchor(9), (5, 1));
    assert_eq!(s.anchor(10), (6, 0));
    assert_eq!(s.place((2, 9)), 5, "an insert that shrank: its end");
}

#[test]
fn sparklines_scale_between_min_and_max() {
    assert_eq!(sparkline(&[0.0, 1.0, f64::NAN, 0.5]), "▁█ ▅");
    assert_eq!(sparkline(&[3.0, 3.0]), "▁▁");
    assert_eq!(sparkline(&[]), "");
}

/// The whole state: opening asks with the alert's labels, the loaded
/// runbook asks for its blocks on the next update, an answer is shown, and
/// Enter opens a PromQL block in the chart and a LogQL one in the logs.
#[test]
fn the_state_asks_shows_and_opens_live_blocks() {
    use crate::msg::{Cmd, Msg, Payload, SourceId, SourceKind};
    use crate::runbook::render::{Prepared, render};
    use crate::state::{tests, update};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut s = tests::state();
    s.runbook.live = true;
    s.logs.follow.enabled = true;
    // Live blocks only read: read-only mode runs them too.
    s.contexts.read_only = true;
    update(&mut s, Msg::Resize(120, 50));
    let am = SourceId { kind: SourceKind::Alertmanager, index: 0 };
    update(&mut s, tests::poll(am, Ok(Payload::AmAlerts(crate::model::share(tests::board())))));
    let cmds = update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)));
    let Some(Cmd::OpenRunbook { vars: Some(vars), request, .. }) =
        cmds.iter().find(|c| matches!(c, Cmd::OpenRunbook { .. }))
    else {
        panic!("{cmds:?}")
    };
    let selected = s.alerts.selected().unwrap().alert.labels.clone();
    assert_eq!(vars.labels, selected.into_iter().collect());
    let md = "# R\n\n```promql\nup\n```\n\n```logql\n{app=\"api\"}\n```\n";
    let doc = Arc::new(Document { source: "r.md".into(), markdown: md.into() });
    let prepared = Prepared { rendered: render(md, 118, &RunbookStyles::default()), doc };
    let cmds = update(&mut s, Msg::Runbook { request: *request, prepared: Box::new(prepared) });
    let asks: Vec<&LiveAsk> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::LiveQuery(a) => Some(&**a),
            _ => None,
        })
        .collect();
    assert_eq!(asks.len(), 2, "{cmds:?}");
    let result = LiveResult { tag: asks[0].tag.clone(), at: s.clock.now, result: Err("HTTP 503: overloaded".into()) };
    update(&mut s, Msg::Live(Box::new(result)));
    assert!(text(s.runbook.view.as_ref().unwrap()).contains("↳ HTTP 503: overloaded"));
    let enter = || Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let down = || Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
    update(&mut s, down());
    update(&mut s, down());
    update(&mut s, down());
    update(&mut s, enter());
    assert_eq!(s.view.chart.as_ref().map(|c| c.key.query.as_str()), Some("up"), "the PromQL block in the chart");
    let later = s.clock.now + chrono::Duration::seconds(60);
    let cmds = update(&mut s, Msg::Tick(later));
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::LiveQuery(_))), "hidden under the chart: {cmds:?}");
    update(&mut s, Msg::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)));
    assert!(s.view.chart.is_none() && s.runbook.view.is_some());
    for _ in 0..4 {
        update(&mut s, down());
    }
    let cmds = update(&mut s, enter());
    assert!(s.runbook.view.is_none() && s.view.focus == crate::state::Pane::Logs, "the LogQL block in the logs pane");
    assert!(cmds.iter().any(|c| matches!(c, Cmd::FollowLogs(f) if matches!(&f.query, crate::model::logs::QuerySpec::LogQl(q) if q == "{app=\"api\"}"))), "{cmds:?}");
}

/// Steps ticked stay ticked when the runbook is closed and opened again
/// (and a teammate's ticks, read from the shared journal, show too).
#[test]
fn steps_ticked_before_a_reopen_or_by_a_teammate_show_ticked() {
    use crate::incident::{Event, ReadOutcome, Record};
    use crate::msg::{IncidentMsg, Msg};
    use crate::runbook::render::{Prepared, render};
    use crate::state::{tests, update};
    let mut s = tests::state();
    update(&mut s, Msg::Resize(120, 50));
    let md = "# R\n\n- [ ] one\n- [ ] two\n- [ ] three\n";
    let prepared = || {
        let doc = Arc::new(Document { source: "r.md".into(), markdown: md.into() });
        Prepared { rendered: render(md, 118, &RunbookStyles::default()), doc }
    };
    let request = s.runbook.ask();
    update(&mut s, Msg::Runbook { request, prepared: Box::new(prepared()) });
    let name = s.runbook.view.as_ref().expect("open").name().to_string();
    let t0 = s.clock.now;
    let step = |n: u32, step: usize, done: bool, who: &str| {
        let event = Event::RunbookStep { runbook: name.clone(), step, text: String::new(), done, values: Vec::new() };
        Record::new(t0 + chrono::Duration::seconds(i64::from(n)), who, event)
            .with_id(format!("01JDX3ZC8Q4M5T0V6B7N8P9R{n:02}@h"), "h")
    };
    let read = ReadOutcome {
        records: vec![step(1, 1, true, "me"), step(2, 3, true, "me"), step(3, 3, false, "me")],
        warnings: vec![],
    };
    s.incident.load("2026-12-03-x", read);
    s.runbook.close();
    let request = s.runbook.ask();
    update(&mut s, Msg::Runbook { request, prepared: Box::new(prepared()) });
    let v = s.runbook.view.as_ref().expect("reopened");
    assert_eq!((v.is_done(0), v.is_done(1), v.is_done(2)), (true, false, false), "the last record of each step wins");
    // Bob ticks step 2 on his machine: his record arrives, the step shows done.
    let theirs = ReadOutcome { records: vec![step(4, 2, true, "bob")], warnings: vec![] };
    update(&mut s, Msg::Incident(IncidentMsg::Read(theirs)));
    assert!(s.runbook.view.as_ref().expect("open").is_done(1));
    assert_eq!(s.runbook.view.as_ref().expect("open").progress(), (2, 3));
}
