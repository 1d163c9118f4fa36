//! Property tests for every parser of remote data here (Prometheus alerts,
//! rules and query results; Alertmanager alerts and silences): random bytes,
//! random JSON shaped like the APIs, and mutated captured responses never
//! panic; errors are always printable; whatever parses draws clean.

use std::sync::LazyLock;
use std::time::Duration;

use chrono::Utc;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use warroom::model::share;
use warroom::msg::{Msg, Payload, PollResult, SourceId, SourceKind};
use warroom::sources::{AlertmanagerClient, Body, Endpoint, HttpClient, PrometheusClient, SourceError};
use warroom::state::{Setup, State, update};

static PROM: LazyLock<PrometheusClient> = LazyLock::new(|| PrometheusClient::new(http(), "prom"));
static AM: LazyLock<AlertmanagerClient> = LazyLock::new(|| AlertmanagerClient::new(http(), "am"));

fn http() -> HttpClient {
    HttpClient::new(&Endpoint::from_url("http://127.0.0.1:9")).expect("a valid endpoint")
}

const FIXTURES: &[&str] = &[
    "prometheus/captured-2.42/alerts.json",
    "prometheus/captured-2.42/rules.json",
    "prometheus/captured-2.42/query_range_matrix.json",
    "prometheus/captured-2.42/query_vector.json",
    "prometheus/captured-2.42/query_scalar_inf.json",
    "prometheus/captured-2.42/error_bad_data.json",
    "alertmanager/captured-0.25/alerts.json",
    "alertmanager/captured-0.25/alerts_after_silence.json",
    "alertmanager/captured-0.25/silences.json",
    "alertmanager/captured-0.25/error_silence_no_matchers.json",
];

static FIXTURE_BYTES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    FIXTURES
        .iter()
        .map(|f| {
            let path = format!("{}/tests/fixtures/api/{f}", env!("CARGO_MANIFEST_DIR"));
            std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
        })
        .collect()
});

fn body(status: u16, content_type: &str, bytes: Vec<u8>) -> Body {
    Body { status, content_type: content_type.to_string(), bytes, elapsed: Duration::ZERO, ..Default::default() }
}

/// An error is shown in one status-bar line: no control character in it.
fn check_error(e: &SourceError) -> Result<(), TestCaseError> {
    let text = e.to_string();
    prop_assert!(!text.chars().any(char::is_control), "unprintable error {text:?}");
    Ok(())
}

/// Runs every parser on `b`; draws what parsed as alerts.
fn parse_everything(b: &Body) -> Result<(), TestCaseError> {
    let checks: [Result<usize, SourceError>; 5] = [
        PROM.parse_alerts(b, Utc::now()).map(|a| draw_clean(SourceKind::Prometheus, a)),
        PrometheusClient::parse_rules(b).map(|r| r.len()),
        PrometheusClient::parse_series(b).map(|s| s.len()),
        AM.parse_alerts(b).map(|a| draw_clean(SourceKind::Alertmanager, a)),
        AlertmanagerClient::parse_silences(b).map(|s| s.len()),
    ];
    for c in &checks {
        match c {
            Ok(n) => prop_assert!(*n < usize::MAX),
            Err(e) => check_error(e)?,
        }
    }
    Ok(())
}

/// Puts the alerts on a board and draws it; panics on a control character
/// in any cell. Returns how many alerts were drawn.
fn draw_clean(kind: SourceKind, alerts: Vec<warroom::model::Alert>) -> usize {
    let id = SourceId { kind, index: 0 };
    let setup = Setup { sources: vec![(id, "src".into())], group_by: "alertname".into(), ..Setup::default() };
    let mut state = State::new(setup, Default::default(), Default::default(), Utc::now());
    let n = alerts.len();
    let payload = if kind == SourceKind::Prometheus {
        Payload::PromAlerts(share(alerts))
    } else {
        Payload::AmAlerts(share(alerts))
    };
    let poll = PollResult { source: id, at: Utc::now(), latency: Duration::ZERO, result: Ok(payload) };
    update(&mut state, Msg::Poll(Box::new(poll)));
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("a test terminal");
    terminal.draw(|f| warroom::ui::draw(f, &state)).expect("draw");
    for cell in &terminal.backend().buffer().content {
        assert!(!cell.symbol().chars().any(char::is_control), "control character drawn: {:?}", cell.symbol());
    }
    n
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200), Just(400), Just(401), Just(404), Just(422), Just(500), Just(503), 100u16..600]
}

fn content_type() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("application/json"), Just("text/plain; charset=utf-8"), Just(""), Just("text/html")]
}

