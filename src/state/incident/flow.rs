//! The incident in the event loop: the note editor and the declaration form,
//! `:` commands for status and commander, alerts captured into the timeline
//! as they fire and resolve, and what the journal answers. Intents become
//! [`Cmd`]s; nothing is shown as saved before the journal says it is.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crossterm::event::KeyEvent;

use crate::incident::Event;
use crate::incident::draft::{Draft, DraftKind};
use crate::model::{Alert, AlertState};
use crate::msg::{Cmd, IncidentMsg};
use crate::state::alerts::BoardAlert;
use crate::state::incident::note_editor::{EditorAction, EditorPurpose, NoteEditor};
use crate::state::incident::{DeclareDraft, IncidentCommand};
use crate::state::{Pane, State};

pub fn is_open(state: &State) -> bool {
    state.incident.id().is_some()
}

/// `i`: the declaration form, prefilled from the selected alert; with an
/// incident open, the timeline instead.
pub fn declare_or_focus(state: &mut State) {
    if is_open(state) {
        state.view.focus = Pane::Timeline;
        return;
    }
    let user = state.incident.user().to_string();
    let draft = match state.alerts.selected() {
        Some(b) => {
            let a = &b.alert;
            DeclareDraft::from_alert(a.name(), a.severity().name(), a.summary().unwrap_or_default(), &user)
        }
        None => DeclareDraft::from_alert("incident", "critical", "", &user),
    };
    state.incident.editor = Some(NoteEditor::new(EditorPurpose::Declare, &draft.to_text()));
}

/// `n`: a new note (the declaration form first when no incident is open).
pub fn new_note(state: &mut State) {
    if !is_open(state) {
        declare_or_focus(state);
        state.flash_info("no incident yet: declare it (Ctrl-S), then n adds notes");
        return;
    }
    state.incident.editor = Some(NoteEditor::new(EditorPurpose::NewNote, ""));
}

/// Edit the note selected in the timeline (both versions stay in history).
pub fn edit_note(state: &mut State) {
    match state.incident.selected_note() {
        Some(note) => {
            let (id, text) = (note.id.clone(), note.current().text.clone());
            state.incident.editor = Some(NoteEditor::new(EditorPurpose::EditNote { id }, &text));
        }
        None => state.flash_error("select a note in the timeline first (Tab to focus it)"),
    }
}

pub fn strike_note(state: &mut State) -> Vec<Cmd> {
    match state.incident.strike_selected(state.clock.now) {
        Ok(record) => vec![Cmd::Append { record, from_editor: false }],
        Err(e) => {
            state.flash_error(e.to_string());
            Vec::new()
        }
    }
}

/// Keys while the editor is open: all go to it.
pub fn on_editor_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let Some(editor) = state.incident.editor.as_mut() else { return Vec::new() };
    match editor.handle(key) {
        EditorAction::None => Vec::new(),
        EditorAction::Cancel => {
            state.incident.editor = None;
            Vec::new()
        }
        EditorAction::Save(text) => save(state, &text),
    }
}

fn save(state: &mut State, text: &str) -> Vec<Cmd> {
    let now = state.clock.now;
    let purpose = state.incident.editor.as_ref().map(|e| e.purpose().clone());
    let result = match purpose {
        Some(EditorPurpose::Declare) => match DeclareDraft::parse(text) {
            Ok(draft) => return vec![Cmd::Declare(state.incident.declare(&draft, now))],
            Err(e) => Err(e),
        },
        Some(EditorPurpose::NewNote) => state.incident.new_note(text, now),
        Some(EditorPurpose::EditNote { .. }) => state.incident.edit_selected(text, now),
        None => return Vec::new(),
    };
    match result {
        Ok(record) => vec![Cmd::Append { record, from_editor: true }],
        Err(e) => {
            if let Some(ed) = state.incident.editor.as_mut() {
                ed.save_failed(e);
            }
            Vec::new()
        }
    }
}

