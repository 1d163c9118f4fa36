//! Which line the logs pane draws first, moved by `update` (as the alert
//! list's window is) so the renderer only reads it: the rows each line
//! takes at the pane's width, the newest line at the bottom while
//! following, and the cursor kept in view while scrolled up.
//!
//! Rows are measured between grapheme clusters as ratatui draws them
//! ([`crate::text::cluster_width`]), so an accent, a Hangul syllable made
//! of jamo or a flag is never split across rows.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::LogsView;
use crate::text::cluster_width;

/// Columns before a line's text: `12:00:00.000 ERR `.
pub const PREFIX_WIDTH: usize = 17;
/// Below this many columns the time is left out (only `ERR `).
pub const MIN_WIDTH_FOR_TIME: usize = 40;
const SHORT_PREFIX_WIDTH: usize = 4;

/// The prefix's columns in a pane `width` columns wide.
pub fn prefix_width(width: usize) -> usize {
    if width >= MIN_WIDTH_FOR_TIME { PREFIX_WIDTH } else { SHORT_PREFIX_WIDTH }
}

/// The columns left for a line's text (at least one).
pub fn text_width(width: usize) -> usize {
    width.saturating_sub(prefix_width(width)).max(1)
}

/// Byte ranges of the rows `s` takes at `width` columns. Every row holds at
/// least one cluster, so a character wider than the row still shows.
pub fn wrap(s: &str, width: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let (mut start, mut cols) = (0, 0);
    for (i, g) in s.grapheme_indices(true) {
        let w = cluster_width(g);
        if cols + w > width && i > start {
            rows.push(start..i);
            start = i;
            cols = 0;
        }
        cols += w;
    }
    rows.push(start..s.len());
    rows
}

/// How many rows `s` takes at `width` columns, without building them.
pub fn row_count(s: &str, width: usize) -> usize {
    if s.is_ascii() {
        // One column per byte (the line is clean: no controls).
        return s.len().div_ceil(width.max(1)).max(1);
    }
    wrap(s, width).len()
}

/// The first position such that lines from it to `last` fill `height` rows
/// (at least `last` itself).
pub fn fill_up(last: usize, height: usize, rows_of: impl Fn(usize) -> usize) -> usize {
    let mut used = rows_of(last);
    let mut top = last;
    while top > 0 {
        let h = rows_of(top - 1);
        if used + h > height {
            break;
        }
        used += h;
        top -= 1;
    }
    top
}

impl LogsView {
    /// Rows the shown line at `pos` takes with `text_w` columns for text.
    fn rows_of(&self, pos: usize, text_w: usize) -> usize {
        match (self.wrap, self.shown_line(pos)) {
            (true, Some(v)) => row_count(&v.line.line, text_w),
            _ => 1,
        }
    }

    /// The position of the first line drawn in a pane `width` columns wide
    /// with `height` rows for lines, starting from [`LogsView::top`]: the
    /// newest line at the bottom while following; else the first line
    /// stays where it is as long as the cursor's line is shown in full, and
    /// moves as little as needed when it is not. At the size [`place`]
    /// used, this is `top` itself.
    ///
    /// [`place`]: LogsView::place
    pub fn first_shown(&self, width: usize, height: usize) -> usize {
        let n = self.shown_len();
        let Some(cursor) = self.cursor_pos() else { return 0 };
        let text_w = text_width(width);
        let rows_of = |pos: usize| self.rows_of(pos, text_w);
        if self.is_following() {
            return fill_up(n - 1, height, rows_of);
        }
        let top = self.pos_of(self.top).min(cursor);
        let mut used = 0;
        for pos in top..=cursor {
            used += rows_of(pos);
            if used > height {
                return fill_up(cursor, height, rows_of);
            }
        }
        top
    }

