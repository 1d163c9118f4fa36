//! How one source is reached: URL, timeout, headers, auth and TLS, as read
//! from the config file or the command line.
//!
//! No secret needs to sit in the config: tokens and passwords are named by an
//! environment variable or a file and read when the client is built. Once
//! read, a secret is a [`SecretString`]: its `Debug` prints `[REDACTED]`, it
//! has no `Display`, and it is zeroed when dropped, so no log line or error
//! can carry one by accident; only the header builder exposes it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::http::header_map;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EndpointError {
    #[error("invalid URL {0:?}: {1}")]
    Url(String, String),
    #[error("secret {0}: {1}")]
    Secret(String, String),
    #[error("cannot read {path}: {1}", path = .0.display())]
    File(PathBuf, String),
    #[error("invalid header {0:?}")]
    Header(String),
    #[error("TLS: {0}")]
    Tls(String),
}

/// Where a secret comes from. Exactly one of the fields should be set; a
/// literal `value` works but is discouraged (and warned about).
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
    pub value: Option<SecretString>,
}

/// Configs are compared (tests, context switches): two literal secrets are
/// equal when their values are.
impl PartialEq for SecretRef {
    fn eq(&self, other: &Self) -> bool {
        let value = |r: &Self| r.value.as_ref().map(|v| v.expose_secret().to_owned());
        self.env == other.env && self.file == other.file && value(self) == value(other)
    }
}

impl std::fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.env, &self.file, &self.value) {
            (Some(e), _, _) => write!(f, "SecretRef(env {e})"),
            (_, Some(p), _) => write!(f, "SecretRef(file {})", p.display()),
            (_, _, Some(_)) => f.write_str("SecretRef(***)"),
            _ => f.write_str("SecretRef(unset)"),
        }
    }
}

impl SecretRef {
    /// The config key this secret is read from: `env`, `file` or `value`.
    pub fn key(&self) -> &'static str {
        match (&self.env, &self.file, &self.value) {
            (Some(_), _, _) => "env",
            (_, Some(_), _) => "file",
            _ => "value",
        }
    }

    /// Reads the secret. Errors name where it was looked for, never its value.
    pub fn resolve(&self) -> Result<SecretString, EndpointError> {
        if let Some(var) = &self.env {
            return std::env::var(var)
                .map(SecretString::from)
                .map_err(|_| EndpointError::Secret(format!("env {var}"), "not set".into()));
        }
        if let Some(path) = &self.file {
            let s = std::fs::read_to_string(path)
                .map(SecretString::from)
                .map_err(|e| EndpointError::File(path.clone(), e.to_string()))?;
            return Ok(s.expose_secret().trim_end_matches(['\n', '\r']).into());
        }
        if let Some(v) = &self.value {
            tracing::warn!("a secret is written in the config file (`value`): prefer `env` or `file` (0600)");
            return Ok(v.clone());
        }
        Err(EndpointError::Secret("(empty)".into(), "set one of env, file or value".into()))
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    pub password: SecretRef,
}

/// A custom header's value: a plain string (`"tenant-1"`) or a secret read
/// from the environment or a file (`{ env = "API_KEY" }`).
#[derive(Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum HeaderSpec {
    Plain(String),
    Secret(SecretRef),
}

impl HeaderSpec {
    /// The value to send, and whether it is a secret: every value from a
    /// [`SecretRef`], and any value of a header whose name looks secret.
    pub fn resolve(&self, name: &str) -> Result<(SecretString, bool), EndpointError> {
        match self {
            Self::Plain(v) => Ok((v.as_str().into(), looks_secret(name))),
            Self::Secret(r) => Ok((r.resolve().map_err(|e| name_secret_error(name, e))?, true)),
        }
    }

    /// For `Debug` and messages: the value unless it may be a secret.
    fn shown(&self, name: &str) -> String {
        match self {
            Self::Plain(_) if looks_secret(name) => "***".into(),
            Self::Plain(v) => format!("{v:?}"),
            Self::Secret(r) => format!("{r:?}"),
        }
    }
}

impl std::fmt::Debug for HeaderSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Without the header's name, a plain value cannot be judged: hidden.
        match self {
            Self::Plain(_) => f.write_str("HeaderSpec(..)"),
            Self::Secret(r) => write!(f, "{r:?}"),
        }
    }
}

impl From<&str> for HeaderSpec {
    fn from(v: &str) -> Self {
        Self::Plain(v.to_string())
    }
}

impl From<String> for HeaderSpec {
    fn from(v: String) -> Self {
        Self::Plain(v)
    }
}

impl PartialEq<&str> for HeaderSpec {
    fn eq(&self, other: &&str) -> bool {
        matches!(self, Self::Plain(v) if v == other)
    }
}

