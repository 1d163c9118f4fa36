//! The logs pane: the selected alert's lines, newest at the bottom, with
//! time, level and search matches; the query, the follow mode and a "new
//! lines" marker in the borders. Only the rows on screen are built, so a
//! full ring costs a frame no more than a few lines.

mod rows;

use chrono::{DateTime, FixedOffset, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::model::logs::FollowMode;
use crate::state::logs::rows::{PREFIX_WIDTH, prefix_width, text_width, wrap};
use crate::state::logs::{Level, LogsView, ViewLine};
use crate::state::sources::format_age_coarse;
use crate::text::truncate_width;
use crate::theme::Role;
use crate::theme::Theme;

/// `local` is the local time zone's offset the state was told
/// (`State::local_offset`), for the times when not in UTC.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    view: &LogsView,
    theme: &Theme,
    focused: bool,
    now: DateTime<Utc>,
    local: FixedOffset,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(title(view, theme, now))
        .title_top(counts(view, theme).right_aligned())
        .title_bottom(query_line(view, theme, area.width))
        .title_bottom(marker(view, theme).right_aligned());
    let inner = block.inner(area);
    // Full screen (`f`) or focused in the detail's place, the pane is drawn
    // over another one: cleared first, or a short line would show the text
    // underneath beside it.
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    let mut lines = Vec::new();
    if let Some(e) = &view.error {
        let text = truncate_width(&format!("✖ {e}"), inner.width as usize);
        lines.push(Line::styled(text, theme.style(Role::FlashError)));
    }
    let height = (inner.height as usize).saturating_sub(lines.len());
    match placeholder(view) {
        Some(text) => lines.push(Line::styled(text, theme.style(Role::Dim))),
        None => {
            let tz = if view.utc { FixedOffset::east_opt(0).expect("UTC") } else { local };
            lines.extend(body(view, theme, focused, tz, (inner.width as usize, height)));
        }
    }
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
}

fn title<'a>(view: &LogsView, theme: &Theme, now: DateTime<Utc>) -> Line<'a> {
    let mut spans = vec![Span::styled(" Logs ", theme.style(Role::Title))];
    if let Some(t) = &view.target {
        spans.push(Span::styled(format!("{} ", truncate_width(&crate::text::clean(t), 40)), theme.style(Role::Header)));
    }
    let mode = match (&view.mode, view.loading, view.ended) {
        (_, true, _) => "loading…",
        (_, _, true) => "stopped",
        (Some(FollowMode::Tail), ..) => "live",
        (Some(FollowMode::Poll { .. }), ..) => "polling",
        (None, ..) if view.query.is_some() => "fetched",
        (None, ..) => "",
    };
    if !mode.is_empty() {
        spans.push(Span::styled(format!("[{mode}] "), theme.style(Role::Dim)));
    }
    if !view.is_following() {
        spans.push(Span::styled("paused ", theme.style(Role::Warning)));
    }
    spans.push(Span::styled(if view.utc { "UTC " } else { "local " }, theme.style(Role::Dim)));
    if let (Some(last), true) = (view.last_line(), view.is_following()) {
        let age = now - DateTime::from_timestamp_nanos(last.line.ts_ns);
        if age >= chrono::Duration::zero() {
            spans.push(Span::styled(format!("last {} ago ", format_age_coarse(age)), theme.style(Role::Age)));
        }
    }
    Line::from(spans)
}

/// Filter, search and how many lines are held.
fn counts<'a>(view: &LogsView, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    if let Some(f) = view.filter() {
        spans.push(Span::styled(format!(" {} ", truncate_width(f.input(), 30)), theme.style(Role::Prompt)));
        spans.push(Span::styled(format!("{}/{} ", view.shown_len(), view.len()), theme.style(Role::Dim)));
    } else if !view.is_empty() {
        spans.push(Span::styled(format!(" {} lines ", view.len()), theme.style(Role::Dim)));
    }
    if let Some(s) = view.search() {
        spans.push(Span::styled(format!("/{} ", truncate_width(s.text(), 20)), theme.style(Role::Prompt)));
    }
    Line::from(spans)
}

fn query_line<'a>(view: &LogsView, theme: &Theme, width: u16) -> Line<'a> {
    match &view.query {
        Some(q) => {
            let room = (width as usize).saturating_sub(20).max(8);
            Line::styled(format!(" {} ", truncate_width(&crate::text::clean(q), room)), theme.style(Role::Dim))
        }
        None => Line::default(),
    }
}

