//! One health probe of a source: readiness, then version. What `warroom
//! check` prints, one line per source.

use std::time::{Duration, Instant};

use super::SourceError;
use super::http::HttpClient;

#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub result: Result<String, SourceError>,
    pub latency: Duration,
}

impl Probe {
    /// GETs `ready_path` (must answer 2xx), then runs `version` for the
    /// version string.
    pub async fn run(
        http: &HttpClient,
        ready_path: &str,
        version: impl Future<Output = Result<String, SourceError>>,
    ) -> Probe {
        let started = Instant::now();
        let result = async {
            let body = http.get(ready_path, &[]).await?;
            if !body.is_success() {
                return Err(SourceError::Status { status: body.status, message: body.error_text() });
            }
            // The version is shown by `warroom check`: cleaned, then redacted.
            version.await.map(|v| http.clean_redacted(&v))
        }
        .await;
        Probe { result, latency: started.elapsed() }
    }

    pub fn is_up(&self) -> bool {
        self.result.is_ok()
    }
}
