//! The user's silence intents (`s`, `a`, the form's Enter, expire, extend)
//! turned into write commands, and Alertmanager's answers turned into what
//! the screen and the incident timeline say. Read-only mode stops every
//! write here, before any command exists.

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::KeyEvent;

use crate::incident::Event;
use crate::model::{Silence, SilenceState};
use crate::msg::{Cmd, SourceKind};
use crate::state::State;
use crate::state::silences::form::{FormKey, SilenceForm};
use crate::state::silences::form_parse::{Compiled, guard_rail, parse_until_local};
use crate::state::silences::{SilenceDraft, SilenceMsg, SilenceOrigin, ack_draft};
use crate::state::sources::Health;

pub const READ_ONLY: &str = "read-only: silences disabled";

/// Refuses a write in read-only mode, saying so. True when refused.
pub fn refuse_read_only(state: &mut State) -> bool {
    if state.contexts.read_only {
        state.flash_error(READ_ONLY);
    }
    state.contexts.read_only
}

/// `s`: the form, prefilled from the selected alert.
pub fn open_form(state: &mut State) {
    if refuse_read_only(state) {
        return;
    }
    let Some(sel) = state.alerts.selected() else {
        state.flash_error("no alert selected");
        return;
    };
    let mut form = SilenceForm::for_alert(&sel.alert, state.incident.user());
    form.refresh_preview(&state.alerts.alerts);
    state.silences.form = Some(form);
}

/// `e` in the silences view: the form, prefilled from a silence.
pub fn edit(state: &mut State, silence: &Silence) {
    if refuse_read_only(state) {
        return;
    }
    let mut form = SilenceForm::for_silence(silence, state.incident.user(), state.clock.now);
    form.refresh_preview(&state.alerts.alerts);
    state.silences.form = Some(form);
}

/// `a`: ack the selected alert, or extend its ack.
pub fn ack(state: &mut State) -> Vec<Cmd> {
    if refuse_read_only(state) {
        return Vec::new();
    }
    let Some(sel) = state.alerts.selected() else {
        state.flash_error("no alert selected");
        return Vec::new();
    };
    let period = state.silences.settings.ack_duration;
    let draft = ack_draft(&state.silences, &sel.alert, state.incident.user(), period, state.clock.now);
    post(state, draft, SilenceOrigin::Ack)
}

/// `+` in the silences view: the silence ends one ack period later.
pub fn extend(state: &mut State, silence: &Silence) -> Vec<Cmd> {
    if refuse_read_only(state) {
        return Vec::new();
    }
    let draft = crate::state::silences::extend_draft(silence, state.silences.settings.ack_duration, state.clock.now);
    post(state, draft, SilenceOrigin::Extend)
}

/// `y` after `x` in the silences view.
pub fn expire(state: &mut State, id: String) -> Vec<Cmd> {
    if refuse_read_only(state) {
        return Vec::new();
    }
    match targets(state) {
        Some(targets) => vec![Cmd::ExpireSilence { id, targets }],
        None => Vec::new(),
    }
}

pub fn on_form_key(state: &mut State, key: KeyEvent) -> Vec<Cmd> {
    let Some(form) = state.silences.form.as_mut() else {
        return Vec::new();
    };
    if form.posting {
        // Keys wait until Alertmanager answers; Esc abandons the form.
        if key.code == crossterm::event::KeyCode::Esc {
            state.silences.form = None;
        }
        return Vec::new();
    }
    match form.on_key(key) {
        FormKey::Cancel => state.silences.form = None,
        FormKey::Edited => form.refresh_preview(&state.alerts.alerts),
        FormKey::Submit => return submit(state, false),
        FormKey::Confirmed => return submit(state, true),
    }
    Vec::new()
}

/// Enter (and `y`): validate, ask twice when broad, then post.
fn submit(state: &mut State, confirmed: bool) -> Vec<Cmd> {
    if refuse_read_only(state) {
        return Vec::new();
    }
    let (now, local) = (state.clock.now, state.clock.local_offset);
    let (total, threshold) = (state.alerts.alerts.len(), state.silences.settings.confirm_over);
    let Some(form) = state.silences.form.as_mut() else {
        return Vec::new();
    };
    form.refresh_preview(&state.alerts.alerts);
    let draft = match validate(form, now, local) {
        Ok(d) => d,
        Err(e) => {
            form.error = Some(e);
            return Vec::new();
        }
    };
    if !confirmed && let Some(question) = guard_rail(&draft.matchers, form.preview.count, total, threshold) {
        form.confirm = Some(question);
        return Vec::new();
    }
    form.posting = true;
    let cmds = post(state, draft, SilenceOrigin::Form);
    if cmds.is_empty()
        && let Some(form) = state.silences.form.as_mut()
    {
        form.posting = false;
    }
    cmds
}

