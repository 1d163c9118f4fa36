//! What may be written to the journal: every string cleaned by the one
//! sanitizer, and secrets redacted.
//!
//! Labels, summaries and log lines come from systems anyone may write to, and
//! the journal outlives the terminal session: a post-mortem is pasted into
//! wikis and tickets. So escape sequences are removed before writing, and
//! values that look like credentials (a `password=` in a log line, a token in
//! a runbook URL, a label named `api_key`) never reach the disk.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::record::{Event, Record};
use crate::text::{clean, clean_multiline};

/// What replaces a secret.
pub const REDACTED: &str = "[redacted]";

/// `key=value` / `key: value` pairs whose key names a secret.
static SECRET_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b((?:[a-z0-9_.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|session[_-]?id|signature|sig))["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"']+)"#,
    )
    .expect("valid regex")
});

/// `Authorization: Bearer xyz`, `Basic xyz`.
static AUTH_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}").expect("valid regex"));

/// `scheme://user:password@host`.
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]*@").expect("valid regex"));

/// Whether a label or field name says its value is a secret.
pub fn is_secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "access_key",
        "private_key",
        "authorization",
        "cookie",
        "session_id",
    ]
    .iter()
    .any(|s| n.contains(s))
}

/// Removes credentials from free text (a log line, a URL, a note).
pub fn redact(s: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(s);
    for (re, rep) in [
        (&*URL_USERINFO, format!("${{1}}{REDACTED}@")),
        (&*AUTH_HEADER, format!("${{1}} {REDACTED}")),
        (&*SECRET_PAIR, format!("${{1}}{REDACTED}")),
    ] {
        if let Cow::Owned(replaced) = re.replace_all(&out, rep.as_str()) {
            out = Cow::Owned(replaced);
        }
    }
    out
}

/// A single-line remote string, cleaned then redacted.
pub fn line(s: &str) -> String {
    redact(&clean(s)).into_owned()
}

/// A multi-line string (a note), cleaned then redacted.
pub fn multiline(s: &str) -> String {
    redact(&clean_multiline(s)).into_owned()
}

fn labels(map: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    map.iter()
        .map(|(k, v)| {
            let value = if is_secret_name(k) { REDACTED.to_string() } else { line(v) };
            (line(k), value)
        })
        .collect()
}

/// The record as it may be written: every string field cleaned and redacted.
pub fn record(rec: &Record) -> Record {
    Record {
        v: rec.v,
        id: line(&rec.id),
        at: rec.at,
        author: line(&rec.author),
        host: line(&rec.host),
        event: event(&rec.event),
    }
}

