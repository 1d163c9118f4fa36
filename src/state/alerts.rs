//! The alert board: every source's last good answer, merged and deduplicated
//! by fingerprint, then filtered, grouped and sorted into the rows the list
//! pane draws. Pure: poll results in, rows out.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{Alert, AlertState, Severity};

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
/// down (its data is then shown but marked stale).
#[derive(Debug, Clone, PartialEq)]
pub struct BoardAlert {
    pub alert: Alert,
    pub stale: bool,
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
    prom: BTreeMap<usize, Vec<Alert>>,
    am: BTreeMap<usize, Vec<Alert>>,
    /// With an Alertmanager, Prometheus only adds what AM cannot know:
    /// pending alerts. Without one, Prometheus' view is the board.
    has_alertmanager: bool,
    pub alerts: Vec<BoardAlert>,
    pub rows: Vec<Row>,
    pub grouping: Grouping,
    pub show_muted: bool,
    pub filter: String,
    pub counts: Counts,
    /// The selected alert's fingerprint, kept across refreshes.
    selected: Option<String>,
}

impl AlertsState {
    pub fn new(grouping: Grouping, show_muted: bool, has_alertmanager: bool) -> Self {
        Self {
            prom: BTreeMap::new(),
            am: BTreeMap::new(),
            has_alertmanager,
            alerts: Vec::new(),
            rows: Vec::new(),
            grouping,
            show_muted,
            filter: String::new(),
            counts: Counts::default(),
            selected: None,
        }
    }

    pub fn set_prometheus(&mut self, index: usize, alerts: Vec<Alert>) -> bool {
        replace(&mut self.prom, index, alerts)
    }

    pub fn set_alertmanager(&mut self, index: usize, alerts: Vec<Alert>) -> bool {
        replace(&mut self.am, index, alerts)
    }

    /// Rebuilds the merged list and the rows. `down` names the sources that
    /// are down now, for the stale marks.
    pub fn rebuild(&mut self, down: &BTreeSet<String>) {
        let mut by_fp: HashMap<String, usize> = HashMap::new();
        let mut merged: Vec<Alert> = Vec::new();
        let mut add = |a: &Alert, merged: &mut Vec<Alert>| match by_fp.get(&a.fingerprint) {
            Some(&i) => {
                let m: &mut Alert = &mut merged[i];
                for s in &a.sources {
                    if !m.sources.contains(s) {
                        m.sources.push(s.clone());
                    }
                }
                // HA members may disagree for a moment: a silence wins.
                if a.state > m.state {
                    m.state = a.state;
                    m.silenced_by.clone_from(&a.silenced_by);
                    m.inhibited_by.clone_from(&a.inhibited_by);
                }
            }
            None => {
                by_fp.insert(a.fingerprint.clone(), merged.len());
                merged.push(a.clone());
            }
        };
        for a in self.am.values().flatten() {
            add(a, &mut merged);
        }
        for a in self.prom.values().flatten() {
            if !self.has_alertmanager || a.state == AlertState::Pending {
                add(a, &mut merged);
            }
        }
        self.alerts = merged
            .into_iter()
            .map(|alert| {
                let stale = !alert.sources.is_empty() && alert.sources.iter().all(|s| down.contains(s));
                BoardAlert { alert, stale }
            })
            .collect();
        self.regroup();
    }

    /// Re-applies filter, grouping and sort without touching the data.
    pub fn regroup(&mut self) {
        let filter = Filter::parse(&self.filter);
        let mut counts = Counts::default();
        let mut visible: Vec<usize> = Vec::new();
        for (i, b) in self.alerts.iter().enumerate() {
            if b.alert.state.is_muted() && !self.show_muted {
                counts.muted_hidden += 1;
                continue;
            }
            if !filter.matches(&b.alert) {
                counts.filtered_out += 1;
                continue;
            }
            *counts.by_severity.entry(b.alert.severity()).or_default() += 1;
            visible.push(i);
        }
        // Severity first, then newest first.
        let alerts = &self.alerts;
        // Keys computed once per alert: `severity()` reads and lowercases a
        // label, and comparing 10 000 alerts calls it 260 000 times.
        visible.sort_by_cached_key(|&i| {
            let a = &alerts[i].alert;
            (a.severity(), std::cmp::Reverse(a.starts_at), a.fingerprint.as_str())
        });
        self.rows = match &self.grouping {
            Grouping::None => visible.into_iter().map(Row::Alert).collect(),
            Grouping::Label(label) => group_rows(alerts, visible, label),
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
        match self.rows.get(self.cursor()?)? {
            Row::Alert(i) => self.alerts.get(*i),
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

fn replace(map: &mut BTreeMap<usize, Vec<Alert>>, index: usize, alerts: Vec<Alert>) -> bool {
    if map.get(&index) == Some(&alerts) {
        return false;
    }
    map.insert(index, alerts);
    true
}

/// Groups rows by a label; groups sorted by their worst severity, then by
/// their newest alert, then by name.
fn group_rows(alerts: &[BoardAlert], visible: Vec<usize>, label: &str) -> Vec<Row> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for i in visible {
        let key = alerts[i].alert.labels.get(label).cloned().unwrap_or_else(|| format!("(no {label})"));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    // Members are already sorted, so the first is the worst and newest.
    groups.sort_by(|(ka, a), (kb, b)| {
        let (a, b) = (&alerts[a[0]].alert, &alerts[b[0]].alert);
        (a.severity(), std::cmp::Reverse(a.starts_at), ka).cmp(&(b.severity(), std::cmp::Reverse(b.starts_at), kb))
    });
    let mut rows = Vec::new();
    for (key, members) in groups {
        let severity = alerts[members[0]].alert.severity();
        rows.push(Row::Group { key, count: members.len(), severity });
        rows.extend(members.into_iter().map(Row::Alert));
    }
    rows
}

/// The `/` filter: whitespace-separated terms, all of which must match. A
/// term `label=value`, `label!=value`, `label=~re` or `label!~re` matches a
/// label; any other term matches (case-insensitively) a label or annotation.
struct Filter {
    terms: Vec<Term>,
}

enum Term {
    Text(String),
    Label { name: String, re: regex::Regex, equal: bool },
}

impl Filter {
    fn parse(s: &str) -> Self {
        let terms = s
            .split_whitespace()
            .map(|t| {
                for (op, regex, equal) in
                    [("=~", true, true), ("!~", true, false), ("!=", false, false), ("=", false, true)]
                {
                    if let Some((name, value)) = t.split_once(op) {
                        let pattern = if regex {
                            value.trim_matches('"').to_string()
                        } else {
                            regex::escape(value.trim_matches('"'))
                        };
                        if let Ok(re) = regex::Regex::new(&format!("^(?:{pattern})$")) {
                            return Term::Label { name: name.to_string(), re, equal };
                        }
                    }
                }
                Term::Text(t.to_lowercase())
            })
            .collect();
        Self { terms }
    }

    fn matches(&self, a: &Alert) -> bool {
        self.terms.iter().all(|t| match t {
            Term::Label { name, re, equal } => {
                re.is_match(a.labels.get(name).map(String::as_str).unwrap_or("")) == *equal
            }
            Term::Text(needle) => a
                .labels
                .iter()
                .flat_map(|(k, v)| [k, v])
                .chain(a.annotations.values())
                .any(|s| s.to_lowercase().contains(needle.as_str())),
        })
    }
}
