//! `warroom check` is truthful about Prometheus-API servers that do not say
//! their version: VictoriaMetrics 1.79 answers its build info with
//! `"data": {}`, Cortex and some gateways answer 404. Such a server is up if
//! it answers readiness and a query (version unknown); one whose queries fail
//! is down with the query's error. Served by a small HTTP server on loopback
//! whose answers are the ones those servers give.

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use warroom::msg::SourceKind;
use warroom::sources::prometheus::UNKNOWN_VERSION;
use warroom::sources::{Endpoint, HttpClient, PrometheusClient, SourceError};

const JSON: (axum::http::HeaderName, &str) = (axum::http::header::CONTENT_TYPE, "application/json");
/// What VictoriaMetrics answers to `query=1`.
const ONE: &str =
    r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1796185508,"1"]}]}}"#;

/// How the fake server answers build info and queries.
#[derive(Clone, Copy)]
enum Buildinfo {
    /// Prometheus: a version.
    Version,
    /// VictoriaMetrics 1.79: success with empty data.
    EmptyData,
    /// Cortex, gateways: 404 with a text body.
    NotFound,
    /// A gateway's HTML page with 200.
    Html,
    /// 401: the credentials are wrong, which a query would not fix.
    Unauthorized,
}

async fn serve(buildinfo: Buildinfo, queries_work: bool) -> String {
    let info = move || async move {
        match buildinfo {
            Buildinfo::Version => {
                ([JSON], r#"{"status":"success","data":{"version":"3.5.3+ds1","revision":"r"}}"#).into_response()
            }
            Buildinfo::EmptyData => ([JSON], r#"{"status":"success","data":{}}"#).into_response(),
            Buildinfo::NotFound => (StatusCode::NOT_FOUND, "404 page not found\n").into_response(),
            Buildinfo::Html => {
                ([(axum::http::header::CONTENT_TYPE, "text/html")], "<html>gateway</html>").into_response()
            }
            Buildinfo::Unauthorized => (StatusCode::UNAUTHORIZED, "no").into_response(),
        }
    };
    let query = move || async move {
        if queries_work {
            ([JSON], ONE).into_response()
        } else {
            let body = r#"{"status":"error","errorType":"unavailable","error":"storage is down"}"#;
            (StatusCode::SERVICE_UNAVAILABLE, [JSON], body).into_response()
        }
    };
    let app = Router::new()
        .route("/-/ready", get(|| async { "OK" }))
        .route("/api/v1/status/buildinfo", get(info))
        .route("/api/v1/query", post(query).get(query));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

async fn probe(buildinfo: Buildinfo, queries_work: bool) -> (Result<String, SourceError>, String) {
    let url = serve(buildinfo, queries_work).await;
    let http = HttpClient::new(&Endpoint::from_url(&url)).expect("client");
    let probe = PrometheusClient::new(http, "prom").probe().await;
    let line = warroom::check::line(SourceKind::Prometheus, "prom", &probe);
    (probe.result, line)
}

#[tokio::test]
async fn a_named_version_is_printed() {
    let (result, line) = probe(Buildinfo::Version, true).await;
    assert_eq!(result, Ok("3.5.3+ds1".to_string()));
    assert!(line.starts_with("ok ") && line.contains("3.5.3+ds1"), "{line}");
}

#[tokio::test]
async fn empty_build_info_is_up_with_version_unknown() {
    let (result, line) = probe(Buildinfo::EmptyData, true).await;
    assert_eq!(result, Ok(UNKNOWN_VERSION.to_string()));
    assert!(line.starts_with("ok ") && line.contains(UNKNOWN_VERSION), "{line}");
    assert!(!line.contains("missing field"), "{line}");
}

#[tokio::test]
async fn missing_or_non_json_build_info_is_up_with_version_unknown() {
    for buildinfo in [Buildinfo::NotFound, Buildinfo::Html] {
        let (result, line) = probe(buildinfo, true).await;
        assert_eq!(result, Ok(UNKNOWN_VERSION.to_string()), "{line}");
    }
}

#[tokio::test]
async fn without_a_version_failing_queries_mean_down_with_the_query_error() {
    for buildinfo in [Buildinfo::EmptyData, Buildinfo::NotFound] {
        let (result, line) = probe(buildinfo, false).await;
        let err = result.expect_err("queries fail: down");
        assert!(
            matches!(&err, SourceError::Api { status: 503, message, .. } if message == "storage is down"),
            "{err:?}"
        );
        assert!(line.starts_with("DOWN") && line.contains("storage is down"), "{line}");
    }
}

#[tokio::test]
async fn refused_credentials_stay_down() {
    let (result, line) = probe(Buildinfo::Unauthorized, true).await;
    assert!(matches!(result, Err(SourceError::Unauthorized(_))), "{result:?}");
    assert!(line.starts_with("DOWN") && line.contains("401"), "{line}");
}
