//! The incident as the UI holds it: the loaded journal, the timeline filter
//! and selection, and the user's intents turned into records "to write".
//!
//! Pure: nothing here touches the disk. An intent returns a [`Record`] (or a
//! [`Declaration`]) that the runtime appends to the journal; the records come
//! back through [`IncidentState::merge`] after the runtime's next
//! `Journal::read_new`, so what is shown is what is durably on disk.

pub mod note_editor;

pub mod flow;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

pub use crate::incident::intent::{DeclareDraft, IncidentCommand, IntentError, TimeDisplay};
use crate::incident::timeline::{Entry, Note};
use crate::incident::{Declaration, EntryKind, Event, ReadOutcome, Record, Status, Timeline};
use crate::incident::{merge, sanitize};

/// The incident pane's state.
#[derive(Debug, Clone)]
pub struct IncidentState {
    /// Who this warroom writes as (`$USER`).
    user: String,
    id: Option<String>,
    records: Vec<Record>,
    timeline: Timeline,
    hidden: BTreeSet<EntryKind>,
    /// Index into [`IncidentState::visible`].
    selected: Option<usize>,
    pub time: TimeDisplay,
    /// Journal lines skipped on read, to show once.
    pub warnings: Vec<String>,
    /// Captured events the journal could not take yet (a full or read-only
    /// disk): part of the record, so kept here and written again on the
    /// next tick until the journal has them.
    unwritten: Vec<Record>,
    /// Why the last write of a captured event failed.
    pub unwritten_error: Option<String>,
    /// The shared war room, when this incident is shared.
    pub share: Option<ShareView>,
    /// Open shared incidents found in Loki at start (id, title): offered to
    /// `:join` when none is open here.
    pub shared_open: Vec<(String, String)>,
    /// The note editor or declaration form, when open.
    pub editor: Option<note_editor::NoteEditor>,
    /// The note draft last handed to the runtime to keep on disk (`None`:
    /// none kept), so it is written only when it changed.
    pub draft_saved: Option<crate::model::record::Draft>,
}

/// The shared incident as the status bar shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShareView {
    pub push: crate::model::SharePush,
    /// Lines of the stream that were not records, since the start.
    pub foreign: usize,
    pub receive_error: Option<String>,
    pub polling: Option<String>,
    /// The last heartbeat of each (author, host), by the sender's clock.
    pub present: std::collections::BTreeMap<(String, String), DateTime<Utc>>,
    /// Authors whose every console has been silent for [`PRESENCE_LAPSE`].
    pub away: BTreeSet<String>,
}

/// A teammate whose console has not said it is in the room for this long
/// is shown away (heartbeats come every minute).
pub const PRESENCE_LAPSE: chrono::TimeDelta = chrono::TimeDelta::minutes(3);

impl ShareView {
    /// Recomputes who is away at `now`; whether that changed.
    pub fn update_away(&mut self, now: DateTime<Utc>, user: &str) -> bool {
        let mut last: std::collections::BTreeMap<&str, DateTime<Utc>> = std::collections::BTreeMap::new();
        for ((author, _), at) in &self.present {
            let e = last.entry(author.as_str()).or_insert(*at);
            *e = (*e).max(*at);
        }
        let away: BTreeSet<String> = last
            .into_iter()
            .filter(|(author, at)| *author != user && now - *at > PRESENCE_LAPSE)
            .map(|(a, _)| a.to_string())
            .collect();
        let changed = away != self.away;
        self.away = away;
        changed
    }

