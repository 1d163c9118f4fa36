//! Pure rendering of the state into ratatui widgets, one module per pane,
//! each drawn where [`crate::state::layout`] puts it. Nothing here changes
//! the model (but the scroll windows of the list and the logs, kept as
//! ratatui's `ListState` keeps its offset).

pub mod alerts;
pub mod chart;
pub mod context_picker;
pub mod dashboard;
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
mod tests;

use ratatui::Frame;

use crate::state::State;
use crate::theme::Role;

pub fn draw(frame: &mut Frame, state: &State) {
    let area = frame.area();
    if area.width < 20 || area.height < 5 {
        frame.render_widget(ratatui::widgets::Paragraph::new("warroom: window too small"), area);
        return;
    }
    let layout = crate::state::layout(area, state);
    let body = layout.body;
    status_bar::draw_header(frame, layout.header, state);
    if let Some(timeline) = layout.timeline {
        let focused = state.view.focus == crate::state::Pane::Timeline;
        timeline::draw_styled(frame, timeline, &state.incident, focused, &timeline_styles(&state.prefs.theme));
    }
    alerts::draw(frame, layout.list, state);
    if let Some(detail) = layout.detail {
        detail::draw(frame, detail, state);
    }
    if let Some(logs) = layout.logs {
        let focused = state.view.focus == crate::state::Pane::Logs;
        logs::draw(
            frame,
            logs,
            &state.logs.view,
            &state.prefs.theme,
            focused,
            state.clock.now,
            state.clock.local_offset,
        );
    }
    status_bar::draw_status(frame, layout.status, state);
    if let Some(view) = &state.runbook.view {
        frame.render_widget(ratatui::widgets::Clear, body);
        runbook::draw(frame, body, view, true, &state.prefs.theme);
    }
    if let Some(chart) = &state.view.chart {
        chart::draw(frame, body, state, chart);
    }
    if state.dashboard.is_shown() {
        dashboard::draw(frame, body, state);
    }
    if let Some(editor) = &state.incident.editor {
        note_editor::draw(frame, body, editor);
    }
    if let Some(view) = &state.silences.view {
        silences::draw(frame, body, state, view);
    }
    if let Some(form) = &state.silences.form {
        silence_form::draw(frame, body, state, form);
    }
    if let Some(picker) = &state.contexts.picker {
        context_picker::draw(frame, body, state, picker);
    }
    if state.view.help.open {
        help::draw(frame, body, state);
    }
}

fn timeline_styles(t: &crate::theme::Theme) -> timeline::TimelineStyles {
    timeline::TimelineStyles {
        border: t.border(false),
        border_focused: t.border(true),
        time: t.style(Role::Age),
        author: t.style(Role::LabelKey),
        kind: t.style(Role::Dim),
        text: t.style(Role::LabelValue),
        struck: t.style(Role::Dim).add_modifier(ratatui::style::Modifier::CROSSED_OUT),
        selected: t.selected(),
        filter_on: t.style(Role::Header),
        filter_off: t.style(Role::Dim).add_modifier(ratatui::style::Modifier::CROSSED_OUT),
        warning: t.style(Role::FlashError),
    }
}
