//! The Loki push client against a misbehaving server
//! (`robustness_support::hostile`): every answer lands in its class of
//! [`PushError`] (content refused, 401, 403, 429 with or without
//! `Retry-After`, 5xx, other statuses, a hang, nothing listening, an
//! oversized answer), what a server echoes is redacted, and the request
//! carries gzip, JSON, the tenant and the token.

mod robustness_support;

use std::time::Duration;

use robustness_support::hostile::{Hostile, Mode, refused_url};
use warroom::model::Labels;
use warroom::sources::loki::{LokiClient, PushEntry, PushError, PushStream};
use warroom::sources::{HttpClient, SecretRef, SourceError};

const TOKEN: &str = "push-tok-8Kq2-SEKRIT";

fn client(url: &str, timeout: Duration) -> LokiClient {
    let mut ep = robustness_support::hostile_endpoint("loki", url, timeout);
    ep.bearer_token = Some(SecretRef { value: Some(TOKEN.into()), ..SecretRef::default() });
    ep.headers.insert("X-Scope-OrgID".into(), "team-a".into());
    LokiClient::new(HttpClient::new(&ep).expect("client"), "loki")
}

fn one() -> Vec<PushStream> {
    let labels: Labels =
        [("app", "warroom"), ("incident", "i1")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let entry = PushEntry { ts_ns: 1_796_155_868_307_000_000, line: "{\"v\":2}".into(), metadata: Labels::new() };
    vec![PushStream { labels, entries: vec![entry] }]
}

async fn push_to(h: &Hostile, mode: Mode) -> PushError {
    h.set(mode);
    let e = client(&h.url(), Duration::from_secs(2)).push(&one()).await.expect_err("refused");
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains("SEKRIT"), "a secret in {shown}");
    e
}

fn with_headers(status: u16, headers: &[(&'static str, &str)], body: &str) -> Mode {
    let headers = headers.iter().map(|(k, v)| (*k, v.to_string())).collect();
    Mode::Headers { status, headers, body: body.as_bytes().to_vec() }
}

#[tokio::test]
async fn every_answer_is_classified_by_what_to_do_next() {
    let h = Hostile::start(Mode::status(204, "")).await;
    h.set(Mode::Fixed { status: 204, content_type: "text/plain", body: Vec::new() });
    client(&h.url(), Duration::from_secs(2)).push(&one()).await.expect("204 is success");

    let too_old = "entry for stream '{app=\"warroom\"}' has timestamp too old: 2019-10-11T18:23:58Z\n";
    let e = push_to(&h, Mode::status(400, too_old)).await;
    assert_eq!(e, PushError::Rejected { status: 400, message: too_old.trim().into() });
    assert!(!e.is_retryable());
    for status in [413, 415, 422] {
        assert!(
            matches!(push_to(&h, Mode::status(status, "x")).await, PushError::Rejected { status: s, .. } if s == status)
        );
    }
    assert_eq!(push_to(&h, Mode::status(401, "no org id\n")).await, PushError::Unauthorized("no org id".into()));
    assert!(matches!(push_to(&h, Mode::status(403, "denied")).await, PushError::Forbidden(m) if m == "denied"));

    let e = push_to(&h, with_headers(429, &[("Retry-After", "7")], "Ingestion rate limit exceeded")).await;
    assert_eq!(
        e,
        PushError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            message: "Ingestion rate limit exceeded".into()
        }
    );
    assert!(e.is_retryable());
    let e = push_to(&h, with_headers(429, &[("Retry-After", "Thu, 01 Jan 2099 00:00:00 GMT")], "")).await;
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3600)), "a far date is capped");
    assert_eq!(push_to(&h, Mode::status(429, "slow down")).await.retry_after(), None);
    for status in [500, 502, 503] {
        let e = push_to(&h, Mode::status(status, "upstream down")).await;
        assert_eq!(e, PushError::Server { status, message: "upstream down".into() });
        assert!(e.is_retryable());
    }
    let e = push_to(&h, Mode::status(404, "404 page not found")).await;
    assert!(matches!(e, PushError::Unexpected { status: 404, .. }) && !e.is_retryable(), "{e:?}");

    h.set(Mode::Hang);
    let e = client(&h.url(), Duration::from_millis(500)).push(&one()).await.expect_err("hangs");
    assert!(matches!(e, PushError::Unreachable(SourceError::Timeout(_))), "{e:?}");
    assert!(e.is_retryable());
    let e = client(&refused_url(), Duration::from_secs(1)).push(&one()).await.expect_err("nothing there");
    assert!(matches!(e, PushError::Unreachable(SourceError::Refused)), "{e:?}");
    let e = push_to(&h, Mode::Chunked { len: 1 << 20 }).await;
    assert!(matches!(e, PushError::Unreachable(SourceError::TooLarge(_))), "an answer over the cap: {e:?}");
}

#[tokio::test]
async fn the_request_is_gzip_json_with_the_tenant_and_echoes_are_redacted() {
    let h = Hostile::start(Mode::EchoHeaders { status: 400, json: false }).await;
    let e = client(&h.url(), Duration::from_secs(2)).push(&one()).await.expect_err("echoed");
    let PushError::Rejected { status: 400, message } = &e else { panic!("{e:?}") };
    let head = message.to_ascii_lowercase();
    assert!(head.starts_with("upstream error; request was: post /loki/api/v1/push http/1.1"), "{message}");
    for h in ["content-type: application/json", "content-encoding: gzip", "x-scope-orgid: team-a", "authorization: ***"]
    {
        assert!(head.contains(h), "{h} in {message}");
    }
    assert!(!message.contains(TOKEN));
}

#[tokio::test]
async fn requests_loki_would_refuse_are_not_sent() {
    let h = Hostile::start(Mode::Hang).await;
    let c = client(&h.url(), Duration::from_secs(1));
    let mut bad = one();
    bad[0].labels.insert("bad-name".into(), "x".into());
    assert!(matches!(c.push(&bad).await, Err(PushError::Invalid(m)) if m.contains("bad-name")));
    let mut huge = one();
    huge[0].entries[0].line = "x".repeat(warroom::sources::loki::MAX_PUSH_BYTES + 1);
    assert!(matches!(c.push(&huge).await, Err(PushError::Invalid(m)) if m.contains("cap")));
}