    /// Moves [`LogsView::top`] for a pane of that size, after each update;
    /// left as it is while no line is shown.
    pub fn place(&mut self, width: usize, height: usize) {
        if self.shown_len() > 0 {
            self.top = self.seq_of(self.first_shown(width, height));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{line, lines};
    use super::*;
    use crate::model::logs::{BatchKind, LogBatch};

    /// 60 columns: 43 for text after the time and level.
    const W: usize = 60;

    fn view(texts: Vec<String>) -> LogsView {
        let mut v = LogsView::new(1_000);
        let g = v.begin(Some("A".into()), None);
        let lines = texts.iter().enumerate().map(|(i, t)| line(i as i64, t)).collect();
        v.push_batch(LogBatch { generation: g, kind: BatchKind::Initial, lines, ..LogBatch::default() });
        v
    }

    fn numbered(n: usize) -> LogsView {
        view((0..n).map(|i| format!("line {i}")).collect())
    }

    fn top_text(v: &LogsView) -> String {
        v.shown_line(v.pos_of(v.top)).expect("a top line").line.line.clone()
    }

    #[test]
    fn wrap_by_columns_with_wide_characters() {
        assert_eq!(wrap("abcdef", 4), [0..4, 4..6]);
        assert_eq!(wrap("", 4), vec![Range { start: 0, end: 0 }]);
        // 日 is 3 bytes and 2 columns.
        assert_eq!(wrap("a日本", 2), [0..1, 1..4, 4..7]);
        assert_eq!(wrap("日", 1), vec![Range { start: 0, end: 3 }], "a too-wide character still gets a row");
        assert_eq!(row_count("abcdefghij", 3), 4);
        assert_eq!(row_count("日本語", 4), 2);
        assert_eq!((text_width(60), text_width(39), text_width(3)), (43, 35, 1));
    }

    #[test]
    fn clusters_are_never_split() {
        // e + COMBINING ACUTE is 3 bytes, one column.
        assert_eq!(wrap("e\u{301}e\u{301}", 1), [0..3, 3..6]);
        // A syllable of three jamo (9 bytes) is one cluster, two columns.
        assert_eq!(wrap("\u{1100}\u{1161}\u{11a8}a", 2), [0..9, 9..10]);
    }

    #[test]
    fn following_puts_the_last_line_at_the_bottom() {
        let mut v = numbered(50);
        v.place(W, 5);
        assert_eq!(top_text(&v), "line 45", "lines 45..49 fill the five rows");
        v.append(lines(50..52));
        v.place(W, 5);
        assert_eq!(top_text(&v), "line 47", "new lines push the view up");
        let few = {
            let mut v = numbered(3);
            v.place(W, 5);
            v
        };
        assert_eq!(top_text(&few), "line 0", "fewer lines than rows: from the first");
    }

    #[test]
    fn scrolled_up_the_view_holds_still_until_the_cursor_leaves_it() {
        let mut v = numbered(50);
        v.place(W, 5);
        v.scroll_up(2);
        v.place(W, 5);
        assert_eq!(top_text(&v), "line 45", "the cursor (47) is still shown");
        v.append(lines(50..53));
        v.place(W, 5);
        assert_eq!(top_text(&v), "line 45", "new lines below do not move it");
        v.scroll_up(3);
        v.place(W, 5);
        assert_eq!(top_text(&v), "line 44", "the cursor moved above the top: it becomes the top");
        v.scroll_down(7);
        v.place(W, 5);
        assert_eq!(top_text(&v), "line 47", "moved below the bottom: the cursor (51) on the last row");
        v.scroll_top();
        v.place(W, 5);
        assert_eq!(top_text(&v), "line 0");
    }

    #[test]
    fn wrapped_long_lines_take_several_rows() {
        // 100 columns of text: three rows of 43.
        let long = "x".repeat(100);
        let mut v = view(vec!["a".into(), "b".into(), long.clone(), "c".into()]);
        v.place(W, 5);
        assert_eq!(top_text(&v), "a", "not wrapped: four rows");
        v.toggle_wrap();
        v.place(W, 5);
        assert_eq!(top_text(&v), "b", "b, three rows of x and c fill the five");
        v.place(W, 3);
        assert_eq!(top_text(&v), "c", "the long line does not fit above c");
        v.scroll_up(1);
        v.place(W, 3);
        assert_eq!(top_text(&v), long, "the cursor's line shown from its first row");
        v.place(W, 2);
        assert_eq!(top_text(&v), long, "taller than the pane: still its first row");
        // Wide characters count two columns: 30 of them are 60 columns, two rows.
        let mut v = view(vec!["a".into(), "日".repeat(30)]);
        v.toggle_wrap();
        v.place(W, 2);
        assert_eq!(top_text(&v), "日".repeat(30));
        v.place(W, 3);
        assert_eq!(top_text(&v), "a");
    }

    #[test]
    fn first_shown_at_the_placed_size_is_the_top() {
        let mut v = numbered(50);
        v.toggle_wrap();
        v.scroll_up(10);
        v.place(W, 7);
        assert_eq!(v.first_shown(W, 7), v.pos_of(v.top));
        // Drawn at another size (a test's buffer), the cursor is kept in view all the same.
        assert_eq!(v.first_shown(W, 3), 37, "the cursor (39) on the last of three rows");
        let mut empty = LogsView::new(10);
        empty.place(W, 5);
        assert_eq!((empty.top, empty.first_shown(W, 5)), (0, 0));
    }
}
