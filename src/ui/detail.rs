//! The selected alert, whole: state and times, summary and description, all
//! labels and annotations, links, and who reported it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::model::Alert;
use crate::model::mask_userinfo;
use crate::runbook::render::wrap_lines;
use crate::state::history::{self, View};
use crate::state::layout::{DETAIL_NAME_W as NAME_W, DETAIL_VALUE_W as VALUE_W};
use crate::state::schedule::detail_lines;
use crate::state::signals::format_value;
use crate::state::signals::rows::{self, RowData, SignalRow};
use crate::state::sources::format_age_coarse;
use crate::state::{Pane, State};
use crate::text::{clean, clean_multiline, truncate_width};
use crate::theme::Role;
use crate::ui::sparkline;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.prefs.theme;
    let focused = state.view.focus == Pane::Detail;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(" Detail ", theme.style(Role::Title)));
    let inner_width = block.inner(area).width;
    let lines = match state.alerts.selected() {
        Some(b) => {
            let mut lines = alert_lines(state, &b.alert);
            let mut top = history_lines(state, &b.alert, inner_width);
            top.extend(signal_lines(state, &b.alert, inner_width));
            lines.splice(2..2, top);
            if b.unconfirmed {
                let text = "not confirmed by Alertmanager (down): silences, inhibitions and notifications unknown";
                lines.insert(1, Line::styled(text, theme.style(Role::Stale)));
            }
            if b.stale {
                lines.insert(1, Line::styled("stale: every source that reported it is down", theme.style(Role::Stale)));
            }
            lines
        }
        None => vec![Line::styled("no alert selected", theme.style(Role::Dim))],
    };
    let p = Paragraph::new(wrap_lines(lines, inner_width))
        .block(block)
        .style(theme.base())
        .scroll((state.view.detail.scroll, 0));
    frame.render_widget(p, area);
}

fn alert_lines(state: &State, a: &Alert) -> Vec<Line<'static>> {
    let theme = &state.prefs.theme;
    let sev = a.severity();
    let mut lines = vec![Line::from(vec![
        Span::styled(clean(a.name()).into_owned(), theme.severity(sev)),
        Span::styled(format!("  {} ", sev.name()), theme.severity(sev)),
        Span::styled(a.state.name().to_string(), theme.state(a.state)),
    ])];
    if let Some(ack) = state.silences.ack_for(a, state.clock.now) {
        let until = ack.ends_at.format("%H:%M UTC");
        let text =
            format!("✓ {} (until {until}, silence {})", clean(&ack.describe(state.clock.now)), clean(&ack.silence_id));
        lines.push(Line::styled(text, theme.style(Role::FlashInfo)));
    }
    // The start to the second, its age to the minute like every other age
    // on screen: a young alert's detail does not repaint every poll.
    let since = a.starts_at.format("%Y-%m-%d %H:%M:%S UTC");
    let age = format_age_coarse(state.clock.now - a.starts_at);
    lines.push(Line::styled(format!("since {since} ({age} ago)"), theme.style(Role::Age)));
    if let Some(v) = &a.value {
        lines.push(kv(state, "value", v));
    }
    for key in ["summary", "description"] {
        if let Some(text) = a.annotations.get(key) {
            lines.push(Line::default());
            for l in clean_multiline(&mask_userinfo(text)).lines() {
                lines.push(Line::styled(l.to_string(), theme.style(Role::LabelValue)));
            }
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled("Labels", theme.style(Role::Header)));
    for (k, v) in &a.labels {
        lines.push(kv(state, k, v));
    }
    let others: Vec<_> =
        a.annotations.iter().filter(|(k, _)| !matches!(k.as_str(), "summary" | "description")).collect();
    if !others.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("Annotations", theme.style(Role::Header)));
        for (k, v) in others {
            lines.push(kv(state, k, v));
        }
    }
    lines.push(Line::default());
    if let Some(url) = &a.generator_url {
        lines.push(kv(state, "generatorURL", url));
    }
    lines.push(kv(state, "fingerprint", &a.fingerprint));
    lines.push(kv(state, "reported by", &a.sources.join(", ")));
    if !a.receivers.is_empty() {
        lines.push(kv(state, "receivers", &a.receivers.join(", ")));
    }
    if !a.silenced_by.is_empty() {
        lines.push(kv(state, "silenced by", &a.silenced_by.join(", ")));
    }
    if !a.inhibited_by.is_empty() {
        lines.push(kv(state, "inhibited by", &a.inhibited_by.join(", ")));
    }
    lines
}

