//! Keypress to frame with 10 000 alerts on the board: `state::update` on a
//! key, then a full `ui::draw` into a 160x48 `TestBackend` (ratatui's diff
//! included). Target: p99 under 5 ms. Printed after criterion's report:
//! p50/p99/max of single keypresses. Also a poll of 10 000 alerts, changed
//! and unchanged. The logs pane holds 100 000 lines meanwhile (a `:logs`
//! query of the user's, so moving through alerts keeps them), and the PSS
//! of the whole process with all that loaded is printed at the end.

mod support;

use std::sync::Arc;

use criterion::{BatchSize, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::model::{Alert, SharedAlerts, share};
use warroom::msg::Msg;
use warroom::state::{State, update};

const ALERTS: usize = 10_000;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn plain(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn frame(state: &mut State, terminal: &mut Terminal<TestBackend>, msg: Msg) {
    update(state, msg);
    terminal.draw(|f| warroom::ui::draw(f, state)).expect("draw");
}

/// Each case: a name and the keys pressed in turn (a cycle that returns to
/// where it started, so the state stays comparable across iterations).
fn cases() -> Vec<(&'static str, Vec<KeyEvent>)> {
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    let cases: Vec<(&'static str, Vec<KeyCode>)> = vec![
        ("down/up", vec![KeyCode::Char('j'), KeyCode::Char('k')]),
        ("page down/up", vec![KeyCode::PageDown, KeyCode::PageUp]),
        ("bottom/top", vec![KeyCode::Char('G'), KeyCode::Char('g')]),
        ("filter keystroke", vec![KeyCode::Char('x'), KeyCode::Backspace]),
        // Ctrl-U then a new one-letter term, 20 letters in turn: more than
        // the filter remembers, so each is a scan of all 10 000 alerts.
        ("filter new term (full scan)", "abcdefghijklmnoprstu".chars().map(KeyCode::Char).collect()),
        ("group-by cycle", vec![KeyCode::Char('b')]),
        ("help open/close", vec![KeyCode::Char('?'), KeyCode::Esc]),
    ];
    let mut cases: Vec<(&'static str, Vec<KeyEvent>)> =
        cases.into_iter().map(|(name, keys)| (name, keys.into_iter().map(plain).collect())).collect();
    // Each new one-letter term follows a Ctrl-U.
    if let Some((_, keys)) = cases.iter_mut().find(|(name, _)| name.starts_with("filter new")) {
        *keys = keys.iter().flat_map(|k| [ctrl_u, *k]).collect();
    }
    cases
}

/// 100 000 log lines in the pane's ring (sized for them all), followed
/// from a query of the user's own so that moving through alerts keeps them.
fn load_logs(state: &mut State) {
    use warroom::sources::loki::{BatchKind, LogBatch};
    state.logs.view = warroom::state::logs::LogsView::new(support::LOG_LINES);
    state.logs.follow.enabled = true;
    state.logs.follow.pinned_query = true;
    let generation = state.logs.view.begin(Some("logs".into()), Some("{service=\"api\"}".into()));
    let batch = LogBatch { generation, kind: BatchKind::Initial, lines: support::log_lines(), ..LogBatch::default() };
    update(state, Msg::Logs(Box::new(batch)));
}

fn setup(name: &str) -> (State, Terminal<TestBackend>) {
    let mut state = support::board(ALERTS);
    // The terminal's size, as the console sends it before the first frame.
    update(&mut state, Msg::Resize(160, 48));
    load_logs(&mut state);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).expect("terminal");
    if name.starts_with("filter") {
        // Typing in the `/` prompt: every key re-filters the 10 000 alerts.
        frame(&mut state, &mut terminal, key(KeyCode::Char('/')));
        for c in "svc-1".chars() {
            frame(&mut state, &mut terminal, key(KeyCode::Char(c)));
        }
    }
    terminal.draw(|f| warroom::ui::draw(f, &state)).expect("draw");
    (state, terminal)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("keypress_10k_alerts_160x48");
    for (name, keys) in cases() {
        let (mut state, mut terminal) = setup(name);
        let mut i = 0;
        group.bench_function(name, |b| {
            b.iter(|| {
                frame(&mut state, &mut terminal, Msg::Key(keys[i % keys.len()]));
                i += 1;
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("poll_10k_alerts");
    let now = chrono::Utc::now();
    // As the poller hands them over: an unchanged answer is the same `Arc`s,
    // a changed one shares every alert but the one that changed.
    let same = share(support::alerts(ALERTS, now));
    let mut state = support::board(ALERTS);
    update(&mut state, support::poll(same.clone()));
    let mut flipped = (*same[0]).clone();
    flipped.labels.insert("flip".into(), "1".into());
    let mut other = same.clone();
    other[0] = Arc::new(flipped);
    group.sample_size(20);
    group.bench_function("unchanged", |b| {
        b.iter_batched(|| support::poll(same.clone()), |msg| update(&mut state, msg), BatchSize::LargeInput)
    });
    // A source without the poller's memory (equal copies): deep comparison.
    let copies = support::alerts(ALERTS, now);
    group.bench_function("unchanged, fresh copies", |b| {
        b.iter_batched(|| support::poll(share(copies.clone())), |msg| update(&mut state, msg), BatchSize::LargeInput)
    });
    // An Alertmanager resend: every alert's `updatedAt` moves, so every
    // alert is new to the board (a full rebuild, each alert prepared again).
    let resent: SharedAlerts = same
        .iter()
        .map(|a| {
            Arc::new(Alert { updated_at: a.updated_at.map(|t| t + chrono::Duration::seconds(1)), ..(**a).clone() })
        })
        .collect();
    let mut flip = false;
    group.bench_function("every alert changed (resend)", |b| {
        b.iter_batched(
            || {
                flip = !flip;
                support::poll(if flip { resent.clone() } else { same.clone() })
            },
            |msg| update(&mut state, msg),
            BatchSize::LargeInput,
        )
    });
    for (name, incident) in [("one alert changed", false), ("one alert changed, incident open", true)] {
        if incident {
            support::open_incident(&mut state);
        }
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    flip = !flip;
                    support::poll(if flip { other.clone() } else { same.clone() })
                },
                |msg| update(&mut state, msg),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn tails() {
    println!("\nsingle keypress to frame, 10 000 alerts, 160x48 (p99 target: 5 ms)");
    for (name, keys) in cases() {
        let (mut state, mut terminal) = setup(name);
        let mut i = 0;
        support::percentiles(name, 2000, || {
            frame(&mut state, &mut terminal, Msg::Key(keys[i % keys.len()]));
            i += 1;
        });
    }
}

fn main() {
    // First, before other states come and go and leave freed pages behind.
    footprint();
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
    tails();
}

/// The PSS of this process (the bench harness included, so an upper bound)
/// with 10 000 alerts on the board and 100 000 log lines in the pane.
fn footprint() {
    let (state, _terminal) = setup("j/k");
    let lines = state.logs.view.len();
    match support::pss_mib() {
        Some(pss) => println!(
            "\nPSS with {} alerts and {lines} log lines loaded: {pss:.1} MiB (target: 80 MB)",
            state.alerts.alerts.len()
        ),
        None => println!("\nPSS: /proc/self/smaps_rollup not readable"),
    }
}
