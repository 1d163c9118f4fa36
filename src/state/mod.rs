//! The app model: everything the screen shows, changed only by
//! [`update`] from messages. No I/O here: side effects are returned as
//! [`Cmd`](crate::msg::Cmd)s for the runtime to perform.

pub mod alerts;
pub mod contexts;
pub mod copy;
pub mod dashboard;
pub mod history;
pub mod incident;
pub mod layout;
pub mod logs;
pub mod notify;
pub mod picker;
pub mod pin;
pub mod prompt;
pub mod runbook;
pub mod schedule;
pub mod signals;
pub mod silences;
pub mod sources;
mod update;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use ratatui::layout::Size;

pub use layout::layout;
pub use update::update;

use crate::keymap::Keymap;
use crate::msg::SourceId;
use crate::theme::Theme;
use alerts::{AlertsState, Grouping};
use signals::{SeriesKey, SignalTemplate, SignalsState, Unit};
use sources::SourceHealth;

/// Panes that take the keyboard focus, in Tab order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Alerts,
    Detail,
    /// The selected alert's logs (when Loki is configured).
    Logs,
    /// The incident timeline (shown once an incident is open).
    Timeline,
}

impl Pane {
    pub const ORDER: &'static [Pane] = &[Pane::Alerts, Pane::Detail, Pane::Logs, Pane::Timeline];
}

/// A one-line input at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
}

/// The prompt line: what is typed, when open, and how it is edited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptBar {
    pub open: Option<Prompt>,
    /// Cursor, completion and history of the prompt.
    pub edit: prompt::PromptEdit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: filters the board as you type.
    Filter,
    /// `:`: a command, run on Enter.
    Command,
    /// `/` in a runbook: search its text.
    Search,
    /// `/` in the logs pane.
    LogSearch,
    /// `|` in the logs pane: a line filter (`|= "…"`, `!=`, `|~`, `!~`).
    LogFilter,
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
    pub signals: Vec<SignalTemplate>,
    pub signal_window: std::time::Duration,
    /// The refresh interval (zero: the default); failed range queries wait
    /// at least this long.
    pub refresh: std::time::Duration,
    /// Series per golden signal in the detail; 0 means the default.
    pub signal_top_n: usize,
    /// The History row's window (zero: the default, a week).
    pub history_window: std::time::Duration,
    /// Transitions an hour past which an alert is flapping (0: the default, 4).
    pub flap_threshold: u32,
    /// Who writes notes (`$USER`).
    pub user: String,
    pub logs: crate::model::logs::LogsConfig,
    /// `--read-only` / `read_only = true`: no silence is ever written.
    pub read_only: bool,
    pub silences: silences::SilenceSettings,
    /// Runbooks run their query blocks (config `live_runbooks`).
    pub live_runbooks: bool,
    /// The local time zone's offset from UTC (`None`: UTC), later kept
    /// current by [`Msg::LocalOffset`](crate::msg::Msg::LocalOffset).
    pub local_offset: Option<chrono::FixedOffset>,
    /// Any `dashboards` directory is configured (`:dash`).
    pub dashboards: bool,
}

/// The full-size chart (`c`, `:query`).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartView {
    pub title: String,
    pub key: SeriesKey,
    pub unit: Unit,
}

/// What the user chose for how the console looks and answers.
#[derive(Debug, Clone)]
pub struct Prefs {
    pub keymap: Keymap,
    pub theme: Theme,
    /// Runbook links go out as OSC 8 hyperlinks (config `hyperlinks`, and
    /// the terminal's support, decided once at start).
    pub hyperlinks: bool,
}

/// How the screen is arranged: focus, overlays, scroll positions, the
/// prompt and the flash.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub focus: Pane,
    /// The full-size chart (`c`, `:query`), when open.
    pub chart: Option<ChartView>,
    /// The help overlay: open, and scrolled how far.
    pub help: Help,
    /// The one-line input, when open, and its cursor, completion, history.
    pub prompt: PromptBar,
    pub flash: Option<Flash>,
    /// Where the detail pane is scrolled, and its selected signal row.
    pub detail: Detail,
    /// First row shown in the alert list, moved after each update so the
    /// selection stays in view (as ratatui's `ListState` keeps its offset).
    pub list_offset: usize,
    /// The terminal's size, as the runtime last said (`Msg::Resize`): what
    /// [`layout`] lays the panes out in.
    pub size: Option<Size>,
}

/// The help overlay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Help {
    pub open: bool,
    /// First line shown (j/k scroll it when it does not fit).
    pub scroll: u16,
}

/// The detail pane's own position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Detail {
    /// Lines scrolled past.
    pub scroll: u16,
    /// The selected signal row (Up/Down in the detail), pinned by `p`.
    pub signal: Option<usize>,
}

