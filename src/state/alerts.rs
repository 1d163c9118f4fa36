//! The alert board: every source's last good answer, merged and deduplicated
//! by fingerprint, then filtered, grouped and sorted into the rows the list
//! pane draws. Pure: poll results in, rows out.
//!
//! Sized for 10 000 alerts and a keypress-to-frame under 5 ms: the alerts are
//! shared (`Arc`) with the pollers' answers, never copied; what filtering,
//! sorting and grouping need is prepared once per alert and kept across
//! polls (`index`, `prep`, `group`); recent filter results are remembered
//! (`filter`); and a poll that replaced a few alerts patches the board.

mod filter;
mod group;
mod index;
mod prep;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use group::GroupKeys;
use index::Index;

use crate::model::{Alert, AlertState, Severity, SharedAlerts};

/// What the board is grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    Label(String),
    None,
}

impl Grouping {
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "" | "none" | "-" => Self::None,
            l => Self::Label(l.to_string()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Self::Label(l) => l,
            Self::None => "none",
        }
    }

    /// `b` cycles through the groupings people use most.
    pub fn next(&self) -> Self {
        match self.name() {
            "alertname" => Self::Label("service".into()),
            "service" => Self::Label("severity".into()),
            "severity" => Self::None,
            _ => Self::Label("alertname".into()),
        }
    }
}

/// An alert on the board, with whether every source that reported it is
/// down (its data is then shown but marked stale). The alert is shared with
/// the source's last answer: building the board copies pointers.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardAlert {
    pub alert: Arc<Alert>,
    pub stale: bool,
    /// Firing in Prometheus while no configured Alertmanager answers: shown
    /// (never fewer firing alerts than a live source reports), but nothing
    /// is known of its silences, inhibitions or notifications.
    pub unconfirmed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Group { key: String, count: usize, severity: Severity },
    Alert(usize),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    pub by_severity: BTreeMap<Severity, usize>,
    pub muted_hidden: usize,
    pub filtered_out: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertsState {
    prom: BTreeMap<usize, SharedAlerts>,
    am: BTreeMap<usize, SharedAlerts>,
    /// With a live Alertmanager, Prometheus only adds what AM cannot know:
    /// pending alerts. Without one, Prometheus' view is the board; with one
    /// configured but none answering, Prometheus' firing alerts are shown
    /// too, marked unconfirmed.
    has_alertmanager: bool,
    /// Some configured Alertmanager answered its last poll.
    alertmanager_live: bool,
    pub alerts: Vec<BoardAlert>,
    pub rows: Vec<Row>,
    pub grouping: Grouping,
    pub show_muted: bool,
    pub filter: String,
    pub counts: Counts,
    /// The selected alert's fingerprint, kept across refreshes.
    selected: Option<String>,
    index: Index,
    /// The alerts' own histories (the detail's History row).
    pub history: super::history::HistoryState,
    /// Bell and desktop notifications for newly firing alerts.
    pub notify: super::notify::Notifier,
}

/// What a rebuild changed, for the incident timeline's diff: the entries it
/// replaced, and which entries are new (every one after a full rebuild).
#[derive(Debug)]
pub struct BoardDiff {
    pub before: Vec<BoardAlert>,
    changed: Option<Vec<usize>>,
}

impl BoardDiff {
    /// The entries of `board` that may differ from `before`.
    pub fn after<'a>(&self, board: &'a AlertsState) -> Cow<'a, [BoardAlert]> {
        match &self.changed {
            None => Cow::Borrowed(&board.alerts),
            Some(ix) => Cow::Owned(ix.iter().filter_map(|&i| board.alerts.get(i).cloned()).collect()),
        }
    }
}

impl AlertsState {
    pub fn new(grouping: Grouping, show_muted: bool, has_alertmanager: bool) -> Self {
        Self {
            prom: BTreeMap::new(),
            am: BTreeMap::new(),
            has_alertmanager,
            alertmanager_live: false,
            alerts: Vec::new(),
            rows: Vec::new(),
            grouping,
            show_muted,
            filter: String::new(),
            counts: Counts::default(),
            selected: None,
            index: Index::default(),
            history: super::history::HistoryState::default(),
            notify: super::notify::Notifier::default(),
        }
    }

    pub fn set_prometheus(&mut self, index: usize, alerts: SharedAlerts) -> bool {
        replace(&mut self.prom, index, alerts)
    }

    pub fn set_alertmanager(&mut self, index: usize, alerts: SharedAlerts) -> bool {
        replace(&mut self.am, index, alerts)
    }

    /// Whether an Alertmanager answered its last poll (before the first
    /// answer, and while every one is down, it is not).
    pub fn set_alertmanager_live(&mut self, live: bool) {
        self.alertmanager_live = live;
    }

    /// An Alertmanager is configured but none answers: Prometheus' firing
    /// alerts are on the board, unconfirmed.
    pub fn awaiting_alertmanager(&self) -> bool {
        self.has_alertmanager && !self.alertmanager_live
    }

