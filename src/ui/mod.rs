//! ui
pub mod note_editor;
pub mod timeline;
