//! Alertmanager API v2 client (`/api/v2/*`), as of 0.25 (Debian bookworm)
//! and later: unknown fields are ignored, fields added later are optional.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SourceError;
use super::answer::AnswerCache;
use super::http::{Body, HttpClient};
use super::probe::Probe;
use crate::model::{Alert, AlertState, AlertsCut, Labels, Matcher, SharedAlerts, Silence, SilenceState};

#[derive(Debug, Clone)]
pub struct AlertmanagerClient {
    http: HttpClient,
    name: String,
}

#[derive(Deserialize)]
struct WireAlert {
    #[serde(default, deserialize_with = "super::capped::labels")]
    labels: Labels,
    #[serde(default, deserialize_with = "super::capped::labels")]
    annotations: Labels,
    #[serde(deserialize_with = "super::capped::string")]
    fingerprint: String,
    #[serde(rename = "startsAt")]
    starts_at: DateTime<Utc>,
    #[serde(rename = "endsAt")]
    ends_at: Option<DateTime<Utc>>,
    #[serde(rename = "updatedAt")]
    updated_at: Option<DateTime<Utc>>,
    #[serde(rename = "generatorURL", default, deserialize_with = "super::capped::opt_string")]
    generator_url: Option<String>,
    #[serde(default)]
    receivers: Vec<Receiver>,
    status: WireStatus,
}

#[derive(Deserialize)]
struct Receiver {
    #[serde(deserialize_with = "super::capped::string")]
    name: String,
}

#[derive(Deserialize)]
struct WireStatus {
    state: String,
    #[serde(default, rename = "silencedBy")]
    silenced_by: Vec<String>,
    #[serde(default, rename = "inhibitedBy")]
    inhibited_by: Vec<String>,
}

#[derive(Deserialize, Serialize)]
struct WireMatcher {
    name: String,
    value: String,
    #[serde(rename = "isRegex")]
    is_regex: bool,
    /// Absent before Alertmanager 0.22; means `true` then.
    #[serde(rename = "isEqual", default = "yes")]
    is_equal: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct WireSilence {
    id: String,
    matchers: Vec<WireMatcher>,
    #[serde(rename = "startsAt")]
    starts_at: DateTime<Utc>,
    #[serde(rename = "endsAt")]
    ends_at: DateTime<Utc>,
    #[serde(rename = "updatedAt")]
    updated_at: Option<DateTime<Utc>>,
    #[serde(rename = "createdBy", default, deserialize_with = "super::capped::string")]
    created_by: String,
    #[serde(default, deserialize_with = "super::capped::string")]
    comment: String,
    status: SilenceStatus,
}

#[derive(Deserialize)]
struct SilenceStatus {
    state: String,
}

/// One group of `/api/v2/alerts/groups`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertGroup {
    pub labels: Labels,
    pub receiver: String,
    pub alerts: Vec<Alert>,
}

#[derive(Deserialize)]
struct WireGroup {
    #[serde(default, deserialize_with = "super::capped::labels")]
    labels: Labels,
    receiver: Receiver,
    #[serde(default)]
    alerts: Vec<WireAlert>,
}

/// What is POSTed to create (no `id`) or replace (with `id`) a silence.
#[derive(Debug, Clone, Serialize)]
pub struct PostableSilence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub matchers: Vec<PostMatcher>,
    #[serde(rename = "startsAt")]
    pub starts_at: DateTime<Utc>,
    #[serde(rename = "endsAt")]
    pub ends_at: DateTime<Utc>,
    #[serde(rename = "createdBy")]
    pub created_by: String,
    pub comment: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PostMatcher {
    pub name: String,
    pub value: String,
    #[serde(rename = "isRegex")]
    pub is_regex: bool,
    #[serde(rename = "isEqual")]
    pub is_equal: bool,
}

impl From<&Matcher> for PostMatcher {
    fn from(m: &Matcher) -> Self {
        Self { name: m.name.clone(), value: m.value.clone(), is_regex: m.is_regex, is_equal: m.is_equal }
    }
}

