//! One line of the incident journal: who, when, what.
//!
//! Every record carries a format version so a newer warroom can change the
//! shape without an older one misreading it. Times are those the sources give
//! (an alert's `startsAt`, a silence's `endsAt`), not when warroom noticed.
//!
//! Format v2 (this build) adds to every record a globally unique `id`
//! (the journal's `recid`) and its origin: the `author` (already in v1) and the
//! `host` that wrote it. A note's id is the id of the record that created
//! it, so edits and strike-outs name a record, never a position. v1 lines
//! still read: the reader gives each a stable id from its line number and
//! bytes (`v1-…`) and no host.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;

/// A journal line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Format version ([`FORMAT_VERSION`] when written by this build).
    pub v: u32,
    /// Globally unique (the journal's `recid`). Empty until the journal writes
    /// the record (it assigns one); never empty in a record read back.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// When it happened, as the source says.
    pub at: DateTime<Utc>,
    /// Who wrote it (`$USER` of the warroom process that captured it).
    pub author: String,
    /// The host of the warroom that wrote it (empty in v1 lines, and until
    /// the journal writes the record).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    pub event: Event,
}

impl Record {
    /// A record in the current format, without an id yet (the journal
    /// gives it one, and its host, when it writes it).
    pub fn new(at: DateTime<Utc>, author: impl Into<String>, event: Event) -> Self {
        Self { v: FORMAT_VERSION, id: String::new(), at, author: author.into(), host: String::new(), event }
    }

    /// The same record with `id` and `host` set (a note created by it gets
    /// the same id).
    pub fn with_id(mut self, id: impl Into<String>, host: impl Into<String>) -> Self {
        self.id = id.into();
        self.host = host.into();
        if let Event::Note { id: note, .. } = &mut self.event
            && note.is_empty()
        {
            note.clone_from(&self.id);
        }
        self
    }
}

/// Incident lifecycle: investigating → mitigated → resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Investigating,
    Mitigated,
    Resolved,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Investigating, Status::Mitigated, Status::Resolved];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The word was not one of the three statuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown status {0:?} (investigating, mitigated or resolved)")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    /// Accepts the full word or any unambiguous prefix (`mit`, `res`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let word = s.trim().to_ascii_lowercase();
        Status::ALL
            .into_iter()
            .find(|st| !word.is_empty() && st.as_str().starts_with(&word))
            .ok_or(UnknownStatus(s.to_string()))
    }
}

/// What happened. Serialized with a `kind` tag so unknown kinds from a newer
/// build fail to parse as a unit (and are skipped with a warning).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Declared {
        title: String,
        severity: String,
        commander: String,
    },
    Status {
        status: Status,
    },
    Commander {
        name: String,
    },
    /// `id` is the note's: in v2 the id of this record (empty until the
    /// journal assigns it), in v1 a per-process counter (`session.N`).
    Note {
        id: String,
        text: String,
    },
    /// `id` names the note edited (the record that created it).
    NoteEdited {
        id: String,
        text: String,
    },
    /// `id` names the note struck out.
    NoteStruck {
        id: String,
    },
    /// `at` is the alert's `startsAt`.
    AlertFired {
        fingerprint: String,
        alertname: String,
        severity: String,
        labels: BTreeMap<String, String>,
        summary: String,
        runbook_url: Option<String>,
    },
    /// `at` is the alert's `endsAt` (or when it left the board).
    /// `starts_at` names the firing it ends: with the fingerprint, what two
    /// consoles agree on (their `at` differ by their poll times). Absent in
    /// journals written before it was added.
    AlertResolved {
        fingerprint: String,
        alertname: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts_at: Option<DateTime<Utc>>,
    },
    AlertSilenced {
        fingerprint: String,
        alertname: String,
        silence_id: String,
    },
    /// `at` is the silence's `startsAt`.
    SilenceCreated {
        id: String,
        matchers: Vec<String>,
        comment: String,
        ends_at: DateTime<Utc>,
        created_by: String,
    },
    /// `at` is the silence's `endsAt`.
    SilenceExpired {
        id: String,
    },
    RunbookOpened {
        runbook: String,
    },
    RunbookStep {
        runbook: String,
        step: usize,
        text: String,
        done: bool,
        /// What the step's live blocks showed when it was ticked
        /// ("service=api 7.30%"); absent in older journals.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        values: Vec<String>,
    },
    /// A graph pinned as a text sparkline. `min`/`max` are `None` when the
    /// series had no finite sample (JSON cannot hold NaN).
    PinnedGraph {
        title: String,
        query: String,
        sparkline: String,
        min: Option<f64>,
        max: Option<f64>,
        unit: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// `at` is the log line's own timestamp (`ts`).
    PinnedLog {
        ts: DateTime<Utc>,
        labels: BTreeMap<String, String>,
        line: String,
    },
    /// The author came into a shared incident's room (joined it, or came
    /// back after leaving).
    Joined,
    /// The author quit warroom while in the shared incident's room.
    Left,
    /// The previous firings of an alert of the incident, from Prometheus'
    /// own `ALERTS` series over `window_secs` before its firing that
    /// started at `starts_at`: oldest first, the newest
    /// [`MAX_FIRINGS`] of them (`omitted` older ones left out). `at` is
    /// when they were read. Not a timeline entry: the post-mortem's
    /// supporting information lists them.
    AlertHistory {
        fingerprint: String,
        alertname: String,
        starts_at: DateTime<Utc>,
        window_secs: u64,
        previous: Vec<super::history::Firing>,
        #[serde(default, skip_serializing_if = "is_zero")]
        omitted: usize,
    },
}

