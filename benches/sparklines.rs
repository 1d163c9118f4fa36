//! A refresh of 200 alerts' sparklines: parse 200 `query_range` answers as
//! Prometheus 2.42 writes them (120 points each over the 30-minute window,
//! one NaN in ten answers), merge them into the signals cache through
//! `state::update`, then draw the board with all 200 sparklines visible on
//! a 200x220 `TestBackend` (each sparkline downsamples its 120 points into
//! 15 columns). Two sets of answers alternate so every frame changes.
//! Criterion reports the mean; p50/p99/max of single refreshes follow.

mod support;

use std::time::Duration;

use criterion::Criterion;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::model::Labels;
use warroom::msg::{Cmd, Msg, Payload, PollResult, SourceId, SourceKind};
use warroom::sources::prometheus::AlertRule;
use warroom::sources::{Body, PrometheusClient};
use warroom::state::signals::Fetch;
use warroom::state::{Setup, State, update};

const ALERTS: usize = 200;
const POINTS: i64 = 120;
const PROM: SourceId = SourceId { kind: SourceKind::Prometheus, index: 0 };

/// One rule per alert (its own pod), so 200 distinct expressions.
fn rules(state: &State) -> Vec<AlertRule> {
    state
        .alerts
        .alerts
        .iter()
        .map(|b| {
            let pod = b.alert.labels.get("pod").cloned().unwrap_or_default();
            AlertRule {
                group: "slo".into(),
                name: b.alert.name().to_string(),
                query: format!(
                    "sum by (pod) (rate(http_requests_total{{pod=\"{pod}\",code=~\"5..\"}}[5m])) \
                     / sum by (pod) (rate(http_requests_total{{pod=\"{pod}\"}}[5m])) > 0.05"
                ),
                duration: Duration::from_secs(300),
                labels: [("pod".to_string(), pod)].into_iter().collect::<Labels>(),
                annotations: Labels::new(),
                health: "ok".into(),
                interval: std::time::Duration::from_secs(15),
            }
        })
        .collect()
}

/// A `query_range` answer for one pod, byte for byte in Prometheus' format
/// (`[1700000040,"0.0123"]`, `"NaN"`).
fn answer(pod: &str, end: i64, window: i64, seed: usize) -> Vec<u8> {
    let step = window / POINTS;
    let values: Vec<String> = (0..POINTS)
        .map(|i| {
            let t = end - step * (POINTS - 1 - i);
            let v = 0.05 + 0.04 * ((i as f64 + seed as f64) / 9.0).sin();
            let v = if seed.is_multiple_of(10) && i == 60 { "NaN".to_string() } else { format!("{v}") };
            format!("[{t},\"{v}\"]")
        })
        .collect();
    format!(
        "{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{{\"metric\":{{\"pod\":\"{pod}\"}},\"values\":[{}]}}]}}}}",
        values.join(",")
    )
    .into_bytes()
}

struct Refresh {
    state: State,
    terminal: Terminal<TestBackend>,
    /// Two alternating sets of (fetch, answer).
    answers: [Vec<(Fetch, Body)>; 2],
    turn: usize,
}

impl Refresh {
    fn new() -> Self {
        let now = chrono::Utc::now();
        let setup = Setup {
            sources: vec![(support::AM, "am".into()), (PROM, "prom".into())],
            group_by: "none".into(),
            ..Setup::default()
        };
        let mut state = State::new(setup, Default::default(), Default::default(), now);
        // The terminal's size, as the console sends it before the first frame:
        // the scheduler plans fetches for the rows the layout shows.
        update(&mut state, Msg::Resize(200, 220));
        update(&mut state, support::poll(warroom::model::share(support::alerts(ALERTS, now))));
        let rules = Payload::PromRules(rules(&state));
        let poll = PollResult { source: PROM, at: now, latency: Duration::from_millis(3), result: Ok(rules) };
        // What the scheduler asks for: before the first frame (the first
        // row), then once the list has been drawn (the rest).
        let mut cmds = update(&mut state, Msg::Poll(Box::new(poll)));
        let mut terminal = Terminal::new(TestBackend::new(200, 220)).expect("terminal");
        terminal.draw(|f| warroom::ui::draw(f, &state)).expect("draw");
        cmds.extend(update(&mut state, Msg::Tick(now)));
        let list_step = state.signals.step_for(warroom::state::schedule::LIST_SPARK_WIDTH);
        let fetches: Vec<Fetch> = cmds
            .into_iter()
            .filter_map(|c| match c {
                Cmd::FetchRange(f) if f.key.step_secs == list_step => Some(f),
                _ => None,
            })
            .collect();
        assert_eq!(fetches.len(), ALERTS, "one range query per visible alert");
        let window = state.signals.window.as_secs() as i64;
        let set = |shift: usize| -> Vec<(Fetch, Body)> {
            fetches
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let pod = f.key.query.split("pod=\"").nth(1).and_then(|r| r.split('"').next());
                    let pod = pod.unwrap_or_default().to_string();
                    let bytes = answer(&pod, f.end, window, i + shift);
                    let body = Body {
                        status: 200,
                        content_type: "application/json".into(),
                        bytes,
                        elapsed: Duration::ZERO,
                        ..Default::default()
                    };
                    (f.clone(), body)
                })
                .collect()
        };
        Self { state, terminal, answers: [set(0), set(7)], turn: 0 }
    }

    fn run(&mut self) {
        self.turn ^= 1;
        for (fetch, body) in &self.answers[self.turn] {
            let series = PrometheusClient::parse_series(body).expect("parses");
            update(&mut self.state, Msg::Range(Box::new((fetch.clone(), Ok(series)))));
        }
        self.terminal.draw(|f| warroom::ui::draw(f, &self.state)).expect("draw");
    }

    /// Rows of the screen holding a drawn sparkline: all 200 must be.
    fn drawn(&self) -> usize {
        let buf = self.terminal.backend().buffer();
        (0..buf.area.height)
            .filter(|&y| {
                (0..110).any(|x| matches!(buf[(x, y)].symbol(), "▁" | "▂" | "▃" | "▄" | "▅" | "▆" | "▇" | "█"))
            })
            .count()
    }
}

fn main() {
    let mut refresh = Refresh::new();
    refresh.run();
    let bytes: usize = refresh.answers[0].iter().map(|(_, b)| b.bytes.len()).sum();
    println!("{ALERTS} answers, {bytes} bytes, {} sparkline rows drawn", refresh.drawn());
    assert!(refresh.drawn() >= ALERTS, "every alert's sparkline is on screen");
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("sparklines_200_alerts_200x220");
    group.sample_size(30);
    group.bench_function("refresh (parse + merge + draw)", |b| b.iter(|| refresh.run()));
    group.finish();
    c.final_summary();
    println!("\nsingle refresh of 200 sparklines, 200x220");
    support::percentiles("parse + merge + draw", 300, || refresh.run());
}
