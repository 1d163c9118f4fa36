//! An authenticating gateway in front of a Loki (the drill's, in
//! multi-tenant mode), as a team runs one for pushes: `/loki-share/…` needs
//! `Authorization: Bearer <LOKI_TOKEN>` (401 echoing what it got, as a
//! careless gateway does) and the tenant `team-a` (403 for another), then
//! forwards the request, its body and the headers Loki reads (the tenant
//! included), websockets (the tail) too.

use axum::body::Body;
use axum::extract::ws::{Message as AxMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as TMessage;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::proxy::TENANT;

pub const LOKI_TOKEN: &str = "loki-push-tok-4R7w-SEKRIT";
/// Request headers passed on to Loki.
const FORWARDED: &[&str] = &["content-type", "content-encoding", "x-scope-orgid", "x-loki-response-encoding-flags"];

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

fn refusal(h: &HeaderMap) -> Option<Response> {
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let auth = get("authorization");
    if auth != format!("Bearer {LOKI_TOKEN}") {
        return Some(text(StatusCode::UNAUTHORIZED, format!("bad credentials: authorization: {auth}\n")));
    }
    let tenant = get("x-scope-orgid");
    (tenant != TENANT).then(|| text(StatusCode::FORBIDDEN, format!("tenant {tenant:?} not allowed\n")))
}

async fn gateway(State(upstream): State<String>, req: Request) -> Response {
    let headers = req.headers().clone();
    if let Some(r) = refusal(&headers) {
        return r;
    }
    let Some(rest) = req.uri().path().strip_prefix("/loki-share") else {
        return text(StatusCode::NOT_FOUND, "no such prefix\n".into());
    };
    let target = format!("{upstream}{rest}{}", req.uri().query().map(|q| format!("?{q}")).unwrap_or_default());
    let (mut parts, body) = req.into_parts();
    if let Ok(ws) = WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        let target = target.replacen("http://", "ws://", 1);
        return ws.on_upgrade(move |socket| relay(socket, target, headers));
    }
    let Ok(bytes) = axum::body::to_bytes(body, 8 << 20).await else {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "body too large\n".into());
    };
    let mut forward = reqwest::Client::new().request(parts.method, target).body(bytes.to_vec());
    for name in FORWARDED {
        if let Some(v) = headers.get(*name) {
            forward = forward.header(*name, v);
        }
    }
    match forward.send().await {
        Ok(resp) => {
            let status = resp.status();
            let ct = resp.headers().get(header::CONTENT_TYPE).cloned();
            let mut out = Response::new(Body::from(resp.bytes().await.unwrap_or_default()));
            *out.status_mut() = status;
            if let Some(ct) = ct {
                out.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            out
        }
        Err(e) => text(StatusCode::BAD_GATEWAY, format!("upstream: {e}\n")),
    }
}

/// Passes websocket messages both ways until either side closes.
async fn relay(client: WebSocket, target: String, headers: HeaderMap) {
    let Ok(mut req) = target.into_client_request() else { return };
    for name in FORWARDED {
        if let Some(v) = headers.get(*name) {
            req.headers_mut().insert(*name, v.clone());
        }
    }
    let Ok((upstream, _)) = tokio_tungstenite::connect_async(req).await else { return };
    let (mut up_tx, mut up_rx) = upstream.split();
    let (mut cl_tx, mut cl_rx) = client.split();
    let down = async {
        while let Some(Ok(m)) = up_rx.next().await {
            let m = match m {
                TMessage::Text(t) => AxMessage::Text(t.as_str().into()),
                TMessage::Binary(b) => AxMessage::Binary(b),
                TMessage::Close(_) => break,
                _ => continue,
            };
            if cl_tx.send(m).await.is_err() {
                break;
            }
        }
    };
    // The client only ever sends pongs and its close.
    let up = async {
        while let Some(Ok(m)) = cl_rx.next().await {
            if matches!(m, AxMessage::Close(_)) {
                let _ = up_tx.send(TMessage::Close(None)).await;
                break;
            }
        }
    };
    tokio::select! { () = down => {}, () = up => {} }
}

/// The gateway's base URL (`…/loki-share` is the Loki URL to configure).
pub async fn start_loki_gateway(upstream: &str) -> String {
    let app = axum::Router::new().fallback(gateway).with_state(upstream.to_string());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("the gateway serves") });
    format!("http://{addr}")
}