/// `:status mitigated`, `:resolved`, `:commander bob`, `:filter note`,
/// `:time local`. `None` when `line` is not an incident command.
pub fn command(state: &mut State, line: &str) -> Option<Vec<Cmd>> {
    let cmd = IncidentCommand::parse(line, state.clock.local_offset).ok()?;
    let now = state.clock.now;
    match cmd {
        IncidentCommand::Handoff => return Some(handoff(state)),
        IncidentCommand::Join(id) => {
            state.flash_info(format!("joining {id}…"));
            return Some(vec![Cmd::Join(id)]);
        }
        _ => {}
    }
    Some(match state.incident.command(cmd, now) {
        Ok(Some(record)) => vec![Cmd::Append { record, from_editor: false }],
        Ok(None) => Vec::new(),
        Err(e) => {
            state.flash_error(e.to_string());
            Vec::new()
        }
    })
}

/// `:handoff`: the summary written beside the journal and copied to the
/// clipboard (OSC 52), so it can be pasted into the chat channel.
fn handoff(state: &mut State) -> Vec<Cmd> {
    let Some(id) = state.incident.id().map(str::to_string) else {
        state.flash_error("no incident: declare one first");
        return Vec::new();
    };
    let text = crate::incident::handoff::render(
        &id,
        state.incident.records(),
        &state.silences.merged,
        &state.incident.people(),
        state.clock.now,
    );
    vec![Cmd::WriteHandoff(text.clone()), Cmd::Clipboard(text)]
}

/// What the journal answered.
pub fn on_msg(state: &mut State, msg: IncidentMsg) -> Vec<Cmd> {
    state.frame.dirty = true;
    match msg {
        IncidentMsg::Loaded { id, read } => {
            state.incident.load(id.clone(), read);
            state.incident.editor = None;
            state.flash_info(format!("incident {id}"));
            // Alerts already firing belong to it (the journal drops repeats).
            return captures(state, &[], &state.alerts.alerts);
        }
        IncidentMsg::Read(read) => {
            state.incident.merge(read);
            crate::state::runbook::flow::sync_steps(state);
        }
        IncidentMsg::Saved { read, from_editor } => {
            state.incident.merge(read);
            crate::state::runbook::flow::sync_steps(state);
            if from_editor {
                state.incident.editor = None;
                state.flash_info("saved");
            }
        }
        IncidentMsg::Failed { error, from_editor } => {
            match state.incident.editor.as_mut() {
                Some(ed) if from_editor => ed.save_failed(&error),
                _ => state.flash_error(format!("not saved: {error}")),
            }
            tracing::error!(%error, "journal write failed");
        }
        IncidentMsg::CaptureFailed { record, error } => {
            if state.incident.unwritten().is_empty() {
                // Once per outage: the retries every tick say nothing new.
                tracing::error!(%error, "captured event not written; kept and retried");
            }
            state.incident.capture_failed(*record, error);
        }
        IncidentMsg::DraftFound(draft) => restore_draft(state, draft),
        IncidentMsg::SharedOpen(list) => {
            if state.incident.id().is_none() && !list.is_empty() {
                let first = &list[0].0;
                let more = if list.len() > 1 {
                    format!(" (and {} more: Tab completes)", list.len() - 1)
                } else {
                    String::new()
                };
                state.flash_info(format!("open shared incident: :join {first}{more}"));
            }
            state.incident.shared_open = list;
        }
        IncidentMsg::Joined(Ok(id)) => return vec![Cmd::OpenIncident(id)],
        IncidentMsg::Joined(Err(e)) => state.flash_error(format!("join failed: {e}")),
        IncidentMsg::HandoffWritten(Ok(path)) => {
            state.flash_info(format!("handoff copied to the clipboard and written to {}", path.display()))
        }
        IncidentMsg::HandoffWritten(Err(e)) => state.flash_error(format!("handoff copied, not written: {e}")),
        IncidentMsg::Exported(Ok(path)) => state.flash_info(format!("post-mortem draft: {}", path.display())),
        IncidentMsg::Exported(Err(e)) => state.flash_error(format!("export failed: {e}")),
        // The draft's path stays in the message: this flash replaces the
        // export's, often within the same second.
        IncidentMsg::ChartsDrawn(Ok(c)) if c.missing.is_empty() => {
            state.flash_info(format!("post-mortem draft: {} · charts: {} drawn", c.draft.display(), c.drawn));
        }
        IncidentMsg::ChartsDrawn(Ok(c)) => state.flash_error(format!(
            "post-mortem draft: {} · charts: {} drawn, {} not: {}",
            c.draft.display(),
            c.drawn,
            c.missing.len(),
            c.missing[0]
        )),
        IncidentMsg::ChartsDrawn(Err(e)) => state.flash_error(format!("post-mortem charts not drawn: {e}")),
    }
    Vec::new()
}

