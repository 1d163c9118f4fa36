//! `:dash` at scale. Open: parse a 100-panel dashboard file (the size of
//! Node Exporter Full), hand it to the state, open it, lay it out and draw
//! the first frame at 240x64. Refresh: with 20 panels on screen (a 4x5 grid
//! of 4-line panels: 60 lines of panels at 3 lines per grid line), parse
//! 20 `query_range` answers as Prometheus writes them (2 series of 120
//! points each), merge them into the dashboard's cache through
//! `state::update`, and draw. Two sets of answers alternate so every frame
//! changes. Criterion reports the mean; p50/p99/max of single runs follow.

mod support;

use std::time::Duration;

use criterion::Criterion;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;
use warroom::model::dashboard::DashFile;
use warroom::msg::fetch::{Fetch, Purpose};
use warroom::msg::{Cmd, Msg, SourceId, SourceKind};
use warroom::sources::{Body, PrometheusClient};
use warroom::state::{Setup, State, update};

const PANELS: usize = 100;
const POINTS: i64 = 120;
const SIZE: (u16, u16) = (240, 64);
const PROM: SourceId = SourceId { kind: SourceKind::Prometheus, index: 0 };

/// 100 panels, four to a grid row, 4 grid lines high: time series and
/// stats in turn, each with its own query over `$job` and `$__rate_interval`.
fn dashboard_json() -> Vec<u8> {
    let panels: Vec<serde_json::Value> = (0..PANELS)
        .map(|i| {
            let kind = if i % 2 == 0 { "timeseries" } else { "stat" };
            json!({
                "id": i + 1,
                "type": kind,
                "title": format!("Panel {i}: node {kind}"),
                "gridPos": { "x": (i % 4) * 6, "y": (i / 4) * 4, "w": 6, "h": 4 },
                "datasource": { "type": "prometheus", "uid": "prom" },
                "fieldConfig": {
                    "defaults": {
                        "unit": if i % 3 == 0 { "percentunit" } else { "bytes" },
                        "decimals": 1,
                        "thresholds": { "mode": "absolute", "steps": [
                            { "color": "green", "value": null }, { "color": "red", "value": 0.8 }
                        ] }
                    },
                    "overrides": []
                },
                "targets": [{
                    "refId": "A",
                    "expr": format!("sum by (instance) (rate(node_metric_{i}_total{{job=~\"$job\"}}[$__rate_interval]))"),
                    "legendFormat": "{{instance}}"
                }]
            })
        })
        .collect();
    let doc = json!({
        "title": "Node Exporter Full (bench)",
        "time": { "from": "now-1h", "to": "now" },
        "templating": { "list": [
            { "name": "job", "type": "custom", "query": "node,api", "current": { "value": "node", "text": "node" },
              "options": [ { "value": "node", "text": "node" }, { "value": "api", "text": "api" } ] }
        ] },
        "panels": panels
    });
    serde_json::to_vec_pretty(&doc).expect("JSON")
}

fn state() -> State {
    let setup = Setup { sources: vec![(PROM, "prom".into())], dashboards: true, ..Setup::default() };
    let mut state = State::new(setup, Default::default(), Default::default(), chrono::Utc::now());
    update(&mut state, Msg::Resize(SIZE.0, SIZE.1));
    state
}

/// Parse, hand over, open, lay out, first frame: what `:dash` costs.
fn open(bytes: &[u8], terminal: &mut Terminal<TestBackend>) -> (State, Vec<Cmd>) {
    let parsed = warroom::dashboard::parse(bytes).expect("the bench dashboard parses");
    let file = DashFile {
        file: "bench.json".into(),
        title: parsed.dashboard.title.clone(),
        dashboard: Ok(Box::new(parsed.dashboard)),
        warnings: parsed.diagnostics.len(),
    };
    let mut state = state();
    update(&mut state, Msg::Dashboards(vec![file]));
    let cmds = warroom::state::dashboard::open_index(&mut state, 0);
    let mut all = cmds;
    let now = state.clock.now;
    all.extend(update(&mut state, Msg::Tick(now)));
    terminal.draw(|f| warroom::ui::draw(f, &state)).expect("draw");
    (state, all)
}

/// A `query_range` answer: two instances, 120 points each.
fn answer(f: &Fetch, seed: usize) -> Body {
    let step = f.key.step_secs.max(1) as i64;
    let series: Vec<String> = (0..2)
        .map(|s| {
            let values: Vec<String> = (0..POINTS)
                .map(|i| {
                    let t = f.end - step * (POINTS - 1 - i);
                    let v = 0.5 + 0.3 * ((i as f64 + (seed + s) as f64) / 7.0).sin();
                    format!("[{t},\"{v}\"]")
                })
                .collect();
            format!("{{\"metric\":{{\"instance\":\"node-{s}:9100\"}},\"values\":[{}]}}", values.join(","))
        })
        .collect();
    let bytes =
        format!("{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{}]}}}}", series.join(","))
            .into_bytes();
    Body { status: 200, content_type: "application/json".into(), bytes, elapsed: Duration::ZERO, ..Default::default() }
}

struct Refresh {
    state: State,
    terminal: Terminal<TestBackend>,
    answers: [Vec<(Fetch, Body)>; 2],
    turn: usize,
}

impl Refresh {
    fn new(bytes: &[u8]) -> Self {
        let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
        let (state, cmds) = open(bytes, &mut terminal);
        let fetches: Vec<Fetch> = cmds
            .into_iter()
            .filter_map(|c| match c {
                Cmd::FetchRange(f) if matches!(f.purpose, Purpose::Dashboard { .. }) => Some(f),
                _ => None,
            })
            .collect();
        assert_eq!(fetches.len(), 20, "the 20 panels on screen are fetched, no other");
        let set = |shift: usize| fetches.iter().enumerate().map(|(i, f)| (f.clone(), answer(f, i + shift))).collect();
        Self { state, terminal, answers: [set(0), set(5)], turn: 0 }
    }

    fn run(&mut self) {
        self.turn ^= 1;
        for (fetch, body) in &self.answers[self.turn] {
            let series = PrometheusClient::parse_series(body).expect("parses");
            update(&mut self.state, Msg::Range(Box::new((fetch.clone(), Ok(series)))));
        }
        self.terminal.draw(|f| warroom::ui::draw(f, &self.state)).expect("draw");
    }
}

fn main() {
    let bytes = dashboard_json();
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
    let (state, _) = open(&bytes, &mut terminal);
    assert!(state.dashboard.open.is_some());
    let mut refresh = Refresh::new(&bytes);
    refresh.run();
    let answered: usize = refresh.answers[0].iter().map(|(_, b)| b.bytes.len()).sum();
    println!("{PANELS}-panel dashboard, {} bytes; refresh: 20 answers, {answered} bytes", bytes.len());
    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("dashboard_240x64");
    group.sample_size(30);
    group.bench_function("open 100 panels (parse + layout + first frame)", |b| {
        b.iter(|| {
            let mut t = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
            open(&bytes, &mut t)
        })
    });
    group.bench_function("refresh 20 visible panels (parse + merge + draw)", |b| b.iter(|| refresh.run()));
    group.finish();
    c.final_summary();
    println!("\nsingle runs, 240x64");
    support::percentiles("open 100 panels", 200, || {
        let mut t = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal");
        open(&bytes, &mut t);
    });
    support::percentiles("refresh 20 panels", 300, || refresh.run());
}
