//! The one HTTP layer every source client goes through: timeouts, gzip, auth,
//! TLS (rustls), a response-size cap and the user agent.
//!
//! Secrets are resolved once, when the client is built, into header values
//! marked sensitive; they never appear in an error message (reqwest's errors
//! carry the URL, so only their innermost cause is kept) nor in `Debug`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use url::Url;

use super::endpoint::{Endpoint, EndpointError};
use super::error::{SourceError, from_reqwest};

/// Default cap on a response body: a 10 000-alert Alertmanager answer is
/// about 10 MB, so 64 MiB leaves room without letting a broken proxy fill RAM.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;
/// Default cap on an alerts answer (`/api/v2/alerts`, `/api/v1/alerts`):
/// Alertmanager answers 77 MB for 100 000 alerts. The answer is held only
/// while it is parsed, and the parse keeps at most
/// [`super::capped::MAX_ALERTS`] alerts with their strings cut, so memory
/// is bounded by that, not by the answer. `max_body_bytes`, when set,
/// caps these answers too.
pub const DEFAULT_MAX_ALERTS_BODY: usize = 512 * 1024 * 1024;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of an error answer (any status but 2xx) is read: enough for
/// any API's error envelope or a proxy's page; the rest is not downloaded
/// (a 50 MB error page answered to every retry is how a struggling server
/// was made to struggle more).
pub const ERROR_BODY_CAP: usize = 64 * 1024;
const USER_AGENT: &str = concat!("warroom/", env!("CARGO_PKG_VERSION"));

/// An HTTP client bound to one endpoint.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    base: Url,
    timeout: Duration,
    max_body: usize,
    max_alerts_body: usize,
    headers: HeaderMap,
    /// The secrets in `headers`, in every form an answer could echo them.
    secrets: Option<Arc<regex::bytes::Regex>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

/// A response read whole (within the cap).
#[derive(Debug, Clone, Default)]
pub struct Body {
    pub status: u16,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub elapsed: Duration,
    /// The client's secrets, to redact from any text made of this body
    /// once it is cleaned (a token split by an escape or a zero-width space
    /// is whole only then).
    pub secrets: Option<Arc<regex::bytes::Regex>>,
}

/// `text` (already clean) with the secrets replaced by `***`.
fn redact_text(secrets: Option<&regex::bytes::Regex>, text: String) -> String {
    match secrets {
        Some(re) if re.is_match(text.as_bytes()) => {
            String::from_utf8_lossy(&re.replace_all(text.as_bytes(), &b"***"[..])).into_owned()
        }
        _ => text,
    }
}

/// Parses a JSON answer. The body is checked as UTF-8 once, then parsed as a
/// `str`, which spares serde_json a check per string: about a fifth of the
/// time of a 10 MB alert list. Invalid UTF-8 goes through `from_slice` for
/// its positioned error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// An answer with the one header a caller of [`HttpClient::post_bytes`]
/// needs beyond the body: `Retry-After` (cleaned, redacted, short).
#[derive(Debug, Clone)]
pub struct Reply {
    pub body: Body,
    pub retry_after: Option<String>,
}

impl Body {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text for an error message: lossy, cleaned, redacted,
    /// cut short.
    pub fn error_text(&self) -> String {
        self.error_text_width(200)
    }

    /// [`Body::error_text`] cut at `width` columns.
    pub fn error_text_width(&self, width: usize) -> String {
        let text = self.clean(crate::text::clean_bytes(&self.bytes).trim());
        crate::text::truncate_width(&text, width)
    }

    /// A string read from this body (an API's error message) made safe to
    /// show: cleaned, then redacted.
    pub fn clean(&self, s: &str) -> String {
        redact_text(self.secrets.as_deref(), crate::text::clean(s).into_owned())
    }

    pub fn is_json(&self) -> bool {
        self.content_type.starts_with("application/json") || self.content_type.contains("+json")
    }
}