/// `↓ 12 new` while scrolled up; what Loki dropped, when it did.
fn marker<'a>(view: &LogsView, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::new();
    if view.dropped > 0 {
        spans.push(Span::styled(format!(" Loki dropped {} ", view.dropped), theme.style(Role::Warning)));
    }
    if view.new_below > 0 {
        spans.push(Span::styled(format!(" ↓ {} new ", view.new_below), theme.style(Role::Warning)));
    }
    Line::from(spans)
}

fn placeholder(view: &LogsView) -> Option<String> {
    if view.shown_len() > 0 {
        return None;
    }
    Some(if view.loading {
        "loading logs…".to_string()
    } else if view.target.is_none() && view.query.is_none() {
        "select an alert to see its logs".to_string()
    } else if !view.is_empty() {
        format!("no line matches the filter ({} hidden)", view.len())
    } else if view.error.is_some() {
        String::new()
    } else {
        "no log lines in this window".to_string()
    })
}

fn level_style(theme: &Theme, level: Level) -> Style {
    match level {
        Level::Error => theme.style(Role::Critical),
        Level::Warn => theme.style(Role::Warning),
        Level::Info => theme.style(Role::Info),
        Level::Debug | Level::Unknown => theme.style(Role::Dim),
    }
}

/// A line's time at the offset `tz` (zero in UTC).
fn timestamp(ts_ns: i64, tz: FixedOffset) -> String {
    DateTime::from_timestamp_nanos(ts_ns).with_timezone(&tz).format("%H:%M:%S%.3f").to_string()
}

/// The rows on screen from the first line the state placed
/// ([`LogsView::top`]; drawn at another size than the state's, a test's
/// buffer, the cursor is kept in view all the same).
fn body<'a>(
    view: &LogsView,
    theme: &Theme,
    focused: bool,
    tz: FixedOffset,
    (width, height): (usize, usize),
) -> Vec<Line<'a>> {
    let (prefix, text_w) = (prefix_width(width), text_width(width));
    let n = view.shown_len();
    let cursor = view.cursor_pos().unwrap_or(n.saturating_sub(1));
    let top = view.first_shown(width, height);
    let mut out = Vec::with_capacity(height);
    for pos in top..n {
        if out.len() >= height {
            break;
        }
        let Some(v) = view.shown_line(pos) else { break };
        let selected = focused && pos == cursor;
        out.extend(line_rows(view, v, theme, tz, (prefix, text_w), selected));
    }
    out.truncate(height);
    out
}

fn line_rows<'a>(
    view: &LogsView,
    v: &ViewLine,
    theme: &Theme,
    tz: FixedOffset,
    (prefix, text_w): (usize, usize),
    selected: bool,
) -> Vec<Line<'a>> {
    let text = v.line.line.as_str();
    let marks = view.search().map(|s| s.ranges(text)).unwrap_or_default();
    let base = theme.base();
    let mark = base.add_modifier(Modifier::REVERSED | Modifier::BOLD);
    let mut head = Vec::new();
    if prefix == PREFIX_WIDTH {
        head.push(Span::styled(format!("{} ", timestamp(v.line.ts_ns, tz)), theme.style(Role::Dim)));
    }
    head.push(Span::styled(format!("{} ", v.level.tag()), level_style(theme, v.level)));
    let (ranges, cut_right) = if view.wrap {
        (wrap(text, text_w), false)
    } else {
        let (r, cut) = rows::window(text, view.hscroll, text_w);
        (vec![if cut { rows::shrink(text, r, text_w) } else { r }], cut)
    };
    let mut out = Vec::with_capacity(ranges.len());
    for (i, r) in ranges.into_iter().enumerate() {
        let mut spans = if i == 0 { std::mem::take(&mut head) } else { vec![Span::raw(" ".repeat(prefix))] };
        spans.extend(rows::spans(text, r, &marks, base, mark));
        if cut_right {
            spans.push(Span::styled("…", theme.style(Role::Dim)));
        }
        if selected {
            spans = spans.into_iter().map(|s| s.patch_style(theme.selected())).collect();
        }
        out.push(Line::from(spans));
    }
    out
}

#[cfg(test)]
mod tests;
