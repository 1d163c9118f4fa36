//! The app model: everything the screen shows, changed only by
//! [`update`] from messages. No I/O here: side effects are returned as
//! [`Cmd`](crate::msg::Cmd)s for the runtime to perform.

pub mod alerts;
pub mod logs;
pub mod sources;
mod update;

use std::cell::Cell;
use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;

pub use update::update;

use crate::keymap::Keymap;
use crate::msg::SourceId;
use crate::ui::theme::Theme;
use alerts::{AlertsState, Grouping};
use sources::SourceHealth;

/// Panes that take the keyboard focus, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Alerts,
    Detail,
}

impl Pane {
    pub const ORDER: &'static [Pane] = &[Pane::Alerts, Pane::Detail];
}

/// A one-line input at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: filters the board as you type.
    Filter,
    /// `:`: a command, run on Enter.
    Command,
}

/// A message shown in the status line until the next key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub error: bool,
}

/// What the console needs to know about itself to start.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    pub sources: Vec<(SourceId, String)>,
    pub group_by: String,
    pub show_muted: bool,
    /// The drill scenario when running against the embedded simulator.
    pub drill: Option<String>,
    pub context: String,
}

#[derive(Debug)]
pub struct State {
    pub now: DateTime<Utc>,
    pub alerts: AlertsState,
    pub sources: Vec<SourceHealth>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub focus: Pane,
    pub help: bool,
    pub prompt: Option<Prompt>,
    pub flash: Option<Flash>,
    pub detail_scroll: u16,
    pub drill: Option<String>,
    pub context: String,
    /// Something visible changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    /// First row shown in the alert list; kept by the list pane while
    /// drawing so the selection stays in view (as ratatui's `ListState`).
    pub list_offset: Cell<usize>,
    /// Where the list was last drawn, for mouse clicks.
    pub list_area: Cell<Rect>,
}

impl State {
    pub fn new(setup: Setup, keymap: Keymap, theme: Theme, now: DateTime<Utc>) -> Self {
        let has_am = setup.sources.iter().any(|(id, _)| id.kind == crate::msg::SourceKind::Alertmanager);
        Self {
            now,
            alerts: AlertsState::new(Grouping::parse(&setup.group_by), setup.show_muted, has_am),
            sources: setup.sources.into_iter().map(|(id, name)| SourceHealth::new(id, name)).collect(),
            keymap,
            theme,
            focus: Pane::Alerts,
            help: false,
            prompt: None,
            flash: None,
            detail_scroll: 0,
            drill: setup.drill,
            context: setup.context,
            dirty: true,
            quit: false,
            list_offset: Cell::new(0),
            list_area: Cell::new(Rect::default()),
        }
    }

    pub fn source(&self, id: SourceId) -> Option<&SourceHealth> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub(crate) fn down_sources(&self) -> BTreeSet<String> {
        self.sources.iter().filter(|s| s.is_down()).map(|s| s.name.clone()).collect()
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), error: true });
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.flash = Some(Flash { text: text.into(), error: false });
    }
}

#[cfg(test)]
pub(crate) mod tests;