/// What the shared war room's workers report: the status bar's share
/// state; records received are in the journal, to be read now.
pub fn on_share(state: &mut State, msg: crate::model::ShareMsg) -> Vec<Cmd> {
    use crate::model::ShareMsg;
    let (now, user) = (state.clock.now, state.incident.user().to_string());
    let view = state.incident.share.get_or_insert_with(Default::default);
    let before = view.clone();
    let mut cmds = Vec::new();
    match msg {
        ShareMsg::Started(id) => {
            // A new room: nothing of the one before carries over.
            *view = Default::default();
            if state.incident.id() == Some(id.as_str())
                && let Some(record) = state.incident.join_record(now)
            {
                cmds.push(Cmd::Append { record, from_editor: false });
            }
            state.frame.dirty = true;
            return cmds;
        }
        ShareMsg::Push(p) => view.push = p,
        ShareMsg::Received(r) => {
            for (author, host, at) in r.present {
                let last = view.present.entry((author, host)).or_insert(at);
                *last = (*last).max(at);
            }
            view.foreign += r.foreign;
            view.receive_error = r.error;
            view.polling = r.polling;
            if r.added > 0 {
                cmds.push(Cmd::ReadJournal);
            }
        }
    }
    view.update_away(now, &user);
    if *view != before {
        state.frame.dirty = true;
    }
    cmds
}

/// Each tick: a teammate whose heartbeats stopped is shown away.
pub fn share_tick(state: &mut State) {
    let now = state.clock.now;
    let user = state.incident.user().to_string();
    if let Some(view) = state.incident.share.as_mut()
        && view.update_away(now, &user)
    {
        state.frame.dirty = true;
    }
}

/// The note being typed, as a draft worth keeping: not the declaration
/// form, not an empty note, not an edit that changed nothing.
fn current_draft(state: &State) -> Option<Draft> {
    let ed = state.incident.editor.as_ref()?;
    let text = ed.text();
    if text.trim().is_empty() {
        return None;
    }
    let kind = match ed.purpose() {
        EditorPurpose::NewNote => DraftKind::NewNote,
        EditorPurpose::EditNote { id } => {
            if state.incident.timeline().notes.get(id).is_some_and(|n| n.current().text == text) {
                return None;
            }
            DraftKind::EditNote { id: id.clone() }
        }
        EditorPurpose::Declare => return None,
    };
    Some(Draft { kind, text })
}

/// Every tick (the debounce) and before quitting: the draft on disk
/// follows the editor, written when it changed, removed once the note is
/// saved or discarded.
pub fn keep_draft(state: &mut State) -> Vec<Cmd> {
    if !is_open(state) {
        return Vec::new();
    }
    let now = current_draft(state);
    if now == state.incident.draft_saved {
        return Vec::new();
    }
    state.incident.draft_saved = now.clone();
    vec![Cmd::SaveDraft(now)]
}