/// Whether a header name suggests its value is a credential
/// (`Authorization`, `Cookie`, `X-Api-Key`, `X-Auth-Token`, …): such values
/// are marked sensitive and redacted even when written inline.
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["authorization", "cookie", "token", "key", "secret", "password", "passwd", "credential", "session"]
        .iter()
        .any(|w| lower.contains(w))
}

fn name_secret_error(header: &str, e: EndpointError) -> EndpointError {
    match e {
        EndpointError::Secret(from, why) => EndpointError::Secret(format!("{from} (header {header})"), why),
        other => other,
    }
}

/// One endpoint of a source (a Prometheus, an Alertmanager, a Loki).
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Shown in the status bar; defaults to the URL's host:port.
    pub name: Option<String>,
    pub url: String,
    #[serde(default, with = "humantime_serde")]
    pub timeout: Option<Duration>,
    /// Extra headers, e.g. `X-Scope-OrgID` for a Mimir or Loki tenant, or
    /// `X-Api-Key = { env = "API_KEY" }` for a gateway.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderSpec>,
    pub bearer_token: Option<SecretRef>,
    pub basic_auth: Option<BasicAuth>,
    pub ca_file: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    #[serde(default)]
    pub insecure_skip_verify: bool,
    pub max_body_bytes: Option<usize>,
}

/// Written by hand so that no header value that may be a secret is shown.
impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: BTreeMap<&str, String> = self.headers.iter().map(|(k, v)| (k.as_str(), v.shown(k))).collect();
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("url", &redact(&self.url))
            .field("timeout", &self.timeout)
            .field("headers", &headers)
            .field("bearer_token", &self.bearer_token)
            .field("basic_auth", &self.basic_auth.as_ref().map(|b| (&b.username, &b.password)))
            .field("ca_file", &self.ca_file)
            .field("client_cert", &self.client_cert)
            .field("client_key", &self.client_key)
            .field("insecure_skip_verify", &self.insecure_skip_verify)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Endpoint {
    pub fn from_url(url: &str) -> Self {
        Self { url: url.to_string(), ..Self::default() }
    }

    /// The URL without credentials (`https://user:pass@host` is accepted on
    /// the command line, as amtool does, but the password must not be shown).
    pub fn parsed_url(&self) -> Result<Url, EndpointError> {
        let mut url = Url::parse(&self.url).map_err(|e| EndpointError::Url(redact(&self.url), e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(EndpointError::Url(redact(&self.url), "scheme must be http or https".into()));
        }
        let _ = url.set_username("");
        let _ = url.set_password(None);
        Ok(url)
    }

    pub fn display_name(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        match Url::parse(&self.url) {
            Ok(u) => match (u.host_str(), u.port_or_known_default()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                _ => redact(&self.url),
            },
            Err(_) => redact(&self.url),
        }
    }

    /// Reads every secret this endpoint names, as [`resolved_headers`] does;
    /// the first that cannot be read comes with the key path it is under
    /// (`["bearer_token", "file"]`, `["headers", "X-Api-Key", "env"]`), for
    /// a config error that points at it.
    ///
    /// [`resolved_headers`]: Self::resolved_headers
    pub fn check_secrets(&self) -> Result<(), (Vec<String>, EndpointError)> {
        let check = |r: &SecretRef, mut key: Vec<String>| {
            r.resolve().map(drop).map_err(|e| {
                key.push(r.key().to_string());
                (key, e)
            })
        };
        for (name, spec) in &self.headers {
            if let HeaderSpec::Secret(r) = spec {
                check(r, vec!["headers".into(), name.clone()]).map_err(|(k, e)| (k, name_secret_error(name, e)))?;
            }
        }
        if let Some(token) = &self.bearer_token {
            check(token, vec!["bearer_token".into()])?;
        } else if let Some(basic) = &self.basic_auth {
            check(&basic.password, vec!["basic_auth".into(), "password".into()])?;
        }
        Ok(())
    }

    /// All headers to send: custom ones, then auth (marked sensitive).
    pub fn resolved_headers(&self) -> Result<reqwest::header::HeaderMap, EndpointError> {
        let mut pairs: Vec<(String, SecretString, bool)> = Vec::new();
        for (name, spec) in &self.headers {
            let (value, sensitive) = spec.resolve(name)?;
            pairs.push((name.clone(), value, sensitive));
        }
        let inline_user = Url::parse(&self.url).ok().filter(|u| !u.username().is_empty());
        if let Some(token) = &self.bearer_token {
            let bearer = format!("Bearer {}", token.resolve()?.expose_secret());
            pairs.push(("authorization".into(), bearer.into(), true));
        } else if let Some(basic) = &self.basic_auth {
            pairs.push(("authorization".into(), basic_header(&basic.username, &basic.password.resolve()?), true));
        } else if let Some(u) = inline_user {
            let pass = SecretString::from(percent_decode(u.password().unwrap_or_default()));
            pairs.push(("authorization".into(), basic_header(&percent_decode(u.username()), &pass), true));
        }
        header_map(&pairs)
    }
}

fn basic_header(user: &str, pass: &SecretString) -> SecretString {
    let raw = SecretString::from(format!("{user}:{}", pass.expose_secret()));
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw.expose_secret())).into()
}

