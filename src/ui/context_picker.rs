//! The context picker (`ctrl-x`, `:ctx`): every configured context with
//! its sources, the active one marked, read-only ones flagged, as k9s lists
//! its contexts.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::state::State;
use crate::state::contexts::Picker;
use crate::text::{clean, fit_width};
use crate::theme::Role;

/// Widest a context name is shown.
const NAME_WIDTH: usize = 24;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, picker: &Picker) {
    let theme = &state.prefs.theme;
    let visible = crate::state::contexts::visible(picker, &state.contexts.known);
    let mut lines: Vec<Line> = Vec::new();
    for (i, ctx) in visible.iter().enumerate() {
        let current = ctx.name == state.contexts.active;
        let mark = if current { "● " } else { "  " };
        let mut spans = vec![
            Span::styled(mark, theme.style(Role::StatusUp)),
            Span::styled(format!("{} ", fit_width(&clean(&ctx.name), NAME_WIDTH)), theme.style(Role::LabelValue)),
            Span::styled(ctx.describe(), theme.style(Role::Dim)),
        ];
        if ctx.read_only {
            spans.push(Span::styled("  READ-ONLY", theme.style(Role::FlashError)));
        }
        let line = Line::from(spans);
        lines.push(if i == picker.selected { line.style(theme.selected()) } else { line });
    }
    if visible.is_empty() {
        lines.push(Line::styled("  no context matches", theme.style(Role::Dim)));
    }
    let filter = if picker.active() {
        format!(" /{}{} ", clean(&picker.filter), if picker.filtering { "█" } else { "" })
    } else {
        String::new()
    };
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 72.min(area.width);
    let [v] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(v);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" Contexts ", theme.style(Role::Title)))
        .title(Span::styled(filter, theme.style(Role::Prompt)))
        .title_bottom(Line::styled(" ↑↓ select · Enter switch · / filter · Esc close ", theme.style(Role::Dim)));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    frame.render_widget(Paragraph::new(lines).style(theme.base()), inner);
}