/// Remote words (a server's error) in the History row at most.
const HISTORY_TEXT_MAX: usize = 200;

/// The History row: how often the alert fired over the history window in
/// words, and under them a strip of the window (one cell per bucket, the
/// oldest left), or why that is not known.
fn history_lines(state: &State, a: &Alert, width: u16) -> Vec<Line<'static>> {
    let theme = &state.prefs.theme;
    let q = history::query_of(state, a);
    let window = crate::model::history::window(state.alerts.history.window.as_secs());
    let (words, style, summary) = match state.alerts.history.view(&q, a) {
        View::Off => ("no Prometheus configured: the history is read from its ALERTS series".into(), Role::Dim, None),
        View::Loading => (format!("reading {window} of ALERTS…"), Role::Dim, None),
        View::Failed { error, rejected: true } => {
            (format!("Prometheus refused the history query: {error}"), Role::FlashError, None)
        }
        View::Failed { error, rejected: false } => {
            (format!("history unavailable, asked again later: {error}"), Role::FlashError, None)
        }
        View::Ready(s) => (s.words(state.clock.now), Role::LabelValue, Some(s)),
    };
    let words = truncate_width(&clean(&words), HISTORY_TEXT_MAX);
    let mut lines = vec![Line::from(vec![
        Span::styled(crate::text::pad_width("History", NAME_W), theme.style(Role::LabelKey)),
        Span::styled(words, theme.style(style)),
    ])];
    let ago = format!("{window} ago ");
    let room = (width as usize).saturating_sub(NAME_W.max(crate::text::width(&ago)) + " now".len());
    if let Some(s) = summary.filter(|_| room >= 8) {
        let cells = s.strip(room.min(history::STRIP_MAX_CELLS));
        let mut spans = vec![Span::styled(format!("{ago:>NAME_W$}"), theme.style(Role::Dim))];
        let (fired, quiet) = (theme.severity(a.severity()), theme.style(Role::Dim));
        for run in cells.chunk_by(|x, y| x == y) {
            let (c, st) = if run[0] { ('█', fired) } else { ('▁', quiet) };
            spans.push(Span::styled(c.to_string().repeat(run.len()), st));
        }
        spans.push(Span::styled(" now", theme.style(Role::Dim)));
        lines.push(Line::from(spans));
    }
    lines
}

/// Widest name column: series labels longer than this are cut.
const NAME_MAX: usize = 32;

