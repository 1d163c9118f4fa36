//! The domain: alerts, silences and series as warroom sees them, whatever
//! source reported them. Strings here are raw (exact label values are needed
//! to match silences); they are cleaned by `text` where they are drawn or
//! written.

pub mod dashboard;
pub mod logs;
pub mod metrics;
pub mod record;
pub mod runbook;
pub mod settings;
pub mod source_error;
pub mod units;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

pub mod history;

pub use source_error::SourceError;

pub type Labels = BTreeMap<String, String>;

/// Severity buckets, in the order the board sorts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Critical,
    Warning,
    Info,
    Other,
}

impl Severity {
    /// Reads the `severity` label the way teams spell it (Prometheus'
    /// examples use `page`; many teams use p1/p2 or sev1/sev2).
    /// No allocation: the board sorts and counts 10 000 alerts by it.
    pub fn from_label(value: Option<&str>) -> Self {
        let v = value.unwrap_or_default().trim();
        let any = |names: &[&str]| names.iter().any(|n| v.eq_ignore_ascii_case(n));
        if any(&["critical", "crit", "page", "emergency", "fatal", "p1", "sev1", "disaster"]) {
            Self::Critical
        } else if any(&["warning", "warn", "error", "high", "major", "p2", "sev2"]) {
            Self::Warning
        } else if any(&["info", "informational", "notice", "low", "minor", "none", "p3", "p4", "sev3"]) {
            Self::Info
        } else {
            Self::Other
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::Warning => "warning",
            Self::Info => "info",
            Self::Other => "other",
        }
    }
}

/// Where an alert is in its life, as the board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertState {
    Firing,
    Pending,
    Silenced,
    Inhibited,
    /// Known to Alertmanager but not yet through its pipeline.
    Unprocessed,
}

impl AlertState {
    pub fn name(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Pending => "pending",
            Self::Silenced => "silenced",
            Self::Inhibited => "inhibited",
            Self::Unprocessed => "unprocessed",
        }
    }

    /// Silenced and inhibited alerts are hidden unless asked for.
    pub fn is_muted(self) -> bool {
        matches!(self, Self::Silenced | Self::Inhibited)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Alertmanager's fingerprint of the label set (computed the same way for
    /// alerts only Prometheus knows, so both views line up).
    pub fingerprint: String,
    pub labels: Labels,
    pub annotations: Labels,
    pub state: AlertState,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub generator_url: Option<String>,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub receivers: Vec<String>,
    /// Names of the sources that reported it (several HA Alertmanagers).
    pub sources: Vec<String>,
    /// The expression's value when Prometheus reported it.
    pub value: Option<String>,
}

impl Alert {
    /// A firing alert with these labels, reported by `source` (a source's
    /// name; empty for none), its fingerprint computed as Alertmanager does,
    /// and nothing else known yet.
    pub fn firing(labels: Labels, starts_at: DateTime<Utc>, source: &str) -> Alert {
        Alert {
            fingerprint: fingerprint(&labels),
            labels,
            annotations: Labels::new(),
            state: AlertState::Firing,
            starts_at,
            ends_at: None,
            updated_at: None,
            generator_url: None,
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            receivers: Vec::new(),
            sources: if source.is_empty() { Vec::new() } else { vec![source.to_string()] },
            value: None,
        }
    }

    pub fn name(&self) -> &str {
        self.labels.get("alertname").map(String::as_str).unwrap_or("(unnamed)")
    }

    pub fn severity(&self) -> Severity {
        Severity::from_label(self.labels.get("severity").map(String::as_str))
    }

    pub fn summary(&self) -> Option<&str> {
        ["summary", "message", "description"].iter().find_map(|k| self.annotations.get(*k)).map(String::as_str)
    }

    pub fn runbook_url(&self) -> Option<&str> {
        ["runbook_url", "runbook"].iter().find_map(|k| self.annotations.get(*k)).map(String::as_str)
    }

    /// Labels that tell this alert apart from others of its group: all but
    /// the name and severity, which the board shows elsewhere.
    pub fn identifying_labels(&self) -> impl Iterator<Item = (&String, &String)> {
        self.labels.iter().filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
    }
}

/// One source's alerts, shared: the poller keeps its last answer, the board
/// its per-source sets and its merged list, all pointing at the same alerts.
/// An alert that did not change between two polls keeps its `Arc`, so
/// comparing two answers compares pointers.
pub type SharedAlerts = Vec<Arc<Alert>>;

/// What one source's alerts answer lost on the way in: alerts past the
/// per-source count limit (not kept), and alerts kept with a label,
/// annotation or URL cut at parse time. Shown in the board's title.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlertsCut {
    /// Alerts in the answer past the limit, not kept.
    pub over_limit: usize,
    /// The limit they were past.
    pub limit: usize,
    /// Kept alerts with some text cut.
    pub text_cut: usize,
}

/// Wraps freshly built alerts (tests, the drill) for a poll payload.
pub fn share(alerts: Vec<Alert>) -> SharedAlerts {
    alerts.into_iter().map(Arc::new).collect()
}

