//! Sparklines against real Prometheus: a series the test controls (a small
//! exporter whose values it sets) appears with the expected shape in the
//! rendered buffer, and a gap appears where the exporter stopped.

mod support;

use std::time::Duration;

use support::console::{LEVELS, detail_spark, screen};
use support::{Exporter, PromConfig, Prometheus, alerts};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::sources::Endpoint;
use warroom::state::signals::{SignalTemplate, Unit};

/// Wide enough that the detail's sparklines get one column per second of
/// the 30 s window (the value column takes 38 cells).
const WIDTH: u16 = 200;

/// Runs the console, drawn as the app does, for `d`.
async fn run_for(c: &mut Console, d: Duration) {
    support::console::run_for(c, d, (WIDTH, 40)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exporter_series_shape_and_gap_in_the_rendered_buffer() {
    let exporter = Exporter::start().await;
    exporter.set("warroom_test_load", &[("service", "api")], 1.0);
    let prom = Prometheus::start(PromConfig { scrape_targets: vec![exporter.target()], ..PromConfig::default() });
    let cfg = Config {
        refresh: Duration::from_millis(300),
        prometheus: vec![Endpoint::from_url(&prom.url)],
        signal_window: Duration::from_secs(30),
        signals: vec![SignalTemplate {
            name: "load".into(),
            query: "warroom_test_load{service=\"{{service}}\"}".into(),
            unit: Unit::None,
        }],
        ..Config::default()
    };
    let mut console = Console::start(&cfg, Options::default()).unwrap();

    // Rising values, one a second, then the exporter stops: a gap follows.
    for v in 1..=14 {
        exporter.set("warroom_test_load", &[("service", "api")], v as f64);
        run_for(&mut console, Duration::from_secs(1)).await;
    }
    let lines = screen(&mut console, WIDTH, 40);
    let text = lines.join("\n");
    assert!(text.contains(alerts::ALWAYS_FIRING), "{text}");
    let spark = detail_spark(&lines, "load").unwrap_or_else(|| panic!("no load sparkline:\n{text}"));
    let levels: Vec<usize> = spark.chars().filter_map(|c| LEVELS.find(c)).collect();
    assert!(levels.len() >= 5, "{spark:?}\n{text}");
    assert!(text.contains("(min ") && text.contains(" max 1"), "current, min and max shown: {text}");
    assert!(levels.windows(2).all(|w| w[0] <= w[1]), "rising: {spark:?}");
    assert!(levels.last() > levels.first(), "rising: {spark:?}");
    // The alert's own expression (vector(1)) beside it in the list: flat.
    let row = lines.iter().find(|l| l.contains("CRIT firing")).unwrap();
    assert!(row.contains("▁▁▁▁"), "{row}");

    exporter.stop();
    run_for(&mut console, Duration::from_secs(5)).await;
    let lines = screen(&mut console, WIDTH, 40);
    let spark = detail_spark(&lines, "load").unwrap();
    let trimmed = spark.trim_end_matches(' ');
    assert!(spark.len() - trimmed.len() >= 2, "a gap at the end after the exporter stopped: {spark:?}");
    assert!(trimmed.chars().any(|c| LEVELS.contains(c)), "older data still drawn: {spark:?}");
}