impl HttpClient {
    /// Builds a client for `ep`. Fails on a bad URL, an unreadable secret or
    /// CA file, or an invalid header: configuration errors, shown at start.
    pub fn new(ep: &Endpoint) -> Result<Self, EndpointError> {
        let base = ep.parsed_url()?;
        let timeout = ep.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let headers = ep.resolved_headers()?;
        // A client with credentials to give away (headers, a client
        // certificate) follows no redirect to another origin: reqwest strips
        // `Authorization` there, not an `X-Api-Key` of the config.
        let credentials = !headers.is_empty() || ep.client_cert.is_some();
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(redirect_policy(!credentials))
            .referer(false)
            .gzip(true)
            .use_rustls_tls();
        if let Some(ca) = &ep.ca_file {
            let pem = std::fs::read(ca).map_err(|e| EndpointError::File(ca.clone(), e.to_string()))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| EndpointError::Tls(format!("{}: {e}", ca.display())))?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        if let (Some(cert), Some(key)) = (&ep.client_cert, &ep.client_key) {
            let mut pem = std::fs::read(cert).map_err(|e| EndpointError::File(cert.clone(), e.to_string()))?;
            pem.extend(std::fs::read(key).map_err(|e| EndpointError::File(key.clone(), e.to_string()))?);
            let id = reqwest::Identity::from_pem(&pem)
                .map_err(|e| EndpointError::Tls(format!("client certificate: {e}")))?;
            builder = builder.identity(id);
        }
        if ep.insecure_skip_verify {
            tracing::warn!(endpoint = %ep.display_name(), "TLS certificate verification is OFF (insecure_skip_verify)");
            builder = builder.danger_accept_invalid_certs(true);
        }
        let inner = builder.build().map_err(|e| EndpointError::Tls(e.to_string()))?;
        let secrets = secret_pattern(&headers).map(Arc::new);
        let max_body = ep.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY);
        let max_alerts_body = ep.max_body_bytes.unwrap_or(DEFAULT_MAX_ALERTS_BODY);
        Ok(Self { inner, base, timeout, max_body, max_alerts_body, headers, secrets })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// `text` cleaned, then with our secrets replaced by `***`: for any
    /// remote string that becomes a message (cleaning first, so that a
    /// secret split by an escape sequence is whole when it is looked for).
    pub fn clean_redacted(&self, text: &str) -> String {
        redact_text(self.secrets.as_deref(), crate::text::clean(text).into_owned())
    }

