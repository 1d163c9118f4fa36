//! A bearer token (env var or file) and a basic-auth password (file) never
//! show: not in error messages, not on the screen, not in the raw terminal
//! output, not in the debug log, not in `warroom check` — even when a server
//! answers 401 or 500 (or 200) with the Authorization header echoed back.

mod robustness_support;
mod support;

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use futures::future::join_all;
use robustness_support::hostile::{Hostile, Mode};
use robustness_support::{endpoint, run_until, screen, status_line};
use support::tmux::{Tmux, contains};
use warroom::app::{Console, Options};
use warroom::config::Config;
use warroom::sources::endpoint::BasicAuth;
use warroom::sources::{Endpoint, SecretRef};
use warroom::state::sources::Health;

const TOKEN: &str = "tok-3f9a7c1e-SEKRIT";
const USER: &str = "ops";
const PASSWORD: &str = "pw-b8d2e6-SEKRIT";

/// Every form a secret could leak in.
fn needles() -> Vec<Vec<u8>> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    [TOKEN, PASSWORD, "SEKRIT", basic.as_str(), &basic[..16]].iter().map(|s| s.as_bytes().to_vec()).collect()
}

fn assert_clean(what: &str, bytes: &[u8]) {
    for n in needles() {
        assert!(
            !contains(bytes, &n),
            "{what} leaks {:?}:\n{}",
            String::from_utf8_lossy(&n),
            String::from_utf8_lossy(bytes)
        );
    }
}

fn write_secrets(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (token, password) = (dir.join("token"), dir.join("password"));
    std::fs::write(&token, format!("{TOKEN}\n")).expect("write the token file");
    std::fs::write(&password, format!("{PASSWORD}\n")).expect("write the password file");
    (token, password)
}

fn with_token(ep: Endpoint, file: &Path) -> Endpoint {
    Endpoint { bearer_token: Some(SecretRef { file: Some(file.to_path_buf()), ..SecretRef::default() }), ..ep }
}

fn with_password(ep: Endpoint, file: &Path) -> Endpoint {
    let password = SecretRef { file: Some(file.to_path_buf()), ..SecretRef::default() };
    Endpoint { basic_auth: Some(BasicAuth { username: USER.into(), password }), ..ep }
}

/// The echoing server really sends the secret back (else this proves nothing).
async fn assert_echoes(server: &Hostile) {
    let body = reqwest::Client::new()
        .get(format!("{}/api/v2/alerts", server.url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("the echo server answers")
        .text()
        .await
        .expect("a text body");
    assert!(body.contains(TOKEN), "the server does not echo: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoed_credentials_reach_neither_errors_nor_screen() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (token, password) = write_secrets(dir.path());
    let modes = [(401, false), (403, false), (500, false), (502, true), (200, true), (200, false)];
    let runs = modes.into_iter().map(|(status, json)| {
        let (token, password) = (token.clone(), password.clone());
        async move {
            let server = Hostile::start(Mode::EchoHeaders { status, json }).await;
            assert_echoes(&server).await;
            let cfg = Config {
                refresh: Duration::from_millis(200),
                prometheus: vec![with_token(endpoint("prom", &server.url()), &token)],
                alertmanager: vec![with_password(endpoint("am", &server.url()), &password)],
                ..Config::default()
            };
            let mut console = Console::start(&cfg, Options::default()).expect("console starts");
            run_until(&mut console, "both sources down", 10, |c| c.state.contexts.sources.iter().all(|s| s.is_down()))
                .await;
            for s in &console.state.contexts.sources {
                let Health::Down { error, .. } = &s.health else { unreachable!("all down") };
                let what = format!("{} error for HTTP {status} (json {json})", s.name);
                assert_clean(&what, format!("{error} {error:?}").as_bytes());
            }
            for (w, h) in [(400, 12), (120, 30), (60, 20)] {
                let text = screen(&mut console, w, h);
                assert!(status_line(&text).contains("✖ down"), "{text}");
                assert_clean(&format!("screen {w}x{h} for HTTP {status}"), text.as_bytes());
            }
        }
    });
    join_all(runs).await;
}

/// The real binary, with the token from an environment variable and the
/// password from a file, debug logging on, against servers echoing them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_never_writes_a_secret_to_terminal_log_or_check() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let (_, password) = write_secrets(dir.path());
    let prom = Hostile::start(Mode::EchoHeaders { status: 500, json: false }).await;
    let am = Hostile::start(Mode::EchoHeaders { status: 401, json: false }).await;
    let config = dir.path().join("config.toml");
    let toml = format!(
        "refresh = \"500ms\"\n\
         [[prometheus]]\nname = \"prom\"\nurl = \"{}\"\nbearer_token = {{ env = \"WARROOM_STRESS_TOKEN\" }}\n\
         [[alertmanager]]\nname = \"am\"\nurl = \"{}\"\n\
         basic_auth = {{ username = \"{USER}\", password = {{ file = \"{}\" }} }}\n",
        prom.url(),
        am.url(),
        password.display()
    );
    std::fs::write(&config, toml).expect("write the config");
    let log = dir.path().join("warroom.log");
    let bin = env!("CARGO_BIN_EXE_warroom");
    let args = format!("--config {} --log-file {} --no-mouse", config.display(), log.display());
    let cmd = format!("env WARROOM_LOG=debug WARROOM_STRESS_TOKEN={TOKEN} {bin} {args}");
    let tmux = Tmux::recording(dir.path(), &cmd, 160, 40);
    let screen =
        tmux.wait_async("both sources down", 20, |s| s.contains("prom ✖ down") && s.contains("am ✖ down")).await;
    assert!(screen.contains("HTTP 500") && screen.contains("401 unauthorized"), "{screen}");
    assert_clean("screen", screen.as_bytes());
    tmux.keys(&["q"]);
    tmux.wait_async("the console gone", 10, |s| !s.contains("✖ down")).await;
    assert_clean("raw terminal output", &tmux.raw_output());
    let log_text = std::fs::read(&log).expect("the log file exists");
    assert!(contains(&log_text, b"DEBUG") || contains(&log_text, b"poll failed"), "debug log written");
    assert!(contains(&log_text, b"poll failed"), "failures are logged");
    assert_clean("log file", &log_text);

    let check = std::process::Command::new(bin)
        .args(["check", "--config"])
        .arg(&config)
        .arg("--log-file")
        .arg(&log)
        .env("WARROOM_LOG", "debug")
        .env("WARROOM_STRESS_TOKEN", TOKEN)
        .output()
        .expect("run warroom check");
    assert_eq!(check.status.code(), Some(1), "{check:?}");
    assert_clean("check stdout", &check.stdout);
    assert_clean("check stderr", &check.stderr);
    assert_clean("log file after check", &std::fs::read(&log).expect("the log file"));
}
