//! The one HTTP layer every source client goes through: timeouts, gzip, auth,
//! TLS (rustls), a response-size cap and the user agent.
//!
//! Secrets are resolved once, when the client is built, into header values
//! marked sensitive; they never appear in an error message (reqwest's errors
//! carry the URL, so only their innermost cause is kept) nor in `Debug`.

use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;
use url::Url;

use super::endpoint::{Endpoint, EndpointError};
use super::error::{SourceError, from_reqwest};

/// Default cap on a response body: a 10 000-alert Alertmanager answer is
/// about 10 MB, so 64 MiB leaves room without letting a broken proxy fill RAM.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const USER_AGENT: &str = concat!("warroom/", env!("CARGO_PKG_VERSION"));

/// An HTTP client bound to one endpoint.
#[derive(Clone)]
pub struct HttpClient {
    inner: reqwest::Client,
    base: Url,
    timeout: Duration,
    max_body: usize,
    headers: HeaderMap,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient").field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

/// A response read whole (within the cap).
#[derive(Debug, Clone)]
pub struct Body {
    pub status: u16,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub elapsed: Duration,
}

impl Body {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text for an error message: lossy, cleaned, cut short.
    pub fn error_text(&self) -> String {
        crate::text::truncate_width(crate::text::clean_bytes(&self.bytes).trim(), 200)
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
        let mut builder = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::limited(5))
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
        Ok(Self { inner, base, timeout, max_body: ep.max_body_bytes.unwrap_or(DEFAULT_MAX_BODY), headers })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
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
        let mut url = self.url(path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        self.send(self.inner.get(url)).await
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

    /// Sends and reads the body chunk by chunk, stopping at the cap.
    async fn read(&self, req: reqwest::RequestBuilder) -> Result<Body, SourceError> {
        let started = Instant::now();
        let mut resp = req.send().await.map_err(|e| from_reqwest(e, self.timeout))?;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(len) = resp.content_length()
            && len as usize > self.max_body
        {
            return Err(SourceError::TooLarge(self.max_body));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| from_reqwest(e, self.timeout))? {
            if bytes.len() + chunk.len() > self.max_body {
                return Err(SourceError::TooLarge(self.max_body));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Body { status, content_type, bytes, elapsed: started.elapsed() })
    }
}

/// Builds a header map, marking auth values sensitive so that they are
/// redacted from reqwest's and our own debug output.
pub(crate) fn header_map(pairs: &[(String, String, bool)]) -> Result<HeaderMap, EndpointError> {
    let mut map = HeaderMap::new();
    for (name, value, sensitive) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| EndpointError::Header(name.clone()))?;
        let mut value = HeaderValue::from_str(value).map_err(|_| EndpointError::Header(name.to_string()))?;
        value.set_sensitive(*sensitive);
        map.insert(name, value);
    }
    Ok(map)
}
