//! Moving in the logs view: the cursor, follow mode, filter and search, and
//! the display toggles.

use std::collections::VecDeque;

use super::{LineFilter, LogsView, Search, SearchOutcome};

impl LogsView {
    /// Whether the view sticks to the newest line.
    pub fn is_following(&self) -> bool {
        self.cursor.is_none()
    }

    /// The cursor's position among shown lines (the last one when
    /// following); `None` when nothing is shown.
    pub fn cursor_pos(&self) -> Option<usize> {
        let last = self.shown_len().checked_sub(1)?;
        Some(self.cursor.map_or(last, |seq| self.pos_of(seq).min(last)))
    }

    fn set_cursor_pos(&mut self, pos: usize) {
        let last = self.shown_len().saturating_sub(1);
        if pos >= last {
            self.follow();
        } else {
            self.cursor = Some(self.seq_of(pos));
        }
    }

    /// Back to the newest line: following again, the "new" marker cleared.
    pub fn follow(&mut self) {
        self.cursor = None;
        self.new_below = 0;
    }

    /// After lines left the ring or the filter changed: the cursor on a
    /// shown line, or following when none is left after it.
    pub(super) fn clamp_cursor(&mut self) {
        if let Some(seq) = self.cursor {
            let pos = self.pos_of(seq);
            if pos + 1 >= self.shown_len() {
                self.follow();
            } else {
                self.cursor = Some(self.seq_of(pos));
            }
        }
    }

    pub fn scroll_up(&mut self, n: usize) {
        if let Some(pos) = self.cursor_pos() {
            self.set_cursor_pos(pos.saturating_sub(n));
        }
    }

    pub fn scroll_down(&mut self, n: usize) {
        if let Some(pos) = self.cursor_pos() {
            self.set_cursor_pos(pos.saturating_add(n));
        }
    }

    /// The oldest line held.
    pub fn scroll_top(&mut self) {
        if self.shown_len() > 1 {
            self.cursor = Some(self.seq_of(0));
        }
    }

    pub fn scroll_left(&mut self, n: usize) {
        self.hscroll = self.hscroll.saturating_sub(n);
    }

    pub fn scroll_right(&mut self, n: usize) {
        if !self.wrap {
            self.hscroll = self.hscroll.saturating_add(n).min(super::MAX_HSCROLL);
        }
    }

    pub fn toggle_wrap(&mut self) {
        self.wrap = !self.wrap;
        self.hscroll = 0;
    }

    pub fn toggle_utc(&mut self) {
        self.utc = !self.utc;
    }

    pub fn toggle_fullscreen(&mut self) {
        self.fullscreen = !self.fullscreen;
    }

    /// Sets the quick filter (`|= "x"`, `!= "x"`, `|~ "re"`, `!~ "re"`, or
    /// bare text); an empty input clears it. Recomputed over the ring.
    pub fn set_filter(&mut self, input: &str) -> Result<(), String> {
        if input.trim().is_empty() {
            self.filter = None;
            self.shown = None;
        } else {
            let f = LineFilter::parse(input)?;
            let first = self.first_seq;
            let shown: VecDeque<u64> = (self.lines.iter().enumerate())
                .filter(|(_, v)| f.matches(&v.line.line))
                .map(|(i, _)| first + i as u64)
                .collect();
            self.filter = Some(f);
            self.shown = Some(shown);
        }
        self.new_below = 0;
        self.clamp_cursor();
        Ok(())
    }

    /// Sets the search and jumps to the first match at or above the cursor
    /// (newest lines are what one looks at first), going up like `?` in less.
    pub fn set_search(&mut self, text: &str) -> Result<SearchOutcome, String> {
        if text.is_empty() {
            self.search = None;
            return Ok(SearchOutcome::NoSearch);
        }
        self.search = Some(Search::new(text)?);
        let from = self.cursor_pos().map_or(0, |p| p + 1);
        Ok(self.find(from, false))
    }

    pub fn clear_search(&mut self) {
        self.search = None;
    }

    /// `n`: the next match below the cursor, going round at the end.
    pub fn search_next(&mut self) -> SearchOutcome {
        let from = self.cursor_pos().unwrap_or(0);
        self.find(from, true)
    }

    /// `N`: the previous match above the cursor.
    pub fn search_prev(&mut self) -> SearchOutcome {
        let from = self.cursor_pos().unwrap_or(0);
        self.find(from, false)
    }

    /// Looks from `from` (exclusive) in one direction, then round.
    fn find(&mut self, from: usize, down: bool) -> SearchOutcome {
        let Some(search) = &self.search else { return SearchOutcome::NoSearch };
        let n = self.shown_len();
        if n == 0 {
            return SearchOutcome::NotFound;
        }
        let hit = |pos: usize| self.shown_line(pos).is_some_and(|v| search.is_match(&v.line.line));
        let from = from.min(n);
        let found = if down {
            (from + 1..n)
                .find(|&p| hit(p))
                .map(|p| (p, false))
                .or_else(|| (0..=from.min(n - 1)).find(|&p| hit(p)).map(|p| (p, true)))
        } else {
            (0..from)
                .rev()
                .find(|&p| hit(p))
                .map(|p| (p, false))
                .or_else(|| (from..n).rev().find(|&p| hit(p)).map(|p| (p, true)))
        };
        match found {
            Some((pos, wrapped)) => {
                self.set_cursor_pos(pos);
                if wrapped { SearchOutcome::Wrapped } else { SearchOutcome::Found }
            }
            None => SearchOutcome::NotFound,
        }
    }
}