    /// Rebuilds the merged list and the rows (or patches them, when a poll
    /// replaced a few alerts), and says what changed. `down` names the
    /// sources that are down now, for the stale marks.
    pub fn rebuild(&mut self, down: &BTreeSet<String>) -> BoardDiff {
        let confirmed = self.has_alertmanager && self.alertmanager_live;
        let prom = self.prom.values().flatten().filter(|a| !confirmed || a.state == AlertState::Pending);
        let am: Vec<&Arc<Alert>> = self.am.values().flatten().collect();
        let marks =
            index::Marks { down: down.clone(), unconfirmed_from: self.awaiting_alertmanager().then_some(am.len()) };
        let inputs: Vec<&Arc<Alert>> = am.into_iter().chain(prom).collect();
        if let Some(diff) = index::patch(&mut self.index, &mut self.alerts, &inputs, &marks) {
            self.regroup();
            return diff;
        }
        let (alerts, index) = index::build(&inputs, &marks, std::mem::take(&mut self.index.cache));
        self.index = index;
        let before = std::mem::replace(&mut self.alerts, alerts);
        self.regroup();
        BoardDiff { before, changed: None }
    }

    /// Re-applies filter, grouping and sort without touching the data.
    pub fn regroup(&mut self) {
        let ix = &mut self.index;
        if ix.memo_muted != self.show_muted {
            ix.memo.clear();
            ix.memo_muted = self.show_muted;
        }
        let all = if self.show_muted { &ix.order } else { &ix.unmuted };
        let (alerts, prep) = (&self.alerts, &ix.prep);
        let visible =
            ix.memo.visible(&self.filter, all, |f, i| f.matches(&alerts[i as usize].alert, &prep[i as usize]));
        let mut counts = Counts {
            muted_hidden: ix.order.len() - all.len(),
            filtered_out: all.len() - visible.len(),
            ..Counts::default()
        };
        for &i in visible {
            *counts.by_severity.entry(ix.severity[i as usize]).or_default() += 1;
        }
        self.rows = match &self.grouping {
            Grouping::None => visible.iter().map(|&i| Row::Alert(i as usize)).collect(),
            Grouping::Label(label) => {
                let keys = ix.groups.entry(label.clone()).or_insert_with(|| GroupKeys::new(alerts, label));
                group::rows(alerts, &ix.severity, visible, keys)
            }
        };
        self.counts = counts;
    }

    pub fn selected_index(&self) -> Option<usize> {
        let fp = self.selected.as_ref()?;
        self.rows.iter().position(|r| matches!(r, Row::Alert(i) if &self.alerts[*i].alert.fingerprint == fp))
    }

    /// The row the cursor is on: the selected alert, or the first alert.
    pub fn cursor(&self) -> Option<usize> {
        self.selected_index().or_else(|| self.rows.iter().position(|r| matches!(r, Row::Alert(_))))
    }

    pub fn selected(&self) -> Option<&BoardAlert> {
        self.alerts.get(self.selected_alert()?)
    }

    /// The selected alert's index in [`AlertsState::alerts`] (the one
    /// under the cursor).
    pub fn selected_alert(&self) -> Option<usize> {
        match self.rows.get(self.cursor()?)? {
            Row::Alert(i) => Some(*i).filter(|i| *i < self.alerts.len()),
            Row::Group { .. } => None,
        }
    }

    /// Moves the selection by `delta` alert rows (group headers skipped),
    /// clamped to the list.
    pub fn move_by(&mut self, delta: isize) {
        let alert_rows: Vec<usize> =
            self.rows.iter().enumerate().filter(|(_, r)| matches!(r, Row::Alert(_))).map(|(i, _)| i).collect();
        if alert_rows.is_empty() {
            return;
        }
        let cur = self.cursor().and_then(|c| alert_rows.iter().position(|&r| r == c)).unwrap_or(0);
        let next = (cur as isize + delta).clamp(0, alert_rows.len() as isize - 1) as usize;
        self.select_row(alert_rows[next]);
    }

    pub fn select_row(&mut self, row: usize) {
        if let Some(Row::Alert(i)) = self.rows.get(row) {
            self.selected = Some(self.alerts[*i].alert.fingerprint.clone());
        }
    }

    pub fn select_last(&mut self) {
        self.move_by(isize::MAX / 2);
    }

    pub fn select_first(&mut self) {
        self.move_by(isize::MIN / 2);
    }
}

/// Stores a source's answer; false when it is the one already stored. The
/// pollers hand over the same `Arc`s for an unchanged answer, so this is a
/// pointer comparison per alert, not a deep one.
fn replace(map: &mut BTreeMap<usize, SharedAlerts>, index: usize, alerts: SharedAlerts) -> bool {
    let same = |old: &SharedAlerts| {
        old.len() == alerts.len() && old.iter().zip(&alerts).all(|(a, b)| Arc::ptr_eq(a, b) || a == b)
    };
    if map.get(&index).is_some_and(same) {
        return false;
    }
    map.insert(index, alerts);
    true
}
