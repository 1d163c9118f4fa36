//! The shared war room's side of the journal: what a record looks like in
//! Loki, what is accepted back from it, and the outbox (which of this
//! host's records Loki already has).
//!
//! A record travels as its journal line (JSON, format v2) on the stream
//! `{app="warroom", incident="<id>"}`: two fixed, low-cardinality labels;
//! who wrote it and from where are in the line. What comes back from the
//! stream is untrusted (anyone with push rights can write to it): a line
//! is a record only if it parses as one of this format, with a well-formed
//! id whose host part is the record's host, and fits in
//! [`MAX_SHARED_LINE`]; its text is then cleaned like every remote string
//! when the journal writes it.
//!
//! The outbox is the journal itself plus a marker, `share.json` beside it:
//! how many of the journal's records were handled (pushed, or not this
//! host's to push), and the records Loki refused for their content. It is
//! written atomically after Loki acknowledged a push, so `kill -9` at any
//! point loses nothing: at worst a batch is pushed again, which readers
//! fold (a union by record id).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::record::{FORMAT_VERSION, Record};
use super::{recid, sanitize};
use crate::model::Labels;

/// The stream label every warroom record carries (`app="warroom"`).
pub const APP_LABEL: &str = "warroom";
/// Longest line taken from the stream (and pushed): a note of a few
/// screens is far below; a megabyte line from a stranger is skipped.
pub const MAX_SHARED_LINE: usize = 64 * 1024;
/// The marker's file name in the incident's directory.
pub const MARKER_FILE: &str = "share.json";
/// The lock taken by the one process of this host that pushes an incident.
pub const LOCK_FILE: &str = "share.lock";
/// Refused records kept in the marker (the oldest are dropped beyond it).
const MAX_REFUSED: usize = 100;

