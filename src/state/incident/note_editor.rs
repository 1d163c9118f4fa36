//! The multi-line note editor's state: a `ratatui_textarea` text area, what
//! it is for, and the last save error (drawn by `ui::note_editor`).
//!
//! Saving does not close the editor: the runtime appends the record and
//! calls [`NoteEditor::save_failed`] on error (the text stays, with the
//! error shown) or drops the editor once the journal says it is written.

use std::fmt::Display;

use ratatui::style::Style;
use ratatui_textarea::{Input, Key, TextArea};

/// The keys, as shown in the popup.
pub const KEYS_HINT: &str = "Ctrl-S save · Esc cancel";
/// The tags a note may start with.
pub const TAGS_HINT: &str = "tags: !action !decision !impact !cause";

/// What the editor is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorPurpose {
    NewNote,
    EditNote {
        id: String,
    },
    /// The declaration form (see `DeclareDraft::to_text`).
    Declare,
}

/// What a key press asks of the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditorAction {
    /// Keep editing (the key went to the text area).
    None,
    /// Write this text; the editor stays open until the write succeeds.
    Save(String),
    Cancel,
}

#[derive(Debug, Clone)]
pub struct NoteEditor {
    textarea: TextArea<'static>,
    purpose: EditorPurpose,
    error: Option<String>,
}

impl NoteEditor {
    pub fn new(purpose: EditorPurpose, text: &str) -> Self {
        let lines: Vec<String> =
            if text.is_empty() { vec![String::new()] } else { text.lines().map(str::to_string).collect() };
        let mut textarea = TextArea::new(lines);
        textarea.set_cursor_line_style(Style::new());
        if purpose == EditorPurpose::NewNote {
            textarea.set_placeholder_text("What happened? Start with !action, !decision…");
        }
        textarea.move_cursor(ratatui_textarea::CursorMove::Bottom);
        textarea.move_cursor(ratatui_textarea::CursorMove::End);
        NoteEditor { textarea, purpose, error: None }
    }

    pub fn purpose(&self) -> &EditorPurpose {
        &self.purpose
    }

    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// The text area, for drawing.
    pub fn textarea(&self) -> &TextArea<'static> {
        &self.textarea
    }

    /// The write failed: keep the text, show why.
    pub fn save_failed(&mut self, err: impl Display) {
        self.error = Some(format!("not saved: {err}"));
    }

    /// Handles a key (a crossterm `KeyEvent` or `Event` converts into
    /// [`Input`]).
    pub fn handle(&mut self, input: impl Into<Input>) -> EditorAction {
        let input = input.into();
        match input {
            Input { key: Key::Esc, .. } => EditorAction::Cancel,
            Input { key: Key::Char('s'), ctrl: true, alt: false, .. } => {
                let text = self.text();
                if text.trim().is_empty() {
                    self.error = Some("nothing to save".to_string());
                    EditorAction::None
                } else {
                    EditorAction::Save(text)
                }
            }
            input => {
                self.textarea.input(input);
                EditorAction::None
            }
        }
    }
}