    /// Headers (auth, tenant) to send on requests made outside this client,
    /// such as the Loki tail websocket.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// `path` joined under the base URL, keeping any prefix the base has
    /// (Thanos or Mimir often live under `/prometheus`).
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let prefix = url.path().trim_end_matches('/').to_string();
        url.set_path(&format!("{prefix}/{}", path.trim_start_matches('/')));
        url
    }

    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Body, SourceError> {
        self.get_with(path, query, &[]).await
    }

    /// GET an alerts answer, under the larger alerts cap
    /// ([`DEFAULT_MAX_ALERTS_BODY`]).
    pub async fn get_alerts(&self, path: &str) -> Result<Body, SourceError> {
        let big = Self { max_body: self.max_alerts_body, ..self.clone() };
        big.get(path, &[]).await
    }

    /// GET with extra request headers (Loki's encoding flags).
    pub async fn get_with(
        &self,
        path: &str,
        query: &[(&str, String)],
        headers: &[(HeaderName, &str)],
    ) -> Result<Body, SourceError> {
        let mut url = self.url(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut req = self.inner.get(url);
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        self.send(req).await
    }

    /// POSTs `body` as given (already encoded and compressed) with
    /// `headers`, and hands back every answer, whatever its status: the
    /// caller classifies them (a Loki push). Transport failures are errors.
    pub async fn post_bytes(
        &self,
        path: &str,
        headers: &[(HeaderName, &str)],
        body: Vec<u8>,
    ) -> Result<Reply, SourceError> {
        let mut req = self.inner.post(self.url(path)).headers(self.headers.clone());
        for (name, value) in headers {
            req = req.header(name, *value);
        }
        self.fetch(req.body(body)).await
    }

    /// GET an absolute URL (a runbook): same TLS, timeout and cap, but no
    /// auth headers, which belong to this source and not to another host.
    pub async fn get_foreign(&self, url: Url, accept: &str) -> Result<Body, SourceError> {
        let req = self.inner.get(url).header(header::ACCEPT, accept);
        self.read(req).await
    }

    pub async fn post_json<B: Serialize + ?Sized>(&self, path: &str, body: &B) -> Result<Body, SourceError> {
        self.send(self.inner.post(self.url(path)).json(body)).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, String)]) -> Result<Body, SourceError> {
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        let req = self
            .inner
            .post(self.url(path))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(encoded);
        self.send(req).await
    }

    pub async fn delete(&self, path: &str) -> Result<Body, SourceError> {
        self.send(self.inner.delete(self.url(path))).await
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<Body, SourceError> {
        let body = self.read(req.headers(self.headers.clone())).await?;
        match body.status {
            401 => Err(SourceError::Unauthorized(body.error_text())),
            403 => Err(SourceError::Forbidden(body.error_text())),
            _ => Ok(body),
        }
    }

    /// Sends and reads the body chunk by chunk, stopping at the cap. Any
    /// secret of ours the server echoes (a proxy's error page quoting the
    /// request) is replaced by `***`: bodies become error messages, which
    /// reach the screen and the log.
    async fn read(&self, req: reqwest::RequestBuilder) -> Result<Body, SourceError> {
        Ok(self.fetch(req).await?.body)
    }

    async fn fetch(&self, req: reqwest::RequestBuilder) -> Result<Reply, SourceError> {
        let started = Instant::now();
        let mut resp = req.send().await.map_err(|e| from_reqwest(e, self.timeout))?;
        let status = resp.status().as_u16();
        let retry_after = resp.headers().get(header::RETRY_AFTER).map(|v| {
            let cleaned = self.clean_redacted(&String::from_utf8_lossy(v.as_bytes()));
            crate::text::truncate_width(&cleaned, 64)
        });
        let content_type = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let content_type = self.clean_redacted(content_type).to_ascii_lowercase();
        let success = (200..300).contains(&status);
        if success
            && let Some(len) = resp.content_length()
            && len as usize > self.max_body
        {
            return Err(SourceError::TooLarge(self.max_body));
        }
        let cap = if success { self.max_body } else { ERROR_BODY_CAP.min(self.max_body) };
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| from_reqwest(e, self.timeout))? {
            if bytes.len() + chunk.len() > cap {
                if success {
                    return Err(SourceError::TooLarge(self.max_body));
                }
                // An error answer is cut, not refused: its start says what went wrong.
                bytes.extend_from_slice(&chunk[..cap - bytes.len()]);
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        let bytes = self.redact(bytes);
        let body = Body { status, content_type, bytes, elapsed: started.elapsed(), secrets: self.secrets.clone() };
        Ok(Reply { body, retry_after })
    }

    /// `bytes` with our secrets replaced by `***` (not copied when none is there).
    pub(crate) fn redact(&self, bytes: Vec<u8>) -> Vec<u8> {
        match &self.secrets {
            Some(re) if re.is_match(&bytes) => re.replace_all(&bytes, &b"***"[..]).into_owned(),
            _ => bytes,
        }
    }
}

/// What a redirect refused for going to another origin says (the policy's
/// error, found again in reqwest's error chain).
pub(crate) const CROSS_ORIGIN: &str = "redirect to another origin not followed";

/// Up to 5 redirects; to another origin (scheme, host, port) only when
/// `cross_origin`.
fn redirect_policy(cross_origin: bool) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            return attempt.error("too many redirects");
        }
        let same = attempt.previous().first().is_none_or(|first| first.origin() == attempt.url().origin());
        if same || cross_origin { attempt.follow() } else { attempt.error(CROSS_ORIGIN) }
    })
}