/// The stream labels of incident `id`.
pub fn stream_labels(id: &str) -> Labels {
    [("app", APP_LABEL), ("incident", id)].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The LogQL selector of incident `id`'s stream. An incident id
/// ([`super::id::is_valid`]: letters, digits, `-`) needs no escaping.
pub fn selector(id: &str) -> String {
    format!(r#"{{app="{APP_LABEL}", incident="{id}"}}"#)
}

/// The selector of every incident's stream (discovery), with a line filter
/// keeping the records that say what an incident is: declared, status and
/// commander changes. Notes are not read to list incidents.
pub fn discovery_query() -> String {
    format!(r#"{{app="{APP_LABEL}"}} |~ "\"kind\":\"(declared|status|commander)\"""#)
}

/// The selector of every incident's heartbeats (who is in which room).
pub fn presence_query() -> String {
    format!(r#"{{app="{APP_LABEL}"}} |= "\"presence\":\"here\"""#)
}

/// The line pushed for `rec` (a record as the journal wrote it).
pub fn encode(rec: &Record) -> Result<String, serde_json::Error> {
    serde_json::to_string(rec)
}

/// Why a line of the stream is not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Foreign {
    #[error("longer than {MAX_SHARED_LINE} bytes")]
    TooLong,
    #[error("not a warroom record")]
    NotRecord,
    #[error("format version not v{FORMAT_VERSION}")]
    Version,
    #[error("malformed record id")]
    BadId,
    #[error("record id of another host")]
    WrongHost,
}

/// A line of the stream as a record, cleaned as the journal cleans what it
/// writes, or why it is not one. `None` text (Loki's line was over the raw
/// reader's cap) is [`Foreign::TooLong`].
pub fn decode(line: Option<&str>) -> Result<Record, Foreign> {
    let line = line.ok_or(Foreign::TooLong)?;
    if line.len() > MAX_SHARED_LINE {
        return Err(Foreign::TooLong);
    }
    let rec: Record = serde_json::from_str(line).map_err(|_| Foreign::NotRecord)?;
    if rec.v != FORMAT_VERSION {
        return Err(Foreign::Version);
    }
    if !recid::is_valid(&rec.id) || rec.id.starts_with("v1-") {
        return Err(Foreign::BadId);
    }
    if rec.id.rsplit_once('@').map(|(_, host)| host) != Some(rec.host.as_str()) {
        return Err(Foreign::WrongHost);
    }
    Ok(sanitize::record(&rec))
}

/// A heartbeat: "`author` on `host` is in the room", pushed every minute
/// by each console on the incident's stream (not a record: never in the
/// journal). Who is in lapses a few minutes after the last one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// Always `"here"` (a field no record has, so the two never mix up).
    pub presence: String,
    pub v: u32,
    pub author: String,
    pub host: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Presence {
    pub fn here(author: &str, host: &str, at: chrono::DateTime<chrono::Utc>) -> Self {
        Presence { presence: "here".into(), v: FORMAT_VERSION, author: author.into(), host: host.into(), at }
    }
}

/// A line of the incident's stream: a record, or a heartbeat.
#[derive(Debug, Clone, PartialEq)]
pub enum Shared {
    Record(Record),
    Presence(Presence),
}

/// [`decode`], heartbeats included: a heartbeat's author and host are
/// cleaned, and capped, like every remote string.
pub fn decode_line(line: Option<&str>) -> Result<Shared, Foreign> {
    match decode(line) {
        Ok(rec) => Ok(Shared::Record(rec)),
        Err(Foreign::NotRecord) => {
            let p: Presence = serde_json::from_str(line.unwrap_or_default()).map_err(|_| Foreign::NotRecord)?;
            if p.presence != "here" || p.v != FORMAT_VERSION {
                return Err(Foreign::NotRecord);
            }
            let author = crate::text::truncate_width(&sanitize::line(&p.author), 32);
            if author.is_empty() {
                return Err(Foreign::NotRecord);
            }
            Ok(Shared::Presence(Presence { author, host: recid::host_part(&p.host), ..p }))
        }
        Err(e) => Err(e),
    }
}

/// A record Loki refused for its content (a 400): never sent again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub id: String,
    pub message: String,
}

/// The outbox's marker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marker {
    /// Journal records handled, in the journal's order: pushed, refused, or
    /// another host's.
    pub records: usize,
    /// The newest Loki timestamp pushed (entries are stamped after it, so a
    /// stream's timestamps only grow).
    #[serde(default)]
    pub last_ns: i64,
    #[serde(default)]
    pub refused: Vec<Refused>,
}

impl Marker {
    pub fn path(incident_dir: &Path) -> PathBuf {
        incident_dir.join(MARKER_FILE)
    }

    /// The marker of the incident in `incident_dir` (an absent or damaged
    /// one is the start: everything is pushed again, which is harmless).
    pub fn load(incident_dir: &Path) -> Marker {
        match fs::read_to_string(Marker::path(incident_dir)) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "share marker unreadable: pushing the journal again");
                Marker::default()
            }),
            Err(_) => Marker::default(),
        }
    }

    /// Writes the marker atomically (fsync'd).
    pub fn save(&self, incident_dir: &Path) -> io::Result<()> {
        let text = serde_json::to_string(self).map_err(io::Error::other)?;
        super::atomic::write_atomic(&Marker::path(incident_dir), &text)
    }

    pub fn refuse(&mut self, id: String, message: String) {
        self.refused.push(Refused { id, message });
        if self.refused.len() > MAX_REFUSED {
            self.refused.remove(0);
        }
    }
}

/// The pusher's lock on an incident: one process per host pushes it (two
/// consoles on one journal would push each record twice). Released when
/// dropped.
#[derive(Debug)]
pub struct PushLock(File);

