//! Attention: a terminal bell and/or a desktop notification (OSC 9 or
//! OSC 777, which iTerm2, WezTerm, kitty and others pass through SSH) when
//! an alert of at least `min_severity` newly fires.
//!
//! "Newly" is a diff of the firing alerts before and after a poll, like the
//! incident captures. What was already firing when the console opened (or a
//! context was switched to) must not ring: the first alerts a source returns
//! are taken as the starting point. Silenced, inhibited and acked alerts are
//! not firing here, so an ack that runs out rings again. At most one
//! notification goes out per [`MIN_GAP`]; what fires in between is held and
//! summarised in the next one.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::State;
use super::alerts::BoardAlert;
use crate::model::{AlertState, Severity};
use crate::msg::{Cmd, Payload, PollResult, SourceId};

/// Seconds between two notifications.
pub const MIN_GAP: i64 = 10;
/// The longest notification text, in bytes (terminals cut or drop long OSC).
pub const MAX_TEXT: usize = 200;

pub use crate::model::settings::{Desktop, MinSeverity, NotifyConfig};

/// What the notifier remembers between polls.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notifier {
    pub config: NotifyConfig,
    /// `:notify on|off`; on at start when the config asks for a bell or a
    /// desktop notification.
    pub enabled: bool,
    /// The context generation `polled` belongs to.
    generation: u64,
    /// Sources whose first alerts have arrived.
    polled: HashSet<SourceId>,
    last_sent: Option<DateTime<Utc>>,
    /// Fired during the quiet gap, for the next notification.
    held: Vec<Fired>,
}

/// One alert that newly fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    pub severity: Severity,
    pub name: String,
    pub summary: String,
}

impl Notifier {
    pub fn new(config: NotifyConfig) -> Self {
        let enabled = config.bell || config.desktop != Desktop::Off;
        Self { config, enabled, ..Self::default() }
    }
}

/// Before the poll's payload is applied: whether these are the first alerts
/// of this source (in this context), whose firing alerts must not ring.
pub fn first_poll(state: &mut State, p: &PollResult) -> bool {
    let n = &mut state.alerts.notify;
    if n.generation != state.contexts.generation {
        n.generation = state.contexts.generation;
        n.polled.clear();
        n.held.clear();
    }
    let alerts = matches!(p.result, Ok(Payload::PromAlerts(_) | Payload::AmAlerts(_)));
    alerts && n.polled.insert(p.source)
}

/// Fingerprints of the alerts that count as firing now; empty (and free)
/// when notifications are off.
pub fn firing(state: &State) -> HashSet<String> {
    if !state.alerts.notify.enabled {
        return HashSet::new();
    }
    state.alerts.alerts.iter().filter(|b| counts(b)).map(|b| b.alert.fingerprint.clone()).collect()
}

/// Stale alerts (their source is down) still count: a source coming back
/// must not ring for what it was already reporting.
fn counts(b: &BoardAlert) -> bool {
    b.alert.state == AlertState::Firing
}

/// After the board was rebuilt: notifies of the alerts firing now that
/// were not in `before` (unless `quiet`, the source's first poll).
pub fn after_poll(state: &mut State, before: &HashSet<String>, quiet: bool) -> Vec<Cmd> {
    if !state.alerts.notify.enabled || quiet {
        return Vec::new();
    }
    let min = state.alerts.notify.config.min_severity;
    let fired: Vec<Fired> = state
        .alerts
        .alerts
        .iter()
        .filter(|b| counts(b) && !before.contains(&b.alert.fingerprint) && min.admits(b.alert.severity()))
        .map(|b| Fired {
            severity: b.alert.severity(),
            name: b.alert.name().to_string(),
            summary: b.alert.summary().unwrap_or_default().to_string(),
        })
        .collect();
    state.alerts.notify.held.extend(fired);
    flush(state)
}

/// Sends what is held once the quiet gap is over (called on every message,
/// so held alerts go out on the next tick).
pub fn flush(state: &mut State) -> Vec<Cmd> {
    let n = &mut state.alerts.notify;
    if n.held.is_empty() || !n.enabled {
        return Vec::new();
    }
    if n.last_sent.is_some_and(|t| (state.clock.now - t).num_seconds() < MIN_GAP) {
        return Vec::new();
    }
    n.last_sent = Some(state.clock.now);
    let text = message(&std::mem::take(&mut n.held));
    let desktop = match n.config.desktop {
        Desktop::Off => None,
        Desktop::Osc9 => Some(format!("\x1b]9;{text}\x07")),
        Desktop::Osc777 => Some(format!("\x1b]777;notify;warroom;{text}\x07")),
    };
    vec![Cmd::Notify { bell: n.config.bell, desktop }]
}

/// "CRITICAL HighErrorRate: 5xx ratio above 5% on api", or "3 new critical
/// alerts: A, B, C"; cleaned of every control character (no BEL or ESC can
/// end the escape early) and cut to [`MAX_TEXT`] bytes.
pub fn message(fired: &[Fired]) -> String {
    let text = match fired {
        [] => String::new(),
        [one] if one.summary.trim().is_empty() => format!("{} {}", one.severity.name().to_uppercase(), one.name),
        [one] => format!("{} {}: {}", one.severity.name().to_uppercase(), one.name, one.summary),
        many => {
            let sev = many[0].severity;
            let kind = if many.iter().all(|f| f.severity == sev) { format!("{} ", sev.name()) } else { String::new() };
            let mut names: Vec<&str> = Vec::new();
            for f in many {
                if !names.contains(&f.name.as_str()) {
                    names.push(&f.name);
                }
            }
            format!("{} new {kind}alerts: {}", many.len(), names.join(", "))
        }
    };
    cut(&crate::text::clean(&text), MAX_TEXT)
}

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max - '…'.len_utf8();
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s[..end].trim_end())
}

/// `:notify on|off` (no argument toggles). On with nothing configured
/// turns the bell on, so it does something.
pub fn command(state: &mut State, arg: &str) {
    let n = &mut state.alerts.notify;
    n.enabled = match arg.trim() {
        "on" => true,
        "off" => false,
        "" => !n.enabled,
        other => {
            state.flash_error(format!("usage: :notify on|off (not {other:?})"));
            return;
        }
    };
    if n.enabled && !n.config.bell && n.config.desktop == Desktop::Off {
        n.config.bell = true;
    }
    n.held.clear();
    let text = if n.enabled { "notifications on" } else { "notifications off" };
    state.flash_info(text);
}

#[cfg(test)]
mod tests;
