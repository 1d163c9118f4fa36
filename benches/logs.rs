//! The logs pane under a burst of 100 000 lines: parsing the tail messages,
//! ingesting them into the 10 000-line ring (in 50 ms-sized batches and as
//! one batch), and drawing a frame of the full ring (plain, wrapped, with a
//! search and a filter). Run: `cargo bench --bench logs`.

mod support;

use std::hint::black_box;

use chrono::{FixedOffset, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::sources::loki::{BatchKind, LogBatch, LogLine, parse_tail};
use warroom::state::logs::LogsView;
use warroom::theme::Theme;

const N: usize = support::LOG_LINES;
const T0: i64 = support::LOG_T0;
use support::{log_lines as lines, log_text as text};

/// The burst as Loki's tail would send it: 100 messages of 1 000 lines.
fn tail_messages() -> Vec<Vec<u8>> {
    (0..N / 1_000)
        .map(|m| {
            let values: Vec<_> = (m * 1_000..(m + 1) * 1_000)
                .map(|i| serde_json::json!([(T0 + i as i64 * 10_000).to_string(), text(i)]))
                .collect();
            serde_json::to_vec(&serde_json::json!({"streams": [{"stream": {"service": "api"}, "values": values}]}))
                .expect("JSON")
        })
        .collect()
}

fn view_with(all: &[LogLine]) -> LogsView {
    let mut v = LogsView::new(10_000);
    let generation = v.begin(Some("HighErrorRate".into()), Some("{service=\"api\"}".into()));
    v.push_batch(LogBatch { generation, kind: BatchKind::Initial, lines: all.to_vec(), ..LogBatch::default() });
    v
}

fn bench(c: &mut Criterion) {
    let all = lines();
    let messages = tail_messages();
    let mut g = c.benchmark_group("logs_100k");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(20);

    g.bench_function("parse_tail_messages", |b| {
        b.iter(|| messages.iter().map(|m| parse_tail(black_box(m)).map(|c| c.lines.len()).unwrap_or(0)).sum::<usize>())
    });

    let batches = || -> Vec<Vec<LogLine>> { all.chunks(1_000).map(<[LogLine]>::to_vec).collect() };
    g.bench_function("ingest_in_1000_line_batches", |b| {
        b.iter_batched(
            batches,
            |bs| {
                let mut v = LogsView::new(10_000);
                let generation = v.begin(None, None);
                for lines in bs {
                    v.push_batch(LogBatch { generation, lines, ..LogBatch::default() });
                }
                v.len()
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("ingest_one_batch", |b| {
        b.iter_batched(
            || all.clone(),
            |lines| {
                let mut v = LogsView::new(10_000);
                let generation = v.begin(None, None);
                v.push_batch(LogBatch { generation, lines, ..LogBatch::default() });
                v.len()
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();

    let theme = Theme::default();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 5, 0).single().expect("time");
    let mut frame = c.benchmark_group("logs_frame_200x50_full_ring");
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let utc = FixedOffset::east_opt(0).expect("UTC");
    let mut draw = |name: &str, v: &mut LogsView| {
        // As update does before a frame: the first line placed at the pane's size.
        v.place(198, 48);
        let v = &*v;
        frame.bench_function(name, |b| {
            b.iter(|| term.draw(|f| warroom::ui::logs::draw(f, f.area(), v, &theme, true, now, utc)).map(|_| ()))
        });
    };
    let mut v = view_with(&all);
    draw("following", &mut v);
    v.scroll_up(5_000);
    draw("scrolled_up", &mut v);
    v.toggle_wrap();
    let _ = v.set_search("orders/9");
    draw("wrapped_with_search", &mut v);
    let _ = v.set_filter("|= \"level=error\"");
    draw("filtered", &mut v);
    frame.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
