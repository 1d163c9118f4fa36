//! Which series to fetch now: only for what is on screen (the alerts in
//! view, the selected alert's golden signals, the open chart), so scrolling
//! past 10 000 alerts asks nothing for the ones out of view.

use super::State;
use super::alerts::Row;
use super::signals::{SeriesKey, Unit, fill};
use crate::model::Alert;
use crate::msg::Cmd;

/// Columns of the sparkline beside each alert in the list.
pub const LIST_SPARK_WIDTH: u16 = 15;

/// The list sparkline's query for an alert: its rule's expression.
pub fn list_key(state: &State, alert: &Alert) -> Option<SeriesKey> {
    let rule = state.signals.rule_for(alert)?;
    Some(SeriesKey::new(state.signals.graphed(&rule.query), state.signals.step_for(LIST_SPARK_WIDTH)))
}

/// One line of the detail pane's signals: a name, its query and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalLine {
    pub name: String,
    pub key: SeriesKey,
    pub unit: Unit,
    /// The expression of the alert itself (its own series is picked out).
    pub own: bool,
}

/// The selected alert's expression and its service's golden signals.
pub fn detail_lines(state: &State, alert: &Alert) -> Vec<SignalLine> {
    let step = state.signals.step_for(state.detail_spark_width());
    let mut out = Vec::new();
    if let Some(rule) = state.signals.rule_for(alert) {
        let key = SeriesKey::new(state.signals.graphed(&rule.query), step);
        out.push(SignalLine { name: "expression".into(), key, unit: Unit::None, own: true });
    }
    for t in &state.signals.templates {
        if let Some(query) = fill(&t.query, &alert.labels) {
            let key = SeriesKey::new(query, step);
            out.push(SignalLine { name: t.name.clone(), key, unit: t.unit, own: false });
        }
    }
    out
}

/// Plans the fetches for everything on screen: sparklines, the chart, and
/// the histories of the alerts in view (see [`super::history::schedule`]);
/// then records the histories an open incident's post-mortem needs.
pub fn schedule(state: &mut State) -> Vec<Cmd> {
    if !state.signals.enabled {
        return Vec::new();
    }
    let mut keys: Vec<SeriesKey> = Vec::new();
    let height = state.list_area().height.saturating_sub(2).max(1) as usize;
    let offset = state.view.list_offset;
    let mut shown: Vec<usize> = Vec::new();
    for row in state.alerts.rows.iter().skip(offset).take(height) {
        if let Row::Alert(i) = row {
            shown.push(*i);
            if let Some(k) = list_key(state, &state.alerts.alerts[*i].alert) {
                keys.push(k);
            }
        }
    }
    if let Some(sel) = state.alerts.selected() {
        keys.extend(detail_lines(state, &sel.alert).into_iter().map(|l| l.key));
    }
    if let Some(i) = state.alerts.selected_alert() {
        // The selected alert's first: its History row is the one read.
        shown.insert(0, i);
    }
    if let Some(chart) = &state.view.chart {
        keys.push(chart.key.clone());
    }
    keys.sort();
    keys.dedup();
    let now = state.clock.now;
    let mut cmds: Vec<Cmd> = keys.into_iter().filter_map(|k| state.signals.plan(k, now)).map(Cmd::FetchRange).collect();
    cmds.extend(super::history::schedule(state, &shown));
    cmds.extend(super::history::record(state));
    cmds
}