/// The silence the form describes, or why it cannot be posted.
pub fn validate(form: &SilenceForm, now: DateTime<Utc>, local: FixedOffset) -> Result<SilenceDraft, String> {
    let matchers = form.matchers();
    if matchers.is_empty() {
        return Err("no matcher: turn one on with space".into());
    }
    let compiled = Compiled::new(&matchers)?;
    if compiled.matches_everything() {
        return Err("every matcher also matches an empty label, so this would silence everything \
                    (Alertmanager refuses it): add a matcher with a value"
            .into());
    }
    let ends_at = parse_until_local(form.until_text(), now, local)?;
    if form.comment.trim().is_empty() {
        return Err("a comment is required: say why (it is shown to everyone)".into());
    }
    Ok(SilenceDraft {
        id: form.replaces.clone(),
        matchers,
        starts_at: form.starts_at.filter(|s| ends_at > *s).unwrap_or(now),
        ends_at,
        created_by: form.created_by.clone(),
        comment: form.comment.trim().to_string(),
    })
}

/// The command that posts `draft`, to the live members first.
fn post(state: &mut State, draft: SilenceDraft, origin: SilenceOrigin) -> Vec<Cmd> {
    if state.contexts.read_only {
        return Vec::new();
    }
    match targets(state) {
        Some(targets) => vec![Cmd::PostSilence { draft: Box::new(draft), targets, origin }],
        None => Vec::new(),
    }
}

/// Alertmanagers to try in order: up ones first, down ones last (one may
/// have come back since its last poll).
fn targets(state: &mut State) -> Option<Vec<usize>> {
    let mut ams: Vec<(u8, usize)> = state
        .contexts
        .sources
        .iter()
        .filter(|s| s.kind() == SourceKind::Alertmanager)
        .map(|s| {
            let rank = match s.health {
                Health::Up | Health::Slow(_) => 0,
                Health::Unknown => 1,
                Health::Down { .. } => 2,
            };
            (rank, s.id.index)
        })
        .collect();
    ams.sort();
    if ams.is_empty() {
        state.flash_error("no Alertmanager configured (--alertmanager URL): cannot silence");
        return None;
    }
    Some(ams.into_iter().map(|(_, i)| i).collect())
}

/// Alertmanager answered a write.
pub fn on_msg(state: &mut State, msg: SilenceMsg) -> Vec<Cmd> {
    state.frame.dirty = true;
    match msg {
        SilenceMsg::Posted { id, draft, origin, via } => posted(state, id, *draft, origin, &via),
        SilenceMsg::Expired { id, via } => {
            if let Some(mut s) = state.silences.get(&id).cloned() {
                s.state = SilenceState::Expired;
                s.ends_at = state.clock.now;
                state.silences.assume(s);
            }
            state.flash_info(format!("expired silence {id} (via {via})"));
            let mut cmds = record(state, state.clock.now, Event::SilenceExpired { id });
            cmds.push(Cmd::RefreshAll);
            cmds
        }
        SilenceMsg::Failed { error, origin: SilenceOrigin::Form } => {
            match state.silences.form.as_mut() {
                Some(form) => {
                    form.posting = false;
                    form.error = Some(format!("not posted: {error}"));
                }
                None => state.flash_error(format!("silence not posted: {error}")),
            }
            Vec::new()
        }
        SilenceMsg::Failed { error, origin } => {
            let what = if origin == SilenceOrigin::Expire { "not expired" } else { "not posted" };
            state.flash_error(format!("{what}: {error}"));
            Vec::new()
        }
    }
}

fn posted(state: &mut State, id: String, draft: SilenceDraft, origin: SilenceOrigin, via: &str) -> Vec<Cmd> {
    let until = draft.ends_at.format("%H:%M UTC");
    let text = match origin {
        SilenceOrigin::Ack => format!("acked until {until} (silence {id}, via {via})"),
        SilenceOrigin::Extend => format!("extended silence {id} until {until} (via {via})"),
        _ => format!("silenced (id {id}), until {until} (via {via})"),
    };
    if origin == SilenceOrigin::Form {
        state.silences.form = None;
    }
    // A replacement with a new id means Alertmanager expired the old one.
    if let Some(old) = draft.id.as_ref().filter(|old| **old != id).and_then(|old| state.silences.get(old)).cloned() {
        state.silences.assume(Silence { state: SilenceState::Expired, ends_at: state.clock.now, ..old });
    }
    let pending = draft.starts_at > state.clock.now;
    state.silences.assume(Silence {
        id: id.clone(),
        matchers: draft.matchers.clone(),
        starts_at: draft.starts_at,
        ends_at: draft.ends_at,
        updated_at: Some(state.clock.now),
        created_by: draft.created_by.clone(),
        comment: draft.comment.clone(),
        state: if pending { SilenceState::Pending } else { SilenceState::Active },
    });
    state.flash_info(text);
    let event = Event::SilenceCreated {
        id,
        matchers: draft.matchers.iter().map(ToString::to_string).collect(),
        comment: draft.comment,
        ends_at: draft.ends_at,
        created_by: draft.created_by,
    };
    let mut cmds = record(state, draft.starts_at, event);
    cmds.push(Cmd::RefreshAll);
    cmds
}

/// The timeline record of a write, when an incident is open.
fn record(state: &State, at: DateTime<Utc>, event: Event) -> Vec<Cmd> {
    if !crate::state::incident::flow::is_open(state) {
        return Vec::new();
    }
    state.incident.capture(at, event).map(Cmd::Capture).into_iter().collect()
}