/// Alertmanager's label-set fingerprint: FNV-1a 64 over `name 0xff value
/// 0xff` for each label sorted by name, printed as 16 hex digits.
pub fn fingerprint(labels: &Labels) -> String {
    const OFFSET: u64 = 0xcbf29ce484222325;
    const PRIME: u64 = 0x100000001b3;
    let mut hash = OFFSET;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for (k, v) in labels {
        feed(k.as_bytes());
        feed(&[0xff]);
        feed(v.as_bytes());
        feed(&[0xff]);
    }
    format!("{hash:016x}")
}

/// `s` with the userinfo of every URL in it (`http://user:pass@host`)
/// replaced by `***`: a `runbook_url` or a link in an annotation may carry
/// credentials, which must not reach the screen, the clipboard or a file.
pub fn mask_userinfo(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains("://") || !s.contains('@') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("://") {
        let scheme_ok = rest[..at].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric());
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail.find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace()).unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(userinfo) if scheme_ok => {
                out.push_str("***");
                out.push_str(&tail[userinfo..end]);
            }
            _ => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// One matcher of a silence.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    pub is_equal: bool,
}

impl Matcher {
    pub fn operator(&self) -> &'static str {
        match (self.is_equal, self.is_regex) {
            (true, false) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (false, true) => "!~",
        }
    }

    /// Whether the matcher matches these labels, as Alertmanager decides it
    /// (regexes anchored; a missing label is the empty string).
    pub fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.name).map(String::as_str).unwrap_or("");
        let hit = if self.is_regex {
            regex::Regex::new(&format!("^(?:{})$", self.value)).map(|re| re.is_match(value)).unwrap_or(false)
        } else {
            value == self.value
        };
        hit == self.is_equal
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}{:?}", self.name, self.operator(), self.value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SilenceState {
    Active,
    Pending,
    Expired,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub updated_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub comment: String,
    pub state: SilenceState,
}

impl Silence {
    pub fn matches(&self, labels: &Labels) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn fingerprint_matches_alertmanager() {
        // From shared/api/alertmanager/captured-0.25/alerts.json.
        let l = labels(&[("alertname", "AlwaysFiring"), ("severity", "page")]);
        assert_eq!(fingerprint(&l), "2a7a97fbf890646a");
    }

    #[test]
    fn userinfo_is_masked_in_every_url() {
        assert_eq!(mask_userinfo("http://user:pass@wiki/rb"), "http://***@wiki/rb");
        assert_eq!(
            mask_userinfo("see https://u@h:8080/a?b=c@d and ftp://x:y@z"),
            "see https://***@h:8080/a?b=c@d and ftp://***@z"
        );
        assert_eq!(mask_userinfo("https://wiki/rb?owner=a@b"), "https://wiki/rb?owner=a@b");
        assert_eq!(mask_userinfo("mail ops@example.com"), "mail ops@example.com");
        assert_eq!(mask_userinfo("http://a:b:c@@h"), "http://***@h");
    }

    #[test]
    fn severities_sort_critical_first() {
        let mut v = ["info", "bogus", "page", "warning"].map(|s| Severity::from_label(Some(s)));
        v.sort();
        assert_eq!(v, [Severity::Critical, Severity::Warning, Severity::Info, Severity::Other]);
        assert_eq!(Severity::from_label(None), Severity::Other);
    }

    #[test]
    fn matchers_follow_alertmanager() {
        let l = labels(&[("service", "api"), ("env", "prod")]);
        let m = |name: &str, value: &str, is_regex, is_equal| Matcher {
            name: name.into(),
            value: value.into(),
            is_regex,
            is_equal,
        };
        assert!(m("service", "api", false, true).matches(&l));
        assert!(m("service", "a.*", true, true).matches(&l));
        assert!(!m("service", "a", true, true).matches(&l), "regexes are anchored");
        assert!(m("service", "db", false, false).matches(&l));
        assert!(m("team", "", false, true).matches(&l), "missing label is empty");
        assert!(!m("env", "prod|staging", true, false).matches(&l));
        assert_eq!(m("env", "prod", true, false).to_string(), "env!~\"prod\"");
    }
}

/// What the shared war room's workers report to the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareMsg {
    /// Incident `id` (the one just loaded) is shared from now on.
    Started(String),
    /// The outbox: what is still to push, and why it is not pushed.
    Push(SharePush),
    /// What the incident's stream brought since the last report.
    Received(ShareReceived),
}

/// The pusher's state of the outbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharePush {
    /// This host's records Loki does not have yet.
    pub unsent: usize,
    /// Records Loki refused for their content (never sent again).
    pub refused: usize,
    /// The last push's failure (`401 unauthorized`, `Loki unreachable: …`).
    pub error: Option<String>,
    /// Another warroom on this host pushes the incident (it holds the lock).
    pub elsewhere: bool,
}

/// What the receiver did with the stream's lines since its last report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShareReceived {
    /// Records new to the journal (written there, to be read).
    pub added: usize,
    /// Lines of the stream that are not records (skipped, counted).
    pub foreign: usize,
    /// The read's failure, if it is failing.
    pub error: Option<String>,
    /// Why the tail is not used (polling instead), if it is not.
    pub polling: Option<String>,
    /// Heartbeats received: (author, host, when the sender said).
    pub present: Vec<(String, String, DateTime<Utc>)>,
}