#[derive(Deserialize)]
struct SilenceCreated {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

/// Cluster and version, from `/api/v2/status`.
#[derive(Debug, Clone, PartialEq)]
pub struct AmStatus {
    pub version: String,
    pub cluster_status: String,
    pub peers: usize,
}

#[derive(Deserialize)]
struct WireAmStatus {
    #[serde(rename = "versionInfo")]
    version_info: VersionInfo,
    cluster: Cluster,
}

#[derive(Deserialize)]
struct VersionInfo {
    version: String,
}

#[derive(Deserialize)]
struct Cluster {
    status: String,
    #[serde(default)]
    peers: Vec<serde_json::Value>,
}

/// Reads a JSON body, or turns a failure into the server's own words:
/// Alertmanager answers errors as a JSON string, as `{code, message}`, or (a
/// missing silence) as an empty 404.
fn decode<T: serde::de::DeserializeOwned>(body: &Body) -> Result<T, SourceError> {
    if !body.is_success() {
        return Err(am_error(body));
    }
    super::http::from_json(&body.bytes).map_err(|e| {
        if !body.is_json() && !body.content_type.is_empty() {
            SourceError::ContentType(body.content_type.clone())
        } else {
            SourceError::Decode(crate::text::clean(&e.to_string()).into_owned())
        }
    })
}

fn am_error(body: &Body) -> SourceError {
    #[derive(Deserialize)]
    struct Coded {
        code: i64,
        message: String,
    }
    let clean = |s: &str| body.clean(s);
    if let Ok(msg) = serde_json::from_slice::<String>(&body.bytes) {
        return SourceError::Api { status: body.status, kind: "error".into(), message: clean(&msg) };
    }
    if let Ok(c) = serde_json::from_slice::<Coded>(&body.bytes) {
        return SourceError::Api { status: body.status, kind: format!("code {}", c.code), message: clean(&c.message) };
    }
    let message = if body.status == 404 && body.bytes.is_empty() { "not found".into() } else { body.error_text() };
    SourceError::Status { status: body.status, message }
}

impl AlertmanagerClient {
    pub fn new(http: HttpClient, name: impl Into<String>) -> Self {
        Self { http, name: name.into() }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every alert Alertmanager holds: active, silenced, inhibited.
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        self.parse_alerts(&self.http.get_alerts("/api/v2/alerts").await?)
    }

    /// `alerts`, through the poller's memory of the last answer: an
    /// identical answer is not parsed again, and unchanged alerts keep their
    /// `Arc`. The body is dropped as soon as it is read.
    pub async fn alerts_cached(&self, cache: &mut AnswerCache) -> Result<(SharedAlerts, AlertsCut), SourceError> {
        let body = self.http.get_alerts("/api/v2/alerts").await?;
        cache.alerts(&body, |b| self.parse_alerts_limited::<{ super::capped::MAX_ALERTS }>(b))
    }

    /// Reads a `/api/v2/alerts` answer. Public so that benches and property
    /// tests reach the parser without a server.
    pub fn parse_alerts(&self, body: &Body) -> Result<Vec<Alert>, SourceError> {
        Ok(self.parse_alerts_limited::<{ super::capped::MAX_ALERTS }>(body)?.0)
    }

    /// Reads an alerts answer keeping the first `N` alerts (the rest are
    /// skipped unbuilt), and says what was lost.
    pub fn parse_alerts_limited<const N: usize>(&self, body: &Body) -> Result<(Vec<Alert>, AlertsCut), SourceError> {
        let wire: super::capped::Limited<WireAlert, N> = decode(body)?;
        let alerts: Vec<Alert> = wire.items.into_iter().map(|a| self.to_alert(a)).collect();
        let cut = super::capped::alerts_cut(&alerts, wire.dropped, N);
        Ok((alerts, cut))
    }

