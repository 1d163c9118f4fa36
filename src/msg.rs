//! The two vocabularies of the event loop: [`Msg`], what happened (input, poll
//! results, ticks), and [`Cmd`], what the runtime should do about it (fetch,
//! write, quit). `state::update` turns one into the other and does no I/O.

pub mod contexts;
pub mod dashboard;
pub mod fetch;
pub mod live;
pub mod silences;

use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent};

use crate::model::SourceError;
use crate::model::metrics::{AlertRule, Series};
use crate::model::record::{Declaration, ReadOutcome, Record};
use crate::model::{SharedAlerts, Silence};
use fetch::Fetch;

/// Which source a poll result comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKind {
    Prometheus,
    Alertmanager,
    Loki,
}

impl SourceKind {
    pub fn short(self) -> &'static str {
        match self {
            Self::Prometheus => "prom",
            Self::Alertmanager => "am",
            Self::Loki => "loki",
        }
    }
}

/// A source instance: its kind and its position in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId {
    pub kind: SourceKind,
    pub index: usize,
}

/// What a poll brought back.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    PromAlerts(SharedAlerts),
    PromRules(Vec<AlertRule>),
    AmAlerts(SharedAlerts),
    AmSilences(Vec<Silence>),
    /// What the source's last alerts answer lost (sent after its alerts,
    /// every poll, so that it clears).
    AlertsCut(crate::model::AlertsCut),
    /// A readiness check with nothing else to report (Loki until its pane
    /// polls for logs).
    Ready,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PollResult {
    pub source: SourceId,
    pub at: DateTime<Utc>,
    pub latency: Duration,
    pub result: Result<Payload, SourceError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The wall clock moved; ages and staleness are computed from it.
    Tick(DateTime<Utc>),
    /// The local time zone's offset from UTC, now (sent at start and when
    /// it changes, at a daylight-saving switch): `:time local` uses it.
    LocalOffset(chrono::FixedOffset),
    Poll(Box<PollResult>),
    /// A range query answered.
    Range(Box<(Fetch, Result<Vec<Series>, SourceError>)>),
    /// The journal answered.
    Incident(IncidentMsg),
    /// Log lines (or the follower's state) for the logs pane.
    Logs(Box<crate::model::logs::LogBatch>),
    /// A runbook was loaded (or its fallback built).
    /// A runbook, loaded and laid out off the event loop.
    /// The runbook load numbered `request` ([`Cmd::OpenRunbook`]), laid out.
    Runbook {
        request: u64,
        prepared: Box<crate::model::runbook::Prepared>,
    },
    /// A runbook's live block answered (or failed, in the source's words).
    Live(Box<live::LiveResult>),
    /// Alertmanager answered a silence write.
    Silence(silences::SilenceMsg),
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    Terminate,
    /// A result from a context's sources (poll, range, logs), tagged with the
    /// generation they were started in: dropped if the context changed since.
    Tagged {
        generation: u64,
        msg: Box<Msg>,
    },
    /// The runtime switched contexts (or could not).
    Context(contexts::ContextMsg),
    /// The theme `:theme` asked for, found (not yet parsed), or why not.
    Theme(Result<ThemeToml, String>),
    /// The shared war room's pusher or receiver reported.
    Share(crate::model::ShareMsg),
    /// The `dashboards` directories were read ([`Cmd::LoadDashboards`]):
    /// every file, parsed or with why not (or why a directory could not be read).
    Dashboards(Vec<crate::model::dashboard::DashFile>),
    /// A dashboard variable's values came back.
    DashVar(Box<dashboard::VarAnswer>),
}

/// A theme's TOML as found by name (a shipped theme, a file, `NAME.toml` in
/// a theme directory): the state parses it, under its own `NO_COLOR`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeToml {
    /// The name asked for (an empty one is `default`).
    pub name: String,
    pub toml: String,
}

/// The post-mortem's charts, drawn after `e`'s draft: the draft written
/// again with them, how many were drawn, and `title: why` of each not.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartsDrawn {
    pub draft: std::path::PathBuf,
    pub drawn: usize,
    pub missing: Vec<String>,
}

