//! Where following resumes: the last timestamp seen and the lines seen at
//! it, so a fetch that starts at that timestamp (Loki's `start` is
//! inclusive) neither loses nor repeats lines sharing a nanosecond.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::LogLine;

/// The last timestamp seen and the lines seen at it: the next fetch starts
/// at that timestamp (inclusive) and skips those lines, so nothing is lost
/// and nothing shown twice when several lines share a nanosecond.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Cursor {
    pub(crate) ts: i64,
    at_ts: HashSet<u64>,
}

fn line_key(l: &LogLine) -> u64 {
    let mut h = DefaultHasher::new();
    (&*l.labels, &l.metadata, &l.line).hash(&mut h);
    h.finish()
}

impl Cursor {
    pub(crate) fn at(ts: i64) -> Self {
        Self { ts, at_ts: HashSet::new() }
    }

    pub(crate) fn is_new(&self, l: &LogLine) -> bool {
        l.ts_ns > self.ts || (l.ts_ns == self.ts && !self.at_ts.contains(&line_key(l)))
    }

    pub(crate) fn advance(&mut self, l: &LogLine) {
        if l.ts_ns > self.ts {
            self.ts = l.ts_ns;
            self.at_ts.clear();
        }
        if l.ts_ns == self.ts {
            self.at_ts.insert(line_key(l));
        }
    }

    /// Keeps the lines `resume` has not seen, and moves `self` past them.
    pub(crate) fn admit(&mut self, resume: &Cursor, lines: &mut Vec<LogLine>) {
        lines.retain(|l| resume.is_new(l));
        lines.iter().for_each(|l| self.advance(l));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Labels;

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