/// Field names the two APIs use, so random JSON often has the right shape.
const KEYS: &[&str] = &[
    "status",
    "data",
    "alerts",
    "labels",
    "annotations",
    "state",
    "activeAt",
    "value",
    "fingerprint",
    "startsAt",
    "endsAt",
    "updatedAt",
    "generatorURL",
    "receivers",
    "name",
    "silencedBy",
    "inhibitedBy",
    "groups",
    "rules",
    "type",
    "query",
    "duration",
    "health",
    "resultType",
    "result",
    "metric",
    "values",
    "matchers",
    "isRegex",
    "isEqual",
    "id",
    "createdBy",
    "comment",
    "errorType",
    "error",
    "alertname",
    "severity",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            Just("success".to_string()),
            Just("firing".to_string()),
            Just("suppressed".to_string()),
            Just("matrix".to_string()),
            Just("2026-11-22T13:03:23.411Z".to_string()),
            Just("+Inf".to_string()),
            Just("\u{1b}]0;t\u{7}\u{9b}2J".to_string()),
            any::<String>(),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), 0usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..256).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn mutate(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip(i, b) if !bytes.is_empty() => bytes[i % len] = *b,
        Mutation::Delete(i, n) if !bytes.is_empty() => {
            let start = i % len;
            let end = (start + n).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Insert(i, b) => {
            let at = i % (bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        Mutation::Truncate(i) => bytes.truncate(i % len),
        Mutation::Duplicate(i, n) if !bytes.is_empty() => {
            let start = i % len;
            let piece: Vec<u8> = bytes[start..(start + n).min(bytes.len())].to_vec();
            bytes.splice(start..start, piece);
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048), status in status(), ct in content_type()) {
        parse_everything(&body(status, ct, bytes))?;
    }

    #[test]
    fn random_json(v in json_value(), status in status(), ct in content_type()) {
        parse_everything(&body(status, ct, v.to_string().into_bytes()))?;
        // The same value inside each envelope the parsers expect.
        let prom = serde_json::json!({"status": "success", "data": {"alerts": [v.clone()], "groups": [v.clone()], "resultType": "matrix", "result": [v.clone()]}});
        parse_everything(&body(200, "application/json", prom.to_string().into_bytes()))?;
        parse_everything(&body(200, "application/json", Value::from(vec![v]).to_string().into_bytes()))?;
    }

    #[test]
    fn mutated_fixtures(which in 0..FIXTURES.len(), ms in prop::collection::vec(mutation(), 1..8), status in status()) {
        let mut bytes = FIXTURE_BYTES[which].clone();
        for m in &ms {
            mutate(&mut bytes, m);
        }
        parse_everything(&body(status, "application/json", bytes))?;
    }
}

/// A string of escape-sequence fragments, controls, wide and invisible
/// characters, and plain text.
fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        prop::sample::select(
            &[
                "\u{1b}",
                "\u{1b}[",
                "\u{1b}]0;",
                "\u{1b}]52;c;",
                "\u{7}",
                "\u{1b}\\",
                "\u{9b}",
                "\u{9d}",
                "\u{9c}",
                "\r\n",
                "\t",
                "\u{202e}",
                "\u{200d}",
                "\u{fe0f}",
                "日本",
                "🔥",
                "e\u{301}",
                "2J",
                ";",
                "m"
            ][..]
        )
        .prop_map(String::from),
        "[a-zA-Z0-9 =_-]{0,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Well-formed alerts whose every string is hostile: they parse, and
    /// the board and the detail pane draw them with no control character.
    #[test]
    fn hostile_alerts_parse_and_draw_clean(
        labels in prop::collection::btree_map(prop::sample::select(KEYS), hostile_string(), 0..6),
        annotations in prop::collection::btree_map(hostile_string(), hostile_string(), 0..4),
        receiver in hostile_string(),
    ) {
        let alert = serde_json::json!({
            "labels": labels, "annotations": annotations, "fingerprint": "0123456789abcdef",
            "startsAt": "2026-11-22T13:03:23.411Z", "endsAt": "2026-11-22T14:03:23.411Z",
            "receivers": [{"name": receiver}], "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        });
        let b = body(200, "application/json", Value::from(vec![alert]).to_string().into_bytes());
        let alerts = AM.parse_alerts(&b);
        prop_assert!(alerts.is_ok(), "{alerts:?}");
        prop_assert_eq!(alerts.map(|a| draw_clean(SourceKind::Alertmanager, a)).ok(), Some(1));
    }
}

#[test]
fn unmutated_fixtures_parse() {
    let prom_alerts =
        PROM.parse_alerts(&body(200, "application/json", FIXTURE_BYTES[0].clone()), Utc::now()).expect("alerts");
    assert_eq!(draw_clean(SourceKind::Prometheus, prom_alerts), 2);
    let am_alerts = AM.parse_alerts(&body(200, "application/json", FIXTURE_BYTES[6].clone())).expect("alerts");
    assert!(draw_clean(SourceKind::Alertmanager, am_alerts) >= 1);
    let silences = AlertmanagerClient::parse_silences(&body(200, "application/json", FIXTURE_BYTES[8].clone()));
    assert!(!silences.expect("silences").is_empty());
}
