//! Alertmanager silences as the console knows them: every member's last
//! answer merged by id (HA members gossip the same silences), acks found
//! among them, and the drafts (create, replace, extend) the runtime posts.
//! Pure: poll results in, silences and drafts out.

pub mod flow;
pub mod form;
pub mod form_parse;
pub mod view;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::{Alert, Matcher, Silence, SilenceState};
pub use crate::msg::silences::{SilenceDraft, SilenceMsg, SilenceOrigin};

/// The comment prefix that makes a silence an ack (`a`), as karma shows them.
pub const ACK_PREFIX: &str = "ack by ";

/// The config's say on writes: when to ask twice, how long an ack lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SilenceSettings {
    /// Silences matching more alerts than this ask for a confirmation.
    pub confirm_over: usize,
    pub ack_duration: Duration,
}

impl Default for SilenceSettings {
    fn default() -> Self {
        Self { confirm_over: 5, ack_duration: Duration::from_secs(30 * 60) }
    }
}

/// An alert's acknowledgement: who, until when, by which silence.
#[derive(Debug, Clone, PartialEq)]
pub struct Ack {
    pub silence_id: String,
    pub by: String,
    pub ends_at: DateTime<Utc>,
}

impl Ack {
    /// "acked by bob 23m left".
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        format!("acked by {} {} left", self.by, super::sources::format_age(self.ends_at - now))
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SilencesState {
    /// The config's say on writes (confirmations, ack length).
    pub settings: SilenceSettings,
    by_source: BTreeMap<usize, Vec<Silence>>,
    /// Every known silence once, the most recently updated copy of each id.
    pub merged: Vec<Silence>,
    /// The silence form, when open (over everything but help).
    pub form: Option<form::SilenceForm>,
    /// The silences view, when open.
    pub view: Option<view::SilencesView>,
}

impl SilencesState {
    pub fn new(settings: SilenceSettings) -> Self {
        Self { settings, ..Self::default() }
    }

    /// Records one Alertmanager's answer; returns whether anything changed.
    pub fn set(&mut self, index: usize, silences: Vec<Silence>) -> bool {
        if self.by_source.get(&index) == Some(&silences) {
            return false;
        }
        self.by_source.insert(index, silences);
        let mut by_id: BTreeMap<&str, &Silence> = BTreeMap::new();
        for s in self.by_source.values().flatten() {
            let newer = by_id.get(s.id.as_str()).is_none_or(|old| s.updated_at > old.updated_at);
            if newer {
                by_id.insert(&s.id, s);
            }
        }
        let merged: Vec<Silence> = by_id.into_values().cloned().collect();
        let changed = merged != self.merged;
        self.merged = merged;
        changed
    }

    /// What a successful write made true, shown before the next poll
    /// confirms it (which replaces it with Alertmanager's own view).
    pub fn assume(&mut self, silence: Silence) {
        match self.merged.iter_mut().find(|s| s.id == silence.id) {
            Some(s) => *s = silence,
            None => self.merged.push(silence),
        }
    }

    pub fn get(&self, id: &str) -> Option<&Silence> {
        self.merged.iter().find(|s| s.id == id)
    }

