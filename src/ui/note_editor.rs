//! The note editor's popup, with the save and cancel keys always on screen
//! (its state is `state::incident::note_editor`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub use crate::state::incident::note_editor::{EditorAction, EditorPurpose, KEYS_HINT, NoteEditor, TAGS_HINT};

fn title(purpose: &EditorPurpose) -> String {
    match purpose {
        EditorPurpose::NewNote => " New note ".to_string(),
        EditorPurpose::EditNote { id } => format!(" Edit note {id} "),
        EditorPurpose::Declare => " Declare incident ".to_string(),
    }
}

/// A popup centred in `area`, at most 72×14.
pub fn popup_area(area: Rect) -> Rect {
    area.centered(Constraint::Length(area.width.min(72)), Constraint::Length(area.height.min(14)))
}

/// Draws the popup over whatever is under it.
pub fn draw(frame: &mut Frame, area: Rect, editor: &NoteEditor) {
    let popup = popup_area(area);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title(editor.purpose()))
        .title_bottom(Line::from(format!(" {KEYS_HINT} ")).right_aligned());
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let error_height = u16::from(editor.error().is_some()) * 2;
    let [text, hint, error] =
        inner.layout(&Layout::vertical([Constraint::Min(1), Constraint::Length(1), Constraint::Length(error_height)]));
    frame.render_widget(editor.textarea(), text);
    let hint_text = match editor.purpose() {
        EditorPurpose::Declare => "first line: title · severity: … · commander: …",
        _ => TAGS_HINT,
    };
    let dim = Style::new().add_modifier(Modifier::DIM);
    frame.render_widget(Paragraph::new(hint_text).style(dim), hint);
    if let Some(err) = editor.error() {
        let style = Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        let lines = crate::runbook::render::wrap_lines(vec![Line::from(err)], error.width);
        frame.render_widget(Paragraph::new(lines).style(style), error);
    }
}