impl PushLock {
    /// `Ok(None)` when another process holds it.
    pub fn try_take(incident_dir: &Path) -> io::Result<Option<PushLock>> {
        let file = OpenOptions::new().create(true).truncate(false).write(true).open(incident_dir.join(LOCK_FILE))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(PushLock(file))),
            Err(fs::TryLockError::WouldBlock) => Ok(None),
            Err(fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

impl Drop for PushLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::Event;
    use chrono::{DateTime, Utc};

    fn note(text: &str) -> Record {
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").expect("time").with_timezone(&Utc);
        Record::new(at, "bob", Event::Note { id: String::new(), text: text.into() })
            .with_id("01JDX3ZC8Q4M5T0V6B7N8P9R2S@laptop", "laptop")
    }

    #[test]
    fn a_record_round_trips_through_its_line() {
        let rec = note("pool exhausted");
        let line = encode(&rec).expect("encodes");
        assert_eq!(decode(Some(&line)), Ok(rec));
        assert_eq!(selector("2026-11-22-db-down"), r#"{app="warroom", incident="2026-11-22-db-down"}"#);
        assert_eq!(stream_labels("x").len(), 2, "two fixed labels, nothing per author or kind");
    }

    #[test]
    fn lines_that_are_not_records_are_named() {
        let rec = note("x");
        let line = encode(&rec).expect("encodes");
        assert_eq!(decode(None), Err(Foreign::TooLong));
        assert_eq!(decode(Some(&"x".repeat(MAX_SHARED_LINE + 1))), Err(Foreign::TooLong));
        assert_eq!(decode(Some("level=info msg=hello")), Err(Foreign::NotRecord));
        assert_eq!(decode(Some(&line.replace("\"v\":2", "\"v\":3"))), Err(Foreign::Version));
        assert_eq!(decode(Some(&line.replace("01JDX3ZC8Q4M5T0V6B7N8P9R2S@", "nope@"))), Err(Foreign::BadId));
        assert_eq!(decode(Some(&line.replace("\"host\":\"laptop\"", "\"host\":\"bastion\""))), Err(Foreign::WrongHost));
        let v1 = line.replace("01JDX3ZC8Q4M5T0V6B7N8P9R2S@laptop", "v1-0000001-00");
        assert_eq!(decode(Some(&v1)), Err(Foreign::BadId), "legacy ids are given on read, never sent");
    }

    #[test]
    fn received_text_is_cleaned_before_anything_keeps_it() {
        let rec = note("ok\u{1b}]52;c;cm0gLXJmIC8=\u{7}\u{1b}[2J done");
        let got = decode(Some(&encode(&rec).expect("encodes"))).expect("a record");
        let Event::Note { text, .. } = &got.event else { panic!("a note") };
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{text:?}");
    }

    #[test]
    fn heartbeats_are_told_from_records_and_cleaned() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").expect("time").with_timezone(&Utc);
        let line = serde_json::to_string(&Presence::here("bob\u{1b}[31m", "Bob's Laptop", at)).expect("json");
        let Ok(Shared::Presence(p)) = decode_line(Some(&line)) else { panic!("a heartbeat: {line}") };
        assert_eq!((p.author.as_str(), p.host.as_str()), ("bob", "bobslaptop"));
        let rec = encode(&note("x")).expect("encodes");
        assert!(matches!(decode_line(Some(&rec)), Ok(Shared::Record(_))));
        assert_eq!(decode_line(Some(&line.replace("here", "gone"))), Err(Foreign::NotRecord));
        assert_eq!(decode_line(Some("{}")), Err(Foreign::NotRecord));
    }

    #[test]
    fn the_marker_survives_a_restart_and_a_damaged_one_starts_over() {
        let dir = tempfile::tempdir().expect("tmp");
        assert_eq!(Marker::load(dir.path()), Marker::default());
        let mut m = Marker { records: 7, last_ns: 42, refused: Vec::new() };
        m.refuse("a@h".into(), "line too long".into());
        m.save(dir.path()).expect("saved");
        assert_eq!(Marker::load(dir.path()), m);
        fs::write(Marker::path(dir.path()), "{not json").expect("write");
        assert_eq!(Marker::load(dir.path()), Marker::default());
    }

    #[test]
    fn one_process_of_a_host_pushes() {
        let dir = tempfile::tempdir().expect("tmp");
        let first = PushLock::try_take(dir.path()).expect("lock").expect("free");
        assert!(PushLock::try_take(dir.path()).expect("lock").is_none(), "held");
        drop(first);
        assert!(PushLock::try_take(dir.path()).expect("lock").is_some(), "released");
    }
}
