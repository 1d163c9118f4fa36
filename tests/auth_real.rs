//! Authenticated sources against REAL Prometheus, Alertmanager and
//! VictoriaMetrics (either generation, see `support::servers`)
//! behind an authenticating reverse proxy (axum, in this file, on
//! 127.0.0.1:0), as nginx or an API gateway would stand in front of them:
//!
//! - `/prom/…` needs `Authorization: Bearer <token>` and `X-Scope-OrgID: team-a`
//!   (a Mimir-like tenant), then forwards to Prometheus;
//! - `/am/…` needs basic auth, then forwards to Alertmanager;
//! - `/loki-gw/…` needs `X-Api-Key` (a custom secret header) and the tenant,
//!   and answers as Loki (`/ready`, labels);
//! - a second gateway, `/loki-share/…`, needs a bearer token and the tenant,
//!   then forwards to the drill's Loki in multi-tenant mode, websockets too
//!   (`loki_share.rs`: pushes, raw reads and the tail of the shared room).
//!
//! - vmauth, VictoriaMetrics' own authenticating proxy (a real one), in front
//!   of VictoriaMetrics and vmalert, with a bearer token or basic auth.
//!
//! Refusals echo the credentials received, as a careless proxy does: warroom
//! must redact them. Every source also sits under a path prefix, so every API
//! is checked to keep it.

mod support;

#[path = "auth_real/loki_proxy.rs"]
mod loki_proxy;
#[path = "auth_real/loki_share.rs"]
mod loki_share;
#[path = "auth_real/mtls.rs"]
mod mtls;
#[path = "auth_real/proxy.rs"]
mod proxy;

use std::sync::Once;
use std::time::Duration;

use base64::Engine;
use proxy::{AM_PASSWORD, AM_USER, LOKI_KEY, PROM_TOKEN, TENANT, start_proxy, start_tls_proxy};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::{Alertmanager, PromConfig, Prometheus, VictoriaMetrics, VmConfig, Vmauth, alerts, wait_for};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::sources::loki::LokiClient;
use warroom::sources::{AlertmanagerClient, Endpoint, HttpClient, PrometheusClient, SourceError};
use warroom::state::sources::Health;

const TOKEN_ENV: &str = "WARROOM_AUTH_REAL_PROM_TOKEN";
const WRONG: &str = "wrong-5Hc1-SEKRIT";

/// Sets the token's environment variable once, before any test of this
/// binary starts a thread that could read the environment.
fn init_env() {
    static ONCE: Once = Once::new();
    // SAFETY: every test calls this first; no other thread of this process
    // reads the environment until it returns.
    ONCE.call_once(|| unsafe { std::env::set_var(TOKEN_ENV, PROM_TOKEN) });
}

/// Every form a secret could leak in (whole, base64 of basic auth, a part).
fn needles() -> Vec<String> {
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let mut n: Vec<String> =
        [PROM_TOKEN, AM_PASSWORD, LOKI_KEY, loki_proxy::LOKI_TOKEN, WRONG, "SEKRIT"].map(String::from).to_vec();
    n.push(b64(format!("{AM_USER}:{AM_PASSWORD}")));
    n.push(b64(format!("{AM_USER}:{WRONG}")));
    n
}

fn assert_clean(what: &str, text: &str) {
    for n in needles() {
        assert!(!text.contains(&n), "{what} leaks {n:?}:\n{text}");
    }
}

/// The sources as a user writes them: a context, secrets from env and files.
fn config_toml(proxy: &str, dir: &std::path::Path, prom_tenant: &str) -> String {
    let (pw, key, wrong) = (dir.join("am-password"), dir.join("loki-key"), dir.join("wrong"));
    std::fs::write(&pw, format!("{AM_PASSWORD}\n")).expect("write the password file");
    std::fs::write(&key, LOKI_KEY).expect("write the key file");
    std::fs::write(&wrong, format!("{WRONG}\n")).expect("write the wrong password file");
    format!(
        r#"
refresh = "300ms"
context = "secure"
[[contexts.secure.prometheus]]
name = "prom"
url = "{proxy}/prom"
bearer_token = {{ env = "{TOKEN_ENV}" }}
headers = {{ "X-Scope-OrgID" = "{prom_tenant}" }}
[[contexts.secure.alertmanager]]
name = "am"
url = "{proxy}/am/"
basic_auth = {{ username = "{AM_USER}", password = {{ file = "{pw}" }} }}
[[contexts.secure.alertmanager]]
name = "am-bad"
url = "{proxy}/am"
basic_auth = {{ username = "{AM_USER}", password = {{ file = "{wrong}" }} }}
[[contexts.secure.loki]]
name = "loki"
url = "{proxy}/loki-gw"
headers = {{ "X-Scope-OrgID" = "{TENANT}", "X-Api-Key" = {{ file = "{key}" }} }}
"#,
        pw = pw.display(),
        key = key.display(),
        wrong = wrong.display(),
    )
}

