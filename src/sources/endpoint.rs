//! How one source is reached: URL, timeout, headers, auth and TLS, as read
//! from the config file or the command line.
//!
//! No secret needs to sit in the config: tokens and passwords are named by an
//! environment variable or a file and read when the client is built.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
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
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
    pub value: Option<String>,
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
    /// Reads the secret. Errors name where it was looked for, never its value.
    pub fn resolve(&self) -> Result<String, EndpointError> {
        if let Some(var) = &self.env {
            return std::env::var(var).map_err(|_| EndpointError::Secret(format!("env {var}"), "not set".into()));
        }
        if let Some(path) = &self.file {
            let s = std::fs::read_to_string(path).map_err(|e| EndpointError::File(path.clone(), e.to_string()))?;
            return Ok(s.trim_end_matches(['\n', '\r']).to_string());
        }
        if let Some(v) = &self.value {
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

/// One endpoint of a source (a Prometheus, an Alertmanager, a Loki).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Shown in the status bar; defaults to the URL's host:port.
    pub name: Option<String>,
    pub url: String,
    #[serde(default, with = "humantime_serde")]
    pub timeout: Option<Duration>,
    /// Extra headers, e.g. `X-Scope-OrgID` for a Mimir or Loki tenant.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub bearer_token: Option<SecretRef>,
    pub basic_auth: Option<BasicAuth>,
    pub ca_file: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    #[serde(default)]
    pub insecure_skip_verify: bool,
    pub max_body_bytes: Option<usize>,
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

    /// All headers to send: custom ones, then auth (marked sensitive).
    pub fn resolved_headers(&self) -> Result<reqwest::header::HeaderMap, EndpointError> {
        let mut pairs: Vec<(String, String, bool)> =
            self.headers.iter().map(|(k, v)| (k.clone(), v.clone(), false)).collect();
        let inline_user = Url::parse(&self.url).ok().filter(|u| !u.username().is_empty());
        if let Some(token) = &self.bearer_token {
            pairs.push(("authorization".into(), format!("Bearer {}", token.resolve()?), true));
        } else if let Some(basic) = &self.basic_auth {
            pairs.push(("authorization".into(), basic_header(&basic.username, &basic.password.resolve()?), true));
        } else if let Some(u) = inline_user {
            let pass = percent_decode(u.password().unwrap_or_default());
            pairs.push(("authorization".into(), basic_header(&percent_decode(u.username()), &pass), true));
        }
        header_map(&pairs)
    }
}

fn basic_header(user: &str, pass: &str) -> String {
    let raw = format!("{user}:{pass}");
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
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
        let expected = basic_header("alice", "s3cr@t");
        assert_eq!(auth.to_str().unwrap(), expected);
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
    }

    #[test]
    fn bad_urls_are_config_errors() {
        assert!(Endpoint::from_url("ftp://x").parsed_url().is_err());
        assert!(Endpoint::from_url("not a url").parsed_url().is_err());
        assert_eq!(Endpoint::from_url("http://prom:9090").display_name(), "prom:9090");
    }
}
