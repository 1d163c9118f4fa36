//! Every way a source can fail, against both clients (Prometheus and
//! Alertmanager over the one HTTP layer) and in the console: each failure
//! gets its own `SourceError` variant and a specific status-bar text, and
//! the source recovers by itself when the server behaves again.

mod robustness_support;

use std::time::Duration;

use futures::future::join_all;
use robustness_support::hostile::{Hostile, Mode, refused_url};
use robustness_support::tls::SelfSigned;
use robustness_support::{endpoint, run_until, screen, status_line};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::sources::{AlertmanagerClient, HttpClient, PrometheusClient, SourceError};
use warroom::state::sources::Health;

/// Where a case's failing server is.
#[derive(Clone)]
enum Target {
    Mode(Mode),
    /// Nothing listens on the port.
    Refused,
    /// TLS with a certificate nobody trusts.
    SelfSigned,
    /// `https://` at a plain HTTP port.
    HttpsToPlain,
}

#[derive(Clone)]
struct Case {
    name: &'static str,
    target: Target,
    expect: fn(&SourceError) -> bool,
    /// What the status bar must say.
    text: &'static str,
}

fn cases() -> Vec<Case> {
    let fixture =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/api/prometheus/captured-2.42/alerts.json"))
            .expect("read a fixture");
    let truncated = fixture[..fixture.len() / 2].to_vec();
    let html =
        Mode::Fixed { status: 200, content_type: "text/html; charset=utf-8", body: b"<html>SSO login</html>".to_vec() };
    let c = |name, target, expect, text| Case { name, target, expect, text };
    use SourceError as E;
    vec![
        c("refused", Target::Refused, |e| *e == E::Refused, "connection refused"),
        c("hang", Target::Mode(Mode::Hang), |e| matches!(e, E::Timeout(_)), "timed out after 1.0s"),
        c("trickle", Target::Mode(Mode::Trickle), |e| matches!(e, E::Timeout(_)), "timed out after 1.0s"),
        c(
            "500",
            Target::Mode(Mode::status(500, "internal meltdown")),
            |e| matches!(e, E::Status { status: 500, .. }),
            "HTTP 500: internal meltdown",
        ),
        c("invalid-json", Target::Mode(Mode::json(b"{not json")), |e| matches!(e, E::Decode(_)), "invalid response: "),
        c("truncated-json", Target::Mode(Mode::json(&truncated)), |e| matches!(e, E::Decode(_)), "invalid response: "),
        c(
            "over-cap",
            Target::Mode(Mode::json(&vec![b' '; 200 * 1024])),
            |e| *e == E::TooLarge(64 * 1024),
            "larger than the 64 KiB cap",
        ),
        c(
            "over-cap-chunked",
            Target::Mode(Mode::Chunked { len: 1 << 20 }),
            |e| *e == E::TooLarge(64 * 1024),
            "larger than the 64 KiB cap",
        ),
        c(
            "content-type",
            Target::Mode(html),
            |e| matches!(e, E::ContentType(t) if t.starts_with("text/html")),
            "unexpected content type \"text/html",
        ),
        c("redirect-loop", Target::Mode(Mode::RedirectLoop), |e| *e == E::Redirects, "too many redirects"),
        c(
            "401",
            Target::Mode(Mode::status(401, "token expired")),
            |e| matches!(e, E::Unauthorized(m) if m == "token expired"),
            "401 unauthorized: token expired",
        ),
        c("403", Target::Mode(Mode::status(403, "")), |e| matches!(e, E::Forbidden(_)), "403 forbidden"),
        c("tls-self-signed", Target::SelfSigned, |e| matches!(e, E::Tls(_)), "TLS error: "),
        c("https-to-plain", Target::HttpsToPlain, |e| matches!(e, E::Tls(_)), "TLS error: "),
    ]
}

/// Keeps a case's server alive and says where it is.
enum Server {
    Hostile(Hostile),
    Tls(SelfSigned),
    Nothing(String),
}