fn client(ep: &Endpoint) -> HttpClient {
    HttpClient::new(ep).expect("a client for the endpoint")
}

fn assert_refused(what: &str, r: Result<impl std::fmt::Debug, SourceError>, expected: &str) {
    let e = r.expect_err(what);
    let shown = format!("{e} {e:?}");
    assert!(e.to_string().starts_with(expected), "{what}: {shown}");
    assert!(!matches!(e, SourceError::Decode(_) | SourceError::ContentType(_)), "{what}: never a parse error");
    assert_clean(what, &shown);
}

/// Real Alertmanager and Prometheus behind the checking proxy, and a config
/// reaching them through it (its secret files in `dir`). Stopped on drop.
struct Stack {
    _am: Alertmanager,
    _prom: Prometheus,
    dir: tempfile::TempDir,
    config: String,
}

impl Stack {
    async fn start() -> Stack {
        init_env();
        let am = Alertmanager::start();
        let prom = Prometheus::start(PromConfig::defaults(&am.url));
        let proxy = start_proxy(&prom.url, &am.url).await;
        let dir = tempfile::tempdir().expect("a temp dir");
        let config = config_toml(&proxy, dir.path(), TENANT);
        Stack { _am: am, _prom: prom, dir, config }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_gets_data_with_its_secrets_and_401_or_403_without() {
    let stack = Stack::start().await;
    let cfg = Config::parse(&stack.config).expect("the config parses");
    let (p, a, bad, l) = (&cfg.prometheus[0], &cfg.alertmanager[0], &cfg.alertmanager[1], &cfg.loki[0]);

    let prom_ok = PrometheusClient::new(client(p), "prom");
    let names = wait_for("AlwaysFiring through the proxy", Duration::from_secs(40), || async {
        let alerts = prom_ok.alerts().await.ok()?;
        alerts.iter().any(|a| a.name() == alerts::ALWAYS_FIRING).then_some(alerts.len())
    })
    .await;
    assert!(names >= 1);
    assert!(!prom_ok.rules().await.expect("rules under the /prom prefix").is_empty());
    let now = chrono::Utc::now().timestamp() as f64;
    let range = prom_ok.query_range("vector(1)", now - 60.0, now, Duration::from_secs(15)).await;
    assert!(!range.expect("query_range under the /prom prefix").is_empty());

    let am_ok = AlertmanagerClient::new(client(a), "am");
    let am_alerts = wait_for("alerts in Alertmanager", Duration::from_secs(40), || async {
        am_ok.alerts().await.ok().filter(|v| !v.is_empty())
    })
    .await;
    assert!(am_alerts.iter().any(|a| a.name() == alerts::ALWAYS_FIRING));
    am_ok.silences().await.expect("silences under the /am prefix");
    let loki_ok = LokiClient::new(client(l), "loki");
    assert_eq!(loki_ok.labels(None, None).await.expect("labels with the key"), ["job", "service"]);

    // A wrong token: 401, with the server's words, the echoed token redacted.
    let wrong_prom = Endpoint { bearer_token: Some(secret_value(WRONG)), ..p.clone() };
    let c = PrometheusClient::new(client(&wrong_prom), "prom");
    assert_refused("prom alerts", c.alerts().await, "401 unauthorized: bad credentials: authorization: ***");
    assert_refused("prom rules", c.rules().await, "401 unauthorized");
    assert_refused("prom range", c.query_range("up", now - 60.0, now, Duration::from_secs(15)).await, "401");
    let c = AlertmanagerClient::new(client(bad), "am-bad");
    assert_refused("am alerts", c.alerts().await, "401 unauthorized: bad credentials: ***");
    assert_refused("am silences", c.silences().await, "401 unauthorized");
    let mut wrong_key = l.clone();
    wrong_key.headers.insert("X-Api-Key".into(), WRONG.into());
    let c = LokiClient::new(client(&wrong_key), "loki");
    assert_refused("loki labels", c.labels(None, None).await, "401 unauthorized: bad credentials: x-api-key: ***");

    // The right secret for another tenant: 403, not 401.
    let mut other = p.clone();
    other.headers.insert("X-Scope-OrgID".into(), "team-b".into());
    let c = PrometheusClient::new(client(&other), "prom");
    assert_refused("prom tenant", c.alerts().await, "403 forbidden: tenant \"team-b\" not allowed");
    let mut other = l.clone();
    other.headers.insert("X-Scope-OrgID".into(), "team-b".into());
    let c = LokiClient::new(client(&other), "loki");
    assert_refused("loki tenant", c.labels(None, None).await, "403 forbidden");
    assert_clean("the config's Debug", &format!("{cfg:?}"));
}

fn secret_value(v: &str) -> warroom::sources::SecretRef {
    warroom::sources::SecretRef { value: Some(v.into()), ..Default::default() }
}

fn screen(c: &mut Console, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    c.state.frame.dirty = true;
    c.draw(&mut t).expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h).map(|y| (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect::<String>() + "\n").collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_shows_the_data_and_401_for_the_one_wrong_source() {
    let stack = Stack::start().await;
    let cfg = Config::parse(&stack.config).expect("the config parses");
    let mut console = Console::start(&cfg, Options::default()).expect("the console starts");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(40);
    let ready = |c: &Console| {
        let up = |n: &str| {
            c.state.contexts.sources.iter().any(|s| s.name == n && matches!(s.health, Health::Up | Health::Slow(_)))
        };
        let bad = c.state.contexts.sources.iter().any(|s| {
            s.name == "am-bad" && matches!(&s.health, Health::Down { error: SourceError::Unauthorized(_), .. })
        });
        up("prom")
            && up("am")
            && up("loki")
            && bad
            && c.state.alerts.alerts.iter().any(|b| b.alert.name() == alerts::ALWAYS_FIRING)
    };
    while !ready(&console) {
        let msg = tokio::time::timeout_at(deadline, console.next()).await.expect("data and a 401 in time");
        console.handle(msg.expect("the channel is open"));
    }
    let text = screen(&mut console, 200, 30);
    assert!(text.contains("ctx:secure"), "{text}");
    assert!(text.contains("AlwaysFiring"), "{text}");
    assert!(text.contains("am-bad ✖ down") && text.contains("401 unauthorized"), "{text}");
    assert!(text.contains("am am ● up") || text.contains("am am ● slow"), "the rest works: {text}");
    for (w, h) in [(80, 24), (300, 20)] {
        assert_clean(&format!("screen {w}x{h}"), &screen(&mut console, w, h));
    }
    assert_clean("screen", &text);
    assert_clean("source health", &format!("{:?}", console.state.contexts.sources));
}

/// `warroom check` and the debug log: every source listed, the wrong one
/// "401 unauthorized", no secret anywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_log_never_show_a_secret() {
    let stack = Stack::start().await;
    let dir = &stack.dir;
    let config = dir.path().join("config.toml");
    std::fs::write(&config, &stack.config).expect("write the config");
    let log = dir.path().join("warroom.log");
    let check = tokio::process::Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["check", "--config"])
        .arg(&config)
        .arg("--log-file")
        .arg(&log)
        .env("WARROOM_LOG", "debug")
        .output()
        .await
        .expect("run warroom check");
    let stdout = String::from_utf8_lossy(&check.stdout).to_string();
    assert_eq!(check.status.code(), Some(1), "one source refuses us: {stdout}");
    let line = |name: &str| stdout.lines().find(|l| l.contains(&format!(" {name} "))).unwrap_or_default().to_string();
    assert!(line("prom").starts_with("ok"), "{stdout}");
    assert!(line("am").starts_with("ok") && line("loki").starts_with("ok"), "{stdout}");
    assert!(line("am-bad").starts_with("DOWN") && line("am-bad").contains("401 unauthorized"), "{stdout}");
    assert_clean("check stdout", &stdout);
    assert_clean("check stderr", &String::from_utf8_lossy(&check.stderr));
    let log_text = std::fs::read_to_string(&log).expect("warroom check writes its log file");
    assert_clean("log file", &log_text);
}

/// mTLS with a private CA (`ca_file`, `client_cert`, `client_key`) plus basic
/// auth, in front of the real Alertmanager. Without the client certificate,
/// or without the CA, the error is a TLS one, never a parse error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_with_a_private_ca() {
    init_env();
    let am = Alertmanager::start();
    let dir = tempfile::tempdir().expect("a temp dir");
    let pki = mtls::Pki::generate(dir.path());
    let url = start_tls_proxy(&am.url, &am.url, &pki).await;
    let pw = dir.path().join("pw");
    std::fs::write(&pw, AM_PASSWORD).expect("write the password file");
    let password = warroom::sources::SecretRef { file: Some(pw), ..Default::default() };
    let ep = Endpoint {
        url: format!("{url}/am"),
        ca_file: Some(pki.ca_pem.clone()),
        client_cert: Some(pki.client_pem.clone()),
        client_key: Some(pki.client_key_pem.clone()),
        basic_auth: Some(warroom::sources::endpoint::BasicAuth { username: AM_USER.into(), password }),
        timeout: Some(Duration::from_secs(5)),
        ..Endpoint::default()
    };
    let am_client = AlertmanagerClient::new(client(&ep), "am-tls");
    am_client.alerts().await.expect("alerts over mutual TLS");
    am_client.silences().await.expect("silences over mutual TLS");

