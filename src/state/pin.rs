//! `p` on a graph: the graph on screen goes into the incident timeline as a
//! text sparkline (so it reads the same in the journal, the timeline pane and
//! the post-mortem markdown) with its value range and time span. In the
//! chart (`c`, `:query`) that is the charted series; on the board or in the
//! detail, the selected signal row, or the alert's own expression.

use chrono::{DateTime, Utc};

use super::signals::rows::{self, RowData};
use super::signals::{SeriesKey, Unit};
use super::{Pane, State};
use crate::incident::Event;
use crate::model::metrics::Series;
use crate::msg::Cmd;
use crate::text::sparkline;

/// Points in a pinned sparkline: fits a markdown code block and a timeline
/// line, whatever the terminal width was.
pub const PIN_POINTS: usize = 60;

/// A graph reduced to text, ready for `Event::PinnedGraph`.
#[derive(Debug, Clone, PartialEq)]
pub struct TextGraph {
    pub sparkline: String,
    /// Finite range of the points; `None` when there is none.
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// First and last point (unix seconds).
    pub from: i64,
    pub to: i64,
}

/// Samples (fetched every `data_step` s, ending at `end`) over the window
/// as [`PIN_POINTS`] points. Each point holds the last finite sample of the
/// data step before it (or of its own span, when coarser), so data coarser
/// than the points is not mistaken for gaps; NaN, ±Inf and missing samples
/// still are.
pub fn text_graph(samples: &[(f64, f64)], end: i64, window_secs: u64, data_step: u64) -> TextGraph {
    let step = window_secs.max(1) as f64 / PIN_POINTS as f64;
    let span = step.max(data_step.max(1) as f64);
    let from = end as f64 - step * (PIN_POINTS - 1) as f64;
    let values: Vec<Option<f64>> = (0..PIN_POINTS)
        .map(|i| {
            let edge = from + step * (i + 1) as f64;
            let lo = samples.partition_point(|(t, _)| *t < edge - span);
            let hi = samples.partition_point(|(t, _)| *t < edge);
            samples[lo..hi.max(lo)].iter().rev().map(|(_, v)| *v).find(|v| v.is_finite())
        })
        .collect();
    let (min, max) = sparkline::range(&values).map_or((None, None), |(lo, hi)| (Some(lo), Some(hi)));
    TextGraph { sparkline: sparkline::render(&values), min, max, from: from.round() as i64, to: end }
}

pub use crate::model::units::unit_name;

/// `p` outside the logs pane.
pub fn pin(state: &mut State) -> Vec<Cmd> {
    if state.incident.id().is_none() {
        state.flash_error("no incident: declare one with i");
        return Vec::new();
    }
    let events = match graphs(state) {
        Ok(events) => events,
        Err(why) => {
            state.flash_error(why);
            return Vec::new();
        }
    };
    let cmds: Vec<Cmd> =
        events.into_iter().filter_map(|e| state.incident.capture(state.clock.now, e)).map(Cmd::Capture).collect();
    match cmds.len() {
        0 => state.flash_info("already pinned"),
        1 => state.flash_info("graph pinned to the timeline"),
        n => state.flash_info(format!("{n} graphs pinned to the timeline")),
    }
    cmds
}

/// The graphs on screen, as events; an error says why there is none.
fn graphs(state: &State) -> Result<Vec<Event>, String> {
    let window = state.signals.window.as_secs();
    if let Some(chart) = &state.view.chart {
        let cached = state.signals.cache.get(&chart.key).ok_or("the chart has no data yet")?;
        if let Some(e) = &cached.tries.error {
            return Err(format!("nothing to pin: {}", crate::text::brief(e)));
        }
        let top = rows::top_series(cached, state.signals.top_n);
        if top.is_empty() {
            return Err("nothing to pin: no data in the window".into());
        }
        let title =
            |label: &str| if label.is_empty() { chart.title.clone() } else { format!("{} · {label}", chart.title) };
        return Ok(top
            .into_iter()
            .map(|(s, label)| event(title(&label), &chart.key, chart.unit, s, cached.end, window))
            .collect());
    }
    let sel = state.alerts.selected().ok_or("no alert selected")?;
    let lines = super::schedule::detail_lines(state, &sel.alert);
    let rows = rows::rows(&state.signals, &sel.alert, lines);
    if rows.is_empty() {
        return Err("no graph for this alert (no rule or signal data yet)".into());
    }
    let selected = if state.view.focus == Pane::Detail { state.view.detail.signal.unwrap_or(0) } else { 0 };
    let i = selected.min(rows.len() - 1);
    let row = &rows[i];
    // A later series of a signal has no name of its own: take its signal's.
    let name = rows[..=i].iter().rev().find(|r| !r.name.is_empty()).map(|r| r.name.clone()).unwrap_or_default();
    let mut title = format!("{} · {name}", sel.alert.name());
    if !row.label.is_empty() {
        title = format!("{title} · {}", row.label);
    }
    match row.data {
        RowData::Series { series, end } => Ok(vec![event(title, &row.key, row.unit, series, end, window)]),
        RowData::NoData => Err(format!("nothing to pin: {title} has no data in the window")),
        RowData::Error(e) => Err(format!("nothing to pin: {}", crate::text::brief(e))),
    }
}

/// Up/Down in the detail pane: through its signal rows first (the one
/// `p` pins), then scrolling the text below them.
pub fn select_signal(state: &mut State, delta: isize) {
    let count = match state.alerts.selected() {
        Some(sel) => rows::rows(&state.signals, &sel.alert, super::schedule::detail_lines(state, &sel.alert)).len(),
        None => 0,
    };
    match (delta > 0, state.view.detail.signal) {
        (true, None) if count > 0 => state.view.detail.signal = Some(0),
        (true, Some(i)) if i + 1 < count => state.view.detail.signal = Some(i + 1),
        (true, _) => state.view.detail.scroll = state.view.detail.scroll.saturating_add(1),
        (false, _) if state.view.detail.scroll > 0 => state.view.detail.scroll -= 1,
        (false, Some(0)) => state.view.detail.signal = None,
        (false, Some(i)) => state.view.detail.signal = Some(i.min(count).saturating_sub(1)),
        (false, None) => {}
    }
}

pub(super) fn event(title: String, key: &SeriesKey, unit: Unit, s: &Series, end: i64, window: u64) -> Event {
    let g = text_graph(&s.samples, end, window, key.step_secs);
    let time = |t: i64| DateTime::<Utc>::from_timestamp(t, 0).unwrap_or_default();
    Event::PinnedGraph {
        title,
        query: key.query.clone(),
        sparkline: g.sparkline,
        min: g.min,
        max: g.max,
        unit: unit_name(unit).to_string(),
        from: time(g.from),
        to: time(g.to),
    }
}

#[cfg(test)]
pub(crate) mod tests;