/// What the incident journal did.
#[derive(Debug, Clone, PartialEq)]
pub enum IncidentMsg {
    /// An incident was resumed or declared; `read` is its journal.
    Loaded {
        id: String,
        read: ReadOutcome,
    },
    /// Records appended since the last read (by anyone).
    Read(ReadOutcome),
    /// A record is on disk (fsync'd); `read` holds it.
    Saved {
        read: ReadOutcome,
        from_editor: bool,
    },
    Failed {
        error: String,
        from_editor: bool,
    },
    /// A captured event could not be written: it is kept and written again.
    CaptureFailed {
        record: Box<Record>,
        error: String,
    },
    Exported(Result<std::path::PathBuf, String>),
    /// The post-mortem's charts were drawn (after `e`'s draft): how many,
    /// and `title: why` of each not drawn; or why none could be.
    ChartsDrawn(Result<ChartsDrawn, String>),
    /// Open shared incidents in Loki (id, title), looked up at start when
    /// sharing is on and no incident is open here.
    SharedOpen(Vec<(String, String)>),
    /// `:join ID` read the shared incident into the journal (its id), or why not.
    Joined(Result<String, String>),
    /// Where `:handoff` wrote the summary, or why it could not.
    HandoffWritten(Result<std::path::PathBuf, String>),
    /// A note draft an earlier run left (a signal or a dropped session
    /// ended it mid-sentence): offered back in the editor.
    DraftFound(crate::model::record::Draft),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    Quit,
    /// Poll every source now (at most one request queued per source).
    RefreshAll,
    /// Run a range query against Prometheus (bounded concurrency).
    FetchRange(Fetch),
    /// Create the incident's journal.
    Declare(Declaration),
    /// Append (and fsync) a record; `from_editor` keeps the editor open until
    /// the write is known good.
    Append {
        record: Record,
        from_editor: bool,
    },
    /// Append (and fsync) a captured event (alert fired or resolved,
    /// silence, runbook, pin): one the journal already has is skipped, one it
    /// cannot take comes back as [`IncidentMsg::CaptureFailed`].
    Capture(Record),
    /// Keep the note being typed beside the journal (`None`: remove it,
    /// the note was saved or discarded).
    SaveDraft(Option<crate::model::record::Draft>),
    /// Read what other processes appended.
    ReadJournal,
    /// Write the post-mortem draft.
    Export,
    /// Write the handoff summary beside the journal.
    WriteHandoff(String),
    /// Read the shared incident from Loki into a journal here (`:join`).
    Join(String),
    /// Open an incident of the directory (one just joined).
    OpenIncident(String),
    /// Resolve and load an alert's runbook (falls back to a triage page).
    OpenRunbook {
        /// Echoed in the answer: only the load awaited is shown.
        request: u64,
        alertname: String,
        url: Option<String>,
        annotations: Vec<(String, String)>,
        /// The pane's width, for the layout made with the load.
        width: u16,
        /// The alert's labels and value its live blocks are filled from
        /// (`None`: live runbooks are off).
        vars: Option<Box<crate::model::runbook::Vars>>,
    },
    /// Run a runbook's live block (at most a few at once, each with a
    /// timeout), answered by [`Msg::Live`].
    LiveQuery(Box<live::LiveAsk>),
    /// Keep the `:` history (the file's new text) across runs.
    SaveHistory(String),
    /// Copy to the local clipboard through OSC 52 (works across SSH).
    Clipboard(String),
    /// Get the user's attention: BEL, and/or a ready-made desktop
    /// notification escape (OSC 9 / OSC 777) whose text is already clean.
    Notify {
        bell: bool,
        desktop: Option<String>,
    },
    /// Follow these logs (replacing the current follower).
    FollowLogs(Box<crate::model::logs::FollowSpec>),
    StopLogs,
    /// Create or replace a silence: try the Alertmanagers in `targets`
    /// order (their config indexes), the next one only when one is
    /// unreachable; answered by `Msg::Silence`.
    PostSilence {
        draft: Box<silences::SilenceDraft>,
        targets: Vec<usize>,
        origin: silences::SilenceOrigin,
    },
    /// Expire a silence, through the first reachable Alertmanager.
    ExpireSilence {
        id: String,
        targets: Vec<usize>,
    },
    /// Stop the active context's sources and start this context's.
    SwitchContext(String),
    /// Find the theme `name` stands for (`:theme NAME`), answered by
    /// [`Msg::Theme`].
    LoadTheme {
        name: String,
    },
    /// Read and parse every file of the `dashboards` directories, off the
    /// loop; answered by [`Msg::Dashboards`].
    LoadDashboards,
    /// Ask Prometheus for a dashboard variable's values.
    ResolveVar(Box<dashboard::VarAsk>),
}