    let no_cert = Endpoint { client_cert: None, client_key: None, ..ep.clone() };
    let e = AlertmanagerClient::new(client(&no_cert), "am-tls").alerts().await.expect_err("no client certificate");
    assert!(matches!(e, SourceError::Tls(_)), "a TLS refusal: {e:?}");
    let no_ca = Endpoint { ca_file: None, ..ep.clone() };
    let e = AlertmanagerClient::new(client(&no_ca), "am-tls").alerts().await.expect_err("an unknown CA");
    assert!(matches!(&e, SourceError::Tls(m) if m.to_lowercase().contains("issuer")), "{e:?}");
    let bad_pw = Endpoint { basic_auth: None, ..ep };
    let e = AlertmanagerClient::new(client(&bad_pw), "am-tls").alerts().await.expect_err("no basic auth");
    assert!(e.to_string().starts_with("401 unauthorized"), "{e}");
}

/// A refusal from vmauth: 401 (current), or 1.79's 400 quoting the token it
/// did not know; either way the source's error, redacted, never a parse error.
fn assert_vmauth_refused(what: &str, r: Result<impl std::fmt::Debug, SourceError>) {
    let e = r.expect_err(what);
    let shown = format!("{e} {e:?}");
    assert!(
        matches!(e, SourceError::Unauthorized(_) | SourceError::Status { status: 400, .. }),
        "{what}: refused: {shown}"
    );
    assert_clean(what, &shown);
}

