//! What the History row and the board read from an alert's history: the
//! row's content, the words, the strip.

use chrono::{DateTime, Utc};

use super::FLAP_MARK;
use crate::model::SourceError;
use crate::model::history::{self, Firing};

/// The History row's content.
#[derive(Debug, Clone, PartialEq)]
pub enum View<'a> {
    /// No Prometheus configured.
    Off,
    Loading,
    Failed {
        error: &'a SourceError,
        rejected: bool,
    },
    Ready(Summary),
}

/// An alert's firings over the window, and what is read from them.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Oldest first.
    pub firings: Vec<Firing>,
    /// The last firing has not ended.
    pub ongoing: bool,
    /// …and it is the alert's current firing (the alert is not pending).
    pub current: bool,
    /// Where the data ends.
    pub end: DateTime<Utc>,
    pub window_secs: u64,
    /// The query's step (seconds): how precise the times are.
    pub step: i64,
    /// Transitions within the last hour.
    pub last_hour: usize,
    pub flapping: bool,
}

impl Summary {
    /// The firings before the current one.
    pub fn previous(&self) -> &[Firing] {
        let n = self.firings.len() - usize::from(self.current);
        &self.firings[..n]
    }

    /// "fired 4× in 7d · last 2d ago · median 12m" (the count with the
    /// current firing, `last` the previous one's start, the median of the
    /// firings that ended), or "first time in 7d"; flapping said after.
    pub fn words(&self, now: DateTime<Utc>) -> String {
        let window = history::window(self.window_secs);
        let mut out = match self.previous().last() {
            None => format!("first time in {window}"),
            Some(last) => {
                let ended = &self.firings[..self.firings.len() - usize::from(self.ongoing)];
                let mut s = format!(
                    "fired {}× in {window} · last {} ago",
                    self.firings.len(),
                    history::short(now - last.start)
                );
                if let Some(m) = history::median(ended) {
                    s.push_str(&format!(" · median {}", history::short(m)));
                }
                s
            }
        };
        if self.flapping {
            out.push_str(&format!(" · {FLAP_MARK} flapping: {} changes in the last hour", self.last_hour));
        }
        out
    }

    /// One cell per `window / cells` of the window (oldest first): whether
    /// the alert fired in it.
    pub fn strip(&self, cells: usize) -> Vec<bool> {
        let mut out = vec![false; cells];
        if cells == 0 || self.window_secs == 0 {
            return out;
        }
        let start = self.end.timestamp() - self.window_secs as i64;
        let cell = |t: DateTime<Utc>| {
            let i = (t.timestamp() - start).max(0) as u128 * cells as u128 / u128::from(self.window_secs);
            (i as usize).min(cells - 1)
        };
        for f in &self.firings {
            for c in &mut out[cell(f.start)..=cell(f.end)] {
                *c = true;
            }
        }
        out
    }
}
