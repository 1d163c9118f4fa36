//! Where following resumes: the last timestamp seen and the lines seen at
//! it, so a fetch that starts at that timestamp (Loki's `start` is
//! inclusive) neither loses nor repeats lines sharing a nanosecond.

use std::collections::{BTreeSet, HashSet};

use super::follow_line::FollowLine;

/// The last timestamp seen and the lines seen at it: the next fetch starts
/// at that timestamp (inclusive) and skips those lines, so nothing is lost
/// and nothing shown twice when several lines share a nanosecond.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cursor {
    pub(crate) ts: i64,
    at_ts: HashSet<u64>,
}

impl Cursor {
    pub(crate) fn at(ts: i64) -> Self {
        Self { ts, at_ts: HashSet::new() }
    }

    pub(crate) fn is_new<L: FollowLine>(&self, l: &L) -> bool {
        l.ts_ns() > self.ts || (l.ts_ns() == self.ts && !self.at_ts.contains(&l.key()))
    }

    pub(crate) fn advance<L: FollowLine>(&mut self, l: &L) {
        if l.ts_ns() > self.ts {
            self.ts = l.ts_ns();
            self.at_ts.clear();
        }
        if l.ts_ns() == self.ts {
            self.at_ts.insert(l.key());
        }
    }

    /// Keeps the lines `resume` has not seen, and moves `self` past them.
    pub(crate) fn admit<L: FollowLine>(&mut self, resume: &Cursor, lines: &mut Vec<L>) {
        lines.retain(|l| resume.is_new(l));
        lines.iter().for_each(|l| self.advance(l));
    }
}

/// Most lines a [`Seen`] remembers, whatever the window.
const MAX_SEEN: usize = 200_000;

/// The lines a raw follower has handed on, within a window behind the
/// newest: each line goes on once even when it comes again (a re-read of
/// the last window, a duplicate Loki sends tailers) or comes late (an older
/// timestamp after newer ones, which a cursor alone would drop).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Seen {
    lines: BTreeSet<(i64, u64)>,
}

impl Seen {
    /// Whether `l` is new; it is remembered either way.
    pub(crate) fn insert<L: FollowLine>(&mut self, l: &L) -> bool {
        let new = self.lines.insert((l.ts_ns(), l.key()));
        if self.lines.len() > MAX_SEEN {
            self.lines.pop_first();
        }
        new
    }

    /// Forgets the lines older than `ts`.
    pub(crate) fn forget_before(&mut self, ts: i64) {
        self.lines = self.lines.split_off(&(ts, 0));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Labels;
    use crate::sources::loki::LogLine;

    fn line(ts: i64, text: &str) -> LogLine {
        LogLine {
            ts_ns: ts,
            labels: Arc::new(Labels::new()),
            metadata: Labels::new(),
            parsed: Labels::new(),
            line: text.into(),
        }
    }

    #[test]
    fn cursor_skips_lines_seen_at_the_same_nanosecond() {
        let mut c = Cursor::at(0);
        let mut first = vec![line(10, "a"), line(20, "b"), line(20, "c")];
        let resume = c.clone();
        c.admit(&resume, &mut first);
        assert_eq!(first.len(), 3);
        // The next fetch starts at 20 inclusive: b and c come back.
        let mut again = vec![line(20, "b"), line(20, "c"), line(20, "d"), line(30, "e")];
        let resume = c.clone();
        c.admit(&resume, &mut again);
        let kept: Vec<&str> = again.iter().map(|l| l.line.as_str()).collect();
        assert_eq!(kept, ["d", "e"]);
        assert_eq!(c.ts, 30);
        assert!(!c.is_new(&line(29, "late")));
    }

    #[test]
    fn seen_lines_go_on_once_even_late_and_are_forgotten_behind_the_window() {
        let mut seen = Seen::default();
        assert!(seen.insert(&line(30, "c")));
        assert!(seen.insert(&line(10, "late")), "older than the newest, never seen: new");
        assert!(!seen.insert(&line(30, "c")), "a re-read: not new");
        seen.forget_before(20);
        assert!(seen.insert(&line(10, "late")), "forgotten");
        assert!(!seen.insert(&line(30, "c")));
    }

    #[test]
    fn identical_lines_of_one_fetch_are_all_kept() {
        // Two identical lines in one answer are two events; only lines seen
        // in an earlier fetch are duplicates.
        let mut c = Cursor::at(0);
        let mut lines = vec![line(5, "same"), line(5, "same")];
        let resume = c.clone();
        c.admit(&resume, &mut lines);
        assert_eq!(lines.len(), 2);
    }
}