/// vmauth in front of VictoriaMetrics (rules and alerts from vmalert through
/// it): a bearer token and basic auth both get data (alerts, rules, ranges,
/// the probe `warroom check` runs); a wrong token, a wrong password or none
/// is refused, and the refusal shows no secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vmauth_lets_in_bearer_and_basic_auth_and_refuses_the_rest() {
    init_env();
    let am = Alertmanager::start();
    let vm = VictoriaMetrics::start(VmConfig::defaults(&am.url));
    let auth = Vmauth::start(&vm.url, PROM_TOKEN, AM_USER, AM_PASSWORD);
    let bearer = Endpoint { bearer_token: Some(secret_value(PROM_TOKEN)), ..Endpoint::from_url(&auth.url) };
    let basic_auth =
        |pw: &str| warroom::sources::endpoint::BasicAuth { username: AM_USER.into(), password: secret_value(pw) };
    let basic = Endpoint { basic_auth: Some(basic_auth(AM_PASSWORD)), ..Endpoint::from_url(&auth.url) };

    for (what, ep) in [("bearer", &bearer), ("basic", &basic)] {
        let prom = PrometheusClient::new(client(ep), what);
        wait_for("AlwaysFiring through vmauth", Duration::from_secs(60), || async {
            prom.alerts().await.ok()?.iter().any(|a| a.name() == alerts::ALWAYS_FIRING).then_some(())
        })
        .await;
        assert!(!prom.rules().await.expect("rules through vmauth").is_empty(), "{what}");
        let now = chrono::Utc::now().timestamp() as f64;
        let range = prom.query_range("vector(1)", now - 60.0, now, Duration::from_secs(15)).await;
        assert!(!range.expect("query_range through vmauth").is_empty(), "{what}");
        let probe = prom.probe().await;
        assert!(probe.is_up(), "{what}: check says up: {probe:?}");
    }

    let wrong_token = Endpoint { bearer_token: Some(secret_value(WRONG)), ..bearer.clone() };
    let wrong_password = Endpoint { basic_auth: Some(basic_auth(WRONG)), ..basic.clone() };
    let nothing = Endpoint::from_url(&auth.url);
    for (what, ep) in [("wrong token", &wrong_token), ("wrong password", &wrong_password), ("no credentials", &nothing)]
    {
        let prom = PrometheusClient::new(client(ep), what);
        assert_vmauth_refused(what, prom.alerts().await);
        assert_vmauth_refused(what, prom.rules().await);
        let probe = prom.probe().await;
        assert!(!probe.is_up(), "{what}: check says down: {probe:?}");
        let line = warroom::check::line(warroom::msg::SourceKind::Prometheus, what, &probe);
        assert!(line.starts_with("DOWN"), "{line}");
        assert_clean("check line", &line);
    }
}
