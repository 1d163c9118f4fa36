//! Cutting a clean log line into what one screen row shows by display
//! width, with the search matches highlighted. Works on byte ranges of the
//! line so the highlight ranges from the search apply as they are. Windows
//! start and end between grapheme clusters, measured as ratatui draws them
//! ([`crate::text::cluster_width`]), so an accent, a Hangul syllable made
//! of jamo or a flag is never split. The rows of a wrapped line are the
//! state's ([`crate::state::logs::rows::wrap`]): it counts them to place
//! the first line.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_segmentation::UnicodeSegmentation;

use crate::text::cluster_width;

/// Byte offset, width of each cluster.
fn clusters(s: &str) -> impl Iterator<Item = (usize, &str, usize)> {
    s.grapheme_indices(true).map(|(i, g)| (i, g, cluster_width(g)))
}

/// The bytes of `s` shown when `skip` columns are scrolled off on the left
/// and `width` columns are available; whether something was cut on the right.
pub fn window(s: &str, skip: usize, width: usize) -> (Range<usize>, bool) {
    let mut cols = 0;
    let mut start = s.len();
    for (i, _, w) in clusters(s) {
        if cols >= skip {
            start = i;
            break;
        }
        cols += w;
    }
    let mut end = start;
    let mut used = 0;
    for (i, g, w) in clusters(&s[start..]) {
        if used + w > width {
            return (start..start + i, true);
        }
        used += w;
        end = start + i + g.len();
    }
    (start..end, false)
}

/// The part of a window that fits in `width - 1` columns, for the `…`.
pub fn shrink(s: &str, r: Range<usize>, width: usize) -> Range<usize> {
    let (inner, _) = window(&s[r.clone()], 0, width.saturating_sub(1));
    r.start..r.start + inner.end
}

/// Spans of `s[r]` in `base`, with the parts inside `marks` in `mark`.
pub fn spans(s: &str, r: Range<usize>, marks: &[Range<usize>], base: Style, mark: Style) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut at = r.start;
    for m in marks {
        let (ms, me) = (m.start.max(r.start), m.end.min(r.end));
        if ms >= me {
            continue;
        }
        if ms > at {
            out.push(Span::styled(s[at..ms].to_string(), base));
        }
        out.push(Span::styled(s[ms..me].to_string(), mark));
        at = me;
    }
    if at < r.end {
        out.push(Span::styled(s[at..r.end].to_string(), base));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::logs::rows::{row_count, wrap};

    #[test]
    fn window_scrolls_and_cuts() {
        assert_eq!(window("abcdef", 2, 3), (2..5, true));
        assert_eq!(window("abcdef", 2, 10), (2..6, false));
        assert_eq!(window("abc", 5, 3), (3..3, false));
        assert_eq!(window("日本語", 0, 3), (0..3, true));
        assert_eq!(shrink("abcdef", 0..4, 4), 0..3);
    }

    #[test]
    fn clusters_are_never_split() {
        assert_eq!(window("e\u{301}bc", 1, 1), (3..4, true));
        assert_eq!(window("🇫🇷x", 0, 1), (0..0, true), "half a flag is not shown");
    }

    proptest::proptest! {
        #[test]
        fn rows_fit_for_any_unicode(s in crate::text::tests::unicode_text(), width in 1usize..30, skip in 0usize..20) {
            let line = crate::text::clean(&s).into_owned();
            let rows = wrap(&line, width);
            proptest::prop_assert_eq!(rows.len(), row_count(&line, width));
            proptest::prop_assert_eq!(rows.iter().map(|r| &line[r.clone()]).collect::<String>(), line.clone());
            for r in rows {
                let w = crate::text::width(&line[r.clone()]);
                proptest::prop_assert!(w <= width || line[r].graphemes(true).filter(|g| cluster_width(g) > 0).count() == 1);
            }
            let (r, _) = window(&line, skip, width);
            proptest::prop_assert!(crate::text::width(&line[r.clone()]) <= width);
            let r = shrink(&line, r, width);
            proptest::prop_assert!(crate::text::width(&line[r]) <= width.saturating_sub(1));
        }
    }

    #[test]
    fn marks_split_spans() {
        let b = Style::default();
        let m = Style::default().add_modifier(ratatui::style::Modifier::REVERSED);
        let s = spans("hello world", 0..11, &[Range { start: 6, end: 11 }], b, m);
        let t: Vec<&str> = s.iter().map(|x| x.content.as_ref()).collect();
        assert_eq!(t, ["hello ", "world"]);
        let s = spans("hello world", 3..8, &[0..4, 7..20], b, m);
        let t: Vec<&str> = s.iter().map(|x| x.content.as_ref()).collect();
        assert_eq!(t, ["l", "o w", "o"]);
    }
}
