//! The journal folded into what people read: the current title, status and
//! commander, each note with all its versions, the alerts involved, and one
//! entry per event in time order. Pure; shared by the timeline pane and the
//! post-mortem so both tell the same story.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use super::milestones::Milestones;
use super::record::{Event, NoteTag, Record, Status};

/// What a timeline entry is about, for filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    /// Declared, status and commander changes.
    Incident,
    Note,
    Alert,
    Silence,
    Runbook,
    /// Pinned graphs and log lines.
    Pinned,
}

impl EntryKind {
    pub const ALL: [EntryKind; 6] = [
        EntryKind::Incident,
        EntryKind::Note,
        EntryKind::Alert,
        EntryKind::Silence,
        EntryKind::Runbook,
        EntryKind::Pinned,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Incident => "incident",
            EntryKind::Note => "note",
            EntryKind::Alert => "alert",
            EntryKind::Silence => "silence",
            EntryKind::Runbook => "runbook",
            EntryKind::Pinned => "pinned",
        }
    }

    pub fn of(event: &Event) -> EntryKind {
        match event {
            Event::Declared { .. } | Event::Status { .. } | Event::Commander { .. } | Event::Joined | Event::Left => {
                EntryKind::Incident
            }
            Event::Note { .. } | Event::NoteEdited { .. } | Event::NoteStruck { .. } => EntryKind::Note,
            Event::AlertFired { .. }
            | Event::AlertResolved { .. }
            | Event::AlertSilenced { .. }
            | Event::AlertHistory { .. } => EntryKind::Alert,
            Event::SilenceCreated { .. } | Event::SilenceExpired { .. } => EntryKind::Silence,
            Event::RunbookOpened { .. } | Event::RunbookStep { .. } => EntryKind::Runbook,
            Event::PinnedGraph { .. } | Event::PinnedLog { .. } => EntryKind::Pinned,
        }
    }
}

/// One version of a note's text.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteVersion {
    pub at: DateTime<Utc>,
    pub author: String,
    pub text: String,
}

/// A note with its history: the first version is what was written, the last
/// is what it says now. Struck notes keep their text.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: String,
    pub versions: Vec<NoteVersion>,
    pub struck: Option<(DateTime<Utc>, String)>,
}

impl Note {
    pub fn created(&self) -> &NoteVersion {
        &self.versions[0]
    }

    pub fn current(&self) -> &NoteVersion {
        &self.versions[self.versions.len() - 1]
    }

    pub fn is_edited(&self) -> bool {
        self.versions.len() > 1
    }

    /// The tag of the current version and the text after it.
    pub fn tagged(&self) -> (Option<NoteTag>, &str) {
        NoteTag::parse(&self.current().text)
    }
}

/// An alert seen during the incident (first firing, last resolution).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertInfo {
    pub fingerprint: String,
    pub alertname: String,
    pub severity: String,
    pub summary: String,
    pub runbook_url: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub started: DateTime<Utc>,
    pub ended: Option<DateTime<Utc>>,
    pub silences: Vec<String>,
}

/// A row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub author: String,
    pub kind: EntryKind,
    /// Index of the record it comes from in the slice given to [`Timeline::build`].
    pub record: usize,
    /// The note this entry creates, edits or strikes.
    pub note_id: Option<String>,
}

/// The folded journal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub title: String,
    pub severity: String,
    pub commander: String,
    pub declared: Option<(DateTime<Utc>, String)>,
    pub status: Option<Status>,
    /// Every status change in journal order: (at, status, author).
    pub status_changes: Vec<(DateTime<Utc>, Status, String)>,
    /// Entries sorted by time (stable: journal order among equal times).
    pub entries: Vec<Entry>,
    pub notes: BTreeMap<String, Note>,
    /// In order of first firing.
    pub alerts: Vec<AlertInfo>,
    /// Whether each author who joined or left a shared incident's room is
    /// in it, by their latest such record (and when that was).
    pub room: BTreeMap<String, (DateTime<Utc>, bool)>,
}

impl Timeline {
    /// Folds records in journal order. Events captured twice (two warroom
    /// processes watching the same Alertmanager) are kept once: by what
    /// they describe ([`Record::identity`]), and a resolution of an alert
    /// that is not firing (older journals, without the `startsAt` it ends)
    /// is a repeat too.
    pub fn build(records: &[Record]) -> Timeline {
        let mut t = Timeline::default();
        let mut seen = HashSet::new();
        for (i, rec) in records.iter().enumerate() {
            if let Some(id) = rec.identity()
                && !seen.insert(id)
            {
                continue;
            }
            if let Event::AlertResolved { fingerprint, .. } = &rec.event
                && t.alerts.iter().any(|a| &a.fingerprint == fingerprint && a.ended.is_some())
            {
                continue;
            }
            t.apply(i, rec);
        }
        t.entries.sort_by_key(|e| e.at);
        t
    }