    /// `shared ✓`, `3 unsent`, `share: 401 unauthorized · 3 unsent`, with
    /// what was refused and ignored after it.
    pub fn summary(&self) -> (String, bool) {
        let p = &self.push;
        let mut parts = Vec::new();
        let mut bad = false;
        if let Some(e) = &p.error {
            parts.push(format!("share: {e}"));
            bad = true;
        }
        if p.unsent > 0 {
            parts.push(format!("{} unsent", p.unsent));
        }
        if let Some(e) = &self.receive_error {
            parts.push(format!("share read: {e}"));
            bad = true;
        }
        if parts.is_empty() {
            parts.push(if p.elsewhere {
                "shared ✓ (pushed by another warroom here)".into()
            } else {
                "shared ✓".into()
            });
        }
        if p.refused > 0 {
            parts.push(format!("{} refused by Loki", p.refused));
            bad = true;
        }
        if self.foreign > 0 {
            let s = if self.foreign == 1 { "" } else { "s" };
            parts.push(format!("{} foreign line{s} ignored", self.foreign));
        }
        if self.polling.is_some() {
            parts.push("polling".into());
        }
        (parts.join(" · "), bad)
    }
}

impl IncidentState {
    pub fn new(user: impl Into<String>) -> Self {
        IncidentState {
            user: user.into(),
            id: None,
            records: Vec::new(),
            timeline: Timeline::default(),
            hidden: BTreeSet::new(),
            selected: None,
            time: TimeDisplay::Utc,
            warnings: Vec::new(),
            unwritten: Vec::new(),
            unwritten_error: None,
            share: None,
            editor: None,
            draft_saved: None,
            shared_open: Vec::new(),
        }
    }

    /// Who is in the room: the commander, then everyone who wrote a
    /// record by hand (a note, a status, a tick…), in order of arrival.
    pub fn people(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let commander = self.timeline.commander.clone();
        if !commander.is_empty() {
            out.push(commander);
        }
        for r in &self.records {
            if r.identity().is_none() && !r.author.is_empty() && !out.contains(&r.author) {
                out.push(r.author.clone());
            }
        }
        // Teammates in the room who have not written anything yet.
        for (author, _) in self.share.iter().flat_map(|s| s.present.keys()) {
            if !out.contains(author) {
                out.push(author.clone());
            }
        }
        // Who left and has not been heard of since (a heartbeat after the
        // leave is a console still, or again, in the room).
        out.retain(|author| match self.timeline.room.get(author) {
            Some((at, false)) => {
                self.share.as_ref().is_some_and(|s| s.present.iter().any(|((a, _), seen)| a == author && seen > at))
            }
            _ => true,
        });
        out
    }

    /// Whether this user is in the shared room by the records: they
    /// declared it, wrote in it, or joined it, and did not leave since.
    pub fn in_room(&self) -> bool {
        match self.timeline.room.get(&self.user) {
            Some((_, inside)) => *inside,
            None => self.records.iter().any(|r| r.author == self.user && r.identity().is_none()),
        }
    }

    /// The record that says this user came into the room, when the
    /// records do not say so already.
    pub fn join_record(&self, now: DateTime<Utc>) -> Option<Record> {
        (!self.in_room()).then(|| self.record(now, Event::Joined).ok()).flatten()
    }

    /// The record that says this user left the room, when they are in it
    /// and the incident is shared.
    pub fn leave_record(&self, now: DateTime<Utc>) -> Option<Record> {
        (self.share.is_some() && self.in_room()).then(|| self.record(now, Event::Left).ok()).flatten()
    }

    /// Switches to incident `id`, whose journal so far is `read`.
    pub fn load(&mut self, id: impl Into<String>, read: ReadOutcome) {
        let id = id.into();
        if self.id.as_deref() != Some(&id) {
            self.unwritten.clear();
            self.unwritten_error = None;
        }
        self.id = Some(id);
        self.records.clear();
        self.selected = None;
        self.merge(read);
    }