fn event(ev: &Event) -> Event {
    use Event::*;
    match ev {
        Declared { title, severity, commander } => {
            Declared { title: line(title), severity: line(severity), commander: line(commander) }
        }
        Status { status } => Status { status: *status },
        Commander { name } => Commander { name: line(name) },
        Note { id, text } => Note { id: line(id), text: multiline(text) },
        NoteEdited { id, text } => NoteEdited { id: line(id), text: multiline(text) },
        NoteStruck { id } => NoteStruck { id: line(id) },
        AlertFired { fingerprint, alertname, severity, labels: l, summary, runbook_url } => AlertFired {
            fingerprint: line(fingerprint),
            alertname: line(alertname),
            severity: line(severity),
            labels: labels(l),
            summary: line(summary),
            runbook_url: runbook_url.as_deref().map(line),
        },
        AlertResolved { fingerprint, alertname, starts_at } => {
            AlertResolved { fingerprint: line(fingerprint), alertname: line(alertname), starts_at: *starts_at }
        }
        AlertSilenced { fingerprint, alertname, silence_id } => {
            AlertSilenced { fingerprint: line(fingerprint), alertname: line(alertname), silence_id: line(silence_id) }
        }
        SilenceCreated { id, matchers, comment, ends_at, created_by } => SilenceCreated {
            id: line(id),
            matchers: matchers.iter().map(|m| line(m)).collect(),
            comment: line(comment),
            ends_at: *ends_at,
            created_by: line(created_by),
        },
        SilenceExpired { id } => SilenceExpired { id: line(id) },
        RunbookOpened { runbook } => RunbookOpened { runbook: line(runbook) },
        RunbookStep { runbook, step, text, done, values } => RunbookStep {
            runbook: line(runbook),
            step: *step,
            text: line(text),
            done: *done,
            values: values.iter().take(8).map(|v| line(v)).collect(),
        },
        PinnedGraph { title, query, sparkline, min, max, unit, from, to } => PinnedGraph {
            title: line(title),
            query: line(query),
            sparkline: line(sparkline),
            min: min.filter(|x| x.is_finite()),
            max: max.filter(|x| x.is_finite()),
            unit: line(unit),
            from: *from,
            to: *to,
        },
        PinnedLog { ts, labels: l, line: text } => PinnedLog { ts: *ts, labels: labels(l), line: line(text) },
        Joined => Joined,
        Left => Left,
        AlertHistory { fingerprint, alertname, starts_at, window_secs, previous, omitted } => {
            // Kept to the newest ones however the record was made.
            let over = previous.len().saturating_sub(super::record::MAX_FIRINGS);
            AlertHistory {
                fingerprint: line(fingerprint),
                alertname: line(alertname),
                starts_at: *starts_at,
                window_secs: *window_secs,
                previous: previous[over..].to_vec(),
                omitted: omitted.saturating_add(over),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_text_are_redacted() {
        assert_eq!(redact("login failed password=hunter2 user=bob"), "login failed password=[redacted] user=bob");
        assert_eq!(redact(r#"{"api_key": "abc123", "n": 1}"#), r#"{"api_key": [redacted], "n": 1}"#);
        assert_eq!(redact("GET /x?access_token=eyJhbGc&page=2"), "GET /x?access_token=[redacted]&page=2");
        assert_eq!(redact("Authorization: Bearer abcdefghijkl"), "Authorization: Bearer [redacted]");
        assert_eq!(redact("see https://ops:s3cret@wiki.example/rb"), "see https://[redacted]@wiki.example/rb");
        assert_eq!(redact("nothing to see"), "nothing to see");
    }

    #[test]
    fn labels_named_like_secrets_are_redacted() {
        let mut l = BTreeMap::new();
        l.insert("db_password".to_string(), "x".to_string());
        l.insert("job".to_string(), "api\x1b[31m".to_string());
        let out = labels(&l);
        assert_eq!(out["db_password"], REDACTED);
        assert_eq!(out["job"], "api");
    }

    #[test]
    fn an_alert_history_is_cleaned_capped_and_reads_back() {
        use crate::model::history::Firing;
        let t = chrono::DateTime::UNIX_EPOCH;
        let f = Firing { start: t, end: t + chrono::Duration::minutes(5) };
        let event = Event::AlertHistory {
            fingerprint: "ab\x1b[2Jcd".into(),
            alertname: "Flappy".into(),
            starts_at: t,
            window_secs: 604_800,
            previous: vec![f; super::super::record::MAX_FIRINGS + 7],
            omitted: 3,
        };
        let out = record(&Record::new(t, "a", event));
        let Event::AlertHistory { fingerprint, previous, omitted, .. } = &out.event else { unreachable!() };
        assert_eq!((fingerprint.as_str(), previous.len(), *omitted), ("abcd", super::super::record::MAX_FIRINGS, 10));
        assert_eq!(out.identity().as_deref(), Some("alert_history/abcd/1970-01-01T00:00:00Z"));
        let line = serde_json::to_string(&out).expect("serializes");
        assert!(line.contains(r#""kind":"alert_history""#), "{line}");
        assert_eq!(serde_json::from_str::<Record>(&line).expect("reads back"), out);
    }

    #[test]
    fn pinned_graph_drops_non_finite_bounds() {
        let t = chrono::DateTime::UNIX_EPOCH;
        let rec = Record::new(
            t,
            "a\x1b]0;x\x07b",
            Event::PinnedGraph {
                title: "t".into(),
                query: "q".into(),
                sparkline: "▁▂".into(),
                min: Some(f64::NAN),
                max: Some(3.0),
                unit: "s".into(),
                from: t,
                to: t,
            },
        );
        let out = record(&rec);
        assert_eq!(out.author, "ab");
        assert!(matches!(out.event, Event::PinnedGraph { min: None, max: Some(_), .. }));
    }
}