    fn apply(&mut self, index: usize, rec: &Record) {
        let mut note_id = None;
        match &rec.event {
            // Read by the post-mortem from the records; no row of its own.
            Event::AlertHistory { .. } => return,
            Event::Declared { title, severity, commander } => {
                self.title = title.clone();
                self.severity = severity.clone();
                self.commander = commander.clone();
                self.declared.get_or_insert((rec.at, rec.author.clone()));
                self.status.get_or_insert(Status::Investigating);
            }
            Event::Status { status } => {
                self.status = Some(*status);
                self.status_changes.push((rec.at, *status, rec.author.clone()));
            }
            Event::Commander { name } => self.commander = name.clone(),
            Event::Joined | Event::Left => {
                let inside = matches!(rec.event, Event::Joined);
                let e = self.room.entry(rec.author.clone()).or_insert((rec.at, inside));
                if rec.at >= e.0 {
                    *e = (rec.at, inside);
                }
            }
            Event::Note { id, text } => {
                note_id = Some(id.clone());
                self.notes.entry(id.clone()).or_insert_with(|| Note {
                    id: id.clone(),
                    versions: vec![version(rec, text)],
                    struck: None,
                });
            }
            Event::NoteEdited { id, text } => {
                note_id = Some(id.clone());
                if let Some(note) = self.notes.get_mut(id) {
                    note.versions.push(version(rec, text));
                }
            }
            Event::NoteStruck { id } => {
                note_id = Some(id.clone());
                if let Some(note) = self.notes.get_mut(id) {
                    note.struck.get_or_insert((rec.at, rec.author.clone()));
                }
            }
            ev => self.apply_alert(rec.at, ev),
        }
        self.entries.push(Entry {
            at: rec.at,
            author: rec.author.clone(),
            kind: EntryKind::of(&rec.event),
            record: index,
            note_id,
        });
    }

    fn apply_alert(&mut self, at: DateTime<Utc>, ev: &Event) {
        match ev {
            Event::AlertFired { fingerprint, alertname, severity, labels, summary, runbook_url } => {
                match self.alert_mut(fingerprint) {
                    // Fired again after resolving: same alert, open again.
                    Some(a) => a.ended = None,
                    None => self.alerts.push(AlertInfo {
                        fingerprint: fingerprint.clone(),
                        alertname: alertname.clone(),
                        severity: severity.clone(),
                        summary: summary.clone(),
                        runbook_url: runbook_url.clone(),
                        labels: labels.clone(),
                        started: at,
                        ended: None,
                        silences: Vec::new(),
                    }),
                }
            }
            Event::AlertResolved { fingerprint, .. } => {
                if let Some(a) = self.alert_mut(fingerprint) {
                    a.ended = Some(at);
                }
            }
            Event::AlertSilenced { fingerprint, silence_id, .. } => {
                if let Some(a) = self.alert_mut(fingerprint)
                    && !a.silences.contains(silence_id)
                {
                    a.silences.push(silence_id.clone());
                }
            }
            _ => {}
        }
    }

    fn alert_mut(&mut self, fingerprint: &str) -> Option<&mut AlertInfo> {
        self.alerts.iter_mut().find(|a| a.fingerprint == fingerprint)
    }

    /// Live notes (not struck) with a given tag, in creation order.
    pub fn tagged_notes(&self, tag: NoteTag) -> Vec<&Note> {
        let mut notes: Vec<&Note> =
            self.notes.values().filter(|n| n.struck.is_none() && n.tagged().0 == Some(tag)).collect();
        notes.sort_by_key(|n| n.created().at);
        notes
    }

    /// The milestones the durations are computed from.
    pub fn milestones(&self) -> Milestones {
        let first_alert = self.alerts.iter().map(|a| a.started).min();
        let declared = self.declared.as_ref().map(|d| d.0);
        let mitigated = self
            .status_changes
            .iter()
            .filter(|(_, s, _)| matches!(s, Status::Mitigated | Status::Resolved))
            .map(|(at, _, _)| *at)
            .min();
        // Resolved counts only if it still is: a reopened incident is not.
        let resolved = match self.status {
            Some(Status::Resolved) => {
                self.status_changes.iter().rev().find(|(_, s, _)| *s == Status::Resolved).map(|(at, _, _)| *at)
            }
            _ => None,
        };
        Milestones { first_alert, declared, mitigated, resolved }
    }
}

fn version(rec: &Record, text: &str) -> NoteVersion {
    NoteVersion { at: rec.at, author: rec.author.clone(), text: text.to_string() }
}