    /// Adds records read since the last refresh (anyone's, from any
    /// journal): a union by record id in (time, id) order, so a record seen
    /// twice shows once. The selection stays on its entry, or follows the
    /// tail when it was on the last one.
    pub fn merge(&mut self, read: ReadOutcome) {
        self.warnings.extend(read.warnings.iter().map(ToString::to_string));
        if read.records.is_empty() {
            return;
        }
        let at_end = self.selected.is_none_or(|s| s + 1 >= self.visible().len());
        let keep = self.selected_entry().map(|e| self.records[e.record].id.clone());
        merge::merge_into(&mut self.records, read.records);
        self.timeline = Timeline::build(&self.records);
        let visible = self.visible();
        self.selected = if at_end {
            visible.len().checked_sub(1)
        } else {
            keep.and_then(|id| visible.iter().position(|e| self.records[e.record].id == id))
        };
    }

    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Entries shown under the current filter, in time order.
    pub fn visible(&self) -> Vec<&Entry> {
        let hidden = &self.hidden;
        self.timeline.entries.iter().filter(|e| !hidden.contains(&e.kind)).collect()
    }

    pub fn is_shown(&self, kind: EntryKind) -> bool {
        !self.hidden.contains(&kind)
    }

    pub fn toggle_kind(&mut self, kind: EntryKind) {
        if !self.hidden.remove(&kind) {
            self.hidden.insert(kind);
        }
        self.clamp_selection();
    }

    /// `None` shows all kinds; `Some(k)` shows only `k`.
    pub fn filter(&mut self, only: Option<EntryKind>) {
        self.hidden = EntryKind::ALL.into_iter().filter(|k| only.is_some_and(|o| o != *k)).collect();
        self.clamp_selection();
    }

    fn clamp_selection(&mut self) {
        let n = self.visible().len();
        self.selected = match self.selected {
            _ if n == 0 => None,
            Some(s) => Some(s.min(n - 1)),
            None => Some(n - 1),
        };
    }

    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    /// Moves the selection by `delta` entries, clamped to the list.
    pub fn move_selection(&mut self, delta: isize) {
        let n = self.visible().len();
        if n == 0 {
            self.selected = None;
            return;
        }
        let cur = self.selected.unwrap_or(n - 1) as isize;
        self.selected = Some((cur + delta).clamp(0, n as isize - 1) as usize);
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.visible().get(self.selected?).copied()
    }

    /// Selects the entry that created note `id` (showing notes if they were
    /// filtered out); false when there is no such note.
    pub fn select_note(&mut self, id: &str) -> bool {
        if !self.timeline.notes.contains_key(id) {
            return false;
        }
        self.hidden.remove(&EntryKind::Note);
        let at = self.visible().iter().position(|e| e.note_id.as_deref() == Some(id));
        if at.is_some() {
            self.selected = at;
        }
        at.is_some()
    }

    /// The note the selected entry creates, edits or strikes.
    pub fn selected_note(&self) -> Option<&Note> {
        let id = self.selected_entry()?.note_id.as_ref()?;
        self.timeline.notes.get(id)
    }

    fn record(&self, at: DateTime<Utc>, event: Event) -> Result<Record, IntentError> {
        if self.id.is_none() {
            return Err(IntentError::NoIncident);
        }
        Ok(Record::new(at, self.user.clone(), event))
    }

    /// `i`: the first record of a new incident, for `Journal::create`.
    pub fn declare(&self, draft: &DeclareDraft, now: DateTime<Utc>) -> Declaration {
        let commander = match draft.commander.trim() {
            "" => self.user.clone(),
            c => c.to_string(),
        };
        Declaration {
            title: draft.title.clone(),
            severity: draft.severity.clone(),
            commander,
            at: now,
            author: self.user.clone(),
        }
    }

    /// `n` then save: a new note. Its id is the id the journal gives the
    /// record (globally unique), so it is empty here.
    pub fn new_note(&mut self, text: &str, now: DateTime<Utc>) -> Result<Record, IntentError> {
        if text.trim().is_empty() {
            return Err(IntentError::Empty);
        }
        self.record(now, Event::Note { id: String::new(), text: text.to_string() })
    }

