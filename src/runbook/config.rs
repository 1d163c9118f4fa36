//! Where runbooks may be read from, and the limits on fetching them.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use crate::sources::{Endpoint, EndpointError, HttpClient};

/// Default cap on a runbook's size: a long runbook is 50 KiB; 1 MiB leaves
/// room and still bounds what an alert can make warroom hold in memory.
pub const DEFAULT_MAX_BYTES: usize = 1024 * 1024;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// The `[runbook]` section of the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunbookConfig {
    /// The only directories a local runbook may be read from. Relative
    /// entries are relative to the working directory.
    pub dirs: Vec<PathBuf>,
    /// URL prefix → local directory, tried before any fetch, e.g.
    /// `["https://git.example.com/ops/runbooks/blob/main/", "runbooks/"]`.
    pub rewrites: Vec<(String, PathBuf)>,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    pub max_bytes: usize,
}

impl Default for RunbookConfig {
    fn default() -> Self {
        Self {
            dirs: vec![PathBuf::from("runbooks")],
            rewrites: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl RunbookConfig {
    /// An HTTP client carrying this config's timeout and size cap, for
    /// [`HttpClient::get_foreign`]. Its base URL is never requested.
    pub fn http_client(&self) -> Result<HttpClient, EndpointError> {
        HttpClient::new(&Endpoint {
            name: Some("runbooks".into()),
            url: "http://127.0.0.1/".into(),
            timeout: Some(self.timeout),
            max_body_bytes: Some(self.max_bytes),
            ..Default::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_from_toml_with_defaults() {
        let cfg: RunbookConfig = toml::from_str(
            r#"
            dirs = ["/srv/runbooks", "runbooks"]
            rewrites = [["https://git.example.com/ops/runbooks/blob/main/", "/srv/runbooks"]]
            timeout = "2s"
            "#,
        )
        .expect("valid config");
        assert_eq!(cfg.dirs.len(), 2);
        assert_eq!(cfg.rewrites[0].1, PathBuf::from("/srv/runbooks"));
        assert_eq!(cfg.timeout, Duration::from_secs(2));
        assert_eq!(cfg.max_bytes, DEFAULT_MAX_BYTES);
        assert_eq!(RunbookConfig::default().dirs, vec![PathBuf::from("runbooks")]);
        assert!(toml::from_str::<RunbookConfig>("dir = []").is_err());
    }
}
