//! The silences view over the body: one line per silence (state, time
//! left or ended ago, creator, matchers, comment), the filter, and the keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::model::{Silence, SilenceState};
use crate::state::State;
use crate::state::silences::state_at;
use crate::state::silences_view::{SilencesView, rows};
use crate::state::sources::format_age;
use crate::text::{clean, truncate_width};

pub const KEYS_HINT: &str = "j/k move · / filter · x expire · e edit · + extend · Esc close";

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &SilencesView) {
    let theme = &state.theme;
    frame.render_widget(Clear, area);
    let list = rows(&state.silences, &view.filter, state.now);
    let mut title = format!(" Silences ({}) ", list.len());
    if !view.filter.is_empty() || view.filtering {
        let cursor = if view.filtering { "█" } else { "" };
        title = format!(" Silences ({}) · /{}{cursor} ", list.len(), clean(&view.filter));
    }
    let hint = if state.read_only { format!(" READ-ONLY · {KEYS_HINT} ") } else { format!(" {KEYS_HINT} ") };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(title, theme.style("title")))
        .title_bottom(Line::styled(hint, theme.style("dim")));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    if let Some(id) = &view.confirm_expire {
        lines.push(Line::styled(format!("expire silence {}? y/n", clean(id)), theme.style("flash_error")));
    }
    if list.is_empty() {
        let text = if view.filter.is_empty() { "no silence" } else { "no silence matches the filter" };
        lines.push(Line::styled(text, theme.style("dim")));
    }
    let room = height.saturating_sub(lines.len()).max(1);
    let first = view.selected.saturating_sub(room - 1);
    for (i, s) in list.iter().enumerate().skip(first).take(room) {
        let line = silence_line(state, s, inner.width as usize);
        lines.push(if i == view.selected { line.patch_style(theme.selected()) } else { line });
    }
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
}

/// "active   23m left  bob     alertname="X", service="api" · deploy".
fn silence_line(state: &State, s: &Silence, width: usize) -> Line<'static> {
    let theme = &state.theme;
    let st = state_at(s, state.now);
    let (name, when, style) = match st {
        SilenceState::Active => ("active", format!("{} left", format_age(s.ends_at - state.now)), "silenced"),
        SilenceState::Pending => ("pending", format!("in {}", format_age(s.starts_at - state.now)), "pending"),
        SilenceState::Expired => ("expired", format!("{} ago", format_age(state.now - s.ends_at)), "dim"),
    };
    let who = truncate_width(&clean(&s.created_by), 12);
    let matchers = s.matchers.iter().map(|m| clean(&m.to_string()).into_owned()).collect::<Vec<_>>().join(", ");
    let used = 1 + 8 + 10 + 13;
    let matchers = truncate_width(&matchers, (width.saturating_sub(used) * 3 / 5).max(12));
    let comment_room = width.saturating_sub(used + matchers.chars().count() + 3);
    let mut spans = vec![
        Span::styled(format!(" {name:<8}"), theme.style(style)),
        Span::styled(format!("{when:<10}"), theme.style("age")),
        Span::styled(format!("{who:<12} "), theme.style("label_key")),
        Span::styled(matchers, theme.style("label_value")),
    ];
    if comment_room > 4 {
        spans
            .push(Span::styled(format!(" · {}", truncate_width(&clean(&s.comment), comment_room)), theme.style("dim")));
    }
    Line::from(spans)
}
