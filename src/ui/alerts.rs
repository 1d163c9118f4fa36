//! The alert list: group headers and one line per alert. Only the rows in
//! view are built, so 10 000 alerts cost no more to draw than 50.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::model::Severity;
use crate::state::alerts::{BoardAlert, Row};
use crate::state::history::{self, FLAP_MARK};
use crate::state::layout::scroll_offset;
use crate::state::schedule::{LIST_SPARK_WIDTH, list_key};
use crate::state::sources::format_age_coarse;
use crate::state::{Pane, State};
use crate::text::{clean, truncate_width, width as text_width};
use crate::theme::Role;
use crate::ui::sparkline;

/// `, 50000 not shown: limit 50000/source, 3 with text cut` when a source's
/// answer lost alerts past the count limit or had text cut; empty otherwise.
fn cut_note(state: &State) -> String {
    let (mut over, mut text, mut limit) = (0, 0, 0);
    for s in &state.contexts.sources {
        over += s.cut.over_limit;
        text += s.cut.text_cut;
        if s.cut.over_limit > 0 {
            limit = limit.max(s.cut.limit);
        }
    }
    let mut out = String::new();
    if over > 0 {
        out.push_str(&format!(", {over} not shown: limit {limit}/source"));
    }
    if text > 0 {
        out.push_str(&format!(", {text} with text cut"));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let focused = state.view.focus == Pane::Alerts;
    let theme = &state.prefs.theme;
    let board = &state.alerts;
    let shown = board.rows.iter().filter(|r| matches!(r, Row::Alert(_))).count();
    let title = format!(" Alerts ({shown}{}) · by {} ", cut_note(state), board.grouping.name());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(title, theme.style(Role::Title)));
    let inner = block.inner(area);
    let height = inner.height as usize;
    let cursor = board.cursor();
    // The state keeps the window at its size; drawn at another (a test's
    // buffer), the cursor is kept in view all the same.
    let offset = scroll_offset(state.view.list_offset, cursor, height, board.rows.len());

    let lines: Vec<Line> = if board.rows.is_empty() {
        vec![Line::styled(empty_text(state), theme.style(Role::Dim))]
    } else {
        board
            .rows
            .iter()
            .enumerate()
            .skip(offset)
            .take(height)
            .map(|(i, row)| {
                let line = match row {
                    Row::Group { key, count, severity } => group_line(state, key, *count, *severity),
                    Row::Alert(a) => alert_line(state, &board.alerts[*a], inner.width as usize),
                };
                if Some(i) == cursor { line.patch_style(theme.selected()) } else { line }
            })
            .collect()
    };
    frame.render_widget(Paragraph::new(lines).block(block).style(theme.base()), area);
}

fn empty_text(state: &State) -> String {
    let c = &state.alerts.counts;
    if state.contexts.sources.iter().all(|s| s.last_ok.is_none()) {
        "waiting for the first poll…".into()
    } else if c.filtered_out > 0 {
        format!("no alert matches the filter ({} hidden) · Esc clears it", c.filtered_out)
    } else if c.muted_hidden > 0 {
        format!("no firing alert · {} silenced/inhibited hidden (m shows them)", c.muted_hidden)
    } else {
        "no alert firing".into()
    }
}

fn group_line<'a>(state: &State, key: &str, count: usize, severity: Severity) -> Line<'a> {
    let theme = &state.prefs.theme;
    Line::from(vec![
        Span::styled("▌", theme.severity(severity)),
        Span::styled(format!("{} ", clean(key)), theme.style(Role::Group)),
        Span::styled(format!("({count})"), theme.style(Role::Dim)),
    ])
}

fn alert_line<'a>(state: &State, b: &BoardAlert, width: usize) -> Line<'a> {
    let theme = &state.prefs.theme;
    let a = &b.alert;
    let sev = a.severity();
    let age = format_age_coarse(state.clock.now - a.starts_at);
    // The first column marks an alert that flaps (its history says so).
    let flapping = state.alerts.history.enabled && state.alerts.history.flapping(&history::query_of(state, a));
    let mark =
        if flapping { Span::styled(FLAP_MARK, theme.style(Role::Warning)) } else { Span::styled(" ", theme.base()) };
    let mut spans = vec![
        mark,
        Span::styled(format!("{:<4} ", severity_tag(sev)), theme.severity(sev)),
        Span::styled(format!("{:<9} ", a.state.name()), theme.state(a.state)),
        Span::styled(format!("{age:>4} "), theme.style(Role::Age)),
    ];
    let mut used: usize = 1 + 5 + 10 + 5;
    if state.signals.enabled && width >= 80 {
        spans.extend(list_sparkline(state, a));
        spans.push(Span::raw(" "));
        used += LIST_SPARK_WIDTH as usize + 1;
    }
    if let Some(ack) = state.silences.ack_for(a, state.clock.now) {
        // After the sparkline (whose column stays aligned) and before the
        // labels, so a narrow list still shows who is on it.
        let mark = format!("✓ {} ", truncate_width(&clean(&ack.describe(state.clock.now)), 32));
        used += text_width(&mark);
        spans.push(Span::styled(mark, theme.style(Role::FlashInfo)));
    }
    if state.alerts.grouping.name() != "alertname" {
        let name = truncate_width(&clean(a.name()), 28);
        used += text_width(&name) + 1;
        spans.push(Span::styled(format!("{name} "), theme.style(Role::Header)));
    }
    let group_label = state.alerts.grouping.name();
    let labels: Vec<String> = a
        .identifying_labels()
        .filter(|(k, _)| k.as_str() != group_label)
        .map(|(k, v)| format!("{}={}", clean(k), clean(v)))
        .collect();
    let labels = truncate_width(&labels.join(" "), (width.saturating_sub(used) * 3 / 5).max(10));
    used += text_width(&labels);
    spans.push(Span::styled(labels, theme.style(Role::LabelValue)));
    if let Some(summary) = a.summary() {
        let room = width.saturating_sub(used + 3);
        if room > 5 {
            spans.push(Span::styled(format!(" · {}", truncate_width(&clean(summary), room)), theme.style(Role::Dim)));
        }
    }
    if b.stale {
        spans.push(Span::styled(" (stale)", theme.style(Role::Stale)));
    }
    if b.unconfirmed {
        spans.push(Span::styled(" (unconfirmed)", theme.style(Role::Stale)));
    }
    Line::from(spans)
}

/// The alert's own expression over the window, or blanks when its rule (or
/// its data) is not known yet.
fn list_sparkline(state: &State, a: &crate::model::Alert) -> Vec<Span<'static>> {
    let width = LIST_SPARK_WIDTH as usize;
    let found = list_key(state, a).and_then(|key| {
        let end = state.signals.cache.get(&key)?.end as f64;
        let series = state.signals.alert_series(a, &key)?;
        Some((series.samples.clone(), end, key.step_secs as f64))
    });
    match found {
        Some((samples, end, step)) => {
            let style = state.prefs.theme.severity(a.severity());
            // No start mark here (the detail's signals have one): the age
            // column beside it says when, and a mark on every row moved at
            // every step, restyling two cells per row of an idle board.
            let look = sparkline::Look { style, mark: None, mark_style: style, same: None };
            sparkline::spans(&samples, end, step, width, &look).0
        }
        None => vec![Span::styled(" ".repeat(width), state.prefs.theme.style(Role::Dim))],
    }
}

pub fn severity_tag(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::Warning => "WARN",
        Severity::Info => "INFO",
        Severity::Other => "----",
    }
}
