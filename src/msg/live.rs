//! A live runbook block's query and its answer.

use chrono::{DateTime, Utc};

use crate::model::Labels;
use crate::model::runbook::Lang;

/// What an answer is for: a late answer for a closed runbook, another
/// block or an older query is dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTag {
    pub runbook: String,
    pub block: usize,
    pub query: String,
    /// A dashboard's Loki panel asked (the view it was for), not a runbook.
    pub dashboard: Option<u64>,
}

/// Run a live block's query: now (`end`, unix seconds) and over the
/// window before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveAsk {
    pub tag: LiveTag,
    pub lang: Lang,
    pub end: i64,
    pub window_secs: u64,
    pub step_secs: u64,
    /// The newest log lines wanted (a LogQL log query; the runtime caps it).
    pub lines: usize,
}

/// One series of an instant answer, with its samples over the window.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveSeries {
    pub labels: Labels,
    pub value: f64,
    pub samples: Vec<f64>,
}

/// A log line under a LogQL block (cleaned and capped by the runtime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveLine {
    pub ts_ns: i64,
    pub line: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiveAnswer {
    /// The top series by value (at most the state's `TOP_SERIES`) of `total`.
    Series { total: usize, top: Vec<LiveSeries> },
    /// Lines matched over the window, and the newest few.
    Logs { count: u64, lines: Vec<LiveLine> },
}

/// The runtime's answer; `Err` holds the source's own message.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveResult {
    pub tag: LiveTag,
    pub at: DateTime<Utc>,
    pub result: Result<LiveAnswer, String>,
}