    fn to_alert(&self, a: WireAlert) -> Alert {
        let state = match a.status.state.as_str() {
            "suppressed" if !a.status.silenced_by.is_empty() => AlertState::Silenced,
            "suppressed" => AlertState::Inhibited,
            "unprocessed" => AlertState::Unprocessed,
            _ => AlertState::Firing,
        };
        Alert {
            fingerprint: a.fingerprint,
            labels: a.labels,
            annotations: a.annotations,
            state,
            starts_at: a.starts_at,
            ends_at: a.ends_at.filter(|t| t.timestamp() > 0),
            updated_at: a.updated_at,
            generator_url: a.generator_url.filter(|u| !u.is_empty()),
            silenced_by: a.status.silenced_by,
            inhibited_by: a.status.inhibited_by,
            receivers: a.receivers.into_iter().map(|r| r.name).collect(),
            sources: vec![self.name.clone()],
            value: None,
        }
    }

    /// Alertmanager's own grouping (by its route's `group_by`), each group
    /// with its labels, receiver and alerts.
    pub async fn groups(&self) -> Result<Vec<AlertGroup>, SourceError> {
        let wire: Vec<WireGroup> = decode(&self.http.get("/api/v2/alerts/groups", &[]).await?)?;
        Ok(wire
            .into_iter()
            .map(|g| AlertGroup {
                labels: g.labels,
                receiver: g.receiver.name,
                alerts: g.alerts.into_iter().map(|a| self.to_alert(a)).collect(),
            })
            .collect())
    }

    pub async fn silences(&self) -> Result<Vec<Silence>, SourceError> {
        Self::parse_silences(&self.http.get("/api/v2/silences", &[]).await?)
    }

    /// Reads a `/api/v2/silences` answer.
    pub fn parse_silences(body: &Body) -> Result<Vec<Silence>, SourceError> {
        let wire: Vec<WireSilence> = decode(body)?;
        Ok(wire.into_iter().map(to_silence).collect())
    }

    /// Creates a silence, or replaces the one named by `id` (as amtool does
    /// when extending); returns the id Alertmanager assigned.
    pub async fn post_silence(&self, silence: &PostableSilence) -> Result<String, SourceError> {
        let created: SilenceCreated = decode(&self.http.post_json("/api/v2/silences", silence).await?)?;
        Ok(created.silence_id)
    }

    pub async fn expire_silence(&self, id: &str) -> Result<(), SourceError> {
        let body = self.http.delete(&format!("/api/v2/silence/{}", urlencode(id))).await?;
        if body.is_success() { Ok(()) } else { Err(am_error(&body)) }
    }

    pub async fn status(&self) -> Result<AmStatus, SourceError> {
        let s: WireAmStatus = decode(&self.http.get("/api/v2/status", &[]).await?)?;
        Ok(AmStatus { version: s.version_info.version, cluster_status: s.cluster.status, peers: s.cluster.peers.len() })
    }

