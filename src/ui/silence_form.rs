//! The silence form as a popup: one row per matcher (on/off, name, operator,
//! value), the duration presets, the comment, who creates it, the live
//! preview, and the keys on its bottom border. The guard-rail question
//! replaces the preview while it waits for `y`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::runbook::render::wrap_lines;
use crate::state::State;
use crate::state::silences::form::{Field, PRESETS, SilenceForm, Until};
use crate::text::{clean, truncate_width};
use crate::theme::Role;

/// The keys, as shown on the form's bottom line.
pub const KEYS_HINT: &str = "Tab/S-Tab field · space on/off · ←/→ operator or duration · Enter submit · Esc cancel";

/// How many alert names the preview lists before "…".
const PREVIEW_NAMES: usize = 6;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, form: &SilenceForm) {
    let height = (form.rows.len() as u16 + 12).min(area.height);
    let popup = area.centered(Constraint::Length(area.width.min(96)), Constraint::Length(height));
    frame.render_widget(Clear, popup);
    let theme = &state.prefs.theme;
    let title = match &form.replaces {
        Some(id) => format!(" Edit silence {} ", truncate_width(&clean(id), 40)),
        None => " New silence ".to_string(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.style(Role::Title)))
        .title_bottom(Line::styled(format!(" {KEYS_HINT} "), theme.style(Role::Dim)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let width = inner.width as usize;
    let mut lines = vec![Line::styled("Matchers", theme.style(Role::Header))];
    for (i, row) in form.rows.iter().enumerate() {
        let focused = form.field() == Field::Matcher(i);
        let m = &row.matcher;
        let mark = if row.enabled { "[x]" } else { "[ ]" };
        let style = if !row.enabled { theme.style(Role::Dim) } else { theme.style(Role::LabelValue) };
        let value = truncate_width(&clean(&m.value), width.saturating_sub(m.name.len() + 12).max(8));
        let mut spans = vec![
            Span::styled(format!("{} {mark} ", cursor(focused)), style),
            Span::styled(clean(&m.name).into_owned(), theme.style(Role::LabelKey)),
            Span::styled(format!(" {:<2} ", m.operator()), theme.style(Role::Prompt)),
            Span::styled(format!("\"{value}\""), style),
        ];
        if focused {
            spans.push(Span::styled("█", theme.style(Role::Prompt)));
        }
        lines.push(highlight(Line::from(spans), focused, theme.selected()));
    }
    lines.push(Line::default());
    lines.push(until_line(state, form));
    let focused = form.field() == Field::Comment;
    let comment = truncate_width(&clean(&form.comment), width.saturating_sub(14));
    let comment_span = if form.comment.is_empty() && !focused {
        Span::styled("(required: why?)", theme.style(Role::Dim))
    } else {
        Span::styled(comment, theme.style(Role::LabelValue))
    };
    let mut spans =
        vec![Span::styled(format!("{} Comment  ", cursor(focused)), theme.style(Role::Header)), comment_span];
    if focused {
        spans.push(Span::styled("█", theme.style(Role::Prompt)));
    }
    lines.push(highlight(Line::from(spans), focused, theme.selected()));
    lines.push(Line::styled(format!("  Created by {}", clean(&form.created_by)), theme.style(Role::Dim)));
    lines.push(Line::default());
    lines.extend(status_lines(state, form, width));
    frame.render_widget(Paragraph::new(wrap_lines(lines, inner.width)).style(theme.base()), inner);
}

fn cursor(focused: bool) -> &'static str {
    if focused { "›" } else { " " }
}

fn highlight(line: Line<'static>, focused: bool, style: Style) -> Line<'static> {
    if focused { line.patch_style(style) } else { line }
}

/// "Duration  15m  [1h]  4h  custom: ___  → ends 13:00 UTC".
fn until_line(state: &State, form: &SilenceForm) -> Line<'static> {
    let theme = &state.prefs.theme;
    let focused = form.field() == Field::Until;
    let mut spans = vec![Span::styled(format!("{} Duration ", cursor(focused)), theme.style(Role::Header))];
    for (i, (name, _)) in PRESETS.iter().enumerate() {
        let on = form.until == Until::Preset(i);
        let text = if on { format!("[{name}]") } else { format!(" {name} ") };
        spans.push(Span::styled(text, if on { theme.style(Role::Prompt) } else { theme.style(Role::Dim) }));
    }
    let custom_on = form.until == Until::Custom;
    let custom = format!(" custom: {}", clean(&form.custom));
    spans.push(Span::styled(custom, if custom_on { theme.style(Role::Prompt) } else { theme.style(Role::Dim) }));
    if focused && custom_on {
        spans.push(Span::styled("█", theme.style(Role::Prompt)));
    }
    let end = crate::state::silences::form_parse::parse_until_local(
        form.until_text(),
        state.clock.now,
        state.clock.local_offset,
    );
    spans.push(match end {
        Ok(t) => Span::styled(format!("  → ends {}", t.format("%Y-%m-%d %H:%M UTC")), theme.style(Role::Age)),
        Err(_) if custom_on => Span::styled("  → duration (90m, 2h30m) or end time", theme.style(Role::Dim)),
        Err(_) => Span::raw(""),
    });
    highlight(Line::from(spans), focused, theme.selected())
}

/// The error, the guard-rail question, or the preview.
fn status_lines(state: &State, form: &SilenceForm, width: usize) -> Vec<Line<'static>> {
    let theme = &state.prefs.theme;
    if let Some(q) = &form.confirm {
        return vec![Line::styled(format!("⚠ {q}"), theme.style(Role::FlashError))];
    }
    let mut lines = Vec::new();
    if let Some(e) = &form.error {
        lines.push(Line::styled(format!("✖ {}", clean(e)), theme.style(Role::FlashError)));
    }
    if form.posting {
        lines.push(Line::styled("posting to Alertmanager…", theme.style(Role::FlashInfo)));
        return lines;
    }
    let p = &form.preview;
    if let Some(e) = &p.error {
        lines.push(Line::styled(format!("✖ {}", clean(e)), theme.style(Role::FlashError)));
        return lines;
    }
    let noun = if p.count == 1 { "alert" } else { "alerts" };
    let mut names: Vec<String> = p.names.iter().take(PREVIEW_NAMES).map(|n| clean(n).into_owned()).collect();
    if p.names.len() > PREVIEW_NAMES {
        names.push(format!("… +{}", p.names.len() - PREVIEW_NAMES));
    }
    let list = if names.is_empty() { String::new() } else { format!(": {}", names.join(", ")) };
    let text = truncate_width(&format!("matches {} current {noun}{list}", p.count), width);
    lines.push(Line::styled(text, theme.style(Role::FlashInfo)));
    lines
}