/// Previous firings an [`Event::AlertHistory`] holds at most.
pub const MAX_FIRINGS: usize = 50;

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Event {
    /// The `kind` tag, as written in the journal.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Event::Declared { .. } => "declared",
            Event::Status { .. } => "status",
            Event::Commander { .. } => "commander",
            Event::Note { .. } => "note",
            Event::NoteEdited { .. } => "note_edited",
            Event::NoteStruck { .. } => "note_struck",
            Event::AlertFired { .. } => "alert_fired",
            Event::AlertResolved { .. } => "alert_resolved",
            Event::AlertSilenced { .. } => "alert_silenced",
            Event::SilenceCreated { .. } => "silence_created",
            Event::SilenceExpired { .. } => "silence_expired",
            Event::RunbookOpened { .. } => "runbook_opened",
            Event::RunbookStep { .. } => "runbook_step",
            Event::PinnedGraph { .. } => "pinned_graph",
            Event::PinnedLog { .. } => "pinned_log",
            Event::Joined => "joined",
            Event::Left => "left",
            Event::AlertHistory { .. } => "alert_history",
        }
    }
}

impl Record {
    /// What a captured event describes, the same for every console that
    /// captures it: `alert_fired` by fingerprint and `startsAt`,
    /// `alert_resolved` by fingerprint and the `startsAt` it ends,
    /// `alert_silenced` by fingerprint and silence id, silences by id,
    /// `alert_history` by fingerprint and the `startsAt` it precedes.
    /// `None` for what a person wrote (notes, status, pins…): those are
    /// never duplicates of each other. The journal writer skips a record
    /// whose identity is already in the journal, and the timeline keeps the
    /// first of each, so two consoles on one incident write and show every
    /// captured event once.
    pub fn identity(&self) -> Option<String> {
        let t = |at: &DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        Some(match &self.event {
            Event::AlertFired { fingerprint, .. } => format!("alert_fired/{fingerprint}/{}", t(&self.at)),
            Event::AlertResolved { fingerprint, starts_at: Some(s), .. } => {
                format!("alert_resolved/{fingerprint}/{}", t(s))
            }
            // Older journals: the resolution's own time is all there is.
            Event::AlertResolved { fingerprint, starts_at: None, .. } => {
                format!("alert_resolved/{fingerprint}/at/{}", t(&self.at))
            }
            Event::AlertSilenced { fingerprint, silence_id, .. } => {
                format!("alert_silenced/{fingerprint}/{silence_id}")
            }
            Event::SilenceCreated { id, .. } => format!("silence_created/{id}"),
            Event::SilenceExpired { id } => format!("silence_expired/{id}"),
            Event::AlertHistory { fingerprint, starts_at, .. } => {
                format!("alert_history/{fingerprint}/{}", t(starts_at))
            }
            _ => return None,
        })
    }
}