/// The alert's expression and its service's golden signals, each a
/// sparkline with the current value, min and max, the alert's start marked;
/// a signal with several series shows its top N under its name, each
/// labelled with what tells it apart.
fn signal_lines(state: &State, a: &Alert, width: u16) -> Vec<Line<'static>> {
    let theme = &state.prefs.theme;
    // The fetch resolution depends on the pane width only (not on the data,
    // or a label appearing would change the query and lose the cache)…
    let full_w = crate::state::layout::detail_spark_width(width) as usize;
    let rows = rows::rows(&state.signals, a, detail_lines(state, a));
    // …and labels take their room from the sparklines, drawn coarser.
    let label_w = rows.iter().map(|r| crate::text::width(&clean(&r.label)) + 2).max().unwrap_or(0);
    let name_w = label_w.clamp(NAME_W, NAME_MAX);
    let layout = Columns { name_w, spark_w: full_w.saturating_sub(name_w - NAME_W).max(10), full_w };
    let selected = state.view.detail.signal.filter(|_| state.view.focus == Pane::Detail);
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if !row.label.is_empty() && !row.name.is_empty() {
            let n = state.signals.cache.get(&row.key).map_or(0, |c| c.series.len());
            lines.push(Line::from(vec![
                Span::styled(
                    crate::text::pad_width(&truncate_width(&clean(&row.name), name_w - 1), name_w),
                    theme.style(Role::LabelKey),
                ),
                Span::styled(
                    format!("top {} of {n} by current value", state.signals.top_n.min(n)),
                    theme.style(Role::Dim),
                ),
            ]));
        }
        lines.push(signal_row(state, a, row, &layout, selected == Some(i)));
    }
    let mut out = Vec::new();
    if let Some(rule) = state.signals.rule_for(a) {
        out.push(Line::default());
        out.push(kv(state, "expr", &rule.query));
    }
    if !lines.is_empty() {
        out.push(Line::default());
        out.push(Line::styled("Signals", theme.style(Role::Header)));
        out.extend(lines);
    }
    out
}

struct Columns {
    name_w: usize,
    spark_w: usize,
    /// The sparkline width the data was fetched for.
    full_w: usize,
}

/// One series: its name (or label, under its signal's name), sparkline and
/// values.
fn signal_row(state: &State, a: &Alert, row: &SignalRow, c: &Columns, selected: bool) -> Line<'static> {
    let theme = &state.prefs.theme;
    let name_style = if selected { theme.style(Role::Selected) } else { theme.style(Role::LabelKey) };
    let name = if row.label.is_empty() { clean(&row.name).into_owned() } else { format!(" {}", clean(&row.label)) };
    let name_w = c.name_w;
    let mut spans = vec![Span::styled(crate::text::pad_width(&truncate_width(&name, name_w - 1), name_w), name_style)];
    match row.data {
        RowData::Error(e) => spans.push(Span::styled(
            truncate_width(&crate::text::brief(e), c.spark_w + VALUE_W),
            theme.style(Role::FlashError),
        )),
        RowData::NoData => spans.push(Span::styled("no data", theme.style(Role::Dim))),
        RowData::Series { series, end } => {
            // Narrower than fetched: each column spans more than one step,
            // so it still holds a sample wherever there is one.
            let step = row.key.step_secs as f64 * c.full_w as f64 / c.spark_w as f64;
            // Flat when min and max print the same: "19ms (min 19ms max 19ms)"
            // is not drawn as a sawtooth.
            let unit = row.unit;
            let same = move |lo: f64, hi: f64| format_value(lo, unit) == format_value(hi, unit);
            let look = sparkline::Look {
                style: theme.style(Role::Info),
                mark: Some(a.starts_at.timestamp() as f64),
                mark_style: theme.severity(a.severity()),
                same: Some(&same),
            };
            let (sp, values) = sparkline::spans(&series.samples, end as f64, step, c.spark_w, &look);
            spans.extend(sp);
            let now = values.iter().rev().flatten().next().copied().unwrap_or(f64::NAN);
            let (lo, hi) = sparkline::range(&values).unwrap_or((f64::NAN, f64::NAN));
            let (now, lo, hi) = (format_value(now, row.unit), format_value(lo, row.unit), format_value(hi, row.unit));
            spans.push(Span::styled(format!(" {now} (min {lo} max {hi})"), theme.style(Role::LabelValue)));
        }
    }
    Line::from(spans)
}

fn kv(state: &State, key: &str, value: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{}: ", clean(key)), state.prefs.theme.style(Role::LabelKey)),
        Span::styled(clean(&mask_userinfo(value)).into_owned(), state.prefs.theme.style(Role::LabelValue)),
    ])
}

#[cfg(test)]
mod tests;