/// `%XX` in the userinfo of a URL; a `+` stays a `+` (it is a space only in
/// form bodies).
fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// A URL with any password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => match url.find('@') {
            Some(at) => format!("***{}", &url[at..]),
            None => url.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_credentials_become_basic_auth_and_leave_the_url() {
        let ep = Endpoint::from_url("http://alice:s3cr%40t@127.0.0.1:9093/am");
        assert_eq!(ep.parsed_url().unwrap().as_str(), "http://127.0.0.1:9093/am");
        let h = ep.resolved_headers().unwrap();
        let auth = h.get("authorization").unwrap();
        assert!(auth.is_sensitive());
        let expected = basic_header("alice", &"s3cr@t".into());
        assert_eq!(auth.to_str().unwrap(), expected.expose_secret());
        assert!(!format!("{h:?}").contains("YWxpY2U"));
        assert_eq!(redact(&ep.url), "http://alice:***@127.0.0.1:9093/am");
    }

    #[test]
    fn secrets_from_env_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "tok-from-file\n").unwrap();
        let ep = Endpoint {
            url: "http://127.0.0.1:1".into(),
            bearer_token: Some(SecretRef { file: Some(path), ..Default::default() }),
            ..Default::default()
        };
        let h = ep.resolved_headers().unwrap();
        assert_eq!(h["authorization"], "Bearer tok-from-file");
        let missing = SecretRef { env: Some("WARROOM_TEST_UNSET_VAR".into()), ..Default::default() };
        let err = missing.resolve().unwrap_err().to_string();
        assert_eq!(err, "secret env WARROOM_TEST_UNSET_VAR: not set");
        let literal = SecretRef { value: Some("hunter2".into()), ..Default::default() };
        assert!(!format!("{literal:?}").contains("hunter2"));
        let resolved = literal.resolve().unwrap();
        assert_eq!(resolved.expose_secret(), "hunter2");
        assert!(!format!("{resolved:?} {:?}", literal.resolve()).contains("hunter2"), "a resolved secret has no Debug");
    }

    #[test]
    fn header_secrets_are_sensitive_and_never_shown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gw");
        std::fs::write(&path, "gw-s3cret\n").unwrap();
        let text = format!(
            r#"
            url = "http://127.0.0.1:1"
            headers = {{ "X-Scope-OrgID" = "tenant-1", "X-Api-Key" = "inline-k3y", "X-Gateway" = {{ file = {:?} }} }}
            "#,
            path.display().to_string()
        );
        let mut ep: Endpoint = toml::from_str(&text).unwrap();
        assert_eq!(ep.headers["X-Scope-OrgID"], "tenant-1");
        let h = ep.resolved_headers().unwrap();
        assert!(!h["x-scope-orgid"].is_sensitive(), "a tenant is not a secret");
        assert!(h["x-api-key"].is_sensitive(), "named like a key");
        assert!(h["x-gateway"].is_sensitive(), "from a SecretRef");
        assert_eq!(h["x-gateway"], "gw-s3cret");
        let shown = format!("{ep:?} {h:?}");
        assert!(shown.contains("tenant-1"), "{shown}");
        assert!(!shown.contains("inline-k3y") && !shown.contains("gw-s3cret"), "{shown}");
        let unset = SecretRef { env: Some("WARROOM_TEST_UNSET_GW".into()), ..SecretRef::default() };
        ep.headers.insert("X-Gateway".into(), HeaderSpec::Secret(unset));
        let err = ep.resolved_headers().unwrap_err().to_string();
        assert_eq!(err, "secret env WARROOM_TEST_UNSET_GW (header X-Gateway): not set");
    }

    #[test]
    fn secret_looking_names() {
        for n in ["Authorization", "Cookie", "X-Auth-Token", "X-Api-Key", "apikey", "X-Client-Secret", "X-Password"] {
            assert!(looks_secret(n), "{n}");
        }
        for n in ["X-Scope-OrgID", "Accept", "X-Grafana-Org-Id", "User-Agent"] {
            assert!(!looks_secret(n), "{n}");
        }
    }

    #[test]
    fn bad_urls_are_config_errors() {
        assert!(Endpoint::from_url("ftp://x").parsed_url().is_err());
        assert!(Endpoint::from_url("not a url").parsed_url().is_err());
        assert_eq!(Endpoint::from_url("http://prom:9090").display_name(), "prom:9090");
    }
}
