//! A source that accepts and never answers must not freeze anything: the
//! console keeps taking keys and drawing, and the other sources keep
//! filling the board, for as long as the request hangs.

mod robustness_support;

use std::time::Duration;

use robustness_support::hostile::{Hostile, Mode};
use robustness_support::{endpoint, esc, key, run_until, screen, status_line};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::msg::{Msg, SourceKind};
use warroom::state::sources::Health;

/// Longer than the whole test may take: the hung poll is still in flight
/// at every step below.
const HANG_TIMEOUT: Duration = Duration::from_secs(120);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_and_other_sources_go_on_while_one_source_hangs() {
    let hung = Hostile::start(Mode::Hang).await;
    let healthy = Hostile::start(Mode::Healthy).await;
    let cfg = Config {
        refresh: Duration::from_millis(200),
        prometheus: vec![robustness_support::hostile_endpoint("hung-prom", &hung.url(), HANG_TIMEOUT)],
        alertmanager: vec![endpoint("good-am", &healthy.url())],
        ..Config::default()
    };
    let mut console = Console::start(&cfg, Options::default()).expect("console starts");

    // The healthy Alertmanager fills the board while Prometheus hangs.
    run_until(&mut console, "Alertmanager's alerts", 10, |c| !c.state.alerts.alerts.is_empty()).await;
    let prom = |c: &Console| c.state.contexts.sources.iter().find(|s| s.kind() == SourceKind::Prometheus).cloned();
    assert_eq!(prom(&console).map(|s| s.health), Some(Health::Unknown), "the first poll is still hanging");
    let text = screen(&mut console, 160, 30);
    assert!(text.contains("AlwaysFiring"), "{text}");
    assert!(status_line(&text).contains("hung-prom ○ …"), "{text}");

    // Keys go through the same channel as poll results, and are handled now.
    let tx = console.sender();
    tx.send(key('?')).expect("console listening");
    run_until(&mut console, "help overlay", 5, |c| c.state.view.help.open).await;
    assert!(screen(&mut console, 160, 30).contains("show this help"));
    tx.send(esc()).expect("console listening");
    tx.send(key('/')).expect("console listening");
    for c in "severity=page".chars() {
        tx.send(key(c)).expect("console listening");
    }
    run_until(&mut console, "filter typed", 5, |c| c.state.alerts.filter == "severity=page").await;
    let text = screen(&mut console, 160, 30);
    assert!(text.contains("filter: severity=page") && text.contains("AlwaysFiring"), "{text}");
    assert_eq!(prom(&console).map(|s| s.health), Some(Health::Unknown), "still hanging");

    // Quitting does not wait for the hung request either.
    tx.send(Msg::Terminate).expect("console listening");
    let quit = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(msg) = console.next().await {
            if !console.handle(msg) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(quit, Ok(true), "the console quit while a poll hung");
    drop(console);
}
