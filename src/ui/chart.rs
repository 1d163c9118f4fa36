//! `c` / `:query`: one query full size, as a braille line chart with a time
//! axis and a legend (top series by current value), or Prometheus' own error.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Clear, Dataset, GraphType, LegendPosition, Paragraph};

use crate::runbook::render::wrap_lines;
use crate::state::signals::format_value;
use crate::state::{ChartView, State};
use crate::text::{clean, truncate_width};
use crate::theme::Role;

/// Lines drawn at most; more would be unreadable.
const TOP_N: usize = 6;
pub(crate) const COLORS: [Color; TOP_N] =
    [Color::Cyan, Color::Yellow, Color::Magenta, Color::Green, Color::Red, Color::Blue];

pub fn draw(frame: &mut Frame, area: Rect, state: &State, chart: &ChartView) {
    let theme = &state.prefs.theme;
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {} ", truncate_width(&clean(&chart.title), 80)), theme.style(Role::Title)))
        .title_bottom(Line::styled(" Esc close ", theme.style(Role::Dim)));
    let Some(cached) = state.signals.cache.get(&chart.key) else {
        frame.render_widget(Paragraph::new("loading…").block(block).style(theme.base()), area);
        return;
    };
    if let Some(err) = &cached.tries.error {
        let text = vec![
            Line::styled(format!("query: {}", clean(&chart.key.query)), theme.style(Role::Dim)),
            Line::styled(clean(&err.to_string()).into_owned(), theme.style(Role::FlashError)),
        ];
        let text = wrap_lines(text, block.inner(area).width);
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let mut series: Vec<_> = cached.series.iter().collect();
    let last = |s: &&crate::model::metrics::Series| {
        s.samples.iter().rev().map(|(_, v)| *v).find(|v| v.is_finite()).unwrap_or(f64::NEG_INFINITY)
    };
    series.sort_by(|a, b| last(b).total_cmp(&last(a)));
    series.truncate(TOP_N);
    if series.is_empty() {
        frame.render_widget(Paragraph::new("no data in the window").block(block).style(theme.base()), area);
        return;
    }
    let named: Vec<(&crate::model::metrics::Series, String)> = series.iter().map(|s| (*s, legend(s))).collect();
    let x = (cached.end as f64 - state.signals.window.as_secs_f64(), cached.end as f64);
    let unit = chart.unit;
    let axis = TimeAxis { x, step_secs: chart.key.step_secs, tz: state.clock.local_offset };
    lines(frame, area, block, &named, &[], axis, &|v| format_value(v, unit), theme);
}

/// A chart's time axis: its span (unix seconds), step, and the offset its
/// labels are written at (the local time zone's, as the board's ages and
/// the logs' stamps are).
#[derive(Debug, Clone, Copy)]
pub struct TimeAxis {
    pub x: (f64, f64),
    pub step_secs: u64,
    pub tz: chrono::FixedOffset,
}

/// Series (with their legend names, at most [`TOP_N`] drawn) as braille
/// lines over the axis, in `block`: the chart's and the dashboards' time
/// series panels alike.
#[allow(clippy::too_many_arguments)]
pub fn lines(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    series: &[(&crate::model::metrics::Series, String)],
    fixed: &[Option<Color>],
    axis: TimeAxis,
    fmt: &dyn Fn(f64) -> String,
    theme: &crate::theme::Theme,
) {
    let TimeAxis { x: (x0, x1), step_secs, tz } = axis;
    let series = &series[..series.len().min(TOP_N)];
    // Ratatui draws a line through gaps, so each run of finite samples is
    // its own dataset: NaN, ±Inf and missing steps stay gaps.
    let step = step_secs as f64;
    let runs: Vec<(usize, Vec<(f64, f64)>)> = series
        .iter()
        .enumerate()
        .flat_map(|(i, (s, _))| split_runs(&s.samples, step).into_iter().map(move |r| (i, r)))
        .collect();
    let (lo, hi) = runs
        .iter()
        .flat_map(|(_, r)| r.iter().map(|p| p.1))
        .fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let mut named = [false; TOP_N];
    let mut datasets: Vec<Dataset> = Vec::with_capacity(runs.len());
    for (i, run) in &runs {
        let color = match fixed.get(*i).copied().flatten() {
            _ if theme.no_color => Color::Reset,
            Some(c) => c,
            None => COLORS[*i],
        };
        let mut d = Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::default().fg(color))
            .data(run);
        if !std::mem::replace(&mut named[*i], true) {
            d = d.name(series[*i].1.clone());
        }
        datasets.push(d);
    }
    let time = |t: f64| {
        chrono::DateTime::from_timestamp(t as i64, 0)
            .map(|d| d.with_timezone(&tz).format("%H:%M").to_string())
            .unwrap_or_default()
    };
    let x = Axis::default()
        .bounds([x0, x1])
        .labels([time(x0), time((x0 + x1) / 2.0), time(x1)])
        .style(theme.style(Role::Dim));
    let y = Axis::default().bounds([lo, hi]).labels([fmt(lo), fmt(hi)]).style(theme.style(Role::Dim));
    let widget = Chart::new(datasets)
        .block(block)
        .x_axis(x)
        .y_axis(y)
        .legend_position(Some(LegendPosition::TopLeft))
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)));
    frame.render_widget(widget, area);
}

fn legend(s: &crate::model::metrics::Series) -> String {
    let labels: Vec<String> = s
        .labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
        .collect();
    if labels.is_empty() { "value".into() } else { truncate_width(&labels.join(","), 50) }
}

/// Splits samples into runs of finite values with no missing step between
/// them.
pub fn split_runs(samples: &[(f64, f64)], step: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut prev: Option<f64> = None;
    for &(t, v) in samples {
        if !v.is_finite() {
            prev = None;
            continue;
        }
        let contiguous = prev.is_some_and(|p| t - p <= step * 1.5);
        if !contiguous {
            runs.push(Vec::new());
        }
        if let Some(r) = runs.last_mut() {
            r.push((t, v));
        }
        prev = Some(t);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::split_runs;

    #[test]
    fn gaps_split_runs() {
        let s = [(0.0, 1.0), (10.0, 2.0), (20.0, f64::NAN), (30.0, 3.0), (60.0, 4.0), (70.0, 5.0)];
        let runs = split_runs(&s, 10.0);
        assert_eq!(runs, vec![vec![(0.0, 1.0), (10.0, 2.0)], vec![(30.0, 3.0)], vec![(60.0, 4.0), (70.0, 5.0)]]);
    }
}
