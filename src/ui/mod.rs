//! Pure rendering of the state into ratatui widgets, one module per pane.
//! Nothing here changes the model (but the list's scroll window, kept as
//! ratatui's `ListState` keeps it).

pub mod alerts;
pub mod chart;
pub mod context_picker;
pub mod detail;
pub mod help;
pub mod logs;
pub mod note_editor;
pub mod runbook;
pub mod silence_form;
pub mod silences;
pub mod sparkline;
pub mod status_bar;
pub mod timeline;

#[cfg(test)]
mod spill_tests;
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
    state.body_area.set(body);
    let board = if state.incident.id().is_some() && body.height >= 16 {
        let [board, timeline] = Layout::vertical([Constraint::Percentage(65), Constraint::Percentage(35)]).areas(body);
        let focused = state.focus == crate::state::Pane::Timeline;
        timeline::draw_styled(frame, timeline, &state.incident, focused, &timeline_styles(&state.theme));
        board
    } else {
        body
    };
    let [list, detail] = split_body(board);
    alerts::draw(frame, list, state);
    let logs_focused = state.focus == crate::state::Pane::Logs;
    if state.logs_enabled && state.logs.fullscreen {
        logs::draw(frame, body, &state.logs, &state.theme, logs_focused, state.now);
    } else if state.logs_enabled && detail.height >= 12 {
        let [detail, logs_area] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(detail);
        detail::draw(frame, detail, state);
        logs::draw(frame, logs_area, &state.logs, &state.theme, logs_focused, state.now);
    } else {
        detail::draw(frame, detail, state);
        if state.logs_enabled && logs_focused {
            logs::draw(frame, detail, &state.logs, &state.theme, true, state.now);
        }
    }
    status_bar::draw_status(frame, status, state);
    if let Some(view) = &state.runbook {
        frame.render_widget(ratatui::widgets::Clear, body);
        runbook::draw(frame, body, view, true);
    }
    if let Some(chart) = &state.chart {
        chart::draw(frame, body, state, chart);
    }
    if let Some(editor) = &state.editor {
        note_editor::draw(frame, body, editor);
    }
    if let Some(view) = &state.silences_view {
        silences::draw(frame, body, state, view);
    }
    if let Some(form) = &state.silence_form {
        silence_form::draw(frame, body, state, form);
    }
    if let Some(picker) = &state.contexts.picker {
        context_picker::draw(frame, body, state, picker);
    }
    if state.help {
        help::draw(frame, body, state);
    }
}

fn timeline_styles(t: &crate::theme::Theme) -> timeline::TimelineStyles {
    timeline::TimelineStyles {
        border: t.border(false),
        border_focused: t.border(true),
        time: t.style("age"),
        author: t.style("label_key"),
        kind: t.style("dim"),
        text: t.style("label_value"),
        struck: t.style("dim").add_modifier(ratatui::style::Modifier::CROSSED_OUT),
        selected: t.selected(),
        filter_on: t.style("header"),
        filter_off: t.style("dim").add_modifier(ratatui::style::Modifier::CROSSED_OUT),
        warning: t.style("flash_error"),
    }
}

fn split_body(body: Rect) -> [Rect; 2] {
    if body.width >= SIDE_BY_SIDE_MIN_WIDTH {
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(body)
    } else {
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body)
    }
}
