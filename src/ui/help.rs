//! `?`: every binding in force, grouped by task, generated from the keymap
//! (so a remapped key shows here as it works).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::keymap::{Action, Keymap};
use crate::state::State;
use crate::ui::theme::Theme;

/// The help, one block of lines per task group.
pub fn groups(keymap: &Keymap, theme: &Theme) -> Vec<Vec<Line<'static>>> {
    let mut names: Vec<&str> = Vec::new();
    for a in Action::ALL {
        if !names.contains(&a.group()) {
            names.push(a.group());
        }
    }
    names
        .into_iter()
        .map(|g| {
            let mut lines = vec![Line::styled(g.to_string(), theme.style("header"))];
            for a in Action::ALL.iter().filter(|a| a.group() == g) {
                let keys: Vec<String> = keymap.keys_for(*a).iter().map(ToString::to_string).collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("  {:<16}", keys.join(" ")), theme.style("help_key")),
                    Span::styled(a.description().to_string(), theme.style("label_value")),
                ]));
            }
            lines
        })
        .collect()
}

/// Every binding as one list (for tests and plain output).
pub fn lines(keymap: &Keymap, theme: &Theme) -> Vec<Line<'static>> {
    groups(keymap, theme).into_iter().flatten().collect()
}

/// Draws the groups in as many columns as the height needs (up to three),
/// never splitting a group across columns.
pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let groups = groups(&state.keymap, &state.theme);
    let total: usize = groups.iter().map(Vec::len).sum();
    let room = area.height.saturating_sub(2).max(1) as usize;
    let ncols = total.div_ceil(room).clamp(1, 3);
    let per_col = total.div_ceil(ncols);
    let mut cols: Vec<Vec<Line>> = vec![Vec::new()];
    for g in groups {
        let cur = cols.last().map(Vec::len).unwrap_or(0);
        if cur > 0 && cur + g.len() > per_col.max(room.min(per_col + 4)) && cols.len() < ncols {
            cols.push(Vec::new());
        }
        if let Some(c) = cols.last_mut() {
            c.extend(g);
        }
    }
    let height = (cols.iter().map(Vec::len).max().unwrap_or(0) as u16 + 2).min(area.height);
    let width = ((72 * cols.len()) as u16).min(area.width);
    let [v] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(v);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(state.theme.border(true))
        .title(Span::styled(" Keys ", state.theme.style("title")))
        .title_bottom(Line::styled(" any key closes ", state.theme.style("dim")));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let areas = Layout::horizontal(vec![Constraint::Ratio(1, cols.len() as u32); cols.len()]).split(inner);
    for (col, area) in cols.into_iter().zip(areas.iter()) {
        frame.render_widget(Paragraph::new(col).style(state.theme.base()), *area);
    }
}