impl Server {
    async fn start(target: &Target) -> Self {
        match target {
            Target::Mode(m) => Server::Hostile(Hostile::start(m.clone()).await),
            Target::Refused => Server::Nothing(refused_url()),
            Target::SelfSigned => Server::Tls(SelfSigned::start().await),
            Target::HttpsToPlain => Server::Hostile(Hostile::start(Mode::Healthy).await),
        }
    }

    fn url(&self, target: &Target) -> String {
        match (self, target) {
            (Server::Hostile(h), Target::HttpsToPlain) => format!("https://{}", h.addr),
            (Server::Hostile(h), _) => h.url(),
            (Server::Tls(t), _) => t.url(),
            (Server::Nothing(url), _) => url.clone(),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_failure_has_its_own_error_from_each_client() {
    let checks = cases().into_iter().map(|case| async move {
        let server = Server::start(&case.target).await;
        let url = server.url(&case.target);
        let http = |name: &str| HttpClient::new(&endpoint(name, &url)).expect("a valid endpoint");
        let prom = PrometheusClient::new(http("prom"), "prom").alerts().await;
        let am = AlertmanagerClient::new(http("am"), "am").alerts().await;
        for (client, result) in [("prometheus", prom), ("alertmanager", am)] {
            let err = result.err().unwrap_or_else(|| panic!("{}: {client} accepted it", case.name));
            assert!((case.expect)(&err), "{}: {client} gave {err:?}", case.name);
            assert!(err.to_string().contains(case.text), "{}: {client} said {err}", case.name);
        }
    });
    join_all(checks).await;
}

fn config(case: &Case, url: &str) -> Config {
    Config {
        refresh: Duration::from_millis(200),
        prometheus: vec![endpoint(&format!("p-{}", case.name), url)],
        alertmanager: vec![endpoint(&format!("a-{}", case.name), url)],
        ..Config::default()
    }
}

fn all_down(c: &Console) -> bool {
    c.state.contexts.sources.iter().all(|s| s.is_down())
}

fn all_up(c: &Console) -> bool {
    c.state.contexts.sources.iter().all(|s| matches!(s.health, Health::Up | Health::Slow(_)))
        && !c.state.alerts.alerts.is_empty()
}

/// Each failure reaches the status bar with its own words, for both sources,
/// and the console recovers when the server comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_failure_shows_in_the_status_bar_then_recovers() {
    let runs = cases().into_iter().map(|case| async move {
        let server = Server::start(&case.target).await;
        let url = server.url(&case.target);
        let mut console = Console::start(&config(&case, &url), Options::default()).expect("console starts");
        run_until(&mut console, case.name, 20, all_down).await;
        for s in &console.state.contexts.sources {
            let Health::Down { error, .. } = &s.health else { unreachable!("all down") };
            assert!((case.expect)(error), "{}: {} shows {error:?}", case.name, s.name);
        }
        let text = screen(&mut console, 260, 10);
        let status = status_line(&text);
        for name in [format!("p-{}", case.name), format!("a-{}", case.name)] {
            let at = status.find(&name).unwrap_or_else(|| panic!("{name} missing from {status:?}"));
            let shown = &status[at..];
            assert!(shown.contains("✖ down"), "{}: {status}", case.name);
            assert!(shown.contains(case.text), "{}: expected {:?} in {status}", case.name, case.text);
        }
        // Back to health: same URL, the server behaves again.
        let _server = match (server, &case.target) {
            (Server::Hostile(h), Target::Mode(_)) => {
                h.set(Mode::Healthy);
                h
            }
            (Server::Nothing(_), Target::Refused) => {
                let addr = url.trim_start_matches("http://").parse().expect("a socket address");
                Hostile::start_on(addr, Mode::Healthy).await
            }
            // A TLS source needs a trusted certificate to come back: not this test's subject.
            _ => return,
        };
        run_until(&mut console, &format!("{} recovered", case.name), 20, all_up).await;
        let text = screen(&mut console, 260, 10);
        assert!(text.contains("AlwaysFiring"), "{}: {text}", case.name);
        assert!(!status_line(&text).contains("down"), "{}: {text}", case.name);
    });
    join_all(runs).await;
}