    pub async fn probe(&self) -> Probe {
        Probe::run(&self.http, "/-/ready", async {
            let s = self.status().await?;
            Ok(match s.cluster_status.as_str() {
                "disabled" => s.version,
                c => format!("{} (cluster {c}, {} peers)", s.version, s.peers),
            })
        })
        .await
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn to_silence(s: WireSilence) -> Silence {
    Silence {
        id: s.id,
        matchers: s
            .matchers
            .into_iter()
            .map(|m| Matcher { name: m.name, value: m.value, is_regex: m.is_regex, is_equal: m.is_equal })
            .collect(),
        starts_at: s.starts_at,
        ends_at: s.ends_at,
        updated_at: s.updated_at,
        created_by: s.created_by,
        comment: s.comment,
        state: match s.status.state.as_str() {
            "active" => SilenceState::Active,
            "pending" => SilenceState::Pending,
            _ => SilenceState::Expired,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn captured(name: &str, status: u16) -> Body {
        let path = format!("{}/tests/fixtures/api/alertmanager/captured-0.25/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_default();
        Body { status, content_type: "application/json".into(), bytes, elapsed: Duration::ZERO, ..Default::default() }
    }

    fn client() -> AlertmanagerClient {
        let http = HttpClient::new(&super::super::Endpoint::from_url("http://127.0.0.1:9")).unwrap();
        AlertmanagerClient::new(http, "am")
    }

    #[test]
    fn parses_alerts_and_their_states() {
        let c = client();
        let wire: Vec<WireAlert> = decode(&captured("alerts.json", 200)).unwrap();
        let a = c.to_alert(wire.into_iter().next().unwrap());
        assert_eq!((a.name(), a.state), ("AlwaysFiring", AlertState::Firing));
        assert_eq!(a.receivers, ["default"]);
        assert!(a.generator_url.unwrap().contains("g0.expr=vector"));
        let wire: Vec<WireAlert> = decode(&captured("alerts_after_silence.json", 200)).unwrap();
        let silenced: Vec<Alert> = wire.into_iter().map(|w| c.to_alert(w)).collect();
        assert!(silenced.iter().any(|a| a.state == AlertState::Silenced && !a.silenced_by.is_empty()));
    }

    #[test]
    fn parses_silences_before_and_after_expiry() {
        let s: Vec<WireSilence> = decode(&captured("silences.json", 200)).unwrap();
        let s: Vec<Silence> = s.into_iter().map(to_silence).collect();
        assert_eq!(s[0].state, SilenceState::Active);
        assert_eq!(s[0].matchers[1].operator(), "=~");
        let e: Vec<WireSilence> = decode(&captured("silences_after_expire.json", 200)).unwrap();
        assert_eq!(to_silence(e.into_iter().next().unwrap()).state, SilenceState::Expired);
        let created: SilenceCreated = decode(&captured("post_silence.json", 200)).unwrap();
        assert_eq!(created.silence_id, "1890f271-1153-400f-9f01-bdc41adac397");
    }

    #[test]
    fn groups_parse_before_and_after_a_silence() {
        let c = client();
        let g: Vec<WireGroup> = decode(&captured("alert_groups.json", 200)).unwrap();
        assert_eq!(g[0].labels["alertname"], "AlwaysFiring");
        assert_eq!(g[0].receiver.name, "default");
        let g: Vec<WireGroup> = decode(&captured("alert_groups_after_silence.json", 200)).unwrap();
        let alerts: Vec<Alert> = g.into_iter().flat_map(|g| g.alerts).map(|a| c.to_alert(a)).collect();
        assert!(alerts.iter().any(|a| a.state == AlertState::Silenced));
    }

    #[test]
    fn status_and_groups_parse() {
        let s: WireAmStatus = decode(&captured("status.json", 200)).unwrap();
        assert_eq!((s.version_info.version.as_str(), s.cluster.status.as_str()), ("0.25.0", "disabled"));
    }

    /// Issue 15 item 7: a 30 MB annotation through real Alertmanager made
    /// every key take 1.6 s and the process 620 MB. Labels, annotations and
    /// URLs are cut as the answer is parsed, with a marker.
    #[test]
    fn huge_strings_are_cut_at_parse_time_with_a_marker() {
        let big = 30 << 20;
        let body = serde_json::json!([{
            "labels": {"alertname": "Huge", "blob": "v".repeat(big)},
            "annotations": {"description": "d".repeat(big), "summary": "short"},
            "fingerprint": "0123456789abcdef",
            "startsAt": "2026-11-22T12:00:00Z",
            "generatorURL": format!("http://prom/graph?g0.expr={}", "x".repeat(big)),
            "receivers": [{"name": "default"}],
            "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        }]);
        let bytes = body.to_string().into_bytes();
        let alerts = client()
            .parse_alerts(&Body {
                status: 200,
                content_type: "application/json".into(),
                bytes,
                elapsed: Duration::ZERO,
                ..Default::default()
            })
            .unwrap();
        let a = &alerts[0];
        let cut = super::super::capped::MAX_FIELD_BYTES + 64;
        for s in [&a.labels["blob"], &a.annotations["description"], a.generator_url.as_ref().unwrap()] {
            assert!(s.len() < cut && s.ends_with(" more bytes cut]"), "{} bytes: {}", s.len(), &s[s.len() - 40..]);
        }
        assert_eq!((a.name(), a.summary()), ("Huge", Some("short")));
    }

    #[test]
    fn errors_keep_alertmanager_words() {
        let e = am_error(&captured("error_silence_end_before_start.json", 400));
        assert_eq!(e.to_string(), "error: Failed to create silence: start time must be before end time");
        let e = am_error(&captured("error_silence_no_matchers.json", 422));
        assert_eq!(e.to_string(), "code 612: matchers in body should have at least 1 items");
        let e = am_error(&Body {
            status: 404,
            content_type: String::new(),
            bytes: vec![],
            elapsed: Duration::ZERO,
            ..Default::default()
        });
        assert_eq!(e.to_string(), "HTTP 404: not found");
    }

    fn wire_alert(i: usize, annotation: usize) -> serde_json::Value {
        serde_json::json!({
            "labels": {"alertname": format!("A{i}"), "severity": "warning"},
            "annotations": {"description": "d".repeat(annotation)},
            "fingerprint": format!("{i:016x}"),
            "startsAt": "2026-11-22T12:00:00Z",
            "receivers": [{"name": "default"}],
            "status": {"state": "active", "silencedBy": [], "inhibitedBy": []},
        })
    }

    /// Issue 15 item 15: alerts past the count limit are skipped unbuilt
    /// and counted.
    #[test]
    fn alerts_past_the_count_limit_are_counted_not_kept() {
        let all: Vec<_> = (0..5).map(|i| wire_alert(i, 10)).collect();
        let body = Body {
            status: 200,
            content_type: "application/json".into(),
            bytes: serde_json::to_vec(&all).unwrap(),
            ..Default::default()
        };
        let (alerts, cut) = client().parse_alerts_limited::<3>(&body).unwrap();
        assert_eq!(alerts.iter().map(|a| a.name()).collect::<Vec<_>>(), ["A0", "A1", "A2"]);
        assert_eq!(cut, AlertsCut { over_limit: 2, limit: 3, text_cut: 0 });
        let (alerts, cut) = client().parse_alerts_limited::<10>(&body).unwrap();
        assert_eq!((alerts.len(), cut.over_limit), (5, 0));
    }

    /// Issue 15 item 15: an Alertmanager answering more than 64 MiB of
    /// alerts was "down: response larger than the 65536 KiB cap" and the
    /// board empty. A real HTTP server on loopback serves 70 MB of alerts
    /// (long annotations, cut at parse time): every alert arrives, and the
    /// cut text is counted.
    #[tokio::test]
    async fn an_answer_over_64_mib_is_read_and_its_cut_text_counted() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let n = 70;
        let all: Vec<_> = (0..n).map(|i| wire_alert(i, 1 << 20)).collect();
        let body = serde_json::to_vec(&all).unwrap();
        assert!(body.len() > super::super::http::DEFAULT_MAX_BODY);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let k = sock.read(&mut buf).await.unwrap();
                if k == 0 {
                    return;
                }
                req.extend_from_slice(&buf[..k]);
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            sock.write_all(head.as_bytes()).await.unwrap();
            sock.write_all(&body).await.unwrap();
            sock.shutdown().await.unwrap();
        });
        let mut ep = super::super::Endpoint::from_url(&format!("http://{addr}"));
        ep.timeout = Some(Duration::from_secs(120));
        let c = AlertmanagerClient::new(HttpClient::new(&ep).unwrap(), "am");
        let (alerts, cut) = c.alerts_cached(&mut AnswerCache::default()).await.unwrap();
        assert_eq!(alerts.len(), n);
        assert_eq!(cut, AlertsCut { over_limit: 0, limit: super::super::capped::MAX_ALERTS, text_cut: n });
        assert!(alerts[0].annotations["description"].ends_with(" more bytes cut]"));
    }
}
