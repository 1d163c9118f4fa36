//! Pure rendering of the state into ratatui widgets, one module per pane.
//! Nothing here changes the model (but the list's scroll window, kept as
//! ratatui's `ListState` keeps it).

pub mod alerts;
pub mod detail;
pub mod help;
pub mod logs;
pub mod status_bar;
pub mod theme;

#[cfg(test)]
mod tests;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::state::State;

/// Below this width the list and the detail are stacked, not side by side.
const SIDE_BY_SIDE_MIN_WIDTH: u16 = 110;

pub fn draw(frame: &mut Frame, state: &State) {
    let area = frame.area();
    if area.width < 20 || area.height < 5 {
        frame.render_widget(ratatui::widgets::Paragraph::new("warroom: window too small"), area);
        return;
    }
    let [header, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1)]).areas(area);
    status_bar::draw_header(frame, header, state);
    let [list, detail] = split_body(body);
    alerts::draw(frame, list, state);
    detail::draw(frame, detail, state);
    status_bar::draw_status(frame, status, state);
    if state.help {
        help::draw(frame, body, state);
    }
}

fn split_body(body: Rect) -> [Rect; 2] {
    if body.width >= SIDE_BY_SIDE_MIN_WIDTH {
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    }
}