/// A pattern matching the sensitive header values as sent (`Bearer t`,
/// `Basic b64`), their credentials (`t`, `b64`), and for basic auth the
/// decoded `user:password` and the password alone. Longest first, so a
/// whole header value is replaced rather than a part of it.
fn secret_pattern(headers: &HeaderMap) -> Option<regex::bytes::Regex> {
    use base64::Engine;
    let mut forms: Vec<String> = Vec::new();
    for value in headers.values().filter(|v| v.is_sensitive()) {
        let Ok(value) = value.to_str() else { continue };
        forms.push(value.to_string());
        let Some((scheme, credentials)) = value.split_once(' ') else { continue };
        forms.push(credentials.to_string());
        if scheme.eq_ignore_ascii_case("basic")
            && let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(credentials)
            && let Ok(raw) = String::from_utf8(raw)
        {
            if let Some((_, password)) = raw.split_once(':') {
                forms.push(password.to_string());
            }
            forms.push(raw);
        }
    }
    forms.retain(|f| !f.trim().is_empty());
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    if forms.is_empty() {
        return None;
    }
    let alternatives: Vec<String> = forms.iter().map(|f| regex::escape(f)).collect();
    regex::bytes::Regex::new(&alternatives.join("|")).ok()
}

/// Builds a header map, marking auth values sensitive so that they are
/// redacted from reqwest's and our own debug output.
pub(crate) fn header_map(pairs: &[(String, SecretString, bool)]) -> Result<HeaderMap, EndpointError> {
    let mut map = HeaderMap::new();
    for (name, value, sensitive) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| EndpointError::Header(name.clone()))?;
        let mut value =
            HeaderValue::from_str(value.expose_secret()).map_err(|_| EndpointError::Header(name.to_string()))?;
        value.set_sensitive(*sensitive);
        map.insert(name, value);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thanos, Mimir and Cortex often live under a prefix (`/prometheus`,
    /// `/api/prom`); every API path must land under it, with or without a
    /// trailing slash on the base, and a query string must not eat it.
    #[test]
    fn path_prefixes_are_kept_for_every_api() {
        let apis = [
            "/api/v1/alerts",
            "/api/v1/rules",
            "/api/v1/query_range",
            "/api/v1/status/buildinfo",
            "/api/v2/alerts",
            "/api/v2/silences",
            "/api/v2/silence/abc",
            "/loki/api/v1/query_range",
            "/loki/api/v1/tail",
            "/ready",
        ];
        for base in ["http://mimir:8080/prometheus", "http://mimir:8080/prometheus/"] {
            let c = HttpClient::new(&Endpoint::from_url(base)).unwrap();
            for api in apis {
                assert_eq!(c.url(api).as_str(), format!("http://mimir:8080/prometheus{api}"), "{base} + {api}");
            }
        }
        let c = HttpClient::new(&Endpoint::from_url("http://cortex/api/prom?x=1")).unwrap();
        assert_eq!(c.url("/api/v1/rules").path(), "/api/prom/api/v1/rules");
        let c = HttpClient::new(&Endpoint::from_url("http://prom:9090")).unwrap();
        assert_eq!(c.url("api/v1/rules").as_str(), "http://prom:9090/api/v1/rules");
    }

    /// Issue 15 item 6: a Loki with `headers = {"X-Api-Key" = {env = …}}`
    /// answering 307 to another host: that host got the key and a referer.
    /// Two loopback listeners on two ports are two origins.
    #[tokio::test]
    async fn a_secret_header_never_follows_a_redirect_to_another_origin() {
        use std::sync::{Arc, Mutex};

        use axum::http::{HeaderMap as Seen, StatusCode};
        use axum::routing::get;

        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let log = seen.clone();
        let other = axum::Router::new().route(
            "/{*path}",
            get(move |h: Seen| {
                log.lock().unwrap().push(h);
                async { "stolen" }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let other_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, other).await });
        let to_other = format!("{other_url}/loot");
        let source = axum::Router::new()
            .route("/away", get(move || async move { (StatusCode::TEMPORARY_REDIRECT, [("location", to_other)]) }))
            .route("/here", get(|| async { (StatusCode::TEMPORARY_REDIRECT, [("location", "/ready")]) }))
            .route("/ready", get(|h: Seen| async move { format!("key={}", h.contains_key("x-api-key")) }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, source).await });

        let secret = super::super::SecretRef { value: Some("k3y-s3cret".into()), ..Default::default() };
        let ep = Endpoint {
            headers: [("X-Api-Key".to_string(), super::super::HeaderSpec::Secret(secret))].into(),
            ..Endpoint::from_url(&url)
        };
        let c = HttpClient::new(&ep).unwrap();
        let err = c.get("/away", &[]).await.unwrap_err();
        assert_eq!(err, SourceError::CrossOriginRedirect);
        assert!(!err.to_string().contains("k3y"), "{err}");
        assert!(seen.lock().unwrap().is_empty(), "the other origin got a request: {:?}", seen.lock().unwrap());
        // Within the origin, redirects are followed, the header kept, no referer sent.
        let body = c.get("/here", &[]).await.unwrap();
        assert_eq!((body.status, body.bytes.as_slice()), (200, &b"key=true"[..]));

        // A client with nothing to give away (the runbook fetcher) follows it, without a referer.
        let plain = HttpClient::new(&Endpoint::from_url(&url)).unwrap();
        let body = plain.get("/away", &[]).await.unwrap();
        assert_eq!(body.bytes, b"stolen");
        let got = seen.lock().unwrap();
        assert!(!got[0].contains_key("x-api-key") && !got[0].contains_key("referer"), "{:?}", got[0]);
    }

    /// Issue 15 item 18: secrets were redacted before sanitizing, so a
    /// token echoed split by a zero-width space, an escape sequence or a
    /// JSON escape came back whole once sanitized, on the status bar.
    #[tokio::test]
    async fn a_secret_split_by_what_the_sanitizer_removes_is_still_redacted() {
        use axum::http::StatusCode;
        use axum::routing::get;

        let split = ["k3y\u{200b}-s3cret", "k3y\u{1b}[0m-s3cret", "k3y\u{1b}]0;x\u{7}-s3cret"];
        let text = format!("upstream said: {}", split.join(" "));
        let envelope = serde_json::json!({"status": "error", "errorType": "bad_data", "error": text}).to_string();
        let app = axum::Router::new()
            .route("/text", get(move || async move { (StatusCode::BAD_GATEWAY, text) }))
            .route("/json", get(move || async move { (StatusCode::BAD_REQUEST, envelope) }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let secret = super::super::SecretRef { value: Some("k3y-s3cret".into()), ..Default::default() };
        let ep = Endpoint {
            headers: [("X-Api-Key".to_string(), super::super::HeaderSpec::Secret(secret))].into(),
            ..Endpoint::from_url(&url)
        };
        let c = HttpClient::new(&ep).unwrap();
        let shown = c.get("/text", &[]).await.unwrap().error_text();
        assert!(!shown.contains("k3y") && !shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("upstream said: ***"), "{shown}");
        let e = super::super::prometheus::decode::<serde_json::Value>(&c.get("/json", &[]).await.unwrap()).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        assert_eq!(c.clean_redacted("a k3y\u{200b}-s3cret b"), "a *** b");
    }

    #[test]
    fn echoed_secrets_are_redacted_in_every_form() {
        let pairs = [
            ("authorization".to_string(), "Basic b3BzOmh1bnRlcjI=".into(), true),
            ("x-scope-orgid".to_string(), "tenant-1".into(), false),
        ];
        let re = secret_pattern(&header_map(&pairs).unwrap()).unwrap();
        let echoed = b"Authorization: Basic b3BzOmh1bnRlcjI= creds b3BzOmh1bnRlcjI= ops:hunter2 pw hunter2 tenant-1";
        let out = re.replace_all(echoed, &b"***"[..]);
        assert_eq!(&out[..], b"Authorization: *** creds *** *** pw *** tenant-1");
        let bearer = [("authorization".to_string(), "Bearer t0k".into(), true)];
        let re = secret_pattern(&header_map(&bearer).unwrap()).unwrap();
        assert_eq!(&re.replace_all(b"Bearer t0k or t0k", &b"***"[..])[..], b"*** or ***");
        assert!(secret_pattern(&header_map(&pairs[1..]).unwrap()).is_none(), "only sensitive headers");
    }
}
