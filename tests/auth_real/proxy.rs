//! The authenticating reverse proxy of `auth_real`: what it lets in (see
//! the constants), and its refusals, which echo the credentials received as
//! a careless proxy does.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

pub const PROM_TOKEN: &str = "prom-tok-7Q2x-SEKRIT";
pub const AM_USER: &str = "oncall";
pub const AM_PASSWORD: &str = "am-pw-9Z4k-SEKRIT";
pub const LOKI_KEY: &str = "loki-key-3M8v-SEKRIT";
pub const TENANT: &str = "team-a";

struct Upstreams {
    prom: String,
    am: String,
    http: reqwest::Client,
}

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn get<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// 401 echoing what was sent, or 403 for another tenant, or `None`: let in.
fn refusal(h: &HeaderMap, header_name: &str, expected: &str) -> Option<Response> {
    let got = get(h, header_name);
    if got != expected {
        return Some(text(StatusCode::UNAUTHORIZED, format!("bad credentials: {header_name}: {got}\n")));
    }
    let tenant = get(h, "x-scope-orgid");
    (tenant != TENANT).then(|| text(StatusCode::FORBIDDEN, format!("tenant {tenant:?} not allowed\n")))
}

async fn proxy(State(up): State<Arc<Upstreams>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    let (method, headers) = (req.method().clone(), req.headers().clone());
    let basic =
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{AM_USER}:{AM_PASSWORD}")));
    let (base, rest) = if let Some(rest) = path.strip_prefix("/prom/") {
        if let Some(r) = refusal(&headers, "authorization", &format!("Bearer {PROM_TOKEN}")) {
            return r;
        }
        (up.prom.clone(), rest.to_string())
    } else if let Some(rest) = path.strip_prefix("/am/") {
        if get(&headers, "authorization") != basic {
            let got = get(&headers, "authorization");
            return text(StatusCode::UNAUTHORIZED, format!("bad credentials: {got}\n"));
        }
        (up.am.clone(), rest.to_string())
    } else if let Some(rest) = path.strip_prefix("/loki-gw/") {
        if let Some(r) = refusal(&headers, "x-api-key", LOKI_KEY) {
            return r;
        }
        return match rest {
            "ready" => text(StatusCode::OK, "ready\n".into()),
            "loki/api/v1/labels" => {
                let body = r#"{"status":"success","data":["job","service"]}"#;
                ([(header::CONTENT_TYPE, "application/json")], body).into_response()
            }
            _ => text(StatusCode::NOT_FOUND, "404 page not found\n".into()),
        };
    } else {
        return text(StatusCode::NOT_FOUND, "no such prefix\n".into());
    };
    let content_type = get(&headers, "content-type").to_string();
    let Ok(body) = axum::body::to_bytes(req.into_body(), 1 << 20).await else {
        return text(StatusCode::BAD_REQUEST, "body too large\n".into());
    };
    let mut forward = up.http.request(method, format!("{base}/{rest}{query}")).body(body.to_vec());
    if !content_type.is_empty() {
        forward = forward.header(header::CONTENT_TYPE, content_type);
    }
    match forward.send().await {
        Ok(resp) => {
            let status = resp.status();
            let ct = resp.headers().get(header::CONTENT_TYPE).cloned();
            let bytes = resp.bytes().await.unwrap_or_default();
            let mut out = Response::new(Body::from(bytes));
            *out.status_mut() = status;
            if let Some(ct) = ct {
                out.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            out
        }
        Err(e) => text(StatusCode::BAD_GATEWAY, format!("upstream: {e}\n")),
    }
}

fn proxy_app(prom: &str, am: &str) -> axum::Router {
    let up = Arc::new(Upstreams { prom: prom.into(), am: am.into(), http: reqwest::Client::new() });
    axum::Router::new().fallback(proxy).with_state(up)
}

/// The proxy over mutual TLS: `https://127.0.0.1:PORT`.
pub async fn start_tls_proxy(prom: &str, am: &str, pki: &super::mtls::Pki) -> String {
    let listener = super::mtls::TlsListener::bind(pki).await;
    let addr = axum::serve::Listener::local_addr(&listener).expect("local address");
    let app = proxy_app(prom, am);
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the TLS proxy serves") });
    format!("https://{addr}")
}

/// The proxy's base URL; it serves until the test's runtime ends.
pub async fn start_proxy(prom: &str, am: &str) -> String {
    let app = proxy_app(prom, am);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the proxy serves") });
    format!("http://{addr}")
}
