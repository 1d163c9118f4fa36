//! `?`: every binding in force, grouped by task, generated from the keymap
//! (so a remapped key shows here as it works).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::keymap::{Action, Keymap};
use crate::state::State;
use crate::ui::theme::Theme;

pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    let mut groups: Vec<&str> = Vec::new();
    for a in Action::ALL {
        if !groups.contains(&a.group()) {
            groups.push(a.group());
        }
    }
    let mut lines = Vec::new();
    for g in groups {
        lines.push(Line::styled(g.to_string(), theme.style("header")));
        for a in Action::ALL.iter().filter(|a| a.group() == g) {
            let keys: Vec<String> = keymap.keys_for(*a).iter().map(ToString::to_string).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<16}", keys.join(" ")), theme.style("help_key")),
                Span::styled(a.description().to_string(), theme.style("label_value")),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled("any key closes this help", theme.style("dim")));
    lines
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let lines = lines(&state.keymap, &state.theme);
    let height = (lines.len() as u16 + 2).min(area.height);
    let width = 72.min(area.width);
    let [v] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(v);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(state.theme.border(true))
        .title(Span::styled(" Keys ", state.theme.style("title")));
    frame.render_widget(Paragraph::new(lines).block(block).style(state.theme.base()), popup);
}