    /// Replaces the selected note's text; the old version stays in history.
    pub fn edit_selected(&self, text: &str, now: DateTime<Utc>) -> Result<Record, IntentError> {
        let note = self.selected_note().ok_or(IntentError::NotANote)?;
        if note.struck.is_some() {
            return Err(IntentError::Struck);
        }
        if text.trim().is_empty() {
            return Err(IntentError::Empty);
        }
        if note.current().text == text {
            return Err(IntentError::Unchanged);
        }
        let event = Event::NoteEdited { id: note.id.clone(), text: text.to_string() };
        self.record(now, event)
    }

    /// Strikes the selected note out; its text stays in the history.
    pub fn strike_selected(&self, now: DateTime<Utc>) -> Result<Record, IntentError> {
        let note = self.selected_note().ok_or(IntentError::NotANote)?;
        if note.struck.is_some() {
            return Err(IntentError::Struck);
        }
        self.record(now, Event::NoteStruck { id: note.id.clone() })
    }

    pub fn set_status(&self, status: Status, now: DateTime<Utc>) -> Result<Record, IntentError> {
        if self.timeline.status == Some(status) {
            return Err(IntentError::Unchanged);
        }
        self.record(now, Event::Status { status })
    }

    /// The status key: investigating → mitigated → resolved.
    pub fn advance_status(&self, now: DateTime<Utc>) -> Result<Record, IntentError> {
        let next = match self.timeline.status {
            None | Some(Status::Investigating) => Status::Mitigated,
            Some(Status::Mitigated) | Some(Status::Resolved) => Status::Resolved,
        };
        self.set_status(next, now)
    }

    pub fn set_commander(&self, name: &str, now: DateTime<Utc>) -> Result<Record, IntentError> {
        let name = name.trim();
        if name.is_empty() || name == self.timeline.commander {
            return Err(IntentError::Unchanged);
        }
        self.record(now, Event::Commander { name: name.to_string() })
    }

    /// Runs a `:` command: status and commander produce a record to write.
    pub fn command(&mut self, cmd: IncidentCommand, now: DateTime<Utc>) -> Result<Option<Record>, IntentError> {
        match cmd {
            IncidentCommand::Status(s) => self.set_status(s, now).map(Some),
            IncidentCommand::Commander(c) => self.set_commander(&c, now).map(Some),
            IncidentCommand::Filter(k) => {
                self.filter(k);
                Ok(None)
            }
            IncidentCommand::Time(t) => {
                self.time = t;
                Ok(None)
            }
            // Not records: the flow turns them into commands.
            IncidentCommand::Handoff | IncidentCommand::Join(_) => Ok(None),
        }
    }

    /// An automatic capture (alert fired, silence created, runbook step…)
    /// at the source's time. `None` without an incident, or when the event
    /// is already in the journal or waiting to be written (every poll sees
    /// a firing alert again; another warroom may have captured it first).
    pub fn capture(&self, at: DateTime<Utc>, event: Event) -> Option<Record> {
        let rec = sanitize::record(&self.record(at, event).ok()?);
        let same = |r: &Record| match (r.identity(), rec.identity()) {
            (Some(a), Some(b)) => a == b,
            _ => r.at == rec.at && r.event == rec.event,
        };
        let dup = self.records.iter().chain(&self.unwritten).any(same);
        (!dup).then_some(rec)
    }

    /// A captured event the journal refused (`error`): kept, to be written
    /// again by [`IncidentState::retry_unwritten`].
    pub fn capture_failed(&mut self, rec: Record, error: String) {
        if self.id.is_some() && !self.unwritten.contains(&rec) {
            self.unwritten.push(rec);
        }
        self.unwritten_error = Some(error);
    }

    /// Captured events not yet in the journal.
    pub fn unwritten(&self) -> &[Record] {
        &self.unwritten
    }

    /// Takes the captured events to write again (a failure brings each one
    /// back through [`IncidentState::capture_failed`]). The error stays
    /// shown until they are written.
    pub fn retry_unwritten(&mut self) -> Vec<Record> {
        let out = std::mem::take(&mut self.unwritten);
        if out.is_empty() {
            self.unwritten_error = None;
        }
        out
    }
}
