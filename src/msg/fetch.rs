//! Range queries the state plans and the runtime runs.

/// What one range query fetches: a query at a step, over the cache's
/// window ending now — or over its own window, ending `shift_secs` ago (a
/// dashboard panel's relative time and time shift).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SeriesKey {
    pub query: String,
    pub step_secs: u64,
    /// The range in seconds; 0: the cache's window.
    pub window_secs: u64,
    /// How long before now the range ends.
    pub shift_secs: u64,
}

impl SeriesKey {
    /// `query` at `step_secs` over the cache's window, ending now.
    pub fn new(query: impl Into<String>, step_secs: u64) -> Self {
        Self { query: query.into(), step_secs, window_secs: 0, shift_secs: 0 }
    }
}

/// A range to fetch for `key`, aligned to its step.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetch {
    pub key: SeriesKey,
    pub start: i64,
    pub end: i64,
    /// Which cache asked, and takes the answer.
    pub purpose: Purpose,
}

/// What a range query is for. All go through the one range runner (its
/// concurrency limit, endpoint fallback and backoff); the answer goes back
/// to the cache that planned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Purpose {
    /// A sparkline or chart (the signals' cache).
    #[default]
    Signal,
    /// An alert's own history (the history's cache).
    History,
    /// A panel of the open dashboard; `view` numbers the view (bumped on
    /// every open, close and variable change), so a late answer for a view
    /// no longer shown is dropped.
    Dashboard { view: u64 },
}