/// The loop's flags, set by `update` and read by the runtime after each
/// message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Frame {
    /// Something visible changed since the last frame.
    pub dirty: bool,
    /// The terminal was resized: the next frame repaints every cell, so a
    /// frame drawn at a stale size during a resize storm cannot linger.
    pub repaint: bool,
    /// The user asked to leave: the loop ends after this message.
    pub quit: bool,
}

/// The time as the runtime last said (`Msg::Tick`, `Msg::LocalOffset`):
/// `update` reads no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    /// The local time zone's offset from UTC.
    pub local_offset: chrono::FixedOffset,
}

#[derive(Debug)]
pub struct State {
    /// What time it is, as the runtime last said.
    pub clock: Clock,
    pub alerts: AlertsState,
    pub signals: SignalsState,
    pub incident: incident::IncidentState,
    /// The logs pane, and what it follows.
    pub logs: logs::Logs,
    /// The runbook shown over the board, when open, and the load awaited.
    pub runbook: runbook::RunbookPane,
    /// Every Alertmanager's silences, merged by id.
    pub silences: silences::SilencesState,
    /// The user's keys, theme and terminal.
    pub prefs: Prefs,
    /// Focus, overlays, scroll positions, the prompt and the flash: how the
    /// screen is arranged now, apart from what the sources said.
    pub view: View,
    /// The configured contexts, the picker, the generation of the sources.
    pub contexts: contexts::ContextsState,
    /// What the loop does after this message: draw, repaint, quit.
    pub frame: Frame,
    /// The Grafana dashboards found, the picker, and the one open (`:dash`).
    pub dashboard: dashboard::DashboardState,
}

impl State {
    pub fn new(setup: Setup, keymap: Keymap, theme: Theme, now: DateTime<Utc>) -> Self {
        let has_am = setup.sources.iter().any(|(id, _)| id.kind == crate::msg::SourceKind::Alertmanager);
        let has_loki = setup.sources.iter().any(|(id, _)| id.kind == crate::msg::SourceKind::Loki);
        let has_prom = setup.sources.iter().any(|(id, _)| id.kind == crate::msg::SourceKind::Prometheus);
        let window =
            if setup.signal_window.is_zero() { std::time::Duration::from_secs(1800) } else { setup.signal_window };
        Self {
            clock: Clock {
                now,
                local_offset: setup.local_offset.unwrap_or(chrono::FixedOffset::east_opt(0).expect("UTC")),
            },
            alerts: {
                let mut alerts = AlertsState::new(Grouping::parse(&setup.group_by), setup.show_muted, has_am);
                let window =
                    if setup.history_window.is_zero() { history::DEFAULT_WINDOW } else { setup.history_window };
                let threshold =
                    if setup.flap_threshold == 0 { history::DEFAULT_FLAP_THRESHOLD } else { setup.flap_threshold };
                alerts.history = history::HistoryState::new(window, threshold, has_prom);
                if !setup.refresh.is_zero() {
                    alerts.history.refresh = setup.refresh;
                }
                alerts
            },
            signals: {
                let mut s = SignalsState::new(setup.signals, window, has_prom);
                if setup.signal_top_n > 0 {
                    s.top_n = setup.signal_top_n;
                }
                if !setup.refresh.is_zero() {
                    s.refresh = setup.refresh;
                }
                s
            },
            incident: incident::IncidentState::new(setup.user),
            runbook: runbook::RunbookPane::new(setup.live_runbooks),
            logs: logs::Logs {
                view: logs::LogsView::new(setup.logs.buffer),
                follow: logs::LogFollow { cfg: setup.logs, enabled: has_loki, fingerprint: None, pinned_query: false },
            },
            silences: silences::SilencesState::new(setup.silences),
            prefs: Prefs { keymap, theme, hyperlinks: false },
            view: View::default(),
            contexts: contexts::ContextsState {
                active: setup.context,
                read_only: setup.read_only,
                drill: setup.drill,
                sources: setup.sources.into_iter().map(|(id, name)| SourceHealth::new(id, name)).collect(),
                ..Default::default()
            },
            frame: Frame { dirty: true, ..Frame::default() },
            dashboard: dashboard::DashboardState::new(
                setup.dashboards,
                has_prom,
                if setup.refresh.is_zero() { signals::DEFAULT_REFRESH } else { setup.refresh },
            ),
        }
    }

    pub fn source(&self, id: SourceId) -> Option<&SourceHealth> {
        self.contexts.sources.iter().find(|s| s.id == id)
    }

    pub(crate) fn down_sources(&self) -> BTreeSet<String> {
        self.contexts.sources.iter().filter(|s| s.is_down()).map(|s| s.name.clone()).collect()
    }

    pub fn flash_error(&mut self, text: impl Into<String>) {
        self.view.flash = Some(Flash { text: text.into(), error: true });
    }

    pub fn flash_info(&mut self, text: impl Into<String>) {
        self.view.flash = Some(Flash { text: text.into(), error: false });
    }
}

#[cfg(test)]
pub(crate) mod tests;