    /// The active ack silence of `alert`, the one ending last when several.
    pub fn ack_for(&self, alert: &Alert, now: DateTime<Utc>) -> Option<Ack> {
        self.merged
            .iter()
            .filter(|s| is_active(s, now) && s.comment.starts_with(ACK_PREFIX) && identifies(&s.matchers, alert))
            .max_by_key(|s| s.ends_at)
            .map(|s| Ack { silence_id: s.id.clone(), by: ack_author(s), ends_at: s.ends_at })
    }
}

/// Active by its own times, whatever state the last poll said: the state
/// is minutes old when the board is drawn.
pub fn is_active(s: &Silence, now: DateTime<Utc>) -> bool {
    s.state != SilenceState::Expired && s.starts_at <= now && now < s.ends_at
}

/// The state a silence is in at `now`.
pub fn state_at(s: &Silence, now: DateTime<Utc>) -> SilenceState {
    if s.state == SilenceState::Expired || s.ends_at <= now {
        SilenceState::Expired
    } else if s.starts_at > now {
        SilenceState::Pending
    } else {
        SilenceState::Active
    }
}

/// Matchers that are exactly the alert's labels, each with `=`: the silence
/// `a` creates, and one that names this alert and no other.
fn identifies(matchers: &[Matcher], alert: &Alert) -> bool {
    let labels = alert.labels.iter().filter(|(k, _)| k.as_str() != "__name__");
    matchers.len() == labels.clone().count()
        && matchers.iter().all(|m| m.is_equal && !m.is_regex)
        && labels.into_iter().all(|(k, v)| matchers.iter().any(|m| &m.name == k && &m.value == v))
}

/// "ack by bob" → "bob"; the creator when the comment says nothing more.
fn ack_author(s: &Silence) -> String {
    let rest = s.comment[ACK_PREFIX.len()..].trim();
    let who = rest.split_whitespace().next().unwrap_or_default();
    if who.is_empty() { s.created_by.clone() } else { who.to_string() }
}

/// Matchers naming exactly this alert (all its labels with `=`).
pub fn exact_matchers(alert: &Alert) -> Vec<Matcher> {
    alert
        .labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| Matcher { name: k.clone(), value: v.clone(), is_regex: false, is_equal: true })
        .collect()
}

/// `a`: a new ack of `period`, or the existing ack extended by `period`.
pub fn ack_draft(
    silences: &SilencesState,
    alert: &Alert,
    user: &str,
    period: Duration,
    now: DateTime<Utc>,
) -> SilenceDraft {
    match silences.ack_for(alert, now).and_then(|ack| silences.get(&ack.silence_id)) {
        Some(existing) => extend_draft(existing, period, now),
        None => SilenceDraft {
            id: None,
            matchers: exact_matchers(alert),
            starts_at: now,
            ends_at: later(now, period),
            created_by: user.to_string(),
            comment: format!("{ACK_PREFIX}{user}"),
        },
    }
}

/// `+` (and re-ack): the same silence ending `period` later than it does
/// now (or than now, once it has ended). An expired silence cannot be
/// updated in place: Alertmanager creates a new one starting now.
pub fn extend_draft(s: &Silence, period: Duration, now: DateTime<Utc>) -> SilenceDraft {
    let from = s.ends_at.max(now);
    let starts_at = if state_at(s, now) == SilenceState::Expired { now } else { s.starts_at };
    SilenceDraft {
        id: Some(s.id.clone()),
        matchers: s.matchers.clone(),
        starts_at,
        ends_at: later(from, period),
        created_by: s.created_by.clone(),
        comment: s.comment.clone(),
    }
}

/// How many board alerts are silenced (of which acked) and inhibited, for
/// the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MuteCounts {
    pub silenced: usize,
    pub acked: usize,
    pub inhibited: usize,
}

impl MuteCounts {
    /// ": 2 silenced (1 acked), 1 inhibited", or nothing when none is.
    pub fn detail(&self) -> String {
        let mut parts = Vec::new();
        if self.silenced > 0 {
            let acked = if self.acked > 0 { format!(" ({} acked)", self.acked) } else { String::new() };
            parts.push(format!("{} silenced{acked}", self.silenced));
        }
        if self.inhibited > 0 {
            parts.push(format!("{} inhibited", self.inhibited));
        }
        if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) }
    }
}

/// Counts the board in one pass (acks are few: their ids are collected first).
pub fn mute_counts(state: &super::State) -> MuteCounts {
    let ack_ids: std::collections::HashSet<&str> = state
        .silences
        .merged
        .iter()
        .filter(|s| s.comment.starts_with(ACK_PREFIX) && is_active(s, state.clock.now))
        .map(|s| s.id.as_str())
        .collect();
    let mut c = MuteCounts::default();
    for b in &state.alerts.alerts {
        match b.alert.state {
            crate::model::AlertState::Silenced => {
                c.silenced += 1;
                if b.alert.silenced_by.iter().any(|id| ack_ids.contains(id.as_str())) {
                    c.acked += 1;
                }
            }
            crate::model::AlertState::Inhibited => c.inhibited += 1,
            _ => {}
        }
    }
    c
}

/// `t + d`, saturating instead of panicking on an absurd duration.
pub fn later(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d).ok().and_then(|d| t.checked_add_signed(d)).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
pub(crate) mod tests;
