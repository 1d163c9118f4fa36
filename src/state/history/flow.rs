//! The histories the screen and an open incident need, planned after every
//! update, and what the incident's journal gets of them.

use std::collections::HashSet;

use super::{View, query_of};
use crate::model::history;
use crate::model::{Alert, AlertState};
use crate::msg::Cmd;
use crate::state::State;
use crate::state::alerts::BoardAlert;
use crate::state::signals::SeriesKey;

/// The histories to fetch now: those of the alerts in view and the
/// selected one (`alerts`, indexes into the board), and of the first
/// [`MAX_RECORDED`] alerts of an open incident, not recorded yet (for its
/// post-mortem). The cache is trimmed to them when it grows too big.
pub fn schedule(state: &mut State, alerts: &[usize]) -> Vec<Cmd> {
    if !state.alerts.history.enabled {
        return Vec::new();
    }
    let mut wanted: Vec<(SeriesKey, Option<i64>)> = Vec::new();
    let mut push = |state: &State, a: &Alert| {
        let firing = (a.state != AlertState::Pending).then(|| {
            let hold = state.signals.rule_for(a).map_or(0, |r| r.duration.as_secs() as i64);
            a.starts_at.timestamp() + hold
        });
        wanted.push((query_of(state, a).key, firing));
    };
    for i in alerts {
        push(state, &state.alerts.alerts[*i].alert);
    }
    for b in incident_alerts(state) {
        push(state, &b.alert);
    }
    let now = state.clock.now;
    let mut cmds = Vec::new();
    for (key, firing) in &wanted {
        if let Some(f) = state.alerts.history.plan(key, *firing, now) {
            cmds.push(Cmd::FetchRange(f));
        }
    }
    state.alerts.history.trim(&wanted.into_iter().map(|(k, _)| k).collect());
    cmds
}

/// Alerts of an open incident whose history is recorded at most (the
/// post-mortem names the others as not recorded).
pub const MAX_RECORDED: usize = 50;

/// The board's alerts that belong to the open incident (all but pending
/// ones), the first [`MAX_RECORDED`], whose history is not recorded yet.
fn incident_alerts(state: &State) -> Vec<&BoardAlert> {
    let Some(id) = state.incident.id() else { return Vec::new() };
    let recorded = &state.alerts.history.recorded;
    let done = |a: &Alert| recorded.0.as_deref() == Some(id) && recorded.1.contains(&firing_id(a));
    state
        .alerts
        .alerts
        .iter()
        .filter(|b| b.alert.state != AlertState::Pending)
        .take(MAX_RECORDED)
        .filter(|b| !done(&b.alert))
        .collect()
}

fn firing_id(a: &Alert) -> String {
    format!("{}/{}", a.fingerprint, a.starts_at.timestamp())
}

/// Into the open incident's journal: the previous firings of each of its
/// alerts whose history has been read (over the window before the firing),
/// once per firing, for the post-mortem.
pub fn record(state: &mut State) -> Vec<Cmd> {
    let Some(id) = state.incident.id().map(str::to_string) else { return Vec::new() };
    if state.alerts.history.recorded.0.as_deref() != Some(id.as_str()) {
        state.alerts.history.recorded = (Some(id), HashSet::new());
    }
    let mut events = Vec::new();
    for b in incident_alerts(state) {
        let a = &b.alert;
        let q = query_of(state, a);
        let summary = match state.alerts.history.view(&q, a) {
            View::Ready(s) if s.end >= a.starts_at => s,
            _ => continue,
        };
        let previous = history::before(&summary.firings, a.starts_at, chrono::Duration::seconds(summary.step));
        let omitted = previous.len().saturating_sub(crate::incident::record::MAX_FIRINGS);
        let event = crate::incident::Event::AlertHistory {
            fingerprint: a.fingerprint.clone(),
            alertname: a.name().to_string(),
            starts_at: a.starts_at,
            window_secs: summary.window_secs,
            previous: previous[omitted..].to_vec(),
            omitted,
        };
        events.push((firing_id(a), event));
    }
    let now = state.clock.now;
    let mut cmds = Vec::new();
    for (firing, event) in events {
        state.alerts.history.recorded.1.insert(firing);
        if let Some(rec) = state.incident.capture(now, event) {
            cmds.push(Cmd::Capture(rec));
        }
    }
    cmds
}