/// The draft an earlier run left: back in the editor, as it was.
fn restore_draft(state: &mut State, draft: Draft) {
    if state.incident.editor.is_some() {
        return;
    }
    let purpose = match &draft.kind {
        DraftKind::EditNote { id } if state.incident.select_note(id) => EditorPurpose::EditNote { id: id.clone() },
        // The note is gone (or never was): the words become a new note.
        _ => EditorPurpose::NewNote,
    };
    state.incident.editor = Some(NoteEditor::new(purpose, &draft.text));
    state.incident.draft_saved = Some(draft);
    state.flash_info("your unsaved note from the last session: Ctrl-S saves it, Esc discards it");
}

/// Every tick: the captured events the journal could not take yet, again.
pub fn retry_unwritten(state: &mut State) -> Vec<Cmd> {
    if state.incident.unwritten().is_empty() && state.incident.unwritten_error.is_none() {
        return Vec::new();
    }
    state.frame.dirty = true;
    state.incident.retry_unwritten().into_iter().map(Cmd::Capture).collect()
}

/// Alerts that fired, resolved or got silenced between two boards, as
/// records at the times the sources give. A diff by fingerprint: alerts
/// shared by both boards (the same `Arc`, what a poll leaves unchanged) are
/// skipped without a look, so a poll of 10 000 alerts costs two hash maps.
pub fn captures(state: &State, before: &[BoardAlert], after: &[BoardAlert]) -> Vec<Cmd> {
    if !is_open(state) {
        return Vec::new();
    }
    let old: HashMap<&str, &BoardAlert> = before.iter().map(|b| (b.alert.fingerprint.as_str(), b)).collect();
    let mut events = Vec::new();
    for b in after {
        let a = &b.alert;
        if a.state == AlertState::Pending {
            continue;
        }
        let prev = old.get(a.fingerprint.as_str()).map(|p| &p.alert);
        if prev.is_some_and(|p| Arc::ptr_eq(p, a)) {
            continue; // unchanged
        }
        let fired = prev.is_none_or(|p| p.state == AlertState::Pending);
        let silenced = a.state == AlertState::Silenced && prev.is_none_or(|p| p.state != AlertState::Silenced);
        if fired {
            events.push((a.starts_at, fired_event(a)));
        }
        if silenced {
            let silence_id = a.silenced_by.first().cloned().unwrap_or_default();
            let at = a.updated_at.unwrap_or(state.clock.now);
            let (fingerprint, alertname) = (a.fingerprint.clone(), a.name().to_string());
            events.push((at, Event::AlertSilenced { fingerprint, alertname, silence_id }));
        }
    }
    let new: HashSet<&str> = after.iter().map(|b| b.alert.fingerprint.as_str()).collect();
    for b in before {
        let a = &b.alert;
        // A source that went down does not resolve its alerts, nor does an
        // Alertmanager coming back (its view replaces Prometheus' unconfirmed one).
        let replaced = b.unconfirmed && !state.alerts.awaiting_alertmanager();
        if !new.contains(a.fingerprint.as_str()) && a.state != AlertState::Pending && !b.stale && !replaced {
            let at = a.ends_at.filter(|t| *t <= state.clock.now).unwrap_or(state.clock.now);
            let (fingerprint, alertname) = (a.fingerprint.clone(), a.name().to_string());
            events.push((at, Event::AlertResolved { fingerprint, alertname, starts_at: Some(a.starts_at) }));
        }
    }
    events.into_iter().filter_map(|(at, ev)| state.incident.capture(at, ev)).map(Cmd::Capture).collect()
}

fn fired_event(a: &Alert) -> Event {
    Event::AlertFired {
        fingerprint: a.fingerprint.clone(),
        alertname: a.name().to_string(),
        severity: a.labels.get("severity").cloned().unwrap_or_default(),
        labels: a.labels.clone(),
        summary: a.summary().unwrap_or_default().to_string(),
        runbook_url: a.runbook_url().map(str::to_string),
    }
}