/// The tag a note gets from its leading word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoteTag {
    Action,
    Decision,
    Impact,
    Cause,
}

impl NoteTag {
    pub const ALL: [NoteTag; 4] = [NoteTag::Action, NoteTag::Decision, NoteTag::Impact, NoteTag::Cause];

    pub fn word(self) -> &'static str {
        match self {
            NoteTag::Action => "!action",
            NoteTag::Decision => "!decision",
            NoteTag::Impact => "!impact",
            NoteTag::Cause => "!cause",
        }
    }

    /// Splits a note into its tag and the text after the tag word. The tag
    /// word is matched case-insensitively and may be followed by `:`.
    pub fn parse(text: &str) -> (Option<NoteTag>, &str) {
        let trimmed = text.trim_start();
        let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let word = trimmed[..end].trim_end_matches(':');
        match NoteTag::ALL.into_iter().find(|t| t.word().eq_ignore_ascii_case(word)) {
            Some(tag) => (Some(tag), trimmed[end..].trim_start()),
            None => (None, text),
        }
    }
}

/// What `i` asks for: the first record of a new incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Declaration {
    pub title: String,
    pub severity: String,
    pub commander: String,
    pub at: DateTime<Utc>,
    pub author: String,
}

/// A line that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// 1-based line number in the journal.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "journal line {}: {}", self.line, self.message)
    }
}

/// Records read, and the lines skipped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOutcome {
    pub records: Vec<Record>,
    pub warnings: Vec<Warning>,
}

impl ReadOutcome {
    pub fn extend(&mut self, other: ReadOutcome) {
        self.records.extend(other.records);
        self.warnings.extend(other.warnings);
    }
}

/// What the draft was going to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftKind {
    NewNote,
    EditNote { id: String },
}

/// A note not yet saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub kind: DraftKind,
    pub text: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_come_from_the_leading_word() {
        assert_eq!(NoteTag::parse("!action @bob add a pool alert"), (Some(NoteTag::Action), "@bob add a pool alert"));
        assert_eq!(NoteTag::parse("  !Cause: pool too small"), (Some(NoteTag::Cause), "pool too small"));
        assert_eq!(NoteTag::parse("!impact"), (Some(NoteTag::Impact), ""));
        assert_eq!(NoteTag::parse("not !action"), (None, "not !action"));
        assert_eq!(NoteTag::parse("!actions"), (None, "!actions"));
        assert_eq!(NoteTag::parse(""), (None, ""));
    }

    #[test]
    fn status_parses_prefixes() {
        assert_eq!("mit".parse(), Ok(Status::Mitigated));
        assert_eq!("Resolved".parse(), Ok(Status::Resolved));
        assert!("".parse::<Status>().is_err());
        assert!("done".parse::<Status>().is_err());
    }

    #[test]
    fn record_line_shape_is_stable() {
        let at =
            DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z").map(|t| t.with_timezone(&Utc)).expect("valid time");
        let rec = Record::new(at, "alice", Event::Status { status: Status::Mitigated });
        let line = serde_json::to_string(&rec).expect("serializes");
        assert_eq!(
            line,
            r#"{"v":2,"at":"2026-11-22T10:00:00Z","author":"alice","event":{"kind":"status","status":"mitigated"}}"#
        );
        assert_eq!(rec.event.kind_name(), "status");
        let rec = rec.with_id("01JDX3ZC8Q4M5T0V6B7N8P9R2S@bastion", "bastion");
        assert_eq!(
            serde_json::to_string(&rec).expect("serializes"),
            r#"{"v":2,"id":"01JDX3ZC8Q4M5T0V6B7N8P9R2S@bastion","at":"2026-11-22T10:00:00Z","author":"alice","host":"bastion","event":{"kind":"status","status":"mitigated"}}"#
        );
    }
}
