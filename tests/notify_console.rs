//! Attention at the console level: a critical alert that newly fires makes
//! the console queue BEL and an OSC 9 notification for the terminal, written
//! after the next frame; alerts already firing at start stay silent, and a
//! hostile summary cannot break out of the escape (its escapes are dropped
//! whole by the sanitizer).

use std::time::Duration;

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::model::{Alert, Labels};
use warroom::msg::{Msg, Payload, PollResult, SourceId, SourceKind};
use warroom::sources::Endpoint;

const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };

fn alert(name: &str, severity: &str, summary: &str) -> Alert {
    let labels: Labels =
        [("alertname", name), ("severity", severity)].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Alert {
        annotations: [("summary".to_string(), summary.to_string())].into(),
        ..Alert::firing(labels, Utc::now(), "am0")
    }
}

fn poll(alerts: Vec<Alert>) -> Msg {
    Msg::Poll(Box::new(PollResult {
        source: AM0,
        at: Utc::now(),
        latency: Duration::from_millis(2),
        result: Ok(Payload::AmAlerts(warroom::model::share(alerts))),
    }))
}

fn console(notify: &str) -> Console {
    let mut cfg: Config = toml::from_str(notify).unwrap();
    // Nothing listens there: the poller's own answers are never read here.
    cfg.alertmanager = vec![Endpoint::from_url("http://127.0.0.1:9")];
    cfg.refresh = Duration::from_secs(3600);
    Console::start(&cfg, Options::default()).unwrap()
}

#[tokio::test]
async fn a_new_critical_alert_writes_bel_and_osc9_after_the_frame() {
    let mut c = console("[notify]\nbell = true\ndesktop = \"osc9\"\n");
    let mut t = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let old = alert("DiskFull", "critical", "disk 95% full");
    assert!(c.handle(poll(vec![old.clone()])));
    c.draw(&mut t).unwrap();
    assert!(c.terminal_writes.is_empty(), "already firing at start: {:?}", c.terminal_writes);

    let new = alert("HighErrorRate", "critical", "5xx ratio above 5% on api\x07\x1b]0;pwned\x1b\\");
    let warning = alert("SlowQueries", "warning", "p99 above 1s");
    assert!(c.handle(poll(vec![old, new, warning])));
    c.draw(&mut t).unwrap();
    assert_eq!(
        c.terminal_writes,
        vec!["\x07".to_string(), "\x1b]9;CRITICAL HighErrorRate: 5xx ratio above 5% on api\x07".to_string()]
    );
}

#[tokio::test]
async fn off_by_default_and_osc777_when_asked() {
    let mut c = console("");
    c.handle(poll(vec![]));
    c.handle(poll(vec![alert("A", "critical", "")]));
    assert!(c.terminal_writes.is_empty());

    let mut c = console("[notify]\ndesktop = \"osc777\"\n");
    c.handle(poll(vec![]));
    c.handle(poll(vec![alert("A", "critical", "")]));
    assert_eq!(c.terminal_writes, vec!["\x1b]777;notify;warroom;CRITICAL A\x07".to_string()]);
}
